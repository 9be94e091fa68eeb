"""Radiance (YouCam *radiance*): how even the skin's lightness is.

What is measured
----------------
Skin looks radiant when its lightness is even: no blotches, dull patches or
mottling between the broad shading of the face. On the colour grid, L* over
the face skin minus its local level (a normalised Gaussian mean over the skin,
sigma ``level_mm``: the face's shading and the light's fall-off) leaves the
skin's own unevenness at the scale of millimetres to a centimetre. Reported:

* ``unevenness``: the robust spread (1.4826 x MAD, L*) of that residual over
  the skin, specular highlights (residual above ``+highlight_dl``) left out;
* ``dull_area``: the share of the skin at least ``dull_dl`` darker than its
  local level (the map).

Score ``100 * exp(-unevenness / score_unevenness)``; severity bands of the
unevenness (``bands``). Hand-set; no graded radiance data here.

Limits
------
Glow, translucency and gloss are part of what people call radiance; a photo's
lightness evenness is the part measured here. Spots, redness and shadows in
folds all make skin uneven, so radiance overlaps those concerns; hard side
light makes any face uneven.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore import geometry
from skincore._masks import mask255
from skincore.analysis import MaskLayer, Radiance
from skincore.concerns.base import Concern
from skincore.grading import ConcernGrade, band_grade
from skincore.median import median


@dataclass(frozen=True)
class Params:
    """Radiance settings (see the module docstring).

    Attributes
    ----------
    level_mm : float
        Sigma of the skin's local lightness level, mm.
    highlight_dl : float
        Residuals above this (L*) are highlights, left out of the spread.
    dull_dl : float
        Skin at least this much darker than its level is dull.
    bands : tuple of float
        Unevenness (L*) from which the severity is 1, 2 and 3.
    confidence_spread : float
        L* per logistic unit of the confidence.
    score_unevenness : float
        Unevenness at which the score falls by a factor e.
    """

    level_mm: float = 6.0
    highlight_dl: float = 6.0
    dull_dl: float = 4.0
    bands: tuple[float, float, float] = (2.0, 3.0, 4.5)
    confidence_spread: float = 0.5
    score_unevenness: float = 4.0


def measure(work, params: Params) -> Radiance | None:  # noqa: ANN001 - FaceWork
    """Lightness unevenness and dull area over the face skin (colour grid)."""
    cm = work.colour
    skin = cm.masks["face"] > 0
    if not skin.any():
        return None
    sigma = max(1.0, params.level_mm * work.colour_px_per_mm)
    w = skin.astype(np.float32)
    light = np.ascontiguousarray(work.colour_lab[..., 0], dtype=np.float32)
    # A level of centimetres: the decimated blur (within 0.2 % of the skin's L*
    # range of the exact normalised convolution, see geometry.wide_gaussian_blur).
    level = geometry.wide_gaussian_blur(light, sigma, weight=w, threads=work.threads)
    diff = light - level
    resid = diff[skin]
    kept = resid[resid <= params.highlight_dl]
    if kept.size == 0:
        return None
    med = median(kept)  # numpy.median's value, by single-rank partitions
    spread = 1.4826 * median(np.abs(kept - med))
    dull = skin & (diff <= -params.dull_dl)
    return Radiance(
        unevenness=spread,
        dull_area=float(np.count_nonzero(dull)) / int(np.count_nonzero(skin)),
        mask=MaskLayer(mask255(dull), cm.origin, cm.scale),
    )


def grade(result: Radiance, params: Params) -> ConcernGrade:
    """Severity, confidence and score of the unevenness."""
    return ConcernGrade(
        whole=band_grade(
            result.unevenness, params.bands, params.confidence_spread, params.score_unevenness
        )
    )


CONCERN: Concern = Concern(
    name="radiance",
    summary="radiance as lightness evenness: spread of L* around its local level, dull area",
    params=Params,
    result=Radiance,
    measure=measure,
    grade=grade,
)
