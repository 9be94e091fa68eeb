"""Firmness (YouCam *firmness*): the sagging signs a frontal photo shows.

What is measured
----------------
Firmness and elasticity are mechanical properties; a photo cannot measure them.
What it shows of lost firmness, face on, is sagging: the folds from the nose to
the mouth corners (nasolabial folds) and from the mouth corners down (marionette
lines) deepen and lengthen. This concern reads the wrinkle concern's lines in
those four zones (:mod:`skincore.concerns.wrinkles`, through
``FaceWork.result_of``: measured once) and reports their *sag load*: the mean
wrinkle load (``sum(length_mm x depth) / sqrt(zone area mm²)``) of the
nasolabial and mouth-corner zones measured, per zone too.

Score ``100 * exp(-load / score_load)``; severity bands of the load. Jowls and
the jawline, which need a profile view, are not measured. Hand-set; no graded
firmness data here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skincore.analysis import Firmness
from skincore.concerns import wrinkles
from skincore.concerns.base import Concern
from skincore.grading import ConcernGrade, banded

#: The zones whose folds show sagging.
SAG_ZONES = ("left_nasolabial", "right_nasolabial", "left_mouth_corner", "right_mouth_corner")


@dataclass(frozen=True)
class Params:
    """Firmness settings.

    Attributes
    ----------
    lines : wrinkles.Params
        The wrinkle measurement read.
    bands : tuple of float
        Sag loads from which the severity is 1, 2 and 3.
    confidence_spread : float
        Load per logistic unit of the confidence.
    score_load : float
        Load at which the score falls by a factor e.
    """

    lines: wrinkles.Params = field(default_factory=wrinkles.Params)
    bands: tuple[float, float, float] = (0.15, 0.6, 1.5)
    confidence_spread: float = 0.1
    score_load: float = 1.0


def measure(work, params: Params) -> Firmness | None:  # noqa: ANN001 - FaceWork
    """Sag load of the nasolabial and mouth-corner zones (None when none was measured)."""
    w = work.result_of(wrinkles.CONCERN, params.lines)
    if w is None:
        return None
    zones = {z: float(w.zones[z].load) for z in SAG_ZONES if z in w.zones}
    if not zones:
        return None
    return Firmness(sag_load=sum(zones.values()) / len(zones), zones=zones)


def grade(result: Firmness, params: Params) -> ConcernGrade:
    """Severity, confidence and score of the sag load, per zone and face."""
    return banded(
        result.sag_load, result.zones, params.bands, params.confidence_spread, params.score_load
    )


CONCERN: Concern = Concern(
    name="firmness",
    summary="firmness as sagging signs: nasolabial and marionette fold load (not elasticity)",
    params=Params,
    result=Firmness,
    measure=measure,
    min_px_per_mm=wrinkles.CONCERN.min_px_per_mm,
    grade=grade,
)
