"""The assessment pages: the due queue, start, the phone form with its autosave, submit, and the
result-and-plan page. Every page is tried by in-scope and out-of-scope actors, and the whole
评·摸·问·开 flow runs through the web client."""

from __future__ import annotations

import datetime as dt

import pytest

from assessment_cast import NOT_DEPRIVED
from factories import OrganisationFactory, UserFactory
from factories_registry import make_household
from jiuzhu.assessment.models import (
    Assessment,
    AssessmentDue,
    AssessmentStatus,
    Plan,
    PlanStatus,
)
from jiuzhu.assessment.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from jiuzhu.assessment.services.dues import due_add
from jiuzhu.catalog.selectors import catalog_items_for_household
from jiuzhu.core.models import OrganisationKind, Role
from jiuzhu.registry.models import ChainEntry, HouseholdAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The UI's English msgids (the default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"


HX = {"HTTP_HX_REQUEST": "true"}


def web_answers(answers: dict) -> dict:
    """Service-style answers as the form posts them."""
    posted = {}
    for code, value in answers.items():
        if value in ("yes", "no"):
            value = "1" if value == "yes" else "0"
        posted[f"q_{code}"] = str(value)
    return posted


@pytest.fixture
def stranger():
    """An assessor of another organisation, not assigned to the household."""
    org = OrganisationFactory(name="评估机构乙", kind=OrganisationKind.ASSESSMENT)
    return UserFactory(username="other_assessor", role=Role.ASSESSOR, organisation=org)


@pytest.fixture
def draft(household, actors):
    return assessment_start(actor=actors["assessor"], household=household)


@pytest.fixture
def submitted(draft, actors):
    assessor = actors["assessor"]
    answers = {
        **NOT_DEPRIVED,
        "income_ratio": 0.75,
        "no_employed_member": "yes",
        "untreated_condition": "yes",
        "psychological_distress": "yes",
    }
    assessment = assessment_save(actor=assessor, assessment=draft, answers=answers)
    return assessment_submit(actor=assessor, assessment=assessment)


# ---------------------------------------------------------------- queue


def test_the_queue_lists_visible_dues_with_overdue_rows_marked(
    client, household, actors, areas, caseworker
):
    other = make_household(actor=actors["qixia_manager"], community=areas["maqun_a"])
    due_add(household=household, reason="change", due_on=dt.date.today() - dt.timedelta(days=3))
    due_add(household=other, reason="new")
    client.force_login(caseworker)
    response = client.get("/assessment/queue/")
    assert response.status_code == 200
    dues = list(response.context["page_obj"].object_list)
    assert [d.household_id for d in dues] == [household.pk]
    html = response.content.decode()
    assert 'class="overdue"' in html
    assert "Household change" in html
    assert f"/assessment/households/{household.pk}/start/" in html
    # the district manager sees both streets and can filter by street and overdue
    client.force_login(actors["qixia_manager"])
    both = client.get("/assessment/queue/").context["page_obj"].paginator.count
    assert both == 2
    only = client.get("/assessment/queue/", {"street": areas["maqun"].pk})
    assert [d.household_id for d in only.context["page_obj"]] == [other.pk]
    overdue = client.get("/assessment/queue/", {"overdue": "on"})
    assert [d.household_id for d in overdue.context["page_obj"]] == [household.pk]
    assert "Assess</button>" not in overdue.content.decode()  # managers do not assess
    # a bad filter value is ignored, never a 500
    assert client.get("/assessment/queue/", {"street": "x", "page": "zz"}).status_code == 200


def test_the_queue_is_for_case_staff_only(client, actors, household):
    for name in ("provider_staff", "volunteer", "security_admin", "audit_admin", "department"):
        client.force_login(actors[name])
        assert client.get("/assessment/queue/").status_code == 403, name
    client.logout()
    assert client.get("/assessment/queue/").status_code == 302


