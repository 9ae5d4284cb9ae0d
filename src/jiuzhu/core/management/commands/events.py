"""``jiuzhu manage events``: the declared domain events and their handlers; with ``--failed``,
the deliveries that failed (being retried, or dead); with ``--drain``, deliver what is due now."""

from django.core.management.base import BaseCommand

from jiuzhu.core.events import handler_key, registered
from jiuzhu.core.models import DeliveryStatus, OutboxDelivery


class Command(BaseCommand):
    help = "List declared domain events and their handlers, or failed event deliveries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed",
            action="store_true",
            help="list deliveries that failed: dead ones and those waiting for a retry",
        )
        parser.add_argument(
            "--drain", action="store_true", help="deliver every due event now (as the worker does)"
        )

    def handle(self, *args, failed=False, drain=False, **options):
        if drain:
            from jiuzhu.core.outbox import drain as drain_outbox

            self.stdout.write(f"{drain_outbox()}")
            return
        if failed:
            self._failed()
            return
        for event in registered():
            self.stdout.write(f"{event.name}: {event.description}")
            for handler in event.handlers:
                self.stdout.write(f"    -> {handler_key(handler)}")

    def _failed(self) -> None:
        rows = (
            OutboxDelivery.objects.select_related("event")
            .exclude(status=DeliveryStatus.DONE)
            .filter(attempts__gt=0)
            .order_by("status", "-last_attempt_at", "-id")
        )
        count = 0
        for row in rows.iterator():
            count += 1
            error = (row.last_error.strip().splitlines() or [""])[-1]
            when = (
                "never again"
                if row.status == DeliveryStatus.DEAD
                else f"next {row.next_attempt_at:%Y-%m-%d %H:%M:%S}"
            )
            self.stdout.write(
                f"#{row.pk} {row.status} {row.event.name} #{row.event_id} -> {row.handler} "
                f"attempts={row.attempts} {when}: {error}"
            )
        self.stdout.write(f"{count} failed deliveries")
