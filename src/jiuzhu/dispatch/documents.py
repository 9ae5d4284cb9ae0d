"""Printable documents of the dispatch centre (core/pdf.py): a hotline ticket's record — the
call, who it concerned, and every step of its handling, for the file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.pdf import Document, Facts, Section, Table, Text, cell
from jiuzhu.dispatch.models import Ticket


def ticket_record(*, ticket: Ticket) -> Document:
    household = ticket.household
    order = ticket.order
    steps = [[cell(ticket.created_at), _("Received"), str(ticket.created_by or "")]]
    if ticket.assigned_at:
        steps.append(
            [
                cell(ticket.assigned_at),
                _("Assigned to %(who)s") % {"who": ticket.assignee or "—"},
                "",
            ]
        )
    if ticket.handled_at:
        steps.append([cell(ticket.handled_at), _("Handled"), ticket.handling_note])
    if ticket.called_back_at:
        steps.append(
            [cell(ticket.called_back_at), _("Called back or visited"), ticket.callback_note]
        )
    if ticket.closed_at:
        steps.append(
            [
                cell(ticket.closed_at),
                _("Closed"),
                _("Satisfaction %(n)s of 5") % {"n": ticket.satisfaction}
                if ticket.satisfaction
                else "",
            ]
        )
    return Document(
        title=_("Hotline ticket record"),
        subtitle=f"{ticket.get_kind_display()} · {ticket.number}",
        stem=f"ticket-{ticket.number}",
        facts=[
            (_("Ticket number"), ticket.number),
            (_("Status"), ticket.get_status_display()),
            (_("District"), ticket.district.name),
            (_("Received"), cell(ticket.created_at)),
            (_("Respond by"), cell(ticket.respond_by)),
            (_("Assigned to"), str(ticket.assignee or "—")),
        ],
        sections=[
            Section(
                _("The call"),
                [
                    Text(ticket.description),
                    Facts(
                        [
                            (
                                _("Caller"),
                                " · ".join(
                                    x for x in (ticket.caller_name, ticket.caller_phone) if x
                                )
                                or "—",
                            ),
                            (
                                _("Household"),
                                f"#{household.pk} {household.head_name} {household.community.name}"
                                if household
                                else "—",
                            ),
                            (
                                _("Order"),
                                f"{order.item.name} {order.number}" if order else "—",
                            ),
                            (
                                _("Provider"),
                                ticket.provider.organisation.name if ticket.provider else "—",
                            ),
                        ]
                    ),
                ],
            ),
            Section(
                _("Follow-up"),
                [Table(headers=[_("Time"), _("Step"), _("Note")], rows=steps, widths=(22, 30, 60))],
            ),
        ],
        signatures=[_("Handled by"), _("Reviewed by")],
    )
