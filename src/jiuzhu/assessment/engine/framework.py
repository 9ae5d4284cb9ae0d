"""The indicator framework: dataclasses, and parsing/validation of the YAML or JSON file.

A framework is versioned, editable configuration (the six-dimension index is refined over time),
so it is validated strictly here and every error names the offending key path. Weights end up as
exact Fractions summing to exactly 1 (see weights.py).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, overload

import yaml

from .errors import FrameworkError
from .rules import Rule, parse_rule
from .weights import (
    DimensionWeightSpec,
    FractionLike,
    IndicatorWeightSpec,
    WeightScale,
    allocate_weights,
    parse_cutoff,
    parse_fraction,
)

TOP_KEYS = ("name", "label", "description", "version", "poverty_cutoff", "dimensions")
DIMENSION_KEYS = ("name", "label", "description", "weight", "indicators")
INDICATOR_KEYS = ("name", "label", "description", "column", "weight", "deprived_if", "critical")


@dataclass(frozen=True)
class Indicator:
    """One indicator: where its data is, how much it weighs, when a household is deprived."""

    name: str
    column: str
    weight: Fraction
    rule: Rule
    critical: bool = False
    dimension: str = ""
    label: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Dimension:
    """A dimension and its indicators; `weight` is the sum of its indicators' weights."""

    name: str
    weight: Fraction
    indicators: tuple[Indicator, ...]
    label: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Framework:
    """A parsed, validated framework: name, poverty cutoff k, and nested dimensions."""

    name: str
    k: Fraction
    dimensions: tuple[Dimension, ...]
    label: str | None = None
    description: str | None = None
    version: str | None = None

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators in file order (the column order of g0)."""
        return tuple(i for d in self.dimensions for i in d.indicators)

    @property
    def weights(self) -> tuple[Fraction, ...]:
        """Indicator weights in g0 column order; they sum to exactly 1."""
        return tuple(i.weight for i in self.indicators)

    @cached_property
    def scale(self) -> WeightScale:
        """The weights on their common integer denominator."""
        return WeightScale.from_weights(self.weights)

    @property
    def critical_flags(self) -> tuple[bool, ...]:
        """Per indicator, whether a deprivation in it is critical (drives the urgency tag)."""
        return tuple(i.critical for i in self.indicators)

    def with_cutoff(self, k: FractionLike) -> Framework:
        """The same framework with another poverty cutoff (e.g. the CLI's --k)."""
        return replace(self, k=parse_cutoff(k, "poverty cutoff"))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that framework_from_dict reads back to an equal framework."""
        out: dict[str, Any] = {"name": self.name, "poverty_cutoff": str(self.k)}
        for key in ("label", "description", "version"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["dimensions"] = [_dimension_dict(d) for d in self.dimensions]
        return out


def _dimension_dict(d: Dimension) -> dict[str, Any]:
    out: dict[str, Any] = {"name": d.name}
    if d.label is not None:
        out["label"] = d.label
    if d.description is not None:
        out["description"] = d.description
    out["indicators"] = []
    for i in d.indicators:
        item: dict[str, Any] = {"name": i.name, "column": i.column, "weight": str(i.weight)}
        item.update(deprived_if=i.rule.text, critical=i.critical)
        item.update({k: v for k, v in (("label", i.label), ("description", i.description)) if v})
        out["indicators"].append(item)
    return out


def load_framework(path: str | Path) -> Framework:
    """Read a framework from a .json file, or YAML otherwise; errors are prefixed by the file."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"cannot read framework file {path}: {exc}") from None
    try:
        data = json.loads(source) if path.suffix.lower() == ".json" else yaml.safe_load(source)
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{path}: invalid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise FrameworkError(f"{path}: invalid YAML: {detail}") from None
    try:
        return framework_from_dict(data)
    except FrameworkError as exc:
        raise FrameworkError(f"{path}: {exc.message}") from None


def framework_from_dict(data: Mapping[str, Any]) -> Framework:
    """Validate a framework given as plain data (parsed YAML/JSON, or stored JSON)."""
    top = _mapping(data, "framework", TOP_KEYS)
    name = _text(top, "name", "framework", required=True)
    if "poverty_cutoff" not in top:
        raise FrameworkError("framework: missing required key 'poverty_cutoff'")
    k = parse_cutoff(top["poverty_cutoff"], "poverty_cutoff")
    raw_dims = top.get("dimensions")
    if not isinstance(raw_dims, list) or not raw_dims:
        raise FrameworkError("framework: 'dimensions' must be a non-empty list")
    parsed = [_parse_dimension(raw, f"dimensions[{n}]") for n, raw in enumerate(raw_dims)]
    _check_unique([p[0]["name"] for p in parsed], "dimension")
    _check_unique([i["name"] for p in parsed for i in p[1]], "indicator")
    specs = [
        DimensionWeightSpec(
            d["name"], d["weight"], tuple(IndicatorWeightSpec(i["name"], i["weight"]) for i in inds)
        )
        for d, inds in parsed
    ]
    allocated = allocate_weights(specs)
    dims = []
    for (d, inds), weights in zip(parsed, allocated, strict=True):
        indicators = tuple(
            Indicator(
                name=i["name"],
                column=i["column"],
                weight=w,
                rule=i["rule"],
                critical=i["critical"],
                dimension=d["name"],
                label=i["label"],
                description=i["description"],
            )
            for i, w in zip(inds, weights, strict=True)
        )
        total = sum(weights, Fraction(0))
        dims.append(Dimension(d["name"], total, indicators, d["label"], d["description"]))
    version = top.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, str | int)):
        raise FrameworkError(f"framework: 'version' must be a text or an integer, got {version!r}")
    return Framework(
        name=name,
        k=k,
        dimensions=tuple(dims),
        label=_text(top, "label", "framework"),
        description=_text(top, "description", "framework"),
        version=None if version is None else str(version),
    )


