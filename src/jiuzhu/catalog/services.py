"""Writes to the catalogue. Only city administrators change it; every change is audited in the
same transaction, and every refusal is audited too (outside any transaction, so it survives).

``catalogue_load_defaults`` loads the default needs list and catalogue from ``data/`` and is
idempotent by code: it creates what is missing and leaves existing rows (and administrators'
edits) alone unless asked to ``update``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from jiuzhu.catalog.events import ITEM_CHANGED
from jiuzhu.catalog.models import (
    Need,
    NeedCategory,
    ServiceCategory,
    ServiceItem,
    ServiceLevel,
    SlaClass,
    Unit,
    decode_codes,
    encode_codes,
)
from jiuzhu.catalog.policy import can_edit_catalogue
from jiuzhu.core import audit, events
from jiuzhu.core.errors import PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditAction, AuditResult, User
from jiuzhu.registry.models import Group, Tier, UrgencyTag

DATA_DIR = Path(__file__).resolve().parent / "data"
CATALOGUE_FILE = DATA_DIR / "default_catalogue.yaml"
NEEDS_FILE = DATA_DIR / "default_needs.yaml"

#: Eligibility list fields and the codes each may hold.
CODE_LISTS = {"groups": Group.values, "tiers": Tier.values, "urgency_tags": UrgencyTag.values}

ITEM_FIELDS = (
    "name",
    "name_en",
    "category",
    "description",
    "unit",
    "price",
    "groups",
    "tiers",
    "urgency_tags",
    "max_per_week",
    "max_per_month",
    "sla_class",
    "usual_minutes",
    "position",
)
#: A visit's usual duration when the catalogue file does not give one (``minutes``), by unit.
USUAL_MINUTES_BY_UNIT = {"session": 60, "hour": 60, "meal": 20, "day": 480, "course": 90}
NEED_FIELDS = ("name", "name_en", "category", "description", "groups", "position")
NEED_CATEGORY_FIELDS = ("name", "name_en", "description", "position")


# ---------------------------------------------------------------- permission and validation


def check_can_edit(
    *,
    actor: User,
    action: str = AuditAction.UPDATE,
    obj: models.Model | None = None,
    object_type: str = "catalog.serviceitem",
) -> None:
    """Refuse (and audit the refusal) unless ``actor`` may change the catalogue. Views and API
    handlers call this before validating input, so a refused caller learns nothing more."""
    if can_edit_catalogue(actor):
        return
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        object_type="" if obj is not None else object_type,
        result=AuditResult.DENIED,
    )
    raise PermissionDenied(_("Only city administrators may change the service catalogue."))


def _clean(obj: models.Model) -> None:
    """``full_clean`` with Django's errors turned into the project's error type."""
    try:
        obj.full_clean()
    except DjangoValidationError as error:
        raise ValidationFailed(
            {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        ) from None


def _codes(name: str, values: Iterable[str] | str | None) -> str:
    if isinstance(values, str):
        values = decode_codes(values)
    values = list(values or [])
    unknown = sorted(set(values) - set(CODE_LISTS[name]))
    if unknown:
        raise ValidationFailed({name: [_("Unknown codes: %s") % ", ".join(unknown)]})
    return encode_codes(values)


def _check_limits(item: ServiceItem) -> None:
    week, month = item.max_per_week, item.max_per_month
    if week is not None and month is not None and week > month:
        raise ValidationFailed(
            {"max_per_week": [_("The weekly limit cannot be larger than the monthly limit.")]}
        )


def _check_code_free(model: type[models.Model], code: str) -> None:
    if model._default_manager.filter(code=code).exists():
        raise ValidationFailed({"code": [_("This code is already used.")]})


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, models.Model):
        return value.pk
    return value


def _snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _comparable(getattr(obj, name)) for name in fields}


def _apply(obj: models.Model, fields: Iterable[str], data: dict[str, Any]) -> None:
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        if name in CODE_LISTS:
            value = _codes(name, value)
        elif name == "position" and value is None:
            continue
        elif name in ("name_en", "description") and value is None:
            value = ""
        setattr(obj, name, value)


# ---------------------------------------------------------------- service items


def item_create(
    *,
    actor: User,
    code: str,
    name: str,
    category: ServiceCategory,
    needs: Iterable[Need] = (),
    active: bool = True,
    **data: Any,
) -> ServiceItem:
    """Add a service item to the catalogue."""
    check_can_edit(actor=actor, action=AuditAction.CREATE)
    with transaction.atomic():
        _check_code_free(ServiceItem, code)
        item = ServiceItem(code=code, active=active)
        _apply(item, ITEM_FIELDS, {"name": name, "category": category, **data})
        _check_limits(item)
        _clean(item)
        item.save()
        item.needs.set(list(needs))
        audit.record(actor=actor, action=AuditAction.CREATE, obj=item, detail={"code": item.code})
        events.publish(
            ITEM_CHANGED, item_id=item.pk, code=item.code, fields=["created"], active=item.active
        )
    return item


def item_update(
    *, actor: User, item: ServiceItem, needs: Iterable[Need] | None = None, **data: Any
) -> ServiceItem:
    """Change an item's fields (any of ``ITEM_FIELDS``, ``needs``, ``active``); the code never
    changes. Audited with the names of the fields that changed."""
    check_can_edit(actor=actor, obj=item)
    if "code" in data and data.pop("code") != item.code:
        raise ValidationFailed({"code": [_("The code of an item cannot be changed.")]})
    active = data.pop("active", None)
    unknown = sorted(set(data) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed.")] for name in unknown})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(item, ITEM_FIELDS)
        before["needs"] = sorted(item.needs.values_list("code", flat=True))
        before["active"] = item.active
        _apply(item, ITEM_FIELDS, data)
        if active is not None:
            item.active = bool(active)
        _check_limits(item)
        _clean(item)
        item.save()
        if needs is not None:
            item.needs.set(list(needs))
        after = _snapshot(item, ITEM_FIELDS)
        after["needs"] = sorted(item.needs.values_list("code", flat=True))
        after["active"] = item.active
        changed = sorted(key for key in after if before[key] != after[key])
        if changed:
            audit.record(
                actor=actor, action=AuditAction.UPDATE, obj=item, detail={"fields": changed}
            )
            events.publish(
                ITEM_CHANGED, item_id=item.pk, code=item.code, fields=changed, active=item.active
            )
    return item


def item_set_active(
    *, actor: User, item: ServiceItem, active: bool, reason: str = ""
) -> ServiceItem:
    """Deactivate an item (it can no longer be ordered; history keeps pointing at it) or bring
    it back."""
    check_can_edit(actor=actor, obj=item)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if item.active == active:
            return item
        item.active = active
        item.save(update_fields=["active", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=item,
            detail={"fields": ["active"], "active": active, "reason": reason[:200]},
        )
        events.publish(
            ITEM_CHANGED, item_id=item.pk, code=item.code, fields=["active"], active=active
        )
    return item


# ---------------------------------------------------------------- the needs list


def need_category_create(
    *, actor: User, code: str, name: str, active: bool = True, **data: Any
) -> NeedCategory:
    check_can_edit(actor=actor, action=AuditAction.CREATE, object_type="catalog.needcategory")
    with transaction.atomic():
        _check_code_free(NeedCategory, code)
        category = NeedCategory(code=code, active=active)
        _apply(category, NEED_CATEGORY_FIELDS, {"name": name, **data})
        _clean(category)
        category.save()
        audit.record(actor=actor, action=AuditAction.CREATE, obj=category, detail={"code": code})
    return category


def need_category_update(*, actor: User, category: NeedCategory, **data: Any) -> NeedCategory:
    """Rename, describe, reorder or (de)activate a need category; the code never changes."""
    check_can_edit(actor=actor, obj=category)
    data.pop("code", None)
    with transaction.atomic():
        category = NeedCategory.objects.select_for_update().get(pk=category.pk)
        fields = (*NEED_CATEGORY_FIELDS, "active")
        before = _snapshot(category, fields)
        _apply(category, fields, data)
        _clean(category)
        category.save()
        changed = sorted(k for k, v in _snapshot(category, fields).items() if before[k] != v)
        if changed:
            audit.record(
                actor=actor, action=AuditAction.UPDATE, obj=category, detail={"fields": changed}
            )
    return category


def need_create(
    *,
    actor: User,
    code: str,
    name: str,
    category: NeedCategory,
    active: bool = True,
    **data: Any,
) -> Need:
    """Add a sub-category to the needs list."""
    check_can_edit(actor=actor, action=AuditAction.CREATE, object_type="catalog.need")
    with transaction.atomic():
        _check_code_free(Need, code)
        need = Need(code=code, active=active)
        _apply(need, NEED_FIELDS, {"name": name, "category": category, **data})
        _clean(need)
        need.save()
        audit.record(actor=actor, action=AuditAction.CREATE, obj=need, detail={"code": code})
    return need


def need_update(*, actor: User, need: Need, **data: Any) -> Need:
    """Change a need's names, category, typical groups, description or position."""
    check_can_edit(actor=actor, obj=need)
    if "code" in data and data.pop("code") != need.code:
        raise ValidationFailed({"code": [_("The code of a need cannot be changed.")]})
    active = data.pop("active", None)
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        fields = (*NEED_FIELDS, "active")
        before = _snapshot(need, fields)
        _apply(need, NEED_FIELDS, data)
        if active is not None:
            need.active = bool(active)
        _clean(need)
        need.save()
        changed = sorted(k for k, v in _snapshot(need, fields).items() if before[k] != v)
        if changed:
            audit.record(
                actor=actor, action=AuditAction.UPDATE, obj=need, detail={"fields": changed}
            )
    return need


