"""``jiuzhu manage events``: the declared domain events and their handlers."""

from django.core.management.base import BaseCommand

from jiuzhu.core.events import registered


class Command(BaseCommand):
    help = "List declared domain events and the handlers that react to them."

    def handle(self, *args, **options):
        for event in registered():
            self.stdout.write(f"{event.name}: {event.description}")
            for handler in event.handlers:
                self.stdout.write(f"    -> {handler.__module__}.{handler.__qualname__}")
