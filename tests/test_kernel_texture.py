"""skincore.texture.texture_energy against its NumPy reference (tests/reference/texture.py)."""

from __future__ import annotations

import numpy as np
import pytest

from reference import geometry as ref_geometry
from reference import texture as ref
from skincore import geometry
from skincore.texture import texture_energy, window_factor

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
