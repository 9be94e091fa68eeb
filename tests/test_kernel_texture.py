"""skincore.texture's kernels against their NumPy references (tests/reference/texture.py)."""

from __future__ import annotations

import numpy as np
import pytest

from reference import geometry as ref_geometry
from reference import texture as ref
from skincore import _core, geometry
from skincore.texture import (
    excess_levels,
    excess_over,
    texture_energy,
    upsample_on,
    window_factor,
)

KW = dict(
    erode_sigma=2.0,
    fine_sigma=1.2,
    coarse_sigma=4.8,
    window_sigma=6.0,
    band_clip=0.03,
    edge_isotropy=0.5,
)


def kernel_blur(img: np.ndarray, s: float) -> np.ndarray:
    return geometry.gaussian_blur(np.ascontiguousarray(img, np.float32), s, threads=1)


def skin(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    gray = (0.7 + 0.02 * rng.standard_normal((h, w))).astype(np.float32)
    gray[:, : w // 3] -= 0.1  # a shading edge
    yy, xx = np.mgrid[:h, :w]
    face = ((yy - h / 2) / (0.45 * h + 1)) ** 2 + ((xx - w / 2) / (0.45 * w + 1)) ** 2 < 1
    return gray, face.astype(np.uint8) * 255


def assert_bit_identical(gray, face, threads=0, **kw):
    params = {**KW, **kw}
    got = texture_energy(gray, face, threads=threads, **params)
    want = ref.texture_energy(gray, face, blur=kernel_blur, **params)
    assert got.dtype == np.float32 and got.shape == gray.shape
    np.testing.assert_array_equal(got, want)
    return got


@pytest.mark.parametrize("w", [64, 65, 71])
def test_matches_reference_bit_for_bit_odd_widths(w):
    gray, face = skin(np.random.default_rng(w), 57, w)
    e = assert_bit_identical(gray, face)
    assert np.any(e > 0)


@pytest.mark.parametrize(
    "kw",
    [dict(erode_sigma=0.0), dict(edge_isotropy=0.0), dict(band_clip=0.005), dict(min_weight=0.2)],
)
def test_matches_reference_bit_for_bit_options(kw):
    gray, face = skin(np.random.default_rng(3), 48, 53)
    assert_bit_identical(gray, face, **kw)


def test_matches_pure_numpy_blur_to_rounding():
    gray, face = skin(np.random.default_rng(5), 45, 50)
    got = texture_energy(gray, face, **KW)
    want = ref.texture_energy(gray, face, blur=ref_geometry.gaussian_blur, **KW)
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-5)


@pytest.mark.parametrize("shape", [(1, 40), (40, 1), (2, 2)])
def test_thin_inputs(shape):
    rng = np.random.default_rng(7)
    gray = (0.5 + 0.05 * rng.standard_normal(shape)).astype(np.float32)
    face = np.full(shape, 255, np.uint8)
    assert_bit_identical(gray, face, erode_sigma=0.0)


def test_empty_and_masked_out():
    e = texture_energy(np.zeros((0, 5), np.float32), np.zeros((0, 5), np.uint8), **KW)
    assert e.shape == (0, 5)
    gray, face = skin(np.random.default_rng(8), 30, 30)
    assert not np.any(texture_energy(gray, np.zeros_like(face), **KW))
    # Erosion that leaves nothing: all zero as well.
    tiny = np.zeros_like(face)
    tiny[15, 15] = 1
    assert not np.any(texture_energy(gray, tiny, **KW))


def test_known_answers():
    rng = np.random.default_rng(9)
    face = np.full((60, 60), 255, np.uint8)
    flat = np.full((60, 60), 0.6, np.float32)
    assert np.max(texture_energy(flat, face, **KW)) < 1e-6  # no texture: no energy
    noise = (0.6 + 0.01 * rng.standard_normal((60, 60))).astype(np.float32)
    e = texture_energy(noise, face, **KW)
    inner = e[15:45, 15:45]
    # Isotropic noise: energy about the band-passed noise's RMS, far above a flat patch.
    assert 0.001 < float(np.median(inner)) < 0.01
    # A straight shading edge (one-directional band) is damped by the isotropy term.
    edge = np.where(np.arange(60) < 30, 0.5, 0.6).astype(np.float32)[None, :].repeat(60, 0)
    on = texture_energy(edge, face, **KW)[20:40, 28:32].max()
    off = texture_energy(edge, face, **{**KW, "edge_isotropy": 0.0})[20:40, 28:32].max()
    assert on < 0.2 * off


def test_strided_input_and_bool_mask():
    gray, face = skin(np.random.default_rng(10), 50, 70)
    big = np.zeros((60, 90), np.float32)
    big[5:55, 10:80] = gray
    view = big[5:55, 10:80]
    assert not view.flags.c_contiguous
    np.testing.assert_array_equal(
        texture_energy(view, face > 0, **KW), texture_energy(gray, face, **KW)
    )


def test_threads_bit_identical():
    gray, face = skin(np.random.default_rng(11), 97, 83)
    a = texture_energy(gray, face, threads=1, **KW)
    for t in (2, 7):
        np.testing.assert_array_equal(texture_energy(gray, face, threads=t, **KW), a)


@pytest.mark.parametrize(
    "args, match",
    [
        (dict(gray=np.zeros((4, 4), np.float64)), "gray"),
        (dict(face=np.zeros((4, 5), np.uint8)), "face"),
        (dict(face=np.zeros((4, 4), np.int32)), "face"),
        (dict(fine_sigma=0.0), "fine_sigma"),
        (dict(window_sigma=float("nan")), "window_sigma"),
        (dict(erode_sigma=-1.0), "erode_sigma"),
        (dict(band_clip=-0.1), "band_clip"),
        (dict(threads=-1), "threads"),
    ],
)
def test_bad_arguments(args, match):
    kw = dict(gray=np.zeros((4, 4), np.float32), face=np.ones((4, 4), np.uint8), **KW)
    kw.update(args)
    with pytest.raises(ValueError, match=match):
        texture_energy(**kw)


def test_columns_must_be_packed():
    gray = np.zeros((8, 16), np.float32)[:, ::2]
    with pytest.raises(ValueError, match="gray"):
        texture_energy(gray, np.ones((8, 8), np.uint8), **KW)


def test_repeated_calls_of_other_sizes_are_independent():
    # The kernel keeps its scratch grids between calls of a thread: stale values
    # of an earlier, larger (or differently masked) call must never show.
    rng = np.random.default_rng(12)
    big = skin(rng, 90, 97)
    small = skin(rng, 41, 38)
    want_small = ref.texture_energy(*small, blur=kernel_blur, **KW)
    want_big = ref.texture_energy(*big, blur=kernel_blur, **KW)
    for _ in range(2):
        np.testing.assert_array_equal(texture_energy(*big, **KW), want_big)
        np.testing.assert_array_equal(texture_energy(*small, **KW), want_small)
        np.testing.assert_array_equal(
            texture_energy(small[0], np.full_like(small[1], 255), **KW),
            ref.texture_energy(small[0], np.full_like(small[1], 255), blur=kernel_blur, **KW),
        )


# ------------------------------------------------------- window="decimated"


def wide_window(min_weight: float = 1e-3):
    def window(values: np.ndarray, m: np.ndarray, s: float) -> np.ndarray:
        return geometry.wide_gaussian_blur(values, s, weight=m, min_weight=min_weight, threads=1)

    return window


@pytest.mark.parametrize(("h", "w", "ws"), [(57, 64, 8.0), (61, 71, 10.0), (90, 97, 13.0)])
def test_decimated_matches_wide_gaussian_blur_composition(h, w, ws):
    # Bit for bit: the kernel's coarse path is wide_gaussian_blur's steps in order.
    gray, face = skin(np.random.default_rng(h + w), h, w)
    params = {**KW, "window_sigma": ws}
    got = texture_energy(gray, face, window="decimated", threads=2, **params)
    want = ref.texture_energy(gray, face, blur=kernel_blur, window=wide_window(), **params)
    np.testing.assert_array_equal(got, want)
    assert np.any(got > 0)


@pytest.mark.parametrize("simd", [True, False])
@pytest.mark.parametrize("iso", [0.5, 0.0])
@pytest.mark.parametrize(("h", "w"), [(96, 130), (97, 131)])
def test_decimated_simd_and_isotropy_match_the_composition(simd, iso, h, w):
    # The coarse path makes the window products a row at a time, area-reduces them
    # as it goes and resamples the windows straight into the energy (AVX2 blocks
    # and the scalar loop): still the composition's values, bit for bit.
    gray, face = skin(np.random.default_rng(h * w), h, w)
    params = {**KW, "window_sigma": 10.0, "edge_isotropy": iso}
    _core._set_simd(simd)
    try:
        got = texture_energy(gray, face, window="decimated", threads=2, **params)
        src, mask = coarse_and_mask(np.random.default_rng(w), h, w)
        up = upsample_on(src, mask)
    finally:
        _core._set_simd(True)
    want = ref.texture_energy(gray, face, blur=kernel_blur, window=wide_window(), **params)
    np.testing.assert_array_equal(got, want)
    assert np.any(got > 0)
    np.testing.assert_array_equal(up, ref.upsample_on(src, mask, bilinear))


def test_decimated_close_to_exact():
    # Isotropic noise over an elliptic mask, window sigma 10 px (roughness' window
    # at its working scale): the decimated energy stays within 2 % of the exact
    # one's level inside the mask.
    gray, face = skin(np.random.default_rng(21), 160, 140)
    params = {**KW, "window_sigma": 10.0}
    exact = texture_energy(gray, face, **params)
    dec = texture_energy(gray, face, window="decimated", **params)
    inside = exact > 0
    assert np.array_equal(dec > 0, inside)  # the same support (the eroded mask)
    scale = float(np.median(exact[inside]))
    assert float(np.max(np.abs(dec - exact)[inside])) < 0.05 * scale
    assert abs(float(np.median(dec[inside])) / scale - 1.0) < 0.02


def test_decimated_small_sigma_is_exact():
    # Below DECIMATE_MIN_SIGMA (and where the factor would be 1) nothing changes.
    gray, face = skin(np.random.default_rng(22), 50, 60)
    np.testing.assert_array_equal(
        texture_energy(gray, face, window="decimated", **KW), texture_energy(gray, face, **KW)
    )
    assert window_factor("decimated", 5.9) == 1
    assert window_factor("decimated", 10.0) == 2
    assert window_factor("exact", 40.0) == 1


def test_decimated_threads_bit_identical_and_thin():
    gray, face = skin(np.random.default_rng(23), 97, 83)
    params = {**KW, "window_sigma": 12.0}
    a = texture_energy(gray, face, threads=1, window="decimated", **params)
    for t in (2, 7):
        np.testing.assert_array_equal(
            texture_energy(gray, face, threads=t, window="decimated", **params), a
        )
    # Thinner than the factor: the factor is capped, the result stays finite.
    thin = texture_energy(gray[:3], np.full((3, 83), 255, np.uint8), window="decimated", **params)
    assert np.all(np.isfinite(thin))


def test_bad_window():
    gray, face = skin(np.random.default_rng(24), 20, 20)
    with pytest.raises(ValueError, match="window"):
        texture_energy(gray, face, window="coarse", **KW)


# ------------------------------------------------- upsample_on, excess_over


def bilinear(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return geometry.resize(img, size, method="bilinear", threads=1)


def coarse_and_mask(rng: np.random.Generator, h: int, w: int, f: float = 1.5):
    src = rng.random((max(1, round(h / f)), max(1, round(w / f))), dtype=np.float32) * 0.03
    yy, xx = np.mgrid[:h, :w]
    mask = ((yy - h / 2) / (0.45 * h + 1)) ** 2 + ((xx - w / 2) / (0.4 * w + 1)) ** 2 < 1
    mask &= rng.random((h, w)) > 0.05  # holes: pixels inside the spans left out
    return src, mask.astype(np.uint8) * 255


@pytest.mark.parametrize("w", [64, 65, 71])
def test_upsample_on_matches_resize_and_mask_bit_for_bit(w):
    src, mask = coarse_and_mask(np.random.default_rng(w), 57, w)
    got = upsample_on(src, mask)
    want = ref.upsample_on(src, mask, bilinear)
    assert got.dtype == np.float32 and got.shape == mask.shape
    np.testing.assert_array_equal(got, want)
    assert np.any(got > 0) and np.all(got[mask == 0] == 0)


def test_upsample_on_close_to_pure_numpy_resize():
    src, mask = coarse_and_mask(np.random.default_rng(5), 40, 47)
    want = ref.upsample_on(
        src, mask, lambda img, size: ref_geometry.resize(img, size, method="bilinear")
    )
    np.testing.assert_allclose(upsample_on(src, mask), want, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(1, 33), (29, 1), (1, 1), (3, 2)])
def test_upsample_on_thin_and_same_size(shape):
    rng = np.random.default_rng(6)
    src = rng.random(shape, dtype=np.float32)
    for mshape in (shape, (shape[0] * 2 + 1, shape[1] * 3)):
        mask = (rng.random(mshape) > 0.3).astype(np.uint8)
        np.testing.assert_array_equal(upsample_on(src, mask), ref.upsample_on(src, mask, bilinear))


def test_upsample_on_strided_bool_empty_and_threads():
    src, mask = coarse_and_mask(np.random.default_rng(7), 83, 97)
    big = np.zeros((src.shape[0] + 4, src.shape[1] + 9), np.float32)
    big[2:-2, 3:-6] = src
    view = big[2:-2, 3:-6]
    assert not view.flags.c_contiguous
    a = upsample_on(src, mask, threads=1)
    np.testing.assert_array_equal(upsample_on(view, mask > 0), a)
    for t in (2, 7):
        np.testing.assert_array_equal(upsample_on(src, mask, threads=t), a)
    assert not upsample_on(src, np.zeros_like(mask)).any()
    assert upsample_on(src, np.zeros((0, 5), np.uint8)).shape == (0, 5)


@pytest.mark.parametrize(
    "args, match",
    [
        (dict(src=np.zeros((4, 4), np.float64)), "src"),
        (dict(src=np.zeros((0, 4), np.float32)), "src"),
        (dict(mask=np.zeros((4, 4), np.int32)), "mask"),
        (dict(mask=np.zeros(4, np.uint8)), "mask"),
        (dict(threads=-1), "threads"),
    ],
)
def test_upsample_on_bad_arguments(args, match):
    kw = dict(src=np.zeros((3, 3), np.float32), mask=np.ones((4, 4), np.uint8))
    kw.update(args)
    with pytest.raises(ValueError, match=match):
        upsample_on(**kw)


def energy_and_skin(rng: np.random.Generator, h: int, w: int):
    energy = (rng.random((h, w), dtype=np.float32) * 0.03).astype(np.float32)
    energy[0, :3] = np.float32(0.012)  # at the threshold: not above it
    skin = rng.random((h, w)) > 0.3
    return energy, skin


def assert_excess_equal(got, want):
    assert got.over.dtype == np.uint8
    np.testing.assert_array_equal(got.over, want[0])
    assert (got.n_skin, got.n_over) == want[1:3]
    assert got.excess == want[3]  # bit for bit: NumPy's pairwise sum


@pytest.mark.parametrize("shape", [(57, 64), (57, 65), (57, 71), (1, 300), (300, 1), (513, 517)])
def test_excess_over_matches_numpy_bit_for_bit(shape):
    energy, skin = energy_and_skin(np.random.default_rng(shape[1]), *shape)
    for sk in (skin, skin.astype(np.uint8) * 255):
        assert_excess_equal(excess_over(energy, sk, 0.012), ref.excess_over(energy, sk, 0.012))


def test_excess_over_known_answers():
    t = 0.01
    energy = np.array([[0.0, 0.01, 0.015, 0.02, 0.05]], np.float32)
    skin = np.array([[1, 1, 1, 1, 0]], np.uint8)
    got = excess_over(energy, skin, t)
    assert (got.n_skin, got.n_over) == (4, 2)
    np.testing.assert_array_equal(got.over, [[0, 0, 255, 255, 0]])
    assert got.excess == pytest.approx((0 + 0 + 0.5 + 1.0) / 4, rel=1e-6)
    none = excess_over(energy, np.zeros_like(skin), t)
    assert (none.n_skin, none.n_over, none.excess) == (0, 0, 0.0) and not none.over.any()
    empty = excess_over(np.zeros((0, 3), np.float32), np.zeros((0, 3), bool), t)
    assert empty.over.shape == (0, 3) and empty.n_skin == 0


def test_excess_over_strided_and_threads():
    energy, skin = energy_and_skin(np.random.default_rng(8), 301, 257)
    big = np.zeros((305, 270), np.float32)
    big[2:-2, 5:-8] = energy
    view = big[2:-2, 5:-8]
    assert not view.flags.c_contiguous
    a = excess_over(energy, skin, 0.012, threads=1)
    for t in (2, 7):
        b = excess_over(energy, skin, 0.012, threads=t)
        np.testing.assert_array_equal(b.over, a.over)
        assert (b.n_skin, b.n_over, b.excess) == (a.n_skin, a.n_over, a.excess)
    c = excess_over(view, skin, 0.012)
    np.testing.assert_array_equal(c.over, a.over)
    assert c.excess == a.excess


@pytest.mark.parametrize(
    "args, match",
    [
        (dict(energy=np.zeros((4, 4), np.float64)), "energy"),
        (dict(skin=np.zeros((4, 5), np.uint8)), "skin"),
        (dict(skin=np.zeros((4, 4), np.float32)), "skin"),
        (dict(threshold=0.0), "threshold"),
        (dict(threshold=float("nan")), "threshold"),
        (dict(threshold="a"), "threshold"),
        (dict(threads=-1), "threads"),
    ],
)
def test_excess_over_bad_arguments(args, match):
    kw = dict(energy=np.zeros((4, 4), np.float32), skin=np.ones((4, 4), np.uint8), threshold=0.01)
    kw.update(args)
    with pytest.raises(ValueError, match=match):
        excess_over(**kw)


# ---------------------------------------------------------------- excess_levels


def veto_mask(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    v = rng.random((h, w)) > 0.8
    v[: h // 3, : w // 3] = True  # a solid block: a whole area left out
    return v


@pytest.mark.parametrize("shape", [(57, 64), (57, 65), (57, 71), (1, 300), (300, 1), (513, 517)])
def test_excess_levels_matches_numpy_bit_for_bit(shape):
    rng = np.random.default_rng(shape[0] * shape[1])
    energy, keep = energy_and_skin(rng, *shape)
    vetoes = [None, veto_mask(rng, max(1, shape[0] // 3), max(1, shape[1] // 3))]
    vetoes.append(veto_mask(rng, shape[0] + 5, max(1, shape[1] // 2)))  # finer rows
    for kp in (keep, keep.astype(np.uint8) * 255):
        for v in vetoes:
            level, n = excess_levels(energy, kp, 0.012, veto=v)
            want, n_want = ref.excess_levels(energy, kp, 0.012, v)
            assert level.dtype == np.uint8
            np.testing.assert_array_equal(level, want)
            assert n == n_want == np.count_nonzero(want)
    assert 0 < n < keep.sum()  # the veto left pixels out, not all


def test_excess_levels_known_answers():
    t = 0.01
    energy = np.array([[0.0, 0.01, 0.015, 0.02, 0.05, 0.0125]], np.float32)
    keep = np.array([[1, 1, 1, 1, 0, 1]], np.uint8)
    level, n = excess_levels(energy, keep, t)
    # 1 + 254 * clip((e - t) / t): 1, 1, 128, 255, (not kept), and 65 for 0.0125 (its
    # float32 excess is 0.25000006: 64.50002 rounds up, as in NumPy)
    np.testing.assert_array_equal(level, [[1, 1, 128, 255, 0, 65]])
    assert n == 5
    # a 1 x 2 veto: its left cell covers the first three pixels
    level, n = excess_levels(energy, keep, t, veto=np.array([[True, False]]))
    np.testing.assert_array_equal(level, [[0, 0, 0, 255, 0, 65]])
    assert n == 2
    empty, n = excess_levels(np.zeros((0, 3), np.float32), np.zeros((0, 3), bool), t)
    assert empty.shape == (0, 3) and n == 0


def test_excess_levels_strided_and_threads():
    rng = np.random.default_rng(9)
    energy, keep = energy_and_skin(rng, 301, 257)
    veto = veto_mask(rng, 100, 90)
    big = np.zeros((305, 270), np.float32)
    big[2:-2, 5:-8] = energy
    view = big[2:-2, 5:-8]
    assert not view.flags.c_contiguous
    a, na = excess_levels(energy, keep, 0.012, veto=veto, threads=1)
    for t in (2, 7):
        b, nb = excess_levels(energy, keep, 0.012, veto=veto, threads=t)
        np.testing.assert_array_equal(b, a)
        assert nb == na
    c, nc = excess_levels(view, keep, 0.012, veto=veto[::1, ::1][:, :])
    np.testing.assert_array_equal(c, a)
    bigv = np.zeros((110, 100), bool)
    bigv[3:103, 4:94] = veto
    d, _ = excess_levels(energy, keep, 0.012, veto=bigv[3:103, 4:94])  # strided veto
    np.testing.assert_array_equal(d, a)


@pytest.mark.parametrize(
    "args, match",
    [
        (dict(energy=np.zeros((4, 4), np.float64)), "energy"),
        (dict(keep=np.zeros((4, 5), np.uint8)), "keep"),
        (dict(keep=np.zeros((4, 4), np.float32)), "keep"),
        (dict(veto=np.zeros((0, 3), bool)), "veto"),
        (dict(veto=np.zeros((3, 3), np.int32)), "veto"),
        (dict(threshold=0.0), "threshold"),
        (dict(threshold=float("nan")), "threshold"),
        (dict(threads=-1), "threads"),
    ],
)
def test_excess_levels_bad_arguments(args, match):
    kw = dict(energy=np.zeros((4, 4), np.float32), keep=np.ones((4, 4), np.uint8), threshold=0.01)
    kw.update(args)
    with pytest.raises(ValueError, match=match):
        excess_levels(**kw)
