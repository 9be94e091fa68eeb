"""The iris edge's width on the face (Quality.blur_mm): known blur, rescaling, closed eyes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageFilter

import skincore
from skincore import Limits, SkinError
from skincore.face.finder import find_faces
from skincore.face.regions import MIRROR
from skincore.face.scale import px_per_mm
from skincore.face.sharpness import limbus_blur_mm
from skincore.limits import QUALITY_CONTROL


@pytest.fixture(scope="module")
def sample() -> Image.Image:
    return Image.open(skincore.sample_path()).convert("RGB")


def _blur(img: Image.Image) -> tuple[float, float]:
    rgb = np.asarray(img)
    pts = find_faces(rgb, max_faces=1)[0][1].points
    return limbus_blur_mm(rgb, pts), px_per_mm(pts)


def test_known_blur_adds_in_quadrature(sample):
    """A Gaussian blur of s pixels widens the edge to about sqrt(b0^2 + s^2): the
    measured width grows with it, within 20 % of that sum of squares while the
    blur stays well inside the profile (a fifth of the iris radius, 33 px here;
    wider blurs are under-read, and read far above any limit)."""
    b0, ppm = _blur(sample)
    assert 0.15 < b0 < 0.4  # the sharp packaged selfie: about 0.26 mm
    last = b0
    for s in (2.0, 4.0, 6.0):
        b, _ = _blur(sample.filter(ImageFilter.GaussianBlur(s)))
        want = math.hypot(b0 * ppm, s) / ppm
        assert b > last and b == pytest.approx(want, rel=0.2), (s, b, want)
        last = b


def test_upscaling_does_not_sharpen(sample):
    """Halved, then upscaled twice: it reads as the halved photo, not the original."""
    half = sample.resize((sample.width // 2, sample.height // 2), Image.Resampling.LANCZOS)
    up = half.resize(sample.size, Image.Resampling.BICUBIC)
    b_full, b_half, b_up = _blur(sample)[0], _blur(half)[0], _blur(up)[0]
    assert b_half > b_full
    assert b_up == pytest.approx(b_half, rel=0.2) and b_up > b_full


def test_closed_eyes_are_not_judged(sample):
    """With both eyes' mid upper lid on the mid lower lid, no limbus is read: NaN."""
    rgb = np.asarray(sample)
    pts = find_faces(rgb, max_faces=1)[0][1].points.astype(np.float64)
    assert math.isfinite(limbus_blur_mm(rgb, pts))
    closed = pts.copy()
    for up, lo in ((159, 145), (MIRROR[159], MIRROR[145])):
        closed[up, :2] = closed[lo, :2]
    assert math.isnan(limbus_blur_mm(rgb, closed))
    grey = np.full_like(rgb, 128)  # no edge anywhere: no profile counts
    assert math.isnan(limbus_blur_mm(grey, pts))


def test_blurred_face_refused_under_quality_control(sample):
    an = skincore.Analyzer(threads=2, concerns=("tone",))
    q = an.analyze(sample).faces[0].quality
    assert q.blur_mm == pytest.approx(_blur(sample)[0])
    assert an.analyze(sample, limits=Limits(**QUALITY_CONTROL)).faces
    soft = sample.filter(ImageFilter.GaussianBlur(8))
    with pytest.raises(SkinError) as e:
        an.analyze(np.asarray(soft), limits=Limits(**QUALITY_CONTROL))
    assert e.value.code == "blurred_image"
    assert e.value.context["blur_mm"] > QUALITY_CONTROL["max_blur_mm"]
    assert an.analyze(np.asarray(soft)).faces  # off by default
