"""Orders from the cloud supermarket and everything that happens to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.encrypted_fields import EncryptedCharField
from jiuzhu.orders.models.providers import Provider
from jiuzhu.registry.models import Household


class OrderStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a provider")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned to a worker")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


#: Orders still to be delivered: past their completion deadline, they count as late in every
#: on-time figure (a rate computed over completed orders only would read 100 % beside a pile of
#: overdue ones).
UNFINISHED_STATUSES = (
    OrderStatus.WAITING,
    OrderStatus.ACCEPTED,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_SERVICE,
)


class Channel(models.TextChoices):
    """Who placed the order."""

    SELF = "self", _("By the household online")
    COMMUNITY = "community", _("By a community worker")
    HOTLINE = "hotline", _("By the hotline")
    PLAN = "plan", _("From an approved plan")


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=24, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="orders")
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="orders", verbose_name=_("service")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    preferred_time = models.DateTimeField(_("preferred time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.WAITING
    )
    channel = models.CharField(_("placed"), max_length=10, choices=Channel.choices)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_placed"
    )
    source = models.CharField(max_length=32, blank=True, help_text="e.g. plan item")
    source_id = models.CharField(max_length=64, blank=True)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_assigned",
        verbose_name=_("worker"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["household", "item", "created_at"]),
            models.Index(fields=["provider", "status"]),
            # "accepted today" per provider (capacity left), read by every dispatch run and
            # by the board's poll: a range over the provider's acceptances, not its orders.
            models.Index(fields=["provider", "accepted_at"], name="order_provider_accepted"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_quantity_1"),
            models.CheckConstraint(
                condition=models.Q(status__in=["waiting", "cancelled"])
                | models.Q(provider__isnull=False),
                name="order_taken_has_provider",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderEvent(models.Model):
    """One transition, with who made it and when (shown on the order and the chain)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.action}"


class OrderDecline(models.Model):
    """A provider said no to a waiting order; the order stays open for others."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="declines")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="declines")
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order decline")
        constraints = [models.UniqueConstraint(fields=["order", "provider"], name="decline_once")]

    def __str__(self) -> str:
        return f"{self.provider} declined {self.order}"


class DeliveryRecord(models.Model):
    """What was done (the check-out record)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="delivery")
    summary = models.CharField(_("what was done"), max_length=500)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="delivery/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delivery record")

    def __str__(self) -> str:
        return self.summary


class Rating(models.Model):
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"


class ComplaintStatus(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Not upheld")


class Complaint(models.Model):
    """A complaint about an order; the supervision hotline handles it (dispatch centre). Those
    who handle it decide whether it is upheld (``orders.services.complaints``); only upheld
    complaints count against a provider's quality in settlement."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="complaints")
    text = EncryptedCharField(_("complaint"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("verdict"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.PENDING,
        db_index=True,
    )
    decision_note = models.CharField(_("why"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.text[:40]


class IdempotencyKey(models.Model):
    """The first response to a creation request, replayed when the same user retries it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return self.key
