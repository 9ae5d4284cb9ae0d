"""Applications through their services: submission checks, independent reviews, the shortlist,
approval through the orders' provider service, rejection with a reason, the state table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from applications_cast import scores
from factories import ProviderFactory, UserFactory, valid_uscc
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry, Organisation, Role
from jiuzhu.core.transitions import TransitionRefused
from jiuzhu.evaluation.models import Application, ApplicationEvent, ReviewScore
from jiuzhu.evaluation.selectors.applications import ranking, scores_visible
from jiuzhu.evaluation.services import applications as services
from jiuzhu.orders.models import Provider

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_a_valid_application_is_recorded_in_its_district(areas, submission):
    document = SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf")
    application = services.application_submit(**submission, documents=[("licence", document)])
    assert application.status == "submitted"
    assert application.district == areas["qixia"]
    assert application.number.startswith("AP")
    [stored] = application.documents.all()
    assert stored.original_name == "执照.pdf" and stored.content_type == "application/pdf"
    assert stored.file.name.endswith(".pdf") and "执照" not in stored.file.name
    assert ApplicationEvent.objects.filter(application=application, action="submit").exists()
    assert AuditEntry.objects.filter(
        object_type="evaluation.application", object_id=str(application.pk)
    ).exists()


def test_a_wrong_check_character_names_the_right_one_in_english_and_chinese(submission):
    good = submission["uscc"]
    wrong = good[:-1] + ("1" if good[-1] != "1" else "2")
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(**{**submission, "uscc": wrong})
    assert caught.value.fields["uscc"] == [
        f"The check character is wrong: it should be {good[-1]}."
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        services.application_submit(**{**submission, "uscc": wrong})
    assert good[-1] in caught.value.fields["uscc"][0]
    assert "校验" in caught.value.fields["uscc"][0]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("123", "A unified social credit code has 18 characters."),
        ("91320113MA1OOOOOOX", "Use digits and capital letters (no I, O, S, V or Z)."),
    ],
)
def test_a_malformed_code_is_refused_with_a_clear_message(submission, code, message):
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(**{**submission, "uscc": code})
    assert caught.value.fields["uscc"] == [message]


def test_a_document_is_judged_by_its_content_not_its_name(submission):
    fake = SimpleUploadedFile("证书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(**submission, documents=[("qualification", fake)])
    assert "PDF, JPEG or PNG" in caught.value.fields["documents"][0]
    assert not Application.objects.exists()


def test_an_active_provider_or_an_open_application_cannot_apply_again(submission):
    services.application_submit(**submission)
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(**submission)
    assert "already being screened" in caught.value.fields["uscc"][0]
    ProviderFactory(uscc=valid_uscc(7))
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(**{**submission, "uscc": valid_uscc(7)})
    assert "already a provider" in caught.value.fields["uscc"][0]


def test_one_address_may_send_only_a_few_applications_an_hour(submission, monkeypatch):
    from jiuzhu.core.request_context import RequestInfo

    monkeypatch.setattr(
        services,
        "current_request_info",
        lambda: RequestInfo(ip_address="203.0.113.9", channel="web"),
    )
    for n in range(services.PER_ADDRESS_PER_HOUR):
        services.application_submit(**{**submission, "uscc": valid_uscc(100 + n)})
    with pytest.raises(services.TooManyApplications) as caught:
        services.application_submit(**{**submission, "uscc": valid_uscc(200)})
    assert caught.value.status == 429
    monkeypatch.setattr(
        services,
        "current_request_info",
        lambda: RequestInfo(ip_address="203.0.113.10", channel="web"),
    )
    services.application_submit(**{**submission, "uscc": valid_uscc(201)})


def test_reviewers_score_independently_and_the_first_review_starts_screening(
    actors, reviewer, submission
):
    manager = actors["qixia_manager"]
    application = services.application_submit(**submission)
    review = services.application_review(
        actor=manager, application=application, scores=scores(80, 85, 90, 80, 70)
    )
    assert review.total == Decimal("81.25")
    application.refresh_from_db()
    assert application.status == "screening"
    # The second reviewer does not see the first's scores until they submit their own.
    assert scores_visible(manager, application)
    assert not scores_visible(reviewer, application)
    [row] = ranking(user=reviewer)
    assert row.hidden and row.score is None and row.reviews == []
    services.application_review(
        actor=reviewer, application=application, scores=scores(75, 80, 85, 85, 75)
    )
    assert scores_visible(reviewer, application)
    [row] = ranking(user=reviewer)
    assert row.score == Decimal("80.50") and row.rank == 1 and len(row.reviews) == 2
    assert ReviewScore.objects.filter(review__application=application).count() == 10
    with pytest.raises(Conflict):
        services.application_review(
            actor=reviewer, application=application, scores=scores(1, 1, 1, 1, 1)
        )


def test_every_score_needs_a_reason_and_a_range(actors, submission):
    application = services.application_submit(**submission)
    given = scores(80, 85, 90, 80, 70)
    given["size"] = (80, " ")
    given["qualifications"] = (101, "太高")
    with pytest.raises(ValidationFailed) as caught:
        services.application_review(
            actor=actors["qixia_manager"], application=application, scores=given
        )
    assert set(caught.value.fields) == {"size", "qualifications"}


def test_only_the_districts_managers_review(actors, submission):
    application = services.application_submit(**submission)
    with pytest.raises(PermissionDenied):
        services.application_review(
            actor=actors["jianye_manager"], application=application, scores=scores(1, 1, 1, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.application_review(
            actor=actors["city_admin"], application=application, scores=scores(1, 1, 1, 1, 1)
        )


def test_the_districts_scorecard_weights_the_reviews(actors, areas, submission):
    manager = actors["qixia_manager"]
    services.scorecard_update(
        actor=manager,
        district=areas["qixia"],
        weights={
            "size": 0,
            "professional_staff": 1,
            "signature_projects": 0,
            "qualifications": 0,
            "past_performance": 0,
        },
        guidance={},
    )
    application = services.application_submit(**submission)
    review = services.application_review(
        actor=manager, application=application, scores=scores(10, 90, 10, 10, 10)
    )
    assert review.total == Decimal("90.00")
    with pytest.raises(PermissionDenied):
        services.scorecard_update(
            actor=actors["jianye_manager"], district=areas["qixia"], weights={}, guidance={}
        )


def _screened(actors, reviewer, submission):
    application = services.application_submit(**submission)
    for user in (actors["qixia_manager"], reviewer):
        services.application_review(
            actor=user, application=application, scores=scores(70, 70, 70, 70, 70)
        )
    application.refresh_from_db()
    return application


def test_shortlisting_needs_two_reviews(actors, submission):
    manager = actors["qixia_manager"]
    application = services.application_submit(**submission)
    services.application_review(
        actor=manager, application=application, scores=scores(70, 70, 70, 70, 70)
    )
    application.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        services.application_shortlist(actor=manager, application=application)
    assert caught.value.code == "too_few_reviews"


def test_approval_admits_the_organisation_as_a_provider(actors, areas, reviewer, submission):
    manager = actors["qixia_manager"]
    application = _screened(actors, reviewer, submission)
    application = services.application_shortlist(actor=manager, application=application)
    assert application.status == "shortlisted"
    with pytest.raises(Conflict):  # reviews are closed
        services.application_review(
            actor=UserFactory(role=Role.DISTRICT_MANAGER, area=areas["qixia"]),
            application=application,
            scores=scores(1, 1, 1, 1, 1),
        )
    application = services.application_approve(
        actor=manager,
        application=application,
        base=areas["yaohua_a"],
        streets=[areas["yaohua"]],
        communities=[],
        items=[],
        daily_capacity=15,
    )
    assert application.status == "approved"
    provider = Provider.objects.get(uscc=submission["uscc"])
    assert application.provider == provider
    assert provider.organisation.name == submission["name"]
    assert provider.organisation.kind == "provider"
    assert (provider.staff_count, provider.social_workers, provider.daily_capacity) == (16, 11, 15)
    assert list(provider.streets.all()) == [areas["yaohua"]]
    assert application.decided_by == manager
    assert list(application.events.values_list("action", flat=True)) == [
        "submit",
        "screen",
        "shortlist",
        "approve",
    ]


def test_approval_refuses_a_base_outside_the_managers_district(actors, areas, reviewer, submission):
    manager = actors["qixia_manager"]
    application = services.application_shortlist(
        actor=manager, application=_screened(actors, reviewer, submission)
    )
    with pytest.raises(ValidationFailed):
        services.application_approve(
            actor=manager,
            application=application,
            base=areas["shazhou_a"],
            streets=[areas["yaohua"]],
            communities=[],
            items=[],
        )
    application.refresh_from_db()
    assert application.status == "shortlisted"
    assert not Organisation.objects.filter(name=submission["name"]).exists()


def test_rejection_needs_a_reason_and_ends_the_application(actors, submission):
    manager = actors["qixia_manager"]
    application = services.application_submit(**submission)
    with pytest.raises(ValidationFailed):
        services.application_reject(actor=manager, application=application, reason="  ")
    application = services.application_reject(
        actor=manager, application=application, reason="专业社工不足"
    )
    assert application.status == "rejected" and application.decision_reason == "专业社工不足"
    with pytest.raises(Conflict):
        services.application_reject(actor=manager, application=application, reason="再次")
    # A rejected organisation may apply again.
    services.application_submit(**submission)


DM, CA, PS = Role.DISTRICT_MANAGER, Role.CITY_ADMIN, Role.PROVIDER_STAFF
#: (action, from, role) → the state it leads to, or the refusal.
TABLE = {
    ("screen", "submitted", DM): "screening",
    ("screen", "screening", DM): "conflict",
    ("shortlist", "screening", DM): "shortlisted",
    ("shortlist", "submitted", DM): "conflict",
    ("shortlist", "screening", CA): "forbidden",
    ("approve", "shortlisted", DM): "approved",
    ("approve", "screening", DM): "conflict",
    ("approve", "shortlisted", CA): "forbidden",
    ("approve", "shortlisted", PS): "forbidden",
    ("reject", "submitted", DM): "rejected",
    ("reject", "screening", DM): "rejected",
    ("reject", "shortlisted", DM): "rejected",
    ("reject", "approved", DM): "conflict",
    ("reject", "rejected", DM): "conflict",
    ("reject", "approved", CA): "forbidden",
}


@pytest.mark.parametrize(("action", "status", "role"), list(TABLE))
def test_the_state_table(action, status, role):
    try:
        got = services.APPLICATION_FLOW.check(action, status=status, role=role)
    except TransitionRefused as refused:
        got = refused.reason
    assert got == TABLE[(action, status, role)]
