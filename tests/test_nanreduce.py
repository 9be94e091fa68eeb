"""skincore.nanreduce against NumPy's NaN reductions (identical values, no warning)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from skincore import nanreduce


def _numpy_nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():  # test only: NumPy warns on all-NaN slices
        warnings.simplefilter("ignore")
        return np.nanmedian(a, axis=axis)


@pytest.mark.parametrize("seed", range(6))
def test_nanmedian_is_numpys_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(150):
        r, c = int(rng.integers(1, 70)), int(rng.integers(1, 40))
        a = rng.normal(size=(r, c)) * 10.0
        if trial % 3 == 0:
            a = np.round(a)  # ties between the two middle values
        a[rng.random((r, c)) < rng.uniform(0.0, 1.0)] = np.nan
        if trial % 5 == 0:
            a[rng.random((r, c)) < 0.05] = np.inf
        if trial % 7 == 0:
            a[rng.random((r, c)) < 0.05] = -np.inf
        for axis in (0, 1):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = nanreduce.nanmedian(a, axis)
            want = _numpy_nanmedian(a, axis)
            assert got.dtype == np.float64
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 5), (5, 1), (2, 2)])
def test_nanmedian_degenerate_shapes(shape: tuple[int, int]) -> None:
    a = np.arange(shape[0] * shape[1], dtype=np.float32).reshape(shape)
    for axis in (0, 1):
        np.testing.assert_array_equal(nanreduce.nanmedian(a, axis), _numpy_nanmedian(a, axis))


def test_nanmedian_all_nan_and_mixed_infinities() -> None:
    a = np.array([[np.nan, -np.inf, 1.0], [np.nan, np.inf, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = nanreduce.nanmedian(a, 0)
    np.testing.assert_array_equal(got, [np.nan, np.nan, 1.0])
