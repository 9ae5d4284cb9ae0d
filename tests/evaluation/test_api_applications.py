"""The API: a public submission (no credentials, the form's rules), the managers' list, reviews
and decisions, errors in the project's shape."""

from __future__ import annotations

import pytest

from applications_cast import scores
from factories import valid_uscc
from jiuzhu.evaluation.models import Application

pytestmark = pytest.mark.django_db


def _body(areas, **extra):
    return {
        "name": "南京康桥康复护理有限公司",
        "uscc": valid_uscc(9),
        "supply_type": "enterprise",
        "staff_count": 54,
        "social_workers": 4,
        "signature_projects": "居家肢体康复训练",
        "street_id": areas["yaohua"].pk,
        "address": "尧化街道 9 号",
        "contact_name": "周经理",
        "contact_phone": "025-9",
        **extra,
    }


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_an_organisation_applies_without_credentials(client, areas):
    response = _post(client, "/api/v1/applications", _body(areas))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    assert Application.objects.get().number == response.json()["number"]


def test_a_bad_code_is_422_with_the_message(client, areas):
    response = _post(client, "/api/v1/applications", _body(areas, uscc="91320113MA0000000"))
    assert response.status_code == 422
    assert response.json()["extra"]["fields"]["uscc"] == [
        "A unified social credit code has 18 characters."
    ]


def test_reviews_and_decisions_through_the_api(client, actors, areas, reviewer):
    _post(client, "/api/v1/applications", _body(areas))
    application = Application.objects.get()
    base = f"/api/v1/applications/{application.pk}"
    client.force_login(actors["qixia_manager"])
    listed = client.get("/api/v1/applications", {"status": "submitted"}).json()
    assert [a["id"] for a in listed["items"]] == [application.pk]
    review = {
        "scores": [
            {"criterion": code, "score": value, "reason": reason}
            for code, (value, reason) in scores(80, 85, 90, 80, 70).items()
        ]
    }
    response = _post(client, f"{base}/reviews", review)
    assert response.status_code == 201, response.content
    assert response.json()["score"] == "81.25"
    assert _post(client, f"{base}/shortlist", {}).json()["code"] == "too_few_reviews"
    client.force_login(reviewer)
    hidden = client.get(base).json()
    assert hidden["scores_hidden"] and hidden["reviews"] == [] and hidden["review_count"] == 1
    review["scores"] = [
        {"criterion": code, "score": value, "reason": reason}
        for code, (value, reason) in scores(75, 80, 85, 85, 75).items()
    ]
    shown = _post(client, f"{base}/reviews", review).json()
    assert shown["score"] == "80.50" and len(shown["reviews"]) == 2
    assert _post(client, f"{base}/shortlist", {}).json()["status"] == "shortlisted"
    approved = _post(
        client,
        f"{base}/approve",
        {"base_community_id": areas["yaohua_a"].pk, "street_ids": [areas["yaohua"].pk]},
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["provider_id"]
    assert _post(client, f"{base}/reject", {"reason": "x"}).status_code == 409


def test_others_get_404_or_403(client, actors, areas):
    _post(client, "/api/v1/applications", _body(areas))
    application = Application.objects.get()
    url = f"/api/v1/applications/{application.pk}"
    client.force_login(actors["jianye_manager"])
    assert client.get(url).status_code == 404
    client.force_login(actors["city_admin"])
    assert client.get(url).status_code == 200
    assert _post(client, f"{url}/reject", {"reason": "x"}).status_code == 403
    client.force_login(actors["yaohua_caseworker"])
    assert client.get("/api/v1/applications").status_code == 403
