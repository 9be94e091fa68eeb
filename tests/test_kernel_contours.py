from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi

from reference import contours as ref
from skincore import contours as C
from skincore import geometry as G


def random_mask(rng, h, w, p=0.45):
    return (rng.random((h, w)) < p).astype(np.uint8)


def blob_mask(rng, h, w, sigma=2.0, thr=0.6):
    noise = ndi.gaussian_filter(rng.random((h, w)), sigma)
    lo, hi = noise.min(), noise.max()
    return ((noise - lo) > thr * (hi - lo + 1e-12)).astype(np.uint8)


def check_label(mask, connectivity, threads=1):
    labels, st = C.label(mask, connectivity=connectivity, threads=threads)
    rl, rs = ref.label(mask, connectivity)
    np.testing.assert_array_equal(labels, rl)
    assert labels.dtype == np.int32 and labels.shape == mask.shape
    np.testing.assert_array_equal(st.area, rs["area"])
    np.testing.assert_array_equal(st.bbox, rs["bbox"])
    np.testing.assert_array_equal(st.centroid, rs["centroid"])  # exact
    assert st.area.dtype == np.int64 and st.bbox.dtype == np.int32
    assert st.centroid.dtype == np.float64
    return labels, st


# ---------------------------------------------------------------- label


@pytest.mark.parametrize("connectivity", [4, 8])
@pytest.mark.parametrize("seed", range(12))
def test_label_random_vs_reference(connectivity, seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 40, size=2)
    mask = random_mask(rng, h, w, p=rng.uniform(0.2, 0.7))
    mask[mask > 0] = rng.integers(1, 256, size=int(mask.sum()))  # any nonzero value
    check_label(mask, connectivity)


@pytest.mark.parametrize("connectivity", [4, 8])
def test_label_vs_scipy_up_to_relabelling(connectivity, rng):
    mask = blob_mask(rng, 300, 301, sigma=1.5, thr=0.5)
    labels, st = C.label(mask, connectivity=connectivity)
    structure = np.ones((3, 3)) if connectivity == 8 else None
    sl, n = ndi.label(mask, structure=structure)
    assert n == len(st) and n > 20
    # A bijection between the two labelings.
    fg = mask > 0
    pairs = np.unique(np.stack([labels[fg], sl[fg]]), axis=1)
    assert pairs.shape[1] == n
    assert np.unique(pairs[0]).size == n and np.unique(pairs[1]).size == n
    np.testing.assert_array_equal(labels == 0, sl == 0)


def test_label_connectivity_differs_on_diagonals():
    mask = np.eye(5, dtype=np.uint8)
    l8, s8 = C.label(mask, connectivity=8)
    l4, s4 = C.label(mask, connectivity=4)
    assert len(s8) == 1 and len(s4) == 5
    np.testing.assert_array_equal(l4[np.arange(5), np.arange(5)], [1, 2, 3, 4, 5])


def test_label_numbering_is_raster_order_of_first_pixel():
    # A U shape whose right arm starts a row above the left one: raster order
    # meets the right arm first, so the U is label 1, the dot label 2.
    mask = np.zeros((6, 8), np.uint8)
    mask[1:5, 5] = 1
    mask[2:5, 1] = 1
    mask[4, 1:6] = 1
    mask[0, 7] = 0
    mask[2, 3] = 1
    labels, st = C.label(mask)
    assert labels[1, 5] == 1 and labels[2, 1] == 1 and labels[2, 3] == 2
    np.testing.assert_array_equal(st.area, [4 + 3 + 3, 1])


@pytest.mark.parametrize("w", [37, 38, 44, 64, 65, 71, 1])
@pytest.mark.parametrize("connectivity", [4, 8])
def test_label_widths(w, connectivity):
    rng = np.random.default_rng(w)
    check_label(random_mask(rng, 23, w), connectivity)
    check_label(random_mask(rng, w, 1), connectivity)  # N x 1


