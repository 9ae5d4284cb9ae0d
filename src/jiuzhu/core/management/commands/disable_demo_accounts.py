"""Switch off every demo account (the deploy check refuses while any is active)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, User


class Command(BaseCommand):
    help = "Deactivate every account created by the demo (their password is published)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        usernames = list(
            User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)
        )
        User.objects.filter(username__in=usernames).update(is_active=False)
        if usernames:
            audit.record(
                actor=None,
                actor_label="disable_demo_accounts",
                action=AuditAction.ACCOUNT,
                object_type="core.user",
                object_label="demo accounts disabled",
                detail={"accounts": sorted(usernames)},
            )
        self.stdout.write(f"Deactivated {len(usernames)} demo account(s).")
