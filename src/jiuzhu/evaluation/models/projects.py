"""Purchased-service projects (purchase contracts), spot checks, and the settlement statements
that pay them by quality (docs/settlement.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import Area
from jiuzhu.orders.models import Order, Provider


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class SettlementRule(models.Model):
    """A district's quality tiers: ``[[minimum score, pay percent], …]`` (below every minimum the
    payment is withheld pending rectification). Statements copy the tiers they used."""

    district = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="+")
    tiers = models.JSONField(_("quality tiers"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("settlement rule")

    def __str__(self) -> str:
        return f"{self.district}"


class Project(models.Model):
    """A government purchase of services from one provider in one district."""

    code = models.CharField(_("contract number"), max_length=32, unique=True)
    name = models.CharField(_("project"), max_length=100)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="projects")
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends (exclusive)"))
    cycle_years = models.PositiveSmallIntegerField(_("cycle (years)"), default=1)
    period_kind = models.CharField(
        _("settlement period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    #: ``{kpi: weight}`` over ``evaluation.engine.quality.KPIS``.
    kpi_weights = models.JSONField(_("quality KPI weights"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("purchased-service project")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="project_ends_after"
            ),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="project_budget_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(_("unit price (yuan)"), max_digits=10, decimal_places=2)
    volume_target = models.PositiveIntegerField(_("volume per period"), default=0)

    class Meta:
        verbose_name = _("project item")
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="project_item_once"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="project_item_price_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.item_id}"


class SpotMethod(models.TextChoices):
    VISIT = "visit", _("Home visit")
    PHONE = "phone", _("Phone call")


class SpotCheck(models.Model):
    """A manager's spot check (抽查) of a project: the orders sampled, what was found, a score."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spot_checks")
    checked_on = models.DateField(_("checked on"))
    method = models.CharField(_("method"), max_length=8, choices=SpotMethod.choices)
    orders = models.ManyToManyField(Order, related_name="+", verbose_name=_("orders sampled"))
    findings = models.CharField(_("findings"), max_length=1000)
    score = models.PositiveSmallIntegerField(_("score (0–100)"))
    photo = models.FileField(_("photo"), upload_to="spotchecks/%Y/%m/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("spot check")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="spot_check_score_le_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.checked_on}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved and locked")
    PAID = "paid", _("Paid")


LOCKED = (StatementStatus.APPROVED, StatementStatus.PAID)


class Statement(models.Model):
    """One project's settlement for one period. Approved or paid, it is locked: database
    triggers refuse any change to its amounts and lines (migration 0002_projects)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="statements")
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM or YYYY-Qn")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        _("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    score = models.DecimalField(
        _("quality score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    #: The score's parts: ``[{kpi, figure, weight, points, used}]`` and the spot checks used.
    quality = models.JSONField(default=dict)
    tiers = models.JSONField(default=list)
    percent = models.DecimalField(_("pay percent"), max_digits=5, decimal_places=2)
    gross = models.DecimalField(_("deliveries at unit price"), max_digits=14, decimal_places=2)
    payable = models.DecimalField(_("payable after quality"), max_digits=14, decimal_places=2)
    withheld = models.DecimalField(_("withheld"), max_digits=14, decimal_places=2)
    corrections_total = models.DecimalField(
        _("corrections"), max_digits=14, decimal_places=2, default=0
    )
    total = models.DecimalField(_("total (yuan)"), max_digits=14, decimal_places=2)
    fingerprint = models.CharField(max_length=64)
    drafted_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("settlement statement")
        ordering = ["-period_start", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="statement_once_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.period}"

    @property
    def locked(self) -> bool:
        return self.status in LOCKED


class LineKind(models.TextChoices):
    ITEM = "item", _("Service item")
    CORRECTION = "correction", _("Correction carried from an earlier statement")


class DisputeState(models.TextChoices):
    NONE = "", _("Not disputed")
    OPEN = "open", _("Disputed")
    UPHELD = "upheld", _("Upheld: corrected in the next statement")
    REJECTED = "rejected", _("Rejected")


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("line"), max_length=200)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveIntegerField(default=0)
    gross = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    #: The confirmed deliveries the line counts (order ids), or, for a correction, none.
    orders = models.JSONField(default=list)
    #: The upheld complaints about those orders (complaint ids): complaint → order → line.
    complaints = models.JSONField(default=list)
    correction = models.OneToOneField(
        "Correction", on_delete=models.PROTECT, null=True, blank=True, related_name="line"
    )
    dispute = models.CharField(
        _("dispute"), max_length=8, choices=DisputeState.choices, default="", blank=True
    )
    dispute_reason = models.CharField(_("why disputed"), max_length=500, blank=True)
    resolution_note = models.CharField(_("resolution"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statement line")
        ordering = ["statement_id", "kind", "id"]

    def __str__(self) -> str:
        return self.description


class Correction(models.Model):
    """An amount decided after a statement's line (an upheld dispute), carried into the project's
    next statement that is still a draft (``carried_into``)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="corrections")
    source_line = models.ForeignKey(
        StatementLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    carried_into = models.ForeignKey(
        Statement, on_delete=models.PROTECT, null=True, blank=True, related_name="carried"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("settlement correction")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.amount}"


class StatementEvent(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.action}"

    @property
    def from_label(self) -> str:
        """The status before, in the reader's language ("" for the first step)."""
        return str(StatementStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(StatementStatus(self.to_status).label)
