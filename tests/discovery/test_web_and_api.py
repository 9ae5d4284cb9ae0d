"""The pages, the API with a department's bearer token, the command, and the end-to-end path:
a medical-expense file raises a warning that a community worker verifies into a new
assessment."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from discovery_cast import HEAD_ID
from jiuzhu.assessment.models import AssessmentDue
from jiuzhu.core.services.tokens import token_create
from jiuzhu.discovery.models import DepartmentRecord, EarlyWarning, ImportBatch

pytestmark = pytest.mark.django_db
DAY = (dt.date.today() - dt.timedelta(days=3)).isoformat()


def test_end_to_end_a_medical_file_becomes_a_new_assessment(
    client, department, registered, write_csv, actors
):
    household, _head = registered
    client.force_login(department)
    page = client.get("/discovery/batches/upload/")
    assert page.status_code == 200
    path = write_csv([[HEAD_ID, "户主", DAY, "30000"]])
    with open(path, "rb") as upload:
        response = client.post(
            "/discovery/batches/upload/", {"source": "medical", "file": upload, "token": "t1"}
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/batches/{batch.pk}/")
    assert client.get(response["Location"]).status_code == 200
    assert json.loads(client.get("/discovery/batches/progress/?token=t1").content)["rows"] == 1
    warning = EarlyWarning.objects.get()

    worker = actors["yaohua_a_worker"]
    client.force_login(worker)
    queue = client.get("/discovery/warnings/")
    assert f"/discovery/warnings/{warning.pk}/" in queue.content.decode()
    detail = client.get(f"/discovery/warnings/{warning.pk}/").content.decode()
    assert "30000" in detail and "4800.00" in detail and HEAD_ID not in detail
    done = client.post(
        f"/discovery/warnings/{warning.pk}/verify/",
        {"outcome": "reassess", "note": "住院费用高，收入下降"},
    )
    assert done.status_code == 302
    warning.refresh_from_db()
    assert warning.status == "reassessment"
    assert AssessmentDue.objects.filter(household=household, reason="discovery").exists()


def test_a_refused_upload_shows_the_report_and_offers_the_download(client, department, write_csv):
    client.force_login(department)
    path = write_csv([["123", "x", "2026-13-01", "-1"]])
    with open(path, "rb") as upload:
        response = client.post("/discovery/batches/upload/", {"source": "medical", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == "refused"
    page = client.get(response["Location"]).content.decode()
    assert "An identity number has 18 characters" in page
    report = client.get(f"/discovery/batches/{batch.pk}/errors.csv")
    assert report["Content-Type"].startswith("text/csv")
    text = report.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Row,Column,Value,Reason" and "amount cannot be negative" in text


def test_a_department_pushes_rows_with_its_token(client, department, registered):
    _token, raw = token_create(user=department)
    body = {
        "source": "medical",
        "columns": ["id_number", "name", "settled_on", "out_of_pocket"],
        "rows": [[HEAD_ID, "户主", DAY, "100.5"]],
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    answer = client.post(
        "/api/v1/discovery/imports", json.dumps(body), content_type="application/json", **auth
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["accepted"] == 1 and answer.json()["channel"] == "api"
    again = client.post(
        "/api/v1/discovery/imports", json.dumps(body), content_type="application/json", **auth
    )
    assert again.json()["new_records"] == 0 and DepartmentRecord.objects.count() == 1
    bad = dict(body, rows=[[HEAD_ID, "户主", DAY, "-1"]])
    refused = client.post(
        "/api/v1/discovery/imports", json.dumps(bad), content_type="application/json", **auth
    )
    assert refused.status_code == 422
    assert refused.json()["extra"]["errors"][0]["column"] == "out_of_pocket"
    listed = client.get("/api/v1/discovery/batches", **auth).json()
    assert listed["count"] == 3
    assert {
        "source",
        "file_name",
        "rows",
        "accepted",
        "rejected",
        "status",
        "uploaded_by",
        "created_at",
    } <= set(listed["items"][0])


def test_other_departments_do_not_see_a_departments_batches(client, department, actors):
    from factories import ImportBatchFactory, OrganisationFactory, UserFactory

    other = UserFactory(role="department", organisation=OrganisationFactory(kind="department"))
    batch = ImportBatchFactory(uploaded_by=department)
    client.force_login(other)
    assert client.get(f"/discovery/batches/{batch.pk}/").status_code == 404
    client.force_login(department)
    assert client.get(f"/discovery/batches/{batch.pk}/").status_code == 200


def test_the_command_exits_0_on_success_and_1_with_the_report_on_refusal(
    department, registered, write_csv, tmp_path, capsys
):
    good = write_csv([[HEAD_ID, "户主", DAY, "10"]], name="good.csv")
    call_command("import_department", "medical", str(good), "--user", department.username)
    assert "accepted 1" in capsys.readouterr().out
    bad = write_csv([[HEAD_ID, "户主", DAY, "-10"]], name="bad.csv")
    report = tmp_path / "report.csv"
    with pytest.raises(SystemExit) as caught:
        call_command(
            "import_department",
            "medical",
            str(bad),
            "--user",
            department.username,
            "--report",
            str(report),
        )
    assert caught.value.code == 1
    assert str(report) in capsys.readouterr().out and "negative" in report.read_text("utf-8-sig")


def test_a_volunteer_refers_a_neighbour_and_sees_only_the_outcome(client, actors, areas):
    volunteer = actors["volunteer"]
    client.force_login(volunteer)
    assert client.get("/discovery/refer/").status_code == 200
    response = client.post(
        "/discovery/refer/",
        {"address": "尧化门5栋", "noticed": "家里孩子没去上学", "community": areas["yaohua_a"].pk},
    )
    assert response.status_code == 302
    mine = client.get("/discovery/refer/mine/").content.decode()
    assert "A worker will visit soon." in mine
    client.force_login(actors["qixia_manager"])
    network = client.get("/discovery/refer/network/").content.decode()
    assert "Volunteer" in network and volunteer.username not in network


def test_the_rules_page_publishes_a_new_version(client, actors):
    client.force_login(actors["city_admin"])
    response = client.post(
        "/discovery/rules/",
        {
            "code": "disaster",
            "kind": "disaster_damage",
            "title": "受灾",
            "params": '{"min_loss": "1000"}',
            "grade": "red",
            "verify_days": 3,
            "indicator": "housing",
        },
    )
    assert response.status_code == 302
    assert "disaster" in client.get("/discovery/rules/").content.decode()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("department", "/discovery/batches/"),
        ("department", "/discovery/batches/upload/"),
        ("yaohua_a_worker", "/discovery/warnings/"),
        ("city_admin", "/discovery/rules/"),
        ("volunteer", "/discovery/refer/"),
        ("qixia_manager", "/discovery/refer/network/"),
    ],
)
def test_the_pages_speak_chinese(actors, who, url):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(actors[who])
    page = client.get(url).content.decode()
    for english in (
        "Early warnings",
        "Department data",
        "Data source",
        "Refer a neighbour",
        "Early-warning rules",
        "Referral network",
        "Filter",
        "Import a file",
    ):
        assert f">{english}<" not in page, (url, english)
