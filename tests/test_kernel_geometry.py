from __future__ import annotations

import math
import time

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
import skimage.draw

from reference import geometry as ref
from skincore import _core
from skincore import geometry as g

# ------------------------------------------------------------------ gaussian_blur


def _img(rng, h, w, dtype=np.float32):
    return rng.random((h, w)).astype(dtype)


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.0, 3.3, 8.0])
@pytest.mark.parametrize("w", [37, 38, 44])  # W, W+1, W+7
def test_blur_matches_reference_and_scipy(rng, sigma, w):
    img = _img(rng, 41, w)
    ours = g.gaussian_blur(img, sigma, threads=1)
    np.testing.assert_allclose(ours, ref.gaussian_blur(img, sigma), rtol=0, atol=1e-6)
    sp = ndi.gaussian_filter(img.astype(np.float64), sigma, mode="mirror")
    np.testing.assert_allclose(ours, sp, rtol=0, atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 50), (50, 1), (1, 1), (2, 3), (3, 2)])
def test_blur_thin_images(rng, shape):
    img = _img(rng, *shape)
    for sigma in (0.5, 2.0, 6.0):  # radius larger than the image: repeated reflection
        ours = g.gaussian_blur(img, sigma, threads=2)
        np.testing.assert_allclose(ours, ref.gaussian_blur(img, sigma), rtol=0, atol=1e-6)
        sp = ndi.gaussian_filter(img.astype(np.float64), sigma, mode="mirror")
        np.testing.assert_allclose(ours, sp, rtol=0, atol=1e-6)


def test_blur_truncate_and_cv2(rng):
    img = _img(rng, 64, 70)
    ours = g.gaussian_blur(img, 1.5, truncate=2.0)
    np.testing.assert_allclose(ours, ref.gaussian_blur(img, 1.5, 2.0), atol=1e-6)
    r = int(2.0 * 1.5 + 0.5)
    cv = cv2.GaussianBlur(img, (2 * r + 1, 2 * r + 1), 1.5, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(ours, cv, atol=1e-5)


def test_blur_constant_and_empty(rng):
    img = np.full((30, 31), 3.25, np.float32)
    np.testing.assert_allclose(g.gaussian_blur(img, 2.0), 3.25, atol=1e-6)
    for shape in [(0, 0), (0, 5), (5, 0)]:
        e = np.zeros(shape, np.float32)
        assert g.gaussian_blur(e, 1.0).shape == shape


def test_blur_strided_crop(rng):
    big = _img(rng, 80, 90)
    crop = big[5:70:2, 3:60]  # row-strided view, packed rows
    assert not crop.flags.c_contiguous
    np.testing.assert_array_equal(
        g.gaussian_blur(crop, 1.7), g.gaussian_blur(np.ascontiguousarray(crop), 1.7)
    )
    out_big = np.zeros((80, 90), np.float32)
    out = out_big[10:43, 20:77]
    g.gaussian_blur(crop, 1.7, out=out)
    np.testing.assert_allclose(out, ref.gaussian_blur(crop, 1.7), atol=1e-6)
    assert out_big[:10].sum() == 0 and out_big[:, :20].sum() == 0


def test_blur_threads_bit_identical(rng):
    img = _img(rng, 301, 257)
    base = g.gaussian_blur(img, 2.5, threads=1)
    for t in (2, 7, 0):
        np.testing.assert_array_equal(g.gaussian_blur(img, 2.5, threads=t), base)


def test_blur_in_place(rng):
    img = _img(rng, 120, 77)
    expect = g.gaussian_blur(img, 3.0, threads=1)
    work = img.copy()
    res = g.gaussian_blur(work, 3.0, out=work, threads=3)
    assert res is work
    np.testing.assert_array_equal(work, expect)


def test_blur_impulse_is_kernel():
    img = np.zeros((41, 41), np.float32)
    img[20, 20] = 1.0
    w = ref.gaussian_kernel(2.0)
    full = np.concatenate([w[:0:-1], w]).astype(np.float64)
    expect = np.zeros((41, 41))
    expect[12:29, 12:29] = np.outer(full, full)
    np.testing.assert_allclose(g.gaussian_blur(img, 2.0), expect, rtol=1e-5, atol=1e-9)


def test_blur_errors(rng):
    img = _img(rng, 10, 10)
    with pytest.raises(ValueError, match="src"):
        g.gaussian_blur(img.astype(np.float64), 1.0)
    with pytest.raises(ValueError, match="src"):
        g.gaussian_blur(np.zeros((4, 4, 3), np.float32), 1.0)
    with pytest.raises(ValueError, match="src"):
        g.gaussian_blur(img[:, ::2], 1.0)
    with pytest.raises(ValueError, match="dst"):
        g.gaussian_blur(img, 1.0, out=np.zeros((10, 11), np.float32))
    with pytest.raises(ValueError, match="dst"):
        g.gaussian_blur(img, 1.0, out=np.zeros((10, 10), np.float64))
    ro = np.zeros((10, 10), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        g.gaussian_blur(img, 1.0, out=ro)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="sigma"):
            g.gaussian_blur(img, bad)
    with pytest.raises(ValueError, match="truncate"):
        g.gaussian_blur(img, 1.0, truncate=0.0)
    with pytest.raises(ValueError, match="sigma"):
        g.gaussian_blur(img, 1e6)  # radius cap, no huge allocation
    with pytest.raises(ValueError, match="threads"):
        g.gaussian_blur(img, 1.0, threads=-1)
    with pytest.raises(ValueError, match="image"):
        g.gaussian_blur([[1.0]], 1.0)


# ------------------------------------------------------------------------- resize


def _u8(rng, shape):
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("chans", [(), (3,)])
def test_area_integer_factor_is_block_mean(rng, k, chans):
    h, w = 7 * k, 9 * k
    img = _u8(rng, (h, w) + chans)
    blocks = img.reshape((7, k, 9, k) + chans).astype(np.int64)
    s = blocks.sum(axis=(1, 3))
    expect = ((2 * s + k * k) // (2 * k * k)).astype(np.uint8)  # round half up
    np.testing.assert_array_equal(g.resize(img, (9, 7)), expect)
    # float32 with integer values: the block mean is exact
    imgf = img.astype(np.float32)
    meanf = imgf.reshape((7, k, 9, k) + chans).mean(axis=(1, 3), dtype=np.float64)
    np.testing.assert_array_equal(g.resize(imgf, (9, 7)), meanf.astype(np.float32))
    # random floats: mean to float32 precision
    rf = rng.random((h, w) + chans).astype(np.float32)
    mf = rf.reshape((7, k, 9, k) + chans).mean(axis=(1, 3), dtype=np.float64)
    np.testing.assert_allclose(g.resize(rf, (9, 7)), mf, rtol=1e-6, atol=0)


@pytest.mark.parametrize("method", ["area", "bilinear"])
@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((37, 53), (20, 11)),  # fractional downscale
        ((38, 54), (53, 37)),  # near identity
        ((45, 60), (45, 60)),  # transposed-looking, mixed: w down, h up
        ((20, 30), (71, 43)),  # upscale
        ((1, 40), (13, 1)),  # 1xN
        ((40, 1), (1, 13)),  # Nx1
        ((1, 1), (5, 4)),
        ((17, 19), (17, 19)),  # identity
    ],
)
@pytest.mark.parametrize("chans", [(), (3,)])
def test_resize_matches_reference(rng, method, src_hw, size, chans):
    img = _u8(rng, src_hw + chans)
    np.testing.assert_array_equal(g.resize(img, size, method=method), ref.resize(img, size, method))
    imgf = rng.random(src_hw + chans).astype(np.float32)
    np.testing.assert_allclose(
        g.resize(imgf, size, method=method), ref.resize(imgf, size, method), rtol=0, atol=2e-6
    )


@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((131, 127), (97, 89)),  # coprime sides: D = 127 * 131 > 2^13, taps 2
        ((302, 255), (220, 261)),  # the face crop's ratio (texture grid), taps 2-3
        ((302, 255), (150, 107)),  # about x0.5 (colour grid), taps 3
        ((64, 301), (7, 5)),  # many taps: the general (unfixed) path
        ((1, 257), (1, 199)),
    ],
)
def test_resize_rgb_area_simd_and_generic_paths_equal_reference(rng, src_hw, size):
    # 3-channel uint8 area resizes whose denominators exceed 2^13 sum in doubles; on
    # an AVX2 CPU three channels go in one vector. Both paths are exact (the sums
    # are integers) and must equal the reference bit for bit, for any thread count.
    from skincore import _core

    img = _u8(rng, src_hw + (3,))
    want = ref.resize(img, size, "area")
    for simd in (True, False):
        _core._set_simd(simd)
        try:
            for t in (1, 2, 7):
                np.testing.assert_array_equal(g.resize(img, size, threads=t), want)
            big = _u8(rng, (src_hw[0] + 3, src_hw[1] + 5, 3))
            big[1 : 1 + src_hw[0], 2 : 2 + src_hw[1]] = img
            view = big[1 : 1 + src_hw[0], 2 : 2 + src_hw[1]]
            np.testing.assert_array_equal(g.resize(view, size), want)
        finally:
            _core._set_simd(True)


