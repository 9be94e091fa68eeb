"""geometry.warp_affine: Pillow's bilinear affine transform, pixel for pixel."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from reference import geometry as ref
from skincore import geometry as g


def _pil(src: np.ndarray, coeffs, size) -> np.ndarray:
    mode = "RGB" if src.ndim == 3 else "L"
    im = Image.fromarray(np.ascontiguousarray(src), mode)
    fill = (0, 0, 0) if mode == "RGB" else 0
    out = im.transform(
        size, Image.Transform.AFFINE, tuple(coeffs), Image.Resampling.BILINEAR, fillcolor=fill
    )
    return np.asarray(out)


def _random_map(rng, w, h, size):
    """A rotated, scaled crop map; often reaching outside the image."""
    angle = rng.uniform(-math.pi, math.pi)
    k = rng.uniform(0.2, 3.0) * max(w, h) / size  # source pixels per output pixel
    cx, cy = rng.uniform(-0.3, 1.3) * w, rng.uniform(-0.3, 1.3) * h
    c, s = math.cos(angle) * k, math.sin(angle) * k
    half = size / 2
    return (c, -s, cx - c * half + s * half, s, c, cy - s * half - c * half)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("chans", [3, 1])
def test_warp_affine_equals_pillow_on_random_maps(seed, chans):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 90, 2)
    shape = (h, w, 3) if chans == 3 else (h, w)
    src = rng.integers(0, 256, shape, dtype=np.uint8)
    for _ in range(6):
        size = (int(rng.integers(1, 70)), int(rng.integers(1, 70)))
        coeffs = _random_map(rng, w, h, max(size))
        got = g.warp_affine(src, coeffs, size, threads=2)
        np.testing.assert_array_equal(got, _pil(src, coeffs, size))
        np.testing.assert_array_equal(got, ref.warp_affine(src, coeffs, size))


def test_warp_affine_equals_pillow_on_exact_edges():
    """Half-integer and integer sample points, identity, shifts and the image's edges."""
    rng = np.random.default_rng(7)
    src = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    maps = [
        (1, 0, 0, 0, 1, 0),  # identity
        (1, 0, 0.5, 0, 1, -0.5),
        (1, 0, -0.5, 0, 1, 0.5),  # first column at X = 0 exactly
        (1, 0, 10.5, 0, 1, 0),  # X = 11 = w: outside
        (0.5, 0, 0, 0, 0.5, 0),  # upsampling, samples on pixel edges
        (2, 0, 0, 0, 2, 0),
        (0, 1, 0, 1, 0, 0),  # transpose
        (-1, 0, 11, 0, -1, 9),  # 180 degrees
        (0.25, 0.1, -0.2, -0.1, 0.3, 8.9),
        (1e-9, 0, 5.5, 0, 1e-9, 4.5),
        (1e6, 0, 0, 0, 1e6, 0),  # all but the first sample outside
    ]
    for a in maps:
        for size in [(11, 9), (23, 19), (1, 1)]:
            got = g.warp_affine(src, a, size)
            np.testing.assert_array_equal(got, _pil(src, a, size), err_msg=str((a, size)))
    np.testing.assert_array_equal(g.warp_affine(src, maps[0], (11, 9)), src)


@pytest.mark.parametrize("w", [37, 38, 44])  # W, W+1, W+7
def test_warp_affine_matches_reference_widths_and_thin(w):
    rng = np.random.default_rng(w)
    for shape in [(29, w, 3), (29, w), (1, w, 3), (w, 1, 3)]:
        src = rng.integers(0, 256, shape, dtype=np.uint8)
        for size in [(w, 31), (1, w), (w, 1)]:
            a = _random_map(rng, shape[1], shape[0], max(size))
            np.testing.assert_array_equal(
                g.warp_affine(src, a, size), ref.warp_affine(src, a, size)
            )


