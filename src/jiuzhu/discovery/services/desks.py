"""Which department answers which kind of material assistance in a district (the desks of the
assistance alliance). City administrators set them for every district, district managers for
their own. Open referrals keep the department they were sent to."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiuzhu.assessment.models import MaterialKind
from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, Organisation, OrganisationKind, User
from jiuzhu.discovery import policy
from jiuzhu.discovery.models import DepartmentDesk


@transaction.atomic
def desk_set(
    *,
    actor: User,
    district: Area,
    kind: str,
    department: Organisation,
    respond_days: int,
    complete_days: int,
) -> DepartmentDesk:
    """Route ``kind`` in ``district`` to ``department`` (replacing the desk there, if any)."""
    policy.require_desk_editor(actor, district)
    errors: dict[str, list[str]] = {}
    if district.level != AreaLevel.DISTRICT:
        errors["district"] = [_("Choose a district.")]
    if kind not in MaterialKind.values:
        errors["kind"] = [_("Choose the kind of assistance.")]
    if department.kind != OrganisationKind.DEPARTMENT:
        errors["department"] = [_("Choose a partner department.")]
    if not 1 <= respond_days <= 90:
        errors["respond_days"] = [_("Between 1 and 90 days.")]
    if not 1 <= complete_days <= 365:
        errors["complete_days"] = [_("Between 1 and 365 days.")]
    if errors:
        raise ValidationFailed(errors)
    DepartmentDesk.objects.filter(district=district, kind=kind, active=True).update(active=False)
    desk = DepartmentDesk.objects.create(
        district=district,
        kind=kind,
        department=department,
        respond_days=respond_days,
        complete_days=complete_days,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=desk,
        detail={"kind": kind, "district": district.code, "department": department.pk},
    )
    return desk


@transaction.atomic
def desk_deactivate(*, actor: User, desk: DepartmentDesk) -> DepartmentDesk:
    """Take a department off a kind in a district: its plans' recommendations go back to the
    hand-set status; open referrals stay with it."""
    policy.require_desk_editor(actor, desk.district)
    if DepartmentDesk.objects.filter(pk=desk.pk, active=True).update(active=False) != 1:
        raise Conflict("desk_inactive", _("This department no longer receives this assistance."))
    desk.refresh_from_db()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=desk, detail={"active": False})
    return desk
