from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from reference import maps as ref
from skincore import maps


@pytest.fixture(scope="module")
def face(sample_path) -> np.ndarray:
    return np.asarray(Image.open(sample_path).convert("RGB"))


def close(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype == np.uint8
    d = np.abs(a.astype(int) - b.astype(int))
    assert d.max() <= 1
    assert np.mean(d) < 0.01


@pytest.mark.parametrize("ratio", [1.0, 0.5, 0.37, 1.7])
def test_matches_reference_on_real_face(face, ratio):
    box = (300.4, 200.0, 513.0, 611.3)
    got, info = maps.enhanced_bw(face, box, ratio=ratio, threads=2)
    want = ref.enhanced_bw(face, info.left, info.top, info.width, info.height, info.ratio)
    close(got, want)
    assert got.std() > 10  # it really enhances


@pytest.mark.parametrize("w", [61, 62, 68])
@pytest.mark.parametrize("kind", ["rgb", "grey8", "f32"])
def test_matches_reference_odd_widths_and_dtypes(rng, w, kind):
    h = 47
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    img = {"rgb": rgb, "grey8": rgb[..., 1].copy(), "f32": rng.random((h, w)).astype(np.float32)}[
        kind
    ]
    got, info = maps.enhanced_bw(img, (3.5, 2.25, w - 6, h - 5), ratio=0.8, sigma=4.0)
    close(got, ref.enhanced_bw(img, 3.5, 2.25, w - 6, h - 5, 0.8, sigma=4.0))


def test_strided_input_equals_copy(face):
    crop = face[100:700, 150:800]
    assert not crop.flags.c_contiguous
    a, ia = maps.enhanced_bw(crop, (10, 20, 400, 500), ratio=0.6)
    b, ib = maps.enhanced_bw(np.ascontiguousarray(crop), (10, 20, 400, 500), ratio=0.6)
    np.testing.assert_array_equal(a, b)
    assert ia == ib


def test_threads_bit_identical(face):
    outs = [
        maps.enhanced_bw(face, (200, 150, 700, 900), ratio=0.7, threads=t)[0] for t in (1, 2, 7)
    ]
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])


@pytest.mark.parametrize("shape", [(1, 40), (40, 1), (1, 1)])
def test_thin_images(rng, shape):
    img = rng.random(shape).astype(np.float32)
    got, info = maps.enhanced_bw(img, (0, 0, shape[1], shape[0]), ratio=1.0, sigma=2.0)
    assert got.shape == shape
    close(got, ref.enhanced_bw(img, 0, 0, shape[1], shape[0], 1.0, sigma=2.0))


def test_mapping_round_trip_and_formula():
    info = maps.EnhancedBWInfo(left=12.5, top=7.0, width=100.0, height=80.0, ratio=0.4)
    pts = np.array([[12.5, 7.0], [50.0, 60.25], [0.0, 0.0]])
    e = maps.to_enhanced(pts, info)
    np.testing.assert_allclose(e, [[0, 0], [(50 - 12.5) * 0.4, (60.25 - 7) * 0.4], [-5, -2.8]])
    np.testing.assert_allclose(maps.from_enhanced(e, info), pts, atol=1e-12)
    assert maps.to_enhanced([3.0, 4.0], info).shape == (2,)
    assert info.as_dict() == {
        "left": 12.5,
        "top": 7.0,
        "width": 100.0,
        "height": 80.0,
        "ratio": 0.4,
    }


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.0, 0.731])
def test_planted_dark_dot_is_darkest_at_mapped_place(ratio):
    h, w = 300, 400
    yy, xx = np.mgrid[0:h, 0:w]
    x, y = 237.3, 141.8
    img = (0.6 - 0.1 * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 3.0**2))).astype(np.float32)
    box = (101.0, 53.0, 250.0, 200.0)
    out, info = maps.enhanced_bw(img, box, ratio=ratio)
    xe, ye = maps.to_enhanced([x, y], info)
    iy, ix = np.unravel_index(np.argmin(out), out.shape)
    assert out[iy, ix] < 64  # clearly dark on the 128 mid-grey
    assert np.hypot(ix - xe, iy - ye) <= 1.0
    # and from the enhanced image back to the original
    xo, yo = maps.from_enhanced([ix, iy], info)
    assert np.hypot(xo - x, yo - y) <= 1.0 / ratio + 1e-9


def test_flat_input_gives_mid_grey():
    for img in (np.full((60, 70, 3), 173, np.uint8), np.full((60, 70), 0.3, np.float32)):
        out, _ = maps.enhanced_bw(img, (5, 5, 50, 40), ratio=1.3)
        assert np.all(out == 128)


def test_box_clipping_and_out_size(face):
    out, info = maps.enhanced_bw(face, (-10, -20, 110, 220), out_size=100)
    assert (info.left, info.top, info.width, info.height) == (0.0, 0.0, 100.0, 200.0)
    assert info.ratio == pytest.approx(0.5)
    assert out.shape == (100, 50)
    h, w = face.shape[:2]
    out, info = maps.enhanced_bw(face, (w - 50, h - 40, 500, 500))
    assert out.shape == (40, 50) and info.ratio == 1.0


def test_errors(face):
    g = face[..., 0].copy()
    ok = (10, 10, 50, 50)
    cases = [
        (dict(image=face.astype(np.float64), box=ok), "image"),
        (dict(image=face[..., :2], box=ok), "image"),
        (dict(image=face[:, ::2], box=ok), "image"),
        (dict(image=[[1, 2]], box=ok), "image"),
        (dict(image=g.astype(np.int16), box=ok), "image"),
        (dict(image=g, box=(1, 2, 3)), "box"),
        (dict(image=g, box=(1, 2, 0, 3)), "box"),
        (dict(image=g, box=(1, 2, 3, float("nan"))), "box"),
        (dict(image=g, box=(1e6, 2, 3, 3)), "box"),
        (dict(image=g, box="abcd"), "box"),
        (dict(image=g, box=ok, ratio=0.0), "ratio"),
        (dict(image=g, box=ok, ratio=100.0), "ratio"),
        (dict(image=g, box=ok, ratio=float("inf")), "ratio"),
        (dict(image=g, box=ok, ratio=1.0, out_size=10), "ratio"),
        (dict(image=g, box=ok, out_size=0), "out_size"),
        (dict(image=g, box=ok, out_size=2.5), "out_size"),
        (dict(image=g, box=ok, sigma=0.0), "sigma"),
        (dict(image=g, box=ok, sigma=float("nan")), "sigma"),
        (dict(image=g, box=ok, gain=-1.0), "gain"),
        (dict(image=g, box=ok, eps=0.0), "eps"),
        (dict(image=g, box=ok, threads=-2), "threads"),
    ]
    for kwargs, name in cases:
        with pytest.raises(ValueError, match=name):
            maps.enhanced_bw(**kwargs)
    with pytest.raises(ValueError, match="points"):
        maps.to_enhanced(np.zeros((3, 3)), maps.EnhancedBWInfo(0, 0, 1, 1, 1))


def test_enhanced_bw_non_finite_grey_is_defined():
    g = np.full((60, 60), 0.5, np.float32)
    g[30, 30] = np.nan
    img, _ = maps.enhanced_bw(g, (0, 0, 60, 60))
    assert img[30, 30] == 128 and img[0, 0] == 128
