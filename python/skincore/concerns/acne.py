"""Acne: papules, pustules, nodules, closed comedones and acne marks, counted and graded.

What is measured
----------------
The acne kinds of the face's shared lesion detection
(:func:`skincore.concerns.colour_lesions.face_lesions`, i.e.
:func:`skincore.concerns.lesions.detect_lesions` on the colour grid over the face
skin; the method, features and classification rules are documented there). Each
lesion has a box, an outline, an area in mm² and a confidence (the acne
logistic score fitted on the ACNE04 development split; see
``benchmarks/eval_acne.py`` for its recall and precision there).
With a lesion head (:mod:`skincore.heads`, ``AnalyzerOptions.lesion_head``) the
lesions are the caller's detector's instead, with its scores as confidences.

Grading (:func:`grade`)
-----------------------
The photo's acne grade from the count of active lesions (papules, pustules,
nodules, closed comedones; marks excluded) with the Hayashi bands ACNE04 uses:
0-5 mild (0), 6-20 moderate (1), 21-50 severe (2), more than 50 very severe (3).
Confidence: a logistic of the count's distance to the nearest band edge in
units of ``confidence_spread`` lesions. Score ``100 * exp(-count / score_count)``.

Limits
------
One frontal photo: lesions on the far side of a turned face are not seen; a
flat red mark and a papule differ mostly in relief. Not a diagnosis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from skincore.analysis import Acne
from skincore.concerns.base import Concern
from skincore.concerns.colour_lesions import face_lesions
from skincore.concerns.lesions import ACNE_KINDS, LesionParams
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Every kind the acne concern reports (the active kinds and the marks).
KINDS = (*ACNE_KINDS, "acne_mark")


@dataclass(frozen=True)
class Params:
    """Acne settings (see the module docstring).

    Attributes
    ----------
    lesions : LesionParams
        The shared lesion detection.
    hayashi_bands : tuple of int
        Largest active-lesion counts of the grades 0, 1 and 2.
    confidence_spread : float
        Lesions per logistic unit of the grade confidence.
    score_count : float
        Active-lesion count at which the score falls by a factor e.
    """

    lesions: LesionParams = field(default_factory=LesionParams)
    hayashi_bands: tuple[int, int, int] = (5, 20, 50)
    confidence_spread: float = 3.0
    score_count: float = 20.0


def measure(work, params: Params) -> Acne:  # noqa: ANN001 - FaceWork
    """Acne lesions of the face, by kind."""
    found = [les for les in face_lesions(work, params.lesions) if les.kind in KINDS]
    counts = {k: sum(1 for les in found if les.kind == k) for k in KINDS}
    skin_px = int((work.colour.masks["face"] > 0).sum())
    return Acne(
        lesions=found,
        counts=counts,
        active_count=sum(counts[k] for k in ACNE_KINDS),
        skin_area_cm2=skin_px / work.colour_px_per_mm**2 / 100.0,
    )


def hayashi_grade(count: int, bands: tuple[int, int, int] = (5, 20, 50)) -> int:
    """ACNE04 / Hayashi grade 0-3 of an active-lesion count."""
    return sum(1 for top in bands if count > top)


def grade(result: Acne, params: Params) -> ConcernGrade:
    """Hayashi grade, its confidence and a 1-100 score of the active-lesion count."""
    n = result.active_count
    edge = min(params.hayashi_bands, key=lambda b: abs(n - (b + 0.5)))
    whole = Grade(
        severity=hayashi_grade(n, params.hayashi_bands),
        confidence=margin_confidence(float(n), edge + 0.5, params.confidence_spread),
        score=round(max(1.0, 100.0 * math.exp(-n / params.score_count)), 1),
    )
    return ConcernGrade(whole=whole)


CONCERN: Concern = Concern(
    name="acne",
    summary="acne lesions (papules, pustules, nodules, closed comedones, marks) and Hayashi grade",
    params=Params,
    result=Acne,
    measure=measure,
    grade=grade,
)
