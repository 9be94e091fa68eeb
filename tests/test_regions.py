"""Face regions: mirror table, polygons on real faces, skin gating."""

from __future__ import annotations

import numpy as np
import pytest

from skincore.face.regions import (
    EXCLUDED,
    FACE_OVAL,
    LASHES,
    MIRROR,
    SKIN_REGIONS,
    region_indices,
    skin_gate,
)

KNOWN_PAIRS = [
    (33, 263),
    (133, 362),
    (61, 291),
    (50, 280),
    (234, 454),
    (127, 356),
    (93, 323),
    (132, 361),
    (58, 288),
    (172, 397),
    (136, 365),
    (150, 379),
    (149, 378),
    (176, 400),
    (148, 377),
    (21, 251),
    (54, 284),
    (103, 332),
    (67, 297),
    (109, 338),
    (70, 300),
    (63, 293),
    (105, 334),
    (66, 296),
    (107, 336),
    (46, 276),
    (53, 283),
    (52, 282),
    (65, 295),
    (55, 285),
    (468, 473),
]
MIDLINE = {
    0,
    1,
    2,
    4,
    5,
    6,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    94,
    151,
    152,
    164,
    168,
    175,
    195,
    197,
    199,
    200,
}


def test_mirror_is_an_involution_with_the_midline_fixed():
    m = np.array(MIRROR[:468])
    assert len(MIRROR) == 478
    assert np.array_equal(m[m], np.arange(468))
    assert {i for i in range(468) if m[i] == i} == MIDLINE


@pytest.mark.parametrize("a,b", KNOWN_PAIRS)
def test_mirror_known_pairs(a, b):
    if a < 468:
        assert MIRROR[a] == b and MIRROR[b] == a


def test_face_oval_is_mirror_symmetric():
    oval = set(FACE_OVAL)
    assert {MIRROR[i] for i in oval} == oval


def test_left_right_regions_are_mirrors():
    idx = region_indices()
    for name, poly in idx.items():
        if name.startswith("right_"):
            left = idx["left_" + name[len("right_") :]]
            assert set(left) == {MIRROR[i] for i in poly}
        if name in ("forehead", "glabella", "nose", "chin", "lips", "face_oval"):
            assert {MIRROR[i] for i in poly} == set(poly), name


def test_skin_gate_rejects_hair_and_keeps_skin(rng):
    skin = np.array([65.0, 14.0, 17.0], np.float32)
    ref = skin + rng.normal(0, [3.0, 1.5, 1.5], (2000, 3)).astype(np.float32)
    lab = np.empty((40, 60, 3), np.float32)
    lab[:] = skin + rng.normal(0, [3.0, 1.5, 1.5], (40, 60, 3)).astype(np.float32)
    lab[:10] = [20.0, 3.0, 6.0]  # dark hair band
    lab[30:, :10] = [92.0, 4.0, 8.0]  # specular shine on skin: kept
    lab[30:, 50:] = [55.0, -20.0, 30.0]  # green (not skin)
    g = skin_gate(lab, ref)
    assert g[:10].sum() == 0
    assert g[12:28, 12:48].mean() > 0.97
    assert g[30:, 50:].sum() == 0


def test_region_names_cover_the_design():
    idx = region_indices()
    for name in SKIN_REGIONS:
        if name not in ("face", "t_zone", "u_zone"):
            assert name in idx
    for name in EXCLUDED:
        assert name in idx or name in LASHES  # the lashes are computed, not indexed


