"""Audit entries written many at a time for a job (no signed-in actor): the same rows as
``record`` writes one by one, MACs included, in one statement."""

from __future__ import annotations

import pytest

from jiuzhu.core import audit
from jiuzhu.core.audit_chain import verify
from jiuzhu.core.models import Area, AuditEntry, User
from jiuzhu.registry.models import Household

pytestmark = pytest.mark.django_db


def test_rows_by_id_are_labelled_by_their_id_and_verify():
    audit.record_system_rows(
        actor_label="system",
        action="create",
        model=Household,
        rows=[(7, {"grade": "red"}), (8, {"grade": "orange", "filters": {"name": "张三"}})],
    )
    entries = list(AuditEntry.objects.order_by("object_id"))
    assert [(e.object_type, e.object_id, e.object_label) for e in entries] == [
        ("registry.household", "7", "#7"),
        ("registry.household", "8", "#8"),
    ]
    first, second = entries
    assert (first.action, first.result, first.actor_id, first.actor_label) == (
        "create",
        "success",
        None,
        "system",
    )
    assert first.detail["grade"] == "red" and "channel" in first.detail
    assert second.detail["filters"] == {"name": "***"}  # typed text is blanked as in record()
    assert first.at == second.at and first.mac and first.mac != second.mac
    assert verify().ok


@pytest.mark.parametrize("model", [Area, User])
def test_models_labelled_by_name_are_refused(model):
    with pytest.raises(ValueError, match="record_system_many"):
        audit.record_system_rows(actor_label="system", action="create", model=model, rows=[])


def test_objects_with_public_names_keep_them(areas):
    audit.record_system_many(
        actor_label="system", action="update", items=[(areas["yaohua"], {"n": 1})]
    )
    entry = AuditEntry.objects.get()
    assert (entry.object_type, entry.object_label) == ("core.area", str(areas["yaohua"]))
    assert verify().ok
