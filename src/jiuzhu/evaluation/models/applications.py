"""Applications to join the assistance service alliance (救助服务联盟) and their screening.

An organisation applies on a public form; the district's managers review it against the
district's scorecard (criteria with weights), each independently; a ranked shortlist follows and
approval admits the organisation as a provider (``orders.services.providers.provider_create``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.catalog.models import ServiceItem
from jiuzhu.core.models import Area
from jiuzhu.orders.models import Provider, SupplyType


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("In screening")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Criterion(models.TextChoices):
    """The screening criteria (the source document: size, professional staff, signature
    projects; plus qualifications and past performance on the platform)."""

    SIZE = "size", _("Size of the organisation")
    STAFF = "professional_staff", _("Professional staff")
    PROJECTS = "signature_projects", _("Signature projects")
    QUALIFICATIONS = "qualifications", _("Qualifications and certificates")
    PERFORMANCE = "past_performance", _("Past performance")


class DocumentKind(models.TextChoices):
    LICENCE = "licence", _("Registration certificate or licence")
    QUALIFICATION = "qualification", _("Qualification or certificate")
    OTHER = "other", _("Other document")


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=24, unique=True)
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street of the address")
    )
    name = models.CharField(_("organisation name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    supply_type = models.CharField(_("supply type"), max_length=24, choices=SupplyType.choices)
    staff_count = models.PositiveIntegerField(_("staff"))
    social_workers = models.PositiveIntegerField(_("qualified social workers"))
    signature_projects = models.TextField(_("signature projects"))
    past_projects = models.TextField(_("references of past projects"), blank=True)
    address = models.CharField(_("address"), max_length=200)
    items = models.ManyToManyField(
        ServiceItem, related_name="+", blank=True, verbose_name=_("services it would offer")
    )
    contact_name = models.CharField(_("contact"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    provider = models.OneToOneField(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("provider admitted"),
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application to join the alliance")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(social_workers__lte=models.F("staff_count")),
                name="application_social_workers_within_staff",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(decision_reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(provider__isnull=False),
                name="application_approval_has_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ApplicationDocument(models.Model):
    """A qualification, certificate or licence uploaded with the application (checked by its
    first bytes: PDF, JPEG or PNG), served only to those who may see the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to="applications/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationEvent(models.Model):
    """The application's history: every transition, with who and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application event")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class ScreeningCriterion(models.Model):
    """One row of a district's scorecard: a criterion, its weight and what reviewers look at."""

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(_("criterion"), max_length=24, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    guidance = models.CharField(_("what reviewers look at"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("screening criterion")
        ordering = ["district", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "criterion"], name="screening_criterion_once_per_district"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__lte=100), name="screening_weight_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.criterion} {self.weight}"


class Review(models.Model):
    """One reviewer's scorecard for one application, submitted once; its total is the weighted
    mean of its scores (``evaluation.engine.screening``)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("weighted score"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("overall comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening review")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0, total__lte=100), name="review_total_range"
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.application_id}"


class ReviewScore(models.Model):
    """A score (0–100) on one criterion with its reason, and the weight it counted with."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("criterion"), max_length=24, choices=Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("weight"))
    score = models.PositiveSmallIntegerField(_("score"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("review score")
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="review_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=100), name="review_score_at_most_100"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="review_score_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.score}"
