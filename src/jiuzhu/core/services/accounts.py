"""Staff accounts, managed by the security administrator (三权分立: the security administrator
manages accounts and sees no case data; the audit administrator reads the trail).

Four eyes for case data: an account whose role sees case data — or that administers accounts —
is created, or reactivated, inactive and waits until a *second* security administrator approves
it: one administrator alone cannot give themselves (or anyone) access to case data. Whoever
asked never approves. An account whose
password an administrator chose must choose its own at the first sign-in.

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
ROLE_ORGANISATION_KIND: dict[str, OrganisationKind] = {
    Role.ASSESSOR: OrganisationKind.ASSESSMENT,
    Role.PROVIDER_STAFF: OrganisationKind.PROVIDER,
    Role.DEPARTMENT: OrganisationKind.DEPARTMENT,
}
#: Roles a security administrator can give (beneficiary accounts come from SMS sign-in).
STAFF_ROLES = [role for role in Role if role != Role.BENEFICIARY]
#: Granting one of these roles needs a second security administrator's approval: every role
#: that sees case data, and the security administrator itself (otherwise one administrator could
#: create a second one, sign in as it and approve their own request). Only the audit
#: administrator, who reads the trail and nothing else, is granted by one.
NEEDS_APPROVAL = frozenset(STAFF_ROLES) - {Role.AUDIT_ADMIN}


def awaits_approval(account: User) -> bool:
    return account.approval_requested_by_id is not None and not account.is_active


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


def _placement_errors(
    role: str, area: Area | None, organisation: Organisation | None
) -> dict[str, list[str]]:
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
    """Create a staff account with an initial password that passes the password policy. A role
    that sees case data (or administers accounts) starts inactive until a second security
    administrator approves it."""
    _require_security_admin(actor)
    needs_approval = role in NEEDS_APPROVAL
    return _account_new(
        actor=actor,
        username=username,
        role=role,
        password=password,
        display_name=display_name,
        area=area,
        organisation=organisation,
        mobile=mobile,
        approval_requested_by=actor if needs_approval else None,
    )


@transaction.atomic
def account_create_by_operator(
    *,
    username: str,
    role: str,
    password: str,
    display_name: str = "",
    area: Area | None = None,
    organisation: Organisation | None = None,
) -> User:
    """``jiuzhu createuser``: the server's operator creates an account (the first security
    administrator of a new deployment, above all). Whoever runs commands on the server is
    trusted with the database already, so no second approval; the person still chooses their
    own password at the first sign-in, and the creation is audited."""
    return _account_new(
        actor=None,
        username=username,
        role=role,
        password=password,
        display_name=display_name,
        area=area,
        organisation=organisation,
        mobile="",
        approval_requested_by=None,
    )


def _account_new(
    *,
    actor: User | None,
    username: str,
    role: str,
    password: str,
    display_name: str,
    area: Area | None,
    organisation: Organisation | None,
    mobile: str,
    approval_requested_by: User | None,
) -> User:
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
        must_change_password=True,
        is_active=approval_requested_by is None,
        approval_requested_by=approval_requested_by,
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
        actor_label="cli",
        action=AuditAction.ACCOUNT,
        obj=user,
        detail={
            "event": "created",
            "role": role,
            "area": area.code if area else "",
            "organisation": organisation.pk if organisation else None,
            "awaiting_approval": approval_requested_by is not None,
        },
    )
    return user


def account_approve(*, actor: User, account: User) -> User:
    """A second security administrator approves a pending grant; the account becomes active.
    A refusal is audited outside any transaction, so it survives the refusal."""
    _require_security_admin(actor)
    if not awaits_approval(account):
        raise ValidationFailed({}, message=_("This account is not waiting for approval."))
    if account.approval_requested_by_id == actor.pk:
        audit.record(
            actor=actor,
            action=AuditAction.ACCOUNT,
            obj=account,
            result=AuditResult.DENIED,
            detail={"event": "approval refused: own request"},
        )
        raise PermissionDenied(
            _(
                "Another security administrator must approve this: "
                "no one approves their own request."
            )
        )
    with transaction.atomic():
        requested_by = account.approval_requested_by_id
        approved = User.objects.filter(
            pk=account.pk, is_active=False, approval_requested_by_id=requested_by
        ).update(is_active=True, approved_by=actor, approval_requested_by=None)
        if not approved:  # another administrator acted first
            raise ValidationFailed({}, message=_("This account is not waiting for approval."))
        audit.record(
            actor=actor,
            action=AuditAction.ACCOUNT,
            obj=account,
            detail={"event": "approved", "role": account.role, "requested_by": requested_by},
        )
    account.refresh_from_db()
    return account


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
    if active and not account.is_active and account.role in NEEDS_APPROVAL:
        account.approval_requested_by = actor
        account.save(update_fields=["approval_requested_by"])
        audit.record(
            actor=actor,
            action=AuditAction.ACCOUNT,
            obj=account,
            detail={"event": "reactivation requested", "role": account.role},
        )
        return account
    account.is_active = active
    account.approval_requested_by = None
    account.save(update_fields=["is_active", "approval_requested_by"])
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
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=actor, action=AuditAction.ACCOUNT, obj=account, detail={"event": "password_reset"}
    )
    return account


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """A person changes their own password (required after an administrator chose it)."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = [_("The current password is not correct.")]
    elif old_password == new_password:
        errors["new_password1"] = [_("Choose a password different from the current one.")]
    else:
        problems = _password_errors(new_password, user)
        if problems:
            errors["new_password1"] = problems
    if errors:
        audit.record(
            actor=user,
            action=AuditAction.ACCOUNT,
            obj=user,
            result=AuditResult.FAILURE,
            detail={"event": "password change refused"},
        )
        raise ValidationFailed(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=user, action=AuditAction.ACCOUNT, obj=user, detail={"event": "password changed"}
    )
    return user


@transaction.atomic
def account_unlock(*, actor: User, account: User) -> int:
    """Lift a lockout after failed sign-ins; returns how many failure records were cleared."""
    _require_security_admin(actor)
    cleared: int = axes_reset(username=account.username)
    audit.record(
        actor=actor,
        action=AuditAction.ACCOUNT,
        obj=account,
        result=AuditResult.SUCCESS,
        detail={"event": "unlocked", "cleared": cleared},
    )
    return cleared
