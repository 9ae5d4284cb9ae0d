"""Households in hardship, their members, recorded changes and the assistance chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.core.encrypted_fields import (
    IDENTITY,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
    LookupHashField,
)
from jiuzhu.core.models import Area, Organisation


class Tier(models.TextChoices):
    """Assistance tiers of the 2023 national opinion on low-income population monitoring."""

    DIBAO = "dibao", _("Dibao recipient (低保)")
    TEKUN = "tekun", _("Extremely poor (特困)")
    NEAR_DIBAO = "near_dibao", _("Near-dibao (低保边缘)")
    RIGID_EXPENDITURE = "rigid_expenditure", _("Rigid-expenditure hardship (刚性支出困难)")
    MONITORED = "monitored", _("Monitored against relapse (防止返贫监测)")
    OTHER = "other", _("Other hardship (其他困难)")


class Group(models.TextChoices):
    """Qixia's six groups (分群)."""

    ELDERLY = "elderly", _("Elderly")
    DISABILITY = "disability", _("Disability")
    MINORS = "minors", _("Minors")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    UNEMPLOYED = "unemployed", _("Able to work but unemployed")
    SINGLE_PARENT = "single_parent", _("Single parent")


class UrgencyTag(models.TextChoices):
    URGENT = "urgent", _("Urgent intervention")
    SAFETY_NET = "safety_net", _("Include in the safety net")
    CARE = "care", _("Needs care")
    WATCH = "watch", _("Keep watching")


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXITED = "exited", _("Exited")


class Household(models.Model):
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(_("address"), max_length=200)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_hash = LookupHashField(source="phone", blank=True)
    head_name = models.CharField(_("head of household"), max_length=64, blank=True)
    tier = models.CharField(_("assistance tier"), max_length=20, choices=Tier.choices)
    monthly_income = models.DecimalField(
        _("monthly household income (yuan)"), max_digits=10, decimal_places=2, default=0
    )
    medical_spending_12m = models.DecimalField(
        _("medical spending, last 12 months (yuan)"), max_digits=11, decimal_places=2, default=0
    )
    education_spending_12m = models.DecimalField(
        _("education spending, last 12 months (yuan)"), max_digits=11, decimal_places=2, default=0
    )
    urgency_tag = models.CharField(
        _("urgency tag"), max_length=12, choices=UrgencyTag.choices, blank=True
    )
    groups = models.CharField(
        _("groups"),
        max_length=120,
        blank=True,
        help_text="Group codes between bars, e.g. |elderly|disability|, for simple filtering.",
    )
    primary_group = models.CharField(
        _("primary group"), max_length=16, choices=Group.choices, blank=True
    )
    member_count = models.PositiveSmallIntegerField(_("members"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    exit_reason = models.CharField(_("exit reason"), max_length=200, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["district", "status", "id"]),
            models.Index(fields=["street", "status", "id"]),
            models.Index(fields=["community", "status", "id"]),
            models.Index(fields=["tier"]),
            models.Index(fields=["phone_hash"]),
            models.Index(fields=["head_name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_income__gte=0)
                & models.Q(medical_spending_12m__gte=0)
                & models.Q(education_spending_12m__gte=0),
                name="household_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active") | ~models.Q(exit_reason=""),
                name="household_exit_has_reason",
            ),
        ]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"#{self.pk} {self.head_name}".strip()

    @property
    def group_list(self) -> list[str]:
        return [g for g in self.groups.split("|") if g]


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class DisabilityType(models.TextChoices):
    NONE = "", _("None")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    PHYSICAL = "physical", _("Physical")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


class Illness(models.TextChoices):
    NONE = "", _("None")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    FLEXIBLE = "flexible", _("Flexible or informal work")
    UNEMPLOYED = "unemployed", _("Unemployed, able to work")
    UNABLE = "unable", _("Unable to work")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    CHILD = "child", _("Pre-school child")


class Schooling(models.TextChoices):
    NOT_APPLICABLE = "", _("Not applicable")
    PRESCHOOL = "preschool", _("Kindergarten")
    ENROLLED = "enrolled", _("Enrolled in school")
    NOT_ENROLLED = "not_enrolled", _("School age, not enrolled")
    HIGHER = "higher", _("Higher education")


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=64)
    id_number_encrypted = models.TextField()
    id_number_hash = LookupHashField(
        source="id_number_encrypted", kind=IDENTITY, from_token=True, automatic=False, db_index=True
    )
    id_last4 = models.CharField(max_length=4, db_index=True)
    # Encrypted: with the issuing area and ``id_last4`` it rebuilds the identity number (issue 16
    # item 1, docs/data-classification.md). ``sex`` is the parity of the 17th character, which
    # ``id_last4`` already shows, so it adds nothing and stays in clear.
    birth_date = EncryptedDateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))])
    mobile = EncryptedCharField(_("mobile number"), max_length=11, blank=True)
    mobile_hash = LookupHashField(source="mobile", blank=True, db_index=True)
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)
    disability_type = models.CharField(
        _("disability"), max_length=12, choices=DisabilityType.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, help_text="1 (most severe) to 4"
    )
    illness = models.CharField(_("illness"), max_length=8, choices=Illness.choices, blank=True)
    illness_note = EncryptedCharField(_("illness details"), max_length=120, blank=True)
    employment = models.CharField(_("employment status"), max_length=12, choices=Employment.choices)
    schooling = models.CharField(
        _("school enrolment"), max_length=12, choices=Schooling.choices, blank=True
    )
    guardian = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wards",
        verbose_name=_("guardian"),
    )
    is_active = models.BooleanField(_("current member"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=models.Q(is_active=True),
                name="member_active_in_one_household",
            ),
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=4),
                name="member_disability_grade_1_to_4",
            ),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name


