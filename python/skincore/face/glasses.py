"""Eyeglasses detector (AILab ``image_quality.glasses``): a documented image measurement.

The segmentation model has no glasses class, so glasses are found in the image along
the landmarks. A frame's bridge puts a thin, high-contrast bar across the nose between
the eyes, where bare skin changes smoothly (the rims under and beside the eyes were
measured too and separated worse: lids, lashes and eye bags make strong edges there).

Measurement
-----------
1. Luminance ``Y = 0.299 R + 0.587 G + 0.114 B``, sampled bilinearly along 5
   profiles that run down the face (:func:`skincore.face.segmentation.face_up`), one
   sample every ``iod / 96`` pixels (``iod`` = distance of the outer eye corners 33
   and 263), so the measurement does not depend on the photo's resolution. The
   profiles stand at 30, 40, 50, 60 and 70 % of the way between the inner eye corners
   (133, 362), from 0.15 iod above landmark 168 (the nose bridge between the eyes)
   down 0.30 iod.
2. Each profile is smoothed ([1, 2, 1] / 4) and differentiated; its *edge contrast*
   is the largest |dY| over the profile's mean |dY| + 0.5 grey level: a frame bar
   gives isolated strong steps, shaded skin a smooth slope.
3. ``score`` = the median edge contrast of the 5 profiles;
   ``glasses = score >= GLASSES_THRESHOLD``.

The window and the threshold were chosen on 96 hand-labelled development photos
(UTKFace development crops, 200 px upscaled to 400 px, ages 45-80; UTKFace is for
non-commercial research and is not shipped) and checked on 99 other hand-labelled
UTKFace crops and the CC0/CC BY faces of ``tests/data/faces`` (see the README for
the figures). Expected misses: rimless glasses, thin metal bridges on low-resolution
photos; expected false alarms: strong creases or shadows on the nose bridge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore.face.segmentation import _bilinear, _check_landmarks, face_up
from skincore.median import median

#: Score at and above which a face wears glasses.
GLASSES_THRESHOLD = 2.5
#: Profile columns as fractions of the way between the inner eye corners.
COLUMNS = (0.3, 0.4, 0.5, 0.6, 0.7)
#: Profile start above landmark 168 and length, in inter-ocular distances.
START_ABOVE = 0.15
LENGTH = 0.30


@dataclass(frozen=True)
class Glasses:
    """Result of :func:`detect_glasses`.

    Attributes
    ----------
    glasses : bool
        True when the face wears glasses (``score >= threshold``).
    score : float
        Median edge contrast across the nose bridge (see the module docstring).
    """

    glasses: bool
    score: float


def detect_glasses(
    rgb: np.ndarray, landmarks: np.ndarray, *, threshold: float = GLASSES_THRESHOLD
) -> Glasses:
    """Tell whether a face wears eyeglasses.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points of the face in image pixels.
    threshold : float, optional
        Decision threshold on the score.

    Returns
    -------
    Glasses
        Decision and score.

    Raises
    ------
    ValueError
        If ``rgb`` or ``landmarks`` has the wrong type or shape.
    """
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError("rgb: expected an (H, W, 3) uint8 array")
    pts = _check_landmarks(landmarks)
    up = face_up(pts)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    if not iod > 0:
        raise ValueError("landmarks: the outer eye corners coincide")
    step = iod / 96.0
    f = np.asarray(COLUMNS)[:, None]
    cols = pts[133] + f * (pts[362] - pts[133])
    lift = (pts[168] - cols) @ up + START_ABOVE * iod
    starts = cols + lift[:, None] * up
    t = np.arange(int(LENGTH * iod / step)) * step
    probe = starts[:, None, :] - t[None, :, None] * up  # (5, n, 2) image points
    # convert only the box that holds the profiles
    h, w = rgb.shape[:2]
    lo = np.floor(probe.reshape(-1, 2).min(0)).astype(int) - 1
    hi = np.ceil(probe.reshape(-1, 2).max(0)).astype(int) + 2
    x0, y0 = max(lo[0], 0), max(lo[1], 0)
    x1, y1 = min(hi[0], w), min(hi[1], h)
    if x1 <= x0 or y1 <= y0:
        return Glasses(glasses=False, score=0.0)
    sub = rgb[y0:y1, x0:x1].astype(np.float32)
    gray = sub[..., 0] * 0.299 + sub[..., 1] * 0.587 + sub[..., 2] * 0.114
    prof = _bilinear(gray, probe[..., 0] - x0, probe[..., 1] - y0).astype(np.float64)
    prof = (prof[:, :-2] + 2 * prof[:, 1:-1] + prof[:, 2:]) / 4
    d = np.abs(np.diff(prof, axis=1))
    score = median(d.max(axis=1) / (d.mean(axis=1) + 0.5))
    return Glasses(glasses=bool(score >= threshold), score=score)
