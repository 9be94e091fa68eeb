from __future__ import annotations

import numpy as np
import pytest

from reference import lesions as ref
from skincore import _core, contours
from skincore import lesions as K

SIGMAS = [1.0, 1.8, 3.2]


def scene(rng, h, w):
    """Noisy background with a few bright blobs and an elliptic mask."""
    img = rng.normal(0, 0.3, (h, w)).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(max(1, h * w // 400)):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(1, 4)
        img += (3.0 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))).astype(np.float32)
    mask = (yy - h / 2) ** 2 / (0.5 * h) ** 2 + (xx - w / 2) ** 2 / (0.5 * w) ** 2 <= 1.0
    return img, mask.astype(np.uint8)


def table(f: K.RegionFeatures) -> np.ndarray:
    cols = [
        f.area,
        f.centroid[:, 0],
        f.centroid[:, 1],
        *f.bbox.T,
        f.perimeter,
        f.r_max,
        f.n_ring,
        f.n_core,
        f.n_border,
    ]
    for ch in f.channels:
        cols += [ch.inside, ch.core, ch.ring, ch.max, ch.min, ch.border_gradient]
    return np.stack(cols, 1)


def check_contrast(img, mask, threads=0):
    c, s = K.local_contrast(img, mask, SIGMAS, threads=threads)
    rc, rs = ref.local_contrast(img, mask, SIGMAS)
    np.testing.assert_allclose(c, rc, rtol=0, atol=1e-5)
    close = np.abs(c - rc) < 1e-6  # the argmax is defined up to rounding ties
    assert np.array_equal(s[close & (rc > 1e-3)], rs[close & (rc > 1e-3)])
    return c, s


@pytest.mark.parametrize("w", [48, 49, 55])
def test_local_contrast_matches_reference(w):
    img, mask = scene(np.random.default_rng(w), 41, w)
    check_contrast(img, mask)


@pytest.mark.parametrize("shape", [(1, 40), (40, 1)])
def test_local_contrast_thin(shape):
    img = np.random.default_rng(0).normal(0, 1, shape).astype(np.float32)
    check_contrast(img, np.ones(shape, np.uint8))


def test_local_contrast_empty_and_strided():
    c, s = K.local_contrast(np.zeros((0, 4), np.float32), np.zeros((0, 4), np.uint8), [1.0])
    assert c.shape == (0, 4) and s.shape == (0, 4)
    img, mask = scene(np.random.default_rng(5), 60, 70)
    sub, msub = img[5:50, 3:61], mask[5:50, 3:61]
    assert not sub.flags.c_contiguous
    c1, s1 = check_contrast(sub, msub)
    c2, s2 = K.local_contrast(np.ascontiguousarray(sub), np.ascontiguousarray(msub), SIGMAS)
    assert np.array_equal(c1, c2) and np.array_equal(s1, s2)


def test_local_contrast_threads_identical():
    img, mask = scene(np.random.default_rng(6), 157, 131)
    outs = [K.local_contrast(img, mask, SIGMAS, threads=t) for t in (1, 2, 7)]
    for c, s in outs[1:]:
        assert np.array_equal(c, outs[0][0]) and np.array_equal(s, outs[0][1])


def test_local_contrast_known_answer_and_mask_edge():
    # A flat plateau gives no contrast anywhere, even at the mask edge (the
    # normalised convolution ignores pixels outside the mask).
    img = np.full((40, 40), 7.0, np.float32)
    mask = np.zeros((40, 40), np.uint8)
    mask[5:30, 8:35] = 1
    img[mask == 0] = -100.0
    c, _ = K.local_contrast(img, mask, SIGMAS)
    assert np.abs(c).max() < 1e-4
    # A bright disc: peak contrast at its centre, at a scale matching its size.
    yy, xx = np.mgrid[0:61, 0:61]
    disc = ((yy - 30) ** 2 + (xx - 30) ** 2 <= 9).astype(np.float32)
    c, s = K.local_contrast(disc, np.ones((61, 61), np.uint8), [0.5, 2.0, 8.0])
    assert np.unravel_index(np.argmax(c), c.shape) == (30, 30)
    assert s[30, 30] == 1


