from __future__ import annotations

import warnings

import numpy as np
import pytest

from skincore.median import median


def _same(a: float, b: float) -> bool:
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return a == b and np.signbit(a) == np.signbit(b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 100, 101, 4096, 4097])
def test_median_equals_numpy_bit_for_bit(rng, dtype, n):
    for k in range(12):
        x = (rng.standard_normal(n) * 10.0 ** (k % 5 - 2)).astype(dtype)
        if k % 3 == 1:
            x = np.round(x)  # ties and signed zeros
        if k % 3 == 2:
            x = (np.where(rng.random(n) < 0.5, -0.0, 0.0) + np.round(x)).astype(dtype)
        if k == 5:
            x[0] = np.inf
        if k == 7 and n > 1:
            x[:2] = [np.inf, -np.inf]  # the mean of +-inf is NaN, as in NumPy
        with warnings.catch_warnings():  # the mean of +-inf warns, in both
            warnings.simplefilter("ignore")
            want = float(np.median(x))
            got, got_2d = median(x), median(x.reshape(1, -1))  # any shape: the whole array
        assert _same(got, want), (k, got, want)
        assert _same(got_2d, want)


def test_median_nan_and_other_inputs(rng):
    x = rng.standard_normal(11).astype(np.float32)
    x[3] = np.nan
    assert np.isnan(median(x)) and np.isnan(np.median(x))
    assert median(np.array([3, 1, 2, 10], np.int64)) == 2.5  # non-float: numpy.median
    assert median(np.arange(7, dtype=np.int16)) == 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(median(np.zeros(0, np.float32)))
    x = rng.standard_normal(1001).astype(np.float32)
    before = x.copy()
    median(x)
    np.testing.assert_array_equal(x, before)  # the input is not reordered