def need_set_active(*, actor: User, need: Need, active: bool) -> Need:
    """Retire a need (items keep the link; it is no longer offered) or bring it back."""
    check_can_edit(actor=actor, obj=need)
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.active != active:
            need.active = active
            need.save(update_fields=["active", "updated_at"])
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=need,
                detail={"fields": ["active"], "active": active},
            )
    return need


# ---------------------------------------------------------------- loading the defaults


class CatalogueFileError(ValueError):
    """The default data files are malformed (a programming error, not user input)."""


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


#: libyaml's loader when PyYAML was built with it (parses the catalogue ~10× faster)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_YAML_LOADER) or {}  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise CatalogueFileError(f"{path.name}: {error}") from None
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CatalogueFileError(f"{path.name}: top-level key {key!r} must be a list")
    return rows


def _by_code(model: type[Any]) -> dict[str, Any]:
    """Every row of a catalogue table by code: one query instead of one per entry of the file."""
    return {obj.code: obj for obj in model.objects.all()}


def _upsert(
    model: type[Any],
    *,
    code: str,
    values: dict[str, Any],
    update: bool,
    summary: LoadSummary,
    kind: str,
    existing: dict[str, Any],
) -> tuple[Any, str | None]:
    """Create the row with this code, or (with ``update``) bring it in line with the file.
    ``existing`` holds the table's rows by code (read once, inside the loader's transaction), so
    the code's uniqueness is known here and the database's unique index stays the last word."""
    obj = existing.get(code)
    if obj is None:
        obj = model(code=code, **values)
        bucket = "created"
    elif update and any(_comparable(getattr(obj, k)) != _comparable(v) for k, v in values.items()):
        for key, value in values.items():
            setattr(obj, key, value)
        bucket = "updated"
    else:
        return obj, None
    # Field rules are checked here; the table's check constraints are left to the database (one
    # SQL query each through full_clean, a thousand for the default catalogue), whose refusal is
    # reported the same way.
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            obj.save()
    except DjangoValidationError as error:
        raise CatalogueFileError(f"{kind} {code}: {error.message_dict}") from None
    except IntegrityError as error:
        raise CatalogueFileError(f"{kind} {code}: {error}") from None
    existing[code] = obj
    summary.count(bucket, kind)
    return obj, bucket


