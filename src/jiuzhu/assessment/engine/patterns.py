"""Deprivation patterns: a household's row of g0 packed into one small integer.

With d <= 16 indicators there are at most 65,536 distinct rows, whatever the number of
households. Counting households per (subgroup, pattern) with one np.bincount turns every
Alkire–Foster measure into arithmetic on a small table, which is what makes millions of rows
cheap; scores per household become one table lookup.
"""

from __future__ import annotations

import functools

import numpy as np

MAX_PATTERN_BITS = 16


def pattern_codes(g0: np.ndarray) -> np.ndarray:
    """Row j-bits of a bool matrix with at most 16 columns, as uint16 codes (bit j = column j)."""
    n, d = g0.shape
    if d > MAX_PATTERN_BITS:
        raise ValueError(f"at most {MAX_PATTERN_BITS} columns can be packed, got {d}")
    codes = np.zeros(n, dtype=np.uint16)
    shifted = np.empty(n, dtype=np.uint16)
    for j in range(d):
        column = np.ascontiguousarray(g0[:, j]).view(np.uint8)
        np.left_shift(column, j, out=shifted, dtype=np.uint16)
        codes |= shifted
    return codes


def pattern_matrix(codes: np.ndarray, d: int) -> np.ndarray:
    """The inverse of pattern_codes: a (len(codes), d) bool matrix."""
    bits = np.arange(d, dtype=np.int64)
    return ((np.asarray(codes, dtype=np.int64)[:, None] >> bits) & 1).astype(bool)


@functools.lru_cache(maxsize=8)
def all_patterns(d: int) -> np.ndarray:
    """Every row of d bits, (2**d, d), in code order; cached and read-only (scores of each
    pattern are looked up once per chunk when a table is streamed)."""
    matrix = pattern_matrix(np.arange(2**d), d)
    matrix.flags.writeable = False
    return matrix


def any_columns(matrix: np.ndarray) -> np.ndarray:
    """Row-wise any() by OR-ing columns (fast on the column-major matrices the engine builds)."""
    out = np.zeros(matrix.shape[0], dtype=bool)
    for j in range(matrix.shape[1]):
        out |= matrix[:, j]
    return out
