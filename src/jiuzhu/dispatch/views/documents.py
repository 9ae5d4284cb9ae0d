"""A hotline ticket's record as a print view and a PDF download (core/pdf.py). The look-up and
the role check are the ticket page's; the PDF is audited as an export of the ticket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from jiuzhu.core.pdf import pdf_download, print_response
from jiuzhu.core.views.common import domain_errors
from jiuzhu.dispatch.documents import ticket_record
from jiuzhu.dispatch.policy import require_ticket_reader
from jiuzhu.dispatch.selectors.tickets import ticket_get_for


@login_required
@require_GET
@domain_errors
def ticket_print(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    require_ticket_reader(request.user)
    return print_response(
        request,
        ticket_record(ticket=ticket),
        pdf_url=reverse("dispatch:ticket_pdf", args=[ticket.pk]),
        back_url=reverse("dispatch:ticket_detail", args=[ticket.pk]),
    )


@login_required
@require_GET
@domain_errors
def ticket_pdf(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
    require_ticket_reader(request.user)
    return pdf_download(
        request, ticket_record(ticket=ticket), obj=ticket, detail={"document": "ticket"}
    )
