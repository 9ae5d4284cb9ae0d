"""The assessment report with the household's plan, as a print view and a PDF download
(core/pdf.py). The look-up is the result page's; a draft goes back to its form, as there."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from jiuzhu.assessment.documents import assessment_report
from jiuzhu.assessment.models import AssessmentStatus
from jiuzhu.assessment.selectors.queue import assessment_get_for
from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction
from jiuzhu.core.pdf import pdf_download, print_response
from jiuzhu.core.views.common import domain_errors


@login_required
@require_GET
@domain_errors
def report_print(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    if assessment.status == AssessmentStatus.DRAFT:
        return redirect("assessment:form", assessment_id=assessment.pk)
    audit.record(actor=request.user, action=AuditAction.VIEW, obj=assessment)
    return print_response(
        request,
        assessment_report(user=request.user, assessment=assessment),
        pdf_url=reverse("assessment:report_pdf", args=[assessment.pk]),
        back_url=reverse("assessment:result", args=[assessment.pk]),
    )


@login_required
@require_GET
@domain_errors
def report_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, assessment_id=assessment_id)
    if assessment.status == AssessmentStatus.DRAFT:
        return redirect("assessment:form", assessment_id=assessment.pk)
    document = assessment_report(user=request.user, assessment=assessment)
    return pdf_download(request, document, obj=assessment, detail={"document": "assessment"})
