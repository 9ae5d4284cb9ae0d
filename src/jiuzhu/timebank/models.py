"""The volunteer time bank: accounts, the append-only double-entry ledger, movements and the
deposits that completed volunteer tasks earn.

Balances derive from the entries: every entry keeps its account's balance after it, and the
account row keeps the latest (the row the services lock, so that two movements from one account
are serialised). ``jiuzhu timebank verify`` replays the entries and compares. Entries are
append-only in the database itself (triggers in migration 0002 refuse UPDATE and DELETE).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.models import Area, Organisation


class AccountKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual volunteer")
    GROUP = "group", _("Volunteer group")
    HOUSEHOLD = "household", _("Household (hours granted from the pool)")
    POOL = "pool", _("Donation pool")
    ISSUER = "issuer", _("Hours issued (the bank's contra account)")
    REDEEMED = "redeemed", _("Hours redeemed for services")


#: Accounts people hold (the rest are the bank's own).
HELD_KINDS = (AccountKind.INDIVIDUAL, AccountKind.GROUP, AccountKind.HOUSEHOLD)
#: Accounts of the bank itself, one of each.
SYSTEM_KINDS = (AccountKind.POOL, AccountKind.ISSUER, AccountKind.REDEEMED)


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=100)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timebank_accounts",
        verbose_name=_("holder"),
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    balance_minutes = models.IntegerField(_("balance (minutes)"), default=0)
    earned_minutes = models.PositiveIntegerField(_("earned (minutes)"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("time-bank account")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="issuer") | models.Q(balance_minutes__gte=0),
                name="timebank_account_not_negative",
            ),
            models.UniqueConstraint(
                fields=["holder"],
                condition=models.Q(kind="individual"),
                name="timebank_one_individual_account_per_person",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(kind="household"),
                name="timebank_one_account_per_household",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind__in=["pool", "issuer", "redeemed"]),
                name="timebank_one_system_account_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MovementKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit for service given")
    TRANSFER = "transfer", _("Transfer to family")
    DONATION = "donation", _("Donation to the pool")
    REDEMPTION = "redemption", _("Redemption for a service")
    GRANT = "grant", _("Grant from the donation pool")


class MovementStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSTED = "posted", _("Posted")


class Movement(models.Model):
    """One movement of hours (its entries sum to zero). Transfers, donations and redemptions
    are posted through ``services.ledger.TRANSFER_FLOW``."""

    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=MovementStatus.choices, default=MovementStatus.PENDING
    )
    source = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    target = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    relation = models.CharField(_("relation"), max_length=12, blank=True)
    provider = models.ForeignKey(
        "orders.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
        help_text="The provider at whose counter hours were redeemed (the counterparty).",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("time-bank movement")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="timebank_movement_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.minutes}"


class Entry(models.Model):
    """One side of a movement. Append-only (database triggers)."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    minutes = models.IntegerField(_("minutes"))
    balance_after = models.IntegerField(_("balance after (minutes)"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(minutes=0), name="timebank_entry_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.minutes:+d}"

    @property
    def hours(self) -> float:
        """The movement in hours, as people read the bank (the ledger counts minutes)."""
        return self.minutes / 60

    @property
    def balance_after_hours(self) -> float:
        return self.balance_after / 60


class GroupActivity(models.Model):
    """One group activity (e.g. a community visit day) whose volunteers were deposited their
    hours together, each their own."""

    title = models.CharField(_("activity"), max_length=120)
    category = models.CharField(_("service category"), max_length=64, blank=True)
    held_on = models.DateField(_("held on"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group activity")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the household's confirmation")
    ESCALATED = "escalated", _("Waiting for the provider's confirmation")
    CONFIRMED = "confirmed", _("Confirmed and deposited")


class Deposit(models.Model):
    """Hours a completed volunteer task earns, deposited once confirmed (one per order)."""

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="deposits", verbose_name=_("account")
    )
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timebank_deposit",
        verbose_name=_("order"),
    )
    activity = models.ForeignKey(
        GroupActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deposits",
        verbose_name=_("group activity"),
    )
    title = models.CharField(_("service"), max_length=120)
    category = models.CharField(_("service category"), max_length=64, blank=True)
    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.PENDING
    )
    movement = models.OneToOneField(
        Movement, on_delete=models.PROTECT, null=True, blank=True, related_name="deposit"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("time-bank deposit")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="timebank_deposit_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.minutes}"