def labelled_scene(seed, h, w):
    img, mask = scene(np.random.default_rng(seed), h, w)
    c, _ = K.local_contrast(img, mask, SIGMAS)
    labels, _ = contours.label((c > 0.8).astype(np.uint8))
    values = np.dstack([img, 2 * img + 1, -img]).astype(np.float32)
    return labels, values, mask


@pytest.mark.parametrize("w", [64, 65, 71])
def test_region_features_match_reference(w):
    labels, values, mask = labelled_scene(w, 57, w)
    n = int(labels.max())
    assert n >= 3
    got = table(K.region_features(labels, values, mask))
    want = ref.region_features(labels, values, mask, n)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, equal_nan=True)


def test_region_features_thin_empty_strided_absent():
    lab = np.array([[0, 1, 1, 0, 2, 0, 2]], np.int32)
    vals = np.arange(21, dtype=np.float32).reshape(1, 7, 3)
    m = np.ones((1, 7), np.uint8)
    got = table(K.region_features(lab, vals, m))
    np.testing.assert_allclose(got, ref.region_features(lab, vals, m, 2), equal_nan=True)
    got = table(K.region_features(lab.T.copy(), vals.transpose(1, 0, 2).copy(), m.T.copy()))
    want = ref.region_features(lab.T, vals.transpose(1, 0, 2), m.T, 2)
    np.testing.assert_allclose(got, want, equal_nan=True)
    f = K.region_features(
        np.zeros((0, 3), np.int32), np.zeros((0, 3, 2), np.float32), np.zeros((0, 3), np.uint8)
    )
    assert len(f) == 0 and len(f.channels) == 2
    # Absent label 2 of 3: area 0, NaN elsewhere.
    lab3 = np.array([[1, 0, 3]], np.int32)
    f = K.region_features(lab3, vals[:, :3], m[:, :3], n_labels=3)
    assert f.area.tolist() == [1.0, 0.0, 1.0] and np.isnan(f.centroid[1]).all()
    labels, values, mask = labelled_scene(9, 70, 80)
    big_l = np.zeros((90, 100), np.int32)
    big_v = np.zeros((90, 100, 3), np.float32)
    big_m = np.zeros((90, 100), np.uint8)
    big_l[10:80, 5:85], big_v[10:80, 5:85], big_m[10:80, 5:85] = labels, values, mask
    f1 = table(K.region_features(big_l[10:80, 5:85], big_v[10:80, 5:85], big_m[10:80, 5:85]))
    f2 = table(K.region_features(labels, values, mask))
    np.testing.assert_array_equal(f1, f2)


@pytest.mark.parametrize("w", [64, 65, 71])
def test_region_features_planes_equal_the_interleaved_form(w):
    # Channels as separate planes, read in place whatever their strides (one
    # channel of an interleaved image, a row-strided crop, a transposed copy's
    # view): the same table bit for bit, for any thread count, 1xN and Nx1 too.
    labels, values, mask = labelled_scene(w + 1, 57, w)
    want = table(K.region_features(labels, values, mask))
    mixed = [values[..., 0], np.ascontiguousarray(values[..., 1]), values[..., 2]]
    for t in (1, 2, 7):
        np.testing.assert_array_equal(
            table(K.region_features(labels, mixed, mask, threads=t)), want
        )
    big = np.zeros((labels.shape[0] + 4, labels.shape[1] + 9), np.float32)
    big[2:-2, 4:-5] = values[..., 1]
    cropped = [values[..., 0], big[2:-2, 4:-5], values[..., 2]]
    np.testing.assert_array_equal(table(K.region_features(labels, cropped, mask)), want)
    tr = np.ascontiguousarray(values[..., 2].T).T  # pixel step of a whole column
    np.testing.assert_array_equal(
        table(K.region_features(labels, [values[..., 0], values[..., 1], tr], mask)), want
    )
    for sl in (np.s_[:1, :], np.s_[:, :1]):
        one = table(K.region_features(labels[sl], values[sl], mask[sl]))
        planes = [values[sl][..., q] for q in range(3)]
        np.testing.assert_array_equal(table(K.region_features(labels[sl], planes, mask[sl])), one)
    empty = K.region_features(
        np.zeros((0, 3), np.int32), [np.zeros((0, 3), np.float32)] * 2, mask[:0, :3]
    )
    assert len(empty) == 0 and len(empty.channels) == 2


