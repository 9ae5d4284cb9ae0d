"""Subgroup codes for decomposition, built without a Python loop over rows where possible."""

from __future__ import annotations

import numpy as np

from .values import CodedColumn, ColumnLike, as_column, text

MISSING_GROUP = "(missing)"
DENSE_RANGE = 2**20


def factorize(groups: ColumnLike) -> tuple[np.ndarray, list[str]]:
    """Integer codes per row and the text label of each code, labels in sorted order.

    Labels are the cells' text (3.0 in a workbook is "3"); empty cells form the "(missing)" group
    so that the decomposition still adds up to the whole population. Small integer codes (the
    usual case for stored data) are factorized in O(n) with np.bincount instead of sorting.
    """
    if isinstance(groups, CodedColumn):  # factorize the distinct cells that occur, then map
        used = groups.used()
        inner, labels = factorize(groups.cells[used])
        lookup = np.zeros(len(groups.cells), dtype=np.intp)
        lookup[used] = inner
        return lookup[groups.codes], labels
    arr = as_column(groups)
    integers = np.issubdtype(arr.dtype, np.integer)
    if integers and len(arr):
        low, high = int(arr.min()), int(arr.max())
        if high - low < DENSE_RANGE:
            # Offsets from the smallest code: unsigned codes are subtracted in their own type
            # (codes of 2**63 and more would wrap in int64), signed ones in int64 (a small
            # type such as int8 would wrap in its own).
            unsigned = arr.dtype.kind == "u"
            offsets = (arr - arr.min() if unsigned else arr.astype(np.int64) - low).astype(np.intp)
            present = np.flatnonzero(np.bincount(offsets))
            lookup = np.zeros(high - low + 1, dtype=np.intp)
            lookup[present] = np.arange(len(present))
            return lookup[offsets], [str(v + low) for v in present.tolist()]
    if integers:
        uniq, codes = np.unique(arr, return_inverse=True)
        return codes.astype(np.intp), [str(u) for u in uniq.tolist()]
    words, missing = text(arr)
    if missing.any():
        words = np.where(missing, MISSING_GROUP, words)
    uniq, codes = np.unique(words, return_inverse=True)
    return codes.astype(np.intp), [str(u) for u in uniq.tolist()]