def _parse_dimension(raw: object, where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    spec, where = _named_mapping(raw, where, DIMENSION_KEYS)
    name = _text(spec, "name", where, required=True)
    weight = _weight(spec, where)
    raw_inds = spec.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        raise FrameworkError(f"{where}: 'indicators' must be a non-empty list")
    inds = [_parse_indicator(r, f"{where}.indicators[{n}]") for n, r in enumerate(raw_inds)]
    dim = {"name": name, "weight": weight}
    dim.update(label=_text(spec, "label", where), description=_text(spec, "description", where))
    return dim, inds


def _parse_indicator(raw: object, where: str) -> dict[str, Any]:
    spec, where = _named_mapping(raw, where, INDICATOR_KEYS)
    name = _text(spec, "name", where, required=True)
    if "deprived_if" not in spec:
        raise FrameworkError(f"{where}: missing required key 'deprived_if'")
    critical = spec.get("critical", False)
    if not isinstance(critical, bool):
        raise FrameworkError(f"{where}: 'critical' must be true or false, got {critical!r}")
    return {
        "name": name,
        "column": _text(spec, "column", where) or name,
        "weight": _weight(spec, where),
        "rule": parse_rule(spec["deprived_if"], f"{where}.deprived_if"),
        "critical": critical,
        "label": _text(spec, "label", where),
        "description": _text(spec, "description", where),
    }


def _named_mapping(
    raw: object, where: str, allowed: tuple[str, ...]
) -> tuple[Mapping[str, Any], str]:
    """Check a dimension/indicator mapping; the place gains its name, e.g. "dimensions[0] ('x')"."""
    if not isinstance(raw, Mapping):
        raise FrameworkError(f"{where}: expected a mapping of keys, got {type(raw).__name__}")
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where} ('{name.strip()}')"
    return _mapping(raw, where, allowed), where


def _mapping(raw: object, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    """Check a mapping's keys. Extra keys are fine (files exported by the platform carry the
    question type, pre-fill source and so on), but a key that looks like a misspelling of a
    known one is an error, so a typo such as 'wieght' cannot silently drop a weight."""
    if not isinstance(raw, Mapping):
        raise FrameworkError(f"{where}: expected a mapping of keys, got {type(raw).__name__}")
    for key in raw:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
        if close:
            raise FrameworkError(f"{where}: unknown key {key!r} (did you mean {close[0]!r}?)")
    return raw


@overload
def _text(spec: Mapping[str, Any], key: str, where: str, required: Literal[True]) -> str: ...


@overload
def _text(spec: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None: ...


def _text(spec: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = spec.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        if value is None:
            raise FrameworkError(f"{where}: missing required key '{key}'")
        raise FrameworkError(f"{where}: '{key}' must be a non-empty text, got {value!r}")
    return value.strip()


def _weight(spec: Mapping[str, Any], where: str) -> Fraction | None:
    if spec.get("weight") is None:
        return None
    weight = parse_fraction(spec["weight"], f"{where}.weight")
    if weight <= 0:
        raise FrameworkError(f"{where}.weight: must be greater than 0, got {spec['weight']!r}")
    return weight


def _check_unique(names: list[str], kind: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FrameworkError(f"duplicate {kind} name '{name}'")
        seen.add(name)
