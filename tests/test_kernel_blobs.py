from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage as ndi

from reference import blobs as ref
from skincore import blobs

S = blobs.scale_sigmas(1.5, 6.0, 1.6)


def canon(a: np.ndarray) -> np.ndarray:
    o = np.lexsort((np.round(a[:, 0], 2), np.round(a[:, 1], 2)))
    return a[o]


def assert_matches_reference(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == np.float32 and got.ndim == 2 and got.shape[1] == 4
    assert got.shape == want.shape
    if len(got):
        g, w = canon(got), canon(want)
        assert np.abs(g[:, :2] - w[:, :2]).max() < 1e-3
        assert np.abs(g[:, 2] - w[:, 2]).max() < 1e-3
        assert np.abs(g[:, 3] - w[:, 3]).max() < 1e-5
        # Sorted by response descending.
        assert np.all(np.diff(got[:, 3]) <= 0)


def texture(rng, h, w, sigma=1.5):
    img = ndi.gaussian_filter(rng.random((h, w)).astype(np.float32), sigma)
    return ((img - img.min()) / (img.max() - img.min())).astype(np.float32)


def plant(bg, rng, contrast, spacing=48, smin=1.5, smax=6.0, sign=-1.0):
    h, w = bg.shape
    yy, xx = np.mgrid[0:h, 0:w]
    img = bg.astype(np.float64).copy()
    pts = []
    for cy in range(spacing // 2, h - spacing // 2 + 1, spacing):
        for cx in range(spacing // 2, w - spacing // 2 + 1, spacing):
            x, y = cx + rng.uniform(-4, 4), cy + rng.uniform(-4, 4)
            s = rng.uniform(smin, smax)
            img += sign * contrast * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * s * s))
            pts.append((x, y, s))
    return img.astype(np.float32), np.array(pts)


def score(d, pts, native=None):
    used, loc, rad = set(), [], []
    for x, y, s in pts:
        if len(d) == 0:
            continue
        dist = np.hypot(d[:, 0] - x, d[:, 1] - y)
        j = int(np.argmin(dist))
        if dist[j] < max(2.0, s) and j not in used:
            used.add(j)
            loc.append(dist[j])
            rad.append(abs(d[j, 2] / (np.sqrt(2) * s) - 1))
    fp = 0
    for j in range(len(d)):
        if j in used:
            continue
        if native is not None and len(native):
            if np.min(np.hypot(native[:, 0] - d[j, 0], native[:, 1] - d[j, 1])) < 2:
                continue
        fp += 1
    tp = len(used)
    return tp / len(pts), tp / max(1, tp + fp), np.array(loc), np.array(rad)


@pytest.fixture(scope="module")
def skin(sample_path) -> np.ndarray:
    im = np.asarray(Image.open(sample_path).convert("RGB"))
    return im[250:410, 430:750, 1].astype(np.float32) / 255.0  # forehead, green channel


# ---------------------------------------------------------------- reference


@pytest.mark.parametrize("polarity", ["dark", "bright"])
@pytest.mark.parametrize("w", [97, 98, 104])
def test_matches_reference_random_texture(rng, polarity, w):
    img = texture(rng, 83, w)
    got = blobs.detect(img, sigmas=S, polarity=polarity, threshold=0.02, threads=2)
    want = ref.detect(img, sigmas=S, polarity=polarity, threshold=0.02)
    assert len(got) > 20
    assert_matches_reference(got, want)


def test_matches_reference_planted_with_mask_and_overlap(rng):
    img, _ = plant(texture(rng, 120, 150) * 0.05 + 0.5, rng, 0.1)
    mask = np.zeros(img.shape, np.uint8)
    mask[10:100, 20:140] = 7
    for overlap in (0.0, 0.3, 1.0):
        got = blobs.detect(img, mask, S, "dark", 0.01, overlap=overlap, threads=3)
        want = ref.detect(img, mask, S, "dark", 0.01, overlap=overlap)
        assert_matches_reference(got, want)


def test_matches_reference_two_scales_and_default_sigmas(rng):
    img = texture(rng, 64, 71)
    for sig in ([1.0, 2.0], blobs.DEFAULT_SIGMAS):
        got = blobs.detect(img, sigmas=sig, threshold=0.01)
        assert_matches_reference(got, ref.detect(img, sigmas=sig, threshold=0.01))


def test_dog_response_matches_reference(rng):
    img = texture(rng, 50, 61)
    for pol in ("dark", "bright"):
        got = blobs.dog_response(img, 1.2, 2.0, pol, threads=2)
        want = ref.dog_layer(img, 1.2, 2.0, pol)
        np.testing.assert_allclose(got, want, atol=2e-6)


def test_strided_crop_equals_copy(rng):
    big = texture(rng, 140, 160)
    crop = big[10:110, 20:137]
    assert not crop.flags.c_contiguous
    a = blobs.detect(crop, sigmas=S, threshold=0.02)
    b = blobs.detect(np.ascontiguousarray(crop), sigmas=S, threshold=0.02)
    np.testing.assert_array_equal(a, b)
    mbig = np.ones(big.shape, np.uint8)
    c = blobs.detect(crop, mbig[10:110, 20:137], sigmas=S, threshold=0.02)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("shape", [(1, 50), (50, 1), (0, 10), (10, 0), (0, 0), (2, 2)])
def test_degenerate_shapes(rng, shape):
    img = rng.random(shape).astype(np.float32)
    got = blobs.detect(img, sigmas=S, threshold=0.0)
    want = ref.detect(img, sigmas=S, threshold=0.0)
    assert_matches_reference(got, want)


def test_threads_bit_identical(rng):
    img = texture(rng, 131, 157)
    outs = [blobs.detect(img, sigmas=S, threshold=0.01, threads=t) for t in (1, 2, 7, 0)]
    for o in outs[1:]:
        np.testing.assert_array_equal(outs[0], o)
    d = [blobs.dog_response(img, 1.0, 1.6, threads=t) for t in (1, 2, 7)]
    np.testing.assert_array_equal(d[0], d[1])
    np.testing.assert_array_equal(d[0], d[2])


# ---------------------------------------------------------------- known answers


def test_single_gaussian_dip_known_answer():
    h = w = 64
    yy, xx = np.mgrid[0:h, 0:w]
    for s in (1.5, 2.5, 4.0, 5.5):
        img = (0.6 - 0.2 * np.exp(-((xx - 32.3) ** 2 + (yy - 31.8) ** 2) / (2 * s * s))).astype(
            np.float32
        )
        d = blobs.detect(img, sigmas=S, threshold=0.01)
        assert len(d) == 1
        x, y, r, resp = d[0]
        assert abs(x - 32.3) < 0.1 and abs(y - 31.8) < 0.1
        assert abs(r / (np.sqrt(2) * s) - 1) < 0.1
        # Peak response ~ 2c / (2 + q + 1/q) with q = 1.6 (c = 0.2): 0.0946.
        assert 0.085 < resp < 0.1


def test_flat_image_has_no_detections():
    img = np.full((80, 90), 0.5, np.float32)
    assert blobs.detect(img, sigmas=S, threshold=0.0).shape == (0, 4)
    # A linear ramp has a zero Laplacian inside (its mirrored borders are kinks).
    ramp = np.add.outer(np.linspace(0, 0.5, 80), np.linspace(0, 0.3, 90)).astype(np.float32)
    inner = np.zeros(ramp.shape, np.uint8)
    inner[30:50, 30:60] = 1
    assert len(blobs.detect(ramp, inner, sigmas=S, threshold=1e-4)) == 0


def test_polarity(rng):
    bg = np.full((144, 192), 0.5, np.float32)
    dark, pts = plant(bg, rng, 0.1, sign=-1.0)
    bright, _ = plant(bg, np.random.default_rng(1), 0.1, sign=+1.0)
    assert len(blobs.detect(bright, sigmas=S, polarity="dark", threshold=0.01)) == 0
    # The surround of a dark dip is a weak bright ring: far below the dip's response.
    assert len(blobs.detect(dark, sigmas=S, polarity="bright", threshold=0.02)) == 0
    assert len(blobs.detect(dark, sigmas=S, polarity="dark", threshold=0.01)) == len(pts)
    inv = (1.0 - dark).astype(np.float32)
    a = blobs.detect(dark, sigmas=S, polarity="dark", threshold=0.01)
    b = blobs.detect(inv, sigmas=S, polarity="bright", threshold=0.01)
    np.testing.assert_allclose(canon(a), canon(b), atol=1e-3)


@pytest.mark.parametrize("contrast", [0.05, 0.1, 0.2])
def test_planted_on_flat_noisy_background(contrast):
    rng = np.random.default_rng(int(contrast * 1000))
    bg = (0.6 + rng.normal(0, 0.005, (192, 336))).astype(np.float32)
    rec, prec, loc, rad = [], [], [], []
    for _ in range(3):
        img, pts = plant(bg, rng, contrast)
        d = blobs.detect(img, sigmas=S, threshold=0.012)
        r, p, lo, ra = score(d, pts)
        rec.append(r)
        prec.append(p)
        loc.extend(lo)
        rad.extend(ra)
    assert min(rec) >= 0.95 and min(prec) >= 0.95
    assert max(loc) < 1.0
    assert max(rad) < 0.25


@pytest.mark.parametrize("contrast", [0.05, 0.1, 0.2])
def test_planted_on_real_skin(skin, contrast):
    rng = np.random.default_rng(int(contrast * 1000) + 1)
    native = blobs.detect(skin, sigmas=S, threshold=0.015)
    rec, prec, loc, rad = [], [], [], []
    for _ in range(3):
        img, pts = plant(skin, rng, contrast)
        d = blobs.detect(img, sigmas=S, threshold=0.015)
        # Precision counts only detections that the unplanted skin did not already have.
        r, p, lo, ra = score(d, pts, native)
        rec.append(r)
        prec.append(p)
        loc.extend(lo)
        rad.extend(ra)
    assert np.mean(rec) >= 0.95 and np.mean(prec) >= 0.95
    assert np.median(loc) < 1.0 and np.percentile(loc, 80) < 1.5
    assert np.median(rad) < 0.25


def test_mask_excludes(rng):
    bg = np.full((144, 192), 0.5, np.float32)
    img, pts = plant(bg, rng, 0.1)
    mask = np.zeros(img.shape, np.uint8)
    mask[:, :96] = 1
    d = blobs.detect(img, mask, sigmas=S, threshold=0.01)
    assert len(d) == int(np.sum(pts[:, 0] < 95.5))
    assert np.all(d[:, 0] < 96)
    assert len(blobs.detect(img, np.zeros_like(mask), sigmas=S, threshold=0.01)) == 0


def test_counts_scale_with_planted():
    bg = np.full((240, 480), 0.55, np.float32)
    counts = []
    for spacing in (96, 64, 48):
        img, pts = plant(bg, np.random.default_rng(spacing), 0.1, spacing=spacing)
        counts.append((len(pts), len(blobs.detect(img, sigmas=S, threshold=0.01))))
    for n, got in counts:
        assert got == n
    assert counts[0][0] < counts[1][0] < counts[2][0]


def test_overlap_pruning():
    yy, xx = np.mgrid[0:64, 0:96]
    img = np.full((64, 96), 0.5)
    for x, c in ((30, 0.2), (40, 0.15)):
        img -= c * np.exp(-((xx - x) ** 2 + (yy - 31.7) ** 2) / (2 * 4.0**2))
    img = img.astype(np.float32)
    many = blobs.detect(img, sigmas=S, threshold=0.005, overlap=1.0)
    few = blobs.detect(img, sigmas=S, threshold=0.005, overlap=0.0)
    assert len(many) == 2 and len(few) == 1
    assert blobs.detect(img, sigmas=S, threshold=0.005, overlap=0.5).shape == (1, 4)
    np.testing.assert_array_equal(few[0], many[0])  # the stronger one is kept
    assert many[1, 3] <= many[0, 3]
    assert ref.detect(img, sigmas=S, threshold=0.005, overlap=0.0).shape == (1, 4)


def test_scale_sigmas():
    s = blobs.scale_sigmas(1.0, 8.0, 1.6)
    np.testing.assert_allclose(blobs.detection_sigmas(s)[0], 1.0)
    assert blobs.detection_sigmas(s)[-1] >= 8.0
    np.testing.assert_allclose(s[1:] / s[:-1], 1.6)
    assert len(blobs.scale_sigmas(2.0, 2.0)) == 3


# ---------------------------------------------------------------- errors


def test_errors(rng):
    img = rng.random((20, 20)).astype(np.float32)
    cases = [
        (dict(gray=img.astype(np.float64)), "gray"),
        (dict(gray=img[None]), "gray"),
        (dict(gray=img[:, ::2]), "gray"),
        (dict(gray=img, mask=np.ones((20, 21), np.uint8)), "mask"),
        (dict(gray=img, mask=np.ones((20, 20), np.int32)), "mask"),
        (dict(gray=img, mask=[[1]]), "mask"),
        (dict(gray=img, sigmas=[1.0]), "sigmas"),
        (dict(gray=img, sigmas=list(np.arange(1, 35.0))), "sigmas"),
        (dict(gray=img, sigmas=[2.0, 1.0]), "sigmas"),
        (dict(gray=img, sigmas=[1.0, 1.0]), "sigmas"),
        (dict(gray=img, sigmas=[0.0, 1.0]), "sigmas"),
        (dict(gray=img, sigmas=[1.0, np.nan]), "sigmas"),
        (dict(gray=img, sigmas=[1.0, 1e9]), "sigmas"),
        # under the radius cap with a tiny truncate, but its square overflows
        (dict(gray=img, sigmas=[1.0, 1e200], truncate=1e-300), "sigmas"),
        (dict(gray=img, sigmas=[[1.0, 2.0]]), "sigmas"),
        (dict(gray=img, sigmas="ab"), "sigmas"),
        (dict(gray=img, polarity="both"), "polarity"),
        (dict(gray=img, threshold=-1.0), "threshold"),
        (dict(gray=img, threshold=float("nan")), "threshold"),
        (dict(gray=img, overlap=1.5), "overlap"),
        (dict(gray=img, overlap=-0.1), "overlap"),
        (dict(gray=img, truncate=0.0), "truncate"),
        (dict(gray=img, threads=-1), "threads"),
        (dict(gray=img, threads=1.5), "threads"),
    ]
    for kwargs, name in cases:
        with pytest.raises(ValueError, match=name):
            blobs.detect(**kwargs)
    with pytest.raises(ValueError, match="sigmas"):
        blobs.dog_response(img, 2.0, 1.0)
    with pytest.raises(ValueError, match="out"):
        blobs.dog_response(img, 1.0, 2.0, out=np.empty((3, 3), np.float32))
    with pytest.raises(ValueError, match="polarity"):
        blobs.dog_response(img, 1.0, 2.0, "grey")
    for args, name in [
        ((0.0, 1.0, 1.6), "min_sigma"),
        ((2.0, 1.0, 1.6), "max_sigma"),
        ((1.0, 2.0, 1.0), "ratio"),
        ((1.0, 1000.0, 1.01), "ratio"),
    ]:
        with pytest.raises(ValueError, match=name):
            blobs.scale_sigmas(*args)
    ro = np.empty((20, 20), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        blobs.dog_response(img, 1.0, 2.0, out=ro)


# ---------------------------------------------------------------- non-finite input


@pytest.mark.parametrize("bad", [-np.inf, np.inf, np.nan])
@pytest.mark.parametrize("polarity", ["dark", "bright"])
def test_detect_refuses_non_finite_gray(bad, polarity):
    # used to segfault (NaN responses broke the candidate sort)
    g = np.full((64, 64), 0.5, np.float32)
    g[10, 10] = 0
    g[30, 30] = bad
    with pytest.raises(ValueError, match="^gray: contains NaN or inf"):
        blobs.detect(g, polarity=polarity)
    g[30, 30] = 0.5
    found = blobs.detect(g, polarity=polarity, threshold=0.01)
    near = np.hypot(found[:, 0] - 10, found[:, 1] - 10) < 1.0
    assert near.any() == (polarity == "dark")  # finite again: the dip is found


def test_dog_response_propagates_non_finite():
    g = np.full((40, 40), 0.5, np.float32)
    g[20, 20] = np.nan
    d = blobs.dog_response(g, 1.0, 2.0)
    assert np.isnan(d[20, 20]) and np.isfinite(d[0, 0])


# ------------------------------------------------ scale space kept, then searched


@pytest.mark.parametrize("w", [61, 62, 68])
def test_scale_space_matches_reference(rng, w):
    img = texture(rng, 57, w)
    blurs, layers = blobs.scale_space(img, S, threads=2)
    want_b, want_l = ref.scale_space(img, S)
    assert blurs.shape == (len(S), 57, w) and layers.shape == (len(S) - 1, 57, w)
    assert blurs.dtype == np.float32 and layers.dtype == np.float32
    np.testing.assert_allclose(blurs, want_b, atol=2e-6)
    np.testing.assert_allclose(layers, want_l, atol=2e-5)


@pytest.mark.parametrize("polarity", ["dark", "bright"])
@pytest.mark.parametrize("w", [83, 84, 90])
def test_detect_layers_equals_detect(rng, polarity, w):
    img, _ = plant(texture(rng, 97, w) * 0.05 + 0.5, rng, 0.1, spacing=30)
    mask = np.zeros(img.shape, np.uint8)
    mask[5:90, 3 : w - 4] = 1
    _, layers = blobs.scale_space(img, S)
    for m in (None, mask):
        want = blobs.detect(img, m, S, polarity, 0.005)
        got = blobs.detect_layers(layers, m, S, polarity, 0.005, threads=2)
        assert len(want) > 10
        np.testing.assert_array_equal(got, want)
    # a leading subset of the layers is the scale space of the leading sigmas
    sub = list(S[:3])
    np.testing.assert_array_equal(
        blobs.detect_layers(layers[:2], mask, sub, polarity, 0.005),
        blobs.detect(img, mask, sub, polarity, 0.005),
    )


def test_detect_layers_threads_strided_and_degenerate(rng):
    img = texture(rng, 131, 157)
    _, layers = blobs.scale_space(img, S)
    outs = [blobs.detect_layers(layers, None, S, "dark", 0.01, threads=t) for t in (1, 2, 7)]
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])
    big = texture(rng, 140, 160)
    _, lb = blobs.scale_space(big, S)
    crop = [lay[10:110, 20:137] for lay in lb]
    np.testing.assert_array_equal(
        blobs.detect_layers(crop, None, S, "bright", 0.01),
        blobs.detect_layers([np.ascontiguousarray(c) for c in crop], None, S, "bright", 0.01),
    )
    b1, l1 = blobs.scale_space(big[10:110, 20:137], S, threads=1)
    b2, l2 = blobs.scale_space(np.ascontiguousarray(big[10:110, 20:137]), S, threads=3)
    np.testing.assert_array_equal(b1, b2)
    np.testing.assert_array_equal(l1, l2)
    for shape in [(1, 50), (50, 1), (2, 2)]:
        one = rng.random(shape).astype(np.float32)
        _, lo = blobs.scale_space(one, S)
        np.testing.assert_array_equal(
            blobs.detect_layers(lo, None, S, "dark", 0.0), blobs.detect(one, None, S, "dark", 0.0)
        )
    empty = np.zeros((0, 7), np.float32)
    bl, ly = blobs.scale_space(empty, S)
    assert bl.shape == (len(S), 0, 7) and ly.shape == (len(S) - 1, 0, 7)
    assert blobs.detect_layers(ly, None, S).shape == (0, 4)