def _code(row: Any) -> str:
    if not isinstance(row, dict) or not row.get("code"):
        raise CatalogueFileError(f"every entry needs a code: {row!r}")
    return str(row["code"])


def _names(row: dict[str, Any], position: int) -> dict[str, Any]:
    try:
        return {
            "name": str(row["name"]),
            "name_en": str(row.get("name_en") or ""),
            "description": str(row.get("description") or "").strip(),
            "position": position,
        }
    except KeyError as error:
        raise CatalogueFileError(f"{row.get('code')!r}: missing {error}") from None


def _load_needs(path: Path, *, update: bool, summary: LoadSummary) -> None:
    categories, needs = _by_code(NeedCategory), _by_code(Need)
    for c_index, c_row in enumerate(_read(path, "categories"), start=1):
        category, _bucket = _upsert(
            NeedCategory,
            code=_code(c_row),
            values=_names(c_row, c_index * 10),
            update=update,
            summary=summary,
            kind="need_categories",
            existing=categories,
        )
        for n_index, n_row in enumerate(c_row.get("needs") or [], start=1):
            try:
                groups = _codes("groups", n_row.get("groups") or [])
            except ValidationFailed as error:
                raise CatalogueFileError(f"need {n_row.get('code')}: {error.fields}") from None
            _upsert(
                Need,
                code=_code(n_row),
                values={**_names(n_row, n_index * 10), "category": category, "groups": groups},
                update=update,
                summary=summary,
                kind="needs",
                existing=needs,
            )


