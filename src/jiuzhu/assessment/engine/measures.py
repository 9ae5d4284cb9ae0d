"""Alkire–Foster measures: H, A, M0, headcounts, contributions, bands, subgroups, distribution.

This module validates the inputs, applies listwise exclusion for missing data, and collapses the
households into cells (cells.py); totals.py does the arithmetic. Unweighted results are ratios
of integers that are exact below 2**53, so they are the correctly rounded values (M0 == 0.425
exactly in the hand-worked tests). With sample weights s_i every mean is s-weighted and
population shares are weighted; n and poor stay row counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

from .cells import build_cells
from .errors import DataError
from .evaluate import Evaluation
from .groups import factorize
from .patterns import any_columns
from .results import DimensionMeasures, IndicatorMeasures, Measures
from .totals import Stats, Totals, stats_from_cells
from .values import TEXT_KINDS, ColumnLike
from .weights import FractionLike, WeightScale, parse_cutoff, parse_fraction


def compute_measures(
    data: Evaluation | np.ndarray,
    weights: Sequence[FractionLike] | None = None,
    k: FractionLike | None = None,
    groups: ColumnLike | None = None,
    sample_weights: ColumnLike | None = None,
    *,
    indicator_names: Sequence[str] | None = None,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    missing: np.ndarray | None = None,
    compress: bool | None = None,
) -> Measures:
    """All measures from an Evaluation (weights, k and names from its framework unless given)
    or from a raw 0/1 deprivation matrix (weights and k required; NaN cells count as missing).

    `compress` is a performance knob (None decides by size): True collapses households into
    (subgroup, pattern) cells first, False works row by row; both give the same results (with
    sample weights, to floating-point rounding: the weights are added in another order)."""
    if isinstance(data, Evaluation):
        fw = data.framework
        g0, miss = data.g0, data.missing
        names = [i.name for i in fw.indicators]
        dims = {d.name: [i.name for i in d.indicators] for d in fw.dimensions}
        flags: np.ndarray | None = np.array(fw.critical_flags, dtype=bool)
        cutoff = data.k if k is None else parse_cutoff(k, "k", DataError)
        scale = fw.scale if weights is None else _scale(weights, len(names))
        name: str | None = fw.name
    else:
        g0, miss = _raw_matrix(data, missing)
        if weights is None or k is None:
            raise DataError("weights and k are required with a raw deprivation matrix")
        names = list(indicator_names or [f"i{j + 1}" for j in range(g0.shape[1])])
        if len(names) != g0.shape[1]:
            raise DataError(f"{len(names)} indicator names for {g0.shape[1]} columns")
        dims = {key: list(v) for key, v in (dimensions or {}).items()}
        unknown = [m for members in dims.values() for m in members if m not in names]
        if unknown:
            raise DataError(f"dimensions name unknown indicators: {unknown}")
        flags, cutoff, name = None, parse_cutoff(k, "k", DataError), None
        scale = _scale(weights, g0.shape[1])
    return _measures(
        g0, miss, scale, cutoff, names, dims, flags, groups, sample_weights, name, compress
    )


def _scale(weights: Sequence[FractionLike], d: int) -> WeightScale:
    ws = [parse_fraction(w, f"weight {j + 1}", DataError) for j, w in enumerate(weights)]
    if len(ws) != d:
        raise DataError(f"{len(ws)} weights for {d} indicators")
    if any(w <= 0 for w in ws) or sum(ws) != 1:
        raise DataError(f"weights must be positive and sum to 1, got {[str(w) for w in ws]}")
    return WeightScale.from_weights(ws)


def _raw_matrix(data: np.ndarray, missing: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    arr = np.asarray(data)
    if arr.dtype.kind in TEXT_KINDS:  # text anywhere makes NumPy turn every cell into text
        raise _first_cell_not_binary(np.asarray(data, dtype=object))
    if arr.dtype.kind == "O":  # e.g. nested lists holding None for missing cells
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise _first_cell_not_binary(arr) from None
    if arr.ndim != 2:
        raise DataError(f"deprivation matrix must be 2-D, got shape {arr.shape}")
    miss = np.isnan(arr) if arr.dtype.kind == "f" else np.zeros(arr.shape, dtype=bool)
    if missing is not None:
        miss = miss | np.asarray(missing, dtype=bool)
    if arr.dtype.kind != "b":
        bad = ~miss & (arr != 0) & (arr != 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataError(
                f"deprivation matrix row {i + 1}, column {j + 1}: {arr[i, j].item()!r} is not 0/1"
            )
    return (arr == 1) & ~miss, miss


def _first_cell_not_binary(arr: np.ndarray) -> DataError:
    """The refusal of a matrix holding something other than numbers and None, naming the first
    such cell as the numeric check does (a slow walk, taken only on the way to an error)."""
    if arr.ndim != 2:
        return DataError(f"deprivation matrix must be 2-D, got shape {arr.shape}")
    for (i, j), value in np.ndenumerate(arr):
        if value is None or isinstance(value, (bool, np.bool_)):
            continue
        if isinstance(value, (int, float, np.number)) and (value in (0, 1) or value != value):
            continue
        return DataError(f"deprivation matrix row {i + 1}, column {j + 1}: {value!r} is not 0/1")
    return DataError("deprivation matrix must hold 0/1 values")


def _sample_weights(values: ColumnLike, n: int, row_offset: int) -> np.ndarray:
    try:
        s = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError("sample weights must be numbers") from None
    if s.shape != (n,):
        raise DataError(f"sample weights must have one value per household ({n}), got {s.shape}")
    bad = ~np.isfinite(s) | (s < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(
            f"sample weight in row {row_offset + i + 1} must be a finite number >= 0, "
            f"got {float(s[i])!r}"
        )
    return s


def _measures(
    g0_all: np.ndarray,
    miss_all: np.ndarray,
    scale: WeightScale,
    k: Fraction,
    names: list[str],
    dims: dict[str, list[str]],
    flags: np.ndarray | None,
    groups: ColumnLike | None,
    sample_weights: ColumnLike | None,
    framework: str | None,
    compress: bool | None,
) -> Measures:
    stats, labels = measure_stats(
        g0_all, miss_all, scale, k, flags, groups, sample_weights, compress=compress
    )
    return assemble(stats, scale, k, names, dims, flags, labels, framework)


def measure_stats(
    g0_all: np.ndarray,
    miss_all: np.ndarray,
    scale: WeightScale,
    k: Fraction,
    flags: np.ndarray | None,
    groups: ColumnLike | None,
    sample_weights: ColumnLike | None,
    *,
    compress: bool | None = None,
    row_offset: int = 0,
) -> tuple[Stats, list[str] | None]:
    """Listwise exclusion, cells, and the sufficient statistics of these households.

    Returns the statistics and the group labels (None without a decomposition); group code g
    in the statistics is labels[g]. `row_offset` numbers rows in messages when this is one
    chunk of a longer table.
    """
    n_all = g0_all.shape[0]
    missing = np.count_nonzero(miss_all, axis=0)
    complete = ~any_columns(miss_all)
    all_complete = bool(complete.all())
    g0 = g0_all if all_complete else g0_all[complete]
    s = None
    if sample_weights is not None:
        s = _sample_weights(sample_weights, n_all, row_offset)
    if s is not None and not all_complete:
        s = s[complete]
    codes, labels = None, None
    if groups is not None:
        codes, labels = factorize(groups)
        if len(codes) != n_all:
            raise DataError(f"groups must have one value per household ({n_all}), got {len(codes)}")
        codes = codes if all_complete else codes[complete]
    n_groups = len(labels or ())
    cells = build_cells(g0, codes, n_groups, s, compress)
    stats = stats_from_cells(scale, cells, k, n_groups, flags, n_all, missing)
    stats.weighted = s is not None  # also for an empty table, whose cells hold no mass dtype
    return stats, labels


def assemble(
    stats: Stats,
    scale: WeightScale,
    k: Fraction,
    names: list[str],
    dims: dict[str, list[str]],
    flags: np.ndarray | None,
    labels: list[str] | None,
    framework: str | None,
) -> Measures:
    """The measures from sufficient statistics (of a whole table, or of streamed chunks)."""
    t = Totals(scale, stats)
    missing = {nm: int(c) for nm, c in zip(names, stats.missing.tolist(), strict=True)}
    indicators = tuple(
        IndicatorMeasures(
            name=nm,
            dimension=next((d for d, members in dims.items() if nm in members), None),
            weight=scale.weights[j],
            critical=bool(flags[j]) if flags is not None else False,
            missing=missing[nm],
            uncensored_headcount=t.ratio(float(stats.uncensored[j])),
            censored_headcount=t.ratio(float(stats.censored[j])),
            contribution=t.share_of_m0(t.contribution_numerator(j)),
        )
        for j, nm in enumerate(names)
    )
    index = {nm: j for j, nm in enumerate(names)}
    dimensions = tuple(
        DimensionMeasures(
            name=d,
            weight=sum((scale.weights[index[m]] for m in members), Fraction(0)),
            contribution=t.share_of_m0(sum(t.contribution_numerator(index[m]) for m in members)),
        )
        for d, members in dims.items()
    )
    return Measures(
        framework=framework,
        k=k,
        n=stats.rows,
        poor=stats.q,
        excluded=int(stats.n_all - stats.rows),
        missing=missing,
        H=t.ratio(stats.poor_mass),
        A=t.A,
        M0=t.M0,
        vulnerable=t.ratio(stats.vulnerable),
        severe=t.ratio(stats.severe),
        critical=None if flags is None else t.ratio(stats.critical),
        indicators=indicators,
        dimensions=dimensions,
        groups=None if labels is None else t.groups(labels),
        distribution=t.distribution(),
        denominator=scale.denominator,
        weighted=stats.weighted,
    )
