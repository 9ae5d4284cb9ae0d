"""Operability (issue 15 item 7): probes, the structured request log and the jobs' last runs."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.core.management import call_command

from jiuzhu.core import jobs
from jiuzhu.core.jobs import job_status, run_job
from jiuzhu.core.models import JobOutcome, JobRun


@pytest.fixture
def request_lines():
    """The JSON lines the request logger writes during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("jiuzhu.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


# Probes ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_and_no_broker(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "broker": "not configured"}
    assert "dispatch.cycle" in {job["name"] for job in body["jobs"]}


@pytest.mark.django_db
def test_readyz_is_503_with_a_reason_when_the_broker_is_unreachable(client, settings):
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://:secret-password@127.0.0.1:9/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["broker"] == "failed"
    assert body["checks"]["database"] == "ok"
    assert "broker unreachable" in body["reason"]
    assert "secret-password" not in response.content.decode()
    assert "jobs" not in body


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    from jiuzhu.core.views import health

    monkeypatch.setattr(health, "_database", lambda: "database unreachable (OperationalError)")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable (OperationalError)"
    assert response.json()["checks"]["database"] == "failed"


@pytest.mark.django_db
def test_probes_show_no_personal_data(client, actors, areas):
    from factories_registry import add_member, make_household

    worker = actors["yaohua_caseworker"]
    household = make_household(actor=worker, community=areas["yaohua_a"], address="幸福路8号")
    add_member(actor=worker, household=household, name="张秀英")
    run_job("dispatch.cycle")
    for url in ("/healthz", "/readyz"):
        text = client.get(url).content.decode()
        assert "张秀英" not in text and "幸福路" not in text
        assert "yaohua_caseworker" not in text


def test_probes_refuse_writes(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# Request log -------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_json_line_per_request_with_the_request_id_returned(client, request_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    [line] = request_lines()
    assert line["request_id"] == "abc-123"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["route"] == "healthz"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


@pytest.mark.django_db
def test_a_request_id_is_generated_when_none_or_a_bad_one_is_sent(client, request_lines):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    assert [line["request_id"] for line in request_lines()] == [first, second]


@pytest.mark.django_db
def test_the_log_has_the_user_id_and_query_names_but_no_query_values(client, actors, request_lines):
    user = actors["yaohua_caseworker"]
    client.force_login(user)
    response = client.get("/households/", {"q": "张秀英", "tier": "dibao"})
    assert response.status_code == 200
    [line] = request_lines()
    assert line["user_id"] == user.pk
    assert line["path"] == "/households/"
    assert line["query"] == ["q", "tier"]
    raw = json.dumps(line, ensure_ascii=False)
    assert "张秀英" not in raw and "dibao" not in raw


@pytest.mark.django_db
def test_the_api_logs_the_bearer_tokens_user(client, actors, request_lines):
    from jiuzhu.core.services.tokens import token_create

    user = actors["city_admin"]
    _, secret = token_create(actor=user, user=user, name="log test")
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert request_lines()[-1]["user_id"] == user.pk
    assert request_lines()[-1]["status"] == 200


@pytest.mark.django_db
def test_a_secret_path_segment_is_not_logged(client, request_lines):
    client.get("/dispatch/display/s3cr3t-wall-token/")
    [line] = request_lines()
    assert "s3cr3t-wall-token" not in json.dumps(line)
    assert line["path"] == "/dispatch/display/…/"


# Jobs' last runs ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_jobs_run_is_recorded_with_duration_and_outcome():
    run_job("dispatch.cycle")
    run_job("dispatch.cycle")
    row = JobRun.objects.get(name="dispatch.cycle")
    assert row.outcome == JobOutcome.OK
    assert row.runs == 2 and row.failures == 0
    assert row.finished_at >= row.started_at
    assert row.duration_ms >= 0
    assert row.last_success_at == row.finished_at
    assert "offered" in row.summary


@pytest.mark.django_db
def test_a_failing_job_is_recorded_as_failed_and_keeps_the_last_success():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return "fine"

    jobs.periodic("test.flaky", 60)(flaky)
    try:
        run_job("test.flaky")
        first_success = JobRun.objects.get(name="test.flaky").last_success_at
        assert run_job("test.flaky") is None
        row = JobRun.objects.get(name="test.flaky")
        assert row.outcome == JobOutcome.FAILED
        assert row.runs == 2 and row.failures == 1
        assert "boom" in row.summary
        assert row.last_success_at == first_success
        [status] = [job for job in job_status() if job["name"] == "test.flaky"]
        assert status["outcome"] == "failed" and status["failures"] == 1
    finally:
        jobs._jobs.pop("test.flaky")


@pytest.mark.django_db
def test_worker_status_prints_each_jobs_last_run():
    out = io.StringIO()
    call_command("worker", "--status", stdout=out)
    assert "dispatch.cycle (every 60s): never ran" in out.getvalue()
    run_job("dispatch.cycle")
    out = io.StringIO()
    call_command("worker", "--status", stdout=out)
    text = out.getvalue()
    assert "dispatch.cycle (every 60s): ok at " in text
    assert "1 runs, 0 failed" in text


@pytest.mark.django_db
def test_readyz_is_ready_with_a_reachable_broker(client, settings):
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
