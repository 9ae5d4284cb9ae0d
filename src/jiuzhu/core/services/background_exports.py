"""Background exports: a list too large to export inside the request is written by a job.

The list page offers it (``core/views/list_export.py``) with a signed token naming the list's
address and filters, so only a list the user was looking at can be queued. The job is run

- at once, in the same process, right after the request that asked for it commits, when
  ``EXPORTS_INLINE`` is on (the default, and what the tests and the demo use);
- otherwise by Celery (``jiuzhu.run_task``) when ``CELERY_BROKER_URL`` is set (the hand-over is
  ``core.jobs.hand_over``, as for outbox events);
- and in any case by the ``core.exports`` periodic job, which runs what is still waiting (a lost
  task, a process that died) and deletes expired files.

A job is claimed with a conditional ``UPDATE`` (waiting → being written), so two runners never
both write it. Progress (``written`` of ``total`` rows) is saved as it goes, outside any
transaction, so the page polling it sees it move. The finished workbook lies under
``EXPORTS_DIR``; only the user who asked may download it (audited), until ``EXPORT_KEEP_HOURS``
have passed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.jobs import hand_over, periodic, run_task
from jiuzhu.core.models import AuditAction, ExportJob, ExportStatus, User

log = logging.getLogger(__name__)

SALT = "jiuzhu.background-export"
#: How long an offer (the signed token on the "too large" page) may be accepted.
OFFER_SECONDS = 3600
#: Progress is saved every this many rows.
PROGRESS_EVERY = 500
#: the one-off task that writes one job (``export_replay.run_export_job``)
EXPORT_TASK = "core.export"
#: A job still "being written" after this long died with its process.
STALE_RUNNING = dt.timedelta(hours=2)


def export_offer_token(
    *, user: User, path: str, query: str, key: str, title: str, back: str
) -> str:
    """The signed offer of one list's background export to one user."""
    payload = {"u": user.pk, "p": path, "q": query, "k": key, "t": title, "b": back}
    return signing.dumps(payload, salt=SALT, compress=True)


def export_job_start(*, actor: User, token: str) -> ExportJob:
    """Queue the export offered by ``token`` (to this user, within the last hour); it runs after
    the commit (see the module's docstring)."""
    try:
        offer = signing.loads(token, salt=SALT, max_age=OFFER_SECONDS)
    except signing.BadSignature:
        raise DomainError(
            "export_offer_expired", _("This export offer has expired; export from the list again.")
        ) from None
    if offer.get("u") != actor.pk:
        raise NotFound("export")
    job = ExportJob.objects.create(
        user=actor,
        list_key=offer["k"][:64],
        title=offer["t"][:120],
        path=offer["p"][:200],
        query=offer["q"][:2000],
        back=offer["b"][:2200],
        language=get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: hand_over(EXPORT_TASK, job.pk))
    return job


def export_job_claim(job_id: int) -> ExportJob | None:
    """Take a waiting job for writing; None when it is not waiting (another runner has it)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    return ExportJob.objects.select_related("user").get(pk=job_id) if claimed else None


def export_job_fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=message[:300], finished_at=timezone.now()
    )


def export_job_total(job: ExportJob, total: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(total=total)


def with_progress(job: ExportJob, rows: Iterable[Any]) -> Iterator[Any]:
    """``rows`` unchanged, saving how many were written every ``PROGRESS_EVERY``."""
    for written, row in enumerate(rows, start=1):
        yield row
        if written % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(written=written)


def exports_dir() -> Path:
    directory = Path(settings.EXPORTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@transaction.atomic
def export_job_finish(
    job: ExportJob, *, output: IO[bytes], rows: int, object_type: str, detail: dict[str, Any]
) -> None:
    """Keep the workbook and record the export (as its owner's) in one transaction."""
    name = f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    with (exports_dir() / name).open("wb") as target:
        shutil.copyfileobj(output, target)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        written=rows,
        file_name=name,
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    audit.record(
        actor=job.user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        detail={**detail, "rows": rows, "background": job.pk},
    )


def export_job_of(*, user: User, job_id: int) -> ExportJob:
    """One of the user's own jobs; anybody else's is not found (not even that it exists)."""
    job = ExportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        raise NotFound("export")
    return job


def export_jobs_of(*, user: User, limit: int = 20) -> list[ExportJob]:
    return list(ExportJob.objects.filter(user=user)[:limit])


def export_job_download(*, user: User, job_id: int) -> tuple[ExportJob, Path]:
    """The finished file of one of the user's jobs, audited; not found when it is someone
    else's, not ready or expired."""
    job = export_job_of(user=user, job_id=job_id)
    if job.status != ExportStatus.DONE or (job.expires_at and job.expires_at <= timezone.now()):
        raise NotFound("export")
    path = exports_dir() / job.file_name
    if not job.file_name or not path.is_file():
        raise NotFound("export")
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=job,
        object_label=job.title,
        detail={"list": job.list_key, "download": True, "rows": job.written},
    )
    return job, path


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and mark them; fail jobs whose process died."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now):
        if job.file_name:
            (exports_dir() / job.file_name).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED, file_name="")
        expired += 1
    ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lte=now - STALE_RUNNING
    ).update(
        status=ExportStatus.FAILED,
        error=_("The export was interrupted; export from the list again."),
        finished_at=now,
    )
    return expired


@periodic("core.exports", every_seconds=10)
def run_waiting_exports() -> dict[str, int]:
    """Run the background exports still waiting (oldest first) and expire old ones."""
    ran = 0
    for job_id in (
        ExportJob.objects.filter(status=ExportStatus.PENDING)
        .order_by("created_at")[:5]
        .values_list("pk", flat=True)
    ):
        run_task(EXPORT_TASK, job_id)
        ran += 1
    return {"ran": ran, "expired": export_jobs_expire()}
