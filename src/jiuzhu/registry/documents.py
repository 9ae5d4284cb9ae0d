"""Printable documents of the registry (core/pdf.py): the household's assistance chain
(一户一条救助链) — the household's facts and every entry on its chain, oldest first."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiuzhu.core.models import User
from jiuzhu.core.pdf import Document, Section, Table, Text, cell
from jiuzhu.registry.models import Group, Household
from jiuzhu.registry.selectors.households import household_chain

#: The most chain entries one document prints (the newest); a note says when more exist.
CHAIN_LIMIT = 1000


def household_facts(household: Household) -> list[tuple[str, str]]:
    """The household's facts as every document about it prints them."""
    return [
        (_("Household"), f"#{household.pk} {household.head_name}".strip()),
        (
            _("Area"),
            f"{household.district.name} · {household.street.name} · {household.community.name}",
        ),
        (_("Address"), household.address),
        (_("Assistance tier"), household.get_tier_display()),
        (_("Urgency tag"), household.get_urgency_tag_display() or "—"),
        (
            _("Groups"),
            "、".join(str(dict(Group.choices).get(g, g)) for g in household.group_list) or "—",
        ),
        (_("Members"), str(household.member_count)),
        (_("Status"), household.get_status_display()),
    ]


def chain_document(*, user: User, household: Household) -> Document:
    entries = list(household_chain(user=user, household=household)[: CHAIN_LIMIT + 1])
    more = len(entries) > CHAIN_LIMIT
    entries = entries[:CHAIN_LIMIT]
    entries.reverse()  # oldest first, as a file is read
    blocks: list = [
        Table(
            headers=[_("Time"), _("Step"), _("Detail"), _("By")],
            rows=[
                [cell(entry.at), entry.title, entry.detail, str(entry.actor or "")]
                for entry in entries
            ],
            widths=(22, 38, 60, 20),
            empty=_("Nothing on the chain yet."),
        )
    ]
    if more:
        blocks.insert(
            0,
            Text(
                _("Only the newest %(limit)d entries are printed.") % {"limit": CHAIN_LIMIT},
                muted=True,
            ),
        )
    return Document(
        title=_("Assistance chain"),
        subtitle=_("Everything this household has received and every step taken."),
        stem=f"chain-{household.pk}",
        facts=household_facts(household),
        sections=[Section(_("Steps, oldest first"), blocks)],
    )
