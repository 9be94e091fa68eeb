"""Skin age head: chip alignment geometry, the network's I/O, calibration, error paths."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from skincore import SkinError, runtime
from skincore.concerns import age_head
from skincore.concerns.age_head import (
    CALIBRATION_AGE,
    CALIBRATION_RAW,
    CLASS_AGES,
    MESH_POINTS,
    TEMPLATE,
    AgeEstimate,
    age_probabilities,
    align_chip,
    calibrate,
    chip_transform,
    estimate_age,
)
from skincore.face import detect_faces, fit_landmarks
from skincore.models import AGE, NOTICE

UTK = Path("/work/shared/data/utkface-dev")
# Self-reported ages of the London set photos (tests/data/faces/SOURCES.md).
LONDON_AGES = {
    "ccby_london_062.jpg": 30,
    "ccby_london_087.jpg": 31,
    "ccby_london_037.jpg": 37,
    "ccby_london_136.jpg": 54,
}


def _load(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def _landmarks(rgb: np.ndarray) -> np.ndarray:
    faces = detect_faces(rgb, max_faces=1)
    assert faces
    return fit_landmarks(rgb, faces[0]).points


def _template_px(size: int = 64) -> np.ndarray:
    """Template points as continuous chip coordinates (pixel centres + 0.5)."""
    return (age_head.CHIP_PADDING + TEMPLATE) / (1 + 2 * age_head.CHIP_PADDING) * size + 0.5


def _mesh_with(points5: np.ndarray) -> np.ndarray:
    mesh = np.zeros((478, 3), np.float32)
    mesh[list(MESH_POINTS), :2] = points5
    return mesh


def _similarity(points: np.ndarray, scale: float, angle: float, offset) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return points @ (scale * np.array([[c, s], [-s, c]])) + np.asarray(offset)


@pytest.fixture(scope="module")
def sample(sample_path):
    rgb = _load(sample_path)
    return rgb, _landmarks(rgb)


# --- geometry ---------------------------------------------------------------------


@pytest.mark.parametrize(("scale", "angle"), [(1.5, 0.0), (3.0, 0.35), (5.2, -0.2)])
def test_chip_puts_the_five_points_on_the_template(scale, angle):
    # Five bright dots at a known similarity of the template: in the chip they must
    # land on the template positions as dlib's extraction places them (the chip is
    # stretched by 64/63 about pixel centre 31.5 onto the template centre 32: a shift
    # of half a pixel and a scale of 63/64, under 1 px at the five points).
    tpl = _template_px()
    pts = _similarity(tpl - 32, scale, angle, (300.0, 280.0))
    img = np.zeros((600, 600, 3), np.uint8)
    yy, xx = np.mgrid[:600, :600] + 0.5
    for x, y in pts:
        img[(xx - x) ** 2 + (yy - y) ** 2 <= (1.2 * scale) ** 2] = 255
    chip = align_chip(img, _mesh_with(pts)).astype(np.float64).sum(2)
    cy, cx = np.mgrid[:64, :64] + 0.5
    expected = 32 + (tpl - 32.5) * 63 / 64
    for (tx, ty), (ex, ey) in zip(tpl, expected, strict=True):
        win = (np.abs(cx - tx) < 4) & (np.abs(cy - ty) < 4)
        w = chip * win
        assert w.sum() > 0
        fx, fy = (w * cx).sum() / w.sum(), (w * cy).sum() / w.sum()
        assert math.hypot(fx - ex, fy - ey) < 0.25
        assert math.hypot(fx - tx, fy - ty) < 1.0


def test_chip_transform_is_a_similarity_of_the_points():
    pts = _similarity(_template_px() - 32, 2.5, 0.3, (100.0, 90.0))
    tf = chip_transform(pts)
    m = tf[:, :2]
    assert m[0, 0] == pytest.approx(m[1, 1]) and m[0, 1] == pytest.approx(-m[1, 0])
    assert math.hypot(m[0, 0], m[1, 0]) == pytest.approx(2.5 * 64 / 63, rel=1e-9)
    assert math.atan2(m[1, 0], m[0, 0]) == pytest.approx(0.3, abs=1e-9)
    # chip point 32 (dlib's pixel centre 31.5) maps onto the image of the template
    # centre (dlib coordinate 32, continuous 32.5)
    centre = tf[:, :2] @ [32.0, 32.0] + tf[:, 2]
    assert np.allclose(centre, _similarity(np.array([[0.5, 0.5]]), 2.5, 0.3, (100, 90))[0])


@pytest.mark.parametrize(
    "name",
    ["cc0_selfie_30cm.jpg", "ccby_london_062.jpg", "ccby_london_087.jpg", "ccby_london_136.jpg"],
)
def test_real_faces_align_eyes_and_nose(faces_dir, name):
    rgb = _load(faces_dir / name)
    lm = _landmarks(rgb)
    tf = chip_transform(lm[list(MESH_POINTS), :2].astype(np.float64))
    inv = np.linalg.inv(np.vstack([tf, [0, 0, 1]]))
    five = lm[list(MESH_POINTS), :2].astype(np.float64)
    in_chip = five @ inv[:2, :2].T + inv[:2, 2]
    # least-squares fit: each point within 2.5 chip pixels of its template place
    assert np.max(np.linalg.norm(in_chip - _template_px(), axis=1)) < 2.5
    chip = align_chip(rgb, lm)
    assert chip.shape == (64, 64, 3) and chip.dtype == np.uint8
    assert chip[16:48, 16:48].mean() > 30  # the face, not the black fill


def test_chip_outside_the_photo_is_black():
    img = np.full((100, 100, 3), 200, np.uint8)
    pts = _similarity(_template_px() - 32, 1.0, 0.0, (5.0, 5.0))  # centred on a corner
    chip = align_chip(img, _mesh_with(pts))
    assert chip[:20, :20].max() == 0
    assert chip[-10:, -10:].min() == 200


# --- network and estimate ----------------------------------------------------------


def test_model_matches_its_notice():
    """The packaged network is the fine-tuned one, and the notice names its hash, its
    CC0 source (by hash) and the data it was trained on."""
    import onnx

    text = NOTICE.read_text()
    sha = hashlib.sha256(AGE.read_bytes()).hexdigest()
    assert sha == "7541bf873e742a04c2f80d51f06f6f8eb65d3786acfd0aa6a8f1f1aff46a990f"
    assert re.search(rf"^{AGE.name}\s+{sha}$", text, re.M)
    source = "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c"
    assert re.search(rf"age-v1\.onnx\s+{source}$", text, re.M)
    assert "CC0" in text and "Cydral Technology" in text
    assert "UTKFace" in text and "non-commercial research" in text
    assert "finetune_age.py" in onnx.load(str(AGE)).doc_string


def test_model_file_and_io():
    assert AGE.is_file()
    chips = np.zeros((3, 64, 64, 3), np.uint8)
    chips[1] = 128
    chips[2] = 255
    p = age_probabilities(chips)
    assert p.shape == (3, 81)
    assert np.allclose(p.sum(1), 1.0, atol=1e-5) and (p >= 0).all()


@pytest.mark.parametrize("threads", [1, 2])
def test_flushing_subnormals_keeps_the_outputs(sample, threads):
    """The network holds subnormal weights (multiplied in microcode on x86, a run
    5x slower); skincore's sessions are created and run with them flushed to zero
    (:mod:`skincore.runtime`), and the probabilities are those of a session with
    ONNX Runtime's defaults, bit for bit."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    tiny = np.finfo(np.float32).tiny
    weights = [numpy_helper.to_array(t) for t in onnx.load(str(AGE)).graph.initializer]
    assert sum(int(np.count_nonzero((w != 0) & (np.abs(w) < tiny))) for w in weights) > 1000
    rgb, lm = sample
    chip = align_chip(rgb, lm)
    x = age_head.chip_tensor(np.stack([chip, chip[:, ::-1]]))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    plain = ort.InferenceSession(str(AGE), opts, providers=["CPUExecutionProvider"])
    (expected,) = plain.run(["probabilities"], {"images": x})
    ours = runtime.get_session(AGE, threads=threads)
    (flushed,) = runtime.run_session(ours, ["probabilities"], {"images": x})
    assert np.array_equal(expected, flushed)
    assert np.array_equal(ours.run(["probabilities"], {"images": x})[0], flushed)


