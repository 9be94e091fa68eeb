"""Eyelids: planted creases on real faces, a removed crease, the lid geometry's known answers."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.analysis import Eyelid, Eyelids
from skincore.concerns import eyelids as E
from skincore.face.scale import IRIS_DIAMETER_MM

SIDES = ("left", "right")


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("eyelids",))


def _load(faces_dir, name):
    return np.asarray(Image.open(faces_dir / name).convert("RGB"))


def _lid(face, side):
    """(xs, inner x, outer x, lid y(xs), brow y(xs)) of one eye, image pixels, per column."""
    lm = face.geometry.landmarks[:, :2].astype(np.float64)
    upper, brow = E._index_sets(side)
    ux, uy = E._curve(lm[upper])
    bx, by = E._curve(lm[brow])
    mid = lm[168, 0]
    inner, outer = (ux[0], ux[-1]) if abs(ux[0] - mid) < abs(ux[-1] - mid) else (ux[-1], ux[0])
    xs = np.arange(int(math.ceil(ux[0])), int(math.floor(ux[-1])) + 1)
    return xs, inner, outer, np.interp(xs, ux, uy), np.interp(xs, bx, by)


def _remove_crease(rgb, face, rng):
    """Per column, replace the lid between 0.8 mm above the margin and 1.5 mm under the brow
    by a ramp between its ends (the ends smoothed along the lid, plus photo-like noise): no
    line is left there."""
    out = rgb.astype(np.float32)
    ppm = face.geometry.px_per_mm
    k = max(1, int(round(1.5 * ppm)))
    box = np.ones(k) / k
    for side in SIDES:
        xs, _, _, lid, brow = _lid(face, side)
        r0 = np.rint(lid - 0.8 * ppm).astype(int)
        r1 = np.rint(brow + 1.5 * ppm).astype(int)
        ends = []
        for rows in (r0, r1):
            v = out[rows, xs]  # (n, 3)
            pad = np.pad(v, ((k // 2, k - 1 - k // 2), (0, 0)), mode="edge")
            ends.append(np.stack([np.convolve(pad[:, c], box, "valid") for c in range(3)], 1))
        for i, x in enumerate(xs):
            n = r0[i] - r1[i] + 1
            if n < 3:
                continue
            f = np.linspace(0.0, 1.0, n)[:, None]
            ramp = ends[1][i][None, :] * (1 - f) + ends[0][i][None, :] * f
            out[r1[i] : r0[i] + 1, x] = ramp + rng.normal(0.0, 2.0, (n, 1))
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _plant(rgb, face, height_mm, *, merge=None, amount=0.3, width_mm=0.3):
    """Darken a thin line ``height_mm`` above each upper lid margin, across the eye.

    ``merge=(t0, t1)``: the line's height falls linearly from ``height_mm`` at
    fraction ``t1`` of the eye's width (from the inner corner) to 0 at ``t0`` and
    stays in the margin nearer the corner (a scalloped / inside double eyelid).
    """
    h, w = rgb.shape[:2]
    ppm = face.geometry.px_per_mm
    gain = np.ones((h, w), np.float32)
    yy = np.arange(h, dtype=np.float64)[:, None]
    for side in SIDES:
        xs, inner, outer, lid, _ = _lid(face, side)
        t = (xs - inner) / (outer - inner)
        hgt = np.full(xs.shape, float(height_mm))
        if merge is not None:
            t0, t1 = merge
            hgt *= np.clip((t - t0) / (t1 - t0), 0.0, 1.0)
        d = (lid[None, :] - yy) / ppm  # mm above the margin
        line = amount * np.exp(-0.5 * ((d - hgt[None, :]) / width_mm) ** 2)
        line[:, hgt <= 0.0] = 0.0
        gain[:, xs] *= (1.0 - line).astype(np.float32)
    return np.clip(rgb * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def creased(analyzer, faces_dir):
    """A face with a visible parallel crease on both lids (checked on the crops)."""
    rgb = _load(faces_dir, "cc0_selfie_30cm.jpg")
    return rgb, analyzer.analyze(rgb).faces[0]


@pytest.fixture(scope="module")
def cleaned(analyzer, creased):
    """The same face with its creases removed."""
    rgb, face = creased
    out = _remove_crease(rgb, face, np.random.default_rng(7))
    return out, analyzer.analyze(out).faces[0]


def test_real_faces(analyzer, faces_dir, creased):
    """A double eyelid is found at its height; a single eyelid (no crease) is type 0."""
    _, face = creased
    for side in SIDES:
        eye = getattr(face.eyelids, side)
        assert eye.crease and all(3.0 <= h <= 5.0 for h in eye.crease_mm), eye
        assert face.grades["eyelids"].extra[f"{side}_type"] == 1
    single = analyzer.analyze(_load(faces_dir, "ccby_london_087.jpg")).faces[0]
    for side in SIDES:
        assert not getattr(single.eyelids, side).crease
        assert single.grades["eyelids"].extra[f"{side}_type"] == 0


@pytest.mark.parametrize("variant", ["x0.5", "q70"])
def test_resize_and_jpeg_keep_the_crease(analyzer, creased, variant):
    rgb, face = creased
    im = Image.fromarray(rgb)
    if variant == "x0.5":
        im = im.resize((im.width // 2, im.height // 2), Image.LANCZOS)
    else:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=70)
        im = Image.open(buf).convert("RGB")
    f = analyzer.analyze(np.asarray(im)).faces[0]
    for side in SIDES:
        ref, eye = getattr(face.eyelids, side), getattr(f.eyelids, side)
        assert eye.crease and abs(eye.crease_mm[1] - ref.crease_mm[1]) <= 0.7, (ref, eye)
        assert abs(eye.mrd1_mm - ref.mrd1_mm) <= 0.3
        assert f.grades["eyelids"].extra[f"{side}_type"] == 1


def test_eye_turned_away_is_not_measured(analyzer, faces_dir):
    """Three-quarter view: the far eye is foreshortened (about 0.7 of the near one's width)."""
    face = analyzer.analyze(_load(faces_dir, "cc0_darkskin_makeup_3q.jpg")).faces[0]
    assert face.eyelids.right is None and face.eyelids.left is not None
    g = face.grades["eyelids"]
    assert set(g.zones) == {"left_eyelid"} and "right_type" not in g.extra


def test_removed_crease_reads_single(creased, cleaned):
    _, before = creased
    _, face = cleaned
    g = face.grades["eyelids"]
    for side in SIDES:
        eye = getattr(face.eyelids, side)
        assert not eye.crease and len(eye.crease_line) == 0
        assert max(eye.crease_depth) < E.Params().presence_depth
        assert g.extra[f"{side}_type"] == 0
        # the lid position is read from the landmarks, not the crease
        assert abs(eye.mrd1_mm - getattr(before.eyelids, side).mrd1_mm) < 0.5


@pytest.mark.parametrize("height", [2.5, 4.0, 6.0])
def test_planted_parallel_crease(analyzer, cleaned, height):
    rgb, face = cleaned
    f = analyzer.analyze(_plant(rgb, face, height)).faces[0]
    g = f.grades["eyelids"]
    for side in SIDES:
        eye = getattr(f.eyelids, side)
        assert eye.crease, (side, eye)
        for h in eye.crease_mm:
            assert h is not None and abs(h - height) <= 1.0, (side, eye.crease_mm)
        assert g.extra[f"{side}_type"] == 1 and g.extra[f"{side}_type_confidence"] > 0.7
        assert len(eye.crease_line) > 0


def test_planted_crease_on_a_single_eyelid(analyzer, faces_dir):
    """A crease drawn on a natural single eyelid (real lid texture) is found."""
    rgb = _load(faces_dir, "ccby_london_087.jpg")
    face = analyzer.analyze(rgb).faces[0]
    f = analyzer.analyze(_plant(rgb, face, 5.0)).faces[0]
    for side in SIDES:
        eye = getattr(f.eyelids, side)
        assert eye.crease and abs(eye.crease_mm[1] - 5.0) <= 1.0, eye
        assert f.grades["eyelids"].extra[f"{side}_type"] == 1


def test_planted_scalloped_crease(analyzer, cleaned):
    """The crease runs into the margin towards the inner corner: type 2."""
    rgb, face = cleaned
    f = analyzer.analyze(_plant(rgb, face, 5.0, merge=(0.2, 0.45))).faces[0]
    g = f.grades["eyelids"]
    for side in SIDES:
        eye = getattr(f.eyelids, side)
        inner, middle, outer = eye.crease_mm
        assert eye.crease and abs(middle - 5.0) <= 1.0 and abs(outer - 5.0) <= 1.0, eye
        assert inner is None or inner < 0.65 * middle, eye
        assert g.extra[f"{side}_type"] == 2, (side, eye)


def _synthetic_landmarks(mrd1, mrd2, brow, *, ppm=4.0, roll_deg=0.0):
    """Landmarks of two level eyes with flat lids at known distances (mm) from the pupil."""
    lm = np.zeros((478, 3))
    r = 0.5 * IRIS_DIAMETER_MM * ppm
    for side, cx in (("right", 200.0), ("left", 400.0)):
        upper, brw = E._index_sets(side)
        lower = E._lower_margin(side)
        c, a, b, cc, d = E._IRIS[side]
        lm[c, :2] = (cx, 300.0)
        lm[[a, b, cc, d], :2] = [(cx + r, 300), (cx, 300 - r), (cx - r, 300), (cx, 300 + r)]
        xs = np.linspace(cx - 15 * ppm, cx + 15 * ppm, len(upper))
        lm[upper, 0] = xs
        lm[upper, 1] = 300 - mrd1 * ppm
        lm[[upper[0], upper[-1]], 1] = 300.0  # the corners
        lm[lower, 0] = np.linspace(cx - 12 * ppm, cx + 12 * ppm, len(lower))
        lm[lower, 1] = 300 + mrd2 * ppm
        lm[brw, 0] = np.linspace(cx - 15 * ppm, cx + 15 * ppm, len(brw))
        lm[brw, 1] = 300 - (mrd1 + brow) * ppm
    if roll_deg:
        a = math.radians(roll_deg)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        lm[:, :2] = (lm[:, :2] - 300.0) @ rot.T + 300.0
    return lm


@pytest.mark.parametrize("roll", [0.0, 15.0, -25.0])
def test_lid_geometry_known_answers(roll):
    lm = _synthetic_landmarks(4.0, 6.5, 14.0, roll_deg=roll)
    for side in SIDES:
        geo = E.lid_geometry(lm, side)
        assert geo["mrd1_mm"] == pytest.approx(4.0, abs=1e-6)
        assert geo["mrd2_mm"] == pytest.approx(6.5, abs=1e-6)
        assert geo["scleral_show_mm"] == pytest.approx(6.5 - IRIS_DIAMETER_MM / 2, abs=1e-6)
        assert geo["brow_mm"] == pytest.approx(14.0, abs=1e-6)
        assert geo["opening_mm"] == pytest.approx(10.5, abs=1e-6)
        assert geo["px_per_mm"] == pytest.approx(4.0)


def test_droopy_scores_are_monotone():
    p = E.Params()
    # upper lid lowered over the pupil: MRD1 falls, the score falls
    ups = [
        E.upper_score(E.lid_geometry(_synthetic_landmarks(m, 5.5, 14.0), "left")["mrd1_mm"], p)
        for m in (5.0, 4.0, 3.0, 2.0, 1.0, 0.0)
    ]
    assert all(a > b for a, b in zip(ups, ups[1:], strict=False)), ups
    assert ups[0] > 90 and ups[-1] < 10
    # lower lid sinking below the iris: scleral show grows, the score falls
    lows = [
        E.lower_score(
            E.lid_geometry(_synthetic_landmarks(4.0, m, 14.0), "right")["scleral_show_mm"], p
        )
        for m in (5.0, 5.85, 6.5, 7.0, 7.5, 8.5)
    ]
    assert all(a > b for a, b in zip(lows, lows[1:], strict=False)), lows
    assert lows[0] > 90 and lows[-1] < 10
    assert 1.0 <= min(ups + lows) and max(ups + lows) <= 100.0


def test_real_scleral_show_moves_the_score(analyzer, creased):
    """Moving the real lower-lid landmarks down by k mm adds k mm of scleral show."""
    _, face = creased
    lm = face.geometry.landmarks.copy()
    base = E.lid_geometry(lm, "left")
    lower = E._lower_margin("left")
    scores = []
    for k in (0.0, 1.0, 2.0, 3.0):
        moved = lm.copy()
        moved[lower, 1] += k * base["px_per_mm"]
        geo = E.lid_geometry(moved, "left")
        assert geo["scleral_show_mm"] == pytest.approx(base["scleral_show_mm"] + k, abs=0.05)
        scores.append(E.lower_score(geo["scleral_show_mm"], E.Params()))
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] + 50


