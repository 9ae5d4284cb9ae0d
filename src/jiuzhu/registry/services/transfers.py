"""Transferring a household to another street or district (case transfer).

requested → accepted | refused (by the receiving side) | cancelled (by the sending side). The
workflow runs on ``core.transitions.StateMachine``; accepting moves the household's areas in the
same transaction, so the receiving side sees it (and the sending side no longer does) from that
moment. Its history, assessments, plan and orders are attached to the household and follow it.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiuzhu.core import audit
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import Area, AreaLevel, AuditAction, Role, User
from jiuzhu.core.selectors.areas import SUBTREE_PREFIX
from jiuzhu.core.services.notifications import notify
from jiuzhu.core.transitions import Action, StateMachine, Step
from jiuzhu.registry import policy
from jiuzhu.registry.events import HOUSEHOLD_TRANSFERRED
from jiuzhu.registry.models import (
    ChangeKind,
    Household,
    HouseholdStatus,
    Transfer,
    TransferStatus,
)
from jiuzhu.registry.services.chain import chain_add
from jiuzhu.registry.services.households import record_change


def _conflict(transfer: Transfer) -> Conflict:
    return Conflict(
        "wrong_state",
        _("This transfer is %(status)s; it cannot move that way now.")
        % {"status": transfer.get_status_display()},
        transfer_status=transfer.status,
    )


def _forbidden() -> str:
    return _("Your role may not transfer households.")


def _chain(step: Step[Transfer], title: str, detail: str) -> None:
    chain_add(
        household=step.obj.household,
        source="transfer",
        source_id=step.obj.pk,
        title=title,
        detail=detail,
        actor=step.actor,
    )


_OPEN = frozenset({TransferStatus.REQUESTED})
#: The transfer's state machine: every move one conditional UPDATE, audited and on the
#: household's assistance chain in the same transaction.
TRANSFER_FLOW: StateMachine[Transfer] = StateMachine(
    name="transfer",
    model=Transfer,
    actions={
        "accept": Action(
            _OPEN, TransferStatus.ACCEPTED, policy.TRANSFER_RECEIVERS, HOUSEHOLD_TRANSFERRED
        ),
        "refuse": Action(_OPEN, TransferStatus.REFUSED, policy.TRANSFER_RECEIVERS),
        "cancel": Action(_OPEN, TransferStatus.CANCELLED, policy.TRANSFER_SENDERS),
    },
    stamp="updated_at",
    chain=_chain,
    forbidden=_forbidden,
    conflict=_conflict,
)


def _within(actor: User, area: Area) -> bool:
    """Whether ``area`` lies in the actor's area (by code prefix, as ``areas_within`` decides,
    without a query: the buttons of a list of transfers ask it for every row)."""
    own = actor.area if actor.is_authenticated else None
    if own is None:
        return False
    return area.code.startswith(own.code[: SUBTREE_PREFIX[own.level]])


def is_receiving_side(actor: User, transfer: Transfer) -> bool:
    return _within(actor, transfer.to_community)


def is_sending_side(actor: User, transfer: Transfer) -> bool:
    return _within(actor, transfer.from_community)


def _url(transfer: Transfer) -> str:
    return reverse("registry:transfer_detail", args=[transfer.pk])


def _label(community: Area) -> str:
    street = community.parent
    return f"{street.name} · {community.name}" if street is not None else community.name


def _lock_household(transfer: Transfer) -> Household:
    """Every decision locks the household before the transfer (one order for all of them): the
    chain entry's foreign key would otherwise lock them the other way round, and an accept and
    a cancel at the same moment would deadlock instead of one of them meeting a Conflict."""
    return Household.objects.select_for_update().get(pk=transfer.household_id)


@transaction.atomic
def transfer_request(
    *, actor: User, household: Household, to_community: Area, reason: str, to_address: str = ""
) -> Transfer:
    """The sending side asks a community in another street to take the household over."""
    policy.require_transfer_sender(actor)
    if not _within(actor, household.community):
        raise PermissionDenied(_("Only the household's own street can transfer it."))
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the household moves.")]
    if to_community.level != AreaLevel.COMMUNITY or to_community.parent is None:
        errors["to_community"] = [_("Choose a community.")]
    elif to_community.parent_id == household.street_id:
        errors["to_community"] = [
            _("This community is in the same street: edit the household's address instead.")
        ]
    if household.status != HouseholdStatus.ACTIVE:
        errors["household"] = [_("The household has exited assistance.")]
    if errors:
        raise ValidationFailed(errors)
    street = to_community.parent
    district = street.parent if street is not None else None
    if street is None or district is None:
        raise ValidationFailed({"to_community": [_("Choose a community.")]})
    if Transfer.objects.filter(household=household, status=TransferStatus.REQUESTED).exists():
        raise Conflict("transfer_open", _("A transfer of this household is already waiting."))
    transfer = Transfer.objects.create(
        household=household,
        from_district_id=household.district_id,
        from_street_id=household.street_id,
        from_community_id=household.community_id,
        to_district=district,
        to_street=street,
        to_community=to_community,
        to_address=to_address.strip(),
        reason=reason.strip(),
        requested_by=actor,
    )
    chain_add(
        household=household,
        source="transfer",
        source_id=transfer.pk,
        title=_("Transfer requested to %(to)s") % {"to": _label(to_community)},
        detail=transfer.reason,
        url=_url(transfer),
        actor=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=transfer,
        detail={"household": household.pk, "to_community": to_community.pk},
    )
    receivers = User.objects.filter(
        role=Role.STREET_CASEWORKER, area=street, is_active=True
    ).order_by("pk")
    notify(
        users=receivers,
        title=_("A household is being transferred to your street"),
        body=transfer.reason[:80],
        url=_url(transfer),
    )
    return transfer


@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """The receiving side takes the household over: its areas (and address, if a new one was
    given) change now, so scoping moves with it."""
    TRANSFER_FLOW.require("accept", obj=transfer, actor=actor)
    if not is_receiving_side(actor, transfer):
        raise PermissionDenied(_("Only the receiving street accepts a transfer."))
    household = _lock_household(transfer)
    if household.community_id != transfer.from_community_id:
        raise Conflict("household_moved", _("The household has moved since the request."))
    transfer = TRANSFER_FLOW.apply(
        obj=transfer,
        action="accept",
        actor=actor,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note[:200]},
        chain_title=_("Transferred from %(from)s to %(to)s")
        % {"from": _label(transfer.from_community), "to": _label(transfer.to_community)},
        chain_detail=note[:200],
        payload={
            "transfer_id": transfer.pk,
            "household_id": household.pk,
            "from_street_id": transfer.from_street_id,
            "to_street_id": transfer.to_street_id,
        },
    )
    fields = {
        "community_id": transfer.to_community_id,
        "street_id": transfer.to_street_id,
        "district_id": transfer.to_district_id,
        "updated_at": timezone.now(),
    }
    if transfer.to_address:
        fields["address"] = transfer.to_address
    Household.objects.filter(pk=household.pk).update(**fields)
    household.refresh_from_db()
    record_change(
        household=household,
        kind=ChangeKind.ADDRESS,
        actor=actor,
        reason=transfer.reason,
        detail={"transfer": transfer.pk, "fields": sorted(fields)},
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=household,
        detail={"transfer": transfer.pk, "fields": ["community", "street", "district"]},
    )
    notify(
        users=[transfer.requested_by],
        title=_("Transfer accepted"),
        body=_label(transfer.to_community),
        url=_url(transfer),
    )
    return transfer


@transaction.atomic
def transfer_refuse(*, actor: User, transfer: Transfer, note: str) -> Transfer:
    TRANSFER_FLOW.require("refuse", obj=transfer, actor=actor)
    if not is_receiving_side(actor, transfer):
        raise PermissionDenied(_("Only the receiving street refuses a transfer."))
    if not note.strip():
        raise ValidationFailed({"note": [_("Say why the transfer is refused.")]})
    _lock_household(transfer)
    transfer = TRANSFER_FLOW.apply(
        obj=transfer,
        action="refuse",
        actor=actor,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note[:200]},
        chain_title=_("Transfer refused by %(to)s") % {"to": _label(transfer.to_community)},
        chain_detail=note[:200],
    )
    notify(
        users=[transfer.requested_by],
        title=_("Transfer refused"),
        body=note[:80],
        url=_url(transfer),
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    TRANSFER_FLOW.require("cancel", obj=transfer, actor=actor)
    if not is_sending_side(actor, transfer):
        raise PermissionDenied(_("Only the sending street cancels a transfer."))
    _lock_household(transfer)
    return TRANSFER_FLOW.apply(
        obj=transfer,
        action="cancel",
        actor=actor,
        changes={"decided_by": actor, "decided_at": timezone.now(), "decision_note": note[:200]},
        chain_title=_("Transfer cancelled"),
        chain_detail=note[:200],
    )


def transfer_actions(transfer: Transfer, user: User) -> list[str]:
    """The moves ``user`` could make on ``transfer`` now (for buttons and the API)."""
    actions = TRANSFER_FLOW.actions_for(transfer.status, user.role)
    receiving = is_receiving_side(user, transfer) if actions else False
    sending = is_sending_side(user, transfer) if actions else False
    return [
        action
        for action in actions
        if (action in ("accept", "refuse") and receiving) or (action == "cancel" and sending)
    ]