def test_region_features_threads_identical_and_known_disc():
    labels, values, mask = labelled_scene(11, 200, 180)
    outs = [table(K.region_features(labels, values, mask, threads=t)) for t in (1, 2, 7)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    yy, xx = np.mgrid[0:81, 0:81]
    disc = ((yy - 40) ** 2 + (xx - 40) ** 2 <= 20**2).astype(np.int32)
    v = np.where(disc > 0, 10.0, 2.0).astype(np.float32)[..., None]
    f = K.region_features(disc, v, np.ones((81, 81), np.uint8))
    assert f.centroid[0] == pytest.approx([40, 40])
    assert f.perimeter[0] == pytest.approx(2 * np.pi * 20, rel=0.05)
    assert f.circularity[0] > 0.9
    ch = f.channels[0]
    assert ch.inside[0] == 10 and ch.ring[0] == 2 and ch.core[0] == 10
    assert ch.border_gradient[0] > 0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: K.local_contrast(np.zeros((4, 4)), np.ones((4, 4), np.uint8), [1]), "src"),
        (
            lambda: K.local_contrast(np.zeros((4, 4), np.float32), np.ones((4, 5), np.uint8), [1]),
            "mask",
        ),
        (
            lambda: K.local_contrast(np.zeros((4, 4), np.float32), np.ones((4, 4), np.uint8), []),
            "sigmas",
        ),
        (
            lambda: K.local_contrast(np.zeros((4, 4), np.float32), np.ones((4, 4), np.uint8), [-1]),
            "sigmas",
        ),
        (
            lambda: K.local_contrast(
                np.zeros((4, 4), np.float32), np.ones((4, 4), np.uint8), [1], surround_ratio=1.0
            ),
            "surround_ratio",
        ),
        (
            lambda: K.local_contrast(
                np.zeros((4, 4), np.float32), np.ones((4, 4), np.uint8), [1], threads=-1
            ),
            "threads",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int64),
                np.zeros((4, 4, 1), np.float32),
                np.ones((4, 4), np.uint8),
            ),
            "labels",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32), np.zeros((4, 4), np.float32), np.ones((4, 4), np.uint8)
            ),
            "values",
        ),
        (
            lambda: K.region_features(
                np.full((4, 4), 3, np.int32),
                np.zeros((4, 4, 1), np.float32),
                np.ones((4, 4), np.uint8),
                n_labels=2,
            ),
            "labels",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32),
                np.zeros((4, 4, 1), np.float32),
                np.ones((4, 4), np.uint8),
                ring_min_width=0,
            ),
            "ring_min_width",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32),
                np.zeros((4, 4, 1), np.float32),
                np.ones((3, 4), np.uint8),
            ),
            "mask",
        ),
        (
            lambda: K.region_features(np.zeros((4, 4), np.int32), [], np.ones((4, 4), np.uint8)),
            "values",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32),
                [np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float64)],
                np.ones((4, 4), np.uint8),
            ),
            r"values\[1\]",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32),
                [np.zeros((4, 4), np.float32), np.zeros((4, 5), np.float32)],
                np.ones((4, 4), np.uint8),
            ),
            r"values\[1\]",
        ),
        (
            lambda: K.region_features(
                np.zeros((4, 4), np.int32),
                "abc",
                np.ones((4, 4), np.uint8),  # type: ignore[arg-type]
            ),
            "values",
        ),
    ],
)
def test_errors_name_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_planes_binding_validates_directly():
    lab, m = np.zeros((4, 4), np.int32), np.ones((4, 4), np.uint8)
    f = np.zeros((4, 4), np.float32)
    rf = _core.lesions.region_features_planes
    with pytest.raises(ValueError, match="values"):
        rf(lab, 0, [], m, 1.0, 1.0, 2.0, 0.5, 1)
    with pytest.raises(ValueError, match=r"values\[0\]"):
        rf(lab, 0, [np.zeros((4, 4, 1), np.float32)], m, 1.0, 1.0, 2.0, 0.5, 1)
    with pytest.raises(ValueError, match=r"values\[1\]"):
        rf(lab, 0, [f, np.zeros((4, 3), np.float32)], m, 1.0, 1.0, 2.0, 0.5, 1)
    with pytest.raises(ValueError, match=r"values\[0\]"):
        rf(lab, 0, [f[:, ::-1]], m, 1.0, 1.0, 2.0, 0.5, 1)  # negative pixel stride
    with pytest.raises(ValueError, match="ring_min_width"):
        rf(lab, 0, [f], m, 1.0, 1.0, 0.0, 0.5, 1)
    with pytest.raises(ValueError, match="labels"):
        rf(np.full((4, 4), 2, np.int32), 1, [f], m, 1.0, 1.0, 2.0, 0.5, 1)


