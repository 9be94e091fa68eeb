"""Grading: the one step that turns measurements into severities and scores.

Concerns return physical measurements (counts, densities per cm², lengths in
mm, contrasts, area fractions). Each concern's ``grade(result, params)``
(declared in its :class:`~skincore.concerns.base.Concern` spec) maps them to a
:class:`ConcernGrade`: per zone and for the whole face a severity (the vendor
scale the concern documents), the confidence of that severity, and a 1-100 score
(higher is healthier). :func:`group_scores` pools zones into the vendor groups of
:data:`skincore.grading.groups.ZONE_GROUPS` (skin-area-weighted means).

``ui_score`` follows YouCam's idea of a friendlier display value:
``round(40 + 0.6 * raw)``, monotone in the raw score. These mappings are set by
hand and documented; no public graded data set here could fit them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from skincore.grading.buckets import (
    bucket,
    count_confidence,
    margin_confidence,
    severity,
)
from skincore.grading.groups import CONCERN_GROUPS, ZONE_GROUPS

__all__ = [
    "CONCERN_GROUPS",
    "ZONE_GROUPS",
    "ConcernGrade",
    "Grade",
    "Score",
    "band_grade",
    "banded",
    "bucket",
    "count_confidence",
    "group_scores",
    "margin_confidence",
    "score_of",
    "severity",
    "total_score",
    "ui_score",
    "whole_grade",
]


@dataclass(frozen=True)
class Grade:
    """A graded measurement.

    Attributes
    ----------
    severity : int
        On the scale the concern documents (0-3 for count buckets and wrinkle
        bands; 0-100 for roughness).
    confidence : float
        Probability-like confidence of ``severity`` in [0, 1] (derivation in the
        concern's ``grade`` docstring).
    score : float
        1-100, higher is healthier.
    """

    severity: int
    confidence: float
    score: float


@dataclass(frozen=True)
class ConcernGrade:
    """Grades of one concern on one face.

    Attributes
    ----------
    whole : Grade
        The face as a whole.
    zones : dict of str to Grade
        Per measured zone.
    weights : dict of str to float
        Skin area (image px) of each zone, used to pool zones into groups.
    extra : dict of str to int or float
        Further documented grades (e.g. roughness ``smooth`` 1-4).
    """

    whole: Grade
    zones: Mapping[str, Grade] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    extra: Mapping[str, int | float] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    """A raw score (1-100) and its display value."""

    raw: float
    ui: int


def band_grade(value: float, bands: tuple[float, ...], spread: float, score_scale: float) -> Grade:
    """Grade a share (or count) against ascending severity bands.

    The severity is the number of bands ``value`` reaches; the confidence a
    logistic of its distance to the nearest band in units of ``spread``
    (:func:`margin_confidence`); the score ``100 * exp(-value / score_scale)``
    (at least 1), so more of the concern always scores lower.
    """
    edge = min(bands, key=lambda b: abs(value - b))
    return Grade(
        severity=sum(1 for b in bands if value >= b),
        confidence=margin_confidence(value, edge, spread),
        score=round(max(1.0, 100.0 * math.exp(-value / score_scale)), 1),
    )


def banded(
    whole: float,
    zones: Mapping[str, float],
    bands: tuple[float, ...],
    spread: float,
    score_scale: float,
) -> ConcernGrade:
    """:func:`band_grade` of a face's value and of each zone's (zones weigh equally)."""

    def g(v: float) -> Grade:
        return band_grade(v, bands, spread, score_scale)

    return ConcernGrade(
        whole=g(whole),
        zones={name: g(v) for name, v in zones.items()},
        weights=dict.fromkeys(zones, 1.0),
    )


def whole_grade(
    zones: Mapping[str, Grade],
    weights: Mapping[str, float],
    *,
    digits: int | None = 1,
    least_confident: bool = True,
) -> Grade:
    """Return the face's grade from its zones: worst zone's severity, pooled score.

    Parameters
    ----------
    zones : mapping of str to Grade
        Per-zone grades.
    weights : mapping of str to float
        Skin area of each zone (the score is the area-weighted mean; 100 when
        there is no area).
    digits : int or None, optional
        Rounding of the pooled score (``None``: to an integer).
    least_confident : bool, optional
        Among zones of the worst severity, report the least confident one's
        confidence (else the most confident one's).

    Returns
    -------
    Grade
        Severity and confidence of the worst zone (0 and 1.0 without zones).
    """
    total = sum(weights.values())
    score = sum(zones[n].score * w for n, w in weights.items()) / total if total > 0 else 100.0
    sign = -1.0 if least_confident else 1.0
    worst = max(zones.values(), key=lambda g: (g.severity, sign * g.confidence), default=None)
    return Grade(
        severity=worst.severity if worst else 0,
        confidence=worst.confidence if worst else 1.0,
        score=float(round(score, digits)) if digits is not None else float(round(score)),
    )


def ui_score(raw: float) -> int:
    """YouCam-style display score from a raw 1-100 score."""
    return int(round(40.0 + 0.6 * max(1.0, min(100.0, raw))))


def score_of(raw: float) -> Score:
    """Return the :class:`Score` of a raw 1-100 value (clipped, with its UI score)."""
    raw = round(max(1.0, min(100.0, float(raw))), 2)
    return Score(raw, ui_score(raw))


_score = score_of


def group_scores(grades: Mapping[str, ConcernGrade]) -> dict[str, dict[str, Score]]:
    """Scores of every graded concern, whole and per vendor group.

    Parameters
    ----------
    grades : dict of str to ConcernGrade
        The face's grades by concern name.

    Returns
    -------
    dict
        ``{concern: {"whole": Score, group: Score, ...}}``; a group is present
        when at least one of its zones was graded (area-weighted mean of them).
    """
    out: dict[str, dict[str, Score]] = {}
    for name, g in grades.items():
        scores = {"whole": _score(g.whole.score)}
        for group in CONCERN_GROUPS.get(name, ()):
            pairs = [
                (g.zones[z].score, g.weights.get(z, 0.0))
                for z in ZONE_GROUPS[group]
                if z in g.zones
            ]
            total = sum(w for _, w in pairs)
            if pairs and total > 0:
                scores[group] = _score(sum(s * w for s, w in pairs) / total)
        out[name] = scores
    return out


def total_score(scores: Mapping[str, Mapping[str, Score]]) -> Score | None:
    """Return the face's overall score: the mean of the graded concerns' whole-face scores.

    Unweighted, so each concern counts once (AILab ``total_score``, YouCam
    ``all``); it falls whenever any concern's measurement worsens, since every
    concern score is monotone in its measurement. ``None`` without a graded
    concern. Which concerns ran changes it: compare totals of like analyses.
    """
    raws = [s["whole"].raw for s in scores.values() if "whole" in s]
    if not raws:
        return None
    return _score(sum(raws) / len(raws))
