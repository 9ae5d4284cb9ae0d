"""The Excel statement of the accounts a manager sees (audited; refusals audited as denied)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _

from jiuzhu.core.models import User
from jiuzhu.core.services.exports import (
    Sheet,
    export_audited,
    export_refused,
    export_size_check,
)
from jiuzhu.timebank import policy
from jiuzhu.timebank.models import AccountKind
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
