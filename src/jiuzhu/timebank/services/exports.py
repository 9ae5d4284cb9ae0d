"""Excel exports: the accounts a manager sees, and one account's statement (audited; refusals
audited as denied)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiuzhu.core.models import User
from jiuzhu.core.services.exports import (
    Sheet,
    export_audited,
    export_refused,
    export_size_check,
)
from jiuzhu.timebank import policy
from jiuzhu.timebank.models import SYSTEM_KINDS, Account, AccountKind, Entry, MovementKind
from jiuzhu.timebank.selectors.accounts import account_list, stars_of


def account_export(*, actor: User, kind: str = "", q: str = "") -> IO[bytes]:
    if not policy.can_manage(actor):
        raise export_refused(
            actor=actor,
            object_type="timebank.account",
            message=_("Your role may not export time-bank accounts."),
            detail={"kind": kind, "q": q},
        )
    accounts = account_list(user=actor, kind=kind, q=q)
    export_size_check(
        count=accounts.count(),
        message=_("%(count)d accounts match; narrow the filters to at most %(limit)d."),
    )

    def rows() -> Any:
        for account in accounts.iterator(chunk_size=500):
            yield [
                account.pk,
                account.name,
                str(AccountKind(account.kind).label),
                str(account.organisation or ""),
                str(account.district or ""),
                round(account.balance_minutes / 60, 2),
                round(account.earned_minutes / 60, 2),
                stars_of(account),
            ]

    sheet = Sheet(
        title=_("Time-bank accounts"),
        headers=[
            _("Account"),
            _("Name"),
            _("Kind"),
            _("Organisation"),
            _("District"),
            _("Balance (hours)"),
            _("Earned (hours)"),
            _("Stars"),
        ],
        rows=rows(),
        widths=[10, 24, 18, 24, 12, 14, 14, 8],
    )
    return export_audited(
        actor=actor,
        sheets=[sheet],
        object_type="timebank.account",
        detail={"kind": kind, "q": q},
    )


def account_statement_export(*, actor: User, account: Account) -> IO[bytes]:
    """The Excel statement of one account the actor sees (``account`` comes from
    ``account_get_for``): every entry with its movement, counterparty and the balance after it,
    and a summary sheet. Audited as an export of the account's entries."""
    entries = (
        Entry.objects.filter(account=account)
        .select_related("movement__provider__organisation", "movement__source", "movement__target")
        .order_by("id")
    )
    export_size_check(
        count=entries.count(),
        message=_("%(count)d entries: the statement holds at most %(limit)d."),
    )
    kinds = dict(MovementKind.choices)

    def counterparty(entry: Entry) -> str:
        movement = entry.movement
        if movement.provider_id and movement.provider is not None:
            return str(movement.provider.organisation)
        other = movement.target if movement.source_id == account.pk else movement.source
        return str(other.name) if other.kind in SYSTEM_KINDS else f"#{other.pk}"

    def rows() -> Any:
        for entry in entries.iterator(chunk_size=500):
            yield [
                entry.at,
                str(kinds.get(entry.movement.kind, entry.movement.kind)),
                entry.movement.note,
                counterparty(entry),
                round(entry.minutes / 60, 2),
                round(entry.balance_after / 60, 2),
            ]

    summary = Sheet(
        title=_("Summary"),
        headers=[_("Account"), _("Name"), _("Kind"), _("Balance (hours)"), _("Earned (hours)")],
        rows=[
            [
                account.pk,
                account.name,
                str(AccountKind(account.kind).label),
                round(account.balance_minutes / 60, 2),
                round(account.earned_minutes / 60, 2),
            ]
        ],
        widths=[10, 24, 18, 14, 14],
    )
    sheet = Sheet(
        title=_("Statement"),
        headers=[
            _("Time"),
            _("Movement"),
            _("Note"),
            _("Counterparty"),
            pgettext("timebank", "Hours"),
            _("Balance after (hours)"),
        ],
        rows=rows(),
        widths=[20, 16, 30, 24, 10, 16],
    )
    return export_audited(
        actor=actor,
        sheets=[summary, sheet],
        object_type="timebank.entry",
        detail={"account": account.pk},
    )
