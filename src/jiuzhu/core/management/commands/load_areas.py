"""Load the administrative area tree and dibao lines from a JSON file (default: Nanjing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from jiuzhu.core.services.areas import NANJING_AREAS, load_areas, read_area_file


class Command(BaseCommand):
    help = "Create or update areas and dibao lines from a JSON file; safe to repeat."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=NANJING_AREAS,
            help="JSON in the shape of core/data/nanjing_areas.json (default: that file).",
        )

    def handle(self, *args, **options) -> None:
        counts = load_areas(read_area_file(path=options["file"]))
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
