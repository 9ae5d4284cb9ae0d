"""The user's background exports: start one (from the "too many rows" page), watch its progress
(the page polls a fragment with htmx), and download the workbook when it is ready — only the user
who asked may see or download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jiuzhu.core.errors import DomainError, NotFound
from jiuzhu.core.services.background_exports import (
    export_job_download,
    export_job_of,
    export_job_start,
    export_jobs_of,
)
from jiuzhu.core.services.exports import XLSX_CONTENT_TYPE, export_filename
from jiuzhu.core.views.common import domain_errors, is_htmx, vary_on_htmx

#: how often the job page asks for progress
POLL_SECONDS = 2


@login_required
@domain_errors
def export_jobs(request: HttpRequest) -> HttpResponse:
    """GET: the user's recent background exports. POST: start the one offered by the token."""
    if request.method == "POST":
        try:
            job = export_job_start(actor=request.user, token=request.POST.get("token", ""))
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("core:export_jobs")
        return redirect("core:export_job", job_id=job.pk)
    return render(request, "core/exports/list.html", {"jobs": export_jobs_of(user=request.user)})


@login_required
@require_GET
@domain_errors
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job's page; an htmx request gets the progress fragment only (it polls itself while
    the job is waiting or being written)."""
    job = export_job_of(user=request.user, job_id=job_id)
    context = {"job": job, "poll_seconds": POLL_SECONDS}
    template = "core/exports/_progress.html" if is_htmx(request) else "core/exports/job.html"
    return vary_on_htmx(render(request, template, context))


@login_required
@require_GET
@domain_errors
def export_job_file(request: HttpRequest, job_id: int) -> FileResponse:
    job, path = export_job_download(user=request.user, job_id=job_id)
    stem = job.list_key.replace(".", "-").replace("_", "-")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export_filename(stem),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response
