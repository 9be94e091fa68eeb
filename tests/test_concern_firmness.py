"""Firmness: planted nasolabial folds on a real face raise the sag load; known answers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

import skincore
from skincore import geometry
from skincore.analysis import Firmness
from skincore.concerns import firmness as F


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=("wrinkles", "firmness"))


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_canada_003f.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb).faces[0]


def _fold(rgb, face, zone, darkening=0.25):
    """A soft dark line along the long axis of a zone's polygon."""
    poly = face.geometry.regions[zone]
    c = poly.mean(axis=0)
    u, s, vt = np.linalg.svd(poly - c, full_matrices=False)
    axis = vt[0]
    t = (poly - c) @ axis
    a, b = c + 0.8 * t.min() * axis, c + 0.8 * t.max() * axis
    ppm = face.geometry.px_per_mm
    mask = Image.new("L", (rgb.shape[1], rgb.shape[0]), 0)
    ImageDraw.Draw(mask).line([tuple(a), tuple(b)], fill=255, width=max(1, round(0.6 * ppm)))
    soft = geometry.gaussian_blur(np.asarray(mask, np.float32) / 255.0, 0.3 * ppm)
    gain = 1.0 - darkening * np.clip(soft / max(soft.max(), 1e-6), 0, 1)
    return np.clip(rgb * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


def test_planted_folds_raise_the_sag_load(analyzer, base):
    rgb, face = base
    img = _fold(_fold(rgb, face, "left_nasolabial"), face, "right_nasolabial")
    got = analyzer.analyze(img).faces[0]
    assert got.firmness.zones["left_nasolabial"] > face.firmness.zones["left_nasolabial"] + 0.1
    assert got.firmness.sag_load > face.firmness.sag_load
    assert got.scores["firmness"]["whole"].raw < face.scores["firmness"]["whole"].raw
    # the fold load is the wrinkle concern's own (read once, not re-measured)
    assert got.firmness.zones["left_nasolabial"] == got.wrinkles.zones["left_nasolabial"].load


def test_known_answers():
    r = Firmness(sag_load=0.0, zones={})
    assert F.grade(r, F.Params()).whole.score == 100.0
    loads = [0.0, 0.2, 0.7, 2.0]
    grades = [F.grade(Firmness(v, {"left_nasolabial": v}), F.Params()) for v in loads]
    assert [g.whole.severity for g in grades] == [0, 1, 2, 3]
    scores = [g.whole.score for g in grades]
    assert scores == sorted(scores, reverse=True)
