"""Side photos (AILab Pro): quality codes and the jawline on a real three-quarter photo."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.face import side as S


@pytest.fixture(scope="module")
def three_quarter(faces_dir):
    # The subject turns to their right: their left side faces the camera (yaw < 0).
    return np.asarray(Image.open(faces_dir / "cc0_darkskin_makeup_3q.jpg").convert("RGB"))


def test_quality_codes(three_quarter, faces_dir):
    left = S.measure_side(three_quarter, "left")
    assert left.quality == S.GOOD and left.yaw < -S.TURN_RANGE[0]
    assert 90.0 < left.angle < 170.0 and len(left.mark) == len(S.JAW_CONTOUR["left"])
    # the jaw drawn is the near side: on the image's right half here
    assert left.mark[:, 0].mean() > three_quarter.shape[1] / 2
    assert S.measure_side(three_quarter, "right").quality == S.WRONG_SIDE
    mirrored = np.ascontiguousarray(three_quarter[:, ::-1])
    right = S.measure_side(mirrored, "right")
    assert right.quality == S.GOOD
    assert right.angle == pytest.approx(left.angle, abs=3.0)  # a mirror keeps the angle
    frontal = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    assert S.measure_side(frontal, "left").quality == S.TOO_LITTLE
    assert S.measure_side(np.full((300, 300, 3), 120, np.uint8), "left").quality == S.NO_FACE
    with pytest.raises(ValueError, match="side"):
        S.measure_side(three_quarter, "top")


def test_jawline_angle_known_answer():
    pts = np.zeros((478, 2))
    contour = S.JAW_CONTOUR["right"]
    # ear at (0, 0), corner at (0, 10), chin at (10, 10): a right angle at the corner
    path = [(0, y) for y in np.linspace(0, 10, 5)] + [(x, 10) for x in np.linspace(2, 10, 6)]
    for i, p in zip(contour, path, strict=True):
        pts[i] = p
    _, angle = S.jawline(pts, "right")
    assert angle == pytest.approx(90.0, abs=1e-6)


def test_pro_side_results(three_quarter, sample_path):
    res = skincore.analyze(sample_path, concerns=["tone"], left_side_image=three_quarter)
    doc = res.to_dict("ailab-pro", return_side_results="jawline_info")
    side = doc["left_side_result"]
    assert side["left_jawline_quality"] == 1
    assert side["left_jawline_angle"] == pytest.approx(res.sides["left"].angle, abs=0.01)
    assert len(side["left_jawline_mark"]) >= 5 and "right_side_result" not in doc
    assert "left_side_result" not in res.to_dict("ailab-pro")  # only when asked
    plain = skincore.analyze(sample_path, concerns=["tone"])
    with pytest.raises(skincore.SkinError, match="side_image"):
        plain.to_dict("ailab-pro", return_side_results="jawline_info")
    with pytest.raises(skincore.SkinError, match="bogus"):
        res.to_dict("ailab-pro", return_side_results="bogus")
