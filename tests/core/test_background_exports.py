"""Background exports: past ``EXPORT_MAX_ROWS`` a list offers to write the whole workbook in the
background; the job replays the list as its owner and writes every row; the page polls its
progress; only the owner downloads it (audited), until it expires."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.core.models import AuditAction, AuditEntry, ExportJob, ExportStatus
from jiuzhu.core.services.background_exports import (
    export_job_download,
    export_jobs_expire,
    run_waiting_exports,
)
from jiuzhu.core.services.notifications import notify

pytestmark = pytest.mark.django_db

LIST = reverse("core:notifications")
TITLES = ["第一条", "第二条", "第三条"]


@pytest.fixture
def three(actors, settings):
    """The volunteer has three notifications; an export at once may hold two."""
    settings.EXPORT_MAX_ROWS = 2
    for title in TITLES:
        notify(users=[actors["volunteer"]], title=title, url=f"/orders/{title}/")
    notify(users=[actors["provider_staff"]], title="别人的", url="/orders/9/")
    return actors["volunteer"]


def _offer(client) -> str:
    response = client.get(LIST + "?export=xlsx")
    assert response.status_code == 200
    assert not response.has_header("Content-Disposition")
    assert response.context["count"] == 3 and response.context["limit"] == 2
    return response.context["token"]


def _start(client, token, django_capture_on_commit_callbacks) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:export_jobs"), {"token": token})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:export_job", args=[job.pk])
    return job


def _workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_past_the_limit_the_page_offers_a_background_export(client, three):
    client.force_login(three)
    page = client.get(LIST + "?export=xlsx").content.decode()
    assert "3" in page and "2" in page
    assert 'name="token"' in page and reverse("core:export_jobs") in page
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_job_writes_every_row_and_only_its_owner_downloads_it(
    client, three, actors, django_capture_on_commit_callbacks
):
    client.force_login(three)
    job = _start(client, _offer(client), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.total, job.written) == (ExportStatus.DONE, 3, 3)
    written = AuditEntry.objects.filter(action=AuditAction.EXPORT).get()
    assert written.actor_id == three.pk
    assert (written.detail["list"], written.detail["rows"], written.detail["background"]) == (
        "core.notifications",
        3,
        job.pk,
    )
    sheet = _workbook(client.get(reverse("core:export_job_file", args=[job.pk])))
    # all three, newest first — not the two an export at once may hold, nor anybody else's
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == TITLES[::-1]
    download = AuditEntry.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert (download.object_type, download.object_id, download.detail["download"]) == (
        "core.exportjob",
        str(job.pk),
        True,
    )
    client.force_login(actors["provider_staff"])
    assert client.get(reverse("core:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:export_job_file", args=[job.pk])).status_code == 404
    others = client.get(reverse("core:export_jobs")).content.decode()
    assert reverse("core:export_job", args=[job.pk]) not in others


def test_an_offer_is_only_for_the_user_it_was_made_to(client, three, actors):
    client.force_login(three)
    token = _offer(client)
    client.force_login(actors["provider_staff"])
    assert client.post(reverse("core:export_jobs"), {"token": token}).status_code == 404
    assert client.post(reverse("core:export_jobs"), {"token": token + "x"}).status_code == 302
    assert not ExportJob.objects.exists()


def test_without_inline_runs_the_worker_writes_it_and_the_page_polls_until_ready(
    client, three, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_INLINE = False
    client.force_login(three)
    job = _start(client, _offer(client), django_capture_on_commit_callbacks)
    progress = reverse("core:export_job", args=[job.pk])
    waiting = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in waiting and "<html" not in waiting
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, total=3, written=1)
    running = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert "1 of 3 rows written (33%)" in running or "已写 1 / 3 行（33%）" in running
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.PENDING, written=0)
    assert run_waiting_exports() == {"ran": 1, "expired": 0}
    ready = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in ready
    assert reverse("core:export_job_file", args=[job.pk]) in ready


def test_the_download_expires_after_the_keep_hours(
    client, three, clock, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_KEEP_HOURS = 24
    client.force_login(three)
    job = _start(client, _offer(client), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.expires_at == clock.now + dt.timedelta(hours=24)
    clock.advance(hours=24, seconds=-1)
    assert export_jobs_expire() == 0
    assert export_job_download(user=three, job_id=job.pk)[0] == job
    clock.advance(seconds=1)
    assert export_jobs_expire() == 1
    job.refresh_from_db()
    assert (job.status, job.file_name) == (ExportStatus.EXPIRED, "")
    client.force_login(three)
    assert client.get(reverse("core:export_job_file", args=[job.pk])).status_code == 404


def test_past_the_background_limit_there_is_no_offer(client, three, settings):
    settings.EXPORT_BACKGROUND_MAX_ROWS = 2
    client.force_login(three)
    response = client.get(LIST + "?export=xlsx")
    assert response.context["token"] == ""
    assert 'name="token"' not in response.content.decode()


def test_progress_is_saved_as_the_rows_are_written(three, monkeypatch):
    from jiuzhu.core.services import background_exports

    job = ExportJob.objects.create(
        user=three, list_key="core.notifications", title="t", path=LIST, status="running", total=5
    )
    monkeypatch.setattr(background_exports, "PROGRESS_EVERY", 2)
    rows = background_exports.with_progress(job, iter("abcde"))
    assert [next(rows), next(rows)] == ["a", "b"]
    job.refresh_from_db()
    assert job.written == 0  # saved once the second row has been written, not before
    next(rows)
    job.refresh_from_db()
    assert (job.written, job.percent) == (2, 40)
    assert list(rows) == ["d", "e"]
    job.refresh_from_db()
    assert job.written == 4


def test_with_a_broker_the_commit_queues_the_export_on_celery(
    client, three, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from jiuzhu import celery

    settings.EXPORTS_INLINE = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    queued: list[tuple] = []
    monkeypatch.setattr(celery.run_task_later, "delay", lambda *args: queued.append(args))
    client.force_login(three)
    job = _start(client, _offer(client), django_capture_on_commit_callbacks)
    assert queued == [("core.export", job.pk)]
    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING  # queued, not written in the request
    assert celery.run_task_later.apply(args=["core.export", job.pk]).get() == ExportStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.written) == (ExportStatus.DONE, 3)


def _waiting_job(user, path: str) -> ExportJob:
    return ExportJob.objects.create(
        user=user, list_key="core.notifications", title="t", path=path, language="en"
    )


def test_a_list_that_answers_without_exporting_fails_the_job_saying_so(three):
    from jiuzhu.core.services.export_replay import run_export_job

    # "My exports" is a page that never exports: it answers 200 with its HTML.
    job = _waiting_job(three, reverse("core:export_jobs"))
    assert run_export_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == (
        "This list can no longer be exported in the background; export it from the list again."
    )


def test_a_list_the_owner_may_no_longer_see_fails_the_job_as_not_theirs(three, actors):
    from jiuzhu.core.services.export_replay import run_export_job

    # A volunteer may never see the outbox's events (city administrators only).
    job = _waiting_job(three, reverse("core:event_deliveries"))
    assert run_export_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "This list is no longer yours to export."
