"""Every benchmark runs at a tiny size in CI, so the harness cannot rot (issue 15). Each runs as
its own process against a throw-away SQLite database in a temporary folder (never the database
``DATABASE_URL`` names) and must exit 0; the figures themselves are not checked here."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(script: str, *args: str, tmp_path: Path, timeout: int = 900) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JIUZHU_TESTING")}
    env.update(JIUZHU_VAR_DIR=str(tmp_path / "var"), JIUZHU_DEMO="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own scripts with fixed arguments
        [sys.executable, str(BENCH / script), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"{script} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def test_load_benchmark_smoke(tmp_path):
    out = run("bench_load.py", "--smoke", "--port", str(free_port()), tmp_path=tmp_path)
    for scenario in ("healthz", "household list", "household search", "order create"):
        assert f"| {scenario} |" in out
    assert "| order lifecycle |" in out and "- rate:" in out


def test_search_benchmark_smoke(tmp_path):
    out = run("bench_search.py", "--households", "60", "--repeat", "2", tmp_path=tmp_path)
    assert "| name, 2 characters | 2 |" in out
    assert "VIRTUAL TABLE INDEX" in out  # the plan shows the trigram index


def test_household_list_benchmark_smoke(tmp_path):
    out = run("bench_household_list.py", "--households", "60", tmp_path=tmp_path)
    assert "| search by name |" in out


def test_rescore_benchmark_smoke(tmp_path):
    run("bench_rescore.py", "--households", "60", "--repeat", "1", tmp_path=tmp_path)


def test_dispatch_benchmark_smoke(tmp_path):
    run(
        "bench_dispatch.py",
        "--orders",
        "200",
        "--providers",
        "10",
        "--repeat",
        "1",
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize("rows", [2000])
def test_mpi_benchmark_smoke(tmp_path, rows):
    run("bench_mpi.py", "--rows", str(rows), "--repeat", "1", tmp_path=tmp_path)


def test_dashboards_benchmark_smoke(tmp_path):
    out = run(
        "bench_dashboards.py",
        "--households",
        "60",
        "--orders",
        "40",
        "--repeat",
        "1",
        tmp_path=tmp_path,
    )
    assert "| street caseworker |" in out and "`snapshot_take`" in out
    assert "| street caseworker, page |" in out and "| city administrator, API |" in out


def test_pages_benchmark_smoke(tmp_path):
    out = run("bench_pages.py", "--households", "40", "--repeat", "1", tmp_path=tmp_path)
    for page in ("household page (street caseworker)", "dispatch board, its poll"):
        assert f"| {page}" in out


def test_soak_benchmark_smoke(tmp_path):
    out = run("bench_soak.py", "--smoke", "--port", str(free_port()), tmp_path=tmp_path)
    assert "| requests | errors |" in out
    assert "Server memory (RSS of the gunicorn master" in out


def test_department_import_benchmark_smoke(tmp_path):
    out = run("bench_discovery.py", "--rows", "3000", "--households", "40", tmp_path=tmp_path)
    assert "| (b) import: (a) (in a second process from 8 MiB on) + match by keyed" in out
    assert "accepted 3,000, new records 3,000" in out
    assert "the second import added 0 records" in out


def test_sqlite_index_benchmark_smoke(tmp_path):
    out = run("bench_sqlite_indexes.py", "--rows", "3000", "--cache-mib", "2", tmp_path=tmp_path)
    assert out.count("3,000 rows, 2 MiB cache") == 4
