"""Giving a household to an assessor (or an assessment organisation) for a home visit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, Organisation, OrganisationKind, Role, User
from jiuzhu.registry.models import AssignmentPurpose, Household, HouseholdAssignment
from jiuzhu.registry.policy import can_assign
from jiuzhu.registry.services.chain import chain_add


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    household: Household,
    assignee: User | None = None,
    organisation: Organisation | None = None,
    purpose: str = AssignmentPurpose.ASSESSMENT,
) -> HouseholdAssignment:
    if not can_assign(actor):
        raise PermissionDenied(_("Your role may not assign households."))
    if assignee is None and organisation is None:
        raise ValidationFailed({"assignee": [_("Choose an assessor or an organisation.")]})
    if assignee is not None and assignee.role != Role.ASSESSOR:
        raise ValidationFailed({"assignee": [_("Only assessors can be assigned.")]})
    if organisation is not None and organisation.kind != OrganisationKind.ASSESSMENT:
        raise ValidationFailed({"organisation": [_("Choose an assessment organisation.")]})
    assignment = HouseholdAssignment.objects.create(
        household=household,
        assignee=assignee,
        organisation=organisation or (assignee.organisation if assignee else None),
        purpose=purpose,
        created_by=actor,
    )
    who = str(assignee or organisation)
    chain_add(
        household=household,
        source="assignment",
        source_id=assignment.pk,
        title=_("Assigned for assessment: %(who)s") % {"who": who},
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=household,
        detail={"assignment": assignment.pk, "assignee": who},
    )
    return assignment
