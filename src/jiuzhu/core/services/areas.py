"""Loading the administrative area tree and the districts' dibao lines from a data file.

Areas are reference data every other record points at, so loading must be safe to repeat: rows
are matched by their NBS code (and dibao lines by district and start date), changed in place when
the file says something new, and left alone otherwise. Nothing is deleted: a code that drops out
of the file may still be referenced by households.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from jiuzhu.core import audit
from jiuzhu.core.models import Area, AreaLevel, AuditAction, DibaoLine

#: The packaged Nanjing file (real city, district and street codes; illustrative communities).
NANJING_AREAS = Path(__file__).resolve().parent.parent / "data" / "nanjing_areas.json"

_CHILD_KEYS: dict[str, tuple[str, AreaLevel]] = {
    AreaLevel.CITY: ("districts", AreaLevel.DISTRICT),
    AreaLevel.DISTRICT: ("streets", AreaLevel.STREET),
    AreaLevel.STREET: ("communities", AreaLevel.COMMUNITY),
}


def read_area_file(*, path: Path = NANJING_AREAS) -> dict[str, Any]:
    """The parsed data file (JSON, the same shape as ``nanjing_areas.json``)."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _coordinate(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.000001"))


def _upsert_area(
    item: dict[str, Any], level: str, parent: Area | None, counts: dict[str, int]
) -> Area:
    wanted = {
        "name": item["name"],
        "level": level,
        "parent": parent,
        "latitude": _coordinate(item.get("latitude")),
        "longitude": _coordinate(item.get("longitude")),
    }
    area = Area.objects.filter(code=item["code"]).first()
    if area is None:
        counts["areas_created"] += 1
        return Area.objects.create(code=item["code"], **wanted)
    if any(getattr(area, key) != value for key, value in wanted.items()):
        for key, value in wanted.items():
            setattr(area, key, value)
        area.save()
        counts["areas_updated"] += 1
    return area


def _load_tree(
    item: dict[str, Any], level: str, parent: Area | None, counts: dict[str, int]
) -> None:
    area = _upsert_area(item, level, parent, counts)
    if level in _CHILD_KEYS:
        key, child_level = _CHILD_KEYS[level]
        for child in item.get(key, []):
            _load_tree(child, child_level, area, counts)


def _load_dibao_lines(lines: list[dict[str, Any]], counts: dict[str, int]) -> None:
    for line in lines:
        district = Area.objects.get(code=line["district"], level=AreaLevel.DISTRICT)
        _, created = DibaoLine.objects.update_or_create(
            district=district,
            effective_from=dt.date.fromisoformat(line["effective_from"]),
            defaults={
                "monthly_amount": Decimal(str(line["monthly_amount"])),
                "note": line.get("note", "")[:200],
            },
        )
        counts["dibao_lines_created" if created else "dibao_lines_seen"] += 1


@transaction.atomic
def load_areas(data: dict[str, Any]) -> dict[str, int]:
    """Create or update the areas and dibao lines in ``data``; returns what was done.

    Runs in one transaction so a bad file leaves the tree as it was. An audit entry is written
    only when something changed, so repeated demo start-ups do not fill the trail.
    """
    counts = dict.fromkeys(
        ("areas_created", "areas_updated", "dibao_lines_created", "dibao_lines_seen"), 0
    )
    _load_tree(data["city"], AreaLevel.CITY, None, counts)
    _load_dibao_lines(data.get("dibao_lines", []), counts)
    if counts["areas_created"] or counts["areas_updated"] or counts["dibao_lines_created"]:
        audit.record(
            actor=None,
            actor_label="load_areas",
            action=AuditAction.BULK_CREATE,
            object_type="core.area",
            object_label=data["city"]["name"],
            detail=counts,
        )
    return counts


def load_default_areas() -> dict[str, int]:
    """Load the packaged Nanjing file."""
    return load_areas(read_area_file())