def test_scale_space_and_detect_layers_errors(rng):
    img = texture(rng, 30, 30)
    _, layers = blobs.scale_space(img, S)
    with pytest.raises(ValueError, match="^layers: expected"):
        blobs.detect_layers(layers[:-1], None, S)
    with pytest.raises(ValueError, match="^layers: layers differ"):
        blobs.detect_layers([layers[0], layers[1][:-1]] + list(layers[2:]), None, S)
    with pytest.raises(ValueError, match="^layers: contain NaN"):
        bad = layers.copy()
        bad[1, 3, 3] = np.nan
        blobs.detect_layers(bad, None, S)
    with pytest.raises(ValueError, match="^layers: expected dtype float32"):
        blobs.detect_layers(layers.astype(np.float64), None, S)
    # With a mask the samples the search reads (within 1 px of it) must be finite,
    # in every layer; samples farther away are never read.
    mask = np.zeros((30, 30), np.uint8)
    mask[10:20, 10:20] = 1
    want = blobs.detect_layers(layers, mask, S)
    for k in range(len(layers)):
        for y, x, raises in ((20, 15, True), (9, 9, True), (21, 15, False), (15, 25, False)):
            bad = layers.copy()
            bad[k, y, x] = np.inf
            if raises:
                with pytest.raises(ValueError, match="^layers: contain NaN"):
                    blobs.detect_layers(bad, mask, S)
            else:
                np.testing.assert_array_equal(blobs.detect_layers(bad, mask, S), want)
    with pytest.raises(ValueError, match="^mask: shape differs"):
        blobs.detect_layers(layers, np.ones((29, 30), np.uint8), S)
    with pytest.raises(ValueError, match="^polarity"):
        blobs.detect_layers(layers, None, S, "grey")
    with pytest.raises(ValueError, match="^sigmas"):
        blobs.scale_space(img, [2.0, 1.0])
    with pytest.raises(ValueError, match="^gray"):
        blobs.scale_space(img.astype(np.float64), S)
    with pytest.raises(ValueError, match="^truncate"):
        blobs.scale_space(img, S, truncate=0.0)