def test_binding_validates_directly():
    with pytest.raises(ValueError, match="scale"):
        _core.lesions.local_contrast(
            np.zeros((4, 4), np.float32),
            np.ones((4, 4), np.uint8),
            [1.0],
            3.0,
            3.0,
            np.zeros((4, 4), np.float32),
            np.zeros((4, 3), np.uint8),
            1,
        )


@pytest.mark.parametrize(("h", "w"), [(41, 48), (41, 49), (41, 55), (1, 30), (30, 1)])
def test_local_contrast_maps_equal_single_calls(h, w):
    rng = np.random.default_rng(h * 100 + w)
    a, mask = scene(rng, h, w)
    b = (-a[::-1]).copy()
    for threads in (1, 2, 7):
        many = K.local_contrast_maps([a, b, a], mask, SIGMAS, threads=threads)
        for src, (c, s) in zip([a, b, a], many, strict=True):
            c1, s1 = K.local_contrast(src, mask, SIGMAS, threads=threads)
            assert np.array_equal(c, c1) and np.array_equal(s, s1)
    rc, _ = ref.local_contrast(b, mask, SIGMAS)
    np.testing.assert_allclose(many[1][0], rc, rtol=0, atol=1e-5)


def test_local_contrast_maps_strided_empty_and_errors():
    img, mask = scene(np.random.default_rng(8), 60, 70)
    sub, msub = img[5:50, 3:61], mask[5:50, 3:61]
    [(c, s)] = K.local_contrast_maps([sub], msub, SIGMAS)
    c1, s1 = K.local_contrast(np.ascontiguousarray(sub), np.ascontiguousarray(msub), SIGMAS)
    assert np.array_equal(c, c1) and np.array_equal(s, s1)
    empty = np.zeros((0, 3), np.float32)
    [(c, s)] = K.local_contrast_maps([empty], np.zeros((0, 3), np.uint8), [1.0])
    assert c.shape == (0, 3) and s.shape == (0, 3)
    ok = np.ones((4, 4), np.uint8)
    z = np.zeros((4, 4), np.float32)
    for call, name in [
        (lambda: K.local_contrast_maps([], ok, [1.0]), "srcs"),
        (lambda: K.local_contrast_maps(z, ok, [1.0]), "srcs"),
        (lambda: K.local_contrast_maps([z, z[:3]], ok, [1.0]), "srcs"),
        (lambda: K.local_contrast_maps([z.astype(np.float64)], ok, [1.0]), "srcs"),
        (lambda: K.local_contrast_maps([z], ok[:, :3], [1.0]), "srcs"),
        (lambda: K.local_contrast_maps([z], ok, [0.0]), "sigmas"),
        (lambda: K.local_contrast_maps([z], ok, [1.0], surround_ratio=1.0), "surround_ratio"),
        (lambda: K.local_contrast_maps([empty], np.zeros((0, 3), np.uint8), [-1.0]), "sigmas"),
    ]:
        with pytest.raises(ValueError, match=name):
            call()
    with pytest.raises(ValueError, match="scales"):
        _core.lesions.local_contrast_maps(
            [z], ok, [1.0], 3.0, 3.0, [np.zeros((4, 4), np.float32)], [], 1
        )


