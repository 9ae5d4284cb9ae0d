"""Subgroup labels and table reading (CSV encodings, blank rows, workbook cells)."""

import numpy as np
import openpyxl
import pytest

from jiuzhu.assessment.engine import DataError, compute_measures
from jiuzhu.assessment.engine.groups import factorize
from jiuzhu.assessment.engine.io import read_table


def test_integer_groups_use_their_values_as_labels():
    codes, labels = factorize(np.array([7, -2, 7, 100]))
    assert labels == ["-2", "7", "100"]
    assert codes.tolist() == [1, 0, 1, 2]
    codes, labels = factorize(np.array([10**12, 1]))
    assert labels == ["1", "1000000000000"]


def test_text_and_float_groups_and_the_missing_group():
    codes, labels = factorize([3.0, "3", None, " a ", ""])
    assert labels == ["(missing)", "3", "a"]
    assert codes.tolist() == [1, 1, 0, 2, 0]
    assert factorize(np.array([True, False]))[1] == ["false", "true"]


@pytest.mark.parametrize(
    ("groups", "codes", "labels"),
    [
        (np.array([7, -2, 7, 100], dtype=np.int8), [1, 0, 1, 2], ["-2", "7", "100"]),  # dense
        (np.array([2**40, 5, 2**40]), [1, 0, 1], ["5", "1099511627776"]),  # sparse
        (np.array([], dtype=np.int64), [], []),
        (["栖霞", None, "建邺"], [2, 0, 1], ["(missing)", "建邺", "栖霞"]),
    ],
)
def test_group_codes_are_index_integers_on_every_path(groups, codes, labels):
    """The codes index arrays (np.bincount, lookups): integers of the platform's index type,
    whichever way they were found."""
    found, found_labels = factorize(groups)
    assert found.dtype == np.intp
    assert (found.tolist(), found_labels) == (codes, labels)


def test_coded_group_columns_give_the_codes_of_their_cells():
    from jiuzhu.assessment.engine.values import CodedColumn

    column = CodedColumn(codes=np.array([2, 0, 2, 0]), cells=np.array(["栖霞", "建邺", "鼓楼"]))
    found, labels = factorize(column)
    assert found.dtype == np.intp
    assert (found.tolist(), labels) == ([1, 0, 1, 0], ["栖霞", "鼓楼"])  # 建邺 unused


def test_households_with_an_empty_group_cell_still_count():
    m = compute_measures(
        np.array([[1, 1], [0, 0], [1, 0]]), ["1/2", "1/2"], "1/2", groups=["a", None, "a"]
    )
    assert {g.label: g.n for g in m.groups} == {"(missing)": 1, "a": 2}
    assert sum(g.population_share * g.M0 for g in m.groups) == pytest.approx(m.M0)


def test_csv_blank_rows_short_rows_and_gbk(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("姓名,收入\n\n张三,10\n李四\n,,\n".encode("gbk"))
    table = read_table(path)
    assert table.encoding == "gb18030"
    assert table.n == 2
    assert table.columns["姓名"].tolist() == ["张三", "李四"]
    assert table.columns["收入"].tolist() == ["10", ""]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,a\n1,2\n", "column 'a' appears twice"),
        ("a,b\n1,2,3\n", "data row 1 has more cells than the header"),
        ("\n\n", "no header row"),
    ],
)
def test_csv_errors(tmp_path, text, message):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_table(path)


def test_workbook_cells_keep_their_types(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["income", None, "ill"])
    sheet.append([12.5, "ignored", True])
    sheet.append([None, None, False])
    book.save(tmp_path / "d.xlsx")
    table = read_table(tmp_path / "d.xlsx")
    assert list(table.columns) == ["income", "ill"]  # a column without a header is ignored
    # A column of numbers and empty cells comes back as floats, empty = NaN (missing).
    assert table.columns["income"].dtype == np.float64
    assert table.columns["income"][0] == 12.5 and np.isnan(table.columns["income"][1])
    assert table.columns["ill"].tolist() == [True, False]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataError, match="cannot read workbook"):
        read_table(path)
    with pytest.raises(DataError, match="old .xls workbooks are not supported"):
        read_table(tmp_path / "d.xls")


@pytest.mark.parametrize(
    ("threads", "cores", "size", "block"),
    [
        # one thread: the whole file is one block up to 256 MiB, then 1 MiB blocks
        (False, 2, 68 * 2**20, 68 * 2**20 + 1),
        (False, 1, 2**28, 2**20),
        # threads: four blocks per core (68 MiB on 2 cores: 8 blocks of 8.5 MiB)...
        (True, 2, 68 * 2**20, 68 * 2**20 // 8 + 1),
        (True, 4, 64 * 2**20, 4 * 2**20 + 1),
        # ...never under 1 MiB, never over 256 MiB
        (True, 2, 3 * 2**20, 2**20),
        (True, 2, 4 * 2**30, 2**28),
    ],
)
def test_csv_block_size(monkeypatch, threads, cores, size, block):
    from jiuzhu.assessment.engine import io as engine_io

    monkeypatch.setattr(engine_io, "CSV_THREADS", threads)
    monkeypatch.setattr(engine_io, "usable_cores", lambda: cores)
    assert engine_io._block_size(size) == block


def test_numeric_arrow_columns_become_numpy_with_nulls_as_nan():
    import pyarrow as pa

    from jiuzhu.assessment.engine.io import _numbers

    ints = pa.chunked_array([pa.array([1, 2, 3], pa.int64()), pa.array([], pa.int64())])
    got = _numbers(ints)
    assert got.dtype == np.int64 and got.tolist() == [1, 2, 3]
    with_nulls = pa.chunked_array([pa.array([1.5, None, 2.5]), pa.array([None, 4.0])])
    assert np.array_equal(_numbers(with_nulls), [1.5, np.nan, 2.5, np.nan, 4.0], equal_nan=True)
    # slices share buffers with an offset; an integer column with a null becomes float64
    sliced = pa.chunked_array([pa.array([9, None, 7, 6], pa.int32()).slice(1, 3)])
    got = _numbers(sliced)
    assert got.dtype == np.float64
    assert np.array_equal(got, [np.nan, 7.0, 6.0], equal_nan=True)
    assert _numbers(pa.chunked_array([], pa.float32())).dtype == np.float32


def test_jiuzhu_mpi_on_a_csv_does_not_import_pandas(tmp_path):
    # pyarrow's to_numpy() imports pandas, 0.3 s of a command's start; the reader avoids it.
    import subprocess
    import sys

    data = tmp_path / "h.csv"
    data.write_text("a,g\n1,x\n,y\n0,x\n", encoding="utf-8")
    script = (
        "import sys; from jiuzhu.assessment.engine.io import read_table; "
        f"t = read_table({str(data)!r}, numeric=['a']); "
        "assert t.columns['a'].tolist()[0] == 1.0; "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