def _eyelid(heights, depths, mrd1=4.0, show=-0.5):
    crease = heights[1] is not None and (heights[0] is not None or heights[2] is not None)
    return Eyelid(
        crease=crease,
        crease_mm=heights,
        crease_depth=depths,
        crease_line=np.zeros((0, 2), np.float32),
        mrd1_mm=mrd1,
        mrd2_mm=show + IRIS_DIAMETER_MM / 2,
        scleral_show_mm=show,
        brow_mm=14.0,
        opening_mm=mrd1 + show + IRIS_DIAMETER_MM / 2,
        lines=30,
    )


def test_type_and_grade_known_answers():
    p = E.Params()
    assert E.eyelid_type(_eyelid((None, None, None), (0.5, 0.3, 0.2)), p)[0] == 0
    assert E.eyelid_type(_eyelid((None, 4.0, None), (0.5, 6.0, 0.2)), p)[0] == 0  # a lone line
    assert E.eyelid_type(_eyelid((4.0, 4.2, 4.5), (8.0, 9.0, 8.0)), p)[0] == 1
    assert E.eyelid_type(_eyelid((None, 4.2, 4.5), (0.5, 9.0, 8.0)), p)[0] == 2
    assert E.eyelid_type(_eyelid((1.5, 4.2, 4.5), (4.0, 9.0, 8.0)), p)[0] == 2
    # confidence grows with the crease's depth
    weak = E.eyelid_type(_eyelid((4.0, 4.2, 4.5), (3.0, 2.5, 3.0)), p)[1]
    strong = E.eyelid_type(_eyelid((4.0, 4.2, 4.5), (8.0, 9.0, 8.0)), p)[1]
    assert 0.5 <= weak < strong <= 1.0
    fine = _eyelid((4.0, 4.2, 4.5), (8.0, 9.0, 8.0))
    droopy = _eyelid((None, None, None), (0.0, 0.0, 0.0), mrd1=1.0, show=2.0)
    g = E.grade(Eyelids(left=fine, right=droopy), p)
    assert set(g.zones) == {"left_eyelid", "right_eyelid"}
    assert g.extra["left_type"] == 1 and g.extra["right_type"] == 0
    assert g.extra["left_droopy_upper"] > 80 > 20 > g.extra["right_droopy_upper"]
    assert g.extra["left_droopy_lower"] > 80 > 20 > g.extra["right_droopy_lower"]
    assert g.extra["droopy_upper_eyelid"] == pytest.approx(
        0.5 * (g.extra["left_droopy_upper"] + g.extra["right_droopy_upper"]), abs=0.06
    )
    assert g.whole.severity >= 1
    both_fine = E.grade(Eyelids(left=fine, right=None), p)
    assert both_fine.whole.severity == 0 and set(both_fine.zones) == {"left_eyelid"}
    assert both_fine.whole.score > g.whole.score


