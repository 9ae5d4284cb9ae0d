"""The household's printable documents (core/pdf.py): the print view and the PDF download of
its assistance chain. The look-up is the household page's; the PDF is audited as an export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from jiuzhu.core.pdf import pdf_download, print_response
from jiuzhu.core.views.common import domain_errors
from jiuzhu.registry.documents import chain_document
from jiuzhu.registry.services.households import household_get_for


@login_required
@require_GET
@domain_errors
def chain_print(request: HttpRequest, household_id: int) -> HttpResponse:
    household = household_get_for(actor=request.user, household_id=household_id)
    return print_response(
        request,
        chain_document(user=request.user, household=household),
        pdf_url=reverse("registry:chain_pdf", args=[household.pk]),
        back_url=reverse("registry:household_detail", args=[household.pk]),
    )


@login_required
@require_GET
@domain_errors
def chain_pdf(request: HttpRequest, household_id: int) -> HttpResponse:
    household = household_get_for(actor=request.user, household_id=household_id, audit_view=False)
    document = chain_document(user=request.user, household=household)
    return pdf_download(request, document, obj=household, detail={"document": "chain"})
