"""The assessment API: shapes, the project's error codes, and scoping identical to the web."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assessment_cast import NOT_DEPRIVED_JSON as NOT_DEPRIVED
from factories import OrganisationFactory, UserFactory
from factories_registry import make_household
from jiuzhu.assessment.models import Assessment, PlanStatus
from jiuzhu.assessment.services.assessments import assessment_start
from jiuzhu.assessment.services.dues import due_add
from jiuzhu.core.models import OrganisationKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The UI's English msgids (the default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client, actors):
    def call(who, method, path, body=None):
        client.force_login(actors[who] if isinstance(who, str) else who)
        return getattr(client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
        )

    return call


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code, body
    return body


def test_the_whole_flow_through_the_api(call, household, actors):
    started = call("assessor", "post", f"/households/{household.pk}/assessments", {"reason": "new"})
    assert started.status_code == 201, started.content
    body = started.json()
    assert (body["status"], body["reason"], body["revision"]) == ("draft", "new", 0)
    assert body["answers"]["income_ratio"] == 0.75
    assert body["baseline"]["dibao_line"] == 1000.0
    again = call("assessor", "post", f"/households/{household.pk}/assessments")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    aid = body["id"]

    patched = call(
        "assessor",
        "patch",
        f"/assessments/{aid}",
        {
            "answers": {
                **NOT_DEPRIVED,
                "income_ratio": 0.75,
                "no_employed_member": True,
                "untreated_condition": "yes",
                "psychological_distress": 1,
            },
            "wishes": "希望找到工作",
            "wished_needs": ["job_guidance", "job_guidance"],
            "revision": 0,
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["revision"] == 1
    assert patched.json()["wished_needs"] == ["job_guidance"]
    stale = call("assessor", "patch", f"/assessments/{aid}", {"answers": {}, "revision": 0})
    assert _error(stale, 409, "stale_draft")["extra"] == {"revision": 1}

    preview = call("assessor", "get", f"/assessments/{aid}/preview").json()
    assert preview == {
        "score": 0.25,
        "score_exact": "1/4",
        "poor": False,
        "complete": True,
        "deprived": [
            "income_ratio",
            "no_employed_member",
            "untreated_condition",
            "psychological_distress",
        ],
        "missing": [],
        "critical": [],
        "urgency_tag": "care",
    }
    submitted = call("assessor", "post", f"/assessments/{aid}/submit")
    assert submitted.status_code == 200, submitted.content
    result = submitted.json()
    assert (result["status"], result["score_exact"], result["score"], result["urgency_tag"]) == (
        "submitted",
        "1/4",
        "0.250000",
        "care",
    )
    assert "job_guidance" in result["needs"]
    assert result["plan_id"]
    _error(call("assessor", "post", f"/assessments/{aid}/submit"), 409, "assessment_not_draft")
    _error(
        call("assessor", "patch", f"/assessments/{aid}", {"answers": {}}),
        409,
        "assessment_not_draft",
    )

    plan = call("yaohua_caseworker", "get", f"/plans/{result['plan_id']}").json()
    assert plan["status"] == PlanStatus.DRAFT and plan["urgency_tag"] == "care"
    assert {m["kind"] for m in plan["materials"]} == {"medical", "employment"}
    assert plan["items"] and {"service_item", "per_month", "months", "urgent"} <= set(
        plan["items"][0]
    )
    _error(call("assessor", "post", f"/plans/{plan['id']}/approve"), 403, "forbidden")
    approved = call("yaohua_caseworker", "post", f"/plans/{plan['id']}/approve", {"note": "同意"})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["note"]) == ("approved", "同意")
    _error(call("yaohua_caseworker", "post", f"/plans/{plan['id']}/approve"), 409, "plan_not_draft")
    chain = call("yaohua_caseworker", "get", f"/households/{household.pk}/chain").json()
    assert any(entry["source"] == "plan" for entry in chain)

    listed = call("yaohua_caseworker", "get", f"/assessments?household={household.pk}").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == aid
    assert "answers" not in listed["items"][0]
    assert call("yaohua_caseworker", "get", "/assessments?status=draft").json()["count"] == 0


def test_scoping_is_the_webs(call, household, actors):
    assessment = assessment_start(actor=actors["assessor"], household=household)
    org = OrganisationFactory(name="评估机构乙", kind=OrganisationKind.ASSESSMENT)
    stranger = UserFactory(username="other_assessor", role=Role.ASSESSOR, organisation=org)
    paths = [
        ("get", f"/assessments/{assessment.pk}"),
        ("get", f"/assessments/{assessment.pk}/preview"),
        ("patch", f"/assessments/{assessment.pk}"),
        ("post", f"/assessments/{assessment.pk}/submit"),
        ("post", f"/households/{household.pk}/assessments"),
        ("get", f"/assessments?household={household.pk}"),
    ]
    for who in ("maqun_caseworker", "jianye_manager", stranger):
        for method, path in paths:
            body = {"answers": {}} if method == "patch" else None
            _error(call(who, method, path, body), 404, "not_found")
        assert call(who, "get", "/assessments").json() == {"count": 0, "items": []}
    # A provider is never granted assessments: its objects are out of reach (404) and the
    # list itself is refused (403) rather than shown empty.
    for method, path in paths[:-1]:
        body = {"answers": {}} if method == "patch" else None
        _error(call("provider_staff", method, path, body), 404, "not_found")
    _error(call("provider_staff", "get", paths[-1][1]), 403, "forbidden")
    _error(call("provider_staff", "get", "/assessments"), 403, "forbidden")
    for who in ("qixia_manager", "yaohua_a_worker"):
        assert call(who, "get", f"/assessments/{assessment.pk}").status_code == 200
        _error(
            call(who, "patch", f"/assessments/{assessment.pk}", {"answers": {}}), 403, "forbidden"
        )
        _error(call(who, "post", f"/households/{household.pk}/assessments"), 403, "forbidden")
    assert call("qixia_manager", "get", "/assessments").json()["count"] == 1
    _error(call("assessor", "get", "/assessments/999999"), 404, "not_found")
    _error(call("assessor", "get", "/plans/999999"), 404, "not_found")


def test_bad_input_is_a_422_never_a_500(call, household, actors):
    aid = assessment_start(actor=actors["assessor"], household=household).pk
    cases = [
        {"answers": {"living_area": "lots"}},
        {"answers": {"food_shortage": "maybe"}},
        {"answers": {"living_area": [1, 2]}},
        {"answers": {"living_area": {"a": 1}}},
        {"answers": "nope"},
        {"revision": -1},
        {"revision": "x"},
        {"wished_needs": ["no_such_need"]},
        {"wished_needs": "job_guidance"},
        {"surprise": True},
        {"wishes": "长" * 2001},
    ]
    for body in cases:
        response = call("assessor", "patch", f"/assessments/{aid}", body)
        _error(response, 422, "validation_error")
    fields = call(
        "assessor", "patch", f"/assessments/{aid}", {"answers": {"living_area": "lots"}}
    ).json()["extra"]["fields"]
    assert list(fields) == ["living_area"]
    infinite = call("assessor", "patch", f"/assessments/{aid}", None)
    assert infinite.status_code in (400, 422)
    raw = call("assessor", "post", f"/households/{household.pk}/assessments", {"reason": "x"})
    _error(raw, 422, "validation_error")
    _error(call("assessor", "get", "/assessments?status=bogus"), 422, "validation_error")
    _error(call("assessor", "get", "/assessments?household=abc"), 422, "validation_error")
    missing = call("assessor", "post", f"/assessments/{aid}/submit")
    body = _error(missing, 422, "validation_error")
    assert "daily_care_gap" in body["extra"]["fields"]
    assert Assessment.objects.get(pk=aid).status == "draft"


def test_the_queue_endpoint(call, household, actors, areas):
    other = make_household(actor=actors["qixia_manager"], community=areas["maqun_a"])
    due_add(household=household, reason="change", due_on=dt.date.today() - dt.timedelta(days=2))
    due_add(household=other, reason="new")
    mine = call("yaohua_caseworker", "get", "/assessment/queue").json()
    assert mine["count"] == 1
    item = mine["items"][0]
    assert (item["household_id"], item["reason"], item["overdue"]) == (household.pk, "change", True)
    assert {"community", "street", "due_on", "change_id"} <= set(item)
    district = call("qixia_manager", "get", "/assessment/queue").json()
    assert district["count"] == 2
    assert call("qixia_manager", "get", "/assessment/queue?overdue=true").json()["count"] == 1
    street = call("qixia_manager", "get", f"/assessment/queue?street={areas['maqun'].pk}")
    assert [i["household_id"] for i in street.json()["items"]] == [other.pk]
    assert call("assessor", "get", "/assessment/queue").json()["count"] == 1  # assigned only
    _error(call("provider_staff", "get", "/assessment/queue"), 403, "forbidden")
    _error(call("qixia_manager", "get", "/assessment/queue?limit=0"), 422, "validation_error")


def test_a_household_appears_once_in_the_queue_with_all_its_reasons(
    call, household, actors, client
):
    """Registered (实时评) and then its income corrected (立即评): one row, both reasons; the
    row is the earliest entry. The entries stay one per reason (services/dues.py)."""
    today = dt.date.today()
    due_add(household=household, reason="new", due_on=today)
    due_add(household=household, reason="change", due_on=today - dt.timedelta(days=1))
    due_add(household=household, reason="scheduled", due_on=today + dt.timedelta(days=300))
    body = call("yaohua_caseworker", "get", "/assessment/queue").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["reason"], item["overdue"]) == ("change", True)
    assert [r["reason"] for r in item["reasons"]] == ["change", "new", "scheduled"]
    client.force_login(actors["yaohua_caseworker"])
    html = client.get("/assessment/queue/").content.decode()
    assert "1 household due" in html
    assert html.count(f'href="/households/{household.pk}/"') == 1
    assert "Household change (立即评)" in html and "New applicant (实时评)" in html


def test_framework_endpoints(call, configured, client):
    listed = call("assessor", "get", "/frameworks").json()
    assert listed["count"] == 1
    first = listed["items"][0]
    assert (first["version"], first["status"], first["indicator_count"]) == (
        configured.version,
        "published",
        15,
    )
    data = call("assessor", "get", f"/frameworks/{configured.version}").json()
    assert data["poverty_cutoff"] == "1/3"
    assert [d["name"] for d in data["dimensions"]][:2] == ["daily_living", "housing"]
    assert data["urgency_thresholds"] == {"urgent": "1/2", "safety_net": "1/3", "care": "1/5"}
    _error(call("assessor", "get", "/frameworks/999"), 404, "not_found")
    _error(call("provider_staff", "get", "/frameworks"), 403, "forbidden")
    _error(call("provider_staff", "get", f"/frameworks/{configured.version}"), 404, "not_found")
    client.logout()
    anonymous = client.get("/api/v1/frameworks")
    _error(anonymous, 401, "unauthenticated")
