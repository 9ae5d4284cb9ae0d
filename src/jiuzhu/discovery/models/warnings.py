"""Early warnings: the rules (data, versioned by the city), the warnings they raise, each
warning's history, and community referrals (熟人网络) that join the same verification queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Area
from jiuzhu.discovery.models.imports import DepartmentRecord, PotentialCase
from jiuzhu.registry.models import Household


class RuleKind(models.TextChoices):
    MEDICAL = "medical_out_of_pocket", _("Out-of-pocket medical costs")
    UNEMPLOYMENT = "long_unemployment", _("Long unemployment in a near-dibao household")
    DISABILITY = "severe_disability", _("New severe disability")
    DEATH = "main_earner_death", _("Death of the main earner")
    DISASTER = "disaster_damage", _("Disaster damage")
    SCHOOL = "school_leaving", _("A child leaving school")
    ILLNESS = "serious_illness", _("Serious illness")
    HOUSING = "unsafe_housing", _("Unsafe housing")


class Grade(models.TextChoices):
    """分级预警, most urgent first."""

    RED = "red", _("Red (most urgent)")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


class Indicator(models.TextChoices):
    """The six-dimension indicator a warning moves."""

    DAILY_LIVING = "daily_living", _("Daily living")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    HEALTH = "health", _("Health and medical care")
    EDUCATION = "education", _("Education burden")
    SOCIAL = "social", _("Social integration")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("In force")
    RETIRED = "retired", _("Retired")


class WarningRule(models.Model):
    """One version of an early-warning rule. Publishing a new version retires the old one;
    warnings keep the version that raised them."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=24, choices=RuleKind.choices)
    title = models.CharField(_("title"), max_length=120)
    params = models.JSONField(_("thresholds"), default=dict)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    verify_days = models.PositiveSmallIntegerField(_("days to verify"), default=7)
    indicator = models.CharField(_("indicator"), max_length=16, choices=Indicator.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("early-warning rule")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="warning_rule_version_once"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="published"),
                name="warning_rule_one_in_force",
            ),
            models.CheckConstraint(
                condition=models.Q(verify_days__gte=1), name="warning_rule_verify_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class WarningOrigin(models.TextChoices):
    DEPARTMENT = "department", _("Department data")
    REFERRAL = "referral", _("Community referral")
    ASSESSMENT = "assessment", _("Urgent assessment")
    HOTLINE = "hotline", _("Hotline ticket")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("To verify")
    DISMISSED = "dismissed", _("Dismissed")
    REGISTERED = "registered", _("New household registered")
    REASSESSMENT = "reassessment", _("Re-assessment requested")


class CommunityReferral(models.Model):
    """ "帮邻居报一下": a neighbour noticed someone in hardship. The referrer is told the outcome
    (confirmed or not), never the household's data."""

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referrer_role = models.CharField(max_length=24)
    name = models.CharField(_("name"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    noticed = models.CharField(_("what you noticed"), max_length=500)
    consent_note = models.CharField(_("consent"), max_length=200, blank=True)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("community referral")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name="", address=""), name="referral_names_someone"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class EarlyWarning(models.Model):
    """A warning to verify by a home visit before ``due_at``, with its explanation."""

    origin = models.CharField(_("origin"), max_length=12, choices=WarningOrigin.choices)
    rule = models.ForeignKey(
        WarningRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        DepartmentRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.OneToOneField(
        CommunityReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="warning"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    potential_case = models.ForeignKey(
        PotentialCase, on_delete=models.PROTECT, null=True, blank=True, related_name="warnings"
    )
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    indicator = models.CharField(
        _("indicator"), max_length=16, choices=Indicator.choices, blank=True
    )
    #: Which record, which rule (and version), the value, the threshold, the indicator.
    explanation = models.JSONField(default=dict)
    #: What makes two warnings the same (the same rule on the same record): raised once.
    dedupe_key = models.CharField(max_length=160, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    due_at = models.DateTimeField(_("verify by"))
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_note = models.CharField(_("outcome"), max_length=500, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["district", "status"]),
            models.Index(fields=["community", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(household__isnull=False)
                | models.Q(potential_case__isnull=False)
                | models.Q(referral__isnull=False),
                name="warning_is_about_someone",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_grade_display()}"


class WarningEventAction(models.TextChoices):
    RAISE = "raise", _("Raised")
    ASSIGN = "assign", _("Assigned for a visit")
    DISMISS = "dismiss", _("Dismissed")
    REGISTER = "register", _("New household registered")
    REASSESS = "reassess", _("Re-assessment requested")
    ESCALATE = "escalate", _("Escalated")


class WarningEvent(models.Model):
    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=WarningEventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.action
