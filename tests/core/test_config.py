"""Bad configuration stops start-up with a message that names the variable."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiuzhu.config import env_bool, env_int, env_list


def start(env_overrides: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIUZHU_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "jiuzhu.settings", "JIUZHU_VAR_DIR": str(tmp_path)})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x" * 50}, "JIUZHU_FIELD_KEY is not set"),
        ({"SECRET_KEY": "x" * 50, "JIUZHU_FIELD_KEY": "short"}, "JIUZHU_FIELD_KEY must be 32"),
        ({"JIUZHU_DEMO": "maybe"}, "JIUZHU_DEMO must be true or false"),
        ({"JIUZHU_DEMO": "1", "DATABASE_URL": "mysql://x@y/z"}, "SQLite or PostgreSQL"),
        ({"JIUZHU_DEMO": "1", "JIUZHU_IDLE_MINUTES": "ten"}, "JIUZHU_IDLE_MINUTES must be"),
        ({"JIUZHU_DEMO": "1", "JIUZHU_SMS_BACKEND": "carrier-pigeon"}, "JIUZHU_SMS_BACKEND"),
        ({"JIUZHU_DEMO": "1", "JIUZHU_FIELD_KEY_OLD": "short"}, "JIUZHU_FIELD_KEY_OLD must be 32"),
        # A rotation must not move the audit trail's key: the old key needs the audit key pinned.
        (
            {"JIUZHU_DEMO": "1", "JIUZHU_FIELD_KEY_OLD": "A" * 43 + "="},
            "JIUZHU_FIELD_KEY_OLD is set but JIUZHU_AUDIT_KEY is not",
        ),
    ],
)
def test_bad_values_stop_start_up(tmp_path, overrides, fragment):
    result = start(overrides, tmp_path)
    assert result.returncode != 0
    assert fragment in result.stderr


def test_production_defaults_start_with_secrets_given(tmp_path):
    key = "q8M3m2x3J0Jm0bLw2oV3Qe2uXoRr2nYyQk7m4b0pX1Y="
    result = start({"SECRET_KEY": "x" * 50, "JIUZHU_FIELD_KEY": key}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_demo_keys_are_kept_between_runs(tmp_path):
    assert start({"JIUZHU_DEMO": "1"}, tmp_path).returncode == 0
    first = (tmp_path / "field_key").read_text()
    assert start({"JIUZHU_DEMO": "1"}, tmp_path).returncode == 0
    assert (tmp_path / "field_key").read_text() == first


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 1, minimum=10) == 12
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_INT", "5")
    with pytest.raises(ImproperlyConfigured, match="at least 10"):
        env_int("X_INT", 1, minimum=10)
