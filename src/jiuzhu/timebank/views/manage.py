"""Time-bank pages for the bank's staff: opening accounts, recording a group activity, the
provider's redemption counter, grants from the donation pool, and an account's Excel statement.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiuzhu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiuzhu.core.views.common import add_domain_errors, paginate, xlsx_response
from jiuzhu.timebank import policy
from jiuzhu.timebank.engine import pool as pool_rules
from jiuzhu.timebank.forms import (
    AccountOpenForm,
    ActivityForm,
    CounterForm,
    PoolForm,
    minutes_of,
)
from jiuzhu.timebank.models import AccountKind
from jiuzhu.timebank.selectors.accounts import account_get_for
from jiuzhu.timebank.selectors.reports import activity_list, counter_redemptions, household_accounts
from jiuzhu.timebank.services.counter import counter_provider, counter_redeem
from jiuzhu.timebank.services.deposits import activity_candidates, group_activity_deposit
from jiuzhu.timebank.services.exports import account_statement_export
from jiuzhu.timebank.services.idempotent import run_refusals_stored
from jiuzhu.timebank.services.ledger import account_open as account_open_service
from jiuzhu.timebank.services.ledger import system_account
from jiuzhu.timebank.services.pool import household_facts, pool_grant

MAX_LISTED = 200


def rank_labels() -> dict[int, str]:
    return {
        pool_rules.ALONE_ELDERLY: _("Elderly, living alone"),
        pool_rules.ELDERLY: _("Household with an elderly member"),
        pool_rules.OTHERS: _("Other household"),
    }


def _hours_inputs(request: HttpRequest, ids: list[int]) -> tuple[list[tuple[int, int]], bool]:
    """(account id, minutes) for every ``hours_<id>`` field filled in; and whether one was not
    a number of hours (half-hour steps, positive)."""
    chosen, bad = [], False
    for pk in ids:
        raw = request.POST.get(f"hours_{pk}", "").strip()
        if not raw:
            continue
        try:
            hours = Decimal(raw)
        except InvalidOperation:
            bad = True
            continue
        if not hours.is_finite() or hours <= 0 or hours > 24:
            bad = True
            continue
        chosen.append((pk, minutes_of(hours)))
    return chosen, bad


@login_required
def account_open(request: HttpRequest) -> HttpResponse:
    """A manager opens a volunteer's, a group's or a household's account."""
    policy.require_opener(request.user)
    form = AccountOpenForm(request.POST or None, initial={"kind": AccountKind.INDIVIDUAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = account_open_service(
                actor=request.user,
                kind=data["kind"],
                holder_username=data["holder"],
                household_id=data["household_id"],
                name=data["name"],
                birth_date=data["birth_date"],
            )
        except DomainError as error:
            if isinstance(error, PermissionDenied):
                raise
            add_domain_errors(form, error, renames={"household_id": "household_id"})
        else:
            messages.success(request, _("Account #%(id)s opened.") % {"id": account.pk})
            return redirect("timebank:account_detail", account.pk)
    return render(request, "timebank/account_open.html", {"form": form})


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """Record a group activity: one activity, many volunteers, each with their own hours."""
    policy.require_activity_recorder(request.user)
    candidates = list(activity_candidates(user=request.user)[:MAX_LISTED])
    form = ActivityForm(request.POST or None)
    participants_error = ""
    if request.method == "POST":
        chosen, bad = _hours_inputs(request, [a.pk for a in candidates])
        if bad:
            participants_error = _("Give each volunteer's hours as a number from 0.5 to 24.")
        if form.is_valid() and not bad:
            try:
                activity = group_activity_deposit(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    category=form.cleaned_data["category"],
                    held_on=form.cleaned_data["held_on"],
                    participants=chosen,
                )
            except ValidationFailed as error:
                fields = dict(error.fields)
                participants_error = " ".join(
                    fields.pop("participants", []) + fields.pop("minutes", [])
                )
                add_domain_errors(form, ValidationFailed(fields))
            else:
                messages.success(
                    request,
                    _("Recorded %(activity)s: %(count)d volunteers' hours deposited.")
                    % {"activity": activity.title, "count": len(chosen)},
                )
                return redirect("timebank:activity_new")
    return render(
        request,
        "timebank/activity_new.html",
        {
            "form": form,
            "candidates": [(a, request.POST.get(f"hours_{a.pk}", "")) for a in candidates],
            "participants_error": participants_error,
            "page_obj": paginate(request, activity_list(user=request.user)),
        },
    )


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """The provider's counter: its staff redeem a volunteer's or a household's hours for a
    service. A resubmitted form (same hidden key) is recorded once."""
    provider = counter_provider(request.user)
    form = CounterForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body = {
            "account_id": data["account_id"],
            "minutes": minutes_of(data["hours"]),
            "service": data["service"],
            "relation": data["relation"] or "self",
            "beneficiary_birth_date": str(data["beneficiary_birth_date"] or ""),
            "member_id": data["member_id"],
        }

        def work() -> tuple[int, dict]:
            movement = counter_redeem(
                actor=request.user,
                account_id=data["account_id"],
                minutes=body["minutes"],
                service=data["service"],
                relation=body["relation"],
                beneficiary_birth_date=data["beneficiary_birth_date"],
                member_id=data["member_id"],
            )
            return 201, {"id": movement.pk}

        try:
            status, answer = run_refusals_stored(
                user=request.user, key=data["idempotency_key"] or None, body=body, work=work
            )
        except DomainError as error:  # the key was used for another request, or still running
            status, answer = error.status, error.as_dict()
        if status == 201:
            messages.success(
                request,
                _("Redeemed %(hours)s hours of account #%(account)s (redemption #%(id)s).")
                % {"hours": data["hours"], "account": data["account_id"], "id": answer["id"]},
            )
            return redirect("timebank:counter")
        if status == 403:
            raise PermissionDenied(answer["message"])
        fields = answer.get("extra", {}).get("fields")
        add_domain_errors(
            form,
            ValidationFailed(fields) if fields else DomainError(answer["code"], answer["message"]),
        )
    if form.is_bound:
        # A corrected form is a new request: it gets a new key (the refused one keeps its answer).
        form.data = form.data.copy()
        form.data["idempotency_key"] = uuid.uuid4().hex
    return render(
        request,
        "timebank/counter.html",
        {
            "form": form,
            "provider": provider,
            "page_obj": paginate(request, counter_redemptions(user=request.user)),
        },
    )


@login_required
def pool(request: HttpRequest) -> HttpResponse:
    """Managers grant the donation pool's hours to households' accounts, elderly people living
    alone first."""
    policy.require_pool_granter(request.user)
    accounts = list(household_accounts(user=request.user)[:MAX_LISTED])
    facts = household_facts(accounts)
    labels = rank_labels()
    form = PoolForm(request.POST or None)
    error = ""
    results = None
    if request.method == "POST" and form.is_valid():
        chosen, bad = _hours_inputs(request, [a.pk for a in accounts])
        if bad:
            error = _("Give each household's hours as a number from 0.5 to 24.")
        else:
            try:
                granted = pool_grant(
                    actor=request.user, requests=chosen, note=form.cleaned_data["note"]
                )
            except ValidationFailed as refused:
                error = " ".join(m for msgs in refused.fields.values() for m in msgs)
            else:
                results = [
                    {
                        "account": g.account,
                        "rank": labels[g.rank],
                        "requested": g.requested / 60,
                        "granted": g.granted / 60,
                    }
                    for g in granted
                ]
                messages.success(request, _("Hours granted from the pool."))
    rows = []
    for account in accounts:
        elderly, alone = facts[account.pk]
        rank = pool_rules.rank_of(pool_rules.PoolRequest("", 1, elderly, alone))
        rows.append((account, labels[rank], request.POST.get(f"hours_{account.pk}", "")))
    return render(
        request,
        "timebank/pool.html",
        {
            "form": form,
            "rows": rows,
            "error": error,
            "results": results,
            "pool": system_account(AccountKind.POOL),
        },
    )


@login_required
def account_statement(request: HttpRequest, account_id: int) -> HttpResponse:
    """One account's Excel statement, for whoever sees the account."""
    account = account_get_for(user=request.user, account_id=account_id)
    output = account_statement_export(actor=request.user, account=account)
    return xlsx_response(output, stem=f"timebank-statement-{account.pk}")
