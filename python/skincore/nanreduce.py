"""NaN-skipping reductions that never warn.

NumPy's ``nanmedian``/``nanmax`` warn (``RuntimeWarning``) on an all-NaN slice, and
silencing that with :func:`warnings.catch_warnings` is not thread-safe: it swaps the
process-wide filter list, so a concern running in one thread would unsilence (or
silence) another's warnings. These return NaN for all-NaN slices without warning.
"""

from __future__ import annotations

import numpy as np


def nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """Median over ``axis`` skipping NaN; NaN where a slice holds no finite value.

    Parameters
    ----------
    a : numpy.ndarray
        Two-dimensional float array.
    axis : int
        0 (per column) or 1 (per row).

    Returns
    -------
    numpy.ndarray
        One value per column (``axis=0``) or row (``axis=1``), float64.
    """
    a = np.asarray(a, np.float64)
    if a.ndim != 2 or axis not in (0, 1):
        raise ValueError(f"nanmedian: a 2-D array and axis 0 or 1 expected, got {a.shape}, {axis}")
    if axis == 1:
        a = a.T
    if a.shape[1] == 0:
        return np.empty(0, np.float64)
    # The rule of numpy.nanmedian (numpy.ma.median for short slices): sort with
    # NaN last, then the mean of the order statistics (n-1)//2 and n//2 of the
    # n values (one sort instead of a masked array per call; identical values).
    n = np.count_nonzero(~np.isnan(a), axis=0)
    if a.shape[0] == 0:
        return np.full(a.shape[1], np.nan)
    s = np.sort(a, axis=0)
    cols = np.arange(a.shape[1])
    lo = s[np.maximum(n - 1, 0) // 2, cols]
    hi = s[n // 2, cols]
    with np.errstate(invalid="ignore"):  # -inf + inf: NaN, as NumPy's (per thread)
        out = (lo + hi) / 2.0
    out[n == 0] = np.nan
    return out


def nanmax(a: np.ndarray, axis: int) -> np.ndarray:
    """Maximum over ``axis`` skipping NaN; NaN where a slice is all NaN (``fmax``)."""
    return np.fmax.reduce(np.asarray(a, np.float64), axis=axis)