def test_lazy_masks_box_holds_every_mask_pixel(rng):
    from skincore.face.regions import LazyMasks

    polys = {
        "forehead": np.array([[10.2, 3.7], [40.9, 2.1], [44.5, 15.5], [8.0, 14.0]], np.float32),
        "glabella": np.array([[-5.0, 20.0], [12.5, 18.0], [6.0, 33.9]], np.float32),  # off the grid
        "left_eye": np.array([[50.0, 30.0], [58.4, 31.0], [55.0, 39.5]], np.float32),
        "nose": np.array([[80.0, 80.0], [90.0, 80.0], [85.0, 90.0]], np.float32),  # outside
    }
    keep = np.where(rng.random((40, 60)) > 0.2, np.uint8(255), np.uint8(0))
    masks = LazyMasks(polys, keep)
    # windows rasterised on the box alone equal the full masks' parts, bit for bit
    fresh = LazyMasks(polys, keep)
    for name in ("forehead", "glabella", "left_eye", "forehead_polygon"):
        for pad in (0, 3, 100):
            part, x0, y0 = fresh.window(name, pad)
            hh, ww = part.shape
            np.testing.assert_array_equal(part, masks[name][y0 : y0 + hh, x0 : x0 + ww])
            cached, cx0, cy0 = masks.window(name, pad)  # a view of the cached mask
            assert (cx0, cy0) == (x0, y0) and np.array_equal(cached, part)
        assert fresh.count(name) == np.count_nonzero(masks[name])
    assert fresh.window("nose") is None and fresh.count("nose") == 0
    for name in ("forehead", "glabella", "left_eye", "nose", "forehead_polygon"):
        m = masks[name]
        box = masks.box(name)
        if box is None:
            assert not m.any(), name
            continue
        x0, y0, x1, y1 = box
        inside = np.zeros(m.shape, bool)
        inside[y0:y1, x0:x1] = True
        assert m.any() and not m[~inside].any(), name
    with pytest.raises(KeyError):
        masks.box("elbow")


def test_zone_window_counts_equal_whole_grid_counts(rng):
    from skincore.face.regions import LazyMasks, zone_window

    polys = {
        "forehead": np.array([[10.2, 3.7], [40.9, 2.1], [44.5, 15.5], [8.0, 14.0]], np.float32),
        "nose": np.array([[80.0, 80.0], [90.0, 80.0], [85.0, 90.0]], np.float32),  # outside
    }
    keep = np.where(rng.random((40, 60)) > 0.2, np.uint8(255), np.uint8(0))
    sel = rng.random((40, 60)) > 0.5
    values = rng.random((40, 60)).astype(np.float32)
    lazy = LazyMasks(polys, keep)
    for masks in (lazy, {"forehead": lazy["forehead"]}):  # lazy (its box) and plain (whole)
        win, zone = zone_window(masks, "forehead")
        full = masks["forehead"] > 0
        assert np.count_nonzero(zone) == np.count_nonzero(full) > 0
        assert np.count_nonzero(sel[win] & zone) == np.count_nonzero(sel & full)
        # the same pixels in the same order: equal means, bit for bit
        assert values[win][sel[win] & zone].mean() == values[sel & full].mean()
    assert zone_window(lazy, "nose") is None
    assert zone_window(lazy, "forehead")[0] != (slice(0, 40), slice(0, 60))  # a real box


def test_hull_indices_match_scipy_and_skip_collinear_points(rng):
    from scipy.spatial import ConvexHull

    from skincore.face.regions import hull_indices

    for n in (3, 4, 10, 478):
        pts = rng.normal(size=(n, 2)) * (30.0, 12.0)
        got = hull_indices(pts)
        assert sorted(got) == sorted(ConvexHull(pts).vertices)
        # in order round the hull: every turn has the same sign
        p = pts[got]
        d1, d2 = np.roll(p, -1, 0) - p, np.roll(p, -2, 0) - np.roll(p, -1, 0)
        turns = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
        assert np.all(turns > 0) or np.all(turns < 0)
    # a square with points on its edges, inside, and repeated: its 4 corners
    square = np.array(
        [[0, 0], [2, 0], [4, 0], [4, 2], [4, 4], [2, 4], [0, 4], [0, 2], [1, 1], [4, 4], [0, 0]],
        float,
    )
    got = hull_indices(square)
    assert sorted(map(tuple, square[got])) == [(0, 0), (0, 4), (4, 0), (4, 4)]
    np.testing.assert_array_equal(got, hull_indices(square))  # deterministic


@pytest.fixture(scope="module")
def mesh_087(faces_dir):
    from PIL import Image

    from skincore.face.finder import find_faces

    with Image.open(faces_dir / "ccby_london_087.jpg") as im:
        rgb = np.asarray(im.convert("RGB"))
    return find_faces(rgb, max_faces=1)[0][1].points.astype(np.float64)


