"""``var/`` and the SQLite files are readable by their owner only (issue 16 item 9), whatever
the umask of whoever started the process: ``restrict_var_dir`` runs at start-up."""

from __future__ import annotations

import stat
from types import SimpleNamespace

from jiuzhu.core import files


def configured(monkeypatch, var, engine: str, name: str) -> None:
    """The settings restrict_var_dir reads (the test database's own stay untouched)."""
    fake = SimpleNamespace(VAR_DIR=var, DATABASES={"default": {"ENGINE": engine, "NAME": name}})
    monkeypatch.setattr(files, "settings", fake)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_var_folder_and_the_sqlite_files_become_owner_only(tmp_path, monkeypatch):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    database = var / "jiuzhu.sqlite3"
    for path in (database, var / "jiuzhu.sqlite3-wal", var / "jiuzhu.sqlite3-shm"):
        path.write_bytes(b"")
        path.chmod(0o644)
    configured(monkeypatch, var, "django.db.backends.sqlite3", str(database))
    files.restrict_var_dir()
    assert _mode(var) == 0o700
    assert {p.name: _mode(p) for p in var.iterdir()} == {
        "jiuzhu.sqlite3": 0o600,
        "jiuzhu.sqlite3-wal": 0o600,
        "jiuzhu.sqlite3-shm": 0o600,
    }


def test_a_postgresql_deployment_only_has_its_folder_restricted(tmp_path, monkeypatch):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    other = var / "upload.jpg"
    other.write_bytes(b"")
    other.chmod(0o644)
    configured(monkeypatch, var, "django.db.backends.postgresql", "jiuzhu")
    files.restrict_var_dir()
    assert _mode(var) == 0o700
    assert _mode(other) == 0o644
