"""Areas through the API: clients need community ids to register households."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema

from jiuzhu.core.api import choice
from jiuzhu.core.models import Area, AreaLevel
from jiuzhu.core.services.dibao import dibao_line_for

router = Router(tags=["areas"])


class AreaOut(Schema):
    id: int
    code: str
    name: str
    level: str = choice(AreaLevel)
    parent_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    dibao_line: Decimal | None = None


@router.get("/areas", response=list[AreaOut])
def list_areas(
    request,
    level: str = choice(AreaLevel, "", blank=True, query=True),
    parent: int | None = None,
):
    """Every administrative area (public knowledge, not case data); the dibao line in force
    today is given for districts."""
    areas = Area.objects.all()
    if level:
        areas = areas.filter(level=level)
    if parent is not None:
        areas = areas.filter(parent_id=parent)
    today = timezone.localdate()
    out = []
    for area in areas:
        data = AreaOut.from_orm(area).dict()
        if area.level == "district":
            line = dibao_line_for(district=area, on=today)
            data["dibao_line"] = line.monthly_amount if line else None
        out.append(data)
    return out
