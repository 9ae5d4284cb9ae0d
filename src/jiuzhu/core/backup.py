"""Backup and restore of the whole database, on SQLite and PostgreSQL alike.

A backup is one zip file: ``data.jsonl`` (every row of every model, one JSON object a line, in
dependency order; Django's JSON serializer is not used because it cuts timestamps to
milliseconds, which would change records — and break the audit trail's MACs — on restore),
``media/…`` (uploaded files such as delivery photos) and ``manifest.json`` (when, which
database, per model the row count and a SHA-256 checksum over its rows in primary-key order,
and each media file's checksum). Encrypted fields travel
encrypted (identity numbers as stored; the fields of ``core.encrypted_fields``, which models
hand over decrypted, are encrypted again as they are written out and decrypted as they are read
back): the backup never holds ``JIUZHU_FIELD_KEY``, which must be kept apart (restoring needs
the same key, or it in ``JIUZHU_FIELD_KEY_OLD``).

A restore goes into an empty, migrated database and recomputes every checksum against the
manifest, so "restored" means "every record is back as it was", not merely "the load did not
fail". Logical, not vendor-native, so a SQLite backup restores into PostgreSQL and back; for
very large PostgreSQL deployments ``pg_dump`` is faster (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from jiuzhu.core import crypto
from jiuzhu.core.encrypted_fields import EncryptedField

FORMAT = 1
#: Rebuilt by ``migrate`` with their own ids; nothing of ours points at them.
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}


#: Reference rows a migration writes into every new database (e.g. the default warning rules):
#: a restore replaces them with the backup's rows instead of calling the database occupied.
#: Apps add their labels with :func:`register_seeded` from ``AppConfig.ready``.
SEEDED: set[str] = set()


def register_seeded(label: str) -> None:
    """Declare ``app_label.model`` as filled by a migration (see ``SEEDED``)."""
    SEEDED.add(label.lower())


class BackupError(Exception):
    """A backup cannot be read or does not restore faithfully; the message says why."""


def _models() -> list[type[models.Model]]:
    from django.core.serializers import sort_dependencies

    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if model._meta.label_lower not in SKIPPED and model._meta.managed and not model._meta.proxy
    ]


def _rows(model: type[models.Model]) -> Iterable[models.Model]:
    return model._base_manager.order_by("pk").iterator(chunk_size=2000)


def _plain(value: Any) -> str:
    """One spelling per value whatever the database returned (12.50 and 12.5 are one amount)."""
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return str(value)


def table_checksums() -> dict[str, dict[str, Any]]:
    """Per model: row count and SHA-256 over its serialised rows in primary-key order."""
    sums: dict[str, dict[str, Any]] = {}
    for model in _models():
        digest = hashlib.sha256()
        count = 0
        for obj in _rows(model):
            record = serializers.serialize("python", [obj])[0]
            line = json.dumps(record, sort_keys=True, default=_plain, ensure_ascii=False)
            digest.update(line.encode() + b"\n")
            count += 1
        sums[model._meta.label_lower] = {"rows": count, "sha256": digest.hexdigest()}
    return sums


def backup_write(path: Path) -> dict[str, Any]:
    """Write a backup to ``path`` (created owner-readable only); returns its manifest."""
    media = _media_files()
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "tables": table_checksums(),
        "media": {name: _file_sha256(file) for name, file in media.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("data.jsonl", "w") as data:
            for obj in _all_rows():
                record = _sealed(serializers.serialize("python", [obj])[0], type(obj))
                data.write(json.dumps(record, cls=_ExactEncoder, ensure_ascii=False).encode())
                data.write(b"\n")
        for name, file in media.items():
            zf.write(file, f"media/{name}")
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
    return manifest


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files() -> dict[str, Path]:
    root = _media_root()
    if not root.is_dir():
        return {}
    return {
        file.relative_to(root).as_posix(): file
        for file in sorted(root.rglob("*"))
        if file.is_file()
    }


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _all_rows() -> Iterable[models.Model]:
    for model in _models():
        yield from _rows(model)


class _ExactEncoder(json.JSONEncoder):
    """Every value in a form its field reads back exactly (full microseconds, exact decimals)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        return super().default(o)


def _encrypted_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def _sealed(record: dict[str, Any], model: type[models.Model]) -> dict[str, Any]:
    """The record with its encrypted fields' values encrypted, as the file keeps them."""
    for name in _encrypted_names(model):
        value = record["fields"].get(name)
        if value:
            # An encrypted date (a birth date) is sealed in its ISO form, which it reads back.
            text = value.isoformat() if isinstance(value, dt.date) else value
            record["fields"][name] = crypto.encrypt(text)
    return record


def _opened(record: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`_sealed`: plaintext, which the fields encrypt again on saving."""
    for name in _encrypted_names(apps.get_model(record["model"])):
        value = record["fields"].get(name)
        if value and crypto.is_token(value):
            record["fields"][name] = crypto.decrypt(value)
    return record


def _load(lines: Iterable[bytes]) -> list[type[models.Model]]:
    loaded: set[type[models.Model]] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        for deserialized in serializers.deserialize("python", batch):
            deserialized.save()
            loaded.add(type(deserialized.object))
        batch.clear()

    for line in lines:
        if line.strip():
            batch.append(_opened(json.loads(line)))
        if len(batch) >= 1000:
            flush()
    flush()
    return sorted(loaded, key=lambda model: model._meta.label_lower)


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int


def backup_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise BackupError(f"{path} is not a jiuzhu backup: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')!r}, not {FORMAT}")
    return manifest


def _occupied() -> list[str]:
    return [
        model._meta.label_lower
        for model in _models()
        if model._meta.label_lower not in SEEDED and model._base_manager.exists()
    ]


def _clear_seeded() -> None:
    """Delete the migration-seeded reference rows (the backup holds them as they were)."""
    for model in reversed(_models()):
        if model._meta.label_lower in SEEDED:
            model._base_manager.all().delete()


def backup_restore(path: Path) -> RestoreResult:
    """Restore ``path`` into the current database, which must be migrated and empty; raises
    :class:`BackupError` when it is not, or when any table's checksum differs afterwards."""
    manifest = backup_manifest(path)
    occupied = _occupied()
    if occupied:
        raise BackupError(
            "the database is not empty (" + ", ".join(occupied[:5]) + "…): restore only into "
            "a new, migrated database"
        )
    with transaction.atomic(), connection.constraint_checks_disabled():
        _clear_seeded()
        with zipfile.ZipFile(path) as zf, zf.open("data.jsonl") as data:
            loaded = _load(data)
        connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(statement)
    _restore_media(path, manifest.get("media", {}))
    restored = table_checksums()
    expected = manifest["tables"]
    different = sorted(
        label
        for label in set(expected) | set(restored)
        if expected.get(label) != restored.get(label)
    )
    if different:
        raise BackupError("restored data differs from the backup in: " + ", ".join(different))
    return RestoreResult(
        tables=len(expected), rows=sum(table["rows"] for table in expected.values())
    )


def _restore_media(path: Path, expected: dict[str, str]) -> None:
    root = _media_root().resolve()
    with zipfile.ZipFile(path) as zf:
        for name, checksum in expected.items():
            target = (root / name).resolve()
            if root not in target.parents:
                raise BackupError(f"the backup names a file outside the media folder: {name}")
            if target.exists():
                raise BackupError(f"{target} already exists: restore into an empty media folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(f"media/{name}") as source, target.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            if _file_sha256(target) != checksum:
                raise BackupError(f"media file {name} differs from the backup")
