"""How sharp the photo is on the face: the width of the iris's edge, in millimetres.

Where the iris meets the white of the eye, every face has the same step from dark
to light, and it is sharp on the eye itself. In a photo the step is spread by the
lens, focus, motion and the pixels together; its width on the face, in mm by the
iris scale (:func:`skincore.face.scale.px_per_mm`), is what the photo resolves
there, whatever its pixel count: a small photo upscaled reads as the small photo.

Measurement
-----------
Per open eye (lids at least :data:`skincore.face.regions.EYE_OPEN_MM` apart at
mid-eye: a closed or squinting eye shows no limbus), luminance profiles along
:data:`RAYS_DEG` from the iris centre (landmarks 468 / 473), the horizontal
meridian where the lids leave the limbus uncovered, from 0.55 to 1.6 iris radii,
sampled every :data:`STEP_PX` pixel (bilinear) and smoothed over
:data:`SMOOTH_SAMPLES`. Each profile's step is the median beyond 1.25 radii
(sclera) less the median within 0.8 (iris); a profile whose step is under
:data:`MIN_STEP` grey levels (a light iris, eyelashes, a reflection) is not used.
For a Gaussian blur of ``sigma`` a step of height ``s`` has a steepest slope of
``s / (sigma sqrt(2 pi))``, so each profile gives ``sigma = s / (slope sqrt(2
pi))``; the result is the median over the profiles of both eyes (at least
:data:`MIN_PROFILES`) divided by the px/mm. The limbus is not a perfect step (its
dark ring has a width of its own), so a perfectly sharp photo reads about 0.2 mm;
a blur wider than about a fifth of the iris radius reaches the iris and sclera
medians and is under-read (the sample blurred by 10 px, 1.8 mm: 1.16), still far
beyond any sharp photo.

Measured (``python benchmarks/eval_sharpness.py``): the test faces read 0.21-0.47
mm at their own resolution (2.5-7.6 px/mm), 0.26-0.58 mm at half of it; UTKFace
crops upscaled twice read within 0.13 mm of the crop (0.32-1.14 mm, slightly less:
bicubic upscaling steepens edges); medians over every third ACNE04 photo 0.49 mm
(22 of 86 with no open eye), the dark-circle set 0.27, every 40th UTKFace 200-px
crop (1.0-1.3 px/mm) 0.90.
"""

from __future__ import annotations

import math

import numpy as np

from skincore.face.regions import EYE_OPEN_MM, MIRROR
from skincore.face.scale import px_per_mm
from skincore.face.segmentation import _check_landmarks, luminance_at

#: Ray directions (degrees from the image's x axis): the limbus's horizontal
#: meridian on both sides of the iris.
RAYS_DEG = tuple(float(a) for a in (*range(-25, 26, 5), *range(155, 206, 5)))
#: Sampling step along a ray, pixels.
STEP_PX = 0.2
#: Samples of the moving average over each profile (1 pixel).
SMOOTH_SAMPLES = 5
#: Least step (grey levels) from iris to sclera for a profile to count.
MIN_STEP = 25.0
#: Least number of usable profiles over both eyes.
MIN_PROFILES = 4
#: The subject's right eye: iris centre, its four rim points, mid upper and mid lower
#: lid (the left eye mirrors them).
_RIGHT_EYE = (468, (469, 470, 471, 472), 159, 145)


def _eyes() -> list[tuple[int, tuple[int, ...], int, int]]:
    c, rim, up, lo = _RIGHT_EYE
    left = (473, (474, 475, 476, 477), MIRROR[up], MIRROR[lo])
    return [(c, rim, up, lo), left]


def limbus_blur_mm(rgb: np.ndarray, landmarks: np.ndarray) -> float:
    """Gaussian width of the iris's edge on the face, mm (module docstring).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.

    Returns
    -------
    float
        The width in mm; NaN when no open eye gives :data:`MIN_PROFILES` profiles
        (closed eyes, light irises against the sclera, eyes outside the photo).
    """
    pts = _check_landmarks(landmarks).astype(np.float64)
    h, w = rgb.shape[:2]
    ppm = px_per_mm(pts)
    if not (ppm > 0 and math.isfinite(ppm)):
        return math.nan

    angles = np.deg2rad(np.asarray(RAYS_DEG))
    kernel = np.ones(SMOOTH_SAMPLES) / SMOOTH_SAMPLES
    sigmas: list[float] = []
    for centre, rim, up, lo in _eyes():
        if np.linalg.norm(pts[up, :2] - pts[lo, :2]) / ppm < EYE_OPEN_MM:
            continue  # closed or squinting: the lids cover the limbus
        c = pts[centre, :2]
        r = float(np.mean([np.linalg.norm(pts[i, :2] - c) for i in rim]))
        if r < 2.0:
            continue
        t = np.arange(0.55 * r, 1.6 * r, STEP_PX)
        gx = c[0] + t[None, :] * np.cos(angles)[:, None]
        gy = c[1] + t[None, :] * np.sin(angles)[:, None]
        inside = np.all((gx >= 0) & (gx <= w - 1) & (gy >= 0) & (gy <= h - 1), axis=1)
        if not inside.any():
            continue
        prof = luminance_at(rgb, gx[inside], gy[inside]).astype(np.float64)
        half = SMOOTH_SAMPLES // 2
        padded = np.pad(prof, ((0, 0), (half, half)), mode="edge")
        smooth = np.stack([np.convolve(p, kernel, "valid") for p in padded])
        iris = np.median(smooth[:, t < 0.8 * r], axis=1)
        sclera = np.median(smooth[:, t > 1.25 * r], axis=1)
        step = sclera - iris
        slope = np.max(np.diff(smooth, axis=1), axis=1) / STEP_PX
        ok = (step >= MIN_STEP) & (slope > 0)
        sigmas.extend((step[ok] / (slope[ok] * math.sqrt(2.0 * math.pi))).tolist())
    if len(sigmas) < MIN_PROFILES:
        return math.nan
    return float(np.median(sigmas)) / ppm
