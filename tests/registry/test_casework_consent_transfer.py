"""Consent (issue 10, item 3) and case transfer (item 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factories import HouseholdFactory, TransferFactory
from factories_registry import make_household
from jiuzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiuzhu.core.models import AuditEntry
from jiuzhu.core.scoping import visible
from jiuzhu.core.transitions import TransitionRefused
from jiuzhu.registry.models import ChainEntry, Household, TransferStatus
from jiuzhu.registry.selectors.casework import household_has_sharing_consent, transfer_list
from jiuzhu.registry.services.consents import consent_record, consent_withdraw
from jiuzhu.registry.services.notes import note_create
from jiuzhu.registry.services.transfers import (
    TRANSFER_FLOW,
    transfer_accept,
    transfer_cancel,
    transfer_refuse,
    transfer_request,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


# --- consent -------------------------------------------------------------------------------


def test_consent_is_recorded_with_who_when_what_and_the_form(
    actors, areas, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household = HouseholdFactory(community=areas["yaohua_a"])
    worker = actors["yaohua_a_worker"]
    assert household_has_sharing_consent(household) is False
    consent = consent_record(
        actor=worker,
        household=household,
        scope="share",
        given_on=dt.date(2026, 3, 1),
        signed_by="张三",
        form_photo=SimpleUploadedFile("form.png", PNG, content_type="image/png"),
    )
    assert (consent.taken_by, consent.signed_by, consent.scope) == (worker, "张三", "share")
    assert consent.form_photo.name.startswith("consent/")
    assert household_has_sharing_consent(household) is True
    assert household_has_sharing_consent(household.pk) is True
    assert ChainEntry.objects.filter(household=household, source="consent").count() == 1


def test_a_collect_only_consent_does_not_allow_sharing(actors, areas, clock):
    household = HouseholdFactory(community=areas["yaohua_a"])
    consent_record(
        actor=actors["yaohua_a_worker"],
        household=household,
        scope="collect",
        given_on=dt.date(2026, 3, 1),
        signed_by="张三",
    )
    assert household_has_sharing_consent(household) is False


def test_withdrawal_is_recorded_and_stops_sharing(actors, areas, clock):
    household = HouseholdFactory(community=areas["yaohua_a"])
    worker = actors["yaohua_a_worker"]
    consent = consent_record(
        actor=worker,
        household=household,
        scope="share",
        given_on=dt.date(2026, 3, 1),
        signed_by="张三",
    )
    with pytest.raises(ValidationFailed):
        consent_withdraw(actor=worker, consent=consent, reason=" ")
    consent = consent_withdraw(actor=worker, consent=consent, reason="本人要求撤回")
    assert consent.withdrawn_on == dt.date(2026, 3, 3)
    assert consent.withdrawn_by == worker and consent.withdrawal_reason == "本人要求撤回"
    assert household_has_sharing_consent(household) is False
    assert AuditEntry.objects.filter(
        action="update", object_type="registry.consent", object_id=str(consent.pk)
    ).exists()
    assert ChainEntry.objects.filter(household=household, source="consent").count() == 2
    with pytest.raises(Conflict):
        consent_withdraw(actor=worker, consent=consent, reason="再次")


def test_a_form_that_is_not_a_photo_is_refused(actors, areas, clock):
    with pytest.raises(ValidationFailed) as error:
        consent_record(
            actor=actors["yaohua_a_worker"],
            household=HouseholdFactory(community=areas["yaohua_a"]),
            scope="share",
            given_on=dt.date(2026, 3, 1),
            signed_by="张三",
            form_photo=SimpleUploadedFile("form.html", b"<html>", content_type="text/html"),
        )
    assert "form_photo" in error.value.fields


@pytest.mark.parametrize("role", ["assessor", "qixia_hotline", "provider_staff"])
def test_roles_that_may_not_record_consent(actors, areas, clock, role):
    with pytest.raises(PermissionDenied):
        consent_record(
            actor=actors[role],
            household=HouseholdFactory(community=areas["yaohua_a"]),
            scope="share",
            given_on=dt.date(2026, 3, 1),
            signed_by="张三",
        )


def test_the_consent_photo_is_served_only_to_those_who_see_the_household(
    client, actors, areas, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    household = HouseholdFactory(community=areas["yaohua_a"])
    consent = consent_record(
        actor=actors["yaohua_a_worker"],
        household=household,
        scope="share",
        given_on=dt.date(2026, 3, 1),
        signed_by="张三",
        form_photo=SimpleUploadedFile("form.png", PNG, content_type="image/png"),
    )
    url = reverse("registry:consent_photo", args=[consent.pk])
    client.force_login(actors["yaohua_caseworker"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(actors["maqun_caseworker"])
    assert client.get(url).status_code == 404


# --- transfers -----------------------------------------------------------------------------


def test_the_transfer_state_table():
    table = {
        ("accept", "requested", "street_caseworker"): "accepted",
        ("refuse", "requested", "district_manager"): "refused",
        ("cancel", "requested", "city_admin"): "cancelled",
    }
    for (action, status, role), target in table.items():
        assert TRANSFER_FLOW.check(action, status=status, role=role) == target
    for action in ("accept", "refuse", "cancel"):
        for status in ("accepted", "refused", "cancelled"):
            with pytest.raises(TransitionRefused) as refused:
                TRANSFER_FLOW.check(action, status=status, role="street_caseworker")
            assert refused.value.reason == "conflict"
        for role in ("community_worker", "hotline_operator", "assessor", "beneficiary"):
            with pytest.raises(TransitionRefused) as refused:
                TRANSFER_FLOW.check(action, status="requested", role=role)
            assert refused.value.reason == "forbidden"


def test_a_transfer_moves_the_household_with_its_history_between_streets(actors, areas, clock):
    sender, receiver = actors["yaohua_caseworker"], actors["maqun_caseworker"]
    household = make_household(actor=actors["yaohua_a_worker"], community=areas["yaohua_a"])
    note_create(
        actor=sender,
        household=household,
        kind="home_visit",
        occurred_on=dt.date(2026, 3, 2),
        findings="搬到马群",
    )
    transfer = transfer_request(
        actor=sender,
        household=household,
        to_community=areas["maqun_a"],
        reason="搬家",
        to_address="马群路1号",
    )
    # Both sides see the transfer; the receiving side does not see the household yet.
    assert transfer in transfer_list(user=receiver, direction="incoming")
    assert transfer in transfer_list(user=sender, direction="outgoing")
    assert not visible(receiver, Household.objects.filter(pk=household.pk)).exists()
    with pytest.raises(PermissionDenied):
        transfer_accept(actor=sender, transfer=transfer)  # not the receiving street
    transfer = transfer_accept(actor=receiver, transfer=transfer, note="已接收")
    assert transfer.status == TransferStatus.ACCEPTED and transfer.decided_by == receiver
    household.refresh_from_db()
    assert (household.community, household.street, household.district) == (
        areas["maqun_a"],
        areas["maqun"],
        areas["qixia"],
    )
    assert household.address == "马群路1号"
    # Scoping moved with it; its notes, history and chain followed it.
    assert visible(receiver, Household.objects.filter(pk=household.pk)).exists()
    assert not visible(sender, Household.objects.filter(pk=household.pk)).exists()
    assert visible(receiver, household.case_notes.all()).count() == 1
    assert household.changes.filter(kind="address").exists()
    titles = list(household.chain.filter(source="transfer").values_list("title", flat=True))
    assert len(titles) == 2
    assert transfer in transfer_list(user=sender)  # the sender still sees the transfer
    assert AuditEntry.objects.filter(
        object_type="registry.transfer", object_id=str(transfer.pk), action="update"
    ).exists()
    with pytest.raises(Conflict):
        transfer_refuse(actor=receiver, transfer=transfer, note="晚了")


def test_a_transfer_within_the_same_street_is_refused(actors, areas, clock):
    household = HouseholdFactory(community=areas["yaohua_a"])
    with pytest.raises(ValidationFailed) as error:
        transfer_request(
            actor=actors["yaohua_caseworker"],
            household=household,
            to_community=areas["yaohua_b"],
            reason="搬家",
        )
    assert "to_community" in error.value.fields


def test_only_one_transfer_waits_at_a_time(actors, areas, clock):
    household = HouseholdFactory(community=areas["yaohua_a"])
    sender = actors["yaohua_caseworker"]
    transfer_request(
        actor=sender, household=household, to_community=areas["maqun_a"], reason="搬家"
    )
    with pytest.raises(Conflict):
        transfer_request(
            actor=sender, household=household, to_community=areas["shazhou_a"], reason="搬家"
        )


def test_the_receiving_side_refuses_with_a_reason_and_the_sender_cancels(actors, areas, clock):
    sender, receiver = actors["yaohua_caseworker"], actors["maqun_caseworker"]
    household = HouseholdFactory(community=areas["yaohua_a"])
    transfer = TransferFactory(
        household=household, to_community=areas["maqun_a"], requested_by=sender
    )
    with pytest.raises(ValidationFailed):
        transfer_refuse(actor=receiver, transfer=transfer, note="")
    with pytest.raises(PermissionDenied):
        transfer_cancel(actor=receiver, transfer=transfer)
    transfer = transfer_refuse(actor=receiver, transfer=transfer, note="地址不在本街道")
    assert transfer.status == TransferStatus.REFUSED
    household.refresh_from_db()
    assert household.community == areas["yaohua_a"]
    other = TransferFactory(household=household, to_community=areas["maqun_a"], requested_by=sender)
    assert transfer_cancel(actor=sender, transfer=other).status == TransferStatus.CANCELLED


def test_a_community_worker_may_not_transfer(actors, areas, clock):
    with pytest.raises(PermissionDenied):
        transfer_request(
            actor=actors["yaohua_a_worker"],
            household=HouseholdFactory(community=areas["yaohua_a"]),
            to_community=areas["maqun_a"],
            reason="搬家",
        )


def test_the_api_accepts_a_transfer(client, actors, areas, clock):
    household = HouseholdFactory(community=areas["yaohua_a"])
    transfer = TransferFactory(household=household, to_community=areas["maqun_a"])
    client.force_login(actors["maqun_caseworker"])
    listed = client.get("/api/v1/transfers?direction=incoming").json()
    assert [item["id"] for item in listed["items"]] == [transfer.pk]
    assert listed["items"][0]["actions"] == ["accept", "refuse"]
    response = client.post(
        f"/api/v1/transfers/{transfer.pk}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    again = client.post(
        f"/api/v1/transfers/{transfer.pk}/accept", {}, content_type="application/json"
    )
    assert again.status_code == 409
