"""Moisture: planted rough, matte texture on a real cheek reads as dehydrated-looking;
the same texture under shine does not."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import geometry
from skincore.concerns import moisture as M


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("oiliness", "roughness", "moisture"))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_canada_003f.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb).faces[0]


def _disk(rgb, face, zone, radius_mm):
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    cx, cy = face.geometry.regions[zone].mean(axis=0)
    r = radius_mm * face.geometry.px_per_mm
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r


def _flaky(rgb, face, disk, amount=0.12, seed=3):
    """Multiply the disk by (1 + amount * band-passed noise at ~0.5 mm)."""
    rng = np.random.default_rng(seed)
    ppm = face.geometry.px_per_mm
    n = rng.standard_normal(rgb.shape[:2]).astype(np.float32)
    band = geometry.gaussian_blur(n, 0.35 * ppm) - geometry.gaussian_blur(n, 1.2 * ppm)
    band /= band[disk].std()
    soft = geometry.gaussian_blur(disk.astype(np.float32), 1.0)
    gain = 1.0 + amount * np.clip(band, -3, 3) * soft
    return np.clip(rgb * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


def _shine(rgb, disk, strength=0.6):
    soft = geometry.gaussian_blur(disk.astype(np.float32), 0.6)
    out = rgb.astype(np.float32) + strength * soft[..., None] * (250.0 - rgb)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def test_flaky_matte_patch_reads_dehydrated(analyzer, base):
    rgb, face = base
    disk = _disk(rgb, face, "left_cheek", 9.0)
    got = analyzer.analyze(_flaky(rgb, face, disk)).faces[0]
    m0, m1 = face.moisture, got.moisture
    assert m1.zones["left_cheek"] > m0.zones["left_cheek"] + 0.15
    assert m1.area > m0.area and m1.severity > m0.severity
    assert got.scores["moisture"]["whole"].raw < face.scores["moisture"]["whole"].raw
    # the right cheek, untouched, does not move
    assert m1.zones["right_cheek"] == pytest.approx(m0.zones["right_cheek"], abs=0.02)


def test_the_same_texture_under_shine_is_not_dehydrated(analyzer, base):
    rgb, face = base
    disk = _disk(rgb, face, "left_cheek", 9.0)
    flaky = analyzer.analyze(_flaky(rgb, face, disk)).faces[0].moisture
    spots = np.zeros_like(disk)
    ppm = face.geometry.px_per_mm
    cx, cy = face.geometry.regions["left_cheek"].mean(axis=0)
    h, w = disk.shape
    yy, xx = np.mgrid[:h, :w]
    for dx in (-6, 0, 6):  # glints scattered over the patch (shine is local)
        for dy in (-6, 0, 6):
            spots |= (xx - cx - dx * ppm) ** 2 + (yy - cy - dy * ppm) ** 2 <= (1.2 * ppm) ** 2
    shiny = analyzer.analyze(_shine(_flaky(rgb, face, disk), spots)).faces[0]
    assert shiny.oiliness.zones["left_cheek"].area > 0.01
    assert shiny.moisture.zones["left_cheek"] < 0.5 * flaky.zones["left_cheek"]


def test_severity_and_dialects(base):
    _, face = base
    assert M.Params().full_area > 0
    res = skincore.Analyzer(threads=2, concerns=("oiliness", "roughness", "moisture")).analyze(
        np.asarray(Image.open(skincore.sample_path()).convert("RGB"))
    )
    m = res.faces[0].moisture
    assert m.severity == pytest.approx(100 * min(1.0, m.area / M.Params().full_area), abs=0.01)
    pro = res.to_dict("ailab-pro", return_maps="water_area")["result"]
    assert pro["water"]["water_area"] == pytest.approx(m.area, abs=1e-4)
    assert set(pro["water"]) >= {"water_severity", "water_forehead", "water_leftcheek"}
    assert "water_area" in pro["face_maps"] and "water_score" in pro["score_info"]
    assert "hd_moisture" in {
        o["type"] for o in res.to_dict("youcam-hd")["data"]["results"]["output"]
    }