def test_the_queue_shows_own_drafts_and_plans_awaiting_approval(
    client, submitted, draft, actors, caseworker, household
):
    client.force_login(caseworker)
    response = client.get("/assessment/queue/")
    assert [p.pk for p in response.context["awaiting"]] == [submitted.plan.pk]
    assert response.context["drafts"] == []
    other = make_household(actor=caseworker, community=household.community)
    mine = assessment_start(actor=actors["assessor"], household=other)
    HouseholdAssignment.objects.create(
        household=other, assignee=actors["assessor"], purpose="assessment", created_by=caseworker
    )
    client.force_login(actors["assessor"])
    response = client.get("/assessment/queue/")
    assert [a.pk for a in response.context["drafts"]] == [mine.pk]
    assert "awaiting" not in response.context


def test_the_queue_filters_answer_htmx_with_the_results_only(client, caseworker, household):
    client.force_login(caseworker)
    response = client.get("/assessment/queue/", **HX)
    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="queue-results"')


# ---------------------------------------------------------------- start


def test_start_opens_a_draft_for_in_scope_assessors_only(client, household, actors, stranger):
    url = f"/assessment/households/{household.pk}/start/"
    client.force_login(stranger)
    assert client.post(url).status_code == 404  # not assigned: the household is invisible
    client.force_login(actors["maqun_caseworker"])
    assert client.post(url).status_code == 404  # another street
    client.force_login(actors["yaohua_a_worker"])
    assert client.post(url).status_code == 403  # sees it, but does not assess
    assert not Assessment.objects.exists()
    client.force_login(actors["assessor"])
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": "change"})
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessment/{assessment.pk}/"
    assert assessment.reason == "change"
    # again: the same draft; a bogus reason falls back to "manual" (and never 500s)
    assert client.post(url, {"reason": "<script>"})["Location"] == response["Location"]
    assert client.post("/assessment/households/999999/start/").status_code == 404


def test_start_without_a_published_framework_says_so(client, areas, caseworker, actors):
    household = make_household(actor=caseworker, community=areas["yaohua_a"])
    client.force_login(caseworker)
    response = client.post(f"/assessment/households/{household.pk}/start/", follow=True)
    assert "No indicator framework is published yet." in response.content.decode()


# ---------------------------------------------------------------- the form


