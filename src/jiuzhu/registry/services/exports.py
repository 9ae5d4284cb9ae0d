"""The household export: the same filtered, scoped list the page shows, as an Excel workbook
with a sheet of households and a sheet of their current members. Identity numbers are masked;
each export is one audit entry with the filters and the row counts. The web page, the API and
the command line can all call :func:`household_export`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, User
from jiuzhu.core.scoping import visible
from jiuzhu.core.services.exports import (
    Sheet,
    export_refused,
    export_size_check,
    write_xlsx,
)
from jiuzhu.registry.groups import age_on
from jiuzhu.registry.models import (
    DisabilityType,
    Employment,
    Group,
    HouseholdStatus,
    Illness,
    Member,
    Relation,
    Schooling,
    Tier,
    UrgencyTag,
)
from jiuzhu.registry.policy import can_export
from jiuzhu.registry.selectors.households import (
    HouseholdFilters,
    household_count,
    household_list,
)
from jiuzhu.registry.services.members import masked_identity_number


@dataclasses.dataclass(frozen=True)
class ExportResult:
    file: IO[bytes]
    households: int
    members: int


def _label(choices: Iterable[tuple[str, Any]], value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _filters_detail(filters: HouseholdFilters) -> dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(filters).items() if value}


def household_export(*, actor: User, filters: HouseholdFilters | None = None) -> ExportResult:
    """Export the households ``actor`` may see that match ``filters``."""
    filters = filters or HouseholdFilters()
    if not can_export(actor):
        raise export_refused(
            actor=actor,
            object_type="registry.household",
            message=_("Your role may not export households."),
            detail={"filters": _filters_detail(filters)},
        )
    export_size_check(
        count=household_count(user=actor, filters=filters),
        message=_(
            "The export would hold %(count)d households; narrow the filters to at most %(limit)d."
        ),
    )
    with transaction.atomic():
        return _write(actor, filters)


def _write(actor: User, filters: HouseholdFilters) -> ExportResult:
    households = household_list(user=actor, filters=filters)
    members = (
        visible(actor, Member.objects.all())
        .filter(household__in=households.order_by().values("pk"), is_active=True)
        .select_related("guardian")
        .order_by("household_id", "id")
    )
    today = timezone.localdate()
    groups = dict(Group.choices)

    def household_rows() -> Iterator[tuple[Any, ...]]:
        for h in households.iterator(chunk_size=2000):
            yield (
                h.pk,
                h.district.name,
                h.street.name,
                h.community.name,
                h.address,
                h.head_name,
                h.phone,
                _label(Tier.choices, h.tier),
                "、".join(str(groups.get(g, g)) for g in h.group_list),
                _label(UrgencyTag.choices, h.urgency_tag),
                h.member_count,
                h.monthly_income,
                h.medical_spending_12m,
                h.education_spending_12m,
                _label(HouseholdStatus.choices, h.status),
                h.updated_at,
            )

    def member_rows() -> Iterator[tuple[Any, ...]]:
        for m in members.iterator(chunk_size=2000):
            yield (
                m.household_id,
                m.name,
                masked_identity_number(m),
                m.get_sex_display(),
                age_on(m.birth_date, today),
                _label(Relation.choices, m.relation),
                _label(DisabilityType.choices, m.disability_type),
                m.disability_grade or "",
                _label(Illness.choices, m.illness),
                _label(Employment.choices, m.employment),
                _label(Schooling.choices, m.schooling),
                m.guardian.name if m.guardian else "",
            )

    household_sheet = Sheet(
        title=_("Households"),
        headers=[
            _("No."),
            _("District"),
            _("Street"),
            _("Community"),
            _("Address"),
            _("Head of household"),
            _("Phone"),
            _("Assistance tier"),
            _("Groups"),
            _("Urgency"),
            _("Members"),
            _("Monthly income (yuan)"),
            _("Medical spending, 12 months (yuan)"),
            _("Education spending, 12 months (yuan)"),
            _("Status"),
            _("Last updated"),
        ],
        rows=household_rows(),
        widths=(8, 10, 12, 14, 30, 12, 14, 18, 24, 14, 8, 12, 14, 14, 8, 18),
    )
    member_sheet = Sheet(
        title=_("Members"),
        headers=[
            _("Household No."),
            _("Name"),
            _("Identity number (masked)"),
            _("Sex"),
            _("Age"),
            _("Relation to the head"),
            _("Disability"),
            _("Disability grade"),
            _("Illness"),
            _("Employment status"),
            _("School enrolment"),
            _("Guardian"),
        ],
        rows=member_rows(),
        widths=(10, 12, 22, 6, 6, 14, 10, 8, 12, 18, 16, 12),
    )
    output = write_xlsx([household_sheet, member_sheet])
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="registry.household",
        detail={
            "filters": _filters_detail(filters),
            "rows": household_sheet.count,
            "members": member_sheet.count,
        },
    )
    return ExportResult(file=output, households=household_sheet.count, members=member_sheet.count)
