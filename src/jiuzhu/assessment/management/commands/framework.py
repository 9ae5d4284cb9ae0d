"""``jiuzhu manage framework`` — list, load the default, import, export or publish frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from jiuzhu.assessment.frameworks import framework_as_dict
from jiuzhu.assessment.models import IndicatorFramework
from jiuzhu.assessment.services.defaults import framework_load_default
from jiuzhu.assessment.services.frameworks import framework_import, framework_publish
from jiuzhu.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Indicator frameworks: list | load-default | import FILE [--publish] | export V | publish V"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=["list", "load-default", "import", "export", "publish"]
        )
        parser.add_argument("target", nargs="?")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, action, target=None, publish=False, **options):
        try:
            if action == "list":
                for fw in IndicatorFramework.objects.order_by("version"):
                    self.stdout.write(f"v{fw.version}  {fw.status:<9}  {fw.name}")
            elif action == "load-default":
                fw = framework_load_default()
                self.stdout.write(f"v{fw.version} {fw.status} {fw.name}")
            elif action == "import":
                path = Path(target or "")
                if not path.is_file():
                    raise CommandError(f"no such file: {target}")
                text = path.read_text(encoding="utf-8")
                data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
                fw = framework_import(data=data, actor=None, publish=publish)
                self.stdout.write(f"imported v{fw.version} ({fw.status})")
            elif action == "export":
                fw = self._get(target)
                self.stdout.write(
                    yaml.safe_dump(framework_as_dict(fw), allow_unicode=True, sort_keys=False)
                )
            else:
                fw = framework_publish(framework=self._get(target), actor=None)
                self.stdout.write(f"published v{fw.version}")
        except DomainError as error:
            raise CommandError(f"{error.message} {error.extra}") from None

    def _get(self, version):
        try:
            return IndicatorFramework.objects.get(version=int(version or 0))
        except (ValueError, IndicatorFramework.DoesNotExist):
            raise CommandError(f"no framework version {version!r}") from None
