"""Staff accounts, managed by the security administrator (三权分立: the security administrator
manages accounts and sees no case data; the audit administrator reads the trail).

Every change is audited with action ACCOUNT. Beneficiary accounts are not managed here: they are
created on a beneficiary's first SMS sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.core.models import (
    Area,
    AreaLevel,
    AuditAction,
    AuditResult,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from jiuzhu.core.scoping import ROLE_AREA_LEVEL

#: Roles that belong to an organisation of a given kind.
ROLE_ORGANISATION_KIND = {
    Role.ASSESSOR: OrganisationKind.ASSESSMENT,
    Role.PROVIDER_STAFF: OrganisationKind.PROVIDER,
    Role.DEPARTMENT: OrganisationKind.DEPARTMENT,
}
#: Roles a security administrator can give (beneficiary accounts come from SMS sign-in).
STAFF_ROLES = [role for role in Role if role != Role.BENEFICIARY]


def _require_security_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.role == Role.SECURITY_ADMIN):
        raise PermissionDenied(_("Only the security administrator manages accounts."))


def account_list(*, actor: User, q: str = "", role: str = "") -> QuerySet[User]:
    """Staff accounts, for the security administrator only."""
    _require_security_admin(actor)
    accounts = (
        User.objects.exclude(role=Role.BENEFICIARY)
        .select_related("area", "organisation")
        .order_by("username")
    )
    if q.strip():
        q = q.strip()
        accounts = accounts.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        accounts = accounts.filter(role=role)
    return accounts


def account_get(*, actor: User, user_id: int) -> User:
    _require_security_admin(actor)
    account = (
        User.objects.exclude(role=Role.BENEFICIARY)
        .select_related("area", "organisation")
        .filter(pk=user_id)
        .first()
    )
    if account is None:
        raise NotFound("account")
    return account


def assessor_list() -> QuerySet[User]:
    """Active assessors, for choosing whom to assign a household to."""
    return (
        User.objects.filter(role=Role.ASSESSOR, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "display_name", "username")
    )


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of ``usernames`` django-axes currently locks out."""
    usernames = list(usernames)
    if not usernames:
        return set()
    attempts = AccessAttempt.objects.filter(username__in=usernames)
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def _placement_errors(role: str, area: Area | None, organisation: Organisation | None) -> dict:
    errors: dict[str, list[str]] = {}
    level = ROLE_AREA_LEVEL.get(role)
    if level is not None:
        if area is None:
            errors["area"] = [_("This role works in an area; choose one.")]
        elif area.level != level:
            errors["area"] = [
                _("This role works at the %(level)s level.") % {"level": AreaLevel(level).label}
            ]
    kind = ROLE_ORGANISATION_KIND.get(role)
    if kind is not None:
        if organisation is None:
            errors["organisation"] = [_("This role belongs to an organisation; choose one.")]
        elif organisation.kind != kind:
            errors["organisation"] = [
                _("Choose an organisation of the kind: %(kind)s.")
                % {"kind": OrganisationKind(kind).label}
            ]
    return errors


@transaction.atomic
def account_create(
    *,
    actor: User,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    area: Area | None = None,
    organisation: Organisation | None = None,
    mobile: str = "",
) -> User:
    """Create a staff account with an initial password that passes the password policy."""
    _require_security_admin(actor)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if role not in STAFF_ROLES:
        errors["role"] = [_("Choose a staff role.")]
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    errors.update(_placement_errors(role, area, organisation))
    user = User(
        username=username,
        role=role,
        display_name=display_name.strip(),
        area=area,
        organisation=organisation,
        mobile=mobile,
    )
    try:
        user.full_clean(exclude=["password", "username"] if "username" in errors else ["password"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    password_errors = _password_errors(password, user)
    if password_errors:
        errors["password"] = password_errors
    if errors:
        raise ValidationFailed(errors)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action=AuditAction.ACCOUNT,
        obj=user,
        detail={
            "event": "created",
            "role": role,
            "area": area.code if area else "",
            "organisation": organisation.pk if organisation else None,
        },
    )
    return user


@transaction.atomic
def account_set_active(*, actor: User, account: User, active: bool) -> User:
    """Deactivate (the person can no longer sign in; the record stays) or reactivate."""
    _require_security_admin(actor)
    if account.pk == actor.pk and not active:
        raise ValidationFailed(
            {"is_active": [_("You cannot deactivate your own account.")]},
            message=_("You cannot deactivate your own account."),
        )
    if account.role == Role.BENEFICIARY:
        raise NotFound("account")
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=AuditAction.ACCOUNT,
        obj=account,
        detail={"event": "activated" if active else "deactivated"},
    )
    return account


@transaction.atomic
def account_reset_password(*, actor: User, account: User, password: str) -> User:
    """Set a new password (the policy applies); the person's other sessions end."""
    _require_security_admin(actor)
    if account.role == Role.BENEFICIARY:
        raise NotFound("account")
    errors = _password_errors(password, account)
    if errors:
        raise ValidationFailed({"password": errors})
    account.set_password(password)
    account.save(update_fields=["password"])
    audit.record(
        actor=actor, action=AuditAction.ACCOUNT, obj=account, detail={"event": "password_reset"}
    )
    return account


@transaction.atomic
def account_unlock(*, actor: User, account: User) -> int:
    """Lift a lockout after failed sign-ins; returns how many failure records were cleared."""
    _require_security_admin(actor)
    cleared = axes_reset(username=account.username)
    audit.record(
        actor=actor,
        action=AuditAction.ACCOUNT,
        obj=account,
        result=AuditResult.SUCCESS,
        detail={"event": "unlocked", "cleared": cleared},
    )
    return cleared
