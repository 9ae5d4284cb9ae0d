"""Streaming: measures summed over chunks (Parquet row groups) equal the whole-table measures."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu.assessment.engine import DataError, compute_measures, evaluate, framework_from_dict
from jiuzhu.assessment.engine.io import iter_parquet, read_table
from jiuzhu.assessment.engine.stream import MeasureStream
from jiuzhu.assessment.engine.values import CodedColumn

FRAMEWORK = {
    "name": "stream",
    "poverty_cutoff": "1/3",
    "dimensions": [
        {
            "name": "money",
            "indicators": [
                {"name": "income", "deprived_if": "< 30"},
                {"name": "ill", "deprived_if": "true", "critical": True},
            ],
        },
        {
            "name": "home",
            "indicators": [
                {"name": "house", "deprived_if": 'in ["危房", "棚户"]'},
                {"name": "water", "deprived_if": "== 0"},
                {"name": "area", "deprived_if": "<= 12.5"},
            ],
        },
    ],
}
COLUMNS = ["income", "ill", "house", "water", "area"]


def households(seed, n, missing=0.05):
    """Arrow columns with nulls (missing cells), and the same data as plain Python lists."""
    rng = np.random.default_rng(seed)

    def nulls():
        return rng.random(n) < missing

    houses = np.array(["楼房", "危房", "棚户", " 平房 "])
    data = {
        "income": pa.array(rng.integers(0, 100, n).astype(float), mask=nulls()),
        "ill": pa.array(rng.integers(0, 2, n).astype(np.int8), mask=nulls()),
        "house": pa.array(houses[rng.integers(0, 4, n)], mask=nulls()).dictionary_encode(),
        "water": pa.array(rng.integers(0, 2, n), mask=nulls()),
        "area": pa.array(rng.uniform(5, 40, n), mask=nulls()),
        "district": pa.array(
            np.array(["玄武", "秦淮", "建邺", "10", "9"])[rng.integers(0, 5, n)], mask=nulls()
        ),
        "size": pa.array(rng.integers(0, 6, n).astype(float)),
    }
    return pa.table(data), {name: column.to_pylist() for name, column in data.items()}


def whole(fw, lists, by=None, weights=False):
    """The in-memory engine on plain Python lists (None = missing), as before streaming."""
    ev = evaluate(fw, {c: lists[c] for c in COLUMNS})
    return compute_measures(
        ev,
        groups=None if by is None else lists[by],
        sample_weights=np.array(lists["size"]) if weights else None,
    ).to_dict()


def streamed(fw, path, batch_rows, by=None, weights=False):
    stream = MeasureStream(fw, grouped=by is not None, weighted=weights)
    wanted = [*COLUMNS, "district", "size"]
    for _, columns in iter_parquet(path, wanted, batch_rows=batch_rows):
        stream.add(
            columns,
            groups=None if by is None else columns[by],
            sample_weights=columns["size"] if weights else None,
        )
    return stream.result().to_dict()


def assert_same(a, b, exact=True):
    if exact:
        assert a == b
        return
    flat_a, flat_b = flatten(a), flatten(b)
    assert flat_a.keys() == flat_b.keys()
    for key, value in flat_a.items():
        if isinstance(value, float):
            assert value == pytest.approx(flat_b[key], rel=1e-12, abs=1e-15), key
        else:
            assert value == flat_b[key], key


def flatten(d, prefix=""):
    out = {}
    items = d.items() if isinstance(d, dict) else enumerate(d)
    for key, value in items:
        if isinstance(value, dict | list):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    row_group=st.integers(1, 120),
    batch=st.integers(1, 200),
    by=st.sampled_from([None, "district"]),
    weights=st.booleans(),
)
def test_streamed_equals_whole(tmp_path_factory, seed, n, row_group, batch, by, weights):
    fw = framework_from_dict(FRAMEWORK)
    table, lists = households(seed, n)
    path = tmp_path_factory.mktemp("pq") / "h.parquet"
    pq.write_table(table, path, row_group_size=row_group)
    expected = whole(fw, lists, by, weights)
    # Unweighted sums are exact integers, so any split gives identical results; weighted sums
    # are added in another order and agree to rounding.
    assert_same(streamed(fw, path, batch, by, weights), expected, exact=not weights)


def test_many_row_groups_give_the_whole_table_result_exactly(tmp_path):
    fw = framework_from_dict(FRAMEWORK)
    table, lists = households(20261202, 5000)
    path = tmp_path / "h.parquet"
    pq.write_table(table, path, row_group_size=700)
    assert pq.ParquetFile(path).metadata.num_row_groups == 8
    expected = whole(fw, lists, "district")
    assert streamed(fw, path, 333, "district") == expected
    assert streamed(fw, path, 10**6, "district") == expected
    # Read whole (read_table) too: the same.
    t = read_table(path)
    assert isinstance(t.columns["house"], CodedColumn)
    assert t.n == 5000 and t.header == (*COLUMNS, "district", "size")
    ev = evaluate(fw, t.columns)
    assert compute_measures(ev, groups=t.columns["district"]).to_dict() == expected
    # Group labels: Chinese names, and "10" and "9" as text (sorted as text), and missing.
    assert list(expected["groups"]) == sorted(["玄武", "秦淮", "建邺", "10", "9", "(missing)"])


def test_integer_groups_sort_as_numbers_across_chunks():
    fw = framework_from_dict(FRAMEWORK)
    table, lists = households(7, 400, missing=0)
    columns = {c: lists[c] for c in COLUMNS}
    groups = np.array([10, 9, 100] * 133 + [9])
    stream = MeasureStream(fw, grouped=True)
    for start in range(0, 400, 150):
        part = {c: v[start : start + 150] for c, v in columns.items()}
        stream.add(part, groups=groups[start : start + 150])
    result = stream.result().to_dict()
    assert list(result["groups"]) == ["9", "10", "100"]
    assert result == compute_measures(evaluate(fw, columns), groups=groups).to_dict()


def test_errors_name_the_row_of_the_whole_table(tmp_path):
    fw = framework_from_dict(FRAMEWORK)
    table, _ = households(3, 50, missing=0)
    ill = table.column("ill").cast(pa.int64()).to_pylist()
    ill[37] = 2
    table = table.set_column(1, "ill", pa.array(ill))
    path = tmp_path / "h.parquet"
    pq.write_table(table, path, row_group_size=10)
    stream = MeasureStream(fw)
    with pytest.raises(DataError, match=r"indicator 'ill' \(column 'ill'\), row 38: 2 is not 0/1"):
        for _, columns in iter_parquet(path, COLUMNS, batch_rows=10):
            stream.add(columns)


def test_the_rules_only_path_gives_evaluates_deprivations_and_numbers_rows_across_chunks(
    tmp_path,
):
    """``MeasureStream.deprivations`` (what ``jiuzhu mpi`` streams through) applies the same
    rules as ``evaluate`` and, like it, names a bad cell by its row in the whole table."""
    from jiuzhu.assessment.engine.evaluate import deprivations

    fw = framework_from_dict(FRAMEWORK)
    table, _ = households(5, 40, missing=0.1)
    path = tmp_path / "h.parquet"
    pq.write_table(table, path, row_group_size=15)
    stream = MeasureStream(fw)
    for _, columns in iter_parquet(path, COLUMNS, batch_rows=15):
        g0, missing = stream.deprivations(columns)
        expected = evaluate(fw, columns)
        assert g0.dtype == bool and missing.dtype == bool
        assert (g0 == expected.g0).all() and (missing == expected.missing).all()
        stream.add_deprivations(g0, missing)
    whole = read_table(path)
    assert stream.result().to_dict() == compute_measures(evaluate(fw, whole.columns)).to_dict()

    ill = table.column("ill").cast(pa.int64()).to_pylist()
    ill[1] = 2
    bad = {name: table.column(name).to_numpy(zero_copy_only=False) for name in COLUMNS}
    bad["ill"] = np.array(ill, dtype=object)
    with pytest.raises(DataError, match=r"indicator 'ill' \(column 'ill'\), row 2: 2 is not 0/1"):
        deprivations(fw, bad)
    with pytest.raises(DataError, match=r"indicator 'ill' \(column 'ill'\), row 42: 2 is not"):
        stream.deprivations(bad)  # the stream has taken 40 rows: this chunk starts at row 41
    with pytest.raises(DataError, match=r"indicator 'ill' \(column 'ill'\), row 32: 2 is not"):
        deprivations(fw, bad, row_offset=30)


def test_an_empty_stream_has_the_measures_of_an_empty_table():
    fw = framework_from_dict(FRAMEWORK)
    empty = {c: [] for c in COLUMNS}
    expected = compute_measures(evaluate(fw, empty), groups=[]).to_dict()
    assert MeasureStream(fw, grouped=True).result().to_dict() == expected


def test_coded_columns_mean_their_decoded_cells():
    fw = framework_from_dict(FRAMEWORK)
    cells = {
        "income": np.array([" 12 ", "", "45", "x"]),
        "ill": np.array(["是", "否", "YES", " "]),
        "house": np.array(["危房", " 棚户 ", "楼房", ""]),
        "water": np.array(["0", "1", "1.0", ""]),
        "area": np.array(["12.5", "13", "", "1e1"]),
    }
    codes = np.array([0, 1, 2, 2, 0, 1])
    coded = {c: CodedColumn(codes, v[[0, 1, 2, 3]]) for c, v in cells.items()}
    plain = {c: v[codes] for c, v in cells.items()}
    groups = CodedColumn(codes, np.array(["b", "a", " b", "unused"]))
    assert (
        compute_measures(evaluate(fw, coded), groups=groups).to_dict()
        == compute_measures(evaluate(fw, plain), groups=groups.decoded()).to_dict()
    )
    # A bad cell is reported at its first row, as on the plain column.
    rows = np.array([0, 2, 3, 3])
    bad = {c: CodedColumn(rows if c == "income" else codes[:4], v) for c, v in cells.items()}
    with pytest.raises(DataError, match=r"income'\), row 3: 'x' is not a number"):
        evaluate(fw, bad)
    # A bad cell that no row points to is never reported.
    unused = {c: CodedColumn(np.array([0, 2]), v) for c, v in cells.items()}
    assert evaluate(fw, unused).n == 2


def test_an_empty_chunk_in_the_middle_changes_nothing():
    fw = framework_from_dict(FRAMEWORK)
    _, lists = households(8, 30)
    columns = {c: lists[c] for c in COLUMNS}
    sizes = np.array(lists["size"])
    stream = MeasureStream(fw, grouped=True, weighted=True)
    for start, stop in ((0, 10), (10, 10), (10, 30)):
        stream.add(
            {c: v[start:stop] for c, v in columns.items()},
            groups=np.array(lists["district"][start:stop], dtype=object),
            sample_weights=sizes[start:stop],
        )
    whole = compute_measures(
        evaluate(fw, columns), groups=lists["district"], sample_weights=sizes
    ).to_dict()
    assert_same(stream.result().to_dict(), whole, exact=False)


def test_a_stream_scores_with_its_own_cutoff():
    fw = framework_from_dict(FRAMEWORK)
    table, _ = households(9, 60, missing=0)
    columns = {name: table.column(name).to_numpy(zero_copy_only=False) for name in COLUMNS}
    poor = {}
    for k in ("1/3", "2/3"):
        stream = MeasureStream(fw, k)
        stream.add({c: v[:25] for c, v in columns.items()})
        stream.add({c: v[25:] for c, v in columns.items()})
        result = stream.result()
        assert result.to_dict() == compute_measures(evaluate(fw, columns, k)).to_dict()
        poor[k] = result.poor
    assert poor["2/3"] < poor["1/3"]  # the data tells the two cutoffs apart
