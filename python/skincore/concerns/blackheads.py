"""Blackheads: compact, very dark plugs on the nose.

Blackheads come from the same pore-size blob detection as
:mod:`skincore.concerns.pores` (shared through the texture grid's memo, so the
scale space is searched once): a nose blob with radius at most
``blackhead_max_radius_mm`` (0.4 mm) and depth at least ``blackhead_contrast``
(0.08 L*/100, twice a pore's, and ``blackhead_noise_k`` = 6 robust spreads of the
texture around it, see :mod:`skincore.concerns.blob_significance`) is a blackhead
and is *not* counted as a nose pore.

Grading (:func:`grade`): severity by the AILab Pro buckets (0-45 / 46-90 /
91-150 / 151+) with a Poisson count confidence; score
``1 + 99 * exp(-count / 60)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from skincore.analysis import Blackheads
from skincore.concerns import pores
from skincore.concerns.base import Concern
from skincore.concerns.context import TextureContext
from skincore.grading import ConcernGrade, Grade, count_confidence, severity

#: AILab Pro blackhead count buckets (inclusive tops).
BLACKHEAD_BUCKETS: tuple[int, int, int] = (45, 90, 150)


@dataclass(frozen=True)
class Params:
    """Blackhead thresholds.

    Attributes
    ----------
    detection : pores.Params
        The shared pore-size detection and the blackhead tests
        (``blackhead_contrast``, ``blackhead_noise_k``, ``blackhead_max_radius_mm``).
    score_count : float
        Blackhead count at which the score falls by a factor e.
    """

    detection: pores.Params = field(default_factory=pores.Params)
    score_count: float = 60.0


def blackhead_score(count: int, params: Params | None = None) -> float:
    """Blackhead score 1-100 (higher healthier): ``1 + 99 * exp(-count / 60)``.

    Parameters
    ----------
    count : int
        Blackheads on the nose.
    params : Params, optional
        The score scale.

    Returns
    -------
    float
        Score rounded to 0.1.
    """
    scale = (params or Params()).score_count
    return round(1.0 + 99.0 * math.exp(-count / scale), 1)


def measure_blackheads(
    ctx: TextureContext, params: Params | None = None, *, threads: int = 0
) -> Blackheads | None:
    """Count blackheads on the nose (a heuristic image measurement).

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid.
    params : Params, optional
        Thresholds; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the kernels (0 = the pool).

    Returns
    -------
    Blackheads or None
        Count, density and every blackhead as ``x, y, radius`` in image pixels
        with its depth (L*/100). ``None`` below the pores' resolution or when the
        nose has no skin mask.
    """
    params = params or Params()
    if "nose" not in ctx.masks or not np.any(ctx.masks["nose"]):
        return None
    if not ctx.px_per_mm >= pores.FINE_PX_PER_MM:
        return None
    ctx = pores.detection_grid(ctx, params.detection, threads)
    det = pores.detect_once(ctx, params.detection, threads)
    if det is None:
        return None
    found, zone, masks, signif, _ = det
    ppm = float(ctx.px_per_mm)
    bh = found[pores.is_blackhead(found, zone, ppm, signif, params.detection)]
    area_cm2 = float(np.count_nonzero(masks["nose"])) / (ppm * ppm) / 100.0
    return Blackheads(
        count=len(bh),
        density_per_cm2=len(bh) / area_cm2 if area_cm2 > 0 else 0.0,
        blobs=pores.to_image(ctx, bh),
    )


def measure(work, params: Params) -> Blackheads | None:  # noqa: ANN001 - FaceWork
    """Concern entry point: :func:`measure_blackheads` on the face's texture grid."""
    return measure_blackheads(work.texture, params, threads=work.threads)


def grade(result: Blackheads, params: Params) -> ConcernGrade:
    """AILab bucket severity with its Poisson confidence, and the score."""
    whole = Grade(
        severity=severity(result.count, BLACKHEAD_BUCKETS),
        confidence=count_confidence(result.count, BLACKHEAD_BUCKETS),
        score=blackhead_score(result.count, params),
    )
    return ConcernGrade(whole=whole)


CONCERN: Concern = Concern(
    name="blackheads",
    summary="blackheads on the nose (count, density per cm2)",
    params=Params,
    result=Blackheads,
    measure=measure,
    min_px_per_mm=pores.FINE_PX_PER_MM,
    grade=grade,
)
