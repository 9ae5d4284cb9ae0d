"""Catalogue endpoints under /api/v1/catalog. Thin: validate through the shared forms, call the
services and selectors, shape the output. Categories, levels and needs are named by code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema, Status
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError

from jiuzhu.catalog import selectors
from jiuzhu.catalog import services as catalog_services
from jiuzhu.catalog.forms import ServiceItemForm
from jiuzhu.catalog.models import NeedCategory, ServiceItem, ServiceLevel, SlaClass, Unit
from jiuzhu.core.api import ErrorOut, choice
from jiuzhu.core.errors import ValidationFailed
from jiuzhu.core.forms import restrict_to, validated
from jiuzhu.core.models import AuditAction
from jiuzhu.registry.models import Group, Tier, UrgencyTag

router = Router(tags=["catalog"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ItemOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    level: str
    level_name: str
    category: str
    category_name: str
    unit: str = choice(Unit)
    price: Decimal
    groups: list[str]
    tiers: list[str]
    urgency_tags: list[str]
    max_per_week: int | None
    max_per_month: int | None
    sla_class: str = choice(SlaClass)
    needs: list[str]
    active: bool
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ItemList(Schema):
    count: int
    items: list[ItemOut]


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    name_en: str = ""
    category: str
    description: str = ""
    unit: str = choice(Unit, Unit.SESSION.value)
    price: Decimal
    sla_class: str = choice(SlaClass, SlaClass.STANDARD.value)
    max_per_week: int | None = None
    max_per_month: int | None = None
    groups: list[str] = []
    tiers: list[str] = []
    urgency_tags: list[str] = []
    needs: list[str] = []
    position: int | None = None
    active: bool = True


class ItemPatch(Schema):
    """Only the fields sent change; the code never does. ``active`` false deactivates."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    name_en: str | None = None
    category: str | None = None
    description: str | None = None
    unit: str | None = choice(Unit, None, null=True)
    price: Decimal | None = None
    sla_class: str | None = choice(SlaClass, None, null=True)
    max_per_week: int | None = None
    max_per_month: int | None = None
    groups: list[str] | None = None
    tiers: list[str] | None = None
    urgency_tags: list[str] | None = None
    needs: list[str] | None = None
    position: int | None = None
    active: bool | None = None
    reason: str = ""


class NeedOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    category: str
    groups: list[str]
    active: bool


class NeedCategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    active: bool
    needs: list[NeedOut]


class NeedList(Schema):
    count: int
    categories: list[NeedCategoryOut]


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    item_count: int


class LevelOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    categories: list[CategoryOut]


class LevelList(Schema):
    count: int
    levels: list[LevelOut]


def item_out(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "description": item.description,
        "level": item.category.level.code,
        "level_name": item.category.level.name,
        "category": item.category.code,
        "category_name": item.category.name,
        "unit": item.unit,
        "price": item.price,
        "groups": item.group_list,
        "tiers": item.tier_list,
        "urgency_tags": item.urgency_list,
        "max_per_week": item.max_per_week,
        "max_per_month": item.max_per_month,
        "sla_class": item.sla_class,
        "needs": [need.code for need in item.needs.all()],
        "active": item.active,
        "position": item.position,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _need_out(need, category_code: str) -> dict[str, Any]:
    return {
        "id": need.pk,
        "code": need.code,
        "name": need.name,
        "name_en": need.name_en,
        "description": need.description,
        "category": category_code,
        "groups": need.group_list,
        "active": need.active,
    }


def _category_out(category: NeedCategory) -> dict[str, Any]:
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "description": category.description,
        "active": category.active,
        "needs": [_need_out(need, category.code) for need in category.visible_needs],
    }


def _level_out(level: ServiceLevel) -> dict[str, Any]:
    return {
        "id": level.pk,
        "code": level.code,
        "name": level.name,
        "name_en": level.name_en,
        "description": level.description,
        "categories": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "name_en": c.name_en,
                "description": c.description,
                "item_count": c.item_count,
            }
            for c in level.category_list
        ],
    }