def test_label_long_runs_cross_word_boundaries():
    # Runs starting/ending at every offset inside an 8-byte word.
    mask = np.zeros((40, 70), np.uint8)
    for y in range(40):
        mask[y, y % 9 : y % 9 + 3 + y] = 7
    check_label(mask, 8)
    check_label(mask, 4)
    check_label(np.ones((3, 70), np.uint8), 8)


def test_label_empty_and_all_background():
    for shape in [(0, 0), (0, 5), (5, 0)]:
        labels, st = C.label(np.zeros(shape, np.uint8))
        assert labels.shape == shape and len(st) == 0
        assert st.bbox.shape == (0, 4) and st.centroid.shape == (0, 2)
    labels, st = C.label(np.zeros((9, 13), np.uint8))
    assert not labels.any() and len(st) == 0


def test_label_row_strided_crop_and_bool():
    rng = np.random.default_rng(3)
    big = random_mask(rng, 60, 80)
    crop = big[5:50, 7:70]
    assert not crop.flags.c_contiguous
    labels, st = check_label(crop, 8)
    lb, sb = C.label(np.ascontiguousarray(crop).astype(bool))
    np.testing.assert_array_equal(lb, labels)


@pytest.mark.parametrize("connectivity", [4, 8])
def test_label_threads_identical(connectivity):
    rng = np.random.default_rng(11)
    # tall enough for many stripes: components cross stripe borders
    mask = blob_mask(rng, 1500, 300, sigma=3.0, thr=0.45)
    mask[:, 150] = 1  # one component spanning every stripe
    results = [C.label(mask, connectivity=connectivity, threads=t) for t in (1, 2, 7)]
    for labels, st in results[1:]:
        np.testing.assert_array_equal(labels, results[0][0])
        np.testing.assert_array_equal(st.area, results[0][1].area)
        np.testing.assert_array_equal(st.bbox, results[0][1].bbox)
        np.testing.assert_array_equal(st.centroid, results[0][1].centroid)
    structure = np.ones((3, 3)) if connectivity == 8 else None
    sl, n = ndi.label(mask, structure=structure)
    assert n == len(results[0][1])
    np.testing.assert_array_equal(np.sort(results[0][1].area), np.sort(np.bincount(sl.ravel())[1:]))


# ---------------------------------------------------------------- contours


def as_set(c):
    return set(map(tuple, c.tolist()))


@pytest.mark.parametrize("connectivity", [4, 8])
@pytest.mark.parametrize("seed", range(15))
def test_contours_random_vs_reference(connectivity, seed):
    rng = np.random.default_rng(100 + seed)
    h, w = rng.integers(1, 30, size=2)
    mask = random_mask(rng, h, w, p=rng.uniform(0.3, 0.8))
    got = C.find_contours(mask, connectivity=connectivity, threads=1)
    want = ref.find_contours(mask, connectivity)
    assert len(got) == len(want)
    for g, r in zip(got, want, strict=True):
        assert g.dtype == np.int32 and g.ndim == 2 and g.shape[1] == 2
        np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("seed", range(8))
def test_contours_match_opencv_per_component(seed):
    rng = np.random.default_rng(200 + seed)
    mask = blob_mask(rng, 64, 71, sigma=1.2, thr=0.45)
    labels, st = C.label(mask)
    got = C.find_contours(mask)
    assert len(got) == len(st)
    for k, g in enumerate(got, start=1):
        cc, _ = cv2.findContours(
            (labels == k).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
        )
        assert len(cc) == 1
        np.testing.assert_array_equal(g, cc[0][:, 0, :])


