"""The default framework shipped with the platform (``data/default_framework.yaml``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from jiuzhu.assessment.models import IndicatorFramework
from jiuzhu.assessment.services.frameworks import framework_import

DEFAULT_FRAMEWORK = Path(__file__).resolve().parent.parent / "data" / "default_framework.yaml"


def framework_load_default() -> IndicatorFramework:
    """Import and publish the default framework unless some framework exists already."""
    existing = IndicatorFramework.objects.order_by("-version").first()
    if existing is not None:
        return existing
    data = yaml.safe_load(DEFAULT_FRAMEWORK.read_text(encoding="utf-8"))
    return framework_import(data=data, actor=None, publish=True)
