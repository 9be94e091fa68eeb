"""geometry.gaussian_blur_planes: exactly gaussian_blur per plane, for any thread count."""

from __future__ import annotations

import numpy as np
import pytest

from skincore import geometry


@pytest.mark.parametrize("threads", [1, 2, 0])
def test_planes_equal_single_blurs(threads: int) -> None:
    rng = np.random.default_rng(7)
    shapes = [(56, 90), (56, 90), (3, 200), (31, 1), (90, 56), (64, 64), (5, 7)]
    images = [rng.normal(size=s).astype(np.float32) for s in shapes]
    images.append(rng.normal(size=(40, 80)).astype(np.float32)[:, 10:60])  # strided rows
    outs = geometry.gaussian_blur_planes(images, 6.5, threads=threads)
    assert len(outs) == len(images)
    for image, out in zip(images, outs, strict=True):
        ref = geometry.gaussian_blur(np.ascontiguousarray(image), 6.5, threads=1)
        assert out.dtype == np.float32 and out.shape == image.shape
        assert out.tobytes() == ref.tobytes()


def test_planes_blur_a_constant_to_itself() -> None:
    outs = geometry.gaussian_blur_planes([np.full((20, 30), 2.5, np.float32)] * 3, 4.0)
    for out in outs:
        np.testing.assert_allclose(out, 2.5, rtol=1e-6)


def test_planes_reject_bad_input() -> None:
    good = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError):
        geometry.gaussian_blur_planes([good, np.zeros((4, 4), np.float64)], 1.0)
    with pytest.raises(ValueError):
        geometry.gaussian_blur_planes([np.zeros((0, 4), np.float32)], 1.0)
    with pytest.raises(ValueError):
        geometry.gaussian_blur_planes([good], 0.0)
    with pytest.raises(ValueError):
        geometry.gaussian_blur_planes(good, 1.0)
    assert geometry.gaussian_blur_planes([], 1.0) == []