# ------------------------------------- scale space restricted to a support mask


def _masks(rng, h, w) -> list[np.ndarray]:
    """Supports of every kind: blobs, scattered pixels, border runs, empty, full."""
    blobby = (ndi.gaussian_filter(rng.random((h, w)), 4.0) > 0.5).astype(np.uint8) * 255
    sparse = (rng.random((h, w)) > 0.97).astype(np.uint8)
    border = np.zeros((h, w), np.uint8)
    border[0, :] = border[:, 0] = border[-1, -3:] = border[h // 2, w - 1] = 1
    return [blobby, sparse, border, np.zeros((h, w), np.uint8), np.full((h, w), 9, np.uint8)]


@pytest.mark.parametrize("w", [61, 62, 68])
def test_scale_space_support_is_exact_near_it(rng, w):
    img = texture(rng, 57, w)
    blurs, layers = blobs.scale_space(img, S, threads=1)
    for mask in _masks(rng, 57, w):
        for margin in (0, 1, 3):
            near = ndi.binary_dilation(mask > 0, np.ones((2 * margin + 1,) * 2, bool))
            outs = [
                blobs.scale_space(img, S, support=mask, margin=margin, threads=t) for t in (1, 2, 7)
            ]
            for b, lay in outs:
                np.testing.assert_array_equal(b, outs[0][0])
                np.testing.assert_array_equal(lay, outs[0][1])
            b, lay = outs[0]
            np.testing.assert_array_equal(lay[:, near], layers[:, near])
            np.testing.assert_array_equal(b[:, near], blurs[:, near])
            assert not lay[:, ~near].any()  # layers: 0 where not computed
            for k in range(len(S)):  # blurs: exact or 0
                ok = (b[k] == blurs[k]) | (b[k] == 0)
                assert ok.all()


def test_scale_space_checked_finite_flag_and_unchecked_search(rng):
    img = texture(rng, 57, 62)
    mask = _masks(rng, 57, 62)[0]
    for support, margin in ((None, 0), (mask, 3)):
        for t in (1, 2):
            b, lay, finite = blobs.scale_space_checked(
                img, S, support=support, margin=margin, threads=t
            )
            assert finite is True
            want_b, want_l = blobs.scale_space(img, S, support=support, margin=margin)
            np.testing.assert_array_equal(b, want_b)
            np.testing.assert_array_equal(lay, want_l)
            for pol in ("dark", "bright"):
                np.testing.assert_array_equal(
                    blobs.detect_layers(lay, mask, S, pol, 0.005, finite=True, threads=t),
                    blobs.detect_layers(lay, mask, S, pol, 0.005, threads=t),
                )
    # a non-finite sample where the layers are computed is reported (and the
    # search, left to test, refuses the layers); one far from the support is not read
    ys, xs = np.nonzero(mask)
    for value in (np.nan, np.inf):
        bad = img.copy()
        bad[ys[0], xs[0]] = value
        for support in (None, mask):
            _, lay, finite = blobs.scale_space_checked(bad, S, support=support, margin=3)
            assert finite is False
            with pytest.raises(ValueError, match="^layers: contain NaN"):
                blobs.detect_layers(lay, mask, S, finite=finite)
    bad = texture(rng, 200, 200)
    bad[190, 190] = np.nan
    small = np.zeros(bad.shape, np.uint8)
    small[5:8, 5:8] = 1
    assert blobs.scale_space_checked(bad, S, support=small, margin=3)[2] is True
    assert blobs.scale_space_checked(bad, S)[2] is False
    empty = np.zeros((0, 7), np.float32)
    assert blobs.scale_space_checked(empty, S)[2] is True


@pytest.mark.parametrize("shape", [(1, 40), (40, 1), (5, 40), (40, 5), (3, 3)])
def test_scale_space_support_on_images_shorter_than_the_kernels(rng, shape):
    img = rng.random(shape).astype(np.float32)
    blurs, layers = blobs.scale_space(img, S)
    mask = np.zeros(shape, np.uint8)
    mask[shape[0] // 2, shape[1] // 2] = 1
    b, lay = blobs.scale_space(img, S, support=mask, margin=1)
    near = ndi.binary_dilation(mask > 0, np.ones((3, 3), bool))
    np.testing.assert_array_equal(lay[:, near], layers[:, near])
    np.testing.assert_array_equal(b[:, near], blurs[:, near])


def test_scale_space_support_strided_and_errors(rng):
    big = texture(rng, 90, 100)
    mask = _masks(rng, 90, 100)[0]
    crop, mcrop = big[5:80, 7:93], mask[5:80, 7:93]
    got = blobs.scale_space(crop, S, support=mcrop, margin=2)
    want = blobs.scale_space(
        np.ascontiguousarray(crop), S, support=np.ascontiguousarray(mcrop), margin=2
    )
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    bo = np.full((len(S), 90, 100), np.nan, np.float32)
    lo = np.full((len(S) - 1, 90, 100), np.nan, np.float32)
    got = blobs.scale_space(big, S, support=mask, margin=2, out=(bo, lo))
    assert got[0] is bo and got[1] is lo
    want = blobs.scale_space(big, S, support=mask, margin=2)
    np.testing.assert_array_equal(bo, want[0])  # every sample written (0 off the support)
    np.testing.assert_array_equal(lo, want[1])
    with pytest.raises(ValueError, match="^out"):
        blobs.scale_space(big, S, out=(bo[:-1], lo))
    with pytest.raises(ValueError, match="^margin"):
        blobs.scale_space(big, S, support=mask, margin=-1)
    with pytest.raises(ValueError, match="^support"):
        blobs.scale_space(big, S, support=mask[:-1])
    with pytest.raises(ValueError, match="^support"):
        blobs.scale_space(big, S, support=mask.astype(bool))


@pytest.mark.parametrize("polarity", ["dark", "bright"])
@pytest.mark.parametrize("w", [83, 84, 90])
def test_masked_search_on_irregular_masks(rng, polarity, w):
    # detect (its scale space restricted to the mask) and detect_layers (the full
    # scale space, the search restricted to the mask's runs) against the reference
    img, _ = plant(texture(rng, 97, w) * 0.05 + 0.5, rng, 0.1, spacing=30)
    _, layers = blobs.scale_space(img, S)
    for i, mask in enumerate(_masks(rng, 97, w)):
        got = blobs.detect(img, mask, S, polarity, 0.005, threads=2)
        if i in (0, 4) and polarity == "dark":  # (the reference: within float32 noise)
            assert_matches_reference(got, ref.detect(img, mask, S, polarity, 0.005))
        np.testing.assert_array_equal(got, blobs.detect_layers(layers, mask, S, polarity, 0.005))
    mask = _masks(rng, 97, w)[0]
    _, near = blobs.scale_space(img, S, support=mask, margin=1)
    np.testing.assert_array_equal(
        blobs.detect_layers(near, mask, S, polarity, 0.005),
        blobs.detect_layers(layers, mask, S, polarity, 0.005),
    )


def test_detect_layers_checks_finite_where_the_masked_search_reads(rng):
    img, _ = plant(texture(rng, 60, 70) * 0.05 + 0.5, rng, 0.1, spacing=30)
    _, layers = blobs.scale_space(img, S)
    mask = np.zeros(img.shape, np.uint8)
    mask[20:40, 25:45] = 1
    want = blobs.detect_layers(layers, mask, S, "dark", 0.005)
    far = layers.copy()
    far[1, 5, 5] = np.nan  # more than one pixel from the mask: never read
    np.testing.assert_array_equal(blobs.detect_layers(far, mask, S, "dark", 0.005), want)
    near = layers.copy()
    near[1, 19, 30] = np.inf  # a neighbour of a mask pixel
    with pytest.raises(ValueError, match="^layers: contain NaN"):
        blobs.detect_layers(near, mask, S, "dark", 0.005)
    with pytest.raises(ValueError, match="^layers: contain NaN"):
        blobs.detect_layers(far, None, S, "dark", 0.005)