def test_estimate_on_sample_is_deterministic_and_consistent(sample):
    rgb, lm = sample
    a = estimate_age(rgb, lm)
    b = estimate_age(rgb, lm)
    assert isinstance(a, AgeEstimate)
    assert a.age == b.age and np.array_equal(a.probabilities, b.probabilities)
    assert a.probabilities.shape == (81,)
    assert a.probabilities.sum() == pytest.approx(1.0)
    assert a.raw_age == pytest.approx(float(a.probabilities @ CLASS_AGES))
    assert a.age == pytest.approx(float(calibrate(a.raw_age)))
    assert 0 < a.spread < 30
    one = estimate_age(rgb, lm, flip=False)
    assert one.raw_age != a.raw_age  # the mirror really is averaged in


def test_mirrored_photo_gives_nearly_the_same_age(sample):
    rgb, lm = sample
    mirrored = np.ascontiguousarray(rgb[:, ::-1])
    a = estimate_age(rgb, lm)
    b = estimate_age(mirrored, _landmarks(mirrored))
    assert abs(a.age - b.age) < 2.0


@pytest.mark.parametrize(
    "name",
    [
        "cc0_darkskin_makeup_3q.jpg",
        "cc0_selfie_45cm.jpg",
        "ccby_canada_003f.jpg",
        "ccby_london_136.jpg",
    ],
)
def test_age_does_not_depend_on_the_photo_resolution(faces_dir, name):
    # The chip is sampled from the face area-averaged to 2 photo pixels per chip
    # pixel at any resolution. With dlib's pyramid (1-2 pixels depending on the
    # resolution) the make-up face read 5.0 years apart at x1 / x0.75 / x0.5 and
    # london_136 6.1; now at most 2.2.
    with Image.open(faces_dir / name) as im:
        base = im.convert("RGB")
    ages = []
    for f in (1.0, 0.75, 0.5):
        size = (round(base.width * f), round(base.height * f))
        rgb = np.asarray(base.resize(size, Image.Resampling.BOX))
        ages.append(estimate_age(rgb, _landmarks(rgb)).age)
    assert max(ages) - min(ages) < 3.0, ages


