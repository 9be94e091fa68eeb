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

Frames are not skin
-------------------
The segmentation model reads a frame on the face as skin, so every concern would
measure it (a rim reads as rough skin, a wrinkle, a row of spots). On a face with
glasses, :func:`frame_mask` finds the frame's pixels on a grid and the face work
leaves them out with the eyes and brows:

1. Search band: across the whole face, from ``FRAME_BAND[0]`` to ``FRAME_BAND[1]``
   inter-ocular distances about the eye line (rims, bridge and the arms towards
   the ears), on skin only, at least ``FRAME_EYE_GAP_MM`` from the eyes (the lash
   line under an eye is as dark and thin as a rim) and ``FRAME_EDGE_GAP_MM`` from
   the edge of the skin (strands of hair at the temples).
2. Thin dark bars: the morphological closing of L* with a square of
   ``FRAME_WIDTH_MM`` minus L* (a black top-hat) is at least ``FRAME_CONTRAST``
   L*: a bar narrower than the square and that much darker than the skin on both
   sides. Shading (under the brow, beside the nose, a dark circle) is wider and
   softer; wrinkles are fainter.
3. Connected bars at least ``FRAME_MIN_EXTENT_MM`` long are kept, grown by
   ``FRAME_MARGIN_MM`` (the frame's blurred edge).

Misses: frames as light as the skin (clear, beige or metal-bright rims) and
rimless lenses; the skin behind the lenses is measured as it is seen, through
glass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import contours, geometry
from skincore._checks import check_rgb8
from skincore.face.regions import region_indices
from skincore.face.segmentation import _bilinear, _check_landmarks, face_up
from skincore.median import median

#: Score at and above which a face wears glasses.
GLASSES_THRESHOLD = 2.5
#: Profile columns as fractions of the way between the inner eye corners.
COLUMNS = (0.3, 0.4, 0.5, 0.6, 0.7)
#: Profile start above landmark 168 and length, in inter-ocular distances.
START_ABOVE = 0.15
LENGTH = 0.30
#: Frame search band about the eye line, in inter-ocular distances (below, above).
FRAME_BAND = (-0.28, 0.30)
#: Widest frame bar found (side of the closing square), mm.
FRAME_WIDTH_MM = 6.0
#: Least darkening of a frame bar under its closing, L*.
FRAME_CONTRAST = 12.0
#: Shortest frame piece kept (longer side of its bounding box), mm.
FRAME_MIN_EXTENT_MM = 5.0
#: No frame is searched this close to an eye (the lash line), mm.
FRAME_EYE_GAP_MM = 3.0
#: Margin added round the frame found, mm.
FRAME_MARGIN_MM = 1.0
#: No frame is searched this close to the edge of the skin (hair, background), mm.
FRAME_EDGE_GAP_MM = 2.0


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
    check_rgb8(rgb)
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


def frame_mask(
    lightness: np.ndarray,
    landmarks: np.ndarray,
    px_per_mm: float,
    skin: np.ndarray,
    *,
    threads: int = 0,
) -> np.ndarray:
    """Find the pixels of a glasses frame on a grid (see "Frames are not skin").

    Parameters
    ----------
    lightness : numpy.ndarray
        ``(h, w)`` CIELAB L* (0-100) of the grid.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the grid's pixels.
    px_per_mm : float
        Grid pixels per millimetre of skin.
    skin : numpy.ndarray
        ``(h, w)`` mask (nonzero = skin): frames are searched there only.
    threads : int, optional
        Threads of the filters (results do not depend on it).

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` bool, the frame grown by ``FRAME_MARGIN_MM`` (it may reach past
        the skin).

    Raises
    ------
    ValueError
        If the arrays disagree in shape or ``px_per_mm`` is not positive.
    """
    light = np.ascontiguousarray(lightness, dtype=np.float32)
    if light.ndim != 2 or np.shape(skin) != light.shape:
        raise ValueError("lightness and skin: expected two (h, w) arrays of one shape")
    if not (math.isfinite(px_per_mm) and px_per_mm > 0):
        raise ValueError(f"px_per_mm: expected a positive number, got {px_per_mm!r}")
    pts = _check_landmarks(landmarks)
    h, w = light.shape
    out = np.zeros((h, w), bool)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    if not iod > 0 or h == 0 or w == 0:
        return out
    # 1. the band about the eye line, on skin, away from the eyes
    up = face_up(pts)
    mid = (pts[33] + pts[133] + pts[362] + pts[263]) / 4.0
    v = (np.arange(w, dtype=np.float32)[None, :] - np.float32(mid[0])) * np.float32(up[0])
    v = v + (np.arange(h, dtype=np.float32)[:, None] - np.float32(mid[1])) * np.float32(up[1])
    band = (v > FRAME_BAND[0] * iod) & (v < FRAME_BAND[1] * iod)
    on_skin = np.asarray(skin) > 0
    edge = FRAME_EDGE_GAP_MM * px_per_mm
    if edge >= 0.5:
        on_skin = geometry.blur_threshold(on_skin, [(edge / 1.28, 0.9)], threads=threads)
    band &= on_skin
    idx = region_indices()
    eyes = geometry.fill_polygons(
        [pts[list(idx[k])].astype(np.float32) for k in ("right_eye", "left_eye")],
        (h, w),
        threads=1,
    )
    gap = FRAME_EYE_GAP_MM * px_per_mm
    if gap >= 0.5:
        band &= ~geometry.blur_threshold(eyes, [(gap / 1.28, 0.1)], threads=threads)
    if not band.any():
        return out
    # 2. thin dark bars: black top-hat of L*
    r = max(1, int(round(0.5 * FRAME_WIDTH_MM * px_per_mm)))
    closed = geometry.max_filter(light, r, threads=threads)
    np.negative(closed, out=closed)
    closed = geometry.max_filter(closed, r, out=closed, threads=threads)
    np.negative(closed, out=closed)
    bars = band & (closed - light >= FRAME_CONTRAST)
    # 3. long pieces, grown by the margin
    labels, stats = contours.label(bars.view(np.uint8), threads=threads)
    if len(stats) == 0:
        return out
    longest = np.maximum(stats.bbox[:, 2], stats.bbox[:, 3])
    keep = np.concatenate([[False], longest >= FRAME_MIN_EXTENT_MM * px_per_mm])
    out = keep[labels]
    margin = FRAME_MARGIN_MM * px_per_mm
    if margin >= 0.5 and out.any():
        out = geometry.blur_threshold(out, [(margin / 1.28, 0.1)], threads=threads)
    return out