@pytest.mark.parametrize("yaw_deg", [0, 45, 60, -60])
def test_face_region_of_a_turned_face_is_not_a_crescent(mesh_087, yaw_deg):
    """The mesh of a frontal face (London 087) turned about the vertical axis and
    projected: the far half of the outline ring falls onto the cheek and the
    ring's polygon turns concave (a crescent at 60 degrees, as FaceMesh fits
    ACNE04's side views). The ``face`` region is the ring's convex hull: the
    same pixels on the frontal face, and on the turned one the cheek and nose
    skin the ring left out. Measured: at 45 / 60 / -60 degrees 48 / 19 / 15 %
    of the cheek and nose vertices lay in the ring's polygon, 69 / 48 / 52 % in
    its hull."""
    from skincore.face.regions import FACE_HULL, LazyMasks, region_polygons

    c = mesh_087[:, :3].mean(axis=0)
    t = np.radians(yaw_deg)
    pts = mesh_087.copy()
    pts[:, 0] = c[0] + (mesh_087[:, 0] - c[0]) * np.cos(t) + (mesh_087[:, 2] - c[2]) * np.sin(t)
    polys = region_polygons(pts)
    keep = np.full((1400, 1400), 255, np.uint8)
    face = LazyMasks(polys, keep)["face"] > 0
    ring = LazyMasks({**polys, FACE_HULL: polys["face_oval"]}, keep)["face"] > 0
    inner = np.concatenate([polys["left_cheek"], polys["right_cheek"], polys["nose"]])
    xy = np.rint(inner).astype(int)

    def share(mask: np.ndarray) -> float:
        return float(mask[xy[:, 1], xy[:, 0]].mean())

    if yaw_deg == 0:
        np.testing.assert_array_equal(face, ring)
    else:
        assert face.sum() > 1.05 * ring.sum()
        assert share(face) >= share(ring) + 0.2
    assert not (ring & ~face).any()  # the hull holds the ring's polygon


def _band_depths(band: np.ndarray) -> np.ndarray:
    """Distance of each hanging point from its lid point (the band's second half)."""
    n = len(band) // 2
    return np.linalg.norm(band[n:][::-1] - band[:n], axis=1)


def test_open_eyes_have_no_lash_band(mesh_087):
    from skincore import geometry
    from skincore.face.regions import lash_band, region_polygons

    polys = region_polygons(mesh_087)
    for side in ("left", "right"):
        band = polys[f"{side}_lashes"]
        np.testing.assert_array_equal(band, lash_band(mesh_087, side))
        assert len(band) == 20 and np.allclose(_band_depths(band), 0.0)
        assert not geometry.fill_polygons([band], (1400, 1400), threads=1).any()


@pytest.mark.parametrize("side,upper,lower", [("right", 159, 145), ("left", 386, 374)])
def test_closed_eye_lashes_hang_below_the_lid(mesh_087, side, upper, lower):
    """Closing an eye of London 087's mesh (its mid upper lid on its mid lower lid)
    hangs a band LASH_MM deep mid-eye, half at the corners, down the face (towards
    the mouth) from the lower lid; half closed (lids 4.5 mm apart), half as deep.
    The other eye stays open."""
    from skincore.face.regions import EYE_CLOSED_MM, EYE_OPEN_MM, LASH_MM, lash_band
    from skincore.face.scale import px_per_mm

    ppm = px_per_mm(mesh_087)
    closed = mesh_087.copy()
    closed[upper, :2] = closed[lower, :2]
    band = lash_band(closed, side)
    depth = _band_depths(band)
    assert depth.max() == pytest.approx(LASH_MM * ppm, rel=0.02)
    assert depth[0] == pytest.approx(0.5 * LASH_MM * ppm, rel=1e-4)  # the inner corner
    n = len(band) // 2
    drop = band[n:][::-1] - band[:n]
    assert (drop[:, 1] > 0).all()  # down the image on this upright face
    other = "left" if side == "right" else "right"
    assert np.allclose(_band_depths(lash_band(closed, other)), 0.0)
    half = mesh_087.copy()
    mid = 0.5 * (EYE_OPEN_MM + EYE_CLOSED_MM) * ppm
    half[upper, :2] = half[lower, :2] + np.array([0.0, -mid])
    assert _band_depths(lash_band(half, side)).max() == pytest.approx(0.5 * LASH_MM * ppm, rel=0.05)
    with pytest.raises(ValueError, match="side"):
        lash_band(mesh_087, "middle")