def test_known_ages_of_the_london_photos(faces_dir):
    errors = []
    for name, age in LONDON_AGES.items():
        rgb = _load(faces_dir / name)
        errors.append(estimate_age(rgb, _landmarks(rgb)).age - age)
    assert np.mean(np.abs(errors)) < 10.0
    assert max(abs(e) for e in errors) < 15.0


# --- calibration -------------------------------------------------------------------


def test_calibration_table_is_strictly_increasing():
    assert CALIBRATION_RAW.shape == CALIBRATION_AGE.shape
    assert np.all(np.diff(CALIBRATION_RAW) > 0)
    assert np.all(np.diff(CALIBRATION_AGE) > 0)
    x = np.linspace(-5, 100, 2101)
    y = calibrate(x)
    assert np.all(np.diff(y) > 0)
    assert np.allclose(calibrate(CALIBRATION_RAW), CALIBRATION_AGE)


def test_the_fine_tuned_network_ships_without_calibration():
    # Out of fold a calibration on top of the fine-tuned network read 5.99 years
    # against 5.98 without (tools/finetune_age.py): the shipped map is the identity.
    assert np.array_equal(CALIBRATION_AGE, CALIBRATION_RAW)
    x = np.array([-3.0, 0.25, 17.0, 42.5, 80.0, 95.0])
    assert np.allclose(calibrate(x), x)


def test_calibration_interpolates_and_extends_its_end_segments(monkeypatch):
    monkeypatch.setattr(age_head, "CALIBRATION_RAW", np.array([10.0, 20.0, 40.0]))
    monkeypatch.setattr(age_head, "CALIBRATION_AGE", np.array([12.0, 18.0, 50.0]))
    assert float(calibrate(15.0)) == pytest.approx(15.0)
    assert float(calibrate(30.0)) == pytest.approx(34.0)
    assert float(calibrate(0.0)) == pytest.approx(6.0)  # slope 0.6 below 10
    assert float(calibrate(50.0)) == pytest.approx(66.0)  # slope 1.6 above 40
    assert calibrate(np.array([[10.0, 40.0]])).shape == (1, 2)


# --- error paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rgb", "lm"),
    [
        (np.zeros((50, 50, 3), np.float32), np.zeros((478, 3))),
        (np.zeros((50, 50), np.uint8), np.zeros((478, 3))),
        (np.zeros((50, 50, 4), np.uint8), np.zeros((478, 3))),
        ([[0]], np.zeros((478, 3))),
        (np.zeros((50, 50, 3), np.uint8), np.zeros((68, 2))),
        (np.zeros((50, 50, 3), np.uint8), np.zeros(478)),
        (np.zeros((50, 50, 3), np.uint8), np.full((478, 3), np.nan)),
    ],
)
def test_bad_input_raises_skin_error(rgb, lm):
    with pytest.raises(SkinError) as err:
        estimate_age(rgb, lm)
    assert err.value.code == "invalid_argument"
    with pytest.raises(SkinError):
        align_chip(rgb, lm)


def test_bad_chips_and_size_raise():
    with pytest.raises(SkinError):
        age_probabilities(np.zeros((1, 32, 32, 3), np.uint8))
    with pytest.raises(SkinError):
        age_probabilities(np.zeros((1, 64, 64, 3), np.float32))
    pts = _similarity(_template_px() - 32, 1.0, 0.0, (50.0, 50.0))
    with pytest.raises(SkinError):
        align_chip(np.zeros((100, 100, 3), np.uint8), _mesh_with(pts), size=4)


def test_degenerate_landmarks_raise():
    with pytest.raises(SkinError):
        estimate_age(np.zeros((100, 100, 3), np.uint8), np.zeros((478, 3)))


# --- UTKFace development split (skipped where the data is absent) -----------------


@pytest.mark.skipif(not UTK.is_dir(), reason="UTKFace dev split not available")
def test_utkface_sample_mae():
    files = sorted(UTK.glob("*.jpg"))[::25][:100]
    errors = []
    for path in files:
        rgb = _load(path)
        faces = detect_faces(rgb, max_faces=1)
        if not faces:
            continue
        est = estimate_age(rgb, fit_landmarks(rgb, faces[0]).points)
        errors.append(est.age - int(path.name.split("_")[0]))
    assert len(errors) >= 95
    assert np.mean(np.abs(errors)) < 9.0
