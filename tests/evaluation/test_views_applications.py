"""The pages: the public form without sign-in (documents checked by content), the managers' list
and export, the application page's independent reviews and decisions, shortlist and scorecard."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications_cast import scores
from factories import ServiceItemFactory, valid_uscc
from jiuzhu.evaluation.models import Application
from jiuzhu.evaluation.services import applications as services
from jiuzhu.orders.models import Provider

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _form(areas, **extra):
    return {
        "name": "栖霞区仙林长者关爱服务中心",
        "uscc": valid_uscc(5),
        "supply_type": "government_purchase",
        "staff_count": "38",
        "social_workers": "9",
        "signature_projects": "银龄食堂助餐项目",
        "street": str(areas["yaohua"].pk),
        "address": "尧化街道示范路 8 号",
        "contact_name": "王主任",
        "contact_phone": "025-85600008",
        **extra,
    }


def test_anyone_may_apply_without_signing_in(client, areas):
    item = ServiceItemFactory(code="meal_help_x")
    assert client.get(reverse("evaluation:apply")).status_code == 200
    response = client.post(
        reverse("evaluation:apply"),
        {
            **_form(areas, items=[item.pk]),
            "licence": SimpleUploadedFile("licence.pdf", PDF),
            "qualifications": [
                SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
                SimpleUploadedFile("b.pdf", PDF),
            ],
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.documents.count() == 3
    assert list(application.items.all()) == [item]
    done = client.get(response["Location"])
    assert application.number in done.content.decode()


def test_the_form_explains_a_wrong_code_and_a_disguised_file(client, areas):
    code = valid_uscc(5)
    response = client.post(
        reverse("evaluation:apply"),
        {
            **_form(areas, uscc=code[:-1] + ("0" if code[-1] != "0" else "1")),
            "licence": SimpleUploadedFile("licence.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert f"it should be {code[-1]}" in page
    assert "PDF, JPEG or PNG" in page
    assert not Application.objects.exists()


def test_the_chinese_form_says_it_in_chinese(areas):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(reverse("evaluation:apply"), _form(areas, uscc="123"))
    assert "统一社会信用代码" in response.content.decode()
    assert "18" in response.content.decode()


def test_a_robot_filling_the_hidden_field_is_not_recorded(client, areas):
    response = client.post(reverse("evaluation:apply"), _form(areas, website="http://spam"))
    assert response.status_code == 422
    assert not Application.objects.exists()


def _submitted(areas, n=5):
    return services.application_submit(
        name="南京心语社会工作服务社",
        uscc=valid_uscc(n),
        supply_type="social_work",
        staff_count=16,
        social_workers=11,
        signature_projects="护苗计划",
        street=areas["yaohua"],
        address="尧化街道 1 号",
        contact_name="张老师",
        contact_phone="025-1",
        documents=[("licence", SimpleUploadedFile("执照.pdf", PDF))],
    )


def test_the_list_and_export_are_the_districts(client, actors, areas):
    application = _submitted(areas)
    client.force_login(actors["qixia_manager"])
    page = client.get(reverse("evaluation:application_list"), {"status": "submitted"})
    assert application.name in page.content.decode()
    export = client.get(reverse("evaluation:application_export"))
    assert export.status_code == 200
    client.force_login(actors["jianye_manager"])
    assert (
        application.name not in client.get(reverse("evaluation:application_list")).content.decode()
    )
    url = reverse("evaluation:application_detail", args=[application.pk])
    assert client.get(url).status_code == 404


def test_a_document_is_served_only_to_those_who_see_the_application(client, actors, areas):
    application = _submitted(areas)
    document = application.documents.get()
    url = reverse("evaluation:application_document", args=[application.pk, document.pk])
    client.force_login(actors["qixia_manager"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(actors["jianye_manager"])
    assert client.get(url).status_code == 404


def test_reviews_are_hidden_until_the_reviewer_has_given_theirs(client, actors, areas, reviewer):
    application = _submitted(areas)
    url = reverse("evaluation:application_detail", args=[application.pk])
    client.force_login(actors["qixia_manager"])
    form = {"comment": "较好"}
    for code, (value, _reason) in scores(80, 85, 90, 80, 70).items():
        form[f"score_{code}"], form[f"reason_{code}"] = value, "首位评审理由"
    response = client.post(reverse("evaluation:application_review", args=[application.pk]), form)
    assert response.status_code == 302
    assert "81.25" in client.get(url).content.decode()
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "81.25" not in page and "首位评审理由" not in page
    assert "Your review" in page
    services.application_review(
        actor=reviewer, application=application, scores=scores(75, 80, 85, 85, 75)
    )
    page = client.get(url).content.decode()
    assert "81.25" in page and "79.75" in page and "80.50" in page and "首位评审理由" in page
    shortlist = client.get(reverse("evaluation:shortlist")).content.decode()
    assert "80.50" in shortlist


def test_a_manager_shortlists_and_approves_on_the_page(client, actors, areas, reviewer):
    application = _submitted(areas)
    for user in (actors["qixia_manager"], reviewer):
        services.application_review(
            actor=user, application=application, scores=scores(70, 70, 70, 70, 70)
        )
    client.force_login(actors["qixia_manager"])
    act = lambda action: reverse("evaluation:application_act", args=[application.pk, action])  # noqa: E731
    assert client.post(act("shortlist"), {"note": ""}).status_code == 302
    response = client.post(
        act("approve"),
        {
            "base": areas["yaohua_a"].pk,
            "streets": [areas["yaohua"].pk],
            "daily_capacity": 12,
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert Provider.objects.get(pk=application.provider_id).daily_capacity == 12
    # Deciding again is a message, not an error page.
    again = client.post(act("reject"), {"reason": "x"})
    assert again.status_code == 409 or again.status_code == 302


def test_a_rejection_without_a_reason_is_refused_on_the_form(client, actors, areas):
    application = _submitted(areas)
    client.force_login(actors["qixia_manager"])
    url = reverse("evaluation:application_act", args=[application.pk, "reject"])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "资质不全"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "rejected"


def test_the_city_reads_but_does_not_decide(client, actors, areas):
    application = _submitted(areas)
    client.force_login(actors["city_admin"])
    assert (
        client.get(reverse("evaluation:application_detail", args=[application.pk])).status_code
        == 200
    )
    url = reverse("evaluation:application_act", args=[application.pk, "reject"])
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_the_scorecard_page_saves_the_districts_weights(client, actors, areas):
    client.force_login(actors["qixia_manager"])
    url = reverse("evaluation:scorecard")
    assert client.get(url).status_code == 200
    data = {
        f"weight_{code}": 10
        for code in [
            "size",
            "professional_staff",
            "signature_projects",
            "qualifications",
            "past_performance",
        ]
    }
    assert client.post(url, data).status_code == 302
    rows = services.scorecard_rows(areas["qixia"])
    assert {row.weight for row in rows} == {10}
    zero = dict.fromkeys(data, 0)
    assert client.post(url, zero).status_code == 422