@pytest.mark.parametrize("seed", range(8))
def test_contour_points_are_the_boundary_pixels(seed):
    rng = np.random.default_rng(300 + seed)
    mask = blob_mask(rng, 80, 90, sigma=2.5, thr=0.4)
    labels, st = C.label(mask)
    filled = ndi.binary_fill_holes
    for k, c in enumerate(C.find_contours(mask), start=1):
        comp = labels == k
        # Outer boundary of the component = boundary of the component with its
        # holes filled.
        assert as_set(c) == ref.boundary_pixels(filled(comp))
        # consecutive points are 8-neighbours, and the chain closes
        d = np.abs(np.diff(np.vstack([c, c[:1]]), axis=0))
        if len(c) > 1:
            assert d.max() == 1


def test_contours_4_connectivity_steps_are_4_neighbours():
    rng = np.random.default_rng(5)
    mask = blob_mask(rng, 50, 50, sigma=1.5, thr=0.45)
    for c in C.find_contours(mask, connectivity=4):
        if len(c) > 1:
            d = np.abs(np.diff(np.vstack([c, c[:1]]), axis=0)).sum(axis=1)
            assert np.all(d == 1)


def test_contours_from_labels_equal_contours_from_mask():
    rng = np.random.default_rng(8)
    mask = blob_mask(rng, 120, 97, sigma=2.0, thr=0.45)
    labels, st = C.label(mask)
    a = C.find_contours(mask)
    b = C.find_contours(labels)
    assert len(a) == len(b) == len(st)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_contours_labels_absent_and_out_of_range():
    labels = np.zeros((4, 5), np.int32)
    labels[1, 1] = 3
    labels[2, 3] = -4  # negative = background
    out = C.find_contours(labels)
    assert len(out) == 3
    assert out[0].shape == (0, 2) and out[1].shape == (0, 2)
    np.testing.assert_array_equal(out[2], [[1, 1]])
    labels[0, 0] = 21  # > H*W
    with pytest.raises(ValueError, match="labels"):
        C.find_contours(labels)
    assert C.find_contours(np.zeros((0, 3), np.int32)) == []


def test_contour_shapes_known_answers():
    sq = np.zeros((10, 10), np.uint8)
    sq[2:7, 3:8] = 1
    (c,) = C.find_contours(sq)
    assert len(c) == 16 and tuple(c[0]) == (3, 2) and tuple(c[1]) == (3, 3)  # CCW: down first
    np.testing.assert_array_equal(C.simplify(c, 0.5), [[3, 2], [3, 6], [7, 6], [7, 2]])

    rect = np.zeros((9, 20), np.uint8)
    rect[1:4, 2:18] = 255
    np.testing.assert_array_equal(
        C.polygons(rect, epsilon=0.5)[0], [[2, 1], [2, 3], [17, 3], [17, 1]]
    )

    ell = np.zeros((12, 12), np.uint8)
    ell[2:10, 2:5] = 1
    ell[7:10, 2:10] = 1
    np.testing.assert_array_equal(
        C.polygons(ell, epsilon=0.5)[0],
        # pixel-centre outline: the 8-connected boundary cuts the inner corner (4, 7)
        [[2, 2], [2, 9], [9, 9], [9, 7], [5, 7], [4, 6], [4, 2]],
    )

    yy, xx = np.mgrid[:41, :41]
    disk = ((xx - 20) ** 2 + (yy - 20) ** 2 <= 15**2).astype(np.uint8)
    (poly,) = C.polygons(disk, epsilon=0.5)
    (cont,) = C.find_contours(disk)
    np.testing.assert_array_equal(poly, ref.simplify(cont, 0.5))
    # vertices lie on the disk's boundary, the 4 extreme points are kept
    r = np.hypot(poly[:, 0] - 20, poly[:, 1] - 20)
    assert np.all((r > 14) & (r <= 15))
    s = as_set(poly)
    assert {(20, 5), (5, 20), (20, 35), (35, 20)} <= s or len(poly) >= 8
    assert 8 <= len(poly) < len(cont)


