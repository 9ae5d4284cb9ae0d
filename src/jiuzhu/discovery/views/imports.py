"""Department data pages: the batches, the upload page (with progress) and the error report."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.core.errors import DomainError
from jiuzhu.core.services.exports import Sheet, export_audited
from jiuzhu.core.views.common import add_domain_errors, domain_errors, paginate, xlsx_response
from jiuzhu.discovery.engine.sources import SOURCES
from jiuzhu.discovery.forms import BatchFilterForm, ImportForm
from jiuzhu.discovery.models import ImportChannel
from jiuzhu.discovery.policy import require_importer
from jiuzhu.discovery.selectors.imports import batch_get_for, batch_list
from jiuzhu.discovery.services.import_messages import refusal_message
from jiuzhu.discovery.services.imports import batch_report_rows, import_file


def _progress_key(user_id: int, token: str) -> str:
    return f"discovery:import:{user_id}:{token}"


@login_required
@domain_errors
def batch_list_view(request: HttpRequest) -> HttpResponse:
    require_importer(request.user)
    form = BatchFilterForm(request.GET)
    values = form.values()
    batches = batch_list(
        user=request.user,
        source=values.get("source") or "",
        status=values.get("status") or "",
        sort=values.get("sort") or "new",
    )
    return render(
        request,
        "discovery/batches.html",
        {"form": form, "page_obj": paginate(request, batches), "query": request.GET.urlencode()},
    )


@login_required
@domain_errors
def batch_export(request: HttpRequest) -> HttpResponse:
    require_importer(request.user)
    values = BatchFilterForm(request.GET).values()
    batches = batch_list(
        user=request.user,
        source=values.get("source") or "",
        status=values.get("status") or "",
        sort=values.get("sort") or "new",
    )[:5000]
    sheet = Sheet(
        title=_("Import batches"),
        headers=[
            _("Batch"),
            _("Data source"),
            _("File name"),
            _("Rows"),
            _("Accepted"),
            _("Rejected"),
            _("Status"),
            _("Imported by"),
            _("When"),
        ],
        rows=(
            [
                b.pk,
                b.source_label,
                b.file_name,
                b.rows,
                b.accepted,
                b.rejected,
                b.get_status_display(),
                str(b.uploaded_by or ""),
                b.created_at.replace(tzinfo=None),
            ]
            for b in batches
        ),
        widths=(8, 24, 30, 10, 10, 10, 14, 16, 18),
    )
    output = export_audited(
        actor=request.user, sheets=[sheet], object_type="discovery.importbatch", detail={}
    )
    return xlsx_response(output, stem="import-batches")


@login_required
@domain_errors
def import_upload(request: HttpRequest) -> HttpResponse:
    """The upload page. The browser shows the upload's progress and, while the server reads the
    file, polls :func:`import_progress` for the rows read so far."""
    user = request.user
    require_importer(user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            token = data.get("token") or uuid.uuid4().hex
            key = _progress_key(user.pk, token)
            suffix = os.path.splitext(upload.name)[1][:8]
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "upload" + suffix)
                with open(path, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                try:
                    batch = import_file(
                        actor=user,
                        source=data["source"],
                        path=path,
                        file_name=upload.name,
                        channel=ImportChannel.WEB,
                        dry_run=data["dry_run"],
                        valid_rows_only=data["valid_rows_only"],
                        progress=lambda rows: cache.set(key, rows, 3600),
                    )
                except DomainError as error:
                    if error.status == 403:
                        raise
                    add_domain_errors(form, error)
                else:
                    return redirect("discovery:batch_detail", batch_id=batch.pk)
    else:
        form = ImportForm(initial={"token": uuid.uuid4().hex})
    return render(
        request,
        "discovery/upload.html",
        {"form": form, "sources": list(SOURCES.values())},
    )


@login_required
@domain_errors
def import_progress(request: HttpRequest) -> HttpResponse:
    """Rows read so far by the user's running import (``?token=`` from the upload form)."""
    require_importer(request.user)
    token = request.GET.get("token", "")[:40]
    rows = cache.get(_progress_key(request.user.pk, token)) if token else None
    return JsonResponse({"rows": rows or 0})


@login_required
@domain_errors
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batch_get_for(user=request.user, batch_id=batch_id)
    require_importer(request.user)
    report = list(batch_report_rows(batch))
    refusal = (
        refusal_message(batch.refusal["code"], batch.refusal.get("params", {}))
        if batch.refusal
        else ""
    )
    return render(
        request,
        "discovery/batch_detail.html",
        {"batch": batch, "report": report[1:201], "more": len(report) > 201, "refusal": refusal},
    )


@login_required
@domain_errors
def batch_errors(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The error report as CSV (UTF-8 with a byte-order mark, so Excel opens it right)."""
    batch = batch_get_for(user=request.user, batch_id=batch_id)
    require_importer(request.user)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in batch_report_rows(batch):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-errors.csv"'
    response["Cache-Control"] = "no-store"
    return response
