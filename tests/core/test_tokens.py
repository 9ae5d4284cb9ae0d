import pytest
from django.core.management import call_command

from jiuzhu.core.models import ApiToken, AuditEntry
from jiuzhu.core.services.tokens import token_authenticate, token_create, token_revoke


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
