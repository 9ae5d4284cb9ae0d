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
from typing import Any, cast

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

#: Parsed files by (path, modification time, size): tests and the demo load the same two files
#: hundreds of times in one process. The loader only reads what it is given.
_PARSED: dict[tuple[str, int, int], Any] = {}


def _parse(path: Path) -> Any:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        with path.open(encoding="utf-8") as handle:
            _PARSED[key] = yaml.load(handle, Loader=_YAML_LOADER) or {}  # noqa: S506 (safe)
    return _PARSED[key]


def _read(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = _parse(path)
    except yaml.YAMLError as error:
        raise CatalogueFileError(f"{path.name}: {error}") from None
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CatalogueFileError(f"{path.name}: top-level key {key!r} must be a list")
    return rows


def _by_code(model: type[Any]) -> dict[str, Any]:
    """Every row of a catalogue table by code: one query instead of one per entry of the file."""
    return {obj.code: obj for obj in model.objects.all()}


@dataclass
class _Table:
    """One catalogue table as the loader sees it: its rows by code (read once, inside the
    loader's transaction) and the new rows waiting to be inserted together."""

    model: type[Any]
    kind: str
    existing: dict[str, Any]
    new: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, model: type[Any], kind: str) -> _Table:
        return cls(model=model, kind=kind, existing=_by_code(model))


def _check(table: _Table, obj: Any, code: str) -> None:
    """Field rules, checked here. Foreign keys point at rows this loader holds, and the table's
    check constraints are left to the database (one SQL query each through full_clean, a
    thousand for the default catalogue), whose refusal is reported the same way."""
    foreign_keys = [f.name for f in table.model._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        raise CatalogueFileError(f"{table.kind} {code}: {error.message_dict}") from None


def _upsert(
    table: _Table, *, code: str, values: dict[str, Any], update: bool, summary: LoadSummary
) -> tuple[Any, str | None]:
    """Queue the row with this code for creation, or (with ``update``) bring it in line with the
    file. New rows are written by ``_insert``, a table at a time; the database's unique index
    stays the last word on codes."""
    obj = table.existing.get(code)
    if obj is None:
        obj = table.model(code=code, **values)
        _check(table, obj, code)
        table.new.append(obj)
        table.existing[code] = obj
        summary.count("created", table.kind)
        return obj, "created"
    if not update or all(_comparable(getattr(obj, k)) == _comparable(v) for k, v in values.items()):
        return obj, None
    for key, value in values.items():
        setattr(obj, key, value)
    _check(table, obj, code)
    _save_one(table, obj)
    summary.count("updated", table.kind)
    return obj, "updated"


def _save_one(table: _Table, obj: Any) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise CatalogueFileError(f"{table.kind} {obj.code}: {error}") from None


def _insert(table: _Table) -> None:
    """Write the table's new rows in one statement (a few hundred saves took most of a test's
    set-up). When the database refuses the batch, the rows are tried one by one so that the
    refusal names the row's code."""
    rows, table.new = table.new, []
    if not rows:
        return
    try:
        with transaction.atomic():
            table.model.objects.bulk_create(rows)
    except IntegrityError:
        for obj in rows:
            obj.pk = None
            obj._state.adding = True
            _save_one(table, obj)
        raise  # the batch failed but no single row did: still refuse the file


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
    categories = _Table.of(NeedCategory, "need_categories")
    needs = _Table.of(Need, "needs")
    rows = _read(path, "categories")
    in_category = []
    for c_index, c_row in enumerate(rows, start=1):
        category, _bucket = _upsert(
            categories,
            code=_code(c_row),
            values=_names(c_row, c_index * 10),
            update=update,
            summary=summary,
        )
        in_category.append((category, c_row.get("needs") or []))
    _insert(categories)
    for category, n_rows in in_category:
        for n_index, n_row in enumerate(n_rows, start=1):
            try:
                groups = _codes("groups", n_row.get("groups") or [])
            except ValidationFailed as error:
                raise CatalogueFileError(f"need {n_row.get('code')}: {error.fields}") from None
            _upsert(
                needs,
                code=_code(n_row),
                values={**_names(n_row, n_index * 10), "category": category, "groups": groups},
                update=update,
                summary=summary,
            )
    _insert(needs)


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
    levels = _Table.of(ServiceLevel, "levels")
    categories = _Table.of(ServiceCategory, "categories")
    items = _Table.of(ServiceItem, "items")
    level_rows = _read(path, "levels")
    category_rows = []
    for l_index, l_row in enumerate(level_rows, start=1):
        level, _bucket = _upsert(
            levels,
            code=_code(l_row),
            values=_names(l_row, l_index * 10),
            update=update,
            summary=summary,
        )
        category_rows.append((level, l_row.get("categories") or []))
    _insert(levels)
    item_rows = []
    for level, c_rows in category_rows:
        for c_index, c_row in enumerate(c_rows, start=1):
            category, _bucket = _upsert(
                categories,
                code=_code(c_row),
                values={**_names(c_row, c_index * 10), "level": level},
                update=update,
                summary=summary,
            )
            item_rows.append((category, c_row.get("items") or []))
    _insert(categories)
    wanted_needs: list[tuple[Any, str | None, list[str]]] = []
    for category, i_rows in item_rows:
        for i_index, i_row in enumerate(i_rows, start=1):
            values = _item_values(i_row, i_index * 10, category)
            wanted = i_row.get("needs") or []
            missing = sorted(set(wanted) - set(needs))
            if missing:
                raise CatalogueFileError(f"item {_code(i_row)}: unknown needs {missing}")
            item, bucket = _upsert(
                items, code=_code(i_row), values=values, update=update, summary=summary
            )
            wanted_needs.append((item, bucket, wanted))
    _insert(items)
    _link_needs(wanted_needs, needs, update=update, summary=summary)


def _link_needs(
    wanted_needs: list[tuple[Any, str | None, list[str]]],
    needs: dict[str, Need],
    *,
    update: bool,
    summary: LoadSummary,
) -> None:
    """The needs each item meets: new items' links in one statement; with ``update``, an
    existing item's links brought in line with the file (counted as an update)."""
    relation = cast("models.ManyToManyField[Any, Any]", ServiceItem._meta.get_field("needs"))
    through = ServiceItem.needs.through
    own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    links = []
    for item, bucket, wanted in wanted_needs:
        if bucket == "created":
            links += [through(**{own: item, other: needs[code]}) for code in wanted]
        elif update and set(item.needs.values_list("code", flat=True)) != set(wanted):
            item.needs.set([needs[code] for code in wanted])
            if bucket is None:
                summary.count("updated", "items")
    through.objects.bulk_create(links)


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
