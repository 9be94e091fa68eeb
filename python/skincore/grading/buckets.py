"""Count buckets and decision confidences: the arithmetic of grading.

A class from a threshold on a measured value is only as certain as the value.
Two models are used, both documented in the README:

* counts (pores, blackheads) are treated as Poisson: the confidence of a bucket
  is the probability that a count drawn around the measured one (normal
  approximation, sigma = sqrt(n), continuity-corrected) falls in the same bucket;
* continuous statistics use a logistic of the distance to the decision threshold
  in units of a stated spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def bucket(value: float, upper_bounds: Sequence[float]) -> int:
    """Index of the first bucket whose inclusive upper bound holds ``value``.

    ``upper_bounds`` are the inclusive tops of every bucket but the last, e.g. the
    AILab forehead pores (0-100, 101-200, 201-400, 401+) are ``(100, 200, 400)``.
    """
    for i, top in enumerate(upper_bounds):
        if value <= top:
            return i
    return len(upper_bounds)


def severity(count: int, bounds: Sequence[int]) -> int:
    """Severity 0-3 of a count by inclusive upper bounds of levels 0, 1 and 2.

    Parameters
    ----------
    count : int
        Number of pores or blackheads, >= 0.
    bounds : sequence of int
        ``(b0, b1, b2)``: level 0 up to ``b0``, 1 up to ``b1``, 2 up to ``b2``,
        3 above.

    Returns
    -------
    int
        The severity level.

    Raises
    ------
    ValueError
        If ``count`` is negative.
    """
    if count < 0:
        raise ValueError("count: must be >= 0")
    return sum(1 for b in bounds if count > b)


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def count_confidence(count: int, upper_bounds: Sequence[float]) -> float:
    """Probability that the bucket of ``count`` is right under Poisson noise.

    Parameters
    ----------
    count : int
        The measured count.
    upper_bounds : sequence of float
        Inclusive bucket tops, as for :func:`bucket`.

    Returns
    -------
    float
        In (0, 1]; 1 for a count far from every boundary.
    """
    i = bucket(count, upper_bounds)
    lo = -math.inf if i == 0 else upper_bounds[i - 1] + 0.5
    hi = math.inf if i == len(upper_bounds) else upper_bounds[i] + 0.5
    sigma = math.sqrt(max(count, 1.0))
    p = _phi((hi - count) / sigma) - _phi((lo - count) / sigma)
    return round(min(1.0, max(p, 0.0)), 4)


def margin_confidence(value: float, threshold: float, spread: float) -> float:
    """Confidence of the decision ``value >= threshold`` (or its opposite).

    A logistic of ``|value - threshold| / spread``: 0.5 on the threshold,
    0.73 one spread away, 0.95 three spreads away.
    """
    if not math.isfinite(value) or spread <= 0:
        return 0.5
    return round(1.0 / (1.0 + math.exp(-abs(value - threshold) / spread)), 4)


#: AILab Pro count buckets (inclusive tops) per pore zone and for blackheads.
PORE_BUCKETS: dict[str, tuple[int, int, int]] = {
    "forehead": (100, 200, 400),
    "nose": (100, 200, 400),
    "left_cheek": (80, 180, 280),
    "right_cheek": (80, 180, 280),
    "chin": (50, 100, 150),
}
BLACKHEAD_BUCKETS: tuple[int, int, int] = (45, 90, 150)