def _item_values(row: dict[str, Any], position: int, category: ServiceCategory) -> dict[str, Any]:
    code = row.get("code")
    try:
        price = Decimal(str(row.get("price", "0")))
        values = {
            **_names(row, position),
            "category": category,
            "unit": Unit(row.get("unit", Unit.SESSION)).value,
            "price": price,
            "sla_class": SlaClass(row.get("sla", SlaClass.STANDARD)).value,
            "max_per_week": row.get("max_per_week"),
            "max_per_month": row.get("max_per_month"),
            "usual_minutes": row.get("minutes")
            or USUAL_MINUTES_BY_UNIT.get(row.get("unit", Unit.SESSION)),
        }
        for name in CODE_LISTS:
            values[name] = _codes(name, row.get(name) or [])
    except (InvalidOperation, ValueError) as error:
        raise CatalogueFileError(f"item {code}: {error}") from None
    except ValidationFailed as error:
        raise CatalogueFileError(f"item {code}: {error.fields}") from None
    return values


def _load_catalogue(path: Path, *, update: bool, summary: LoadSummary) -> None:
    needs = _by_code(Need)
    levels, categories, items = (
        _by_code(ServiceLevel),
        _by_code(ServiceCategory),
        _by_code(ServiceItem),
    )
    for l_index, l_row in enumerate(_read(path, "levels"), start=1):
        level, _bucket = _upsert(
            ServiceLevel,
            code=_code(l_row),
            values=_names(l_row, l_index * 10),
            update=update,
            summary=summary,
            kind="levels",
            existing=levels,
        )
        for c_index, c_row in enumerate(l_row.get("categories") or [], start=1):
            category, _bucket = _upsert(
                ServiceCategory,
                code=_code(c_row),
                values={**_names(c_row, c_index * 10), "level": level},
                update=update,
                summary=summary,
                kind="categories",
                existing=categories,
            )
            for i_index, i_row in enumerate(c_row.get("items") or [], start=1):
                values = _item_values(i_row, i_index * 10, category)
                wanted = i_row.get("needs") or []
                missing = sorted(set(wanted) - set(needs))
                if missing:
                    raise CatalogueFileError(f"item {_code(i_row)}: unknown needs {missing}")
                item, bucket = _upsert(
                    ServiceItem,
                    code=_code(i_row),
                    values=values,
                    update=update,
                    summary=summary,
                    kind="items",
                    existing=items,
                )
                if bucket == "created":
                    item.needs.set([needs[code] for code in wanted])
                    continue
                current = set(item.needs.values_list("code", flat=True)) if update else set()
                if update and current != set(wanted):
                    item.needs.set([needs[code] for code in wanted])
                    if bucket is None:
                        summary.count("updated", "items")


@transaction.atomic
def catalogue_load_defaults(
    *,
    update: bool = False,
    catalogue_path: Path | None = None,
    needs_path: Path | None = None,
) -> LoadSummary:
    """Load the default needs list and service catalogue. Idempotent by code: rows that exist
    are left as they are (administrators' edits survive) unless ``update`` is true, which
    brings them back in line with the files. Rows not in the files are never touched."""
    summary = LoadSummary()
    _load_needs(needs_path or NEEDS_FILE, update=update, summary=summary)
    _load_catalogue(catalogue_path or CATALOGUE_FILE, update=update, summary=summary)
    if summary.changed:
        audit.record(
            actor=None,
            actor_label="system:load_catalogue",
            action=AuditAction.BULK_CREATE if not summary.updated else AuditAction.UPDATE,
            object_type="catalog.catalogue",
            object_label="default catalogue",
            detail={"created": summary.created, "updated": summary.updated},
        )
    return summary
