"""``jiuzhu manage load_catalogue`` — load the default needs list and service catalogue.

Idempotent by code: run it any number of times. Existing rows keep administrators' edits unless
``--update`` is given, which brings them back in line with ``catalog/data/*.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.catalog.services import CatalogueFileError, catalogue_load_defaults


class Command(BaseCommand):
    help = "Load the default needs list and service catalogue (idempotent by code)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite existing rows with the values in the data files.",
        )
        parser.add_argument("--catalogue", type=Path, default=None, help="Another catalogue YAML.")
        parser.add_argument("--needs", type=Path, default=None, help="Another needs YAML.")

    def handle(self, *args, update=False, catalogue=None, needs=None, **options):
        try:
            summary = catalogue_load_defaults(
                update=update, catalogue_path=catalogue, needs_path=needs
            )
        except (CatalogueFileError, OSError) as error:
            raise CommandError(str(error)) from None
        if not summary.changed:
            self.stdout.write("Catalogue already up to date.")
            return
        for label, counts in (("created", summary.created), ("updated", summary.updated)):
            if counts:
                parts = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
                self.stdout.write(f"{label}: {parts}")
