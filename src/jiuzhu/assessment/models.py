"""The six-dimension assessment (评·摸·问·开): versioned indicator frameworks, assessments,
plans (一户一策) and the re-assessment queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.catalog.models import Need, ServiceItem
from jiuzhu.core.encrypted_fields import EncryptedCharField, EncryptedTextField
from jiuzhu.core.models import Organisation
from jiuzhu.registry.models import Household, HouseholdChange, UrgencyTag


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", pgettext_lazy("framework status", "Retired")


class IndicatorFramework(models.Model):
    """One version of the indicator system. Published versions never change; editing starts a
    new draft. Fractions (cutoffs, weights) are kept as text such as "1/3" or "0.25" so they
    stay exact; the engine parses them."""

    name = models.CharField(_("name"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    poverty_cutoff = models.CharField(_("poverty cutoff k"), max_length=20, default="1/3")
    urgent_at = models.CharField(_("urgent intervention from score"), max_length=20, default="1/2")
    safety_net_at = models.CharField(_("safety net from score"), max_length=20, default="1/3")
    care_at = models.CharField(_("needs care from score"), max_length=20, default="1/5")
    notes = models.TextField(_("notes"), blank=True)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("indicator framework")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="framework_version_unique"),
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="published"),
                name="framework_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Dimension(models.Model):
    framework = models.ForeignKey(
        IndicatorFramework, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    weight = models.CharField(
        _("weight"), max_length=20, blank=True, help_text="Blank: dimensions share equally."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("dimension")
        ordering = ["framework", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class DataType(models.TextChoices):
    BOOLEAN = "boolean", _("Yes / no")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")


class Indicator(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    question = models.CharField(_("question"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=240, blank=True)
    help_text = models.CharField(_("guidance"), max_length=300, blank=True)
    data_type = models.CharField(_("answer type"), max_length=8, choices=DataType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    deprived_if = models.CharField(
        _("deprived if"), max_length=120, help_text='e.g. "< 1.5", "true", "in [\\"a\\"]"'
    )
    weight = models.CharField(_("weight"), max_length=20, blank=True)
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text="A deprivation here alone sets the tag to urgent intervention.",
    )
    prefill = models.CharField(_("pre-filled from"), max_length=40, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="+", verbose_name=_("needs"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["dimension__position", "position", "id"]

    def __str__(self) -> str:
        return self.code


class AssessmentReason(models.TextChoices):
    SCHEDULED = "scheduled", _("Periodic (定期评)")
    CHANGE = "change", _("Household change (立即评)")
    NEW = "new", _("New applicant (实时评)")
    DISCOVERY = "discovery", _("Discovered case (跟进评)")
    MANUAL = "manual", _("Requested by caseworker")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class Assessment(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(IndicatorFramework, on_delete=models.PROTECT)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=AssessmentReason.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    # 摸 — what the system knew when the visit started (registry facts, assistance received).
    baseline = models.JSONField(default=dict, blank=True)
    # 评 — the answers, by indicator code; None is "not answered".
    answers = models.JSONField(default=dict, blank=True)
    # 问 — the household's own wishes.
    wishes = EncryptedTextField(_("the household's wishes"), blank=True)
    wished_needs = models.ManyToManyField(Need, blank=True, related_name="+")
    revision = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Results, under this assessment's own framework version.
    score = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    score_exact = models.CharField(max_length=40, blank=True)
    poor = models.BooleanField(null=True)
    deprived = models.JSONField(default=list, blank=True)
    missing = models.JSONField(default=list, blank=True)
    critical = models.JSONField(default=list, blank=True)
    urgency_tag = models.CharField(max_length=12, choices=UrgencyTag.choices, blank=True)
    groups = models.CharField(max_length=120, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="+")

    class Meta:
        verbose_name = _("assessment")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["household", "status", "-submitted_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.household}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")
    SUPERSEDED = "superseded", _("Superseded")


#: Plans whose schedule is running or may run again.
LIVE_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.PAUSED)


class Plan(models.Model):
    """一户一策: what a household is to receive, graded by urgency."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="plans")
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="plan")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    urgency_tag = models.CharField(max_length=12, choices=UrgencyTag.choices)
    note = EncryptedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The schedule: services start the day after approval; pausing or ending changes what
    # is still to come only.
    starts_on = models.DateField(_("services start on"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assistance plan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Plan #{self.pk}"


class MaterialKind(models.TextChoices):
    """The eight statutory assistance categories."""

    DIBAO = "dibao", _("Minimum living allowance (最低生活保障)")
    TEKUN = "tekun", _("Support for the extremely poor (特困人员供养)")
    DISASTER = "disaster", _("Disaster relief (受灾人员救助)")
    MEDICAL = "medical", _("Medical assistance (医疗救助)")
    EDUCATION = "education", _("Education assistance (教育救助)")
    HOUSING = "housing", _("Housing assistance (住房救助)")
    EMPLOYMENT = "employment", _("Employment assistance (就业救助)")
    TEMPORARY = "temporary", _("Temporary assistance (临时救助)")


class ReferralStatus(models.TextChoices):
    RECOMMENDED = "recommended", _("Recommended")
    REFERRED = "referred", _("Referred")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class MaterialRecommendation(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=12, choices=MaterialKind.choices)
    reason = models.CharField(max_length=200)
    referral_status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECOMMENDED
    )

    class Meta:
        verbose_name = _("material assistance recommendation")
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="plan_material_once")]

    def __str__(self) -> str:
        return self.get_kind_display()


