"""Oil and shine: specular highlights on the skin, per zone.

What is measured
----------------
On the colour work grid (:attr:`FaceWork.colour`, CIELAB, about 2.7 px/mm), a
skin pixel is *shine* when it is

* brighter than the skin around it by at least ``min_delta_l`` L* (the local
  level is a normalised Gaussian average of L* over the skin mask, sigma
  ``base_sigma_mm``, so the face's shading and the light's fall-off cancel), and
* less saturated than the skin around it: chroma ``C* = sqrt(a*^2 + b*^2)`` at
  most ``1 - chroma_drop`` times the local chroma (a specular reflection takes
  the light's colour, white-ish, not the skin's; a pale patch of skin keeps its
  hue and chroma).

Per zone (T-zone, both cheeks, chin) the shine *area* is the shine pixels'
share of the zone's skin and the *intensity* the mean L* excess of those pixels.
The skin mask comes from the segmentation, so a highlight stays in it.

Grading (:func:`grade`)
-----------------------
AILab's three levels by the zone's shine area: 0 (none or slight) below
``intensity_bands[0]`` (2 %), 1 (medium) below ``intensity_bands[1]`` (8 %),
2 (severe) above; confidence: a logistic of the distance to the nearest band
in units of 1 % area; score ``100 * exp(-area / score_area)`` over the face.
These bands are set by hand from what the repository's photos show (no public
graded data set exists here), not fitted.

Limits
------
Shine depends on the light: a flash or a point light makes every face shinier,
diffuse light hides oil. Make-up powder removes shine. The measurement cannot
tell sebum from sweat or a moisturiser; it measures specular reflection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import color, geometry
from skincore._masks import mask255
from skincore.analysis import MaskLayer, Oiliness, OilZone
from skincore.concerns.base import Concern
from skincore.face.regions import zone_window
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Zones reported (AILab Pro ``oily_intensity``: T-zone, cheeks, chin).
OIL_ZONES = ("t_zone", "left_cheek", "right_cheek", "chin")


@dataclass(frozen=True)
class Params:
    """Shine thresholds (see the module docstring).

    Attributes
    ----------
    base_sigma_mm : float
        Sigma of the local skin level (normalised Gaussian over the skin), mm.
    min_delta_l : float
        L* above the local level from which a pixel can be shine.
    chroma_drop : float
        Fraction by which a shine pixel's chroma is below the local chroma.
    intensity_bands : tuple of float
        Zone shine-area fractions from which the level is 1 and 2.
    score_area : float
        Face shine-area fraction at which the score falls by a factor e.
    """

    base_sigma_mm: float = 4.0
    min_delta_l: float = 6.0
    chroma_drop: float = 0.15
    intensity_bands: tuple[float, float] = (0.02, 0.08)
    score_area: float = 0.08


#: ``(light, chroma, base_l, base_c)``: what :func:`local_levels` returns.
Levels = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def local_levels(
    lab: np.ndarray, skin: np.ndarray, px_per_mm: float, sigma_mm: float, *, threads: int = 0
) -> Levels:
    """L*, C*ab and their local skin levels: what shine and sheen are found on.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(h, w, 3)`` float32 CIELAB.
    skin : numpy.ndarray
        ``(h, w)`` mask, nonzero on skin.
    px_per_mm : float
        Grid pixels per millimetre.
    sigma_mm : float
        Sigma of the levels (normalised Gaussian over the skin), mm.
    threads : int, optional
        Kernel threads.

    Returns
    -------
    light, chroma, base_l, base_c : numpy.ndarray
        ``(h, w)`` float32 L*, C*ab (np.hypot's values) and their Gaussian means
        over ``skin`` (the decimated normalised convolution, within 0.2 % of the
        skin's range of the exact one: :func:`skincore.geometry.wide_gaussian_blur`).
    """
    w = (skin > 0).astype(np.float32)
    sigma = max(1.0, sigma_mm * px_per_mm)
    if lab.dtype != np.float32 or lab.strides[1:] != (12, 4):  # packed float32 pixels
        lab = np.ascontiguousarray(lab, dtype=np.float32)
    light, chroma = color.lightness_chroma(lab, threads=threads)
    base_l, base_c = geometry.wide_gaussian_means([light, chroma], sigma, w, threads=threads)
    return light, chroma, base_l, base_c


def face_levels(work, sigma_mm: float) -> Levels:  # noqa: ANN001 - FaceWork
    """:func:`local_levels` of a face's skin on the colour grid, once per face and sigma.

    Shared, read-only: oiliness's shine and roughness's sheen read the same levels.
    """

    def compute() -> Levels:
        out = local_levels(
            work.colour_lab,
            work.colour.masks["face"],
            work.colour_px_per_mm,
            sigma_mm,
            threads=work.threads,
        )
        for a in out:
            a.flags.writeable = False
        return out

    return work.memo(("skin_levels", float(sigma_mm)), compute)


def shine_map(
    lab: np.ndarray, skin: np.ndarray, px_per_mm: float, params: Params, *, threads: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Shine pixels and their L* excess over the local skin level.

    Parameters
    ----------
    lab, skin, px_per_mm, threads
        As :func:`local_levels` (the levels at ``params.base_sigma_mm``).
    params : Params
        Thresholds.

    Returns
    -------
    shine : numpy.ndarray
        ``(h, w)`` bool.
    excess : numpy.ndarray
        ``(h, w)`` float32 L* above the local level (0 off skin).
    """
    levels = local_levels(lab, skin, px_per_mm, params.base_sigma_mm, threads=threads)
    return _shine(levels, skin > 0, params)


def _shine(levels: Levels, on: np.ndarray, params: Params) -> tuple[np.ndarray, np.ndarray]:
    light, chroma, base_l, base_c = levels
    excess = np.subtract(light, base_l)
    excess *= on
    shine = on & (excess >= params.min_delta_l)
    shine &= chroma <= base_c * np.float32(1.0 - params.chroma_drop)
    return shine, excess


def face_shine(work, params: Params) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """:func:`shine_map` of a face's skin on the colour grid, once per face and params."""

    def compute() -> tuple[np.ndarray, np.ndarray]:
        on = work.colour.masks["face"] > 0
        return _shine(face_levels(work, params.base_sigma_mm), on, params)

    return work.memo(("shine", params), compute)


def measure(work, params: Params) -> Oiliness | None:  # noqa: ANN001 - FaceWork
    """Shine area and intensity per zone on the colour grid (None without face skin)."""
    cm = work.colour
    face = cm.masks["face"]
    if not np.any(face):
        return None
    shine, excess = face_shine(work, params)
    zones: dict[str, OilZone] = {}
    for name in OIL_ZONES:
        zw = zone_window(cm.masks, name)  # the zone's box: the same pixels, in order
        if zw is None:
            continue
        win, zm = zw
        n = int(np.count_nonzero(zm))
        if n == 0:
            continue
        sel = shine[win] & zm
        k = int(np.count_nonzero(sel))
        zones[name] = OilZone(
            area=k / n, intensity=float(excess[win][sel].mean()) if k else 0.0, area_px=n
        )
    n_face = int(np.count_nonzero(face))
    return Oiliness(
        area=float(np.count_nonzero(shine & (face > 0))) / n_face,
        zones=zones,
        mask=MaskLayer(mask255(shine), cm.origin, cm.scale),
    )


def level(area: float, params: Params) -> int:
    """AILab's 0-2 oiliness level of a zone's shine-area fraction."""
    return sum(1 for b in params.intensity_bands if area >= b)


def grade(result: Oiliness, params: Params) -> ConcernGrade:
    """Levels 0-2 per zone, confidences, and a 1-100 score (see the module docstring)."""
    zones = {}
    for name, z in result.zones.items():
        edge = min(params.intensity_bands, key=lambda b: abs(z.area - b))
        zones[name] = Grade(
            severity=level(z.area, params),
            confidence=margin_confidence(z.area, edge, 0.01),
            score=round(max(1.0, 100.0 * math.exp(-z.area / params.score_area)), 1),
        )
    worst = max(zones.values(), key=lambda g: (g.severity, g.confidence), default=None)
    whole = Grade(
        severity=worst.severity if worst else 0,
        confidence=worst.confidence if worst else 1.0,
        score=round(max(1.0, 100.0 * math.exp(-result.area / params.score_area)), 1),
    )
    return ConcernGrade(
        whole=whole, zones=zones, weights={n: float(z.area_px) for n, z in result.zones.items()}
    )


CONCERN: Concern = Concern(
    name="oiliness",
    summary="shine: specular highlights (bright, desaturated skin) area and intensity per zone",
    params=Params,
    result=Oiliness,
    measure=measure,
    grade=grade,
)
