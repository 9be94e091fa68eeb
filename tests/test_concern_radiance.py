"""Radiance: mottling planted on real skin makes it less even; a uniform change of
exposure or size does not."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import geometry
from skincore.concerns import radiance as R


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("radiance",))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_canada_003f.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb).faces[0]


def _mottle(rgb, face, amount, seed=5):
    """Blotches of 2-4 mm over the whole image, +-amount of the intensity."""
    rng = np.random.default_rng(seed)
    ppm = face.geometry.px_per_mm
    n = rng.standard_normal(rgb.shape[:2]).astype(np.float32)
    blot = geometry.gaussian_blur(n, 2.5 * ppm)
    blot /= blot.std()
    gain = 1.0 + amount * np.clip(blot, -3, 3)
    return np.clip(rgb * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


def test_mottling_raises_unevenness_monotonically(analyzer, base):
    rgb, face = base
    values = [face.radiance.unevenness]
    for amount in (0.03, 0.06):
        values.append(analyzer.analyze(_mottle(rgb, face, amount)).faces[0].radiance.unevenness)
    assert values[0] < values[1] < values[2]
    assert values[2] > values[0] + 1.0
    scores = [R.grade(skincore.analysis.Radiance(v, 0.0, face.radiance.mask), R.Params())
              for v in values]  # fmt: skip
    assert scores[0].whole.score > scores[1].whole.score > scores[2].whole.score


def test_exposure_and_size_do_not_change_it_much(analyzer, base):
    rgb, face = base
    darker = np.clip(rgb.astype(np.float32) * 0.85 + 0.5, 0, 255).astype(np.uint8)
    small = np.asarray(
        Image.fromarray(rgb).resize((rgb.shape[1] * 3 // 4, rgb.shape[0] * 3 // 4), Image.LANCZOS)
    )
    for img in (darker, small):
        got = analyzer.analyze(img).faces[0].radiance
        assert got.unevenness == pytest.approx(face.radiance.unevenness, rel=0.2)


def test_youcam_radiance(base, analyzer):
    rgb, _ = base
    res = analyzer.analyze(rgb)
    out = {o["type"]: o for o in res.to_dict("youcam-sd")["data"]["results"]["output"]}
    assert 1 <= out["radiance"]["raw_score"] <= 100
    from skincore.visuals.maps import youcam_masks

    assert "hd_radiance_output.png" in youcam_masks(res, hd=True)