def test_warp_affine_strided_threads_empty_and_float():
    rng = np.random.default_rng(3)
    big = rng.integers(0, 256, (300, 260, 3), dtype=np.uint8)
    sub = big[17:280, 5:250]  # row-strided view
    assert not sub.flags.c_contiguous
    a = _random_map(rng, 245, 263, 256)
    base = g.warp_affine(np.ascontiguousarray(sub), a, (256, 256), threads=1)
    for t in (1, 2, 7, 0):
        np.testing.assert_array_equal(g.warp_affine(sub, a, (256, 256), threads=t), base)
    np.testing.assert_array_equal(base, _pil(sub, a, (256, 256)))
    # float32 output: float32(v) / div - sub, as NumPy computes it
    f = np.empty((1, 256, 256, 3), np.float32)
    g.warp_affine(sub, a, (256, 256), out=f[0], div=255.0, threads=7)
    np.testing.assert_array_equal(f[0], base.astype(np.float32) / np.float32(255.0))
    f2 = g.warp_affine(
        sub, a, (256, 256), out=np.empty((256, 256, 3), np.float32), div=127.5, sub=1.0
    )
    np.testing.assert_array_equal(f2, base.astype(np.float32) / np.float32(127.5) - np.float32(1.0))
    # uint8 out given; empty output; empty source (all fill)
    o = np.full((256, 256, 3), 7, np.uint8)
    assert g.warp_affine(sub, a, (256, 256), out=o) is o
    np.testing.assert_array_equal(o, base)
    assert g.warp_affine(sub, a, (0, 5)).shape == (5, 0, 3)
    z = g.warp_affine(np.zeros((0, 4, 3), np.uint8), a, (6, 5))
    np.testing.assert_array_equal(z, np.zeros((5, 6, 3), np.uint8))
    zf = g.warp_affine(
        np.zeros((3, 0), np.uint8), a, (6, 5), out=np.empty((5, 6), np.float32), div=2, sub=1
    )
    np.testing.assert_array_equal(zf, np.full((5, 6), -1.0, np.float32))


def test_warp_affine_errors():
    src = np.zeros((8, 8, 3), np.uint8)
    a = (1, 0, 0, 0, 1, 0)
    with pytest.raises(ValueError, match="^src"):
        g.warp_affine(src.astype(np.float32), a, (4, 4))
    with pytest.raises(ValueError, match="^src: expected shape"):
        g.warp_affine(np.zeros((8, 8, 4), np.uint8), a, (4, 4))
    with pytest.raises(ValueError, match="^src: pixels within a row"):
        g.warp_affine(src[:, ::2], a, (4, 4))
    with pytest.raises(ValueError, match="^coeffs: expected 6"):
        g.warp_affine(src, (1, 0, 0, 0, 1), (4, 4))
    with pytest.raises(ValueError, match="^coeffs: must be finite"):
        g.warp_affine(src, (1, 0, np.nan, 0, 1, 0), (4, 4))
    with pytest.raises(ValueError, match="^coeffs: must be finite"):
        g.warp_affine(src, (1, 0, 0, 0, np.inf, 0), (4, 4))
    with pytest.raises(ValueError, match="^size"):
        g.warp_affine(src, a, (-1, 4))
    with pytest.raises(ValueError, match="^out: shape"):
        g.warp_affine(src, a, (4, 4), out=np.zeros((4, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="^dst"):
        g.warp_affine(src, a, (4, 4), out=np.zeros((4, 4, 3), np.float64))
    with pytest.raises(ValueError, match="^dst"):
        g.warp_affine(src, a, (4, 4), out=np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match="^dst: array is read-only"):
        ro = np.zeros((4, 4, 3), np.uint8)
        ro.flags.writeable = False
        g.warp_affine(src, a, (4, 4), out=ro)
    with pytest.raises(ValueError, match="^div, sub"):
        g.warp_affine(src, a, (4, 4), out=np.zeros((4, 4, 3), np.float32), div=0.0)
    with pytest.raises(ValueError, match="^div, sub"):
        g.warp_affine(src, a, (4, 4), out=np.zeros((4, 4, 3), np.float32), sub=np.nan)
    with pytest.raises(ValueError, match="threads"):
        g.warp_affine(src, a, (4, 4), threads=-1)


@pytest.mark.parametrize("seed", range(6))
def test_warp_affine_simd_and_generic_paths_equal_pillow(seed):
    """The AVX2 row path (4 RGB pixels per step) and the scalar one give Pillow's pixels,
    also at the buffer's last pixel (where the 4-byte gathers are not taken)."""
    from skincore import _core

    rng = np.random.default_rng(100 + seed)
    h, w = (int(v) for v in rng.integers(1, 60, 2))
    big = rng.integers(0, 256, (h + 3, w + 5, 3), dtype=np.uint8)
    maps = [_random_map(rng, w, h, 37) for _ in range(5)]
    maps.append((0.5, 0, w - 3.0, 0, 0.5, h - 3.0))  # dense sampling of the last pixels
    maps.append((1, 0, w - 20.5, 0, 1, h - 20.5))
    for src in (big[:h, :w], big[3:, 5:], np.ascontiguousarray(big[:h, :w])):
        for a in maps:
            want = _pil(src, a, (37, 29))
            try:
                for simd in (True, False):
                    _core._set_simd(simd)
                    for t in (1, 2, 7):
                        got = g.warp_affine(src, a, (37, 29), threads=t)
                        np.testing.assert_array_equal(got, want, err_msg=f"simd={simd}")
                    f = g.warp_affine(
                        src, a, (37, 29), out=np.empty((29, 37, 3), np.float32), div=255.0
                    )
                    np.testing.assert_array_equal(f, want.astype(np.float32) / np.float32(255.0))
            finally:
                _core._set_simd(True)
