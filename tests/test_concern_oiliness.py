"""Oil and shine: planted specular highlights of known area on a real face."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import geometry
from skincore.analysis import Oiliness, OilZone
from skincore.concerns import oiliness as O


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("oiliness",))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb).faces[0]


def _plant(rgb, face, radius_mm: float, strength: float = 0.6):
    """White-ish highlights (blend towards white) on both cheeks; returns image and disk mask."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    disks = np.zeros((h, w), bool)
    r = radius_mm * face.geometry.px_per_mm
    for side in ("left_cheek", "right_cheek"):
        poly = face.geometry.regions[side]
        cx, cy = poly.mean(axis=0)
        disks |= (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    soft = geometry.gaussian_blur(disks.astype(np.float32), 0.6)
    out = rgb.astype(np.float32) + strength * soft[..., None] * (250.0 - rgb)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), disks


def test_planted_shine_area_within_20_percent(analyzer, base):
    rgb, face = base
    clean = face.oiliness
    for radius in (3.0, 5.0):
        img, disks = _plant(rgb, face, radius)
        got = analyzer.analyze(img).faces[0].oiliness
        for side in ("left_cheek", "right_cheek"):
            z0, z = clean.zones[side], got.zones[side]
            planted_px = disks.sum() / 2  # image pixels per cheek
            measured_px = (z.area - z0.area) * z.area_px / (got.mask.scale**2)
            assert measured_px == pytest.approx(planted_px, rel=0.2), (radius, side)
            assert z.intensity > 10.0


def test_monotone_in_planted_area_and_strength(analyzer, base):
    rgb, face = base
    areas = [analyzer.analyze(_plant(rgb, face, r)[0]).faces[0].oiliness.area for r in (0, 2, 4, 6)]
    assert areas == sorted(areas) and areas[-1] > areas[0] + 0.01
    sev = [
        analyzer.analyze(_plant(rgb, face, r)[0]).faces[0].grades["oiliness"].zones["left_cheek"]
        for r in (0.0, 6.0)
    ]
    assert sev[0].severity <= sev[1].severity and sev[1].score < sev[0].score


def test_pale_patch_is_not_shine(analyzer, base):
    """A lighter patch that keeps the skin's hue and chroma is not a highlight."""
    rgb, face = base
    from skimage import color as skcolor

    _, disks = _plant(rgb, face, 5.0)
    lab = skcolor.rgb2lab(rgb / 255.0)
    lab[..., 0] += 12.0 * geometry.gaussian_blur(disks.astype(np.float32), 0.6)
    lab[..., 1:] *= 1.0 + 0.3 * geometry.gaussian_blur(disks.astype(np.float32), 0.6)[..., None]
    img = np.clip(skcolor.lab2rgb(lab) * 255 + 0.5, 0, 255).astype(np.uint8)
    got = analyzer.analyze(img).faces[0].oiliness
    assert got.zones["left_cheek"].area < face.oiliness.zones["left_cheek"].area + 0.01


def test_levels_and_fields(analyzer, base):
    p = O.Params()
    assert [O.level(a, p) for a in (0.0, 0.019, 0.02, 0.079, 0.08, 0.5)] == [0, 0, 1, 1, 2, 2]
    g = O.grade(Oiliness(0.05, {"t_zone": OilZone(0.05, 20.0, 100)}, None), p)
    assert g.zones["t_zone"].severity == 1 and 0.5 < g.zones["t_zone"].confidence <= 1
    rgb, face = base
    r = analyzer.analyze(_plant(rgb, face, 6.0)[0])
    pro = r.to_dict("ailab-pro", return_maps=["texture_enhanced_oily_area"])["result"]
    assert set(pro["oily_intensity"]) == {"t_zone", "left_cheek", "right_cheek", "chin_area"}
    assert pro["oily_intensity"]["left_cheek"]["intensity"] >= 1
    assert "texture_enhanced_oily_area" in pro["face_maps"]
    assert 0 <= pro["score_info"]["oily_intensity_score"] <= 100
    yc = r.to_dict("youcam-hd")["data"]["results"]["output"]
    assert "hd_oiliness" in {o["type"] for o in yc}


def test_shine_map_takes_any_lab_layout():
    # float64 and strided Lab give the float32 result (as the NumPy composition did)
    from skincore.concerns.oiliness import Params, shine_map

    rng = np.random.default_rng(4)
    lab = np.stack(
        [rng.uniform(40, 80, (60, 50)), rng.uniform(5, 20, (60, 50)), rng.uniform(5, 25, (60, 50))],
        -1,
    ).astype(np.float32)
    lab[20:25, 20:25, 0] += 25.0  # a highlight
    lab[20:25, 20:25, 1:] *= 0.3
    skin = np.full((60, 50), 255, np.uint8)
    want = shine_map(lab, skin, 3.0, Params(), threads=1)
    assert want[0].any()
    big = np.zeros((60, 100, 3), np.float32)
    big[:, ::2] = lab
    for other in (lab.astype(np.float64), big[:, ::2]):  # float64; pixels not packed
        got = shine_map(other, skin, 3.0, Params(), threads=1)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
