"""Eye bags: planted under-eye relief (a bright bulge over a dark groove) on a real face."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.concerns import eye_bags as E
from skincore.face.regions import lower_lid


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("eye_bags",))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb).faces[0]


def _relief(rgb, face, amount, *, bulge_mm=3.5, groove_mm=7.5, width_mm=1.6):
    """Shade both under-eyes: lighter band at ``bulge_mm``, darker at ``groove_mm`` below the lid.

    ``amount`` is the fractional change of the linear-ish intensity at the band centres.
    """
    h, w = rgb.shape[:2]
    ppm = face.geometry.px_per_mm
    gain = np.ones((h, w), np.float32)
    yy, xx = np.mgrid[:h, :w]
    for side in ("left", "right"):
        lx, ly = lower_lid(face.geometry.regions[f"{side}_eye"])
        inside = (xx >= lx[0]) & (xx <= lx[-1])
        lid = np.interp(xx, lx, ly)
        d = (yy - lid) / ppm  # mm below the lid
        band = np.exp(-0.5 * ((d - bulge_mm) / width_mm) ** 2)
        groove = np.exp(-0.5 * ((d - groove_mm) / width_mm) ** 2)
        gain = np.where(inside & (d > 0), gain * (1 + amount * band) * (1 - amount * groove), gain)
    out = rgb.astype(np.float32) * gain[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def test_clean_face_has_no_bags(base):
    _, face = base
    g = face.grades["eye_bags"]
    assert g.whole.severity == 0
    assert g.extra["left_type"] == g.extra["right_type"] == 0


def test_planted_relief_is_found_and_deepens_with_its_amount(analyzer, base):
    rgb, face = base
    depths = []
    for amount in (0.12, 0.2, 0.3):
        f = analyzer.analyze(_relief(rgb, face, amount)).faces[0]
        bags = f.eye_bags
        depths.append(bags.left.depth + bags.right.depth)
        if amount < 0.2:
            continue  # a 12 % relief is at the detection limit on this face's slope
        for side in ("left", "right"):
            eye = getattr(bags, side)
            # the groove where it was planted (7.5 mm), the bag outlined
            assert eye.fat and 6.0 <= eye.groove_mm <= 9.0, (amount, side, eye.groove_mm)
            assert eye.depth >= E.Params().presence_depth
            assert eye.rect is not None and len(eye.outline) >= 4
        g = f.grades["eye_bags"]
        assert g.whole.severity >= 1 and g.extra["left_type"] in (1, 3)
    assert depths[0] < depths[1] < depths[2]


def test_dark_circle_without_a_bulge_is_not_a_bag(analyzer, base):
    """Darkest right under the lid, brightening towards the cheek: no valley, no bag."""
    rgb, face = base
    h, w = rgb.shape[:2]
    ppm = face.geometry.px_per_mm
    yy, xx = np.mgrid[:h, :w]
    gain = np.ones((h, w), np.float32)
    for side in ("left", "right"):
        lx, ly = lower_lid(face.geometry.regions[f"{side}_eye"])
        d = (yy - np.interp(xx, lx, ly)) / ppm
        inside = (xx >= lx[0]) & (xx <= lx[-1]) & (d > 0)
        gain = np.where(inside, 1 - 0.25 * np.exp(-d / 5.0), gain)
    img = np.clip(rgb * gain[..., None] + 0.5, 0, 255).astype(np.uint8)
    f = analyzer.analyze(img).faces[0]
    assert f.grades["eye_bags"].whole.severity == 0


def test_dialects(analyzer, base):
    rgb, face = base
    res = analyzer.analyze(_relief(rgb, face, 0.2))
    f = res.faces[0]
    pro = res.to_dict("ailab-pro")["result"]
    assert pro["eye_pouch"]["value"] == 1
    assert pro["eye_pouch_severity"]["value"] == f.grades["eye_bags"].whole.severity - 1
    assert set(pro["left_eye_pouch_rect"]) == {"left", "top", "width", "height"}
    adv = res.to_dict("ailab-advanced")["result"]
    assert adv["eye_pouch"]["value"] == 1
    attr = res.to_dict("face-field", face_field="eyesattr")["result"]["face_list"][0]["eyesattr"]
    assert attr["eye_bags_left_type"] in ([1], [3]) and len(attr["eye_bags_left"]) >= 4
    out = {o["type"] for o in res.to_dict("youcam-hd")["data"]["results"]["output"]}
    assert {"hd_eye_bag", "hd_tear_trough"} <= out
    clean = analyzer.analyze(rgb).to_dict("ailab-pro")["result"]
    assert clean["eye_pouch"]["value"] == 0 and "eye_pouch_severity" not in clean


def _profile(ppm: float, points: list[tuple[float, float]], length_mm: float = 19.0):
    """A lightness profile (L*, one sample per grid pixel below the lid), NaN for the
    first 2 mm (the lid margin outside the skin mask), linear between ``points``."""
    d = np.arange(int(length_mm * ppm)) / ppm
    xs, ys = zip(*points, strict=True)
    prof = np.interp(d, xs, ys)
    prof[d < 2.0] = np.nan
    return prof


def test_a_dark_band_falling_from_the_lid_is_not_a_bag():
    # Darkest 4-6 mm under the lid and brighter on the cheek, with no brighter band
    # below the lid margin: a dark circle. The lid's first measured sample (the
    # detrending chord's anchor) is not a bulge; with it taken as one this read as a
    # 6 L* bag.
    ppm = 2.8
    prof = _profile(ppm, [(2.0, 60.0), (5.0, 52.0), (9.0, 56.0), (13.0, 61.0), (19.0, 62.0)])
    depth, *_ = E._features(prof, ppm, E.Params())
    assert depth == 0.0


def test_a_bulge_over_a_groove_is_measured():
    ppm = 2.8
    prof = _profile(
        ppm, [(2.0, 58.0), (3.5, 62.0), (5.0, 60.0), (7.5, 55.0), (10.5, 61.0), (19.0, 62.0)]
    )
    depth, bulge, groove, below, gi = E._features(prof, ppm, E.Params())
    assert gi / ppm == pytest.approx(7.5, abs=0.5)
    assert 4.0 < depth < 7.0  # the groove's depth under the lower of its two sides
