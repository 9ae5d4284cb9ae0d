"""What a department record's indexes and SQLite's page cache cost when a million rows are
inserted (bench/RESULTS.md, department import, run 6). A table shaped like
``discovery_departmentrecord`` in a temporary file, 1,000,000 rows in chunks of 2,000 through
``executemany``, random 64-hex row keys, identity hashes from 70,000 people.

    .venv/bin/python bench/bench_sqlite_indexes.py [--rows N] [--cache-mib M]

Prints the time for: the bare table; with the unique (source, row_key) index; with the six
other indexes; with all seven.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sqlite3
import tempfile
import time
from pathlib import Path

COLUMNS = (
    'source, row_key, id_number_hash, "on", "values", household_id, member_id, batch_id,'
    " potential_case_id"
)
INDEXED = ["id_number_hash", "household_id", "member_id", "batch_id", "potential_case_id"]


def run(folder: Path, rows: int, cache_mib: int, unique: bool, indexes: bool) -> float:
    path = folder / f"t{int(unique)}{int(indexes)}.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA cache_size={-cache_mib * 1024}")
    once = ", UNIQUE (source, row_key)" if unique else ""
    db.execute(
        "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, source varchar(16),"
        ' row_key varchar(64), id_number_hash varchar(64), "on" date,'
        ' "values" text CHECK (JSON_VALID("values")), household_id bigint, member_id bigint,'
        f" batch_id bigint, potential_case_id bigint{once})"
    )
    if indexes:
        for column in INDEXED:
            db.execute(f"CREATE INDEX ix_{column} ON t ({column})")
        db.execute('CREATE INDEX ix_hso ON t (household_id, source, "on")')
    rng = random.Random(20261204)
    people = [secrets.token_hex(32) for _ in range(70_000)]
    keys = [secrets.token_hex(32) for _ in range(rows)]
    marks = ", ".join(["?"] * 9)
    db.execute("BEGIN")
    started = time.perf_counter()
    for start in range(0, rows, 2000):
        chunk = [
            (
                "medical",
                keys[i],
                rng.choice(people),
                "2026-01-01",
                '{"out_of_pocket": "12.50"}',
                rng.randrange(1, 100_000),
                rng.randrange(1, 225_000),
                1,
                None,
            )
            for i in range(start, min(start + 2000, rows))
        ]
        db.executemany(f"INSERT INTO t ({COLUMNS}) VALUES ({marks})", chunk)  # noqa: S608
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cache-mib", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for label, unique, indexes in [
            ("bare table", False, False),
            ("+ unique (source, row_key)", True, False),
            ("+ six other indexes", False, True),
            ("all seven indexes", True, True),
        ]:
            seconds = run(Path(folder), args.rows, args.cache_mib, unique, indexes)
            print(f"{label:28} {args.rows:,} rows, {args.cache_mib} MiB cache: {seconds:.1f} s")


if __name__ == "__main__":
    main()
