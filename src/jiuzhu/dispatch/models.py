"""The district smart dispatch centre (智慧救助调度中心) and the supervision hotline (监督热线)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import SlaClass
from jiuzhu.core.encrypted_fields import EncryptedCharField
from jiuzhu.core.models import Area
from jiuzhu.orders.models import Complaint, Order, Provider
from jiuzhu.registry.models import Household, UrgencyTag


class SlaPolicy(models.Model):
    """Deadlines to accept and to complete, in wall-clock hours from an order's creation.

    The most specific row wins: district + urgency tag + SLA class, then tag only, then class
    only, then the district's default (both blank). Without any row the built-in defaults of
    ``dispatch.sla.DEFAULTS`` apply.
    """

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="sla_policies")
    urgency_tag = models.CharField(
        _("urgency tag"), max_length=12, choices=UrgencyTag.choices, blank=True
    )
    sla_class = models.CharField(
        _("SLA class"), max_length=12, choices=SlaClass.choices, blank=True
    )
    accept_hours = models.DecimalField(_("accept within (hours)"), max_digits=6, decimal_places=2)
    complete_hours = models.DecimalField(
        _("complete within (hours)"), max_digits=7, decimal_places=2
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "urgency_tag", "sla_class"], name="sla_policy_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(accept_hours__gt=0)
                & models.Q(complete_hours__gte=models.F("accept_hours")),
                name="sla_policy_positive_and_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.urgency_tag or '*'} {self.sla_class or '*'}"


class OrderSla(models.Model):
    """An order's deadlines, fixed when it is created (changing a policy later does not move
    the deadlines of orders already placed)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="sla")
    accept_by = models.DateTimeField(db_index=True)
    complete_by = models.DateTimeField(db_index=True)
    accept_hours = models.DecimalField(max_digits=6, decimal_places=2)
    complete_hours = models.DecimalField(max_digits=7, decimal_places=2)
    urgent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("order deadlines")

    def __str__(self) -> str:
        return f"{self.order} accept by {self.accept_by:%Y-%m-%d %H:%M}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DispatchRun(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    considered = models.PositiveIntegerField(default=0)
    offered = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("dispatch run")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"run {self.pk}"


class DispatchOffer(models.Model):
    """The dispatch centre offers a waiting order to the best eligible provider, which must accept
    by ``respond_by`` or the order moves on. ``why`` records the choice (distance, load, rating,
    specialisation, cost, rank)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="offers")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offers")
    run = models.ForeignKey(DispatchRun, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    offered_at = models.DateTimeField(auto_now_add=True)
    respond_by = models.DateTimeField()
    why = models.JSONField(default=dict)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch offer")
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="offered"), name="one_live_offer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} → {self.provider}"


class EscalationReason(models.TextChoices):
    NO_PROVIDER = "no_provider", _("No eligible provider")
    ACCEPT_OVERDUE = "accept_overdue", _("Not accepted in time")
    COMPLETE_OVERDUE = "complete_overdue", _("Not completed in time")
    NO_CAPACITY = "no_capacity", _("No capacity left")
    BY_DISPATCHER = "by_dispatcher", _("Escalated by a dispatcher")


class Escalation(models.Model):
    """An order the district manager must look at."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="escalations")
    reason = models.CharField(max_length=20, choices=EscalationReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=300, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalations_raised",
    )
    raised_note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("escalation")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "reason"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_escalation_per_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.reason}"


class TicketKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    FEEDBACK = "feedback", _("Feedback")
    CONSULTATION = "consultation", _("Consultation")
    SERVICE_REQUEST = "service_request", _("Service request")


class TicketStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    HANDLED = "handled", _("Handled")
    CALLED_BACK = "called_back", _("Called back or visited")
    CLOSED = "closed", _("Closed")


class Ticket(models.Model):
    """A supervision-hotline ticket, linked to a household, an order or a provider."""

    number = models.CharField(max_length=24, unique=True)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=TicketKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.RECEIVED
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket"
    )
    caller_name = models.CharField(_("caller"), max_length=40, blank=True)
    caller_phone = EncryptedCharField(_("caller's phone"), max_length=20, blank=True)
    description = EncryptedCharField(_("description"), max_length=1000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets_assigned",
    )
    respond_by = models.DateTimeField(_("respond by"))
    handling_note = EncryptedCharField(_("how it was handled"), max_length=1000, blank=True)
    callback_note = EncryptedCharField(_("call-back or visit"), max_length=500, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("caller's satisfaction"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets_created"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    called_back_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hotline ticket")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="ticket_satisfaction_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.number


class DisplayToken(models.Model):
    """A read-only link for a dispatch-centre wall screen: the board's figures (counts only, no
    personal data) without a signed-in session, revocable by the district manager."""

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("display link")

    def __str__(self) -> str:
        return self.name