class ChangeKind(models.TextChoices):
    REGISTERED = "registered", _("Household registered")
    MEMBER_ADDED = "member_added", _("Member added")
    MEMBER_LEFT = "member_left", _("Member left")
    MEMBER_DIED = "member_died", _("Member died")
    INCOME = "income", _("Income changed")
    ILLNESS = "illness", _("Illness changed")
    DISABILITY = "disability", _("Disability changed")
    EMPLOYMENT = "employment", _("Employment changed")
    SPENDING = "spending", _("Spending changed")
    TIER = "tier", _("Assistance tier changed")
    ADDRESS = "address", _("Address changed")
    EXITED = "exited", _("Household exited")
    REACTIVATED = "reactivated", _("Household reactivated")
    OTHER = "other", _("Other change")


class HouseholdChange(models.Model):
    """A recorded change in a household's circumstances; re-assessment reacts to these."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    occurred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household change")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class ChainEntry(models.Model):
    """One step on a household's assistance chain (一户一条救助链).

    Any capability adds entries through ``registry.services.chain.chain_add``; ``source`` and
    ``source_id`` name the record the entry stands for, so a capability can find its entries.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="chain")
    at = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(max_length=32)
    source_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    url = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("assistance chain entry")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "-at"])]

    def __str__(self) -> str:
        return self.title


class AssignmentPurpose(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")


class HouseholdAssignment(models.Model):
    """A household given to a person or organisation for a task (an assessor's home visit)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="household_assignments",
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    purpose = models.CharField(max_length=16, choices=AssignmentPurpose.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("household assignment")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | models.Q(organisation__isnull=False),
                name="assignment_has_assignee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.assignee or self.organisation}"


class BeneficiaryAccount(models.Model):
    """Links a beneficiary's sign-in account to the member whose mobile number they used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="beneficiary"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="accounts")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="accounts")
    #: Large text, high contrast and fewer choices on every page, kept with the account.
    elderly_mode = models.BooleanField(_("elderly-friendly mode"), default=False)

    class Meta:
        verbose_name = _("beneficiary account")

    def __str__(self) -> str:
        return f"{self.user} ({self.household})"


# --- Casework: case notes and visits, consent, transfers, the frontline team ---------------


class NoteKind(models.TextChoices):
    NOTE = "note", _("Case note")
    HOME_VISIT = "home_visit", _("Visit at home")
    PHONE_CALL = "phone_call", _("Phone follow-up")
    OFFICE = "office", _("Office visit")


#: The kinds that are a visit (a contact with the household), not only a note.
VISIT_KINDS = (NoteKind.HOME_VISIT, NoteKind.PHONE_CALL, NoteKind.OFFICE)


class CaseNote(models.Model):
    """A case note or a visit record on a household, with an optional follow-up date that
    becomes a task for its author on that day. A sensitive note is read only by the street
    caseworker and above (and its author)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="case_notes")
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices)
    occurred_on = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_notes"
    )
    # Encrypted for every note, not only sensitive ones: the flag can change after writing.
    findings = EncryptedTextField(_("what was found"), max_length=2000)
    next_step = EncryptedCharField(_("next step"), max_length=500, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sensitive = models.BooleanField(_("sensitive"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["household", "-occurred_on"]),
            models.Index(fields=["author", "follow_up_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_done_at__isnull=True)
                | models.Q(follow_up_on__isnull=False),
                name="case_note_done_needs_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def is_visit(self) -> bool:
        return self.kind in VISIT_KINDS


class ConsentScope(models.TextChoices):
    COLLECT = "collect", _("Collect and use for assistance")
    SHARE = "share", _("Collect, and share with partner departments")


class Consent(models.Model):
    """A household's consent (PIPL) to collect, or to collect and share, its information: when,
    what, who signed, who took it, the signed form's photo; and its withdrawal."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("scope"), max_length=8, choices=ConsentScope.choices)
    given_on = models.DateField(_("given on"))
    signed_by = models.CharField(_("signed by"), max_length=64)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    form_photo = models.FileField(_("signed form"), upload_to="consent/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | ~models.Q(withdrawal_reason=""),
                name="consent_withdrawal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.given_on}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", pgettext_lazy("transfer status", "Refused")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(models.Model):
    """A household moving to another street (or district): the sending side requests, the
    receiving side accepts or refuses. On acceptance the household's areas change, and with
    them who sees it; its history, plan and orders stay attached to it."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="transfers")
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    from_district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    from_street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    from_community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_street = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    to_address = models.CharField(_("new address"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household transfer")
        verbose_name_plural = _("household transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="requested"),
                name="transfer_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.to_community}"


class TrainingRecord(models.Model):
    """A course a frontline worker (救助小管家) took."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=120)
    completed_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    organiser = models.CharField(_("organiser"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.completed_on}"


class Commendation(models.Model):
    """Recognition given to a frontline worker."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commendations"
    )
    title = models.CharField(_("commendation"), max_length=120)
    awarded_on = models.DateField(_("date"))
    awarded_by = models.CharField(_("awarded by"), max_length=120, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commendation")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title