@pytest.mark.parametrize("w", [29, 30, 36, 64, 65, 71])
@pytest.mark.parametrize("c", [0, 1, 3, 4])
def test_median3_matches_reference(w, c):
    rng = np.random.default_rng(w * 10 + c)
    shape = (23, w) if c == 0 else (23, w, c)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    img[rng.random(shape) < 0.2] = 255  # impulse noise and ties
    np.testing.assert_array_equal(K.median3(img), ref.median3(img))


@pytest.mark.parametrize("shape", [(1, 1, 3), (1, 17, 3), (17, 1, 3), (2, 2), (1, 200), (0, 5, 3)])
def test_median3_thin_and_empty(shape):
    rng = np.random.default_rng(sum(shape))
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    got = K.median3(img)
    assert got.shape == img.shape and got.dtype == np.uint8
    if img.size:
        np.testing.assert_array_equal(got, ref.median3(img))


def test_median3_strided_threads_and_known_answer():
    rng = np.random.default_rng(3)
    big = rng.integers(0, 256, (90, 140, 3), dtype=np.uint8)
    crop = big[5:80, 7:130]
    assert not crop.flags.c_contiguous
    want = ref.median3(crop)
    for t in (1, 2, 7):
        np.testing.assert_array_equal(K.median3(crop, threads=t), want)
    flat = np.full((5, 5), 40, np.uint8)
    flat[2, 2] = 255  # one impulse: removed
    flat[0, :] = 200  # a straight edge: kept where two of three rows hold it
    got = K.median3(flat)
    assert got[2, 2] == 40
    np.testing.assert_array_equal(got[0], np.full(5, 200, np.uint8))
    np.testing.assert_array_equal(got[1], np.full(5, 40, np.uint8))


