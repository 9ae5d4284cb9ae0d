"""``jiuzhu backup`` and ``jiuzhu restore``: a restore into an empty database reproduces every
record — encrypted identity numbers, the audit trail and uploaded files included — and checks
every table's checksum; a changed backup or a database that is not empty is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from factories_registry import add_member, make_household
from jiuzhu.core.backup import BackupError, backup_restore, backup_write, table_checksums
from jiuzhu.registry.models import Member


def _target_database(tmp_path: Path) -> tuple[str, object]:
    """A new, empty database of the vendor under test, and how to drop it afterwards."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    name = f"jiuzhu_restore_{uuid.uuid4().hex[:8]}"
    params = connection.settings_dict
    dsn = (
        f"host={params['HOST']} port={params['PORT'] or 5432} user={params['USER']} dbname=postgres"
    )

    def run(sql: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql)

    run(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    return url, lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


def _jiuzhu(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "JIUZHU_FIELD_KEY": settings.FIELD_ENCRYPTION_KEY,
        "JIUZHU_VAR_DIR": str(tmp_path / "restored-var"),
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings",
    }
    environment.pop("JIUZHU_TESTING", None)
    return subprocess.run(
        [sys.executable, "-m", "jiuzhu", *args],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture
def recorded(caseworker, actors):
    household = make_household(actor=caseworker, community=actors["yaohua_a_worker"].area)
    member = add_member(actor=caseworker, household=household, name="李四")
    return member


@pytest.mark.django_db
def test_a_restore_into_an_empty_database_reproduces_every_record(recorded, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = settings.MEDIA_ROOT / "delivery" / "2026" / "12" / "visit.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a photo")
    backup = tmp_path / "backup.zip"
    manifest = backup_write(backup)
    assert manifest["tables"]["registry.member"]["rows"] >= 1
    assert manifest["media"] == {
        "delivery/2026/12/visit.jpg": manifest["media"]["delivery/2026/12/visit.jpg"]
    }
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    database_url, drop = _target_database(tmp_path)
    try:
        result = _jiuzhu("restore", str(backup), database_url=database_url, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "every checksum matches" in result.stdout
        decrypted = _jiuzhu(
            "manage", "shell", "-c",
            "from jiuzhu.core.crypto import decrypt; from jiuzhu.registry.models import Member; "
            f"print(decrypt(Member.objects.get(pk={recorded.pk}).id_number_encrypted))",
            database_url=database_url, tmp_path=tmp_path,
        )  # fmt: skip
        original = Member.objects.get(pk=recorded.pk)
        from jiuzhu.core.crypto import decrypt

        assert decrypted.stdout.strip().splitlines()[-1] == decrypt(original.id_number_encrypted)
        restored_photo = (
            tmp_path / "restored-var" / "media" / "delivery" / "2026" / "12" / "visit.jpg"
        )
        assert restored_photo.read_bytes() == b"\xff\xd8 a photo"
        verify = _jiuzhu("audit", "verify", database_url=database_url, tmp_path=tmp_path)
        assert verify.returncode == 0, verify.stderr
        again = _jiuzhu("restore", str(backup), database_url=database_url, tmp_path=tmp_path)
        assert again.returncode != 0
        assert "not empty" in again.stderr
    finally:
        drop()


@pytest.mark.django_db
def test_a_changed_backup_is_refused_by_its_checksums(recorded, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup = tmp_path / "backup.zip"
    backup_write(backup)
    with zipfile.ZipFile(backup) as zf:
        data = [json.loads(line) for line in zf.read("data.jsonl").splitlines()]
        manifest = zf.read("manifest.json")
    for row in data:
        if row["model"] == "registry.member":
            row["fields"]["name"] = "王五"
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(changed, "w") as zf:
        zf.writestr("data.jsonl", "\n".join(json.dumps(row) for row in data))
        zf.writestr("manifest.json", manifest)
    database_url, drop = _target_database(tmp_path)
    try:
        result = _jiuzhu("restore", str(changed), database_url=database_url, tmp_path=tmp_path)
        assert result.returncode != 0
        assert "differs from the backup in: registry.member" in result.stderr
    finally:
        drop()


@pytest.mark.django_db
def test_restoring_into_a_database_with_records_is_refused(recorded, tmp_path):
    backup = tmp_path / "backup.zip"
    backup_write(backup)
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(backup)


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    from jiuzhu.core.backup import backup_manifest

    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="not a jiuzhu backup"):
        backup_manifest(junk)


@pytest.mark.django_db
def test_checksums_do_not_depend_on_how_the_database_spells_a_decimal(recorded):
    before = table_checksums()["registry.household"]
    household = recorded.household
    household.monthly_income = household.monthly_income.quantize(
        __import__("decimal").Decimal("0.01")
    )
    household.save(update_fields=["monthly_income"])
    assert table_checksums()["registry.household"] == before


@pytest.mark.django_db
def test_encrypted_fields_stay_encrypted_in_the_file_and_come_back(
    caseworker, actors, tmp_path, settings
):
    """Issue 16 item 15: the mobile number, phone and illness details are tokens in the backup
    (never plaintext), and the restored database reads them back and finds the phone."""
    settings.MEDIA_ROOT = tmp_path / "media"
    household = make_household(
        actor=caseworker, community=actors["yaohua_a_worker"].area, phone="025-86669999"
    )
    member = add_member(
        actor=caseworker,
        household=household,
        name="吴敏",
        mobile="13966667777",
        illness="chronic",
        illness_note="哮喘",
    )
    backup = tmp_path / "backup.zip"
    backup_write(backup)
    with zipfile.ZipFile(backup) as zf:
        data = zf.read("data.jsonl").decode()
    born = member.birth_date.isoformat()  # encrypted too (issue 16 item 1)
    for plain in ("13966667777", "025-86669999", "哮喘", born):
        assert plain not in data
    database_url, drop = _target_database(tmp_path)
    try:
        result = _jiuzhu("restore", str(backup), database_url=database_url, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        shown = _jiuzhu(
            "manage", "shell", "-c",
            "from jiuzhu.registry.models import Member; from jiuzhu.core.encrypted_fields import "
            f"phone_hash; m = Member.objects.get(pk={member.pk}); "
            "print(m.mobile, m.illness_note, m.household.phone, "
            "Member.objects.filter(mobile_hash=phone_hash('13966667777')).count(), "
            "m.birth_date.isoformat())",
            database_url=database_url, tmp_path=tmp_path,
        )  # fmt: skip
        assert shown.stdout.strip().splitlines()[-1] == f"13966667777 哮喘 025-86669999 1 {born}"
    finally:
        drop()
