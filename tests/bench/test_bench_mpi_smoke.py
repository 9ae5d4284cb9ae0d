"""The Alkire–Foster benchmarks run end to end at a tiny size, so the harness cannot rot.

Each runs its real `measure` and `render` (the same code as `make bench`, including its
agreement checks against mpitb and between formats) on a few thousand rows in a temporary
folder, and checks that the RESULTS.md section it would write says what was measured.
"""

from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(autouse=True)
def bench_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))


def test_engine_against_mpitb_smoke():
    import bench_mpi

    figures = bench_mpi.measure(3000, 3000, 1)
    assert figures["worst"] <= 1e-9
    report = bench_mpi.render(figures)
    assert report.startswith(bench_mpi.SECTION)
    assert "--rows 3000" in report and "faster than mpitb" in report


def test_cli_against_mpitb_smoke(tmp_path):
    import bench_mpi_cli

    figures = bench_mpi_cli.measure(3000, 300, 1, tmp_path)
    assert all(figures["same"].values())  # every format gave the identical report
    assert max(figures["worst"].values()) <= 1e-9  # and mpitb agrees on each
    report = bench_mpi_cli.render(figures)
    assert report.startswith(bench_mpi_cli.SECTION)
    for text in (
        "CSV, UTF-8",
        "Arrow on one thread",
        "CSV, GBK",
        "Parquet",
        ".xlsx",
        "Load average",
    ):
        assert text in report
    # The section replaces itself in a RESULTS.md, leaving the other sections alone.
    from results import write_section

    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Other\n\nkept\n", encoding="utf-8")
    write_section(results, bench_mpi_cli.SECTION, report)
    write_section(results, bench_mpi_cli.SECTION, report)
    text = results.read_text(encoding="utf-8")
    assert text.count(bench_mpi_cli.SECTION) == 1 and "kept" in text


def test_nation_generator_and_streamed_run_smoke(tmp_path):
    import pyarrow.parquet as pq

    import bench_mpi_nation

    figures = bench_mpi_nation.measure(5000, 1200, 1, tmp_path)
    path = Path(figures["path"])
    assert path.parent == tmp_path
    meta = pq.ParquetFile(path).metadata
    assert (meta.num_rows, meta.num_row_groups) == (5000, 5)
    result = figures["result"]
    assert result["n"] + result["excluded"] == 5000
    assert 0 < result["H"] < 1 and len(result["groups"]) > 100
    assert figures["rss"][0] > 0
    # Deterministic: generating again gives the same table.
    again = tmp_path / "again.parquet"
    bench_mpi_nation.generate(again, 5000, 1200)
    assert pq.read_table(again).equals(pq.read_table(path))
    report = bench_mpi_nation.render(figures)
    assert report.startswith(bench_mpi_nation.SECTION) and "peak RSS" in report
