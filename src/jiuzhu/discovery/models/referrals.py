"""Department referrals (救助服务联盟): material assistance in a household's plan sent to the
department responsible for it (医疗救助 to the medical-insurance bureau, 住房救助 to housing …),
with a response deadline, the department's answer, and escalation to the district when late.

A :class:`DepartmentDesk` says that a department is on the platform for one kind of assistance in
one district; where there is one, a plan's material recommendation of that kind is referred to it
(:class:`DepartmentReferral`) instead of having its status set by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.assessment.models import MaterialKind, MaterialRecommendation
from jiuzhu.core.models import Area, Organisation
from jiuzhu.registry.models import Household


class DepartmentDesk(models.Model):
    """A department that receives referrals of one kind of assistance in one district."""

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of assistance"), max_length=12, choices=MaterialKind.choices)
    department = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referral_desks"
    )
    respond_days = models.PositiveSmallIntegerField(_("days to answer"), default=5)
    complete_days = models.PositiveSmallIntegerField(_("days to complete"), default=30)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department desk")
        ordering = ["district", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind"],
                condition=models.Q(active=True),
                name="one_active_desk_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(respond_days__gte=1) & models.Q(complete_days__gte=1),
                name="desk_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_kind_display()}"


class DepartmentReferralStatus(models.TextChoices):
    SENT = "sent", _("Waiting for the department")
    ACCEPTED = "accepted", _("Accepted by the department")
    DECLINED = "declined", _("Declined by the department")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Referrals the department still owes an answer or an outcome on.
OPEN_STATUSES = (DepartmentReferralStatus.SENT, DepartmentReferralStatus.ACCEPTED)


class ReferralOutcome(models.TextChoices):
    GRANTED = "granted", _("Assistance granted")
    NOT_GRANTED = "not_granted", _("Not granted")


class DepartmentReferral(models.Model):
    """One material recommendation of a plan, referred to a department; or (started from the
    household page, without a recommendation) one kind of assistance the household needs."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="department_referrals"
    )
    recommendation = models.ForeignKey(
        MaterialRecommendation,
        on_delete=models.PROTECT,
        related_name="department_referrals",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind of assistance"), max_length=12, choices=MaterialKind.choices)
    department = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DepartmentReferralStatus.choices,
        default=DepartmentReferralStatus.SENT,
    )
    note = models.CharField(_("note to the department"), max_length=500, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReferralOutcome.choices, blank=True
    )
    outcome_note = models.CharField(_("outcome details"), max_length=500, blank=True)
    respond_by = models.DateTimeField(_("answer by"))
    complete_by = models.DateTimeField(_("complete by"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("department referral")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=models.Q(status__in=["sent", "accepted"]),
                name="one_open_referral_per_material",
            ),
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=models.Q(status__in=["sent", "accepted"], recommendation__isnull=True),
                name="one_open_direct_referral_per_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""),
                name="completed_referral_has_outcome",
            ),
        ]
        indexes = [models.Index(fields=["department", "status", "respond_by"])]

    def __str__(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R"

    @property
    def number(self) -> str:
        return str(self)


class DepartmentReferralEvent(models.Model):
    """The referral's history: each step, who took it, and what they wrote."""

    referral = models.ForeignKey(
        DepartmentReferral, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department referral step")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral} {self.action}"
