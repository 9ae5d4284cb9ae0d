"""`jiuzhu mpi` end to end: files in, one JSON object or a table out, exit status 2 on errors."""

import json
import subprocess
import sys

import openpyxl
import pytest

from jiuzhu.assessment.mpi_cli import run

FRAMEWORK_YAML = """\
name: 六维示例
poverty_cutoff: 0.4
dimensions:
  - name: income
    indicators:
      - name: income
        weight: 0.4
        deprived_if: "< 13"
  - name: health
    indicators:
      - name: illness
        weight: 0.2
        deprived_if: "true"
        critical: true
      - name: insured
        weight: 0.1
        deprived_if: "== 0"
  - name: housing
    indicators:
      - name: housing
        column: 住房
        weight: "0.3"
        deprived_if: 'in ["危房", "棚户"]'
"""
HEADER = ["id", "income", "illness", "insured", "住房", "district", "size"]
# Same four households as the hand-worked engine test: scores 0.6, 0.4, 0.2, 0.7 with k = 0.4.
ROWS = [
    ["1", "10", "是", "1", "楼房", "建邺", "1"],
    ["2", "20", "否", "0", "危房", "建邺", "2"],
    ["3", "30", "1", "1", "楼房", "栖霞", "3"],
    ["4", "5", "0", "1", "棚户", "栖霞", "4"],
]


def write_csv(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def framework(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text(FRAMEWORK_YAML, encoding="utf-8")
    return path


def run_json(capsys, *argv):
    assert run([*map(str, argv), "--format", "json"]) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def run_error(capsys, *argv):
    assert run(list(map(str, argv))) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ")
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    return captured.err


def test_json_output_shape_and_values(tmp_path, framework, capsys):
    data = write_csv(tmp_path / "d.csv")
    out = run_json(capsys, data, "--framework", framework, "--by", "district")
    for key in ("n", "poor", "excluded", "missing", "H", "A", "M0", "vulnerable", "severe"):
        assert key in out
    assert (out["framework"], out["k"], out["n"], out["poor"], out["excluded"]) == (
        "六维示例",
        0.4,
        4,
        3,
        0,
    )
    assert (out["H"], out["M0"], out["vulnerable"], out["severe"]) == (0.75, 0.425, 0.25, 0.5)
    assert set(out["indicators"]) == {"income", "illness", "insured", "housing"}
    contributions = [v["contribution"] for v in out["indicators"].values()]
    assert contributions == [8 / 17, 2 / 17, 1 / 17, 6 / 17]
    assert out["indicators"]["illness"]["censored_headcount"] == 0.25
    assert out["indicators"]["illness"]["uncensored_headcount"] == 0.5
    assert out["dimensions"]["health"]["contribution"] == 3 / 17
    assert out["groups"]["建邺"] == {
        "n": 2,
        "poor": 2,
        "population_share": 0.5,
        "H": 1.0,
        "A": 0.5,
        "M0": 0.5,
        "contribution": 10 / 17,
    }
    assert out["groups"]["栖霞"]["contribution"] == 7 / 17


def test_without_by_there_are_no_groups(tmp_path, framework, capsys):
    out = run_json(capsys, write_csv(tmp_path / "d.csv"), "--framework", framework)
    assert "groups" not in out


def test_weight_column_and_k_override(tmp_path, framework, capsys):
    data = write_csv(tmp_path / "d.csv")
    out = run_json(capsys, data, "--framework", framework, "--weight-column", "size")
    # Household sizes 1, 2, 3, 4: H = 7/10, M0 = 4.2/10 (see the hand-worked engine test).
    assert out["n"] == 4
    assert out["H"] == pytest.approx(0.7)
    assert out["M0"] == pytest.approx(0.42)
    assert out["weight_column"] == "size"
    out = run_json(capsys, data, "--framework", framework, "--k", "1/3")
    assert out["k_exact"] == "1/3"
    assert out["poor"] == 3  # 0.6, 0.4 and 0.7 are >= 1/3; 0.2 is not


def test_nobody_poor_gives_zero_a_and_contributions(tmp_path, framework, capsys):
    data = write_csv(tmp_path / "d.csv")
    out = run_json(capsys, data, "--framework", framework, "--k", "1", "--by", "district")
    assert (out["poor"], out["H"], out["A"], out["M0"]) == (0, 0.0, 0.0, 0.0)
    assert all(v["contribution"] == 0 for v in out["indicators"].values())
    assert all(v["contribution"] == 0 for v in out["dimensions"].values())
    assert all(v["contribution"] == 0 for v in out["groups"].values())


def test_missing_cells_are_excluded_and_reported(tmp_path, framework, capsys):
    rows = [list(r) for r in ROWS]
    rows[1][1] = ""  # h2 income empty
    rows[2][4] = " "  # h3 housing blank
    data = write_csv(tmp_path / "d.csv", rows)
    out = run_json(capsys, data, "--framework", framework)
    assert (out["n"], out["excluded"]) == (2, 2)
    assert out["missing"] == {"income": 1, "illness": 0, "insured": 0, "housing": 1}
    # Left: h1 (0.6) and h4 (0.7), both poor.
    assert (out["poor"], out["H"], out["M0"]) == (2, 1.0, 0.65)


def test_gbk_and_bom_csv(tmp_path, framework, capsys):
    gbk = write_csv(tmp_path / "gbk.csv", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")
    out = run_json(capsys, gbk, "--framework", framework, "--by", "district")
    assert set(out["groups"]) == {"建邺", "栖霞"}
    assert out["M0"] == 0.425
    bom = write_csv(tmp_path / "bom.csv", encoding="utf-8-sig")
    header = bom.read_bytes()[:3]
    assert header == b"\xef\xbb\xbf"
    assert run_json(capsys, bom, "--framework", framework)["M0"] == 0.425


def write_workbook(path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["this sheet is notes, not data"])
    sheet = book.create_sheet("households")
    sheet.append(HEADER)
    for row in ROWS:
        # Workbooks hold numbers as numbers; house types stay text.
        sheet.append([int(row[0]), float(row[1]), row[2], int(row[3]), row[4], row[5], int(row[6])])
    book.save(path)
    return path


def test_xlsx_with_sheet(tmp_path, framework, capsys):
    book = write_workbook(tmp_path / "d.xlsx")
    out = run_json(
        capsys, book, "--framework", framework, "--sheet", "households", "--by", "district"
    )
    assert (out["n"], out["poor"], out["M0"]) == (4, 3, 0.425)
    assert out["groups"]["栖霞"]["M0"] == 0.35
    err = run_error(capsys, book, "--framework", framework)  # first sheet has no indicator columns
    assert "indicator 'income' needs column 'income'" in err
    err = run_error(capsys, book, "--framework", framework, "--sheet", "nope")
    assert "no sheet named 'nope'" in err and "'households'" in err


def test_table_format(tmp_path, framework, capsys):
    data = write_csv(tmp_path / "d.csv")
    assert run([str(data), "--framework", str(framework), "--by", "district"]) == 0
    out = capsys.readouterr().out
    for text in (
        "Framework: 六维示例",
        "M0  adjusted headcount ratio",
        "0.4250",
        "Indicators",
        "Dimensions",
        "Groups by 'district'",
        "建邺",
        "Score distribution",
    ):
        assert text in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, f: [d, "--framework", f.with_name("none.yaml")], "cannot read framework file"),
        (lambda d, f: [d.with_name("none.csv"), "--framework", f], "cannot read"),
        (
            lambda d, f: [d, "--framework", f, "--k", "2"],
            "--k: the poverty cutoff must be in (0, 1]",
        ),
        (lambda d, f: [d, "--framework", f, "--k", "abc"], "--k: expected a number"),
        (lambda d, f: [d, "--framework", f, "--by", "street"], "--by: column 'street' is not in"),
        (lambda d, f: [d, "--framework", f, "--weight-column", "w"], "--weight-column: column 'w'"),
        (lambda d, f: [d, "--framework", f, "--sheet", "x"], "--sheet applies only to .xlsx"),
    ],
)
def test_argument_errors_exit_2(tmp_path, framework, capsys, change, message):
    data = write_csv(tmp_path / "d.csv")
    assert message in run_error(capsys, *change(data, framework))


