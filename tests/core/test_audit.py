import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from jiuzhu.core import audit
from jiuzhu.core.models import AuditAction, AuditEntry
from jiuzhu.core.request_context import RequestInfo, reset_request_info, set_request_info


@pytest.mark.django_db
def test_an_entry_records_who_when_where_what_and_result(actors):
    actor = actors["yaohua_caseworker"]
    token = set_request_info(RequestInfo(ip_address="10.1.2.3", channel="web"))
    try:
        entry = audit.record(actor=actor, action=AuditAction.VIEW, obj=actor.area)
    finally:
        reset_request_info(token)
    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.actor_label == "yaohua_caseworker"
    assert entry.actor_role == "street_caseworker"
    assert entry.ip_address == "10.1.2.3"
    assert entry.object_type == "core.area"
    assert entry.object_id == str(actor.area.pk)
    assert entry.result == "success"
    assert entry.detail["channel"] == "web"
    assert timezone.now() - entry.at < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_entries_cannot_be_changed_in_the_database(actors):
    entry = audit.record(actor=actors["audit_admin"], action=AuditAction.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(result="failure")
    entry.refresh_from_db()
    assert entry.result == "success"


@pytest.mark.django_db
def test_recent_entries_cannot_be_deleted_in_the_database(actors):
    entry = audit.record(actor=actors["audit_admin"], action=AuditAction.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