def test_median3_errors_name_the_argument():
    with pytest.raises(ValueError, match="src"):
        K.median3(np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="src"):
        K.median3(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ValueError, match="src"):
        K.median3([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="src"):
        K.median3(np.zeros((4, 6, 3), np.uint8)[:, :, ::-1])  # pixels not packed
    with pytest.raises(ValueError, match="threads"):
        K.median3(np.zeros((4, 4), np.uint8), threads=-1)
    with pytest.raises(ValueError, match="out"):
        a = np.zeros((4, 4), np.uint8)
        _core.lesions.median3(a, a, 1, 1)


LUTS = {
    "bool": lambda rng, n: rng.random(n) > 0.5,
    "uint8": lambda rng, n: rng.integers(0, 256, n).astype(np.uint8),
    "int32": lambda rng, n: rng.integers(-(2**31), 2**31 - 1, n).astype(np.int32),
    "float32": lambda rng, n: np.concatenate(
        [[np.nan, -0.0, np.inf], rng.standard_normal(max(n - 3, 0))]
    ).astype(np.float32)[:n],
}


def _same(a, b):
    # bit for bit (NaN and -0.0 included), dtype and shape too
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("w", [29, 30, 36, 64, 65, 71])
@pytest.mark.parametrize("lut", list(LUTS))
def test_take_labels_matches_reference(w, lut):
    rng = np.random.default_rng(w)
    table_ = LUTS[lut](rng, 300)
    labels = rng.integers(0, 300, (23, w)).astype(np.int32)
    labels[:, -1] = 299  # the last entry
    got = K.take(table_, labels)
    _same(got, ref.take(table_, labels))
    _same(got, np.take(table_, labels))
    for t in (1, 2, 7):
        _same(K.take(table_, labels, threads=t), got)


@pytest.mark.parametrize("w", [29, 30, 36, 64, 65])
@pytest.mark.parametrize("c", [1, 3, 4])
@pytest.mark.parametrize("lut", list(LUTS))
def test_take_uint8_channel_matches_reference(w, c, lut):
    rng = np.random.default_rng(w * 10 + c)
    img = rng.integers(0, 256, (19, w, c), dtype=np.uint8)
    img[0, 0] = 255
    table_ = LUTS[lut](rng, 256)
    for ch in range(c):
        got = K.take(table_, img, channel=ch)
        _same(got, ref.take(table_, img, ch))
        for t in (2, 7):
            _same(K.take(table_, img, channel=ch, threads=t), got)
    one = np.ascontiguousarray(img[..., 0])
    _same(K.take(table_, one), ref.take(table_, one))  # (H, W) uint8
    # a short table: uint8 values past it are refused (else every value is in it)
    short = table_[:200]
    with pytest.raises(ValueError, match="index"):
        K.take(short, img, channel=0)
    small = np.minimum(img, 199)
    _same(K.take(short, small, channel=c - 1), ref.take(short, small, c - 1))


@pytest.mark.parametrize("shape", [(1, 1), (1, 37), (37, 1), (0, 5), (5, 0), (0, 0)])
def test_take_thin_and_empty(shape):
    rng = np.random.default_rng(sum(shape))
    table_ = LUTS["int32"](rng, 10)
    labels = rng.integers(0, 10, shape).astype(np.int32)
    _same(K.take(table_, labels), ref.take(table_, labels))
    img = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    g = LUTS["float32"](rng, 256)
    _same(K.take(g, img, channel=2), ref.take(g, img, 2))


def test_take_strided_and_lut_views():
    rng = np.random.default_rng(5)
    big = rng.integers(0, 50, (90, 140)).astype(np.int32)
    crop = big[5:80, 7:130]
    assert not crop.flags.c_contiguous
    table_ = LUTS["float32"](rng, 100)[::2]  # a strided table: copied
    want = ref.take(table_, crop)
    for t in (1, 2, 7):
        _same(K.take(table_, crop, threads=t), want)
    rgb = rng.integers(0, 256, (90, 140, 3), dtype=np.uint8)[3:70, 9:120]
    g = LUTS["float32"](rng, 256)
    _same(K.take(g, rgb, channel=1), ref.take(g, rgb, 1))
    # one label image through a relabelling table (the lesion search's use)
    labels, _ = contours.label((rng.random((60, 70)) > 0.6).astype(np.uint8))
    n = int(labels.max())
    keep = np.concatenate([[False], rng.random(n) > 0.5])
    _same(K.take(keep, labels), np.take(keep, labels))


def test_take_errors_name_the_argument():
    lab = np.zeros((4, 5), np.int32)
    lut = np.zeros(3, np.int32)
    for bad in (7, -1, 3, np.iinfo(np.int32).min):
        x = lab.copy()
        x[2, 3] = bad  # out of the table (no negative wrap-around)
        for t in (1, 3):
            with pytest.raises(ValueError, match="index"):
                K.take(lut, x, threads=t)
    for bad_lut in (np.zeros(0, np.int32), np.zeros((2, 2), np.int32), np.zeros(3, np.float64),
                    np.zeros(3, np.int64), [0, 1]):  # fmt: skip
        with pytest.raises(ValueError, match="lut"):
            K.take(bad_lut, lab)
    for bad_index in (lab.astype(np.int64), lab.astype(np.float32), [[0]], np.zeros(4, np.int32),
                      np.zeros((4, 5, 3), np.int32), np.zeros((4, 5, 5), np.uint8),
                      np.zeros((4, 6, 3), np.uint8)[:, ::2]):  # fmt: skip
        with pytest.raises(ValueError, match="index"):
            K.take(lut, bad_index, channel=0 if np.ndim(bad_index) == 3 else None)
    img = np.zeros((4, 5, 3), np.uint8)
    for bad_channel in (None, -1, 3):
        with pytest.raises(ValueError, match="channel"):
            K.take(lut, img, channel=bad_channel)
    with pytest.raises(ValueError, match="channel"):
        K.take(lut, lab, channel=0)
    with pytest.raises(ValueError, match="threads"):
        K.take(lut, lab, threads=-1)
    out = np.zeros((4, 5), np.int32)
    with pytest.raises(ValueError, match="out"):
        _core.lesions.take(lab, 1, 0, lut, np.zeros((4, 5), np.float32), 1)
    with pytest.raises(ValueError, match="out"):
        _core.lesions.take(lab, 1, 0, lut, np.zeros((4, 6), np.int32), 1)
    with pytest.raises(ValueError, match="index"):
        _core.lesions.take(lab, 3, 0, lut, out, 1)
    with pytest.raises(ValueError, match="channel"):
        _core.lesions.take(img, 3, 3, lut, out, 1)


def test_local_contrast_maps_bit_identical_to_whole_image_blurs():
    # The kernel blurs only each row's extent of the mask (plus the taps' reach);
    # the values there are those of skincore.geometry.gaussian_blur of the whole
    # image, bit for bit (ragged rows, holes, rows without mask, image borders).
    from skincore import geometry

    rng = np.random.default_rng(21)
    h, w = 67, 83
    yy, xx = np.mgrid[0:h, 0:w]
    mask = ((yy - 30) ** 2 / 28.0**2 + (xx - 50) ** 2 / 40.0**2 <= 1).astype(np.uint8)
    mask &= (rng.random((h, w)) > 0.1).astype(np.uint8)
    mask[40:44] = 0  # rows without mask inside the face
    maps = [rng.normal(size=(h, w)).astype(np.float32) for _ in range(2)]
    sigmas, ratio = [1.3, 2.4], 3.0
    got = K.local_contrast_maps(maps, mask, sigmas, surround_ratio=ratio, threads=2)
    m = mask.astype(np.float32)
    for src, (c, s) in zip(maps, got, strict=True):
        sm = np.where(mask > 0, src, np.float32(0)).astype(np.float32)
        best = np.full((h, w), -np.inf, np.float32)
        scale = np.zeros((h, w), np.uint8)
        for k, sg in enumerate(sigmas):
            a, b = (geometry.gaussian_blur(v, sg, truncate=3.0) for v in (sm, m))
            cc, d = (geometry.gaussian_blur(v, sg * ratio, truncate=3.0) for v in (sm, m))
            with np.errstate(divide="ignore", invalid="ignore"):
                v = a / b - cc / d
            ok = (b >= _core.lesions.MIN_WEIGHT) & (d >= _core.lesions.MIN_WEIGHT)
            upd = ok & (v > best)
            best = np.where(upd, v, best)
            scale = np.where(upd, np.uint8(k), scale)
        bad = (mask == 0) | (best == -np.inf)
        np.testing.assert_array_equal(c, np.where(bad, np.float32(0), best))
        np.testing.assert_array_equal(s, np.where(bad, np.uint8(0), scale))


def test_contrast_and_smooth_over_independent_of_earlier_calls():
    # Both kernels keep their scratch per calling thread and write outputs that
    # start uninitialised: a call after others of different shapes and masks (the
    # scratch holds their stale values) gives the values of the first call.
    rng = np.random.default_rng(23)
    img, mask = scene(rng, 60, 70)
    img[5, 5] = np.nan  # off the mask: never read
    mask[30:33, 10:20] = 0
    maps = [img, (img * 2).astype(np.float32)]
    first = K.local_contrast_maps(maps, mask, SIGMAS, threads=1)
    first_s = K.smooth_over(maps, mask, 2.2, threads=1)
    for h, w in [(90, 91), (20, 30)]:
        other, om = scene(rng, h, w)
        K.local_contrast_maps([other, other + 1], np.ones_like(om), SIGMAS, threads=1)
        K.smooth_over([other + 5], np.ones_like(om), 2.2, threads=1)
    again = K.local_contrast_maps(maps, mask, SIGMAS, threads=1)
    again_s = K.smooth_over(maps, mask, 2.2, threads=1)
    for (c0, s0), (c1, s1) in zip(first, again, strict=True):
        np.testing.assert_array_equal(c1.view(np.uint32), c0.view(np.uint32))
        np.testing.assert_array_equal(s1, s0)
        assert not c1[mask == 0].any() and not s1[mask == 0].any()
    for o0, o1 in zip(first_s, again_s, strict=True):
        np.testing.assert_array_equal(o1.view(np.uint32), o0.view(np.uint32))


def _spans(mask):
    """Boolean image of each row's extent of the mask (first to last mask pixel)."""
    inside = np.zeros(mask.shape, bool)
    for y, row in enumerate(mask):
        nz = np.flatnonzero(row)
        if nz.size:
            inside[y, nz[0] : nz[-1] + 1] = True
    return inside


@pytest.mark.parametrize("w", [48, 49, 55])
def test_smooth_over_matches_reference(w):
    img, mask = scene(np.random.default_rng(w + 100), 41, w)
    (got,) = K.smooth_over([img], mask, 2.5)
    want = ref.smooth_over(img, mask, 2.5)
    inside = _spans(mask)
    np.testing.assert_allclose(got[inside], want[inside], rtol=0, atol=1e-5)
    assert not got[~inside].any()


def test_smooth_over_bit_identical_to_whole_image_blurs():
    from skincore import geometry

    rng = np.random.default_rng(22)
    h, w = 71, 64
    yy, xx = np.mgrid[0:h, 0:w]
    mask = ((yy - 35) ** 2 / 30.0**2 + (xx - 20) ** 2 / 30.0**2 <= 1) & (rng.random((h, w)) > 0.2)
    mask[50:53] = False
    maps = [rng.normal(size=(h, w)).astype(np.float32) for _ in range(3)]
    got = K.smooth_over(maps, mask, 3.3, threads=2)
    m = mask.astype(np.float32)
    den = geometry.gaussian_blur(m, 3.3)
    ok = den > 1e-3
    inside = _spans(mask)
    for src, out in zip(maps, got, strict=True):
        num = geometry.gaussian_blur(np.multiply(src, m, dtype=np.float32), 3.3)
        want = np.where(ok, num / np.where(ok, den, 1), np.float32(0)).astype(np.float32)
        np.testing.assert_array_equal(out[inside].view(np.uint32), want[inside].view(np.uint32))
        assert not out[~inside].any()


def test_smooth_over_thin_empty_strided_threads_and_errors():
    rng = np.random.default_rng(4)
    for shape in [(1, 30), (30, 1)]:
        img = rng.normal(size=shape).astype(np.float32)
        (got,) = K.smooth_over([img], np.ones(shape, np.uint8), 1.7)
        np.testing.assert_allclose(got, ref.smooth_over(img, np.ones(shape), 1.7), atol=1e-5)
    (empty,) = K.smooth_over([np.zeros((0, 3), np.float32)], np.zeros((0, 3), np.uint8), 1.0)
    assert empty.shape == (0, 3)
    img, mask = scene(np.random.default_rng(9), 80, 90)
    sub, msub = img[4:70, 3:85], mask[4:70, 3:85]
    assert not sub.flags.c_contiguous
    outs = [K.smooth_over([sub], msub, 2.0, threads=t)[0] for t in (1, 2, 7)]
    (packed,) = K.smooth_over([np.ascontiguousarray(sub)], np.ascontiguousarray(msub), 2.0)
    for o in outs[1:] + [packed]:
        np.testing.assert_array_equal(o, outs[0])
    good = np.zeros((5, 5), np.float32)
    with pytest.raises(ValueError, match="sigma"):
        K.smooth_over([good], np.ones((5, 5), np.uint8), 0.0)
    with pytest.raises(ValueError, match="sigma"):
        K.smooth_over([good], np.ones((5, 5), np.uint8), 1e9)
    with pytest.raises(ValueError, match="truncate"):
        K.smooth_over([good], np.ones((5, 5), np.uint8), 1.0, truncate=-1.0)
    with pytest.raises(ValueError, match="srcs"):
        K.smooth_over([good], np.ones((4, 5), np.uint8), 1.0)
    with pytest.raises(ValueError, match="srcs"):
        K.smooth_over(good, np.ones((5, 5), np.uint8), 1.0)
    with pytest.raises(ValueError, match="mask"):
        K.smooth_over([good], np.ones((5, 5), np.float32), 1.0)
    with pytest.raises(ValueError, match="threads"):
        K.smooth_over([good], np.ones((5, 5), np.uint8), 1.0, threads=-2)