def _parsed(schema: type[Schema], body: dict[str, Any]) -> Schema:
    """Validate a JSON body *after* the permission check, so a refused caller gets 403 whatever
    they sent; schema problems come back as 422 in the project's shape."""
    try:
        return schema.model_validate(body)
    except PydanticValidationError as error:
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            name = ".".join(str(part) for part in problem.get("loc", ())) or "__all__"
            fields.setdefault(name, []).append(str(problem.get("msg", _("Not valid."))))
        raise ValidationFailed(fields) from None


def _body_schema(schema: type[Schema]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


def _check_filter(name: str, value: str, allowed) -> dict[str, list[str]]:
    if value and value not in allowed:
        return {name: [_("Unknown value: %s") % value[:40]]}
    return {}


@router.get("/items", response={200: ItemList, **ERRORS})
def list_items(
    request,
    q: str = Query("", max_length=64),
    level: str = Query("", max_length=40),
    category: str = Query("", max_length=40),
    group: str = "",
    tier: str = choice(Tier, "", blank=True, query=True),
    urgency: str = "",
    active: bool | None = None,
):
    """The catalogue items the caller may see. ``group``, ``tier`` and ``urgency`` keep the
    items open to that value (including those that do not restrict on it)."""
    problems = {
        **_check_filter("group", group, Group.values),
        **_check_filter("tier", tier, Tier.values),
        **_check_filter("urgency", urgency, UrgencyTag.values),
    }
    if problems:
        raise ValidationFailed(problems)
    filters = selectors.ItemFilters(
        q=q,
        level=level,
        category=category,
        group=group,
        tier=tier,
        urgency=urgency,
        active=active,
    )
    items = list(selectors.item_list(user=request.user, filters=filters))
    return {"count": len(items), "items": [item_out(item) for item in items]}


@router.get("/items/{item_id}", response={200: ItemOut, **ERRORS})
def get_item(request, item_id: int):
    return item_out(selectors.item_get(user=request.user, item_id=item_id))


@router.post("/items", response={201: ItemOut, **ERRORS}, openapi_extra=_body_schema(ItemIn))
def create_item(request, body: Body[dict[str, Any]]):
    """Add an item (city administrators). Body: ``ItemIn``."""
    catalog_services.check_can_edit(actor=request.user, action=AuditAction.CREATE)
    payload = _parsed(ItemIn, body)
    data = validated(ServiceItemForm(data=payload.dict()))
    if data.get("position") is None:
        data.pop("position", None)
    item = catalog_services.item_create(actor=request.user, **data)
    return Status(201, item_out(selectors.item_get(user=request.user, item_id=item.pk)))


@router.patch(
    "/items/{item_id}", response={200: ItemOut, **ERRORS}, openapi_extra=_body_schema(ItemPatch)
)
def update_item(request, item_id: int, body: Body[dict[str, Any]]):
    """Change an item (city administrators). Body: ``ItemPatch``."""
    item = selectors.item_get(user=request.user, item_id=item_id)
    catalog_services.check_can_edit(actor=request.user, obj=item)
    raw = _parsed(ItemPatch, body).dict(exclude_unset=True)
    reason = raw.pop("reason", "")
    active = raw.pop("active", None)
    nullable = ("max_per_week", "max_per_month", "name_en", "description")
    nulls = [key for key, value in raw.items() if value is None and key not in nullable]
    if nulls:
        raise ValidationFailed({key: [_("This field cannot be empty.")] for key in nulls})
    form = restrict_to(ServiceItemForm(data=raw, editing=True), raw)
    data = validated(form)
    if data:
        item = catalog_services.item_update(actor=request.user, item=item, **data)
    if active is not None:
        item = catalog_services.item_set_active(
            actor=request.user, item=item, active=active, reason=reason
        )
    return item_out(selectors.item_get(user=request.user, item_id=item.pk))


@router.get("/needs", response={200: NeedList, **ERRORS})
def list_needs(request):
    """The needs list: categories with their sub-categories (``count`` counts the latter)."""
    categories = selectors.need_categories(user=request.user)
    return {
        "count": sum(len(c.visible_needs) for c in categories),
        "categories": [_category_out(c) for c in categories],
    }


@router.get("/categories", response={200: LevelList, **ERRORS})
def list_categories(request):
    """The four service levels, each with its service categories and their item counts."""
    levels = selectors.level_tree(user=request.user)
    return {"count": len(levels), "levels": [_level_out(level) for level in levels]}
