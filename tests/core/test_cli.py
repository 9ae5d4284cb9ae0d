"""The ``jiuzhu`` command: every command listed in its help, and a configuration error answered
with one clear line and exit status 2 instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jiuzhu import cli

EVERY_COMMAND = {
    "demo", "serve", "check", "migrate", "createuser", "token", "demo-data", "demo-accounts",
    "mpi", "rescore", "worker", "audit", "settle", "timebank", "backup", "restore", "keygen",
    "import", "manage", "snapshot", "figures", "hsds", "rotate-key",
}  # fmt: skip


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "JIUZHU_DEMO", "JIUZHU_TESTING", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "jiuzhu", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line[:2] == "  "}
    assert listed == EVERY_COMMAND


def test_an_unknown_command_exits_2_with_the_usage(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


@pytest.mark.parametrize("args", [("token", "list", "someone"), ("worker", "--once"), ("check",)])
def test_a_missing_secret_key_is_one_line_and_exit_2(args, tmp_path):
    result = _run(*args, JIUZHU_VAR_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "jiuzhu: configuration error: SECRET_KEY is not set. Set it in the environment "
        "(see docs/configuration.md), or run with JIUZHU_DEMO=1 for a local demo."
    ]


def test_a_malformed_setting_names_the_variable(tmp_path):
    result = _run("check", JIUZHU_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 50, DEBUG="perhaps")
    assert result.returncode == 2
    assert "DEBUG must be true or false" in result.stderr
    assert "Traceback" not in result.stderr
