"""Core data: administrative areas, organisations, accounts, API tokens, sign-in codes, audit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.identity import mask_mobile


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


class Area(models.Model):
    """An administrative area with its NBS statistical division code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=12, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class DibaoLine(models.Model):
    """A district's monthly minimum-living-allowance line, with the date it took effect."""

    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="dibao_lines")
    monthly_amount = models.DecimalField(_("monthly amount (yuan)"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dibao line")
        ordering = ["district", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="dibao_line_unique_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gt=0), name="dibao_line_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.monthly_amount} ({self.effective_from})"


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", _("Service provider")
    ASSESSMENT = "assessment", _("Assessment organisation")
    DEPARTMENT = "department", _("Partner department")


class Organisation(models.Model):
    """An organisation staff accounts belong to; later capabilities attach profiles to it."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BENEFICIARY = "beneficiary", _("Beneficiary household")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_CASEWORKER = "street_caseworker", _("Street caseworker")
    DISTRICT_MANAGER = "district_manager", _("District manager")
    CITY_ADMIN = "city_admin", _("City administrator")
    ASSESSOR = "assessor", _("Assessor")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    DEPARTMENT = "department", _("Partner department")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class User(AbstractUser):
    """A person who signs in. The role and the area or organisation decide what they see."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Created by the demo data loader.")
    #: Set when an administrator chose the password (creation, reset): the person must choose
    #: their own at the next sign-in before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    #: Kept by the two-factor services (enrol, reset) so that the sign-in gate knows without a
    #: query on every request whether this person has a second factor.
    two_factor_enabled = models.BooleanField(_("two-factor sign-in"), default=False)
    #: A grant of a role that sees case data waits for a second security administrator: who
    #: asked (never the one who approves) and who approved.
    approval_requested_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, blank=True)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: Tokens expire (JIUZHU_API_TOKEN_DAYS); a token made before expiry existed has none and
    #: expires that many days after its creation.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SignInRequest(models.Model):
    """One request for an SMS sign-in code, registered number or not, kept two days to enforce
    the sending limits. The number is kept only as its keyed hash (minimum necessary)."""

    mobile_hash = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sign-in code request")

    def __str__(self) -> str:
        return f"sign-in request {self.pk} at {self.created_at:%Y-%m-%d %H:%M}"


class SignInCode(models.Model):
    """A one-time code sent to a beneficiary's mobile number; only its hash is kept."""

    mobile = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")

    def __str__(self) -> str:
        return f"code for {mask_mobile(self.mobile)}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW = "view", _("View")
    REVEAL = "reveal", _("Reveal sensitive field")
    EXPORT = "export", _("Export")
    BULK_CREATE = "bulk_create", _("Bulk create")
    LOGIN = "login", _("Sign in")
    LOGOUT = "logout", _("Sign out")
    TOKEN = "token", _("API token")
    ACCOUNT = "account", _("Account change")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEntry(models.Model):
    """One audited event: who, when, from where, what, on which object, with what result.

    Append-only: nothing in the product updates or deletes these rows, and database triggers
    (see the migration) reject UPDATE always and DELETE within the retention period.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, db_constraint=False
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=24, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=AuditResult.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    #: HMAC of the entry's content under the audit key (``core.audit_chain``); empty only for
    #: entries written before the chain existed, which the first seal covers.
    mac = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"


class AuditSeal(models.Model):
    """A checkpoint of the audit chain: every entry up to ``upto_id`` folded, in id order, into
    ``chain`` by a keyed hash (``core.audit_chain``). Seals are append-only like the entries;
    deleting, inserting or editing a sealed entry changes the chain that ``jiuzhu audit verify``
    recomputes."""

    sequence = models.PositiveIntegerField(unique=True)
    upto_id = models.BigIntegerField()
    entries = models.PositiveBigIntegerField(help_text="entries folded into the chain so far")
    chain = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"seal {self.sequence} up to {self.upto_id}"


class Notification(models.Model):
    """An in-app message to one user about something they must act on or should know."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("message"), max_length=500, blank=True)
    url = models.CharField(max_length=200, blank=True)
    #: What the notification is about (by default its page, e.g. one order): the list groups
    #: a subject's notifications into one entry, and opening one reads them all.
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "subject"]),
        ]

    def __str__(self) -> str:
        return self.title


class JobOutcome(models.TextChoices):
    OK = "ok", _("succeeded")
    FAILED = "failed", _("failed")


class JobRun(models.Model):
    """The last run of one periodic job (one row per job name, overwritten on every run), so
    ``jiuzhu worker --status``, ``/readyz`` and the admin can say whether the jobs are running."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("last started"))
    finished_at = models.DateTimeField(_("last finished"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=JobOutcome.choices)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.outcome} {self.finished_at:%Y-%m-%d %H:%M:%S}"


class OutboxEvent(models.Model):
    """A domain event, written by :func:`jiuzhu.core.events.publish` in the same transaction as
    the change that caused it (a rolled-back change leaves no row). Its handlers are delivered
    from :class:`OutboxDelivery` rows, one per handler."""

    name = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("outbox event")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Delivered")
    DEAD = "dead", _("Failed")


class OutboxDelivery(models.Model):
    """One handler's delivery of one event. The handler's writes and the change of this row to
    ``done`` commit in one transaction, so a delivery happens exactly once or not at all; a
    handler that raises is retried with exponential back-off and marked ``dead`` after
    ``EVENTS_MAX_ATTEMPTS`` attempts."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(_("handler"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="outbox_one_per_handler")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.handler} ← event #{self.event_id} ({self.status})"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("being written")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class ExportJob(models.Model):
    """A list exported in the background because it holds more rows than an export inside the
    request may: the list's address and filters (replayed as its owner by the worker), progress,
    and the finished workbook under ``EXPORTS_DIR`` that only its owner may download until it
    expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="export_jobs")
    list_key = models.CharField(_("list"), max_length=64)
    title = models.CharField(_("title"), max_length=120)
    path = models.CharField(max_length=200)
    query = models.CharField(max_length=2000, blank=True)
    back = models.CharField(max_length=2200, blank=True)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    written = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background export")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.list_key} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, self.written * 100 // self.total)

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)
