"""The audit trail is tamper-evident: ``jiuzhu audit verify`` notices an altered, back-dated,
inserted or deleted entry, a truncated trail and a removed checkpoint; an intact trail passes.

Each test plays the attacker who holds the database file: the append-only triggers are switched
off first (inside the test's transaction, so they come back afterwards)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.audit_chain import checkpoint, seal, verify
from jiuzhu.core.models import AuditAction, AuditEntry, AuditSeal

LATER = dt.timedelta(hours=1)  # seal as if the lag had passed


def _disable_guards() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER audit_entry_guard")
            cursor.execute("ALTER TABLE core_auditseal DISABLE TRIGGER audit_seal_guard")
        else:
            for name in (
                "audit_entry_no_update",
                "audit_entry_no_early_delete",
                "audit_seal_no_update",
                "audit_seal_no_delete",
            ):
                cursor.execute(f"DROP TRIGGER {name}")


def _entries(actor, count: int = 4) -> list[AuditEntry]:
    return [
        audit.record(actor=actor, action=AuditAction.VIEW, object_type="t", object_id=n)
        for n in range(count)
    ]


def _seal():
    return seal(now=timezone.now() + LATER)


@pytest.mark.django_db
def test_an_intact_trail_verifies_before_and_after_sealing(actors):
    _entries(actors["audit_admin"])
    before = verify()
    assert before.ok and before.entries == 4 and before.unsealed == 4 and before.seals == 0
    first = _seal()
    assert first.sequence == 1 and first.entries == 4
    _entries(actors["audit_admin"], 2)
    assert _seal().sequence == 2
    after = verify(checkpoints=[checkpoint(first)])
    assert after.ok, after.problems
    assert (after.entries, after.seals, after.unsealed) == (6, 2, 0)


@pytest.mark.django_db
def test_sealing_twice_with_nothing_new_adds_no_seal(actors):
    _entries(actors["audit_admin"], 1)
    assert _seal() is not None
    assert _seal() is None
    assert AuditSeal.objects.count() == 1


@pytest.mark.django_db
def test_entries_younger_than_the_lag_wait_for_the_next_seal(actors, settings):
    settings.AUDIT_SEAL_LAG_SECONDS = 120
    _entries(actors["audit_admin"], 2)
    assert seal(now=timezone.now()) is None
    assert seal(now=timezone.now() + dt.timedelta(seconds=121)).entries == 2


@pytest.mark.django_db
def test_an_edited_entry_is_found_by_its_mac(actors):
    entries = _entries(actors["audit_admin"])
    _disable_guards()
    AuditEntry.objects.filter(pk=entries[1].pk).update(object_label="someone else")
    report = verify()
    assert not report.ok
    assert f"entry {entries[1].pk} was altered" in report.problems[0]


@pytest.mark.django_db
def test_a_back_dated_entry_is_found(actors):
    entries = _entries(actors["audit_admin"])
    _seal()
    _disable_guards()
    AuditEntry.objects.filter(pk=entries[2].pk).update(at=entries[2].at - dt.timedelta(days=3))
    problems = verify().problems
    assert any(f"entry {entries[2].pk} was altered" in p for p in problems)
    assert any("the chain breaks before seal 1" in p for p in problems)


@pytest.mark.django_db
def test_a_deleted_sealed_entry_breaks_the_chain(actors):
    entries = _entries(actors["audit_admin"])
    _seal()
    _disable_guards()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    problems = verify().problems
    assert len(problems) == 1 and "the chain breaks before seal 1" in problems[0]


@pytest.mark.django_db
def test_an_entry_inserted_into_a_sealed_stretch_breaks_the_chain(actors):
    entries = _entries(actors["audit_admin"])
    _disable_guards()
    gap = entries[1]
    AuditEntry.objects.filter(pk=gap.pk).delete()
    _seal()  # sealed without it
    forged = AuditEntry(
        id=gap.pk, at=gap.at, actor_label="forger", action=AuditAction.VIEW, result="success"
    )
    forged.save(force_insert=True)
    problems = verify().problems
    assert any("the chain breaks before seal 1" in p for p in problems)


@pytest.mark.django_db
def test_a_forged_unsealed_entry_without_mac_is_found(actors):
    entries = _entries(actors["audit_admin"], 2)
    _seal()
    AuditEntry.objects.create(actor_label="forger", action=AuditAction.VIEW, result="success")
    problems = verify().problems
    assert problems == [f"entry {entries[-1].pk + 1} has no MAC and no seal covers it (forged?)"]


@pytest.mark.django_db
def test_a_truncated_trail_is_found_by_its_seal_and_by_an_exported_checkpoint(actors):
    entries = _entries(actors["audit_admin"])
    first = _seal()
    exported = checkpoint(first)
    _disable_guards()
    AuditEntry.objects.filter(pk__gte=entries[2].pk).delete()
    assert any("the chain breaks before seal 1" in p for p in verify().problems)
    AuditSeal.objects.all().delete()  # the attacker removes the seals too
    report = verify(checkpoints=[exported])
    assert any("checkpoint 1" in p and "no longer in the trail" in p for p in report.problems)


@pytest.mark.django_db
def test_an_altered_or_missing_seal_is_found(actors):
    _entries(actors["audit_admin"], 2)
    _seal()
    _entries(actors["audit_admin"], 2)
    _seal()
    _disable_guards()
    AuditSeal.objects.filter(sequence=1).update(entries=1)
    assert "seal 1 was altered" in verify().problems
    AuditSeal.objects.filter(sequence=1).delete()
    assert any("seal 1 is missing" in p for p in verify().problems)


@pytest.mark.django_db
def test_seals_cannot_be_changed_or_deleted_in_the_database(actors):
    _entries(actors["audit_admin"], 1)
    sealed = _seal()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=sealed.pk).update(chain="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=sealed.pk).delete()


@pytest.mark.django_db
def test_the_command_exits_non_zero_on_a_changed_trail(actors, tmp_path, capsys):
    entries = _entries(actors["audit_admin"])
    call_command("audit", "seal")  # nothing is older than the lag yet
    _seal()
    archive = tmp_path / "checkpoints.jsonl"
    call_command("audit", "checkpoint", "--out", str(archive))
    assert json.loads(archive.read_text().splitlines()[0])["sequence"] == 1
    call_command("audit", "verify", "--checkpoints", str(archive))
    assert "audit trail intact" in capsys.readouterr().out
    _disable_guards()
    AuditEntry.objects.filter(pk=entries[0].pk).update(result="failure")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", "--checkpoints", str(archive))