@pytest.mark.parametrize("method", ["bilinear", "area"])
@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((622, 447), (777, 1081)),  # the texture grid's skin gate from the colour grid
        ((31, 29), (77, 32)),  # up in both axes
        ((30, 90), (41, 31)),  # up in rows, down in columns (several taps per output)
        ((3, 1), (5, 300)),  # one input column
        ((1, 7), (9, 40)),  # one input row: every output reads it alone
        ((2, 2), (257, 255)),
    ],
)
def test_resize_u8_single_channel_upsampling_equals_reference(rng, method, src_hw, size):
    # One-channel uint8 upsampling resamples each input row once, then blends two
    # of them per output row: the sums are the same exact integers, so the bytes
    # must equal the reference for any thread count, strided rows, binary masks.
    img = _u8(rng, src_hw)
    for im in (img, (img > 127).astype(np.uint8) * np.uint8(255)):
        want = ref.resize(im, size, method)
        for t in (1, 2, 7):
            np.testing.assert_array_equal(g.resize(im, size, method=method, threads=t), want)
        big = np.zeros((src_hw[0] + 2, src_hw[1] + 5), np.uint8)
        big[1 : 1 + src_hw[0], 3 : 3 + src_hw[1]] = im
        view = big[1 : 1 + src_hw[0], 3 : 3 + src_hw[1]]
        np.testing.assert_array_equal(g.resize(view, size, method=method), want)


@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((104, 75), (447, 622)),  # a wide blur's coarse grid brought back (x6)
        ((149, 208), (622, 447)),  # x3 and x2, different per axis
        ((13, 9), (101, 77)),  # large factors: a block reads two samples
        ((40, 50), (61, 33)),  # mixed up/down: blocks reading beyond 8 samples
        ((1, 30), (1, 257)),
        ((5, 1), (9, 300)),
    ],
)
def test_resize_bilinear_float_simd_and_scalar_paths_equal(rng, src_hw, size):
    # The AVX2 rows permute each block's taps out of one load; the bytes must equal
    # the scalar loop's (the same operations), with infs, NaN and signed zeros too.
    from skincore import _core

    img = (rng.standard_normal(src_hw) * 20).astype(np.float32)
    img.flat[:: max(1, img.size // 7)] = -0.0
    img[0, 0] = np.inf
    img[-1, -1] = np.nan
    got = {}
    for simd in (False, True):
        _core._set_simd(simd)
        try:
            got[simd] = [g.resize(img, size, method="bilinear", threads=t) for t in (1, 3)]
        finally:
            _core._set_simd(True)
    for a, b in zip(got[False] + got[True], got[False][:1] * 4, strict=True):
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))
    clean = np.nan_to_num(img, nan=0.0, posinf=0.0)  # and against the reference
    np.testing.assert_allclose(
        g.resize(clean, size, method="bilinear"),
        ref.resize(clean, size, "bilinear"),
        rtol=1e-5,
        atol=1e-4,
    )


