"""The concern protocol: what one skin concern module declares.

A concern is one module under :mod:`skincore.concerns` that ends with a
``CONCERN = Concern(...)`` spec:

* ``name``: the key of its result in :attr:`skincore.analysis.FaceResult.concerns`
  and of its grade in ``FaceResult.grades``;
* ``params``: a frozen dataclass type whose defaults are the documented
  thresholds (never module globals); a caller overrides them per Analyzer;
* ``result``: the dataclass type of its measurement (physical units: counts,
  densities per cm², lengths in mm, L* contrasts, area fractions);
* ``min_px_per_mm``: the finest sampling it needs on the face; below it the
  concern is skipped and the reason is reported (``FaceResult.skipped``);
* ``measure(work, params)``: reads the shared, cached :class:`FaceWork` of one
  face and returns its result, or ``None`` when there is nothing to measure;
* ``grade(result, params)``: the grading step for this concern, turning the
  measurement into severities, confidences and 1-100 scores
  (:class:`skincore.grading.ConcernGrade`); ``None`` when the concern has no
  vendor grades (skin tone).

The pipeline iterates :data:`skincore.concerns.registry.REGISTRY` in order; a
caller may run a subset by name (``skincore.analyze(..., concerns=["tone"])``).
Concerns that depend on another one's work share it through ``FaceWork.memo``,
never through module state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skincore.concerns.work import FaceWork
    from skincore.grading import ConcernGrade


@dataclass(frozen=True)
class Concern:
    """The declaration of one concern (see the module docstring).

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"pores"``.
    summary : str
        One line saying what is measured, for listings and the README.
    params : type
        Frozen dataclass of the thresholds; ``params()`` gives the defaults.
    result : type
        Dataclass returned by ``measure``.
    measure : callable
        ``measure(work: FaceWork, params) -> result | None``.
    min_px_per_mm : float or None
        Finest sampling needed on the face (texture grid), or ``None`` when any
        resolution the face checks accept will do.
    grade : callable or None
        ``grade(result, params) -> ConcernGrade | None``; ``None`` for concerns
        without vendor severities (a grade of ``None`` means: not gradable for
        this photo, e.g. below the resolution the buckets assume).
    photo_only : bool
        ``measure`` reads only the photo and the landmarks of its ``FaceWork``
        (``rgb``, ``landmarks``, ``px_per_mm``, ``session``, ``threads``), never
        the segmentation, the polygons or a grid: the pipeline may then measure
        it while the face's segmentation model runs on another thread
        (:meth:`FaceWork.prefetch <skincore.concerns.work.FaceWork.prefetch>`).
    absent : str
        Why the concern is not measured when ``measure`` returns ``None``
        (``FaceResult.skipped``).
    reads_resolution : bool
        ``measure`` reads :attr:`FaceWork.resolved_px_per_mm
        <skincore.concerns.work.FaceWork.resolved_px_per_mm>` for a part of its
        result (pigmentation: whether brown spots are counted): the pipeline
        then reports it in ``Quality.resolved_px_per_mm`` as it does for a
        concern with a ``min_px_per_mm``.
    """

    name: str
    summary: str
    params: type
    result: type
    measure: Callable[[FaceWork, Any], Any]
    min_px_per_mm: float | None = None
    grade: Callable[[Any, Any], ConcernGrade | None] | None = None
    photo_only: bool = False
    absent: str = "nothing to measure (no skin in its zones)"
    reads_resolution: bool = False

    def default_params(self) -> Any:
        """Return the documented default parameters."""
        return self.params()
