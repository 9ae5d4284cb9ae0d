"""The service catalogue: the needs list (需求清单) and the service items households order from
(救助云超市), arranged as four service levels → service categories → service items.

Eligibility lists (groups, tiers, urgency tags) are stored as codes between bars
(``|elderly|disability|``), like ``registry.Household.groups``, so one ``contains`` filter works
on SQLite and PostgreSQL alike; an empty list means "any". See docs/catalogue.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
code_validator = RegexValidator(
    CODE_PATTERN,
    _("Use 2–40 lower-case letters, digits or underscores, starting with a letter."),
)


def encode_codes(codes: Iterable[str]) -> str:
    """The stored form of a list of codes: ``|a|b|``, or ``""`` for none (= any)."""
    unique = sorted({str(code) for code in codes if code})
    return f"|{'|'.join(unique)}|" if unique else ""


def decode_codes(stored: str) -> list[str]:
    return [code for code in (stored or "").split("|") if code]


class Named(models.Model):
    """Code, Chinese and English name, description, display position, timestamps."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class NeedCategory(Named):
    """One of the needs list's major categories (大类)."""

    active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="need_category_code_not_empty")
        ]


class Need(Named):
    """A sub-category of the needs list (小类): what a household may need."""

    category = models.ForeignKey(
        NeedCategory, on_delete=models.PROTECT, related_name="needs", verbose_name=_("category")
    )
    groups = models.CharField(
        _("typical groups"),
        max_length=120,
        blank=True,
        help_text="Group codes between bars; the groups this need typically applies to.",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="need_code_not_empty")]

    @property
    def group_list(self) -> list[str]:
        return decode_codes(self.groups)


class ServiceLevel(Named):
    """One of Qixia's four service levels (分级)."""

    class Meta(Named.Meta):
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="service_level_code_not_empty")
        ]


class ServiceCategory(Named):
    """A category of the assistance cloud supermarket (云超市大类), under one service level."""

    level = models.ForeignKey(
        ServiceLevel,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("service level"),
    )

    class Meta(Named.Meta):
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["level__position", "position", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="service_category_code_not_empty")
        ]


class Unit(models.TextChoices):
    """What one unit of an item is; prices and limits count in these units."""

    SESSION = "session", _("session")
    HOUR = "hour", _("hour")
    MEAL = "meal", _("meal")
    DAY = "day", _("day")
    MONTH = "month", _("month")
    COURSE = "course", _("course")


class SlaClass(models.TextChoices):
    """How fast an order for the item must be answered (the dispatch centre's SLA policy gives
    each class its response and completion times)."""

    URGENT = "urgent", _("Urgent")
    STANDARD = "standard", _("Standard")
    SCHEDULED = "scheduled", _("Scheduled")


class ServiceItem(Named):
    """A service a household can receive, with its price, eligibility and limits."""

    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("service category"),
    )
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.SESSION)
    price = models.DecimalField(
        _("price to government (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the government pays per unit when it buys the service; 0 = free.",
    )
    groups = models.CharField(_("eligible groups"), max_length=120, blank=True)
    tiers = models.CharField(_("eligible tiers"), max_length=160, blank=True)
    urgency_tags = models.CharField(_("eligible urgency tags"), max_length=80, blank=True)
    max_per_week = models.PositiveSmallIntegerField(
        _("limit per household per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    max_per_month = models.PositiveSmallIntegerField(
        _("limit per household per month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    sla_class = models.CharField(
        _("SLA class"), max_length=12, choices=SlaClass.choices, default=SlaClass.STANDARD
    )
    usual_minutes = models.PositiveSmallIntegerField(
        _("usual duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How long one visit usually takes; visits far shorter are flagged.",
    )
    needs = models.ManyToManyField(
        Need, related_name="items", blank=True, verbose_name=_("needs met")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category__level__position", "category__position", "position", "code"]
        indexes = [models.Index(fields=["active", "category"])]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="service_item_code_not_empty"),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="service_item_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(max_per_week__isnull=True) | Q(max_per_week__gte=1),
                name="service_item_week_limit_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(max_per_month__isnull=True) | Q(max_per_month__gte=1),
                name="service_item_month_limit_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(max_per_week__isnull=True)
                | Q(max_per_month__isnull=True)
                | Q(max_per_week__lte=models.F("max_per_month")),
                name="service_item_week_limit_within_month",
            ),
        ]

    @property
    def group_list(self) -> list[str]:
        return decode_codes(self.groups)

    @property
    def tier_list(self) -> list[str]:
        return decode_codes(self.tiers)

    @property
    def urgency_list(self) -> list[str]:
        return decode_codes(self.urgency_tags)

    @property
    def is_free(self) -> bool:
        return self.price == 0