def test_the_form_shows_baseline_questions_and_prefills(client, draft, actors):
    client.force_login(actors["assessor"])
    response = client.get(f"/assessment/{draft.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    # 摸: income, the dibao line, members with their ages
    assert "1,500" in html or "1500" in html
    assert "52" in html and "Serious illness" in html
    # 评: every dimension, each question by its label, yes/no radios and number inputs
    for label in (
        "Daily living",
        "Housing",
        "Employment",
        "Health and medical care",
        "Education burden",
        "Social integration",
    ):
        assert label in html
    assert 'name="q_daily_care_gap" value="1"' in html
    assert 'name="q_living_area"' in html
    # pre-filled: income ratio 1500 / 2 / 1000 = 0.75, marked for checking
    assert 'value="0.75"' in html
    assert html.count("Pre-filled from the registry") >= 3
    # 问: the needs list as checkboxes; the live result panel
    assert 'name="wished_needs"' in html
    assert 'id="result-panel"' in html
    assert f'hx-post="/assessment/{draft.pk}/save/"' in html


def test_questions_are_chinese_data_shown_in_english_when_set(client, draft, actors, settings):
    client.force_login(actors["assessor"])
    html = client.get(f"/assessment/{draft.pk}/").content.decode()
    assert "Went without enough food in the last three months" in html
    assert "Daily living" in html
    html = client.get(f"/assessment/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "近三个月是否出现过吃饭困难或断炊" in html
    assert "日常生活" in html


def test_the_form_is_scoped(client, draft, actors, stranger):
    url = f"/assessment/{draft.pk}/"
    expected = {
        "assessor": 200,
        "yaohua_caseworker": 200,
        "qixia_manager": 200,  # reads it, cannot fill it
        "maqun_caseworker": 404,
        "jianye_manager": 404,
        "provider_staff": 404,
        "security_admin": 404,
    }
    for name, status in expected.items():
        client.force_login(actors[name])
        assert client.get(url).status_code == status, name
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(f"/assessment/{draft.pk}/save/", {"revision": "0"}).status_code == 404
    assert client.post(f"/assessment/{draft.pk}/submit/").status_code == 404
    assert client.get(f"/assessment/{draft.pk}/preview/").status_code == 404
    client.force_login(actors["qixia_manager"])
    html = client.get(url).content.decode()
    assert "hx-post" not in html and "Submit assessment" not in html
    response = client.post(f"/assessment/{draft.pk}/save/", {"revision": "0"}, **HX)
    assert response.status_code == 403
    client.force_login(actors["assessor"])
    assert client.get("/assessment/999999/").status_code == 404


def test_saving_returns_the_refreshed_result_and_the_new_revision(client, draft, actors):
    client.force_login(actors["assessor"])
    response = client.post(
        f"/assessment/{draft.pk}/save/",
        {
            "revision": "0",
            "q_food_shortage": "1",
            "q_living_area": "12",
            "wishes": "想要工作",
            "wished_needs": ["job_guidance"],
        },
        **HX,
    )
    assert response.status_code == 200
    assert response["X-Assessment-Revision"] == "1"
    html = response.content.decode()
    assert 'id="revision" hx-swap-oob="true"' in html and 'value="1"' in html
    assert "Saved at" in html
    assert "Went without enough food in the last three months" in html  # now deprived
    draft.refresh_from_db()
    assert draft.answers["food_shortage"] == 1 and draft.answers["living_area"] == 12.0
    assert draft.wishes == "想要工作"
    assert list(draft.wished_needs.values_list("code", flat=True)) == ["job_guidance"]
    # an untouched radio keeps its answer; an emptied number is "not answered"
    client.post(f"/assessment/{draft.pk}/save/", {"revision": "1", "q_living_area": ""}, **HX)
    draft.refresh_from_db()
    assert draft.answers["food_shortage"] == 1 and draft.answers["living_area"] is None
    # without htmx the save redirects back to the form
    response = client.post(f"/assessment/{draft.pk}/save/", {"revision": "2"})
    assert response.status_code == 302


def test_a_stale_revision_is_a_conflict_that_asks_for_a_reload(client, draft, actors):
    client.force_login(actors["assessor"])
    url = f"/assessment/{draft.pk}/save/"
    assert client.post(url, {"revision": "0", "q_food_shortage": "0"}, **HX).status_code == 200
    stale = client.post(url, {"revision": "0", "q_food_shortage": "1"}, **HX)
    assert stale.status_code == 409
    assert stale["HX-Retarget"] == "#save-status"
    assert "changed elsewhere" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.answers["food_shortage"] == 0
    page = client.post(url, {"revision": "0"})
    assert page.status_code == 409 and "Reload the assessment" in page.content.decode()


def test_bad_input_is_refused_without_a_500(client, draft, actors):
    client.force_login(actors["assessor"])
    url = f"/assessment/{draft.pk}/save/"
    for data in (
        {"revision": "0", "q_living_area": "lots"},
        {"revision": "0", "q_food_shortage": "maybe"},
        {"revision": "x"},
        {},
        {"revision": "0", "wished_needs": ["no_such_need"]},
        {"revision": "0", "q_living_area": "1e999"},
    ):
        response = client.post(url, data, **HX)
        assert response.status_code == 422, data
        assert "Not saved" in response.content.decode()
    response = client.post(url, {"revision": "0", "q_living_area": "lots"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="q has-error" id="q-living_area"' in html
    assert 'value="lots"' in html  # what was typed stays in the field


def test_the_preview_fragment_shows_the_current_result(client, draft, actors):
    client.force_login(actors["assessor"])
    response = client.get(f"/assessment/{draft.pk}/preview/")
    assert response.status_code == 200
    assert " of 15 questions" in response.content.decode()


def test_submitting_with_missing_answers_lists_them_next_to_the_questions(client, draft, actors):
    client.force_login(actors["assessor"])
    response = client.post(
        f"/assessment/{draft.pk}/submit/", {"revision": "0", "q_food_shortage": "0"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "questions need an answer before" in html
    assert 'id="q-daily_care_gap"' in html and "has-error" in html
    assert "Answer this question before submitting." in html
    assert 'href="#q-daily_care_gap"' in html
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.answers["food_shortage"] == 0  # what was posted was saved
    assert draft.revision == 1


def test_the_whole_flow_through_the_web(client, household, actors, caseworker):
    assessor = actors["assessor"]
    client.force_login(assessor)
    start = client.post(f"/assessment/households/{household.pk}/start/")
    assessment = Assessment.objects.get(household=household)
    assert start["Location"] == f"/assessment/{assessment.pk}/"
    save_url = f"/assessment/{assessment.pk}/save/"
    answers = {
        **NOT_DEPRIVED,
        "income_ratio": 0.75,
        "no_employed_member": "yes",
        "untreated_condition": "yes",
        "psychological_distress": "yes",
    }
    first = dict(list(web_answers(answers).items())[:7])
    assert client.post(save_url, {"revision": "0", **first}, **HX).status_code == 200
    # a second phone still holding revision 0 is told to reload
    assert client.post(save_url, {"revision": "0", **first}, **HX).status_code == 409
    # submitting with questions left open is refused and lists them
    missing = client.post(f"/assessment/{assessment.pk}/submit/", {"revision": "1"})
    assert missing.status_code == 422
    assert "Answer this question before submitting." in missing.content.decode()
    # the full set: submitted, scored, tagged
    rest = web_answers(answers)
    done = client.post(
        f"/assessment/{assessment.pk}/submit/", {"revision": "2", **rest, "wishes": "希望找到工作"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"/assessment/{assessment.pk}/result/"
    assessment.refresh_from_db()
    assert (assessment.status, assessment.score_exact, assessment.urgency_tag) == (
        "submitted",
        "1/4",
        "care",
    )
    result = client.get(done["Location"])
    html = result.content.decode()
    assert result.status_code == 200
    assert "1/4" in html and "0.250000" in html
    assert "tag-urgency-care" in html and "Needs care" in html
    assert "Approve</button>" not in html  # the assessor does not approve
    # the form of a submitted assessment now shows the result
    assert client.get(f"/assessment/{assessment.pk}/")["Location"].endswith("/result/")
    assert client.post(save_url, {"revision": "3"}, **HX).status_code == 409

    # 开: the street caseworker adjusts and approves the plan
    plan = Plan.objects.get(assessment=assessment)
    client.force_login(caseworker)
    page = client.get(f"/assessment/plans/{plan.pk}/")
    assert page.status_code == 200 and "Approve</button>" in page.content.decode()
    removed = plan.items.first()
    response = client.post(f"/assessment/plans/{plan.pk}/items/{removed.pk}/remove/")
    assert response.status_code == 302
    assert not plan.items.filter(pk=removed.pk).exists()
    item = catalog_items_for_household(household)[0]
    response = client.post(
        f"/assessment/plans/{plan.pk}/items/add/",
        {"service_item": item.pk, "per_month": "2", "months": "3", "note": "先试三个月"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert plan.items.filter(service_item=item, months=3).exists()
    material = plan.materials.first()
    response = client.post(
        f"/assessment/plans/{plan.pk}/materials/{material.pk}/status/", {"status": "referred"}
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.referral_status == "referred"
    response = client.post(f"/assessment/plans/{plan.pk}/approve/", {"note": "同意"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.note, plan.approved_by) == (PlanStatus.APPROVED, "同意", caseworker)
    chain = ChainEntry.objects.filter(household=household)
    assert chain.filter(source="plan", source_id=plan.pk).exists()
    assert chain.filter(source="assessment", source_id=assessment.pk).exists()
    household_page = client.get(f"/households/{household.pk}/").content.decode()
    assert "Plan approved" in household_page
    # an approved plan no longer changes
    html = client.get(f"/assessment/plans/{plan.pk}/").content.decode()
    assert "Approve</button>" not in html and "Remove</button>" not in html
    again = client.post(f"/assessment/plans/{plan.pk}/approve/", follow=True)
    assert "Only a plan awaiting approval can change." in again.content.decode()


def test_plan_pages_and_actions_are_scoped(client, submitted, actors, stranger):
    plan = submitted.plan
    item = plan.items.first()
    urls = {
        "page": f"/assessment/plans/{plan.pk}/",
        "result": f"/assessment/{submitted.pk}/result/",
    }
    for name in ("maqun_caseworker", "jianye_manager", "provider_staff"):
        client.force_login(actors[name])
        for url in urls.values():
            assert client.get(url).status_code == 404, (name, url)
        assert client.post(f"/assessment/plans/{plan.pk}/approve/").status_code == 404
        assert (
            client.post(f"/assessment/plans/{plan.pk}/items/{item.pk}/remove/").status_code == 404
        )
    client.force_login(stranger)
    assert client.get(urls["page"]).status_code == 404
    # visible but not theirs to change
    for name in ("assessor", "qixia_manager", "yaohua_a_worker"):
        client.force_login(actors[name])
        assert client.get(urls["page"]).status_code == 200, name
        assert client.post(f"/assessment/plans/{plan.pk}/approve/").status_code == 403, name
        assert (
            client.post(f"/assessment/plans/{plan.pk}/items/{item.pk}/remove/").status_code == 403
        ), name
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.items.filter(pk=item.pk).exists()
    # an item of another plan is not found through this one
    client.force_login(actors["yaohua_caseworker"])
    assert client.post(f"/assessment/plans/{plan.pk}/items/999999/remove/").status_code == 404
    assert (
        client.post(
            f"/assessment/plans/{plan.pk}/materials/999999/status/", {"status": "granted"}
        ).status_code
        == 404
    )


def test_adding_an_item_the_household_is_not_eligible_for_is_a_form_error(
    client, submitted, caseworker
):
    plan = submitted.plan
    client.force_login(caseworker)
    response = client.post(
        f"/assessment/plans/{plan.pk}/items/add/",
        {"service_item": "999999", "per_month": "0", "months": "x"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="add-item"' in html
    assert html.count('class="field has-error') == 3  # item, frequency, months
    assert plan.items.count() == submitted.plan.items.count()


def test_a_bad_referral_status_is_refused_politely(client, submitted, caseworker):
    plan = submitted.plan
    material = plan.materials.first()
    client.force_login(caseworker)
    response = client.post(
        f"/assessment/plans/{plan.pk}/materials/{material.pk}/status/",
        {"status": "whatever"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose a referral status." in response.content.decode()


def test_the_result_page_of_a_draft_goes_to_the_form(client, draft, actors):
    client.force_login(actors["assessor"])
    response = client.get(f"/assessment/{draft.pk}/result/")
    assert response["Location"] == f"/assessment/{draft.pk}/"


def test_dues_are_resolved_after_submitting(submitted, household):
    open_dues = AssessmentDue.objects.filter(household=household, resolved_at__isnull=True)
    assert [d.reason for d in open_dues] == ["scheduled"]


def test_the_household_box_shows_draft_results_plan_and_dues(
    client, household, actors, caseworker, stranger
):
    url = f"/assessment/households/{household.pk}/box/"
    due_add(household=household, reason="change")
    client.force_login(actors["assessor"])
    html = client.get(url).content.decode()
    assert "Not assessed yet." in html and "Start an assessment" in html
    assert 'name="reason" value="change"' in html
    draft = assessment_start(actor=actors["assessor"], household=household)
    html = client.get(url).content.decode()
    assert f"/assessment/{draft.pk}/" in html and "Continue the assessment" in html
    assert "Start an assessment" not in html
    assessment = assessment_save(actor=actors["assessor"], assessment=draft, answers=NOT_DEPRIVED)
    assessment_submit(actor=actors["assessor"], assessment=assessment)
    client.force_login(caseworker)
    html = client.get(url).content.decode()
    assert f"/assessment/{assessment.pk}/result/" in html
    assert f"/assessment/plans/{assessment.plan.pk}/" in html and "Awaiting approval" in html
    assert "Periodic" in html  # the next periodic assessment is due
    client.force_login(actors["qixia_manager"])
    assert "Start an assessment" not in client.get(url).content.decode()
    for who in (actors["maqun_caseworker"], actors["provider_staff"], stranger):
        client.force_login(who)
        assert client.get(url).status_code == 404
