"""Figures kept for the dashboards: monthly snapshots (taken once, never recomputed) and the
current figures that are too slow to compute on every page view (refreshed by a periodic job).

Both hold one number per (area, metric key); the keys are listed in ``selectors/figures.py``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Area


class MonthlySnapshot(models.Model):
    """A figure of an area for a month, as it was when taken. Rows are only ever inserted:
    taking a month again adds the keys it lacks and leaves every existing row untouched."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text="the first day of the month")
    key = models.CharField(_("metric"), max_length=64)
    value = models.FloatField(_("value"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("monthly snapshot")
        verbose_name_plural = _("monthly snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month", "key"], name="analytics_snapshot_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="analytics_snapshot_first_of_month"
            ),
        ]
        indexes = [models.Index(fields=["key", "month"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m} {self.key}={self.value}"


class CurrentFigure(models.Model):
    """The latest value of a figure that is slow to compute live (the poverty measures), with
    the time it was computed; replaced by each run of the refresh job."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("metric"), max_length=64)
    value = models.FloatField(_("value"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("current figure")
        verbose_name_plural = _("current figures")
        constraints = [
            models.UniqueConstraint(fields=["area", "key"], name="analytics_current_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.key}={self.value}"