def test_contours_single_pixel_line_and_border():
    m = np.zeros((3, 7), np.uint8)
    m[1, 1:6] = 1
    (c,) = C.find_contours(m)
    np.testing.assert_array_equal(
        c, [[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [4, 1], [3, 1], [2, 1]]
    )
    np.testing.assert_array_equal(C.polygons(m, epsilon=0.5)[0], [[1, 1], [5, 1]])
    full = np.ones((4, 6), np.uint8)  # touches every image border
    (c,) = C.find_contours(full)
    assert as_set(c) == ref.boundary_pixels(full.astype(bool)) and len(c) == 16
    (c,) = C.find_contours(np.ones((1, 1), np.uint8))
    np.testing.assert_array_equal(c, [[0, 0]])


@pytest.mark.parametrize("w", [31, 32, 38, 1])
def test_contours_widths_and_transposes(w):
    rng = np.random.default_rng(w)
    for mask in (random_mask(rng, 17, w), random_mask(rng, w, 1), random_mask(rng, 1, w)):
        for conn in (4, 8):
            got = C.find_contours(mask, connectivity=conn)
            want = ref.find_contours(mask, conn)
            assert len(got) == len(want)
            for g, r in zip(got, want, strict=True):
                np.testing.assert_array_equal(g, r)


def test_contours_empty_crop_and_threads():
    assert C.find_contours(np.zeros((0, 4), np.uint8)) == []
    assert C.find_contours(np.zeros((5, 4), np.uint8)) == []
    assert C.polygons(np.zeros((5, 0), np.uint8)) == []
    rng = np.random.default_rng(21)
    big = blob_mask(rng, 700, 260, sigma=2.0, thr=0.45)
    crop = big[10:690:1, 3:250]
    assert not crop.flags.c_contiguous
    base = C.find_contours(np.ascontiguousarray(crop), threads=1)
    pbase = C.polygons(np.ascontiguousarray(crop), epsilon=1.5, threads=1)
    for t in (1, 2, 7):
        for a, b in zip(C.find_contours(crop, threads=t), base, strict=True):
            np.testing.assert_array_equal(a, b)
        got = C.polygons(crop, epsilon=1.5, threads=t)
        assert len(got) == len(pbase)
        for a, b in zip(got, pbase, strict=True):
            np.testing.assert_array_equal(a, b)


def test_polygons_equals_find_contours_then_simplify_and_min_area():
    rng = np.random.default_rng(4)
    mask = blob_mask(rng, 150, 160, sigma=2.0, thr=0.45)
    _, st = C.label(mask)
    conts = C.find_contours(mask)
    for eps in (0.0, 0.7, 2.0):
        polys = C.polygons(mask, epsilon=eps)
        assert len(polys) == len(conts)
        for p, c in zip(polys, conts, strict=True):
            np.testing.assert_array_equal(p, C.simplify(c, eps))
            np.testing.assert_array_equal(p, ref.simplify(c, eps))
    keep = st.area >= 20
    assert 0 < keep.sum() < len(st)
    polys = C.polygons(mask, epsilon=1.0, min_area=20)
    assert len(polys) == keep.sum()
    for p, c in zip(polys, [c for c, k in zip(conts, keep, strict=True) if k], strict=True):
        np.testing.assert_array_equal(p, C.simplify(c, 1.0))


# ---------------------------------------------------------------- simplify


def test_simplify_collinear_collapse_open_and_closed():
    line = np.array([[0, 0], [1, 0], [2, 0], [3, 0], [10, 0]])
    np.testing.assert_array_equal(C.simplify(line, 0.1, closed=False), [[0, 0], [10, 0]])
    # a collinear "polygon" collapses to its first and farthest point
    np.testing.assert_array_equal(C.simplify(line, 0.1, closed=True), [[0, 0], [10, 0]])


def test_simplify_known_answers():
    pts = np.array(
        [[0, 0], [1, 0.1], [2, -0.1], [3, 5], [4, 6], [5, 7], [6, 8.1], [7, 9], [8, 9], [9, 9]]
    )
    np.testing.assert_allclose(
        C.simplify(pts, 1.0, closed=False), [[0, 0], [2, -0.1], [3, 5], [7, 9], [9, 9]]
    )
    assert C.simplify(pts, 1.0, closed=False).dtype == np.float64
    # a tolerance above every deviation keeps the ends only
    np.testing.assert_array_equal(C.simplify(pts, 100.0, closed=False), pts[[0, -1]])
    # a zig-zag kept by a small epsilon, flattened by a large one
    zz = np.array([[0, 0], [1, 1], [2, 0], [3, 1], [4, 0]], np.int32)
    np.testing.assert_array_equal(C.simplify(zz, 0.5, closed=False), zz)
    np.testing.assert_array_equal(C.simplify(zz, 1.01, closed=False), zz[[0, 4]])
    assert C.simplify(zz, 0.5, closed=False).dtype == np.int32


def test_simplify_segment_distance_keeps_backtracking_spike():
    # (-5, 0) lies on the chord's line but 5 px before its start: kept.
    pts = np.array([[0, 0], [-5, 0], [10, 0]])
    np.testing.assert_array_equal(C.simplify(pts, 1.0, closed=False), pts)


def test_simplify_epsilon_zero_and_duplicates():
    pts = np.array([[0, 0], [0, 0], [1, 0], [2, 0], [2, 0], [2, 2], [0, 2], [0, 0]])
    np.testing.assert_array_equal(
        C.simplify(pts, 0.0, closed=True), [[0, 0], [1, 0], [2, 0], [2, 2], [0, 2]]
    )
    np.testing.assert_array_equal(
        C.simplify(pts, 0.0, closed=False), [[0, 0], [1, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    )
    np.testing.assert_array_equal(
        C.simplify(pts, 0.5, closed=True), [[0, 0], [2, 0], [2, 2], [0, 2]]
    )


def test_simplify_degenerate_inputs():
    assert C.simplify(np.zeros((0, 2)), 1.0).shape == (0, 2)
    np.testing.assert_array_equal(C.simplify(np.array([[3, 4]]), 1.0), [[3, 4]])
    np.testing.assert_array_equal(C.simplify(np.array([[3, 4], [3, 4]]), 1.0), [[3, 4]])
    np.testing.assert_array_equal(
        C.simplify(np.array([[0, 0], [5, 0]]), 9.0, closed=False), [[0, 0], [5, 0]]
    )
    # a tiny closed polygon inside epsilon of its first point collapses to it
    tiny = np.array([[0, 0], [1, 0], [1, 1], [0, 1]])
    np.testing.assert_array_equal(C.simplify(tiny, 5.0), [[0, 0]])


@pytest.mark.parametrize("seed", range(20))
def test_simplify_random_vs_recursive_reference(seed):
    rng = np.random.default_rng(400 + seed)
    n = int(rng.integers(0, 60))
    if seed % 2:
        pts = rng.integers(-20, 20, size=(n, 2)).astype(np.int64)
    else:
        pts = np.cumsum(rng.normal(size=(n, 2)), axis=0)
    for closed in (True, False):
        for eps in (0.0, 0.3, 1.0, 3.0):
            np.testing.assert_array_equal(
                C.simplify(pts, eps, closed=closed), ref.simplify(pts, eps, closed)
            )


def test_simplify_long_input_is_iterative():
    t = np.linspace(0, 1, 200_000)
    spiral = np.stack([t * np.cos(300 * t), t * np.sin(300 * t)], axis=1) * 1e4
    out = C.simplify(spiral, 0.0, closed=False)  # deepest possible split tree
    assert len(out) == len(spiral)
    out = C.simplify(np.stack([t, t**3], axis=1), 1e-9, closed=False)
    assert 2 < len(out) <= len(t)


# ---------------------------------------------------------------- errors


def test_errors():
    m = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match="mask"):
        C.label(m.astype(np.int16))
    with pytest.raises(ValueError, match="mask"):
        C.label(np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match="mask"):
        C.label(np.zeros((6, 6), np.uint8)[:, ::2])  # non-contiguous pixels
    with pytest.raises(ValueError, match="mask"):
        C.label([[0, 1]])
    with pytest.raises(ValueError, match="connectivity"):
        C.label(m, connectivity=6)
    with pytest.raises(ValueError, match="connectivity"):
        C.find_contours(m, connectivity=0)
    with pytest.raises(ValueError, match="connectivity"):
        C.polygons(m, connectivity=True)
    with pytest.raises(ValueError, match="threads"):
        C.label(m, threads=-1)
    with pytest.raises(ValueError, match="mask_or_labels"):
        C.find_contours(m.astype(np.float32))
    with pytest.raises(ValueError, match="mask_or_labels"):
        C.find_contours(np.zeros((2, 2, 2), np.int32))
    with pytest.raises(ValueError, match="mask_or_labels"):
        C.find_contours(np.zeros((6, 6), np.uint8)[:, ::2])
    with pytest.raises(ValueError, match="labels"):
        C.find_contours(np.zeros((6, 6), np.int32)[:, ::2])
    with pytest.raises(ValueError, match="epsilon"):
        C.polygons(m, epsilon=-1.0)
    with pytest.raises(ValueError, match="epsilon"):
        C.polygons(m, epsilon=float("nan"))
    with pytest.raises(ValueError, match="min_area"):
        C.polygons(m, min_area=-1)
    pts = np.array([[0, 0], [1, 1], [2, 0]])
    with pytest.raises(ValueError, match="epsilon"):
        C.simplify(pts, -0.1)
    with pytest.raises(ValueError, match="epsilon"):
        C.simplify(pts, float("inf"))
    with pytest.raises(ValueError, match="epsilon"):
        C.simplify(pts, "a")
    with pytest.raises(ValueError, match="polyline"):
        C.simplify(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="polyline"):
        C.simplify(np.zeros(4), 1.0)
    with pytest.raises(ValueError, match="polyline"):
        C.simplify(np.array([[0, 0], [np.nan, 1]]), 1.0)
    with pytest.raises(ValueError, match="polyline"):
        C.simplify(np.array([["a", "b"]]), 1.0)
    with pytest.raises(ValueError, match="polyline"):
        C.simplify(np.zeros((3, 2), bool), 1.0)


def test_core_errors_name_arguments():
    from skincore import _core

    m = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="labels"):
        _core.contours.label(m, np.zeros((4, 5), np.int32), 8, 1)
    with pytest.raises(ValueError, match="labels"):
        _core.contours.label(m, np.zeros((4, 4), np.int64), 8, 1)
    ro = np.zeros((4, 4), np.int32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="labels"):
        _core.contours.label(m, ro, 8, 1)
    with pytest.raises(ValueError, match="connectivity"):
        _core.contours.polygons(m, 1.0, 0, 5, 1)
    with pytest.raises(ValueError, match="epsilon"):
        _core.contours.polygons(m, -2.0, 0, 8, 1)
    with pytest.raises(ValueError, match="min_area"):
        _core.contours.polygons(m, 1.0, -3, 8, 1)
    with pytest.raises(ValueError, match="polyline"):
        _core.contours.simplify_indices(np.zeros((3, 2), np.float32), 1.0, True)
    with pytest.raises(ValueError, match="polyline"):
        _core.contours.simplify_indices(np.zeros((4, 2))[::2], 1.0, True)
    with pytest.raises(ValueError, match="epsilon"):
        _core.contours.simplify_indices(np.zeros((3, 2)), -1.0, True)


# ------------------------------------------------------------- polygon_outlines


def _ribbon(rng, n, x0, y0, hw):
    # A wavy polyline buffered by hw (a wrinkle footprint's shape), closing on itself.
    t = np.linspace(0.0, 1.0, n)
    c = np.stack([x0 + 25 * t + rng.normal(0, 0.3, n), y0 + 4 * np.sin(5 * t)], 1)
    return np.concatenate([c + (0, hw), c[::-1] - (0, hw)])


def test_polygon_outlines_match_reference_and_per_polygon_calls():
    rng = np.random.default_rng(11)
    polys = [
        _ribbon(rng, n, 3.3 * n, 0.7 * n - 5, hw) for n, hw in ((5, 0.8), (12, 1.7), (30, 3.1))
    ]
    polys.append(np.array([[2.5, 2.5], [9.5, 2.5], [2.5, 9.5], [9.5, 9.5]]))  # a bow tie
    polys.append(np.array([[1.0, 1.0], [5.0, 1.0]]))  # two points: nothing
    polys.append(np.array([[1.2, 1.2], [1.4, 1.2], [1.3, 1.4]]))  # covers no centre
    polys.append(np.zeros((0, 2)))
    for rule in ("evenodd", "nonzero"):
        for eps in (0.0, 0.7, 2.0):
            got = C.polygon_outlines(polys, epsilon=eps, rule=rule, threads=1)
            want = ref.polygon_outlines(polys, eps, rule)
            assert len(got) == len(polys)
            for g_, w_ in zip(got, want, strict=True):
                assert g_.dtype == np.int64 and g_.shape[1:] == (2,)
                np.testing.assert_array_equal(g_, w_)
            # as the per-polygon composition of the public kernels
            for p, g_ in zip(polys[:4], got[:4], strict=True):
                x0, y0 = int(np.floor(p[:, 0].min())) - 1, int(np.floor(p[:, 1].min())) - 1
                x1, y1 = int(np.ceil(p[:, 0].max())) + 2, int(np.ceil(p[:, 1].max())) + 2
                fill = G.fill_polygons(p - (x0, y0), (y1 - y0, x1 - x0), rule=rule, threads=1)
                best = max(C.polygons(fill, epsilon=eps, threads=1), key=len)
                np.testing.assert_array_equal(g_, best.astype(np.int64) + (x0, y0))
            assert all(len(g_) >= 3 for g_ in got[:4]) and all(len(g_) == 0 for g_ in got[4:])


def test_polygon_outlines_threads_identical_and_empty():
    rng = np.random.default_rng(5)
    polys = [_ribbon(rng, 8 + k, 7.0 * k, 3.0 * k, 1.0 + 0.1 * k) for k in range(23)]
    a = C.polygon_outlines(polys, epsilon=0.7, rule="nonzero", threads=1)
    for t in (2, 7):
        for x, y in zip(
            a, C.polygon_outlines(polys, epsilon=0.7, rule="nonzero", threads=t), strict=True
        ):
            np.testing.assert_array_equal(x, y)
    assert C.polygon_outlines([], epsilon=0.7) == []


@pytest.mark.parametrize(
    "polys, kw, match",
    [
        ([np.array([[0.0, 0.0], [np.nan, 1.0], [1.0, 1.0]])], {}, "polygons\\[0\\]"),
        ([np.zeros((3, 2)), np.array([[0.0, 0.0], [2.0**41, 0.0], [0.0, 1.0]])], {}, "polygon 1"),
        ([np.array([[0.0, 0.0], [5000.0, 0.0], [0.0, 5000.0]])], {}, "max_box_pixels"),
        ([np.array(["a", "b"])], {}, "polygons\\[0\\]"),
        ([np.zeros((3, 3))], {}, "polygons\\[0\\]"),
        ([np.zeros((3, 2))], {"epsilon": -1.0}, "epsilon"),
        ([np.zeros((3, 2))], {"rule": "winding"}, "rule"),
        ([np.zeros((3, 2))], {"threads": -1}, "threads"),
    ],
)
def test_polygon_outlines_bad_arguments(polys, kw, match):
    with pytest.raises(ValueError, match=match):
        C.polygon_outlines(polys, **kw)
