import contextlib
import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiuzhu.core.models import ApiToken, AuditEntry
from jiuzhu.core.services.tokens import token_authenticate, token_create, token_revoke


@contextlib.contextmanager
def freeze(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.mark.django_db
def test_a_token_is_stored_hashed_and_authenticates_until_revoked(actors):
    user = actors["qixia_manager"]
    token, raw = token_create(user=user)
    assert raw not in {token.digest, token.prefix}
    assert token_authenticate(raw) == user
    token_revoke(token=token)
    assert token_authenticate(raw) is None
    assert AuditEntry.objects.filter(action="token", object_id=str(user.pk)).count() == 2


@pytest.mark.django_db
def test_an_inactive_users_token_stops_working(actors):
    user = actors["qixia_manager"]
    _, raw = token_create(user=user)
    user.is_active = False
    user.save()
    assert token_authenticate(raw) is None
    assert token_authenticate("jz_not-a-token") is None
    assert token_authenticate("garbage") is None


@pytest.mark.django_db
def test_the_cli_creates_lists_and_revokes(actors, capsys):
    call_command("token", "create", "qixia_manager")
    raw = capsys.readouterr().out.strip()
    assert token_authenticate(raw) == actors["qixia_manager"]
    call_command("token", "list", "qixia_manager")
    assert raw[:8] in capsys.readouterr().out
    call_command("token", "revoke", raw[:8])
    assert ApiToken.objects.get().revoked_at is not None


@pytest.mark.django_db
def test_a_token_stops_working_when_it_expires(actors):
    user = actors["qixia_manager"]
    with freeze(timezone.now()):
        token, raw = token_create(user=user, days=1)
    assert token.expires_at - token.created_at == dt.timedelta(days=1)
    with freeze(token.created_at + dt.timedelta(days=1) - dt.timedelta(seconds=1)):
        assert token_authenticate(raw) == user
    with freeze(token.created_at + dt.timedelta(days=1)):
        assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_a_token_made_before_expiry_existed_expires_after_the_default_lifetime(actors, settings):
    settings.API_TOKEN_DAYS = 30
    token, raw = token_create(user=actors["qixia_manager"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    with freeze(token.created_at + dt.timedelta(days=29, hours=23)):
        assert token_authenticate(raw) is not None
    with freeze(token.created_at + dt.timedelta(days=30)):
        assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_a_locked_out_accounts_token_stops_working_until_the_lockout_ends(actors, client):
    user = actors["qixia_manager"]
    _, raw = token_create(user=user)
    for _attempt in range(5):
        client.post("/login/", {"username": user.username, "password": "wrong"})
    assert token_authenticate(raw) is None
    response = client.get("/api/v1/areas", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    with freeze(timezone.now() + dt.timedelta(minutes=16)):
        assert token_authenticate(raw) == user


def test_the_cli_refuses_a_lifetime_below_one_day(db, actors):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("token", "create", "qixia_manager", "--days", "0")
