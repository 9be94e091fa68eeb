"""Skin type: planted shine on known zones of a real face decides oily / combination."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import geometry
from skincore.concerns import skin_type as S


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("oiliness", "roughness", "skin_type"))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb)


def _shine(rgb, face, zones, radius_mm=6.0, strength=0.6):
    """White-ish highlights (a blend towards white) at the centre of each zone."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    disks = np.zeros((h, w), bool)
    r = radius_mm * face.geometry.px_per_mm
    for zone in zones:
        cx, cy = face.geometry.regions[zone].mean(axis=0)
        disks |= (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    soft = geometry.gaussian_blur(disks.astype(np.float32), 0.6)
    out = rgb.astype(np.float32) + strength * soft[..., None] * (250.0 - rgb)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def test_matte_face_is_normal_with_a_full_score(base):
    _, res = base
    st = res.faces[0].skin_type
    assert st.kind == "normal"
    assert all(z.call != "oily" for z in st.zones.values())
    assert res.faces[0].scores["skin_type"]["whole"].raw > 90


def test_shiny_t_zone_is_combination_and_everywhere_is_oily(analyzer, base):
    rgb, res = base
    face = res.faces[0]
    t_only = analyzer.analyze(_shine(rgb, face, ("forehead", "nose"))).faces[0]
    assert t_only.skin_type.zones["t_zone"].call == "oily"
    assert t_only.skin_type.kind == "combination"
    zones = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
    allz = analyzer.analyze(_shine(rgb, face, zones)).faces[0]
    assert allz.skin_type.kind == "oily"
    # more shine, lower score; the t-zone score falls first
    s0, s1, s2 = (f.scores["skin_type"]["whole"].raw for f in (face, t_only, allz))
    assert s0 > s1 >= s2
    doc = skincore.Analysis(res.width, res.height, [allz], res.meta).to_dict(
        "face-field", face_field="skinquality"
    )
    checks = doc["result"]["face_list"][0]["skinquality"]["skin_dryoil_check"]
    assert checks == [
        {"dry": "0", "neutral": "1", "oily": "2"}[allz.skin_type.zones[z].call] for z in zones
    ]
    pro = skincore.Analysis(res.width, res.height, [allz], res.meta).to_dict("ailab-pro")
    assert pro["result"]["skin_type"]["skin_type"] == 0
    assert pro["result"]["skin_type"]["details"]["0"]["value"] == 1


@pytest.mark.parametrize(
    ("shine", "rough", "call"),
    [
        (0.10, 0.0, "oily"),
        (0.03, None, "oily"),
        (0.0, 0.5, "dry"),
        (0.01, 0.5, "neutral"),  # rough but not matte
        (0.0, 0.1, "neutral"),  # matte but smooth
        (0.0, None, "neutral"),  # no texture measure: never dry
    ],
)
def test_zone_calls(shine, rough, call):
    got, conf = S._zone_call(shine, rough, S.Params())
    assert got == call and 0.5 <= conf <= 1.0


def test_youcam_names_and_subcategories(base):
    _, res = base
    for dialect, key in (("youcam-sd", "skin_type"), ("youcam-hd", "hd_skin_type")):
        out = res.to_dict(dialect)["data"]["results"]["output"]
        item = next(o for o in out if o["type"] == key)
        assert item["value"] == "Normal"
    from skincore.dialects.youcam import score_info

    info = score_info(res, hd=True)["hd_skin_type"]
    assert set(info) == {"whole", "t_zone", "u_zone"}
    assert info["whole"]["output_mask_name"] == "hd_skin_type.png"
