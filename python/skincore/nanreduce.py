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
    ok = np.isfinite(a).any(axis=axis)
    out = np.full(a.shape[1 - axis], np.nan)
    if ok.any():
        out[ok] = np.nanmedian(a[:, ok] if axis == 0 else a[ok], axis=axis)
    return out


def nanmax(a: np.ndarray, axis: int) -> np.ndarray:
    """Maximum over ``axis`` skipping NaN; NaN where a slice is all NaN (``fmax``)."""
    return np.fmax.reduce(np.asarray(a, np.float64), axis=axis)