@pytest.mark.parametrize("side,inner,outer", [("right", 133, 33), ("left", 362, 263)])
def test_lower_lid_band_hangs_below_the_lid(mesh_087, side, inner, outer):
    """The band below a lower lid runs from ``inner_mm`` before the inner corner to
    ``sweep_mm`` past the outer one along the corner line, and hangs ``depth_mm``
    down the face (towards the mouth), open eye or closed; a depth of 0 or a
    degenerate mesh covers no pixel."""
    from skincore import geometry
    from skincore.face.regions import lower_lid_band
    from skincore.face.scale import px_per_mm

    ppm = px_per_mm(mesh_087)
    band = lower_lid_band(mesh_087, side, 5.0, sweep_mm=4.0, inner_mm=3.0)
    assert band.shape == (22, 2) and band.dtype == np.float32
    depth = _band_depths(band)
    np.testing.assert_allclose(depth, 5.0 * ppm, rtol=1e-5)
    n = len(band) // 2
    assert ((band[n:][::-1] - band[:n])[:, 1] > 0).all()  # down the image, upright face
    pts = mesh_087[:, :2].astype(np.float64)
    unit = (pts[outer] - pts[inner]) / np.linalg.norm(pts[outer] - pts[inner])
    np.testing.assert_allclose(band[0], pts[inner] - 3.0 * ppm * unit, atol=1e-3)
    np.testing.assert_allclose(band[n - 1], pts[outer] + 4.0 * ppm * unit, atol=1e-3)
    area = geometry.fill_polygons([band], (1400, 1400), threads=1) > 0
    eye_w = float(np.linalg.norm(pts[outer] - pts[inner]))
    assert area.sum() == pytest.approx((eye_w + 7.0 * ppm) * 5.0 * ppm, rel=0.1)
    assert not geometry.fill_polygons(
        [lower_lid_band(mesh_087, side, 0.0)], (1400, 1400), threads=1
    ).any()
    flat = mesh_087.copy()
    flat[:, :2] = flat[0, :2]  # every point on one: no corner line, no iris
    assert not geometry.fill_polygons(
        [lower_lid_band(flat, side, 5.0)], (1400, 1400), threads=1
    ).any()
    with pytest.raises(ValueError, match="side"):
        lower_lid_band(mesh_087, "middle", 5.0)


def test_mouth_bands_lie_under_the_lip_and_beside_the_corners(mesh_087):
    """The band under the lower lip follows the lip's outer edge from 181 to 405 and
    the same edge ``depth_mm`` further down the face (perpendicular to the line of
    the mouth corners, towards the chin), above the chin's lowest point. Each
    corner's disc has the radius asked, touches its corner and lies beyond it,
    away from the mouth's middle; the two mirror each other. A size of 0 or a
    degenerate mesh covers no pixel."""
    from skincore import geometry
    from skincore.face.regions import lip_chin_band, mouth_corner_band, mouth_frame
    from skincore.face.scale import px_per_mm

    pts = mesh_087[:, :2].astype(np.float64)
    ppm = px_per_mm(mesh_087)
    _, unit, down, scale = mouth_frame(mesh_087)
    assert scale == pytest.approx(ppm)
    assert down[1] > 0.95 and unit[0] > 0.95  # upright face: down the image, right to left
    assert np.dot(down, unit) == pytest.approx(0.0, abs=1e-12)
    band = lip_chin_band(mesh_087, 12.0)
    assert band.shape == (10, 2) and band.dtype == np.float32
    np.testing.assert_allclose(band[:5], pts[[181, 84, 17, 314, 405]], atol=1e-3)
    np.testing.assert_allclose(
        band[5:][::-1] - band[:5], np.tile(12.0 * ppm * down, (5, 1)), atol=1e-3
    )
    assert np.max((band - pts[17]) @ down) < np.dot(pts[152] - pts[17], down)  # above the chin
    area = geometry.fill_polygons([band], (1400, 1400), threads=1) > 0
    width = float(np.dot(pts[405] - pts[181], unit))
    assert area.sum() == pytest.approx(width * 12.0 * ppm, rel=0.1)
    mid = 0.5 * (pts[61] + pts[291])
    centres = {}
    for side, corner in (("right", 61), ("left", 291)):
        disc = mouth_corner_band(mesh_087, side, 4.0)
        assert disc.shape == (24, 2) and disc.dtype == np.float32
        centre = disc.mean(axis=0).astype(np.float64)
        np.testing.assert_allclose(np.linalg.norm(disc - centre, axis=1), 4.0 * ppm, rtol=1e-5)
        assert np.linalg.norm(centre - pts[corner]) == pytest.approx(4.0 * ppm, rel=1e-5)
        assert np.linalg.norm(centre - mid) > np.linalg.norm(pts[corner] - mid)
        centres[side] = centre
    assert np.dot(centres["left"] + centres["right"] - 2 * mid, unit) == pytest.approx(
        0.0, abs=1e-2
    )
    blank = [lip_chin_band(mesh_087, 0.0), mouth_corner_band(mesh_087, "left", 0.0)]
    flat = mesh_087.copy()
    flat[:, :2] = flat[0, :2]  # every point on one: no mouth line, no iris
    assert mouth_frame(flat)[3] == 0.0
    blank += [lip_chin_band(flat, 12.0), mouth_corner_band(flat, "right", 4.0)]
    for polygon in blank:
        assert not geometry.fill_polygons([polygon], (1400, 1400), threads=1).any()
    with pytest.raises(ValueError, match="side"):
        mouth_corner_band(mesh_087, "middle", 4.0)


