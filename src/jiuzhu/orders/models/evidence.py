"""Delivery evidence: when the worker checked in and out, where the phone was at check-in, and
whether the household confirms the service took place. Provider evaluation reads these."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.orders.models.orders import Order


class Confirmation(models.TextChoices):
    PENDING = "pending", _("Not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed by the household")
    DISPUTED = "disputed", _("Disputed by the household")


class DeliveryEvidence(models.Model):
    """One per order that was checked into. Times come from the server's clock; the location is
    what the worker's phone reported (optional), kept with its accuracy and its distance from
    the household's community (the service address's coordinates)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="evidence")
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the service address (m)"), null=True, blank=True
    )
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    minutes_on_site = models.PositiveIntegerField(
        _("time on site (minutes)"), null=True, blank=True
    )
    usual_minutes = models.PositiveIntegerField(
        _("usual duration (minutes)"), null=True, blank=True
    )
    short_visit = models.BooleanField(_("far shorter than usual"), default=False)
    confirmation = models.CharField(
        _("household's confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.PENDING,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField(_("why disputed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery evidence")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(confirmation="disputed") | ~models.Q(dispute_reason=""),
                name="evidence_dispute_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="evidence_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} evidence"
