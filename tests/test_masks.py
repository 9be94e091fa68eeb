"""The uint8 mask idioms of skincore._masks equal their numpy.where forms."""

from __future__ import annotations

import numpy as np
import pytest

from skincore._masks import mask255, zero_where


@pytest.mark.parametrize("shape", [(0, 5), (1, 1), (7, 13), (64, 65), (3, 4, 5)])
def test_mask255_is_where(rng, shape):
    cond = rng.random(shape) > 0.5
    want = np.where(cond, np.uint8(255), np.uint8(0))
    for c in (cond, cond[..., ::2], np.asfortranarray(cond)):
        got = mask255(c)
        assert got.dtype == np.uint8 and np.array_equal(got, np.where(c, np.uint8(255), 0))
    assert np.array_equal(mask255(cond), want)
    assert not np.shares_memory(mask255(cond), cond)


@pytest.mark.parametrize("shape", [(0, 5), (1, 1), (7, 13), (64, 65)])
def test_zero_where_is_where(rng, shape):
    mask = rng.integers(0, 256, shape).astype(np.uint8)
    cond = rng.random(shape) > 0.7
    for m, c in ((mask, cond), (mask[:, ::2], cond[:, ::2]), (mask, cond.astype(np.uint8) * 9)):
        got = zero_where(m, c)
        want = np.where(np.asarray(c, bool), np.uint8(0), m)
        assert got.dtype == np.uint8 and np.array_equal(got, want)
        assert not np.shares_memory(got, m)
