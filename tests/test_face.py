"""Face detection, 478 landmarks and head pose on real photos (ONNX models)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageOps

from skincore.face import FaceBox, FaceLandmarks, detect_faces, fit_landmarks, head_pose
from skincore.face._warp import Roi, crop
from skincore.face.detector import (
    INPUT_SIZE,
    anchors,
    detect_in_tensor,
    input_tensor,
    weighted_merge,
)
from skincore.face.pose import face_axes

PHOTOS = [
    "cc0_darkskin_makeup_3q.jpg",
    "cc0_selfie_30cm.jpg",
    "cc0_selfie_45cm.jpg",
    "cc0_selfie_60cm.jpg",
    "ccby_canada_003f.jpg",
    "ccby_london_037.jpg",
    "ccby_london_062.jpg",
    "ccby_london_087.jpg",
    "ccby_london_136.jpg",
]
# symmetric landmark pairs (subject's right, left) and midline points
PAIRS = [(33, 263), (133, 362), (468, 473), (61, 291), (234, 454)]
MIDLINE = [1, 10, 152, 0, 17]


def _load(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


@pytest.fixture(scope="module")
def sample(sample_path):
    return _load(sample_path)


@pytest.fixture(scope="module")
def sample_fit(sample):
    (face,) = detect_faces(sample)
    return face, fit_landmarks(sample, face)


def _one(rgb):
    faces = detect_faces(rgb)
    assert len(faces) == 1, f"expected exactly one face, got {len(faces)}"
    return faces[0], fit_landmarks(rgb, faces[0])


def _check_face(rgb, face: FaceBox, lm: FaceLandmarks):
    h, w = rgb.shape[:2]
    assert isinstance(face, FaceBox) and isinstance(lm, FaceLandmarks)
    assert 0.5 <= face.score <= 1.0
    assert face.keypoints.shape == (6, 2) and face.keypoints.dtype == np.float32
    assert lm.points.shape == (478, 3) and lm.points.dtype == np.float32
    assert lm.presence > 0.9
    # the face is inside the photo and of a plausible size
    assert -0.05 * w < face.x0 < face.x1 < 1.05 * w and -0.05 * h < face.y0 < face.y1 < 1.05 * h
    assert face.width > 0.1 * min(h, w)
    # the box contains the landmarks. BlazeFace's box spans brows to chin, so the top of
    # the forehead (10, 109, 338, ...) pokes out by up to ~16% of the box height on
    # these photos; the sides and chin by at most ~3%.
    pts = lm.points
    mx = 0.06 * face.width
    assert (pts[:, 0] > face.x0 - mx).all() and (pts[:, 0] < face.x1 + mx).all()
    assert (pts[:, 1] > face.y0 - 0.22 * face.height).all()
    assert (pts[:, 1] < face.y1 + 0.06 * face.height).all()
    core = [33, 133, 362, 263, 1, 61, 291, 13, 14]  # eyes, nose tip, mouth
    assert (pts[core, 0] > face.x0).all() and (pts[core, 0] < face.x1).all()
    assert (pts[core, 1] > face.y0).all() and (pts[core, 1] < face.y1).all()
    # both iris centres are strictly inside the box; subject's right iris is on the image left
    for i in (468, 473):
        assert face.x0 < pts[i, 0] < face.x1 and face.y0 < pts[i, 1] < face.y1
    assert pts[468, 0] < pts[473, 0]
    assert pts[33, 0] < pts[133, 0] < pts[362, 0] < pts[263, 0]
    # the detector's eye keypoints agree with the mesh's irises
    iod = np.linalg.norm(pts[473, :2] - pts[468, :2])
    assert np.linalg.norm(face.keypoints[0] - pts[468, :2]) < 0.35 * iod
    assert np.linalg.norm(face.keypoints[1] - pts[473, :2]) < 0.35 * iod
    # anatomy: eyes above nose tip above mouth above chin
    assert pts[468, 1] < pts[1, 1] < pts[13, 1] < pts[152, 1]
    assert pts[10, 1] < pts[468, 1]


@pytest.mark.parametrize("name", PHOTOS)
def test_one_face_on_each_photo(faces_dir, name):
    rgb = _load(faces_dir / name)
    face, lm = _one(rgb)
    _check_face(rgb, face, lm)


def test_packaged_sample(sample, sample_fit):
    face, lm = sample_fit
    _check_face(sample, face, lm)
    yaw, pitch, roll = head_pose(lm.points)
    assert abs(yaw) < 8 and abs(roll) < 5 and abs(pitch) < 15  # a frontal selfie


def test_three_quarter_pose_sign(faces_dir):
    # the subject turns to her right: the nose points to the image left -> negative yaw
    rgb = _load(faces_dir / "cc0_darkskin_makeup_3q.jpg")
    _, lm = _one(rgb)
    yaw, _, roll = head_pose(lm.points)
    assert yaw < -12
    # her left eye (image right) is higher than her right eye: counter-clockwise tilt
    assert roll < -2


def test_scale_all_selfie_distances(faces_dir, sample_fit):
    iods = [np.linalg.norm(np.subtract(*sample_fit[1].points[[468, 473], :2]))]
    for cm in (30, 45, 60):
        rgb = _load(faces_dir / f"cc0_selfie_{cm}cm.jpg")
        face, lm = _one(rgb)
        _check_face(rgb, face, lm)
        iods.append(np.linalg.norm(np.subtract(*lm.points[[468, 473], :2])))
    assert all(a > b for a, b in zip(iods, iods[1:], strict=False))  # farther = smaller


def test_refinement_stays_close_to_first_pass(sample, sample_fit):
    face, lm = sample_fit
    first = fit_landmarks(sample, face, refine=False)
    err = np.linalg.norm(first.points[:, :2] - lm.points[:, :2], axis=1)
    assert np.median(err) < 0.02 * face.width
    assert lm.roi.side != first.roi.side  # the second pass used its own ROI


def test_letterbox_mapping_follows_padding(sample, sample_fit):
    face, lm = sample_fit
    top, left = 150, 400
    padded = np.zeros((sample.shape[0] + top + 37, sample.shape[1] + left + 11, 3), np.uint8)
    padded[top : top + sample.shape[0], left : left + sample.shape[1]] = sample
    f2, lm2 = _one(padded)
    shift = np.array([left, top])
    # the face is smaller in the 128-px input now, so the box itself moves a little
    tol = 0.05 * face.width
    assert abs(f2.x0 - face.x0 - left) < tol and abs(f2.y1 - face.y1 - top) < tol
    assert np.abs(f2.keypoints - face.keypoints - shift).max() < tol
    err = np.linalg.norm(lm2.points[:, :2] - shift - lm.points[:, :2], axis=1)
    assert np.median(err) < 0.01 * face.width


def _rotate_points(xy, angle_deg, size, new_size):
    """Where PIL.Image.rotate(angle, expand=True) moves continuous image points."""
    a = math.radians(angle_deg)
    c = np.array(size, float) / 2
    c2 = np.array(new_size, float) / 2
    d = xy - c
    x = math.cos(a) * d[:, 0] + math.sin(a) * d[:, 1]
    y = -math.sin(a) * d[:, 0] + math.cos(a) * d[:, 1]
    return np.stack([x, y], axis=1) + c2


@pytest.mark.parametrize("angle", [15.0, -15.0])
def test_roll_follows_image_rotation(sample, sample_fit, angle):
    face, lm = sample_fit
    _, _, roll0 = head_pose(lm.points)
    im = Image.fromarray(sample)
    rot = im.rotate(angle, resample=Image.BILINEAR, expand=True)
    rgb = np.asarray(rot)
    f2, lm2 = _one(rgb)
    _, _, roll = head_pose(lm2.points)
    # PIL rotates counter-clockwise; roll is positive clockwise
    assert roll - roll0 == pytest.approx(-angle, abs=3.0)
    expected = _rotate_points(lm.points[:, :2].astype(float), angle, im.size, rot.size)
    err = np.linalg.norm(lm2.points[:, :2] - expected, axis=1)
    assert np.median(err) < 0.015 * face.width and err.max() < 0.08 * face.width
    # z is a rotation-invariant depth
    assert np.median(np.abs(lm2.points[:, 2] - lm.points[:, 2])) < 0.02 * face.width


def test_mirror_negates_yaw_and_roll_and_mirrors_points(faces_dir):
    rgb = _load(faces_dir / "cc0_darkskin_makeup_3q.jpg")  # clearly non-zero yaw and roll
    face, lm = _one(rgb)
    fl = np.ascontiguousarray(rgb[:, ::-1])
    face_m, lm_m = _one(fl)
    w = rgb.shape[1]
    yaw, pitch, roll = head_pose(lm.points)
    yaw_m, pitch_m, roll_m = head_pose(lm_m.points)
    assert yaw_m == pytest.approx(-yaw, abs=3.0)
    assert roll_m == pytest.approx(-roll, abs=2.0)
    assert pitch_m == pytest.approx(pitch, abs=3.0)
    # BlazeFace is not exactly mirror-equivariant (~5% of the box on this 3/4 face)
    assert face_m.x0 == pytest.approx(w - face.x1, abs=0.07 * face.width)
    assert face_m.x1 == pytest.approx(w - face.x0, abs=0.07 * face.width)
    mirrored = lm.points[:, :2].copy()
    mirrored[:, 0] = w - mirrored[:, 0]
    tol = 0.03 * face.width
    for r, left in PAIRS:  # the subject's right in one is the left in the other
        assert np.linalg.norm(lm_m.points[r, :2] - mirrored[left]) < tol
        assert np.linalg.norm(lm_m.points[left, :2] - mirrored[r]) < tol
    for i in MIDLINE:
        assert np.linalg.norm(lm_m.points[i, :2] - mirrored[i]) < tol
    # as point sets the two meshes coincide
    d = np.linalg.norm(lm_m.points[:, None, :2] - mirrored[None, :, :], axis=2).min(axis=1)
    assert np.median(d) < 0.01 * face.width


def test_no_face_in_blank_or_noise(rng):
    assert detect_faces(np.zeros((480, 640, 3), np.uint8)) == []
    assert detect_faces(np.full((300, 300, 3), 200, np.uint8)) == []
    noise = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    assert detect_faces(noise) == []


def test_two_faces_largest_first(sample, faces_dir):
    other = _load(faces_dir / "ccby_london_087.jpg")  # smaller face than the sample's
    h = max(sample.shape[0], other.shape[0])
    canvas = np.zeros((h, sample.shape[1] + other.shape[1], 3), np.uint8)
    canvas[: other.shape[0], : other.shape[1]] = other
    canvas[: sample.shape[0], other.shape[1] :] = sample
    faces = detect_faces(canvas)
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].x0 > other.shape[1] - 50  # the sample's face, on the right
    assert faces[1].x1 < other.shape[1] + 50
    (only,) = detect_faces(canvas, max_faces=1)
    assert (only.x0, only.y0, only.x1, only.y1) == (
        faces[0].x0,
        faces[0].y0,
        faces[0].x1,
        faces[0].y1,
    )
    for f in faces:
        lm = fit_landmarks(canvas, f)
        assert lm.presence > 0.9
        assert f.x0 < lm.points[468, 0] < lm.points[473, 0] < f.x1


def test_detector_float_input_is_the_normalised_crop(sample, sample_fit):
    # input_tensor writes crop()'s samples as float32 v / 127.5 - 1 in one pass: the
    # same values, bit for bit, as normalising the uint8 crop with NumPy
    face, _ = sample_fit
    cx, cy = (face.x0 + face.x1) / 2, (face.y0 + face.y1) / 2
    h, w = sample.shape[:2]
    rois = [
        Roi(cx=w / 2, cy=h / 2, side=float(max(h, w)), angle=0.0),  # letterboxed, reduced
        Roi(cx=cx, cy=cy, side=1.5 * face.width, angle=0.4),  # rotated face crop
        Roi(cx=5.0, cy=h - 5.0, side=100.0, angle=-2.0),  # mostly outside: -1 there
    ]
    for roi in rois:
        u8 = crop(sample, roi, INPUT_SIZE)
        got = input_tensor(sample, roi)
        assert got.dtype == np.float32 and got.shape == (INPUT_SIZE, INPUT_SIZE, 3)
        np.testing.assert_array_equal(got, u8.astype(np.float32) / np.float32(127.5) - 1)
        for a, b in zip(
            detect_in_tensor(got, roi, min_score=0.1),
            detect_in_tensor(u8, roi, min_score=0.1),
            strict=True,
        ):
            np.testing.assert_array_equal(a, b)
    assert (input_tensor(sample, rois[2]) == -1).mean() > 0.5
    assert detect_in_tensor(input_tensor(sample, rois[1]), rois[1])[2].max() > 0.9


def test_min_score_filters(sample):
    assert len(detect_faces(sample, min_score=0.5)) == 1
    assert detect_faces(sample, min_score=1.0) == []


def test_argument_errors(sample, sample_fit):
    face, _ = sample_fit
    with pytest.raises(ValueError, match="uint8"):
        detect_faces(sample.astype(np.float32))
    with pytest.raises(ValueError, match="shape"):
        detect_faces(sample[:, :, 0])
    with pytest.raises(ValueError, match="shape"):
        detect_faces(np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(ValueError, match="empty"):
        detect_faces(np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(TypeError):
        detect_faces(sample.tolist())
    with pytest.raises(ValueError, match="max_faces"):
        detect_faces(sample, max_faces=0)
    with pytest.raises(ValueError, match="min_score"):
        detect_faces(sample, min_score=1.5)
    with pytest.raises(TypeError, match="FaceBox"):
        fit_landmarks(sample, (0, 0, 10, 10))
    bad = FaceBox(10.0, 10.0, 10.0, 50.0, 0.9, face.keypoints)
    with pytest.raises(ValueError, match="degenerate"):
        fit_landmarks(sample, bad)
    with pytest.raises(ValueError, match="uint8"):
        fit_landmarks(sample.astype(np.int16), face)


def test_results_are_immutable(sample_fit):
    face, lm = sample_fit
    with pytest.raises(ValueError):
        lm.points[0, 0] = 1.0
    with pytest.raises(ValueError):
        face.keypoints[0, 0] = 1.0
    with pytest.raises(AttributeError):
        face.x0 = 3.0


# --------------------------------------------------------------------- pose on synthetic meshes


def _rot_y(t):  # turns the forward vector (0, 0, -1) towards +x by t
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])


def _rot_x(t):  # turns the forward vector (0, 0, -1) towards -y (up) by t
    c, s = math.cos(t), math.sin(t)
    return np.array([[1, 0, 0], [0, c, s], [0, -s, c]])


def _rot_z(t):  # clockwise on screen (y down) by t
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


@pytest.fixture(scope="module")
def frontal(sample_fit):
    """The sample's mesh rotated into the face's own frame: exactly zero pose."""
    pts = sample_fit[1].points.astype(np.float64)
    axes = face_axes(pts)  # rows x, y, f
    # express in a frame where x -> +x, y -> +y, f -> -z
    basis = np.stack([axes[0], axes[1], -axes[2]])
    return (pts - pts.mean(0)) @ basis.T


def test_pose_zero_for_frontal_mesh(frontal):
    assert head_pose(frontal) == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)


@pytest.mark.parametrize("deg", [-40.0, -10.0, 25.0])
def test_pose_known_answers(frontal, deg):
    t = math.radians(deg)
    yaw, pitch, roll = head_pose(frontal @ _rot_y(t).T)
    assert (yaw, pitch, roll) == pytest.approx((deg, 0.0, 0.0), abs=1e-6)
    yaw, pitch, roll = head_pose(frontal @ _rot_x(t).T)
    assert (yaw, pitch, roll) == pytest.approx((0.0, deg, 0.0), abs=1e-6)
    yaw, pitch, roll = head_pose(frontal @ _rot_z(t).T)
    assert (yaw, pitch, roll) == pytest.approx((0.0, 0.0, deg), abs=1e-6)


def test_pose_mirror_and_scale_invariance(frontal):
    p = frontal @ _rot_z(0.2).T @ _rot_y(0.3).T @ _rot_x(-0.1).T
    yaw, pitch, roll = head_pose(p)
    assert min(abs(yaw), abs(pitch), abs(roll)) > 3
    # a mirror photo mirrors coordinates, and the mesh re-labels the subject's sides:
    # the right eye corner (33) of the mirror image is the left one (263) of the original
    m = p * np.array([-1.0, 1.0, 1.0])
    m[[33, 263]] = m[[263, 33]]
    ym, pm, rm = head_pose(m)
    assert (ym, pm, rm) == pytest.approx((-yaw, pitch, -roll), abs=1e-9)
    assert head_pose(p * 3.7 + 100.0) == pytest.approx((yaw, pitch, roll), abs=1e-9)


def test_pose_errors(frontal):
    with pytest.raises(ValueError, match="shape"):
        head_pose(frontal[:, :2])
    with pytest.raises(ValueError, match="shape"):
        head_pose(frontal[:100])
    flat = frontal.copy()
    flat[263] = flat[33]
    with pytest.raises(ValueError, match="degenerate"):
        head_pose(flat)
    col = frontal.copy()
    col[152] = col[10] + (col[263] - col[33])
    with pytest.raises(ValueError, match="degenerate"):
        head_pose(col)


# --------------------------------------------------------------------- decoder internals


def test_anchor_layout():
    a = anchors()
    assert a.shape == (896, 2)
    assert np.allclose(a[0], [0.5 / 16, 0.5 / 16]) and np.allclose(a[1], a[0])
    assert np.allclose(a[2], [1.5 / 16, 0.5 / 16])
    assert np.allclose(a[512], [0.5 / 8, 0.5 / 8]) and np.allclose(a[517], a[512])
    assert np.allclose(a[-1], [7.5 / 8, 7.5 / 8])


def test_weighted_merge_averages_overlaps_by_score():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], float)
    kps = np.zeros((3, 6, 2))
    kps[1] += 1.0
    scores = np.array([0.9, 0.3, 0.8])
    out = weighted_merge(boxes, kps, scores)
    assert len(out) == 2
    box, kp, score = out[0]
    assert score == 0.9  # best score kept
    assert np.allclose(box, [0.25, 0.25, 10.25, 10.25])  # (0.9*0 + 0.3*1) / 1.2
    assert np.allclose(kp, 0.25)
    assert np.allclose(out[1][0], boxes[2]) and out[1][2] == 0.8
    # IoU of exactly-disjoint boxes does not merge; empty input gives nothing
    assert weighted_merge(np.zeros((0, 4)), np.zeros((0, 6, 2)), np.zeros(0)) == []
