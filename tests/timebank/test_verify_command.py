"""``jiuzhu timebank verify`` on a consistent and on a corrupted ledger."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jiuzhu import cli
from jiuzhu.timebank.models import Account

pytestmark = pytest.mark.django_db


def test_a_consistent_ledger_passes(funded, capsys):
    giver = funded(300)
    funded(90)
    from jiuzhu.timebank.services.ledger import transfer_make

    transfer_make(actor=giver.holder, source=giver, kind="donation", minutes=30)
    call_command("timebank", "verify")
    assert "consistent" in capsys.readouterr().out


def test_the_console_script_runs_it(funded):
    funded(60)
    assert cli.main(["timebank", "verify"]) == 0


def test_a_corrupted_balance_names_the_account(funded):
    account = funded(300)
    Account.objects.filter(pk=account.pk).update(balance_minutes=360)
    with pytest.raises(CommandError, match=f"stored_balance_differs account {account.pk}"):
        call_command("timebank", "verify")


def test_an_entry_forged_past_the_triggers_is_found(funded):
    account = funded(300)
    with connection.cursor() as cursor:  # as an attacker with the database would
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER timebank_entry_no_update")
        else:  # triggers off for this session (a superuser can; the test database's owner is)
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE timebank_entry SET minutes = 600, balance_after = 600 WHERE account_id = %s",
            [account.pk],
        )
    with pytest.raises(CommandError, match="NOT consistent"):
        call_command("timebank", "verify")
