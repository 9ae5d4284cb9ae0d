"""Validating records against the vendored HSDS 3.0 JSON schema files (``schema/``).

Only the files our records use are vendored (see ``schema/README.md``); a record from elsewhere
that uses another part of the specification (locations, programs …) is reported as using a part
this platform does not import, never silently accepted.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "schema"
#: the base the files' relative ``$ref`` resolve against (never fetched: see ``_retrieve``)
BASE = "https://hsds.invalid/schema/"


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


def _retrieve(uri: str) -> Resource:
    name = uri.removeprefix(BASE)
    if "/" in name or not (SCHEMA_DIR / name).is_file():
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
    return Resource.from_contents(_load(name), default_specification=DRAFT202012)


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    """The validator of one HSDS object (``organization`` or ``service``)."""
    registry: Registry = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    schema = {**_load(f"{kind}.json"), "$id": f"{BASE}{kind}.json"}
    return Draft202012Validator(schema, registry=registry)


def record_errors(kind: str, record: Any) -> list[str]:
    """What is wrong with ``record`` as an HSDS ``kind``, one message per problem (empty when
    it validates)."""
    try:
        errors = sorted(validator(kind).iter_errors(record), key=lambda e: list(e.absolute_path))
        return [
            _("not HSDS 3.0 at %(path)s: %(detail)s")
            % {
                "path": "/".join(str(p) for p in error.absolute_path) or "/",
                "detail": error.message,
            }
            for error in errors
        ]
    except Unresolvable as error:
        return [
            _("uses a part of HSDS this platform does not import (%(part)s)")
            % {"part": getattr(error, "ref", str(error))}
        ]
