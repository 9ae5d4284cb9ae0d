"""``jiuzhu rotate-key``: move every encrypted value and keyed lookup hash to the current key.

The operator puts the new key in ``JIUZHU_FIELD_KEY`` and the old one in
``JIUZHU_FIELD_KEY_OLD`` (and pins ``JIUZHU_AUDIT_KEY``), restarts, and runs this. From the
restart on, every read works whatever key a row is under (decryption tries every configured
key; searches compare with the hash under every key), and every write uses the new key. This
command then rewrites the rows table by table, in batches of its own short transactions, so it
never holds a table locked and can be stopped and run again: a row already moved is simply
moved again. When it has finished, ``JIUZHU_FIELD_KEY_OLD`` can go.

The fields are found, not listed: every :class:`~jiuzhu.core.encrypted_fields.EncryptedCharField`
/ ``EncryptedTextField`` and every ``LookupHashField`` of every installed model (a hash whose
source is a token its services encrypt themselves, like identity numbers, re-encrypts that
token too). Keyed hashes kept without their value (sign-in codes, department row keys) cannot
be recomputed; docs/data-classification.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

from jiuzhu.core import crypto
from jiuzhu.core.encrypted_fields import EncryptedField, LookupHashField

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    encrypted: tuple[str, ...]  # fields whose value the field itself encrypts
    hashes: tuple[LookupHashField, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


def encrypted_models() -> list[EncryptedModel]:
    """Every model with an encrypted field or a lookup hash, in a stable order."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        fields = model._meta.concrete_fields
        encrypted = tuple(f.name for f in fields if isinstance(f, EncryptedField))
        hashes = tuple(f for f in fields if isinstance(f, LookupHashField))
        if encrypted or hashes:
            found.append(EncryptedModel(model, encrypted, hashes))
    return found


def _rotate_row(spec: EncryptedModel, row: models.Model) -> list[str]:
    """Set the row's attributes so that saving them writes them under the current key; returns
    the fields to write. Encrypted fields need nothing: they were decrypted on reading and are
    encrypted again, under the current key, on writing."""
    changed = [name for name in spec.encrypted if getattr(row, name)]
    for field in spec.hashes:
        plaintext = field.plaintext(row)
        if field.from_token and plaintext:
            setattr(row, field.source, crypto.encrypt(plaintext))
            changed.append(field.source)
        setattr(row, field.attname, field.compute(row))
        changed.append(field.name)
    return changed


def rotate(*, batch_size: int = 500, progress: Progress | None = None) -> dict[str, int]:
    """Re-encrypt and re-hash every row under ``JIUZHU_FIELD_KEY``; returns rows per model."""
    done: dict[str, int] = {}
    for spec in encrypted_models():
        manager = spec.model._base_manager
        total = manager.count()
        count, last = 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    manager.select_for_update().filter(pk__gt=last).order_by("pk")[:batch_size]
                )
                if not batch:
                    break
                fields: set[str] = set()
                for row in batch:
                    fields.update(_rotate_row(spec, row))
                if fields:
                    manager.bulk_update(batch, sorted(fields))
            last = batch[-1].pk
            count += len(batch)
            if progress is not None:
                progress(spec.label, count, total)
        done[spec.label] = count
    return done