@pytest.mark.parametrize("side", ["right", "left"])
def test_nose_side_band_runs_down_the_bridge(mesh_087, side):
    """The band along a side of the bridge follows the crest from 0.6 of 193 and 0.4
    of 189 (mirrored on the left) through 245 and 188, runs ``up_mm`` on above it and
    ``down_mm`` below, is ``2 half_width_mm`` wide everywhere, and lies between the
    bridge's midline and the inner eye corner; the two sides mirror each other
    about the midline. A half-width of 0 or a degenerate mesh covers no pixel."""
    from skincore import geometry
    from skincore.face.regions import MIRROR, nose_side_band, nose_side_crest
    from skincore.face.scale import px_per_mm

    pts = mesh_087[:, :2].astype(np.float64)

    def at(i):
        return pts[MIRROR[i] if side == "left" else i]

    ppm = px_per_mm(mesh_087)
    crest, scale = nose_side_crest(mesh_087, side, up_mm=6.0, down_mm=2.0)
    assert scale == pytest.approx(ppm)
    np.testing.assert_allclose(crest[1], 0.6 * at(193) + 0.4 * at(189), atol=1e-9)
    np.testing.assert_allclose(crest[2:4], [at(245), at(188)], atol=1e-9)
    assert np.linalg.norm(crest[1] - crest[0]) == pytest.approx(6.0 * ppm)
    assert np.linalg.norm(crest[4] - crest[3]) == pytest.approx(2.0 * ppm)
    assert crest[0, 1] < crest[1, 1] < crest[3, 1] < crest[4, 1]  # down the upright face
    band = nose_side_band(mesh_087, side, 2.5, up_mm=6.0, down_mm=2.0)
    assert band.shape == (10, 2) and band.dtype == np.float32
    width = np.linalg.norm(band[:5] - band[5:][::-1], axis=1)
    # the band is 5 mm wide across the crest (a little more at the bends' normals)
    assert np.all(width >= 5.0 * ppm - 1e-3) and np.all(width < 5.2 * ppm)
    area = geometry.fill_polygons([band], (1400, 1400), threads=1) > 0
    length = float(np.sum(np.linalg.norm(np.diff(crest, axis=0), axis=1)))
    assert area.sum() == pytest.approx(length * 5.0 * ppm, rel=0.1)
    mid_x = pts[[168, 6, 197]][:, 0].mean()
    inner = at(133)[0]
    lo, hi = sorted((mid_x, inner))
    assert lo < band[:, 0].min() and band[:, 0].max() < hi
    other = nose_side_band(mesh_087, "left" if side == "right" else "right", 2.5)
    mirrored = np.abs(other[:, 0] - mid_x)
    assert np.abs(np.sort(mirrored) - np.sort(np.abs(band[:, 0] - mid_x))).max() < 2.5 * ppm
    assert not geometry.fill_polygons(
        [nose_side_band(mesh_087, side, 0.0)], (1400, 1400), threads=1
    ).any()
    flat = mesh_087.copy()
    flat[:, :2] = flat[0, :2]
    assert not geometry.fill_polygons(
        [nose_side_band(flat, side, 2.5)], (1400, 1400), threads=1
    ).any()
    with pytest.raises(ValueError, match="side"):
        nose_side_band(mesh_087, "middle", 2.5)
