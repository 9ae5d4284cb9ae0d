"""Writing one background export by replaying its list's own view as its owner.

The list page offered the export with the list's address and filters
(``background_exports.export_offer_token``); here the same view runs again on a request rebuilt
from them, as the user who asked, in their language. The view's ``export_list`` sees the job on
the request and writes the workbook to the job's file instead of answering. So the rows, the
columns and the user's scope are those of the list by construction, checked again now, not
copied into a second query that could drift from the page.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from jiuzhu.core.jobs import one_off
from jiuzhu.core.models import ExportJob, ExportStatus
from jiuzhu.core.services import background_exports as background

log = logging.getLogger(__name__)

#: the attribute a replayed request carries: the background job to write
BACKGROUND = "jiuzhu_export_job"


def replayed_request(job: ExportJob) -> HttpRequest:
    """The list's request as its owner made it, for its view to run again in the worker."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.path
    request.GET = QueryDict(job.query)
    request.META = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": job.query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
    }
    request.user = job.user
    setattr(request, BACKGROUND, job)
    return request


@one_off(background.EXPORT_TASK, inline_setting="EXPORTS_INLINE")
def run_export_job(job_id: int) -> str:
    """Write one waiting background export: replay its list's view as its owner (who must still
    be allowed to see the list). Returns the job's status."""
    job = background.export_job_claim(job_id)
    if job is None:
        return "not waiting"
    if not job.user.is_active:
        background.export_job_fail(job, _("The account that asked for this export is disabled."))
        return "failed"
    try:
        match = resolve(job.path)
    except Resolver404:
        background.export_job_fail(job, _("This list no longer exists."))
        return "failed"
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            response = match.func(replayed_request(job), *match.args, **match.kwargs)
        except (PermissionDenied, Http404):
            background.export_job_fail(job, _("This list is no longer yours to export."))
            return "failed"
        except Exception as error:
            log.exception("background export #%s failed", job.pk)
            background.export_job_fail(
                job, _("The export failed (%(error)s).") % {"error": type(error).__name__}
            )
            return "failed"
        job.refresh_from_db()
        if job.status == ExportStatus.RUNNING:
            background.export_job_fail(job, _not_exported(response))
            return "failed"
    return job.status


def _not_exported(response: HttpResponse) -> str:
    """Why the view answered without writing the export: refused (the user may no longer see
    the list), or the list no longer exports in the background (a code change)."""
    if response.status_code in (403, 404) or 300 <= response.status_code < 400:
        return _("This list is no longer yours to export.")
    log.error("the view at a background export's address answered without exporting")
    return _(
        "This list can no longer be exported in the background; export it from the list again."
    )
