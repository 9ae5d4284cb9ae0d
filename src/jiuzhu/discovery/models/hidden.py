"""The hidden-poverty list, precomputed (``discovery.selectors.hidden``): one row per household or
potential case that the evidence finds in hardship and nothing covers, with its evidence, and a
record of each refresh so the page can say how fresh the list is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Area
from jiuzhu.registry.models import Household


class HiddenPovertyEntry(models.Model):
    """One subject of the list: a registered household, or a potential case (``case_label``)
    found by an evidence source. Derived data: a refresh replaces the rows of its area."""

    key = models.CharField(max_length=160, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case_label = models.CharField(max_length=120, blank=True)
    district = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: The codes of the evidence sources, comma-separated with a comma at each end (",a,b,"),
    #: so one source is a plain ``contains`` filter on every database.
    sources = models.CharField(max_length=300)
    #: [{source, text, url, at}], in the order the sources gave them.
    evidence = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("hidden-poverty entry")
        verbose_name_plural = _("hidden-poverty entries")
        indexes = [models.Index(fields=["street", "key"]), models.Index(fields=["district"])]

    def __str__(self) -> str:
        return self.key


class HiddenPovertyRefresh(models.Model):
    """One computation of the list: the whole city (``street`` empty) or one street."""

    street = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=40)
    entries = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("hidden-poverty refresh")

    def __str__(self) -> str:
        return f"{self.trigger} {self.finished_at:%Y-%m-%d %H:%M}"
