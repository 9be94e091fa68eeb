from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from PIL import Image

from reference import color as ref
from skincore import _core
from skincore import color as C

# ---------------------------------------------------------------------------
# helpers


def ellipse_mask(h, w, frac=0.8):
    yy, xx = np.mgrid[0:h, 0:w]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    ry, rx = max(frac * h / 2, 0.5), max(frac * w / 2, 0.5)
    return (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0).astype(np.uint8)


def skin_rgb(rng, h, w, base=(224, 172, 150), sigma=3.0):
    noise = rng.normal(0.0, sigma, (h, w, 3))
    return np.clip(np.asarray(base, float) + noise, 0, 255).round().astype(np.uint8)


def stats_tuple(s):
    return np.array([v for v in dataclasses.astuple(s)], dtype=np.float64)


def assert_stats_match_ref(st, r):
    for key in ("n_mask", "n_invalid", "n_shadow", "n_highlight", "n_used"):
        assert getattr(st, key) == r[key], key
    if r["n_used"] == 0:
        assert math.isnan(st.L_mean) and math.isnan(st.ita) and math.isnan(st.ha)
        return
    assert st.L_median_all == r["L_median_all"]
    assert st.L_mad_all == r["L_mad_all"]
    got_mean = (st.L_mean, st.a_mean, st.b_mean)
    got_std = (st.L_std, st.a_std, st.b_std)
    got_med = (st.L_median, st.a_median, st.b_median)
    np.testing.assert_allclose(got_mean, r["mean"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got_std, r["std"], rtol=1e-6, atol=1e-9)
    assert got_med == r["median"]
    assert st.ita == pytest.approx(ref.ita(r["mean"][0], r["mean"][2]), abs=1e-6)
    assert st.ha == pytest.approx(ref.ha(r["mean"][1], r["mean"][2]), abs=1e-6)
    assert st.ita_median == pytest.approx(ref.ita(r["median"][0], r["median"][2]), abs=1e-9)
    assert st.ha_median == pytest.approx(ref.ha(r["median"][1], r["median"][2]), abs=1e-9)


def dense_colour_sample():
    v = np.unique(np.r_[np.arange(0, 256, 5), 1, 2, 254, 255, 10, 11, 12]).astype(np.uint8)
    r, g, b = np.meshgrid(v, v, v, indexing="ij")
    cube = np.stack([r, g, b], -1).reshape(-1, 3)
    ramp = np.arange(256, dtype=np.uint8)
    z = np.zeros(256, np.uint8)
    f = np.full(256, 255, np.uint8)
    extra = [
        np.stack(c, -1)
        for c in (
            (ramp, ramp, ramp),
            (ramp, z, z),
            (z, ramp, z),
            (z, z, ramp),
            (ramp, f, f),
            (f, ramp, f),
            (f, f, ramp),
            (ramp, ramp, z),
            (z, ramp, ramp),
        )
    ]
    return np.concatenate([cube, *extra])


# ---------------------------------------------------------------------------
# rgb_to_lab


KNOWN = [
    # sRGB (D65), published CIELAB values (same 7-digit matrix, D65 white)
    ((255, 255, 255), (100.0, 0.0, 0.0)),
    ((0, 0, 0), (0.0, 0.0, 0.0)),
    ((255, 0, 0), (53.2408, 80.0925, 67.2032)),
    ((0, 255, 0), (87.7347, -86.1827, 83.1793)),
    ((0, 0, 255), (32.2970, 79.1875, -107.8602)),
    ((0, 255, 255), (91.1132, -48.0875, -14.1312)),
    ((255, 0, 255), (60.3242, 98.2343, -60.8249)),
    ((255, 255, 0), (97.1393, -21.5537, 94.4780)),
    ((128, 128, 128), (53.5850, 0.0, 0.0)),
    ((119, 119, 119), (50.0, 0.0, 0.0)),
]


@pytest.mark.parametrize(("rgb", "lab"), KNOWN)
def test_rgb_to_lab_known_answers(rgb, lab):
    got = C.rgb_to_lab(np.array([[rgb]], np.uint8))[0, 0]
    # (119,119,119) is L* 50.03; the rest are published to 4 decimals
    tol = 0.05 if rgb == (119, 119, 119) else 0.01
    np.testing.assert_allclose(got, lab, atol=tol)


def test_white_is_exact_and_greys_are_neutral():
    g = np.arange(256, dtype=np.uint8)
    rgb = np.stack([g, g, g], -1)[None]
    lab = C.rgb_to_lab(rgb)[0]
    assert abs(lab[255, 0] - 100.0) < 2e-5
    assert np.abs(lab[:, 1:]).max() < 1e-4
    assert np.all(np.diff(lab[:, 0]) > 0)  # L* strictly increasing along the grey ramp


def test_rgb_to_lab_matches_float64_reference_dense():
    px = dense_colour_sample()
    got = C.rgb_to_lab(px[None], threads=1)[0].astype(np.float64)
    want = ref.rgb_to_lab(px)
    err = np.abs(got - want).max(axis=0)
    assert np.all(err <= 2e-3), err
    # the measured max over all 2**24 colours is ~1.7e-4; keep a margin but catch regressions
    assert np.all(err <= 5e-4), err


def test_rgb_to_lab_close_to_skimage_and_opencv():
    skcolor = pytest.importorskip("skimage.color")
    cv2 = pytest.importorskip("cv2")
    px = dense_colour_sample()[None]
    got = C.rgb_to_lab(px)[0]
    sk = skcolor.rgb2lab(px)[0]
    cv = cv2.cvtColor(px.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[0]
    # scikit-image: 6-digit matrix, same formulas -> agrees to ~5e-3
    assert np.abs(got - sk).max() < 0.02
    # OpenCV's float path interpolates tabulated gamma/cube-root splines (measured
    # max error ~0.45 in a* near black vs the float64 reference); ours is far closer
    r = ref.rgb_to_lab(px[0])
    assert np.abs(got - cv).max() < 0.6
    assert np.abs(got - r).max() < 0.01 * np.abs(cv - r).max()


@pytest.mark.parametrize("w", [64, 65, 71, 1, 3])
@pytest.mark.parametrize("h", [1, 9])
def test_rgb_to_lab_widths_and_threads(rng, h, w):
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    a = C.rgb_to_lab(rgb, threads=1)
    np.testing.assert_allclose(a, ref.rgb_to_lab(rgb), atol=2e-3, rtol=0)
    for t in (2, 7):
        assert np.array_equal(a, C.rgb_to_lab(rgb, threads=t))


def test_rgb_to_lab_column_and_strided_crop(rng):
    col = rng.integers(0, 256, (37, 1, 3), dtype=np.uint8)
    np.testing.assert_allclose(C.rgb_to_lab(col), ref.rgb_to_lab(col), atol=2e-3, rtol=0)
    big = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    crop = big[5:40, 3:50]
    assert not crop.flags.c_contiguous
    got = C.rgb_to_lab(crop, threads=3)
    np.testing.assert_allclose(got, ref.rgb_to_lab(crop), atol=2e-3, rtol=0)
    assert np.array_equal(got, C.rgb_to_lab(np.ascontiguousarray(crop), threads=1))


def test_rgb_to_lab_out_argument_and_strided_out(rng):
    rgb = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    out = np.full((20, 30, 3), -1.0, np.float32)
    res = C.rgb_to_lab(rgb, out=out)
    assert res is out
    big = np.full((25, 40, 3), -7.0, np.float32)
    view = big[2:22, 5:35]
    C.rgb_to_lab(rgb, out=view)
    assert np.array_equal(view, out)
    big[2:22, 5:35] = -7.0
    assert np.all(big == -7.0)  # nothing written outside the view


@pytest.mark.parametrize("shape", [(0, 5, 3), (5, 0, 3), (0, 0, 3)])
def test_rgb_to_lab_empty(shape):
    out = C.rgb_to_lab(np.zeros(shape, np.uint8))
    assert out.shape == shape and out.dtype == np.float32


def test_rgb_to_lab_errors():
    good = np.zeros((4, 6, 3), np.uint8)
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(good.astype(np.float32))
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(good[..., 0])
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(np.zeros((4, 6, 4), np.uint8))
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(good[:, ::2])
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(good.tolist())
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lab(good[::-1])  # negative row stride
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lab(good, out=np.zeros((4, 5, 3), np.float32))
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lab(good, out=np.zeros((4, 6, 3), np.float64))
    ro = np.zeros((4, 6, 3), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lab(good, out=ro)
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lab(good, out=np.zeros((4, 12, 3), np.float32)[:, ::2])
    overlapping = np.lib.stride_tricks.as_strided(
        np.zeros(6 * 3, np.float32), shape=(4, 6, 3), strides=(0, 12, 4)
    )
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lab(good, out=overlapping)
    with pytest.raises(ValueError, match="threads"):
        C.rgb_to_lab(good, threads=-1)
    with pytest.raises(ValueError, match="threads"):
        C.rgb_to_lab(good, threads=1.5)
    # the binding validates on its own too
    with pytest.raises(ValueError, match="rgb"):
        _core.color.rgb_to_lab(good[:, ::2], np.zeros((4, 3, 3), np.float32), 1)
    with pytest.raises(ValueError, match="out"):
        _core.color.rgb_to_lab(good, np.zeros((4, 5, 3), np.float32), 1)


# ---------------------------------------------------------------------------
# rgb_to_lightness


def all_colours(rows: slice) -> np.ndarray:
    """Rows of the 4096 x 4096 image holding every sRGB colour once."""
    v = np.arange(rows.start * 4096, rows.stop * 4096, dtype=np.uint32)
    rgb = np.stack([(v >> 16) & 255, (v >> 8) & 255, v & 255], axis=-1).astype(np.uint8)
    return rgb.reshape(-1, 4096, 3)


@pytest.mark.parametrize("simd", [True, False])
@pytest.mark.parametrize("divisor", [1.0, 100.0, 3.0])
def test_rgb_to_lightness_is_rgb_to_lab_l_bit_for_bit_on_every_colour(simd, divisor):
    _core._set_simd(simd)
    try:
        for y in range(0, 4096, 1024):
            rgb = all_colours(slice(y, y + 1024))
            want = C.rgb_to_lab(rgb, threads=1)[..., 0] / np.float32(divisor)
            got = C.rgb_to_lightness(rgb, divisor=divisor, threads=1)
            assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    finally:
        _core._set_simd(True)


@pytest.mark.parametrize("w", [64, 65, 71, 1, 3])
@pytest.mark.parametrize("h", [1, 9])
def test_rgb_to_lightness_widths_and_threads(rng, h, w):
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    a = C.rgb_to_lightness(rgb, divisor=100.0, threads=1)
    assert a.shape == (h, w) and a.dtype == np.float32
    np.testing.assert_allclose(a, ref.rgb_to_lightness(rgb, 100.0), atol=2e-5, rtol=0)
    for t in (2, 7):
        assert np.array_equal(a, C.rgb_to_lightness(rgb, divisor=100.0, threads=t))


def test_rgb_to_lightness_column_strided_crop_and_out(rng):
    col = rng.integers(0, 256, (37, 1, 3), dtype=np.uint8)
    np.testing.assert_allclose(
        C.rgb_to_lightness(col), ref.rgb_to_lightness(col), atol=2e-3, rtol=0
    )
    big = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    crop = big[5:40, 3:50]
    assert not crop.flags.c_contiguous
    got = C.rgb_to_lightness(crop, threads=3)
    np.testing.assert_allclose(got, ref.rgb_to_lightness(crop), atol=2e-3, rtol=0)
    assert np.array_equal(got, C.rgb_to_lightness(np.ascontiguousarray(crop), threads=1))
    outer = np.full((40, 60), -7.0, np.float32)
    view = outer[2:37, 5:52]
    assert C.rgb_to_lightness(crop, out=view) is view
    assert np.array_equal(view, got)
    outer[2:37, 5:52] = -7.0
    assert np.all(outer == -7.0)  # nothing written outside the view


@pytest.mark.parametrize("shape", [(0, 5, 3), (5, 0, 3), (0, 0, 3)])
def test_rgb_to_lightness_empty(shape):
    out = C.rgb_to_lightness(np.zeros(shape, np.uint8))
    assert out.shape == shape[:2] and out.dtype == np.float32


def test_rgb_to_lightness_errors():
    good = np.zeros((4, 6, 3), np.uint8)
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lightness(good.astype(np.float32))
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lightness(good[..., 0])
    with pytest.raises(ValueError, match="rgb"):
        C.rgb_to_lightness(good[:, ::2])
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lightness(good, out=np.zeros((4, 6, 3), np.float32))
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lightness(good, out=np.zeros((4, 6), np.float64))
    ro = np.zeros((4, 6), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        C.rgb_to_lightness(good, out=ro)
    for bad in (0.0, -1.0, math.inf, math.nan, 1e39, True, "100"):
        with pytest.raises(ValueError, match="divisor"):
            C.rgb_to_lightness(good, divisor=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threads"):
        C.rgb_to_lightness(good, threads=-1)
    with pytest.raises(ValueError, match="divisor"):
        _core.color.rgb_to_lightness(good, np.zeros((4, 6), np.float32), 0.0, 1)
    with pytest.raises(ValueError, match="out"):
        _core.color.rgb_to_lightness(good, np.zeros((4, 5), np.float32), 1.0, 1)
    with pytest.raises(ValueError, match="rgb"):
        _core.color.rgb_to_lightness(good[:, ::2], np.zeros((4, 3), np.float32), 1.0, 1)


# ---------------------------------------------------------------------------
# apply_channel_luts


@pytest.mark.parametrize("w", [31, 32, 38])
def test_apply_channel_luts_matches_reference(rng, w):
    rgb = rng.integers(0, 256, (17, w, 3), dtype=np.uint8)
    luts = rng.integers(0, 256, (3, 256), dtype=np.uint8)
    want = ref.apply_channel_luts(rgb, luts)
    got = C.apply_channel_luts(rgb, luts, threads=1)
    assert got.dtype == np.uint8 and got.shape == rgb.shape
    np.testing.assert_array_equal(got, want)
    for t in (2, 7):
        np.testing.assert_array_equal(C.apply_channel_luts(rgb, luts, threads=t), want)
    crop = rgb[2:15, 3:-2]  # rows strided
    np.testing.assert_array_equal(
        C.apply_channel_luts(crop, luts), ref.apply_channel_luts(crop, luts)
    )
    for one in (rgb[:1], rgb[:, :1]):
        np.testing.assert_array_equal(
            C.apply_channel_luts(one, luts), ref.apply_channel_luts(one, luts)
        )
    assert C.apply_channel_luts(np.zeros((0, 5, 3), np.uint8), luts).shape == (0, 5, 3)
    # the channels keep their own tables (not one table for all)
    ident = np.tile(np.arange(256, dtype=np.uint8), (3, 1))
    ident[1] = 255 - ident[1]
    flip = C.apply_channel_luts(rgb, ident)
    np.testing.assert_array_equal(flip[..., 0], rgb[..., 0])
    np.testing.assert_array_equal(flip[..., 1], 255 - rgb[..., 1])


# ---------------------------------------------------------------------------
# masked_channel_luts


@pytest.mark.parametrize("w", [1, 31, 38])
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_masked_channel_luts_matches_reference(rng, w, share):
    rgb = rng.integers(0, 256, (23, w, 3), dtype=np.uint8)
    mask = (rng.random((23, w)) < share).astype(np.uint8) * np.uint8(rng.integers(1, 256))
    luts = rng.integers(0, 256, (3, 256), dtype=np.uint8)
    want = ref.masked_channel_luts(rgb, mask, luts)
    for t in (1, 2, 7):
        got = C.masked_channel_luts(rgb, mask, luts, threads=t)
        assert got.dtype == np.uint8 and got.shape == (np.count_nonzero(mask), 3)
        np.testing.assert_array_equal(got, want)
    # bool mask, strided rows, and the head of a caller's buffer
    np.testing.assert_array_equal(C.masked_channel_luts(rgb, mask > 0, luts), want)
    crop, mcrop = rgb[2:20, : max(1, w - 2)], mask[2:20, : max(1, w - 2)]
    np.testing.assert_array_equal(
        C.masked_channel_luts(crop, mcrop, luts), ref.masked_channel_luts(crop, mcrop, luts)
    )
    buf = np.full((len(want) + 5, 3), 7, np.uint8)
    assert C.masked_channel_luts(rgb, mask, luts, out=buf[: len(want)]) is not None
    np.testing.assert_array_equal(buf[: len(want)], want)
    assert (buf[len(want) :] == 7).all()  # nothing written past the pixels


def test_masked_channel_luts_errors():
    rgb = np.zeros((4, 6, 3), np.uint8)
    mask = np.ones((4, 6), np.uint8)
    luts = np.zeros((3, 256), np.uint8)
    with pytest.raises(ValueError, match="rgb"):
        C.masked_channel_luts(rgb[:, ::2], mask[:, :3], luts)
    for bad in (mask[:3], mask.astype(np.int16)):
        with pytest.raises(ValueError, match="mask"):
            C.masked_channel_luts(rgb, bad, luts)
    with pytest.raises(ValueError, match="luts"):
        C.masked_channel_luts(rgb, mask, luts[:2])
    for out in (np.zeros((23, 3), np.uint8), np.zeros((24, 3), np.float32)):
        with pytest.raises(ValueError, match="out"):
            C.masked_channel_luts(rgb, mask, luts, out=out)
    with pytest.raises(ValueError, match="out"):  # the kernel's own count check
        _core.color.masked_channel_luts(rgb, mask, luts, np.zeros((1, 23, 3), np.uint8), 1)
    with pytest.raises(ValueError, match="threads"):
        C.masked_channel_luts(rgb, mask, luts, threads=-1)


def test_apply_channel_luts_errors():
    rgb = np.zeros((4, 6, 3), np.uint8)
    luts = np.zeros((3, 256), np.uint8)
    for bad in (rgb.astype(np.float32), rgb[..., :2], rgb[:, ::2], rgb[..., 0]):
        with pytest.raises(ValueError, match="rgb"):
            C.apply_channel_luts(bad, luts)
    for bad in (luts[:2], luts.astype(np.int16), luts[:, :255]):
        with pytest.raises(ValueError, match="luts"):
            C.apply_channel_luts(rgb, bad)
    with pytest.raises(ValueError, match="threads"):
        C.apply_channel_luts(rgb, luts, threads=-1)
    out = np.zeros((4, 6, 3), np.uint8)
    with pytest.raises(ValueError, match="luts"):
        _core.color.apply_channel_luts(rgb, np.zeros((256, 3), np.uint8), out, 1)
    with pytest.raises(ValueError, match="out"):
        _core.color.apply_channel_luts(rgb, luts, np.zeros((4, 5, 3), np.uint8), 1)


# ---------------------------------------------------------------------------
# lightness_chroma


@pytest.mark.parametrize("w", [37, 38, 44])
def test_lightness_chroma_matches_reference_and_numpy_hypot(rng, w):
    lab = np.stack(
        [
            rng.uniform(0, 100, (23, w)),
            rng.uniform(-60, 80, (23, w)),
            rng.uniform(-60, 80, (23, w)),
        ],
        -1,
    ).astype(np.float32)
    lab[0, :3, 1:] = [[0.0, -0.0], [1e-30, 3e38], [-3e38, 3e38]]  # tiny, overflow
    light, chroma = C.lightness_chroma(lab, threads=1)
    assert light.dtype == chroma.dtype == np.float32 and chroma.shape == (23, w)
    rl, rc = ref.lightness_chroma(lab)
    np.testing.assert_array_equal(light, rl)
    np.testing.assert_array_equal(chroma, rc)
    # bit for bit what np.hypot gives on float32 (what the concerns used before)
    with np.errstate(over="ignore"):
        hyp = np.hypot(lab[..., 1], lab[..., 2], dtype=np.float32)
    np.testing.assert_array_equal(chroma.view(np.uint32), hyp.view(np.uint32))
    assert chroma[0, 2] == np.inf
    for t in (2, 7):
        got = C.lightness_chroma(lab, threads=t)
        np.testing.assert_array_equal(got[0], light)
        np.testing.assert_array_equal(got[1], chroma)
    crop = lab[3:20, 2:-3]  # rows strided
    np.testing.assert_array_equal(C.lightness_chroma(crop)[1], ref.lightness_chroma(crop)[1])
    for one in (lab[:1], lab[:, :1]):
        np.testing.assert_array_equal(C.lightness_chroma(one)[1], ref.lightness_chroma(one)[1])
    empty = C.lightness_chroma(np.zeros((0, 4, 3), np.float32))
    assert empty[0].shape == empty[1].shape == (0, 4)


def test_lightness_chroma_non_finite():
    lab = np.array(
        [[[1, np.inf, np.nan], [2, np.nan, -np.inf], [3, np.nan, 1.0], [np.nan, 3.0, 4.0]]],
        np.float32,
    )
    light, chroma = C.lightness_chroma(lab)
    assert chroma[0, 0] == np.inf and chroma[0, 1] == np.inf
    assert np.isnan(chroma[0, 2]) and chroma[0, 3] == 5.0 and np.isnan(light[0, 3])


def test_lightness_chroma_errors():
    lab = np.zeros((4, 6, 3), np.float32)
    for bad in (lab.astype(np.float64), lab[..., 0], np.zeros((4, 6, 2), np.float32), lab[:, ::2]):
        with pytest.raises(ValueError, match="lab"):
            C.lightness_chroma(bad)
    with pytest.raises(ValueError, match="threads"):
        C.lightness_chroma(lab, threads=-1)
    out = np.zeros((4, 6), np.float32)
    with pytest.raises(ValueError, match="chroma"):
        _core.color.lightness_chroma(lab, out, np.zeros((4, 5), np.float32), 1)
    with pytest.raises(ValueError, match="light"):
        _core.color.lightness_chroma(lab, np.zeros((4, 6), np.float64), out, 1)


# ---------------------------------------------------------------------------
# ita_map


def test_ita_map_matches_reference_and_limits(rng):
    lab = np.stack(
        [
            rng.uniform(0, 100, (33, 71)),
            rng.uniform(-20, 40, (33, 71)),
            rng.uniform(-40, 60, (33, 71)),
        ],
        -1,
    ).astype(np.float32)
    lab[0, :5, 2] = 0.0
    lab[0, 0, 0], lab[0, 1, 0], lab[0, 2, 0] = 70.0, 30.0, 50.0
    got = C.ita_map(lab, threads=1)
    assert got.dtype == np.float32 and got.shape == (33, 71)
    assert not np.isnan(got).any()
    np.testing.assert_allclose(got, ref.ita_map(lab), atol=1e-4, rtol=0)
    assert got[0, 0] == 90.0 and got[0, 1] == -90.0 and got[0, 2] == 0.0
    for t in (2, 7):
        assert np.array_equal(got, C.ita_map(lab, threads=t))
    crop = lab[3:30, 4:60]
    np.testing.assert_allclose(C.ita_map(crop), ref.ita_map(crop), atol=1e-4, rtol=0)
    one = lab[:1]
    np.testing.assert_allclose(C.ita_map(one), ref.ita_map(one), atol=1e-4, rtol=0)
    assert C.ita_map(np.zeros((0, 4, 3), np.float32)).shape == (0, 4)
    bad = lab[:1, :3].copy()
    bad[0, 0, 0], bad[0, 1, 2] = np.nan, np.inf
    res = C.ita_map(bad)
    assert np.isnan(res[0, 0]) and np.isnan(res[0, 1]) and np.isfinite(res[0, 2])


def test_ita_map_errors():
    lab = np.zeros((4, 6, 3), np.float32)
    with pytest.raises(ValueError, match="lab"):
        C.ita_map(lab.astype(np.float64))
    with pytest.raises(ValueError, match="lab"):
        C.ita_map(lab[..., 0])
    with pytest.raises(ValueError, match="lab"):
        C.ita_map(np.zeros((4, 6, 2), np.float32))
    with pytest.raises(ValueError, match="lab"):
        C.ita_map(lab[:, ::2])
    with pytest.raises(ValueError, match="out"):
        C.ita_map(lab, out=np.zeros((4, 6, 1), np.float32))
    ro = np.zeros((4, 6), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        C.ita_map(lab, out=ro)
    with pytest.raises(ValueError, match="out"):
        C.ita_map(lab, out=lab[..., 0])


# ---------------------------------------------------------------------------
# ITA / HA boundaries of the vendor tables


# 002/004 seeds: ITA classes 56 < very light, 43 < light <= 56, 36 < intermediate <= 43,
# 20 < tan <= 36, 10 < brown <= 20, dark <= 10; also the classic 55/41/28/10/-30 cuts.
ITA_BOUNDS = [56.0, 43.0, 36.0, 20.0, 10.0, 55.0, 41.0, 28.0, -30.0]
# HA classes: 49 < yellowish <= 90, 46 <= neutral < 49, 10 <= reddish < 46.
HA_BOUNDS = [49.0, 46.0, 10.0]


def uniform_lab(L, a, b, h=8, w=9):
    lab = np.empty((h, w, 3), np.float32)
    lab[...] = (L, a, b)
    return lab


@pytest.mark.parametrize("bound", ITA_BOUNDS)
@pytest.mark.parametrize("delta", [-0.01, 0.01])
def test_ita_boundary_sides(bound, delta):
    b = 15.0
    L = 50.0 + b * math.tan(math.radians(bound + delta))
    lab = uniform_lab(L, 8.0, b)
    st = C.lab_stats(lab, np.ones(lab.shape[:2], np.uint8), threads=2)
    assert st.n_used == lab.shape[0] * lab.shape[1]
    assert (st.ita > bound) == (delta > 0)
    assert st.ita == pytest.approx(bound + delta, abs=1e-3)
    m = C.ita_map(lab)
    assert np.all((m > bound) == (delta > 0))


@pytest.mark.parametrize("bound", HA_BOUNDS)
@pytest.mark.parametrize("delta", [-0.01, 0.01])
def test_ha_boundary_sides(bound, delta):
    a = 12.0
    b = a * math.tan(math.radians(bound + delta))
    st = C.lab_stats(uniform_lab(62.0, a, b), np.ones((8, 9), np.uint8))
    assert (st.ha > bound) == (delta > 0)
    assert st.ha == pytest.approx(bound + delta, abs=1e-3)


def test_angle_helpers_edge_cases():
    assert C.ita_degrees(70.0, 0.0) == 90.0 and C.ita_degrees(30.0, 0.0) == -90.0
    assert C.ita_degrees(50.0, 0.0) == 0.0
    assert C.ha_degrees(0.0, 5.0) == 90.0 and C.ha_degrees(0.0, -5.0) == -90.0
    assert C.ha_degrees(0.0, 0.0) == 0.0
    assert C.ha_degrees(10.0, 10.0) == pytest.approx(45.0)
    assert math.isnan(C.ita_degrees(math.nan, 1.0)) and math.isnan(C.ha_degrees(1.0, math.nan))


# ---------------------------------------------------------------------------
# lab_stats


@pytest.fixture(scope="module")
def face_lab(faces_dir):
    img = Image.open(faces_dir / "ccby_london_037.jpg").convert("RGB")
    rgb = np.asarray(img)[200:1100, 250:1100]
    return C.rgb_to_lab(np.ascontiguousarray(rgb))


def test_lab_stats_real_face_matches_reference(face_lab):
    mask = ellipse_mask(*face_lab.shape[:2], frac=0.7)
    st = C.lab_stats(face_lab, mask, threads=1)
    r = ref.lab_stats(face_lab, mask)
    assert_stats_match_ref(st, r)
    assert 0 < st.n_used < st.n_mask
    assert st.n_shadow + st.n_highlight > 0
    assert st.L_low <= st.L_median <= st.L_high
    base = stats_tuple(st)
    for t in (2, 7, 0):
        assert np.array_equal(
            base, stats_tuple(C.lab_stats(face_lab, mask, threads=t)), equal_nan=True
        )
    # bool mask == uint8 mask
    assert np.array_equal(
        base, stats_tuple(C.lab_stats(face_lab, mask.astype(bool))), equal_nan=True
    )


@pytest.mark.parametrize("k", [1.0, 2.5, 4.0, math.inf])
def test_lab_stats_k_matches_reference(face_lab, k):
    sub = face_lab[::3, ::3].copy()
    mask = ellipse_mask(*sub.shape[:2])
    st = C.lab_stats(sub, mask, k=k, threads=2)
    assert_stats_match_ref(st, ref.lab_stats(sub, mask, k=k))
    if math.isinf(k):
        assert st.n_used == st.n_mask and st.n_shadow == st.n_highlight == 0


@pytest.mark.parametrize("w", [64, 65, 71, 1])
@pytest.mark.parametrize("h", [1, 13])
def test_lab_stats_shapes_and_threads(rng, h, w):
    lab = C.rgb_to_lab(skin_rgb(rng, h, w, sigma=8.0))
    mask = (rng.random((h, w)) < 0.7).astype(np.uint8) * 3
    if not mask.any():
        mask[0, 0] = 1
    st = C.lab_stats(lab, mask, threads=1)
    assert_stats_match_ref(st, ref.lab_stats(lab, mask))
    for t in (2, 7):
        assert np.array_equal(
            stats_tuple(st), stats_tuple(C.lab_stats(lab, mask, threads=t)), equal_nan=True
        )


def test_lab_stats_many_blocks_threads_identical(rng):
    # tall enough for many row blocks and several histogram slots
    lab = C.rgb_to_lab(skin_rgb(rng, 700, 333, sigma=10.0))
    mask = ellipse_mask(700, 333)
    sts = [stats_tuple(C.lab_stats(lab, mask, threads=t)) for t in (1, 2, 3, 7)]
    for s in sts[1:]:
        assert np.array_equal(sts[0], s, equal_nan=True)
    assert_stats_match_ref(C.lab_stats(lab, mask), ref.lab_stats(lab, mask))


@pytest.mark.parametrize("w", [1, 7, 8, 9, 16, 17, 45])
def test_lab_stats_sparse_rows(rng, w):
    # Region masks are mostly zero: pixels at each row's ends, at and around the
    # 8-byte words the row scan skips, empty rows, and a strided mask.
    h = 12
    lab = C.rgb_to_lab(skin_rgb(rng, h, w + 5, sigma=4.0))[:, 2 : 2 + w]
    big = np.zeros((h, w + 3), np.uint8)
    mask = big[:, 1 : 1 + w]
    for y, xs in enumerate([[0], [w - 1], [7], [8], [], [0, w - 1], [15, 16], [], [9], [1, 2]]):
        for x in xs:
            if x < w:
                mask[y, x] = 200
    mask[-1, :] = 1
    st = C.lab_stats(lab, mask, threads=1)
    assert st.n_mask == np.count_nonzero(mask)
    assert_stats_match_ref(st, ref.lab_stats(lab, mask))
    assert np.array_equal(
        stats_tuple(C.lab_stats(lab, mask, threads=3)), stats_tuple(st), equal_nan=True
    )


def test_lab_stats_strided_crop(rng):
    lab = C.rgb_to_lab(skin_rgb(rng, 60, 80, sigma=6.0))
    mbig = ellipse_mask(60, 80)
    crop, mcrop = lab[5:40, 3:50], mbig[5:40, 3:50]
    assert not crop.flags.c_contiguous and not mcrop.flags.c_contiguous
    st = C.lab_stats(crop, mcrop, threads=3)
    assert_stats_match_ref(st, ref.lab_stats(crop, mcrop))
    assert np.array_equal(
        stats_tuple(st),
        stats_tuple(C.lab_stats(np.ascontiguousarray(crop), np.ascontiguousarray(mcrop))),
        equal_nan=True,
    )


def test_lab_stats_clamped_and_invalid_values(rng):
    lab = np.stack(
        [
            rng.uniform(-5, 105, (40, 50)),
            rng.uniform(-140, 140, (40, 50)),
            rng.uniform(-140, 140, (40, 50)),
        ],
        -1,
    ).astype(np.float32)
    lab[0, 0, 1] = np.nan
    lab[1, 1, 0] = np.inf
    lab[2, 2, 2] = -np.inf
    mask = np.ones((40, 50), np.uint8)
    st = C.lab_stats(lab, mask, k=1.0)
    assert st.n_invalid == 3
    assert st.n_mask == st.n_invalid + st.n_shadow + st.n_highlight + st.n_used
    assert_stats_match_ref(st, ref.lab_stats(lab, mask, k=1.0))
    assert np.isfinite(st.L_mean) and np.isfinite(st.b_std)


def test_lab_stats_exclusion_of_speculars_and_shadows(rng):
    h, w = 120, 150
    skin = skin_rgb(rng, h, w, sigma=3.0)
    mask = np.ones((h, w), np.uint8)
    clean = C.lab_stats(C.rgb_to_lab(skin), mask, k=math.inf)
    dirty = skin.copy()
    idx = rng.permutation(h * w)
    n5 = h * w // 20
    dirty.reshape(-1, 3)[idx[:n5]] = 255  # saturated specular highlights
    dirty.reshape(-1, 3)[idx[n5 : 2 * n5]] = (12, 9, 8)  # deep shadow
    lab = C.rgb_to_lab(dirty)
    robust = C.lab_stats(lab, mask)
    plain = C.lab_stats(lab, mask, k=math.inf)
    assert abs(robust.L_mean - clean.L_mean) < 0.2
    assert abs(robust.b_mean - clean.b_mean) < 0.2
    assert abs(robust.ita - clean.ita) < 0.5
    assert abs(plain.L_std - clean.L_std) > 5.0
    assert robust.n_highlight >= n5 and robust.n_shadow >= n5
    # the plain statistics are badly hit
    assert abs(plain.b_mean - clean.b_mean) > 1.0
    assert abs(plain.L_mean - clean.L_mean) > 1.5
    assert_stats_match_ref(robust, ref.lab_stats(lab, mask))


def test_lab_stats_constant_patch_and_mad_zero():
    lab = uniform_lab(65.0, 12.0, 18.0, 10, 10)
    st = C.lab_stats(lab, np.ones((10, 10), np.uint8))
    assert st.n_used == 100 and st.L_mad_all == 0.0
    assert st.L_mean == pytest.approx(65.0) and st.L_std == 0.0 and st.a_std == 0.0
    assert st.L_median == pytest.approx(65.005) and st.b_median == pytest.approx(18.005)
    # a second tone inside the 0.5 L* floor is kept, one outside it is excluded
    lab[0, :3, 0] = 65.3
    lab[1, :3, 0] = 66.0
    st = C.lab_stats(lab, np.ones((10, 10), np.uint8))
    assert st.n_used == 97 and st.n_highlight == 3


def test_lab_stats_empty_selections():
    lab = uniform_lab(60.0, 10.0, 15.0)
    for st in (
        C.lab_stats(lab, np.zeros((8, 9), np.uint8)),
        C.lab_stats(np.zeros((0, 5, 3), np.float32), np.zeros((0, 5), np.uint8)),
        C.lab_stats(np.full((3, 4, 3), np.nan, np.float32), np.ones((3, 4), np.uint8)),
    ):
        assert st.n_used == 0
        for f in (
            "L_mean",
            "a_mean",
            "b_mean",
            "L_median",
            "L_std",
            "ita",
            "ha",
            "ita_median",
            "ha_median",
        ):
            assert math.isnan(getattr(st, f)), f
    st = C.lab_stats(np.full((3, 4, 3), np.nan, np.float32), np.ones((3, 4), np.uint8))
    assert st.n_mask == 12 and st.n_invalid == 12


def test_lab_stats_is_frozen():
    st = C.lab_stats(uniform_lab(60.0, 10.0, 15.0), np.ones((8, 9), np.uint8))
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.L_mean = 1.0  # type: ignore[misc]


def test_lab_stats_errors():
    lab = np.zeros((4, 6, 3), np.float32)
    mask = np.ones((4, 6), np.uint8)
    with pytest.raises(ValueError, match="lab"):
        C.lab_stats(lab.astype(np.float64), mask)
    with pytest.raises(ValueError, match="lab"):
        C.lab_stats(lab[..., 0], mask)
    with pytest.raises(ValueError, match="lab"):
        C.lab_stats(np.zeros((4, 6, 4), np.float32), mask)
    with pytest.raises(ValueError, match="lab"):
        C.lab_stats(np.zeros((4, 12, 3), np.float32)[:, ::2], mask)
    with pytest.raises(ValueError, match="mask"):
        C.lab_stats(lab, mask.astype(np.float32))
    with pytest.raises(ValueError, match="mask"):
        C.lab_stats(lab, mask[..., None])
    with pytest.raises(ValueError, match="mask"):
        C.lab_stats(lab, np.ones((4, 5), np.uint8))
    with pytest.raises(ValueError, match="mask"):
        C.lab_stats(lab, np.ones((4, 12), np.uint8)[:, ::2])
    with pytest.raises(ValueError, match="mask"):
        C.lab_stats(lab, [[1] * 6] * 4)
    for k in (0.0, -1.0, math.nan):
        with pytest.raises(ValueError, match="k"):
            C.lab_stats(lab, mask, k=k)
    with pytest.raises(ValueError, match="threads"):
        C.lab_stats(lab, mask, threads=-2)
    with pytest.raises(ValueError, match="mask"):
        _core.color.lab_stats(lab, np.ones((3, 6), np.uint8), 2.5, 1)
    with pytest.raises(ValueError, match="k"):
        _core.color.lab_stats(lab, mask, math.nan, 1)


@pytest.fixture
def scalar_path():
    _core._set_simd(False)
    yield
    _core._set_simd(True)


def test_rgb_to_lab_scalar_path_matches_reference(scalar_path):
    assert not _core.color.rgb_to_lab_uses_avx2()
    px = dense_colour_sample()
    got = C.rgb_to_lab(px[None], threads=1)[0].astype(np.float64)
    assert np.all(np.abs(got - ref.rgb_to_lab(px)).max(axis=0) <= 5e-4)


def test_rgb_to_lab_simd_and_scalar_paths_agree(rng):
    # The AVX2+FMA instance (when the CPU has it) does the same arithmetic; FMA
    # contraction may change the last bits only. Each path is bit-identical for
    # every thread count.
    rgb = rng.integers(0, 256, (67, 131, 3), dtype=np.uint8)
    fast = [C.rgb_to_lab(rgb, threads=t) for t in (1, 2, 7)]
    _core._set_simd(False)
    try:
        slow = [C.rgb_to_lab(rgb, threads=t) for t in (1, 2, 7)]
    finally:
        _core._set_simd(True)
    assert all(np.array_equal(fast[0], f) for f in fast[1:])
    assert all(np.array_equal(slow[0], s) for s in slow[1:])
    np.testing.assert_allclose(fast[0], slow[0], atol=2e-4, rtol=0)