class PlanItemReason(models.TextChoices):
    """Why a service is in the plan (``planning``)."""

    DEPRIVATION = "deprivation", _("A deprivation")
    WISH = "wish", _("The household's wish")
    GROUP = "group", _("The group's typical need")
    CASEWORKER = "caseworker", _("Added by the caseworker")


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    service_item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True)
    per_month = models.PositiveSmallIntegerField(_("times per month"))
    months = models.PositiveSmallIntegerField(_("for months"))
    urgent = models.BooleanField(default=False)
    note = EncryptedCharField(max_length=200, blank=True)
    # Why it is there: a deprivation (indicator code), a wish (need code), a group (group code)
    # or the caseworker.
    reason_kind = models.CharField(
        max_length=12, choices=PlanItemReason.choices, default=PlanItemReason.CASEWORKER
    )
    reason_code = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("plan service item")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(per_month__gte=1) & models.Q(months__gte=1),
                name="plan_item_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.service_item)


class PlanOccurrence(models.Model):
    """One scheduled date of an approved plan item, and the order placed for it. Generated a
    few days ahead by the ``plans.schedule`` job; at most one per item and date."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="occurrences")
    on = models.DateField(_("date"))
    quantity = models.PositiveSmallIntegerField(default=1)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Not ordered (a limit reached, the household no longer eligible): why.
    skipped = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan occurrence")
        ordering = ["on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "on"], name="plan_occurrence_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.on}"


class AssessmentDue(models.Model):
    """A household waiting to be (re-)assessed, and why."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="dues")
    reason = models.CharField(max_length=10, choices=AssessmentReason.choices)
    due_on = models.DateField(_("due on"), db_index=True)
    change = models.ForeignKey(HouseholdChange, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="resolved"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assessment due")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "reason"],
                condition=models.Q(resolved_at__isnull=True),
                name="due_one_open_per_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.reason} {self.due_on}"


class Rescore(models.Model):
    """An assessment's answers scored under another framework version (for comparing a draft
    before publishing it, and for `jiuzhu rescore`)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rescores")
    framework = models.ForeignKey(IndicatorFramework, on_delete=models.CASCADE)
    score_exact = models.CharField(max_length=40)
    score = models.DecimalField(max_digits=7, decimal_places=6)
    poor = models.BooleanField(null=True)
    deprived = models.JSONField(default=list)
    urgency_tag = models.CharField(max_length=12, choices=UrgencyTag.choices, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rescore")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "framework"], name="rescore_once_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} @ {self.framework_id}"
