"""`jiuzhu mpi` on every input format gives the engine's result on the same data.

The expected side is the in-memory engine (evaluate + compute_measures) on plain Python lists,
the way the data was generated, never the reader under test.
"""

import json

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jiuzhu.assessment.engine import compute_measures, evaluate, load_framework
from jiuzhu.assessment.engine import io as engine_io
from jiuzhu.assessment.mpi_cli import run

FRAMEWORK_YAML = """\
name: formats
poverty_cutoff: 1/3
dimensions:
  - name: money
    indicators:
      - {name: income, deprived_if: "< 30"}
      - {name: ill, deprived_if: "true", critical: true}
  - name: home
    indicators:
      - {name: house, column: 住房, deprived_if: 'in ["危房", "棚户"]'}
      - {name: water, deprived_if: "== 0"}
"""
HEADER = ["id", "income", "ill", "住房", "water", "district", "size"]
ILL = ["是", "否", "1", "0", "yes", "NO", ""]
HOUSES = ["楼房", "危房", "棚户", " 平房", ""]
DISTRICTS = ["玄武", "秦淮", "建邺", "栖霞"]


def households(n, seed=20261202):
    """Rows of text cells as an analyst's export has them (some empty), and the same as lists."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        income = "" if rng.random() < 0.03 else f"{rng.uniform(0, 100):.2f}"
        water = "" if rng.random() < 0.03 else str(int(rng.integers(0, 2)))
        rows.append(
            [
                str(i + 1),
                income,
                ILL[rng.integers(0, len(ILL))],
                HOUSES[rng.integers(0, len(HOUSES))],
                water,
                DISTRICTS[rng.integers(0, len(DISTRICTS))],
                str(int(rng.integers(1, 6))),
            ]
        )
    return rows


def expected(framework_path, rows, by=None, weighted=False):
    fw = load_framework(framework_path)
    columns = {name: [r[j] for r in rows] for j, name in enumerate(HEADER)}
    ev = evaluate(fw, columns)
    sizes = np.array([float(s) for s in columns["size"]]) if weighted else None
    report = compute_measures(
        ev, groups=columns[by] if by else None, sample_weights=sizes
    ).to_dict()
    report["by"], report["weight_column"] = by, "size" if weighted else None
    return report


def cli(capsys, path, framework, *extra):
    assert run([str(path), "--framework", str(framework), *extra, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def framework(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text(FRAMEWORK_YAML, encoding="utf-8")
    return path


def write_csv(path, rows, encoding="utf-8"):
    lines = [",".join(r) for r in [HEADER, *rows]]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_parquet(path, rows, row_group_size=50):
    """Typed as a data warehouse would: numbers as numbers (empty = null), text as text."""
    columns = {name: [r[j] for r in rows] for j, name in enumerate(HEADER)}

    def floats(values):
        return pa.array([None if v == "" else float(v) for v in values], pa.float64())

    table = pa.table(
        {
            "id": pa.array([int(v) for v in columns["id"]]),
            "income": floats(columns["income"]),
            "ill": pa.array(columns["ill"]).dictionary_encode(),
            "住房": pa.array(columns["住房"]),
            "water": pa.array([None if v == "" else int(v) for v in columns["water"]], pa.int8()),
            "district": pa.array(columns["district"]).dictionary_encode(),
            "size": floats(columns["size"]),
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize(
    "extra",
    [(), ("--by", "district"), ("--by", "district", "--weight-column", "size")],
)
def test_csv_utf8_gbk_and_parquet_equal_the_engine(tmp_path, framework, capsys, extra):
    rows = households(400)
    by = "district" if "--by" in extra else None
    want = expected(framework, rows, by, weighted="--weight-column" in extra)
    assert want["n"] + want["excluded"] == 400 and want["excluded"] > 0
    utf8 = cli(capsys, write_csv(tmp_path / "u.csv", rows), framework, *extra)
    gbk = cli(capsys, write_csv(tmp_path / "g.csv", rows, "gbk"), framework, *extra)
    bom = cli(capsys, write_csv(tmp_path / "b.csv", rows, "utf-8-sig"), framework, *extra)
    parquet = cli(capsys, write_parquet(tmp_path / "d.parquet", rows), framework, *extra)
    if "--weight-column" in extra:  # float sums, streamed in another order: equal to rounding
        for got in (utf8, gbk, bom):
            assert got == want
        assert _close(parquet, want)
    else:
        assert utf8 == want
        assert gbk == want
        assert bom == want
        assert parquet == want


@pytest.mark.parametrize("threads", [False, True])
def test_csv_read_in_many_blocks_equals_the_engine(
    tmp_path, framework, capsys, monkeypatch, threads
):
    # Files above CSV_ONE_BLOCK (or read with threads) arrive as many Arrow chunks per column,
    # dictionaries differing from chunk to chunk: 600 bytes a block makes dozens of them here.
    monkeypatch.setattr(engine_io, "CSV_ONE_BLOCK", 0)
    monkeypatch.setattr(engine_io, "CSV_BLOCK", 600)
    monkeypatch.setattr(engine_io, "CSV_THREADS", threads)
    chunks = []
    column = engine_io._column
    monkeypatch.setattr(
        engine_io, "_column", lambda c, *a: chunks.append(c.num_chunks) or column(c, *a)
    )
    rows = households(400, seed=15)
    want = expected(framework, rows, "district")
    for name, encoding in (("u.csv", "utf-8"), ("g.csv", "gbk")):
        path = write_csv(tmp_path / name, rows, encoding)
        chunks.clear()
        assert cli(capsys, path, framework, "--by", "district") == want
        assert min(chunks) > 10


def _close(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


def test_xlsx_equals_the_engine_with_calamine_and_with_openpyxl(
    tmp_path, framework, capsys, monkeypatch
):
    rows = households(200, seed=5)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "户"
    sheet.append(HEADER)
    for r in rows:  # numbers as numbers, text as text, empty cells empty
        sheet.append(
            [int(r[0]), float(r[1]) if r[1] else None, r[2] or None, r[3] or None]
            + [int(r[4]) if r[4] else None, r[5], int(r[6])]
        )
    path = tmp_path / "d.xlsx"
    book.save(path)
    want = expected(framework, rows, "district")
    assert cli(capsys, path, framework, "--by", "district", "--sheet", "户") == want
    monkeypatch.setattr(engine_io, "_read_workbook", engine_io._read_workbook_openpyxl)
    assert cli(capsys, path, framework, "--by", "district") == want


def test_columnar_and_row_by_row_csv_readers_agree(tmp_path, framework, capsys, monkeypatch):
    rows = households(300, seed=9)
    rows[10][1] = " 12.5 "  # spaces around a number
    rows[11][3] = "　危房"  # a full-width space: Python strips it, so must the reader
    rows[12] = ["13", "", "", "", "", "", ""]  # not blank: an id, then empty cells
    path = write_csv(tmp_path / "d.csv", rows)
    path.write_bytes(path.read_bytes() + b",,,,,,\n\n")  # a blank row and an empty line
    fast = cli(capsys, path, framework, "--by", "district")
    monkeypatch.setattr(engine_io, "_read_csv_arrow", lambda *args: None)
    slow = cli(capsys, path, framework, "--by", "district")
    assert fast == slow
    assert fast["n"] + fast["excluded"] == 300  # the blank row is not a household


def test_irregular_csv_falls_back_to_the_exact_reader(tmp_path, framework, capsys):
    rows = households(50, seed=3)
    want = expected(framework, rows, "district")
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    text = text.replace("\n1,", '\n"1",', 1)  # quoting is fine
    lines = text.split("\n")
    lines[5] = lines[5] + ","  # a trailing empty cell: longer than the header, but empty
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert cli(capsys, path, framework, "--by", "district") == want
    quoted = '"id\nnumber",' + ",".join(HEADER[1:])  # a header cell spanning two lines
    path.write_text("\n".join([quoted, *lines[1:]]), encoding="utf-8")
    assert cli(capsys, path, framework, "--by", "district") == want


def test_parquet_errors_name_the_row_and_exit_2(tmp_path, framework, capsys):
    rows = households(120, seed=4)
    rows[97][2] = "maybe"
    path = write_parquet(tmp_path / "d.parquet", rows, row_group_size=25)
    assert run([str(path), "--framework", str(framework)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "row 98: 'maybe' is not 0/1" in err
    assert run([str(path), "--framework", str(framework), "--by", "street"]) == 2
    assert "--by: column 'street' is not in" in capsys.readouterr().err
    no_house = tmp_path / "n.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["住房"]), no_house)
    assert run([str(no_house), "--framework", str(framework)]) == 2
    assert "indicator 'house' needs column '住房'" in capsys.readouterr().err
    broken = tmp_path / "b.parquet"
    broken.write_bytes(b"PAR1 not really")
    assert run([str(broken), "--framework", str(framework)]) == 2
    assert "cannot read Parquet file" in capsys.readouterr().err
    assert run([str(tmp_path / "none.parquet"), "--framework", str(framework)]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert run([str(path), "--framework", str(framework), "--sheet", "x"]) == 2
    assert "--sheet applies only to .xlsx" in capsys.readouterr().err


def test_slices_of_a_whole_table_give_its_results_and_its_messages(
    tmp_path, framework, capsys, monkeypatch
):
    from jiuzhu.assessment import mpi_cli

    rows = households(100, seed=11)
    path = write_csv(tmp_path / "d.csv", rows)
    whole = cli(capsys, path, framework, "--by", "district")
    monkeypatch.setattr(mpi_cli, "BATCH_ROWS", 7)  # 15 slices
    assert cli(capsys, path, framework, "--by", "district") == whole
    # Errors in two columns, the later column's in an earlier slice: the message is the one of
    # the whole table (the first indicator, income, at its first bad row), not the first slice's.
    rows[2][2] = "maybe"  # ill, row 3
    rows[60][1] = "三十"  # income, row 61
    rows[80][1] = "四十"
    assert run([str(write_csv(path, rows)), "--framework", str(framework)]) == 2
    err = capsys.readouterr().err
    assert "indicator 'income' (column 'income'), row 61: '三十' is not a number" in err


def test_windows_line_endings_and_a_quoted_header(tmp_path, framework, capsys):
    rows = households(60, seed=12)
    want = expected(framework, rows, "district")
    header = ",".join(f'"{h}"' for h in HEADER)  # as Excel and pyarrow write it
    text = "\r\n".join([header, *(",".join(r) for r in rows)]) + "\r\n"
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("gbk"))
    assert cli(capsys, path, framework, "--by", "district") == want
