"""Department data in: import batches, the records they brought (minimum necessary: a keyed hash
of the identity number, the record's date and the columns the rules use) and potential cases
(people in department data whom the registry does not know)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiuzhu.core.encrypted_fields import IDENTITY, EncryptedDateField, LookupHashField
from jiuzhu.core.models import Area, Organisation
from jiuzhu.registry.models import Household, Member


class DataSource(models.TextChoices):
    MEDICAL = "medical", _("Medical insurance (医保)")
    UNEMPLOYMENT = "unemployment", _("Unemployment registration (人社)")
    DISABILITY = "disability", _("Disability certification (残联)")
    ILLNESS = "illness", _("Serious illness (卫健)")
    DISASTER = "disaster", _("Disaster damage (应急)")
    DEATH = "death", _("Deaths (公安)")
    HOUSING = "housing", _("Unsafe housing (住建)")
    SCHOOL = "school", _("School leaving (教育)")


def source_label(code: str) -> str:
    """The source's name in the user's language (the field stores the code: the API's
    ``source`` enum, not a model choice shared with other apps' ``source`` fields)."""
    try:
        return str(DataSource(code).label)
    except ValueError:
        return code


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    PARTIAL = "partial", _("Valid rows imported")
    REFUSED = "refused", pgettext_lazy("import status", "Refused")
    CHECKED = "checked", _("Checked (dry run)")


class ImportChannel(models.TextChoices):
    WEB = "web", _("Upload page")
    CLI = "cli", _("Command line")
    API = "api", _("API push")


class ImportBatch(models.Model):
    """One file (or API push) from a department: imported whole, valid rows only, checked
    without importing, or refused; with its per-row error report."""

    #: A key of ``engine.sources.SOURCES`` (``DataSource``), checked by the import service.
    source = models.CharField(_("data source"), max_length=16)
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=ImportChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    valid_rows_only = models.BooleanField(_("valid rows only"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    new_records = models.PositiveIntegerField(_("new records"), default=0)
    matched = models.PositiveIntegerField(_("matched to members"), default=0)
    potential_cases = models.PositiveIntegerField(_("potential cases"), default=0)
    warnings = models.PositiveIntegerField(_("warnings raised"), default=0)
    #: Why a whole file was refused: {"code", "line", "params"} (empty when it was not).
    refusal = models.JSONField(default=dict, blank=True)
    #: The per-row errors (row, column, value, code, params), the first REPORT_MAX of them.
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [
            models.Index(fields=["organisation", "id"]),
            models.Index(fields=["district", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.source_label} {self.file_name}"

    @property
    def source_label(self) -> str:
        return source_label(self.source)


class PotentialCaseStatus(models.TextChoices):
    OPEN = "open", _("To verify")
    REGISTERED = "registered", _("Registered")
    DISMISSED = "dismissed", _("Dismissed")


class PotentialCase(models.Model):
    """A person in department data whom the registry does not know: possible hidden poverty.
    The identity number is stored encrypted, with its keyed hash and last four characters."""

    id_number_encrypted = models.TextField()
    id_number_hash = LookupHashField(
        source="id_number_encrypted", kind=IDENTITY, from_token=True, automatic=False, unique=True
    )
    id_last4 = models.CharField(max_length=4)
    name = models.CharField(_("name"), max_length=64)
    birth_date = EncryptedDateField(_("birth date"), null=True, blank=True)  # like Member's
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", null=True)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PotentialCaseStatus.choices, default="open"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("potential case")
        verbose_name_plural = _("potential cases")

    def __str__(self) -> str:
        return f"{self.name} (****{self.id_last4})"


class DepartmentRecord(models.Model):
    """One department row, kept with only what the rules use. ``row_key`` is the keyed hash of
    the row's content: the same row imported again is recognised and changes nothing.

    Built for million-row files, which write every index entry and check every constraint:

    * Indexed only for what reads it: the row key (re-imports), a household's records by
      source and date and a potential case's (the rules; each index holds only the rows that
      have one), the batch. Not the identity hash (no query looks a record up by it), the
      member, nor the household alone (the composite index leads with it).
    * The member, household and potential case are references without a database constraint:
      one service writes records (``services/imports.py``), in the transaction that reads or
      creates the ids it writes, and members, households and cases are deactivated or closed,
      never deleted (``PROTECT`` still stops a delete in Django). The constraint cost a random
      lookup in another table per row and reference.

    Together a third off writing the records (bench/RESULTS.md, department import run 7)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="records")
    source = models.CharField(max_length=16)
    row_key = models.CharField(max_length=64)
    id_number_hash = models.CharField(max_length=64)
    on = models.DateField(_("date"))
    values = models.JSONField(default=dict)
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    potential_case = models.ForeignKey(
        PotentialCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("department record")
        constraints = [
            models.UniqueConstraint(fields=["source", "row_key"], name="department_record_once")
        ]
        indexes = [
            models.Index(
                fields=["household", "source", "on"],
                condition=models.Q(household__isnull=False),
                name="department_record_household",
            ),
            models.Index(
                fields=["potential_case"],
                condition=models.Q(potential_case__isnull=False),
                name="department_record_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.on}"

    @property
    def source_label(self) -> str:
        return source_label(self.source)
