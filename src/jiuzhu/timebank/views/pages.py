"""Time-bank pages: the volunteer's own account (phone first), deposits to confirm for the
household's community worker and the provider, and the managers' account list with its Excel
statement. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import DomainError, PermissionDenied
from jiuzhu.core.views.common import paginate, xlsx_response
from jiuzhu.timebank import policy
from jiuzhu.timebank.engine.ledger import FAMILY_RELATIONS
from jiuzhu.timebank.models import AccountKind, DepositStatus, MovementKind
from jiuzhu.timebank.selectors.accounts import (
    account_get_for,
    account_list,
    deposit_get_for,
    deposit_list,
    earning_tasks,
    entry_list,
    flows,
    hours_by_category,
    hours_by_street,
    own_account,
    stars_of,
)
from jiuzhu.timebank.selectors.reports import (
    FLOW_KINDS,
    account_monthly_flows,
    monthly_flows,
    totals,
)
from jiuzhu.timebank.services.deposits import confirmable_ids
from jiuzhu.timebank.services.deposits import deposit_confirm as deposit_confirm_service
from jiuzhu.timebank.services.exports import account_export
from jiuzhu.timebank.services.ledger import system_account, transfer_make


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The volunteer's balance, stars, history and the tasks that earned them."""
    policy.require_holder(request.user)
    account = own_account(user=request.user)
    context: dict = {"account": account}
    if account is not None:
        context.update(
            stars=stars_of(account),
            hours=account.balance_minutes / 60,
            earned_hours=account.earned_minutes / 60,
            page_obj=paginate(request, entry_list(user=request.user, account=account)),
            tasks=earning_tasks(account=account)[:10],
            relations=sorted(FAMILY_RELATIONS),
        )
    return render(request, "timebank/mine.html", context)


@login_required
@require_POST
def move(request: HttpRequest) -> HttpResponse:
    """Donate, transfer to family or redeem, from the volunteer's own account."""
    policy.require_holder(request.user)
    account = own_account(user=request.user)
    if account is None:
        raise PermissionDenied(_("You have no time-bank account yet."))
    kind = request.POST.get("kind", "")
    try:
        minutes = round(float(request.POST.get("hours", "0")) * 60)
        target = int(request.POST["target_id"]) if request.POST.get("target_id") else None
        born = request.POST.get("beneficiary_birth_date") or ""
        birth = dt.date.fromisoformat(born) if born else None
    except ValueError:
        messages.error(request, _("Check the numbers and the date."))
        return redirect("timebank:mine")
    try:
        transfer_make(
            actor=request.user,
            source=account,
            kind=kind,
            minutes=minutes,
            target_id=target,
            relation=request.POST.get("relation", ""),
            beneficiary_birth_date=birth,
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        fields = error.extra.get("fields") or {}
        text = "; ".join(m for msgs in fields.values() for m in msgs) if fields else error.message
        messages.error(request, text)
        return redirect("timebank:mine")
    messages.success(request, _("Done: %(hours)s hours moved.") % {"hours": minutes / 60})
    return redirect("timebank:mine")


@login_required
def deposits(request: HttpRequest) -> HttpResponse:
    """Volunteers' tasks waiting for a confirmation the user may give."""
    policy.require_confirmer(request.user)
    status = request.GET.get("status", "")
    if status not in DepositStatus.values:
        status = ""
    queryset = deposit_list(user=request.user, status=status)
    page = paginate(request, queryset)
    shown = list(page.object_list)
    confirmable = confirmable_ids(request.user, shown)
    rows = [(deposit, deposit.pk in confirmable) for deposit in shown]
    return render(
        request,
        "timebank/deposits.html",
        {"page_obj": page, "rows": rows, "status": status, "statuses": DepositStatus.choices},
    )


@login_required
@require_POST
def deposit_confirm(request: HttpRequest, deposit_id: int) -> HttpResponse:
    deposit = deposit_get_for(user=request.user, deposit_id=deposit_id)
    policy.require_confirmer(request.user)
    try:
        deposit_confirm_service(actor=request.user, deposit=deposit)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Confirmed: the hours are deposited."))
    return redirect("timebank:deposits")


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """The managers' list: filter by kind and name, sort, paginate, export."""
    policy.require_manager(request.user)
    kind = request.GET.get("kind", "")
    if kind not in AccountKind.values:
        kind = ""
    q = request.GET.get("q", "").strip()[:60]
    sort = request.GET.get("sort", "")
    queryset = account_list(user=request.user, kind=kind, q=q, sort=sort)
    page = paginate(request, queryset)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "timebank/accounts.html",
        {
            "page_obj": page,
            "rows": [(a, stars_of(a)) for a in page.object_list],
            "kind": kind,
            "q": q,
            "sort": sort,
            "kinds": AccountKind.choices,
            "export_query": query.urlencode(),
        },
    )


@login_required
def accounts_export(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in AccountKind.values:
        kind = ""
    output = account_export(actor=request.user, kind=kind, q=request.GET.get("q", "")[:60])
    return xlsx_response(output, stem="timebank-accounts")


#: One colour per movement kind, the same on every chart.
KIND_COLOURS = {
    "deposit": "#2f7d5b",
    "transfer": "#3a6ea5",
    "donation": "#c98a1b",
    "redemption": "#b2453a",
    "grant": "#7a5ba6",
}


def flow_chart(flows: dict) -> dict:
    """The ECharts specification of monthly flows (drawn by ``timebank.js``; the table beside
    it shows the same figures)."""
    return {
        "categories": flows["months"],
        "unit": pgettext("timebank", "hours"),
        "series": [{**series, "color": KIND_COLOURS[series["kind"]]} for series in flows["series"]],
    }


@login_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    """An account's statement: balance, monthly flows (chart and table), entries, Excel."""
    account = account_get_for(user=request.user, account_id=account_id)
    page = paginate(request, entry_list(user=request.user, account=account))
    flows = account_monthly_flows(user=request.user, account=account)
    return render(
        request,
        "timebank/account_detail.html",
        {
            "account": account,
            "stars": stars_of(account),
            "page_obj": page,
            "kinds": MovementKind,
            "flows": flows,
            "flow_chart": flow_chart(flows),
            "flow_kinds": [MovementKind(kind).label for kind in FLOW_KINDS],
        },
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Managers: hours by service category and street, flows between organisations and
    districts, the donation pool."""
    policy.require_manager(request.user)
    pool = system_account(AccountKind.POOL)
    flows_by_month = monthly_flows(user=request.user)
    summary = totals(user=request.user)
    return render(
        request,
        "timebank/report.html",
        {
            "totals": summary,
            "totals_chart": {
                "categories": [row["label"] for row in summary["rows"]],
                "unit": pgettext("timebank", "hours"),
                "series": [
                    {
                        "name": _("Hours stored"),
                        "data": [row["balance_hours"] for row in summary["rows"]],
                        "color": "#3a6ea5",
                    },
                    {
                        "name": _("Hours earned"),
                        "data": [row["earned_hours"] for row in summary["rows"]],
                        "color": "#2f7d5b",
                    },
                ],
            },
            "flows_by_month": flows_by_month,
            "flow_chart": flow_chart(flows_by_month),
            "flow_kinds": [MovementKind(kind).label for kind in FLOW_KINDS],
            "by_category": hours_by_category(user=request.user),
            "by_street": hours_by_street(user=request.user),
            "flows": [
                {**row, "kind_label": MovementKind(row["kind"]).label}
                for row in flows(user=request.user)
            ],
            "pool": pool,
        },
    )