@pytest.mark.parametrize(
    "src_hw,k",
    [
        ((12, 18), (2, 2)),
        ((21, 35), (7, 3)),  # kx != ky, odd widths
        ((36, 37), (1, 6)),  # only rows reduced
        ((6, 42), (6, 1)),  # only columns reduced
        ((1, 40), (8, 1)),  # 1xN
        ((514, 3), (3, 257)),  # the largest ky summed in 16 bits
        ((516, 4), (2, 258)),  # beyond it: the general path
        ((180, 182), (91, 90)),  # kx * ky beyond 2^13: the general path
    ],
)
@pytest.mark.parametrize("chans", [(), (3,)])
def test_resize_integer_factors_match_reference(rng, src_hw, k, chans):
    # area by integer factors takes the integer block-sum path: same exact means
    img = _u8(rng, src_hw + chans)
    size = (src_hw[1] // k[0], src_hw[0] // k[1])
    want = ref.resize(img, size, "area")
    np.testing.assert_array_equal(g.resize(img, size), want)
    # halves round up, extremes stay exact
    full = np.full(src_hw + chans, 255, np.uint8)
    np.testing.assert_array_equal(g.resize(full, size), 255)
    big = _u8(rng, (src_hw[0] + 5, src_hw[1] + 9) + chans)
    view = big[2 : 2 + src_hw[0], 3 : 3 + src_hw[1]]  # row-strided crop
    base = g.resize(view, size, threads=1)
    np.testing.assert_array_equal(base, ref.resize(np.ascontiguousarray(view), size, "area"))
    for t in (2, 7):
        np.testing.assert_array_equal(g.resize(view, size, threads=t), base)


def test_resize_integer_factor_rounds_halves_up():
    img = np.array([[0, 1, 2, 3], [1, 2, 4, 4]], np.uint8)  # block means 1.0, 3.25
    np.testing.assert_array_equal(g.resize(img, (2, 1)), [[1, 3]])
    img = np.array([[0, 1, 5, 6]], np.uint8)  # 0.5 -> 1, 5.5 -> 6
    np.testing.assert_array_equal(g.resize(img, (2, 1)), [[1, 6]])


def test_resize_identity_is_exact(rng):
    img = _u8(rng, (23, 29, 3))
    for m in ("area", "bilinear"):
        np.testing.assert_array_equal(g.resize(img, (29, 23), method=m), img)


@pytest.mark.parametrize(
    "src_hw,size,method",
    [
        ((300, 400), (100, 75), "area"),
        ((301, 407), (97, 64), "area"),
        ((60, 80), (203, 151), "area"),  # both axes up: cv2 uses area weights too
        ((301, 407), (97, 64), "bilinear"),
        ((60, 80), (203, 151), "bilinear"),
        ((120, 90), (90, 200), "bilinear"),
    ],
)
@pytest.mark.parametrize("chans", [(), (3,)])
def test_resize_vs_cv2(rng, src_hw, size, method, chans):
    interp = cv2.INTER_AREA if method == "area" else cv2.INTER_LINEAR
    img = _u8(rng, src_hw + chans)
    d = g.resize(img, size, method=method).astype(int) - cv2.resize(img, size, interpolation=interp)
    assert np.abs(d).max() <= 1
    imgf = rng.random(src_hw + chans).astype(np.float32)
    np.testing.assert_allclose(
        g.resize(imgf, size, method=method),
        cv2.resize(imgf, size, interpolation=interp),
        rtol=0,
        atol=1e-4,
    )


def test_bilinear_upscale_vs_pil(rng):
    from PIL import Image

    img = _u8(rng, (31, 45, 3))
    pil = np.asarray(Image.fromarray(img).resize((101, 77), Image.Resampling.BILINEAR))
    d = g.resize(img, (101, 77), method="bilinear").astype(int) - pil
    assert np.abs(d).max() <= 1


@pytest.mark.parametrize("method", ["area", "bilinear"])
def test_resize_constant_stays_constant(method):
    for dtype, v in ((np.uint8, 173), (np.float32, 0.3)):
        img = np.full((53, 67, 3), v, dtype)
        for size in ((20, 11), (67, 53), (140, 99), (1, 1), (200, 9)):
            out = g.resize(img, size, method=method)
            assert out.dtype == dtype
            np.testing.assert_allclose(out, v, rtol=1e-6)


def test_resize_threads_bit_identical_and_strided(rng):
    big = rng.random((400, 500, 3)).astype(np.float32)
    img = big[3:390:2, 7:450]
    assert not img.flags.c_contiguous
    for m in ("area", "bilinear"):
        for size in ((101, 77), (900, 500)):
            base = g.resize(img, size, method=m, threads=1)
            np.testing.assert_array_equal(base, g.resize(np.ascontiguousarray(img), size, method=m))
            for t in (2, 7):
                np.testing.assert_array_equal(g.resize(img, size, method=m, threads=t), base)
    u = _u8(rng, (333, 444))
    base = g.resize(u, (100, 90), threads=1)
    np.testing.assert_array_equal(g.resize(u, (100, 90), threads=7), base)


def test_resize_bilinear_f32_single_channel_is_the_generic_arithmetic(rng):
    # One float channel takes a run-based path; three channels the generic one.
    # Same arithmetic per pixel: channel 0 of the RGB result, bit for bit (NaN
    # and infinities included), up and down, strided, any thread count.
    for trial in range(60):
        h, w = (int(v) for v in rng.integers(1, 70, 2))
        size = tuple(int(v) for v in rng.integers(1, 300, 2))
        img = (rng.normal(size=(h + 2, w + 3)) * 10.0 ** rng.uniform(-3, 3)).astype(np.float32)
        if trial % 4 == 0:
            img[rng.random(img.shape) < 0.03] = np.nan
        if trial % 5 == 0:
            img[rng.random(img.shape) < 0.03] = -np.inf
        one = img[1 : h + 1, 2 : w + 2]  # strided rows
        rgb = np.repeat(np.ascontiguousarray(one)[..., None], 3, axis=2)
        want = g.resize(rgb, size, method="bilinear", threads=1)[..., 0]
        for t in (1, 2, 7):
            got = g.resize(one, size, method="bilinear", threads=t)
            np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_resize_out_and_empty(rng):
    img = _u8(rng, (40, 60, 3))
    out_big = np.zeros((30, 50, 3), np.uint8)
    out = out_big[2:22, 1:31]
    res = g.resize(img, (30, 20), out=out)
    assert res is out
    np.testing.assert_array_equal(out, ref.resize(img, (30, 20)))
    assert g.resize(img, (0, 5)).shape == (5, 0, 3)
    assert g.resize(np.zeros((0, 0), np.uint8), (0, 0)).shape == (0, 0)


def test_resize_errors(rng):
    img = _u8(rng, (10, 12))
    with pytest.raises(ValueError, match="image"):
        g.resize(img.astype(np.int16), (5, 5))
    with pytest.raises(ValueError, match="image"):
        g.resize(np.zeros((4, 4, 4), np.uint8), (2, 2))
    with pytest.raises(ValueError, match="image"):
        g.resize(img[:, ::2], (3, 3))
    with pytest.raises(ValueError, match="image"):
        g.resize(np.zeros((0, 5), np.uint8), (3, 3))
    with pytest.raises(ValueError, match="image"):
        g.resize(img.tolist(), (3, 3))
    with pytest.raises(ValueError, match="method"):
        g.resize(img, (5, 5), method="cubic")
    for bad in ((5,), (5, -1), (5.5, 3), "ab", (2**20 + 1, 2), None):
        with pytest.raises(ValueError, match="size"):
            g.resize(img, bad)
    with pytest.raises(ValueError, match="out"):
        g.resize(img, (5, 5), out=np.zeros((5, 5), np.float32))
    with pytest.raises(ValueError, match="out"):
        g.resize(img, (5, 5), out=np.zeros((5, 6), np.uint8))
    with pytest.raises(ValueError, match="out"):
        g.resize(img, (12, 10), out=img)
    with pytest.raises(ValueError, match="threads"):
        g.resize(img, (5, 5), threads=-2)


# ------------------------------------------------------------------ fill_polygons


def _rect(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def test_fill_rectangles_exact_counts():
    m = g.fill_polygons(_rect(3, 4, 13, 10), (20, 20))
    assert m.dtype == np.uint8 and m.shape == (20, 20)
    assert (m == 255).sum() == 60
    assert m[4:10, 3:13].all() and m.sum() == 60 * 255
    # non-integer corners: pixels whose centre is in [x0, x1) x [y0, y1)
    m = g.fill_polygons(_rect(2.5, 1.2, 7.5, 4.0), (10, 10), value=1)
    expect = np.zeros((10, 10), np.uint8)
    expect[2:4, 3:8] = 1
    np.testing.assert_array_equal(m, expect)
    # two rectangles sharing an edge tile without overlap or gap (nonzero, summed)
    a = g.fill_polygons(_rect(0, 0, 5.5, 8), (10, 10), value=1).astype(int)
    b = g.fill_polygons(_rect(5.5, 0, 9, 8), (10, 10), value=1).astype(int)
    assert (a + b).max() == 1 and (a + b).sum() == 9 * 8
    # clockwise and counter-clockwise give the same mask, both rules
    r = _rect(1, 1, 6, 6)
    for rule in ("evenodd", "nonzero"):
        np.testing.assert_array_equal(
            g.fill_polygons(r, (8, 8), rule=rule), g.fill_polygons(r[::-1], (8, 8), rule=rule)
        )


def test_fill_disk_area():
    r, cx, cy = 150.0, 200.3, 190.7
    t = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    disk = np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)
    m = g.fill_polygons(disk, (400, 400))
    assert abs((m > 0).sum() / (np.pi * r * r) - 1) < 0.005


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("rule", ["evenodd", "nonzero"])
def test_fill_random_polygons_match_reference(seed, rule):
    rng = np.random.default_rng(seed)
    polys = [rng.uniform(-10, 60, size=(rng.integers(3, 12), 2)) for _ in range(3)]
    if seed % 2:
        polys[0] = np.round(polys[0])  # vertices on pixel centres: boundary cases
    shape = (47, 53)
    ours = g.fill_polygons(polys, shape, rule=rule, threads=2)
    np.testing.assert_array_equal(ours, ref.fill_polygons(polys, shape, rule))


def test_fill_vs_skimage_differs_only_on_boundary():
    # skimage.draw.polygon also samples pixel centres but treats the polygon as
    # closed (centres on any edge are inside): a superset of our half-open fill.
    rr, _ = skimage.draw.polygon([4, 4, 10, 10], [3, 13, 13, 3], shape=(20, 20))
    assert len(rr) == 11 * 7  # ours: 10 * 6
    rng = np.random.default_rng(7)
    for _ in range(10):
        p = rng.uniform(0, 60, size=(8, 2))
        p[:4] = np.round(p[:4])
        ours = ref.fill_polygons([p], (64, 64)) > 0
        rr, cc = skimage.draw.polygon(p[:, 1], p[:, 0], shape=(64, 64))
        sk = np.zeros((64, 64), bool)
        sk[rr, cc] = True
        np.testing.assert_array_equal(g.fill_polygons(p, (64, 64)) > 0, ours)
        assert not (ours & ~sk).any()
        assert (sk & ~ours).sum() <= 0.05 * max(ours.sum(), 1) + 8


def test_fill_star_evenodd_vs_nonzero():
    # pentagram: the centre pentagon has winding 2 -> hole with evenodd, filled with nonzero
    cx = cy = 50.0
    ang = np.pi / 2 + np.arange(5) * 4 * np.pi / 5
    star = np.stack([cx + 40 * np.cos(ang), cy - 40 * np.sin(ang)], axis=1)
    eo = g.fill_polygons(star, (100, 100), rule="evenodd")
    nz = g.fill_polygons(star, (100, 100), rule="nonzero")
    assert eo[50, 50] == 0 and nz[50, 50] == 255
    assert eo[int(cy - 30), 50] == 255 and nz[int(cy - 30), 50] == 255  # a point of the star
    assert (eo <= nz).all() and nz.sum() > eo.sum()
    np.testing.assert_array_equal(eo, ref.fill_polygons([star], (100, 100), "evenodd"))
    np.testing.assert_array_equal(nz, ref.fill_polygons([star], (100, 100), "nonzero"))


def test_fill_hole_and_union_with_out():
    outer, inner = _rect(2, 2, 18, 18), _rect(6, 6, 12, 12)
    m = g.fill_polygons([outer, inner], (20, 20))
    assert (m > 0).sum() == 16 * 16 - 6 * 6 and m[8, 8] == 0
    # nonzero with same orientation: the inner one does not cut a hole
    assert (g.fill_polygons([outer, inner], (20, 20), rule="nonzero") > 0).sum() == 256
    # union through out=: others unchanged
    out = np.full((20, 20), 7, np.uint8)
    g.fill_polygons(_rect(0, 0, 3, 3), (20, 20), value=200, out=out)
    assert (out == 200).sum() == 9 and (out == 7).sum() == 400 - 9


def test_fill_outside_degenerate_and_clipping():
    shape = (30, 40)
    empty = np.zeros(shape, np.uint8)
    for poly in (
        _rect(-50, -50, -10, -10),
        _rect(100, 0, 120, 30),
        _rect(0, 30, 40, 60),  # starts on the row after the last
        np.zeros((0, 2)),
        np.array([[5.0, 5.0]]),
        np.array([[5.0, 5.0], [20.0, 20.0]]),
        np.array([[1.0, 1.0], [10.0, 10.0], [20.0, 20.0]]),  # collinear, zero area
        np.array([[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]),
    ):
        np.testing.assert_array_equal(g.fill_polygons(poly, shape), empty)
    assert (g.fill_polygons([], shape) == 0).all()
    # covering the whole image
    assert (g.fill_polygons(_rect(-5, -5, 100, 100), shape) == 255).all()
    # partly outside: clipped
    m = g.fill_polygons(_rect(-5, 20, 10, 45), shape)
    assert (m > 0).sum() == 10 * 10
    # empty mask shapes
    assert g.fill_polygons(_rect(0, 0, 5, 5), (0, 7)).shape == (0, 7)


def test_fill_huge_coordinates_fast():
    shape = (200, 300)
    t0 = time.perf_counter()
    m = g.fill_polygons(_rect(-1e12, -1e12, 1e12, 50.5), shape)
    assert (m > 0).sum() == 51 * 300
    tri = np.array([[-1e99, -1e99], [1e99, 0.0], [0.0, 1e99]])
    m2 = g.fill_polygons(tri, shape)
    np.testing.assert_array_equal(m2, ref.fill_polygons([tri], shape))
    assert time.perf_counter() - t0 < 5  # no allocation or loop over coordinate range


def test_fill_accepts_array_forms():
    a = _rect(1, 1, 5, 5)
    b = _rect(10, 10, 15, 15)
    stacked = np.stack([a, b])  # (P, K, 2)
    m1 = g.fill_polygons(stacked, (20, 20))
    m2 = g.fill_polygons([a, b], (20, 20))
    m3 = g.fill_polygons([a.tolist(), b.astype(np.int32)], (20, 20))
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(m1, m3)
    assert (m1 > 0).sum() == 16 + 25


def test_fill_threads_bit_identical():
    rng = np.random.default_rng(3)
    polys = [rng.uniform(-20, 520, size=(40, 2)) for _ in range(5)]
    base = g.fill_polygons(polys, (500, 500), threads=1)
    for t in (2, 7, 0):
        np.testing.assert_array_equal(g.fill_polygons(polys, (500, 500), threads=t), base)
    out = np.zeros((600, 700), np.uint8)[50:550, 100:600]  # strided out
    g.fill_polygons(polys, (500, 500), out=out, threads=3)
    np.testing.assert_array_equal(out, base)


def test_fill_vs_cv2_fillpoly_integer_vertices():
    # cv2 draws the boundary inclusively: it is a superset of our half-open fill
    rng = np.random.default_rng(11)
    for _ in range(5):
        p = rng.integers(0, 60, size=(7, 2)).astype(np.float64)
        ours = g.fill_polygons(p, (64, 64), rule="evenodd") > 0
        cv = np.zeros((64, 64), np.uint8)
        cv2.fillPoly(cv, [p.astype(np.int32)], 255)
        assert (ours & ~(cv > 0)).sum() <= 0.02 * max(ours.sum(), 1) + 4


def test_fill_errors():
    r = _rect(0, 0, 4, 4)
    bad_nan = r.copy()
    bad_nan[1, 0] = np.nan
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(bad_nan, (5, 5))
    bad_inf = r.copy()
    bad_inf[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"polygons\[1\]: coordinates must be finite"):
        g.fill_polygons([r, bad_inf], (5, 5))
    with pytest.raises(ValueError, match=r"polygons\[2\]: coordinates must have magnitude"):
        g.fill_polygons([r, r, r * 1e101, bad_nan[:0]], (5, 5))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(r * 1e300, (5, 5))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(np.zeros((4, 3)), (5, 5))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(np.array([["a", "b"]]), (5, 5))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(r.astype(complex), (5, 5))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_polygons(42, (5, 5))
    with pytest.raises(ValueError, match="shape"):
        g.fill_polygons(r, (5,))
    with pytest.raises(ValueError, match="shape"):
        g.fill_polygons(r, (-1, 5))
    with pytest.raises(ValueError, match="shape"):
        g.fill_polygons(r, (5.0, 5))
    with pytest.raises(ValueError, match="rule"):
        g.fill_polygons(r, (5, 5), rule="winding")
    for v in (-1, 256, 1.5, True):
        with pytest.raises(ValueError, match="value"):
            g.fill_polygons(r, (5, 5), value=v)
    with pytest.raises(ValueError, match="out"):
        g.fill_polygons(r, (5, 5), out=np.zeros((5, 5), np.float32))
    with pytest.raises(ValueError, match="out"):
        g.fill_polygons(r, (5, 5), out=np.zeros((5, 6), np.uint8))
    with pytest.raises(ValueError, match="out"):
        g.fill_polygons(r, (5, 5), out=np.zeros((5, 10), np.uint8)[:, ::2])
    with pytest.raises(ValueError, match="threads"):
        g.fill_polygons(r, (5, 5), threads=-1)


# ---------------------------------------------------------------- limits and tiny sigma


@pytest.mark.parametrize("sigma", [1e-300, 5e-324, 1e-9, 0.12])
def test_blur_tiny_sigma_is_identity(rng, sigma):
    # used to return all NaN (sigma**2 underflowed to 0 in the taps)
    img = rng.random((9, 11)).astype(np.float32)
    np.testing.assert_array_equal(g.gaussian_blur(img, sigma), img)


def test_blur_propagates_non_finite():
    img = np.zeros((9, 30), np.float32)
    img[4, 3] = np.inf
    out = g.gaussian_blur(img, 1.0)
    assert np.isinf(out[4, 3]) and (out[:, 20:] == 0).all()


def test_resize_refuses_huge_output():
    with pytest.raises(ValueError, match=r"^size: .*2\*\*28"):
        g.resize(np.zeros((4, 4), np.uint8), (2**20, 2**20))
    with pytest.raises(ValueError, match=r"^size: .*2\*\*28"):
        g.resize(np.zeros((4, 4), np.float32), (2**15, 2**14 + 1))
    assert g.MAX_OUTPUT_PIXELS == 2**28


def test_fill_polygons_refuses_huge_shape():
    with pytest.raises(ValueError, match=r"^shape: .*2\*\*28"):
        g.fill_polygons([np.zeros((3, 2))], (10**6, 10**6))


# ------------------------------------------------------------------ tile median


@pytest.mark.parametrize("w", [37, 38, 44])
@pytest.mark.parametrize("tile", [1, 4, 7, 12])
@pytest.mark.parametrize("ties", [False, True])
def test_tile_median_matches_reference(rng, w, tile, ties):
    src = rng.standard_normal((33, w)).astype(np.float32)
    if ties:  # many equal values: ranks are shared
        src = np.round(src * 2.0).astype(np.float32)
    src[rng.random(src.shape) < 0.05] = np.nan
    mask = (rng.random(src.shape) < 0.6).astype(np.uint8)
    mask[:12, :12] = 0  # a tile with nothing to measure
    med, cnt = g.tile_median(src, mask, tile, threads=2)
    want_m, want_c = ref.tile_median(src, mask, tile)
    assert med.dtype == np.float32 and cnt.dtype == np.int32
    np.testing.assert_array_equal(cnt, want_c)
    np.testing.assert_array_equal(med, want_m)  # NaN where empty, on both sides
    assert np.isnan(med[0, 0]) and cnt[0, 0] == 0


@pytest.mark.parametrize(("tile", "step"), [(18, 1), (18, 2), (7, 1), (12, 3)])
def test_tile_median_sparse_mask_matches_reference(rng, tile, step):
    # A skin-like mask (a disk and a band, zero elsewhere): tile rows whose mask is
    # all 0 are skipped without reading their samples, which hold NaN and inf here.
    h, w = 71, 93
    src = rng.standard_normal((h, w)).astype(np.float32)
    yy, xx = np.mgrid[:h, :w]
    mask = ((yy - 30) ** 2 + (xx - 40) ** 2 < 20**2) | ((yy > 60) & (xx % 23 < 9))
    src[~mask & (rng.random(src.shape) < 0.5)] = np.nan
    src[~mask & (rng.random(src.shape) < 0.2)] = np.inf
    opts = [(None, False)] if step == 1 else [(None, True), (0.0, True), (0.3, False)]
    for below, negate in opts:
        med, cnt = g.tile_median(src, mask, tile, step=step, below=below, negate=negate, threads=2)
        want_m, want_c = ref.tile_median(src, mask, tile, step, below, negate)
        np.testing.assert_array_equal(cnt, want_c)
        np.testing.assert_array_equal(med, want_m)
    assert (cnt == 0).any() and (cnt > 0).any()


def test_tile_median_known_answer_bool_mask_strided_threads(rng):
    src = np.arange(16, dtype=np.float32).reshape(4, 4)
    med, cnt = g.tile_median(src, np.ones((4, 4), bool), 2)
    # tiles hold {0, 1, 4, 5} etc.: the upper median is the third smallest
    np.testing.assert_array_equal(med, [[4, 6], [12, 14]])
    np.testing.assert_array_equal(cnt, [[4, 4], [4, 4]])
    big = rng.standard_normal((90, 101)).astype(np.float32)
    crop = big[3:80, 5:99]
    m = big[3:80, 5:99] > 0
    a = g.tile_median(crop, m, 6, threads=1)
    b = g.tile_median(np.ascontiguousarray(crop), np.ascontiguousarray(m), 6, threads=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    for shape in [(1, 9), (9, 1), (0, 4)]:
        x = rng.standard_normal(shape).astype(np.float32)
        med, cnt = g.tile_median(x, np.ones(shape, np.uint8), 4)
        want_m, want_c = ref.tile_median(x, np.ones(shape, np.uint8), 4)
        np.testing.assert_array_equal(med, want_m)
        np.testing.assert_array_equal(cnt, want_c)


@pytest.mark.parametrize("w", [37, 38, 44])
@pytest.mark.parametrize(("tile", "step"), [(4, 2), (7, 2), (12, 3), (5, 1)])
def test_tile_median_options_match_reference(rng, w, tile, step):
    src = rng.standard_normal((33, w)).astype(np.float32)
    src[rng.random(src.shape) < 0.05] = np.nan
    mask = rng.random(src.shape) < 0.7
    for below, negate in [(None, True), (0.0, True), (0.3, False)]:
        med, cnt = g.tile_median(src, mask, tile, step=step, below=below, negate=negate, threads=3)
        want_m, want_c = ref.tile_median(src, mask, tile, step, below, negate)
        np.testing.assert_array_equal(cnt, want_c)
        np.testing.assert_array_equal(med, want_m)
    # step dividing tile: the same as tiles of tile / step on the subsampled copy
    if tile % step == 0:
        sub = np.negative(src[::step, ::step])
        a = g.tile_median(src, mask, tile, step=step, below=0.0, negate=True)
        b = g.tile_median(sub, mask[::step, ::step] & (sub > 0), tile // step)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_tile_median_errors(rng):
    x = rng.standard_normal((8, 8)).astype(np.float32)
    m = np.ones((8, 8), np.uint8)
    with pytest.raises(ValueError, match="^tile"):
        g.tile_median(x, m, 0)
    with pytest.raises(ValueError, match="^src"):
        g.tile_median(x.astype(np.float64), m, 2)
    with pytest.raises(ValueError, match="^mask"):
        g.tile_median(x, m[:7], 2)
    with pytest.raises(ValueError, match="^mask"):
        g.tile_median(x, m.astype(np.float32), 2)
    with pytest.raises(ValueError, match="^step"):
        g.tile_median(x, m, 2, step=0)
    with pytest.raises(ValueError, match="^below"):
        g.tile_median(x, m, 2, below=float("nan"))


# ---------------------------------------------------------------- middle values


def _same_value(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("w", [37, 38, 44])
@pytest.mark.parametrize("kind", ["normal", "ties", "zeros", "inf", "wide", "equal"])
def test_middle_values_match_reference(rng, w, kind):
    for h in (1, 2, 33):
        x = rng.standard_normal((h, w)).astype(np.float32)
        if kind == "ties":  # few distinct values: both ranks often in one run
            x = np.round(x * 2.0).astype(np.float32)
        elif kind == "zeros":  # -0.0 and 0.0 rank as equal
            x = np.where(rng.random(x.shape) < 0.5, np.float32(-0.0), np.round(x))
        elif kind == "inf":
            x[rng.random(x.shape) < 0.2] = np.inf
            x[rng.random(x.shape) < 0.2] = -np.inf
        elif kind == "wide":  # every exponent: the radix digits all differ
            x *= np.float32(10.0) ** rng.integers(-30, 30, x.shape).astype(np.float32)
        elif kind == "equal":
            x[:] = np.float32(-2.5)
        got = g.middle_values(x)
        want = ref.middle_values(x)
        assert all(_same_value(a, b) for a, b in zip(got, want, strict=True)), (h, got, want)


def test_middle_values_known_answer_layouts_and_nan(rng):
    assert g.middle_values(np.array([[3, 1, 2, 10]], np.float32)) == (2.0, 3.0)
    assert g.middle_values(np.array([5, -1, 4], np.float32)) == (4.0, 4.0)
    assert g.middle_values(np.array([[1e-30], [-1e-30]], np.float32)) == (
        float(np.float32(-1e-30)),
        float(np.float32(1e-30)),
    )
    big = rng.standard_normal((90, 101)).astype(np.float32)
    crop = big[3:80, 5:99]  # row-strided
    assert g.middle_values(crop) == ref.middle_values(crop)
    assert g.middle_values(big[::2, ::3]) == ref.middle_values(big[::2, ::3])  # copied first
    for shape in [(1, 9), (9, 1), (4, 5, 2)]:
        x = rng.standard_normal(shape).astype(np.float32)
        assert g.middle_values(x) == ref.middle_values(x)
    before = big.copy()
    g.middle_values(big)
    np.testing.assert_array_equal(big, before)  # the input is not reordered
    for empty in (np.zeros((0, 4), np.float32), np.zeros(0, np.float32)):
        assert all(math.isnan(v) for v in g.middle_values(empty))
    x = rng.standard_normal(11).astype(np.float32)
    x[4] = np.nan
    assert all(math.isnan(v) for v in g.middle_values(x))
    with pytest.raises(ValueError, match="^values"):
        g.middle_values(x.astype(np.float64))
    with pytest.raises(ValueError, match="^values"):
        g.middle_values([1.0, 2.0])  # type: ignore[arg-type]


# ------------------------------------------------------------ separable sampling


@pytest.mark.parametrize("w", [1, 2, 31, 32, 38])
def test_sample_separable_matches_reference(rng, w):
    src = rng.standard_normal((23, w)).astype(np.float32)
    xs = rng.uniform(-3.0, w + 2.0, 41)
    ys = rng.uniform(-3.0, 25.0, 29)
    xs[:4] = [-0.5, -0.5000001, w - 0.5, w - 0.4999]  # the inside/outside edges
    got = g.sample_separable(src, xs, ys, threads=2)
    want = ref.sample_separable(src, xs, ys)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_sample_separable_known_answer_strided_threads(rng):
    src = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)
    out = g.sample_separable(src, np.array([0.0, 0.5, 1.0, 2.0]), np.array([0.5, -1.0]))
    # bilinear at (0.5, 0.5) is the mean 1.5; x = 2.0 and y = -1.0 lie outside
    np.testing.assert_array_equal(out, [[1.0, 1.5, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    big = rng.standard_normal((60, 70)).astype(np.float32)
    xs, ys = rng.uniform(0, 50, 33), rng.uniform(0, 40, 57)
    a = g.sample_separable(big[5:50, 3:60], xs, ys, threads=1)
    b = g.sample_separable(np.ascontiguousarray(big[5:50, 3:60]), xs, ys, threads=7)
    np.testing.assert_array_equal(a, b)
    assert g.sample_separable(big, np.zeros(0), ys).shape == (57, 0)


def test_sample_separable_errors(rng):
    src = rng.standard_normal((8, 8)).astype(np.float32)
    xs = np.arange(4.0)
    with pytest.raises(ValueError, match="^xs: must be finite"):
        g.sample_separable(src, np.array([0.0, np.nan]), xs)
    with pytest.raises(ValueError, match="^ys: must be finite"):
        g.sample_separable(src, xs, np.array([np.inf]))
    with pytest.raises(ValueError, match="^src"):
        g.sample_separable(src.astype(np.float64), xs, xs)
    with pytest.raises(ValueError, match="^src: must not be empty"):
        g.sample_separable(np.zeros((0, 3), np.float32), xs, xs)
    with pytest.raises(ValueError, match="^xs, ys"):
        g.sample_separable(src, np.zeros((2, 2)), xs)
    with pytest.raises(ValueError, match="^dst"):
        g.sample_separable(src, xs, xs, out=np.zeros((4, 4), np.float64))


# ------------------------------------------------------------- wide_gaussian_blur


def _smooth_field(rng, h, w, sigma):
    f = g.gaussian_blur(rng.standard_normal((h, w)).astype(np.float32), sigma)
    return ((f - f.min()) / np.ptp(f)).astype(np.float32)


def _ellipse(h, w):
    yy, xx = np.mgrid[:h, :w]
    return (((yy - h / 2) / (0.35 * h)) ** 2 + ((xx - w / 2) / (0.38 * w)) ** 2 < 1).astype(
        np.float32
    )


@pytest.mark.parametrize("sigma", [8.0, 13.8, 20.7, 37.5, 51.7])
def test_wide_blur_error_bounds(rng, sigma):
    # The documented error against the exact blur, away from the border.
    h, w = 622, 447
    m = int(2 * sigma)
    inner = (slice(m, h - m), slice(m, w - m))
    field = _smooth_field(rng, h, w, sigma)
    exact = g.gaussian_blur(field, sigma)
    err = np.abs(g.wide_gaussian_blur(field, sigma) - exact)[inner].max()
    assert err <= 0.01 * np.ptp(exact[inner])
    mask = _ellipse(h, w)
    err = np.abs(g.wide_gaussian_blur(mask, sigma) - g.gaussian_blur(mask, sigma))[inner].max()
    assert err <= 0.005
    img = (60 + 10 * field + 5 * rng.standard_normal((h, w))).astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = g.gaussian_blur(img * mask, sigma) / g.gaussian_blur(mask, sigma)
    got = g.wide_gaussian_blur(img, sigma, weight=mask)
    on = mask > 0
    assert np.abs(got - exact)[on].max() <= 0.002 * np.ptp(img[on])
    ramp = np.broadcast_to(np.linspace(0, 1, w, dtype=np.float32), (h, w)).copy()
    assert np.abs(g.wide_gaussian_blur(ramp, sigma) - g.gaussian_blur(ramp, sigma)).max() <= 0.015


def test_wide_blur_is_not_the_identity(rng):
    # It blurs: white noise loses most of its variance (guards against a no-op).
    img = rng.standard_normal((300, 200)).astype(np.float32)
    out = g.wide_gaussian_blur(img, 20.0)
    assert out.shape == img.shape and out.dtype == np.float32
    assert out.std() < 0.1 * img.std()


def test_wide_blur_factor_one_is_exact(rng):
    img = _img(rng, 90, 61)
    np.testing.assert_array_equal(
        g.wide_gaussian_blur(img, 6.0, factor=1), g.gaussian_blur(img, 6.0)
    )
    wt = _ellipse(90, 61)
    wt[:, :5] = 0
    den = g.gaussian_blur(wt, 6.0)
    expect = np.where(den > 1e-3, g.gaussian_blur(img * wt, 6.0) / den, -1.0)
    got = g.wide_gaussian_blur(img, 6.0, weight=wt, factor=1, fill=-1.0)
    np.testing.assert_allclose(got, expect, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("factor", [1, None, 3])
def test_wide_means_equal_separate_blurs(rng, factor):
    # One weight, several images: each result is the single-image call's, bit for
    # bit (the blurred weight is only shared), with a fill per image.
    h, w = 211, 157
    wt = _ellipse(h, w)
    wt[:, :20] = 0.0
    a = _smooth_field(rng, h, w, 4.0)
    strided = _img(rng, h, w + 9)[:, 3 : 3 + w]  # rows strided
    got = g.wide_gaussian_means(
        [a, strided], 9.0, wt, factor=factor, fill=(-1.0, -2.0), min_weight=0.2, threads=2
    )
    for img, fill, out in zip((a, strided), (-1.0, -2.0), got, strict=True):
        ref = g.wide_gaussian_blur(
            img, 9.0, weight=wt, factor=factor, fill=fill, min_weight=0.2, threads=1
        )
        np.testing.assert_array_equal(out, ref)
    assert (got[0] == -1.0).any() and (got[1] == -2.0).any()  # the fills were used
    one = g.wide_gaussian_means([a], 9.0, wt, factor=factor, fill=5.0)
    np.testing.assert_array_equal(
        one[0], g.wide_gaussian_blur(a, 9.0, weight=wt, factor=factor, fill=5.0)
    )


def test_wide_means_errors(rng):
    a = _img(rng, 40, 30)
    wt = np.ones_like(a)
    with pytest.raises(ValueError, match="images"):
        g.wide_gaussian_means([], 5.0, wt)
    with pytest.raises(ValueError, match=r"images\[1\]"):
        g.wide_gaussian_means([a, a[:, :20]], 5.0, wt)
    with pytest.raises(ValueError, match=r"images\[0\]"):
        g.wide_gaussian_means([a.astype(np.float64)], 5.0, wt)
    with pytest.raises(ValueError, match="weight"):
        g.wide_gaussian_means([a], 5.0, wt[:, :10])
    with pytest.raises(ValueError, match="fill"):
        g.wide_gaussian_means([a, a], 5.0, wt, fill=(1.0,))
    with pytest.raises(ValueError, match="sigma"):
        g.wide_gaussian_means([a], 0.0, wt)


def test_wide_blur_constant_fill_and_threads(rng):
    c = np.full((211, 157), 3.25, np.float32)
    np.testing.assert_allclose(g.wide_gaussian_blur(c, 30.0), 3.25, rtol=1e-5)
    # Weighted: a constant over the weighted pixels is that constant; far from
    # any weight the fill value.
    wt = np.zeros_like(c)
    wt[:40, :40] = 1.0
    out = g.wide_gaussian_blur(np.where(wt > 0, c, 100.0), 10.0, weight=wt, fill=-7.0)
    np.testing.assert_allclose(out[:30, :30], 3.25, rtol=1e-5)
    assert (out[-40:, -40:] == -7.0).all()
    img = _smooth_field(rng, 211, 157, 5.0)
    base = g.wide_gaussian_blur(img, 25.0, weight=wt, threads=1)
    for t in (2, 7, 0):
        np.testing.assert_array_equal(g.wide_gaussian_blur(img, 25.0, weight=wt, threads=t), base)


def test_wide_blur_strided_small_and_empty(rng):
    big = _img(rng, 100, 90)
    crop = big[5:95, 3:80]
    np.testing.assert_array_equal(
        g.wide_gaussian_blur(crop, 12.0), g.wide_gaussian_blur(crop.copy(), 12.0)
    )
    # Images narrower than two factors fall back to a smaller factor.
    thin = _img(rng, 3, 200)
    np.testing.assert_array_equal(g.wide_gaussian_blur(thin, 20.0), g.gaussian_blur(thin, 20.0))
    assert g.wide_gaussian_blur(np.zeros((0, 5), np.float32), 20.0).shape == (0, 5)


def test_wide_blur_errors(rng):
    img = _img(rng, 20, 20)
    with pytest.raises(ValueError, match="image"):
        g.wide_gaussian_blur(img.astype(np.float64), 10.0)
    with pytest.raises(ValueError, match="image"):
        g.wide_gaussian_blur(np.zeros((4, 4, 3), np.float32), 10.0)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="sigma"):
            g.wide_gaussian_blur(img, bad)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="factor"):
            g.wide_gaussian_blur(img, 10.0, factor=bad)
    with pytest.raises(ValueError, match="weight"):
        g.wide_gaussian_blur(img, 10.0, weight=np.ones((20, 21), np.float32))
    with pytest.raises(ValueError, match="weight"):
        g.wide_gaussian_blur(img, 10.0, weight=np.ones((20, 20), np.uint8))


# --------------------------------------------------------------------- max_filter


@pytest.mark.parametrize("radius", [0, 1, 2, 5])
@pytest.mark.parametrize("w", [37, 38, 44])  # W, W+1, W+7
def test_max_filter_matches_reference(rng, radius, w):
    img = rng.standard_normal((29, w)).astype(np.float32)
    np.testing.assert_array_equal(g.max_filter(img, radius), ref.max_filter(img, radius))


@pytest.mark.parametrize("shape", [(1, 23), (23, 1), (1, 1), (3, 2)])
def test_max_filter_thin_and_huge_radius(rng, shape):
    img = rng.standard_normal(shape).astype(np.float32)
    for radius in (1, 3, 100):
        np.testing.assert_array_equal(g.max_filter(img, radius), ref.max_filter(img, radius))
    np.testing.assert_array_equal(g.max_filter(img, 100), np.full(shape, img.max()))


def test_max_filter_vs_scipy_and_known_answer(rng):
    img = np.zeros((9, 9), np.float32)
    img[4, 6] = 5.0
    out = g.max_filter(img, 2)
    assert out[2:7, 4:9].min() == 5.0 and out.sum() == 5.0 * 25
    big = rng.random((61, 47)).astype(np.float32)
    np.testing.assert_array_equal(
        g.max_filter(big, 3), ndi.maximum_filter(big, size=7, mode="constant", cval=-np.inf)
    )


def test_max_filter_nan_strided_inplace_threads(rng):
    img = rng.standard_normal((50, 41)).astype(np.float32)
    img[10, 20] = np.nan
    out = g.max_filter(img, 2)
    assert np.isnan(out[8:13, 18:23]).all() and np.isfinite(out[:7]).all()
    np.testing.assert_array_equal(out, ref.max_filter(img, 2))
    base = rng.standard_normal((80, 90)).astype(np.float32)
    crop = base[3:70, 5:77]
    np.testing.assert_array_equal(g.max_filter(crop, 4), ref.max_filter(crop.copy(), 4))
    expect = g.max_filter(base, 3, threads=1)
    for t in (2, 7, 0):
        np.testing.assert_array_equal(g.max_filter(base, 3, threads=t), expect)
    work = base.copy()
    assert g.max_filter(work, 3, out=work, threads=3) is work
    np.testing.assert_array_equal(work, expect)
    assert g.max_filter(np.zeros((0, 4), np.float32), 2).shape == (0, 4)


def test_max_filter_wide_stripes_infinities_and_composition(rng):
    # Wider than one 256-column stripe, +-inf and ties of signed zeros: the NaN-free
    # path gives the reference's values (and the same zeros' signs: equal arrays).
    img = rng.standard_normal((37, 600)).astype(np.float32)
    img[5, 300], img[20, 10] = np.inf, -np.inf
    img[30:33, 500:505] = -0.0
    for radius in (0, 3, 8, 40):
        got = g.max_filter(img, radius, threads=3)
        np.testing.assert_array_equal(got, ref.max_filter(img, radius))
        assert not np.isnan(got).any()
    # A max filter of a max filter is the filter over the square of the summed
    # radii, exactly.
    for r1, r2 in ((4, 4), (2, 5)):
        np.testing.assert_array_equal(
            g.max_filter(g.max_filter(img, r1), r2), g.max_filter(img, r1 + r2)
        )


def test_max_filter_errors(rng):
    img = _img(rng, 10, 10)
    with pytest.raises(ValueError, match="radius"):
        g.max_filter(img, -1)
    with pytest.raises(ValueError, match="radius"):
        g.max_filter(img, 1.5)
    with pytest.raises(ValueError, match="src"):
        g.max_filter(img.astype(np.float64), 1)
    with pytest.raises(ValueError, match="dst"):
        g.max_filter(img, 1, out=np.empty((10, 11), np.float32))


def test_fill_union_equals_one_fill_per_polygon(rng):
    shape = (61, 47)
    polys = [
        rng.random((k, 2)) * (50, 64) - 3 for k in (3, 7, 12, 5)
    ]  # overlapping, some self-intersecting, some leaving the image
    polys += [np.zeros((0, 2)), np.array([[1.0, 1.0], [9.0, 4.0]])]  # fill nothing
    polys.append(np.array([[2, 2], [20, 2], [20, 30]], np.int32))
    want = np.zeros(shape, np.uint8)
    for p in polys:
        g.fill_polygons([p], shape, out=want, value=9)
    np.testing.assert_array_equal(g.fill_union(polys, shape, value=9), want)
    base = np.full(shape, 3, np.uint8)
    got = g.fill_union([p.astype(np.float32) for p in polys[:4]], shape, out=base, threads=7)
    assert got is base
    want = np.full(shape, 3, np.uint8)
    for p in polys[:4]:
        g.fill_polygons([p.astype(np.float32)], shape, out=want)
    np.testing.assert_array_equal(base, want)
    assert not g.fill_union([], shape).any()


def test_fill_union_errors():
    ok = np.array([[0, 0], [5, 0], [5, 5]], np.float64)
    with pytest.raises(ValueError, match="polygons"):
        g.fill_union([ok, np.array([[0, np.nan], [1, 1], [2, 2]])], (8, 8))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_union([ok * 1e101], (8, 8))
    with pytest.raises(ValueError, match=r"polygons\[1\]"):
        g.fill_union([ok, np.zeros((3, 3))], (8, 8))
    with pytest.raises(ValueError, match=r"polygons\[0\]"):
        g.fill_union([ok.astype(str)], (8, 8))
    with pytest.raises(ValueError, match="polygons"):
        g.fill_union(ok, (8, 8))
    with pytest.raises(ValueError, match="shape"):
        g.fill_union([ok], (-1, 8))
    with pytest.raises(ValueError, match="out"):
        g.fill_union([ok], (8, 8), out=np.zeros((8, 9), np.uint8))
    with pytest.raises(ValueError, match="value"):
        g.fill_union([ok], (8, 8), value=256)


# ---------------------------------------------------------------- blur_threshold


def _blur_threshold_numpy(mask, steps):
    m = np.asarray(mask) != 0
    for s, t in steps:
        m = g.gaussian_blur(m.astype(np.float32), s, threads=1) > t
    return m


def _blob_mask(rng, h, w):
    m = rng.random((h, w)) > 0.93  # specks: removed by the erosion
    m[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4] = True
    m[h // 2, w // 3] = False  # a hole: filled by the closing
    return m.astype(np.uint8) * 255


CLOSE_ERODE = [(1.5, 0.1), (1.5, 0.9), (1.9, 0.9)]


@pytest.mark.parametrize("w", [40, 41, 47])
def test_blur_threshold_matches_numpy_composition(w):
    m = _blob_mask(np.random.default_rng(w), 33, w)
    got = g.blur_threshold(m, CLOSE_ERODE)
    want = _blur_threshold_numpy(m, CLOSE_ERODE)
    assert got.dtype == np.bool_ and got.shape == m.shape
    np.testing.assert_array_equal(got, want)
    assert 0 < got.sum() < m.size  # not vacuous


@pytest.mark.parametrize("h,w", [(60, 45), (61, 46), (9, 70), (70, 9)])
def test_blur_threshold_sparse_masks_match_numpy_composition(h, w):
    # Sparse specks (only rows within the kernel radius of one are blurred), at the
    # image's corners and edges (reflected samples), far apart and close; small,
    # zero and negative thresholds (zeros pass a negative one: the whole image).
    rng = np.random.default_rng(h * w)
    m = np.zeros((h, w), bool)
    m[0, 0] = m[-1, -1] = m[h // 2, 0] = m[0, w // 2] = True
    m[rng.integers(0, h, 4), rng.integers(0, w, 4)] = True
    steps = [(0.6, 0.02), (2.5, 0.0), (1.2, 0.3), (0.8, -0.01), (3.0, 1e-6)]
    for k in range(len(steps)):
        got = g.blur_threshold(m, steps[: k + 1], threads=3)
        np.testing.assert_array_equal(got, _blur_threshold_numpy(m, steps[: k + 1]))
        assert got.any()
    np.testing.assert_array_equal(
        g.blur_threshold(np.zeros((20, 30), bool), [(2.0, 0.02)]), np.zeros((20, 30), bool)
    )


@pytest.mark.parametrize("w", [90, 91, 97])
def test_blur_threshold_solid_interiors_match_numpy_composition(w):
    # Large solid parts (each row's set extent is tracked from step to step): two
    # blobs per row, a disc touching the border, holes and specks, thresholds on
    # both sides of the blur of a solid interior (0.9, 0.999999, 1.0 and above).
    rng = np.random.default_rng(w)
    h = 80
    yy, xx = np.mgrid[:h, :w]
    m = ((yy - 40) ** 2 / 30.0**2 + (xx - 28) ** 2 / 22.0**2) <= 1.0
    m |= (yy >= 10) & (yy < 70) & (xx >= 55) & (xx < w - 3)
    m |= (yy - 5) ** 2 + (xx - w + 1) ** 2 <= 100
    m[40, 28] = m[30:33, 60:63] = False  # holes
    m |= rng.random((h, w)) > 0.97
    for steps in (CLOSE_ERODE, [(2.5, 0.9)], [(1.0, 0.999999)], [(1.3, 1.0)], [(3.0, 0.5)]):
        want = _blur_threshold_numpy(m, steps)
        got = g.blur_threshold(m, steps, threads=1)
        np.testing.assert_array_equal(got, want)
        for t in (2, 7):
            np.testing.assert_array_equal(g.blur_threshold(m, steps, threads=t), got)
    assert _blur_threshold_numpy(m, CLOSE_ERODE).sum() > 0.3 * m.size  # solid parts kept


def test_blur_threshold_dilates_and_erodes():
    m = np.zeros((41, 41), bool)
    m[15:26, 15:26] = True
    grown = g.blur_threshold(m, [(2.0, 0.1)])
    shrunk = g.blur_threshold(m, [(2.0, 0.9)])
    assert grown.sum() > m.sum() > shrunk.sum() > 0
    assert (grown >= m).all() and (shrunk <= m).all()
    # no steps: the mask itself
    np.testing.assert_array_equal(g.blur_threshold(m, []), m)


@pytest.mark.parametrize("shape", [(1, 30), (30, 1), (0, 4)])
def test_blur_threshold_thin_and_empty(shape):
    m = np.ones(shape, np.uint8)
    got = g.blur_threshold(m, CLOSE_ERODE)
    np.testing.assert_array_equal(got, _blur_threshold_numpy(m, CLOSE_ERODE) if m.size else got)
    assert got.shape == shape


def test_blur_threshold_strided_and_threads():
    rng = np.random.default_rng(3)
    big = _blob_mask(rng, 60, 80)
    crop = big[5:50, 7:70]
    assert not crop.flags.c_contiguous
    a = g.blur_threshold(crop, CLOSE_ERODE, threads=1)
    np.testing.assert_array_equal(a, _blur_threshold_numpy(crop, CLOSE_ERODE))
    for t in (2, 7):
        np.testing.assert_array_equal(g.blur_threshold(crop, CLOSE_ERODE, threads=t), a)


@pytest.mark.parametrize(
    "mask, steps, match",
    [
        (np.zeros((4, 4), np.float32), [(1.0, 0.5)], "mask"),
        (np.zeros(4, np.uint8), [(1.0, 0.5)], "mask"),
        (np.zeros((4, 4), np.uint8), [(0.0, 0.5)], "sigmas"),
        (np.zeros((4, 4), np.uint8), [(1.0, float("nan"))], "thresholds"),
        (np.zeros((4, 4), np.uint8), [1.0], "steps"),
    ],
)
def test_blur_threshold_bad_arguments(mask, steps, match):
    with pytest.raises(ValueError, match=match):
        g.blur_threshold(mask, steps)


@pytest.mark.parametrize("rule", ["evenodd", "nonzero"])
def test_fill_with_origin_is_the_window_of_the_full_fill(rng, rule):
    # A mask drawn on a window of the grid (origin=(x0, y0)) equals that window of
    # the full grid's fill, bit for bit: crossings are computed in grid coordinates.
    h, w = 97, 131
    polys = [
        (rng.random((k, 2)) * [w + 40, h + 40] - 20).astype(np.float32).astype(np.float64)
        for k in (3, 7, 12)
    ]
    polys.append(np.array([[10.5, 20.0], [60.0, 20.0], [60.0, 70.5], [10.5, 70.5]]))  # on centres
    full = g.fill_polygons(polys, (h, w), rule=rule)
    union = g.fill_union(polys, (h, w))
    for x0, y0, x1, y1 in [(0, 0, w, h), (10, 20, 61, 71), (3, 50, 130, 97), (60, 0, 61, 1)]:
        win = g.fill_polygons(polys, (y1 - y0, x1 - x0), rule=rule, origin=(x0, y0))
        np.testing.assert_array_equal(win, full[y0:y1, x0:x1])
        uwin = g.fill_union(polys, (y1 - y0, x1 - x0), origin=(x0, y0))
        np.testing.assert_array_equal(uwin, union[y0:y1, x0:x1])
    with pytest.raises(ValueError, match="origin"):
        g.fill_polygons(polys, (4, 4), origin=(1,))
    with pytest.raises(ValueError, match="origin"):
        g.fill_union(polys, (4, 4), origin=(2**41, 0))


@pytest.mark.parametrize(
    "src_hw,size",
    [((518, 721), (361, 259)), ((777, 1081), (518, 721)), ((31, 47), (17, 29)), ((5, 9), (9, 5))],
)
def test_resize_float_area_single_channel_is_the_generic_arithmetic(rng, src_hw, size):
    # One channel with at most three taps per output takes its own loop; three
    # channels take the generic one, the same float operations per channel: equal.
    img = rng.standard_normal(src_hw + (3,)).astype(np.float32)
    img[0, 0] = -0.0
    three = g.resize(img, size, method="area")
    for c in range(3):
        one = g.resize(np.ascontiguousarray(img[..., c]), size, method="area")
        np.testing.assert_array_equal(one, three[..., c])
        assert np.array_equal(np.signbit(one), np.signbit(three[..., c]))


@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((1244, 777), (518, 830)),  # a texture grid to 4 px/mm (x 2/3): every block in registers
        ((90, 200), (71, 61)),  # x 3.3 in columns: blocks wider than 16 samples, scalar
        ((50, 37), (20, 40)),  # x 1.85: some blocks in registers, some not
        ((9, 17), (9, 17)),  # identity: one tap
        ((3, 700), (5, 2)),
    ],
)
def test_resize_float_area_simd_and_scalar_paths_equal(rng, src_hw, size):
    # The AVX2 horizontal pass permutes each block's taps out of two loads and does
    # the scalar loop's mul, add, select and divide: the bytes must be equal, with
    # infs, NaN and signed zeros too, for any thread count and strided rows.
    from skincore import _core

    img = (rng.standard_normal(src_hw) * 20).astype(np.float32)
    img.flat[:: max(1, img.size // 7)] = -0.0
    img[0, 0] = np.inf
    img[-1, -1] = np.nan
    big = np.zeros((src_hw[0], src_hw[1] + 3), np.float32)
    big[:, 1 : 1 + src_hw[1]] = img
    got = {}
    for simd in (False, True):
        _core._set_simd(simd)
        try:
            got[simd] = [g.resize(img, size, method="area", threads=t) for t in (1, 3)]
            got[simd].append(g.resize(big[:, 1 : 1 + src_hw[1]], size, method="area"))
        finally:
            _core._set_simd(True)
    for a in got[False] + got[True]:
        np.testing.assert_array_equal(a.view(np.uint32), got[False][0].view(np.uint32))
    np.testing.assert_allclose(  # and the reference's values
        g.resize(np.nan_to_num(img, nan=0.0, posinf=0.0), size, method="area"),
        ref.resize(np.nan_to_num(img, nan=0.0, posinf=0.0), size, "area"),
        rtol=1e-5,
        atol=1e-4,
    )


def _mask_ref(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    up = g.resize(np.ascontiguousarray(mask), size, method="bilinear")
    return np.where(up >= 128, 255, 0).astype(np.uint8)


@pytest.mark.parametrize(
    "src_hw,size",
    [
        ((1244, 777), (518, 830)),  # a texture grid's gate to 4 px/mm
        ((622, 447), (777, 1081)),  # the colour grid's gate up to a texture grid
        ((90, 200), (71, 61)),  # x 3.3 in columns: blocks wider than 16 samples
        ((30, 90), (41, 31)),  # up in rows, down in columns
        ((17, 19), (17, 19)),  # identity: one tap per axis
        ((1, 40), (13, 1)),
        ((40, 1), (1, 13)),
        ((2, 2), (257, 255)),
    ],
)
def test_resize_mask_is_the_thresholded_bilinear_resize(rng, src_hw, size):
    # 255 where resize(bilinear) >= 128: binary masks, any byte values, values at
    # the rounding edge, strided rows, any thread count, SIMD on and off.
    from skincore import _core

    masks = [
        (rng.random(src_hw) < 0.6).astype(np.uint8) * np.uint8(255),
        _u8(rng, src_hw),
        (np.uint8(127) + rng.integers(0, 2, src_hw)).astype(np.uint8),
    ]
    for m in masks:
        want = _mask_ref(m, size)
        big = np.zeros((src_hw[0] + 2, src_hw[1] + 5), np.uint8)
        big[1:-1, 3:-2] = m
        for simd in (False, True):
            _core._set_simd(simd)
            try:
                for t in (1, 3):
                    np.testing.assert_array_equal(g.resize_mask(m, size, threads=t), want)
                np.testing.assert_array_equal(g.resize_mask(big[1:-1, 3:-2], size), want)
            finally:
                _core._set_simd(True)


def test_resize_mask_wide_sums_and_random_sizes(rng):
    # 2 * 255 * D >= 2**31: the sums in int64
    m = _u8(rng, (3, 200003))
    np.testing.assert_array_equal(g.resize_mask(m, (200009, 7)), _mask_ref(m, (200009, 7)))
    for _ in range(200):
        h, w, oh, ow = (int(v) for v in rng.integers(1, 50, 4))
        m = (rng.random((h, w)) < 0.5).astype(np.uint8) * np.uint8(255)
        np.testing.assert_array_equal(g.resize_mask(m, (ow, oh)), _mask_ref(m, (ow, oh)))


def test_resize_mask_errors_and_empty(rng):
    m = _u8(rng, (4, 5))
    assert g.resize_mask(m, (0, 3)).shape == (3, 0)
    with pytest.raises(ValueError, match="mask"):
        g.resize_mask(m.astype(bool), (2, 2))
    with pytest.raises(ValueError, match="mask"):
        g.resize_mask(np.zeros((4, 5, 3), np.uint8), (2, 2))
    with pytest.raises(ValueError, match="mask"):
        g.resize_mask(np.zeros((0, 5), np.uint8), (2, 2))
    with pytest.raises(ValueError, match="size"):
        g.resize_mask(m, (2**20 + 1, 1))
    with pytest.raises(ValueError, match="size"):
        g.resize_mask(m, (2.5, 1))
    with pytest.raises(ValueError, match="threads"):
        g.resize_mask(m, (2, 2), threads=-1)


# --- gaussian_blur_planes: exactly gaussian_blur per plane, for any thread count ---
@pytest.mark.parametrize("threads", [1, 2, 0])
def test_planes_equal_single_blurs(threads: int) -> None:
    rng = np.random.default_rng(7)
    shapes = [(56, 90), (56, 90), (3, 200), (31, 1), (90, 56), (64, 64), (5, 7)]
    images = [rng.normal(size=s).astype(np.float32) for s in shapes]
    images.append(rng.normal(size=(40, 80)).astype(np.float32)[:, 10:60])  # strided rows
    outs = g.gaussian_blur_planes(images, 6.5, threads=threads)
    assert len(outs) == len(images)
    for image, out in zip(images, outs, strict=True):
        ref = g.gaussian_blur(np.ascontiguousarray(image), 6.5, threads=1)
        assert out.dtype == np.float32 and out.shape == image.shape
        assert out.tobytes() == ref.tobytes()


def test_planes_blur_a_constant_to_itself() -> None:
    outs = g.gaussian_blur_planes([np.full((20, 30), 2.5, np.float32)] * 3, 4.0)
    for out in outs:
        np.testing.assert_allclose(out, 2.5, rtol=1e-6)


def test_planes_reject_bad_input() -> None:
    good = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError):
        g.gaussian_blur_planes([good, np.zeros((4, 4), np.float64)], 1.0)
    with pytest.raises(ValueError):
        g.gaussian_blur_planes([np.zeros((0, 4), np.float32)], 1.0)
    with pytest.raises(ValueError):
        g.gaussian_blur_planes([good], 0.0)
    with pytest.raises(ValueError):
        g.gaussian_blur_planes(good, 1.0)
    assert g.gaussian_blur_planes([], 1.0) == []


def test_coarse_sigma_leaves_what_averaging_has_not_blurred():
    # 100x100 reduced to 25x25: cells of 4 px, so sigma 8 px is 2 cells, less
    # the half cell (variance 1/4) that averaging and interpolation blur.
    assert g.coarse_sigma(8.0, 100, 100, (25, 25)) == pytest.approx(np.sqrt(3.75))
    # anisotropic cells use their geometric mean size (here 2x8 -> 4)
    assert g.coarse_sigma(8.0, 100, 200, (50, 25)) == pytest.approx(np.sqrt(3.75))
    assert g.coarse_sigma(0.5, 100, 100, (10, 10)) == pytest.approx(1e-3)


def test_blur_threshold_masks_equal_one_call_per_mask():
    rng = np.random.default_rng(17)
    masks = [_blob_mask(rng, h, w) for h, w in [(33, 40), (60, 91), (9, 70), (70, 9), (1, 30)]]
    masks.append(np.zeros((0, 4), np.uint8))
    masks.append(_blob_mask(rng, 80, 120)[3:70, 5:100])  # row-strided
    masks.append(masks[1] > 0)  # bool
    want = [g.blur_threshold(m, CLOSE_ERODE, threads=1) for m in masks]
    for t in (1, 2, 7):
        got = g.blur_threshold_masks(masks, CLOSE_ERODE, threads=t)
        assert len(got) == len(masks)
        for a, b in zip(got, want, strict=True):
            assert a.dtype == np.bool_ and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
    assert g.blur_threshold_masks([], CLOSE_ERODE) == []
    np.testing.assert_array_equal(g.blur_threshold_masks(masks[:1], [])[0], masks[0] != 0)


def _numpy_box(m):
    ys, xs = np.nonzero(m)
    if ys.size == 0:
        return [0, 0, 0, 0]
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def test_blur_threshold_masks_boxes_are_the_results_bounding_boxes():
    # boxes= receives each result's bounding box (0s when empty): the NumPy one of
    # the result, for solid, sparse, border-touching, thin, strided, empty and
    # vanishing masks, with and without steps, a negative threshold (the whole
    # image), at 1, 2 and 7 threads; the masks themselves unchanged
    rng = np.random.default_rng(23)
    masks = [_blob_mask(rng, h, w) for h, w in [(33, 40), (60, 91), (9, 70), (70, 9), (1, 30)]]
    masks.append(np.zeros((0, 4), np.uint8))
    masks.append(_blob_mask(rng, 80, 120)[3:70, 5:100])  # row-strided
    specks = np.zeros((45, 61), bool)
    specks[0, 0] = specks[-1, 30] = specks[20, -1] = True
    masks.append(specks)  # border pixels only
    masks.append(np.zeros((12, 17), np.uint8))  # nothing set
    lone = np.zeros((25, 26), np.uint8)
    lone[12, 13] = 1
    masks.append(lone)  # eroded away by CLOSE_ERODE
    for steps in (CLOSE_ERODE, [], [(0.8, 0.02)], [(1.0, -0.5), (1.5, 0.9)], [(2.0, 0.999)]):
        want = [g.blur_threshold(m, steps, threads=1) for m in masks]
        for t in (1, 2, 7):
            boxes = np.full((len(masks), 4), -9, np.int64)
            got = g.blur_threshold_masks(masks, steps, threads=t, boxes=boxes)
            for i, (a, b) in enumerate(zip(got, want, strict=True)):
                np.testing.assert_array_equal(a, b)
                assert boxes[i].tolist() == _numpy_box(b), (steps, i)
        full = np.full((len(masks) - 1, 4), -9, np.int64)  # no empty mask: written in place
        rest = [m for m in masks if m.size]
        g.blur_threshold_masks(rest, steps, boxes=full)
        assert full.tolist() == [_numpy_box(b) for b in want if b.size]
    assert any(b.any() for b in want) and not want[-1].any()  # both cases occur
    for bad in (
        np.zeros((len(masks), 4), np.int32),
        np.zeros((len(masks), 3), np.int64),
        np.zeros((len(masks) + 1, 4), np.int64),
        np.zeros((4, len(masks)), np.int64).T,
        [[0, 0, 0, 0]] * len(masks),
    ):
        with pytest.raises(ValueError, match="boxes"):
            g.blur_threshold_masks(masks, CLOSE_ERODE, boxes=bad)
    ro = np.zeros((len(masks), 4), np.int64)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="boxes"):
        g.blur_threshold_masks(masks, CLOSE_ERODE, boxes=ro)
    # the binding checks too
    one = [np.ascontiguousarray(masks[0])]
    with pytest.raises(ValueError, match="boxes"):
        _core.geometry.blur_threshold_masks(
            one, [1.0], [0.5], [np.zeros_like(one[0])], 1, np.zeros((2, 4), np.int64)
        )
    with pytest.raises(ValueError, match="boxes"):
        _core.geometry.blur_threshold_masks(
            one, [1.0], [0.5], [np.zeros_like(one[0])], 1, np.zeros((1, 4), np.float64)
        )
    for bad, match in [
        (dict(masks=masks[0]), "masks"),
        (dict(masks=[np.zeros((3, 3), np.float32)]), "masks"),
        (dict(steps=[(0.0, 0.5)]), "sigmas"),
        (dict(steps=[1.0]), "steps"),
        (dict(threads=-1), "threads"),
    ]:
        kw = dict(masks=masks[:2], steps=CLOSE_ERODE)
        kw.update(bad)
        with pytest.raises(ValueError, match=match):
            g.blur_threshold_masks(kw["masks"], kw["steps"], threads=kw.get("threads", 0))
