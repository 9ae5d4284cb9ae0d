"""Subgroup codes for decomposition, built without a Python loop over rows where possible."""

from __future__ import annotations

import numpy as np

from .values import ColumnLike, as_column, text

MISSING_GROUP = "(missing)"


def factorize(groups: ColumnLike) -> tuple[np.ndarray, list[str]]:
    """Integer codes per row and the text label of each code (labels sorted, as np.unique does).

    Labels are the cells' text (3.0 in a workbook is "3"); empty cells form the "(missing)" group
    so that the decomposition still adds up to the whole population.
    """
    arr = as_column(groups)
    if arr.dtype.kind in "biu":
        uniq, codes = np.unique(arr, return_inverse=True)
        return codes.astype(np.intp), [str(u) for u in uniq.tolist()]
    words, missing = text(arr)
    if missing.any():
        words = np.where(missing, MISSING_GROUP, words)
    uniq, codes = np.unique(words, return_inverse=True)
    return codes.astype(np.intp), [str(u) for u in uniq.tolist()]
