"""``jiuzhu import`` killed (SIGKILL) half-way through a large department file leaves no half
batch (issue 16 item 17): afterwards the batch is absent — no batch row, no record, no potential
case, no warning of it — every earlier batch is still complete, the audit trail verifies, and
running the same command again imports the whole file, every row, potential case and warning.

Runs the product as deployed: the ``jiuzhu`` console script on the file database the other
fault tests use (SQLite, or PostgreSQL when DATABASE_URL points at it). The kill waits for the
command's own progress line (``-v 2``: every 10,000 rows), not for a fixed time.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess

import pytest

from fault_support import jiuzhu, shell, wait_until

pytestmark = pytest.mark.xdist_group("faults")

#: Each person of the file is paid on this many distinct days (one row per person and day:
#: the medical source's key is the identity number and the settlement date).
DAYS = 200
#: People the registry does not know: each becomes one potential case.
STRANGERS = 250
#: The progress line the kill waits for (one third of the rows or less: see ``test_…``).
KILL_AT = "… 20000 rows"

SETUP = """
import csv, json, datetime as dt, random
from django.utils import timezone
from jiuzhu.core import crypto
from jiuzhu.discovery.engine.validate import check_character
from jiuzhu.discovery.models import PotentialCase
from jiuzhu.registry.models import Member
_enc, digest = crypto.bulk_encryptor()
members = [
    crypto.decrypt(token)
    for token in Member.objects.filter(is_active=True).order_by("pk")
    .values_list("id_number_encrypted", flat=True)
]
known = set(Member.objects.values_list("id_number_hash", flat=True))
known |= set(PotentialCase.objects.values_list("id_number_hash", flat=True))
rng = random.Random(20261203)
strangers = []
while len(strangers) < STRANGERS:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 25000))
    first17 = f"320113{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    number = first17 + check_character(first17)
    if number not in strangers and digest(number) not in known:
        strangers.append(number)
today = timezone.localdate()
with open(PATH, "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["身份证号", "姓名", "结算日期", "个人自付"])
    for day in range(DAYS):
        settled = (today - dt.timedelta(days=1 + day)).isoformat()
        for n, number in enumerate(members + strangers):
            writer.writerow([number, f"姓名{n}", settled, f"{300 + (day * 7 + n) % 900}.00"])
print(json.dumps({"members": len(members)}))
"""

STATE = """
import json
from django.db.models import Count, Q
from jiuzhu.core.audit_chain import verify as audit_verify
from jiuzhu.discovery.models import DepartmentRecord, EarlyWarning, ImportBatch, PotentialCase
stored = ImportBatch.objects.filter(status__in=["imported", "partial"]).annotate(
    stored_records=Count("records", distinct=True),
    stored_matched=Count("records", filter=Q(records__member__isnull=False), distinct=True),
)
cases = dict(
    PotentialCase.objects.order_by().values("first_batch")
    .annotate(n=Count("id")).values_list("first_batch", "n")
)
warnings = dict(
    EarlyWarning.objects.filter(record__isnull=False).order_by().values("record__batch")
    .annotate(n=Count("id")).values_list("record__batch", "n")
)
incomplete = [
    b.pk for b in stored
    if (b.stored_records, b.stored_matched, cases.get(b.pk, 0), warnings.get(b.pk, 0))
    != (b.new_records, b.matched, b.potential_cases, b.warnings)
]
mine = ImportBatch.objects.filter(file_sha256=SHA).order_by("pk")
print(json.dumps({
    "batches": ImportBatch.objects.count(),
    "records": DepartmentRecord.objects.count(),
    "cases": PotentialCase.objects.count(),
    "warnings": EarlyWarning.objects.count(),
    "incomplete": incomplete,
    "audit_problems": audit_verify().problems[:5],
    "mine": list(mine.values(
        "status", "rows", "accepted", "rejected", "new_records", "matched", "potential_cases",
        "warnings",
    )),
}))
"""


def _state(env: dict, sha: str) -> dict:
    return shell(env, STATE.replace("SHA", repr(sha)))


def test_a_killed_import_leaves_no_half_batch_and_running_it_again_completes_it(
    deployment, tmp_path
):
    env = deployment.env
    path = tmp_path / "医保-个人自付-大文件.csv"
    setup = SETUP.replace("PATH", repr(str(path)))
    setup = setup.replace("STRANGERS", str(STRANGERS)).replace("DAYS", str(DAYS))
    members = shell(env, setup)["members"]
    assert members > 0
    rows = DAYS * (members + STRANGERS)
    assert rows >= 3 * 20_000  # the kill comes in the first third of the rows
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    before = _state(env, sha)
    assert before["incomplete"] == [] and before["mine"] == []

    log = tmp_path / "import.log"
    command = [jiuzhu(), "import", "medical", str(path), "--user", "canlian", "-v", "2"]
    with log.open("w") as out:
        importing = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: KILL_AT in log.read_text(),
            timeout=300,
            process=importing,
            log=log,
            what=f"the progress line {KILL_AT!r}",
        )
    finally:
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=30)
    assert importing.returncode == -signal.SIGKILL  # killed half-way, not finished

    after = _state(env, sha)
    assert after["mine"] == []  # no batch of the killed import
    for count in ("batches", "records", "cases", "warnings"):
        assert after[count] == before[count], count  # nothing of it
    assert after["incomplete"] == []
    assert after["audit_problems"] == []

    again = subprocess.run(
        [jiuzhu(), "import", "medical", str(path), "--user", "canlian"],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    final = _state(env, sha)
    [batch] = final["mine"]
    # By hand from the file: one row per person and day; the registry's members match, each
    # stranger opens one potential case.
    assert batch["status"] == "imported"
    assert (batch["rows"], batch["accepted"], batch["rejected"]) == (rows, rows, 0)
    assert batch["new_records"] == rows
    assert batch["matched"] == DAYS * members
    assert batch["potential_cases"] == STRANGERS
    assert batch["warnings"] > 0  # 200 payments of 300-1,200 yuan: over any household's share
    assert final["records"] == before["records"] + rows
    assert final["cases"] == before["cases"] + STRANGERS
    assert final["warnings"] == before["warnings"] + batch["warnings"]
    assert final["batches"] == before["batches"] + 1
    assert final["incomplete"] == []  # and the batch has every record, case and warning
    assert final["audit_problems"] == []
