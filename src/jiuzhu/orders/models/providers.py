"""Service providers: the social organisations (and other suppliers) that deliver services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import Area, Organisation


class SupplyType(models.TextChoices):
    """The eight supply types of the assistance service alliance (救助服务联盟)."""

    GOVERNMENT_PURCHASE = "government_purchase", _("Government-purchased services")
    SOCIAL_WORK = "social_work", _("Professional social work")
    RESOURCE_LINKAGE = "resource_linkage", _("Resource linkage")
    MUTUAL_AID = "mutual_aid", _("Community mutual aid")
    VOLUNTEERING = "volunteering", _("Public-welfare volunteering")
    PAIRED = "paired", _("Paired assistance")
    CHARITY = "charity", _("Charity")
    ENTERPRISE = "enterprise", _("Caring enterprise")


class Provider(models.Model):
    """The provider profile of an organisation (core.Organisation of kind "provider")."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="provider"
    )
    supply_type = models.CharField(_("supply type"), max_length=24, choices=SupplyType.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    social_workers = models.PositiveIntegerField(_("qualified social workers"), default=0)
    signature_projects = models.TextField(_("signature projects"), blank=True)
    base = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("base community")
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    streets = models.ManyToManyField(
        Area, related_name="providers_by_street", blank=True, verbose_name=_("service streets")
    )
    communities = models.ManyToManyField(
        Area,
        related_name="providers_by_community",
        blank=True,
        verbose_name=_("service communities"),
    )
    items = models.ManyToManyField(
        ServiceItem, related_name="providers", blank=True, verbose_name=_("items offered")
    )
    daily_capacity = models.PositiveIntegerField(_("orders per day"), default=20)
    contact_name = models.CharField(_("contact"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service provider")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(social_workers__lte=models.F("staff_count")),
                name="provider_social_workers_within_staff",
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name