def test_dialects_render_the_eyelids(faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    res = skincore.Analyzer(threads=2, concerns=("eyelids",)).analyze(rgb)
    g = res.faces[0].grades["eyelids"]
    adv = res.to_dict("ailab-advanced")["result"]
    for side in ("left", "right"):
        assert adv[f"{side}_eyelids"]["value"] == g.extra[f"{side}_type"]
    out = {o["type"]: o for o in res.to_dict("youcam-sd")["data"]["results"]["output"]}
    assert out["droopy_upper_eyelid"]["raw_score"] == pytest.approx(
        g.extra["droopy_upper_eyelid"], abs=0.01
    )
    assert "droopy_lower_eyelid" in out
    from skincore.visuals.maps import youcam_masks

    files = youcam_masks(res, hd=False)
    assert {"droopy_upper_eyelid_output.png", "droopy_lower_eyelid_output.png"} <= set(files)


def test_closed_eye_is_not_measured(faces_dir):
    """London 087's mesh with the right eye closed (every upper-lid point 1 mm above
    the lower lid at mid-eye): that eye has no lid position to read (it would be a
    lid far below the pupil, a droopy score near 0); the left one is measured as before."""
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces

    rgb = _load(faces_dir, "ccby_london_087.jpg")
    pts = find_faces(rgb, max_faces=1)[0][1].points.astype(np.float64)
    open_ = E.measure(FaceWork(rgb, pts), E.Params())
    assert open_ is not None and open_.right is not None and open_.left is not None
    geo = E.lid_geometry(pts, "right")
    closed = pts.copy()
    upper, _ = E._index_sets("right")
    pupil_y = pts[E._IRIS["right"][0], 1]
    closed[list(upper[1:-1]), 1] = pupil_y + (geo["mrd2_mm"] - 1.0) * geo["px_per_mm"]
    assert E.lid_geometry(closed, "right")["opening_mm"] < E.Params().min_opening_mm
    got = E.measure(FaceWork(rgb, closed), E.Params())
    assert got is not None and got.right is None
    assert got.left is not None and got.left.mrd1_mm == open_.left.mrd1_mm
    assert got.left.crease_depth == open_.left.crease_depth
    both = closed.copy()
    upper_l, _ = E._index_sets("left")
    geo_l = E.lid_geometry(pts, "left")
    pupil_l = pts[E._IRIS["left"][0], 1]
    both[list(upper_l[1:-1]), 1] = pupil_l + (geo_l["mrd2_mm"] - 1.0) * geo_l["px_per_mm"]
    assert E.measure(FaceWork(rgb, both), E.Params()) is None


def test_closed_eyes_say_why_eyelids_are_absent():
    """An ACNE04 clinic photo taken with both eyes closed: no eyelid result, and the reason."""
    from pathlib import Path

    found = sorted(Path(__file__).parents[2].glob("shared/data/acne04-dev/levle2_37_*.jpg"))
    if not found:
        pytest.skip("../shared/data not present")
    rgb = np.asarray(Image.open(found[0]).convert("RGB"))
    an = skincore.Analyzer(
        threads=2, concerns=("eyelids",), limits=skincore.Limits(max_out_of_bound=0.5)
    )
    face = an.analyze(rgb).faces[0]
    assert face.concerns["eyelids"] is None
    assert "closed" in face.skipped["eyelids"]
