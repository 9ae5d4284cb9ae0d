"""Tamper evidence for the audit trail: a keyed MAC on every entry and a keyed hash chain
sealed at checkpoints.

Why this shape. The database triggers stop the product from changing the trail, but not someone
who holds the database file: they can drop a trigger and forge, back-date, rewrite or delete
rows. Two keyed hashes (the key is derived from ``JIUZHU_FIELD_KEY``, which never lives in the
database) make every such change visible to ``jiuzhu audit verify``:

* each entry carries ``mac`` = HMAC(key, its content) written with it, so an edited or forged
  row no longer matches;
* a periodic job folds the entries, in id order, into a chain — c_i = HMAC(key, c_{i-1} ‖ id_i ‖
  content_i) — and stores the running value as an append-only :class:`AuditSeal`. Deleting or
  inserting a sealed entry changes every later link, so the next seal no longer matches.

Chaining at insert time would need one global lock around every audited write (every service
writes an audit entry), serialising the whole product; sealing after a short lag keeps the hot
path free and still chains each record to the previous one. Entries newer than the lag are
covered by their own MAC until the next seal. Seals exported as signed checkpoints
(``jiuzhu audit checkpoint``) to an off-host archive catch a truncation of both tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.core.crypto import purpose_key
from jiuzhu.core.models import AuditEntry, AuditSeal

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "actor_label",
    "actor_role",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "result",
)


def _key() -> bytes:
    return purpose_key("audit chain")


def _mac(message: bytes) -> str:
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_bytes(
    *, at: dt.datetime, actor_id: int | None, detail: dict[str, Any], **fields: Any
) -> bytes:
    """The canonical bytes of an entry: what its MAC and the chain cover."""
    document = {
        "at": _timestamp(at),
        "actor_id": actor_id,
        "detail": detail,
        **{name: "" if fields.get(name) is None else str(fields[name]) for name in CONTENT_FIELDS},
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_mac(**content: Any) -> str:
    """The MAC written with a new entry (``core.audit.record`` calls this)."""
    return _mac(content_bytes(**content))


def _content_of(entry: AuditEntry) -> bytes:
    return content_bytes(
        at=entry.at,
        actor_id=entry.actor_id,
        detail=entry.detail,
        **{name: getattr(entry, name) for name in CONTENT_FIELDS},
    )


def _link(previous: str, entry_id: int, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return _mac(f"{previous}|{entry_id}|{digest}".encode())


def _seal_mac(
    *, sequence: int, upto_id: int, entries: int, chain: str, sealed_at: dt.datetime
) -> str:
    return _mac(f"seal|{sequence}|{upto_id}|{entries}|{chain}|{_timestamp(sealed_at)}".encode())


def _entries_after(entry_id: int) -> Iterator[AuditEntry]:
    return (
        AuditEntry.objects.filter(id__gt=entry_id)
        .order_by("id")
        .only("id", "at", "actor_id", "detail", "mac", *CONTENT_FIELDS)
        .iterator(chunk_size=2000)
    )


def seal(*, now: dt.datetime | None = None) -> AuditSeal | None:
    """Fold the entries older than the lag into the chain and store a seal; ``None`` when there
    is nothing new (or another process sealed at the same moment: the sequence is unique)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.AUDIT_SEAL_LAG_SECONDS)
    last = AuditSeal.objects.order_by("-sequence").first()
    chain = last.chain if last else GENESIS
    count = last.entries if last else 0
    upto = last.upto_id if last else 0
    folded = 0
    for entry in _entries_after(upto):
        if entry.at > cutoff:
            break  # a younger entry may still have older ids committing behind it
        chain = _link(chain, entry.id, _content_of(entry))
        upto, count, folded = entry.id, count + 1, folded + 1
    if not folded:
        return None
    sequence = (last.sequence + 1) if last else 1
    sealed_at = timezone.now()
    try:
        with transaction.atomic():
            return AuditSeal.objects.create(
                sequence=sequence,
                upto_id=upto,
                entries=count,
                chain=chain,
                sealed_at=sealed_at,
                mac=_seal_mac(
                    sequence=sequence, upto_id=upto, entries=count, chain=chain, sealed_at=sealed_at
                ),
            )
    except IntegrityError:
        return None


def checkpoint(audit_seal: AuditSeal) -> dict[str, Any]:
    """A seal as a signed document for an off-host archive."""
    return {
        "sequence": audit_seal.sequence,
        "upto_id": audit_seal.upto_id,
        "entries": audit_seal.entries,
        "chain": audit_seal.chain,
        "sealed_at": _timestamp(audit_seal.sealed_at),
        "mac": audit_seal.mac,
    }


@dataclass
class Verification:
    entries: int = 0
    seals: int = 0
    unsealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, checkpoints: list[dict[str, Any]] | None = None) -> Verification:
    """Recompute every MAC and the whole chain; report each place where the trail was changed."""
    report = Verification()
    seals = list(AuditSeal.objects.order_by("sequence"))
    report.seals = len(seals)
    for position, audit_seal in enumerate(seals, start=1):
        if audit_seal.sequence != position:
            report.problems.append(
                f"seal {position} is missing (found seal {audit_seal.sequence} in its place)"
            )
            break
        expected = _seal_mac(
            sequence=audit_seal.sequence,
            upto_id=audit_seal.upto_id,
            entries=audit_seal.entries,
            chain=audit_seal.chain,
            sealed_at=audit_seal.sealed_at,
        )
        if not hmac.compare_digest(expected, audit_seal.mac):
            report.problems.append(f"seal {audit_seal.sequence} was altered")
    by_sequence = {s.sequence: s for s in seals}
    for document in checkpoints or []:
        stored = by_sequence.get(int(document.get("sequence", 0)))
        if stored is None or stored.chain != document.get("chain"):
            report.problems.append(
                f"checkpoint {document.get('sequence')} (up to entry {document.get('upto_id')}) "
                "is no longer in the trail: entries or seals were removed or rewritten"
            )
    chain, count = GENESIS, 0
    pending = iter(seals)
    next_seal = next(pending, None)
    for entry in _entries_after(0):
        while next_seal is not None and entry.id > next_seal.upto_id:
            _compare(report, next_seal, chain, count)
            # Go on from the sealed value, so one damaged stretch does not hide the next.
            chain, count = next_seal.chain, next_seal.entries
            next_seal = next(pending, None)
        report.entries += 1
        content = _content_of(entry)
        if entry.mac:
            if not hmac.compare_digest(_mac(content), entry.mac):
                report.problems.append(f"entry {entry.id} was altered (its MAC does not match)")
        elif next_seal is None:
            report.problems.append(f"entry {entry.id} has no MAC and no seal covers it (forged?)")
        if next_seal is None:
            report.unsealed += 1
        chain = _link(chain, entry.id, content)
        count += 1
    while next_seal is not None:
        _compare(report, next_seal, chain, count)
        chain, count = next_seal.chain, next_seal.entries
        next_seal = next(pending, None)
    return report


def _compare(report: Verification, audit_seal: AuditSeal, chain: str, count: int) -> None:
    if chain != audit_seal.chain or count != audit_seal.entries:
        report.problems.append(
            f"the chain breaks before seal {audit_seal.sequence} (entries up to "
            f"{audit_seal.upto_id}): {count} entries found where {audit_seal.entries} were "
            "sealed, or an entry was altered, inserted or deleted"
        )