def test_data_errors_exit_2(tmp_path, framework, capsys):
    rows = [list(r) for r in ROWS]
    rows[2][1] = "三十"
    data = write_csv(tmp_path / "d.csv", rows)
    err = run_error(capsys, data, "--framework", framework)
    assert "indicator 'income' (column 'income'), row 3: '三十' is not a number" in err
    rows = [list(r) for r in ROWS]
    rows[0][2] = "maybe"
    err = run_error(capsys, write_csv(tmp_path / "d.csv", rows), "--framework", framework)
    assert "row 1: 'maybe' is not 0/1" in err
    rows = [list(r) for r in ROWS]
    rows[3][6] = ""
    err = run_error(
        capsys,
        write_csv(tmp_path / "d.csv", rows),
        "--framework",
        framework,
        "--weight-column",
        "size",
    )
    assert "weight column 'size', row 4: the sample weight is empty" in err
    rows[3][6] = "-1"
    err = run_error(
        capsys,
        write_csv(tmp_path / "d.csv", rows),
        "--framework",
        framework,
        "--weight-column",
        "size",
    )
    assert "sample weight in row 4 must be a finite number >= 0" in err
    no_col = write_csv(tmp_path / "d.csv", [r[:4] for r in ROWS], HEADER[:4])
    err = run_error(capsys, no_col, "--framework", framework)
    assert "indicator 'housing' needs column '住房'" in err


def test_framework_errors_exit_2(tmp_path, capsys):
    data = write_csv(tmp_path / "d.csv")
    bad = tmp_path / "bad.yaml"
    bad.write_text(FRAMEWORK_YAML.replace('weight: "0.3"', "weight: -0.3"), encoding="utf-8")
    err = run_error(capsys, data, "--framework", bad)
    assert "bad.yaml: dimensions[2] ('housing').indicators[0] ('housing').weight" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n", encoding="utf-8")
    assert "invalid YAML" in run_error(capsys, data, "--framework", broken)


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert run([]) == 2
    assert "usage: jiuzhu mpi" in capsys.readouterr().err
    assert run(["--help"]) == 0
    assert "--weight-column" in capsys.readouterr().out


def test_runs_as_a_module(tmp_path, framework):
    data = write_csv(tmp_path / "d.csv")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jiuzhu.assessment.mpi_cli",
            str(data),
            "--framework",
            str(framework),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["M0"] == 0.425
