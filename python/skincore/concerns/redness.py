"""Redness (AILab *sensitivity*): diffuse red skin, its area and intensity.

What is measured
----------------
:func:`skincore.concerns.colour_areas.sensitivity` on the colour grid over the face
skin (segmented skin, features and hair excluded; no colour gate, so red skin is
kept): the haemoglobin optical-density map (:mod:`skincore.chromophore`, shading
removed) smoothed at ``detection.smooth_mm`` minus the skin's own local
background (the masked mean at ``detection.background_mm`` of the skin that is
not itself red, raised to the masked plane where that lies above it); skin
``detection.threshold`` above the background is red (or, where the excess
scatters more, ``detection.noise_factor`` robust sigmas of it: reported as
``threshold``), except the connected red
regions with ``detection.max_cut_share`` or more of their border on the edge of
the left-out eyes, brows, lips and nostrils (:attr:`RegionMasks.excluded`): the
shadows of the eye sockets and the nostrils and the lids' and lips' margins;
and the strips with ``detection.max_outline_share`` of their border on any edge
of the skin (a shaded rim along a temple or the jaw).
Reported: the red share of the face skin and of each zone, the red area in mm²,
the intensity (mean excess over the red skin as 0-100 of
``detection.full_scale``) and the outlines of the red areas (AILab
``sensitivity_mark``; areas under ``min_mark_mm2`` are left out).

Grading (:func:`grade`)
-----------------------
Severity 0-3 by the red share of the face (``area_bands``: 5 %, 15 %, 30 %);
confidence: a logistic of the distance to the nearest band in units of
``confidence_spread`` (3 % of area); score ``100 * exp(-area / score_area)``.
The bands are set by hand from the repository's photos and the planted patches
of ``benchmarks/eval_lesions_synthetic.py`` (no graded redness data set here).

Limits
------
Redness is relative to the skin around it: a face red all over reads as even.
White balance and warm light shift the haemoglobin map; flushing after exercise
or heat reads as redness. It measures visible erythema, not a skin's reactivity
("sensitive skin" is a symptom a photo cannot show). Shading lit by light the
skin reflected reads red: the rules above take it where it rises to the skin's
edge or hugs a feature, not inside the skin (a smile's cheek fold); redness
against the eyes, lips or nostrils is left out with the shadows there. On small
compressed web photos (about 1 px/mm) and on dark skin the haemoglobin excess
scatters about as far as the fixed threshold, and the red map was a mottle of
patches; the threshold now rises with that scatter, so faint redness on such a
photo (under two of its sigmas) is not reported where a clean photo shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore.analysis import MaskLayer, Redness
from skincore.concerns.base import Concern
from skincore.concerns.colour_areas import SensitivityParams, sensitivity
from skincore.concerns.colour_lesions import face_chromophores, outlines, zone_shares
from skincore.grading import ConcernGrade, band_grade


@dataclass(frozen=True)
class Params:
    """Redness settings (see the module docstring).

    Attributes
    ----------
    detection : SensitivityParams
        Smoothing, baseline and threshold of the red-skin map.
    min_mark_mm2 : float
        Smallest red area outlined in ``sensitivity_mark``.
    area_bands : tuple of float
        Face red-area shares from which the severity is 1, 2 and 3.
    confidence_spread : float
        Area share per logistic unit of the confidence.
    score_area : float
        Red-area share at which the score falls by a factor e.
    """

    detection: SensitivityParams = field(default_factory=SensitivityParams)
    min_mark_mm2: float = 4.0
    area_bands: tuple[float, float, float] = (0.05, 0.15, 0.30)
    confidence_spread: float = 0.03
    score_area: float = 0.15


def measure(work, params: Params) -> Redness | None:  # noqa: ANN001 - FaceWork
    """Red skin on the colour grid (None without face skin)."""
    face = work.colour.masks["face"]
    if not np.any(face):
        return None
    cm = work.colour
    r = sensitivity(
        work.colour_rgb,
        face,
        work.colour_px_per_mm,
        params.detection,
        threads=work.threads,
        maps=face_chromophores(work),
        features=cm.excluded,
    )
    return Redness(
        area=float(r.area_fraction),
        area_mm2=float(r.area_mm2),
        intensity=float(r.intensity),
        zones=zone_shares(work, r.mask),
        threshold=float(r.threshold),
        outlines=outlines(work, r.mask, min_area_mm2=params.min_mark_mm2),
        mask=MaskLayer(r.mask, cm.origin, cm.scale),
        level=MaskLayer(r.level, cm.origin, cm.scale),
    )


def grade(result: Redness, params: Params) -> ConcernGrade:
    """Severity 0-3, confidence and 1-100 score of the red-area share."""
    whole = band_grade(result.area, params.area_bands, params.confidence_spread, params.score_area)
    return ConcernGrade(whole=whole)


CONCERN: Concern = Concern(
    name="redness",
    summary="diffuse redness (haemoglobin above the face's baseline): area, intensity, outlines",
    params=Params,
    result=Redness,
    measure=measure,
    grade=grade,
)
