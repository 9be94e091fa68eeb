"""Pigmentation (AILab *melanin*): brown skin, brown spots, melasma and freckle evidence.

What is measured
----------------
* Brown skin: :func:`skincore.concerns.colour_areas.melanin` on the colour grid over
  the face skin: the melanin optical-density map (:mod:`skincore.chromophore`)
  smoothed at ``detection.smooth_mm`` minus the face's own baseline; skin
  ``detection.threshold`` above it is brown. Reported: its share of the face
  and of each zone, its area in mm², the intensity (mean excess over the brown
  skin as 0-100 of ``detection.full_scale``), the mean melanin density of the skin, and the
  outlines of the brown areas (AILab ``melanin_mark``; areas under
  ``min_mark_mm2`` left out). A band of ``fold_margin_mm`` round the nose folds
  (the alar-facial grooves, subnasale and philtrum,
  :data:`skincore.face.regions.NOSE_FOLDS`) is not searched: the shadow under
  each nose wing read as a brown crescent on the test faces (a fifth of the
  15 cm selfie's brown area), and shading is not pigment. The skin within
  ``hair_margin_mm`` of the hair the segmentation finds is measured but its
  brown is not reported: the hairline's fine hairs and the shadow along it read
  as a brown strip (London 136; on the ten test faces and the dark-circle
  photos 0.16-0.21 of the skin within 4 mm of the hair read brown against
  0.04-0.07 at 8-15 mm; with the band the first skin reported, 4-6 mm out,
  reads 0.08-0.11: ``benchmarks/eval_hair_margin.py --concern pigmentation``).
  A brown region with a fifth or more of its border on the edge of the
  measured skin (``detection.max_cut_share``) is left out: it is the shadow of
  what was left out (eye sockets, nose walls, nostrils, folds, a turned face's
  shaded side); this rule alone covers most of the bands above (see
  :class:`~skincore.concerns.colour_areas.MelaninParams`).
* Brown spots: the ``spot`` lesions of the shared lesion detection
  (:mod:`skincore.concerns.colour_lesions`), counted from
  :data:`SPOT_MIN_PX_PER_MM` (2 px/mm; below it the smaller spots are lost and
  ``spots`` and ``freckles`` are None, the brown area is still measured).
* Melasma evidence: the largest brown area on the forehead or a cheek (mm²);
  present when at least ``melasma_min_mm2`` (melasma is a patch of centimetres,
  not a spot). Freckle evidence: spots smaller than ``freckle_max_mm2``; present
  when at least ``freckle_min_count``.

Grading (:func:`grade`)
-----------------------
Severity 0-3 by the brown share of the face (``area_bands``: 3 %, 10 %, 20 %),
confidence a logistic of the distance to the nearest band (``confidence_spread``
= 2 % of area), score ``100 * exp(-area / score_area)``. Melasma and freckle
presence take a logistic confidence of their margin (``extra``). Set by hand;
no graded pigmentation data set here.

Limits
------
Brown is relative to the face's own baseline, so an even tan or a naturally
dark skin is not "pigmented"; a shadow that survives the shading removal can
read as brown. Melasma and freckles are told apart by size only, not by a
dermatologist's criteria (distribution, history).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore import contours
from skincore._masks import zero_where
from skincore.analysis import Lesion, MaskLayer, Pigmentation
from skincore.concerns.base import Concern
from skincore.concerns.colour_areas import MelaninParams, melanin
from skincore.concerns.colour_lesions import (
    face_chromophores,
    face_lesions,
    outlines,
    zone_shares,
)
from skincore.concerns.lesions import LesionParams
from skincore.face.regions import FAR_NOSE_MM, NOSE_FOLD_MARGIN_MM
from skincore.grading import ConcernGrade, band_grade, margin_confidence

#: Zones where a large brown patch is melasma evidence.
MELASMA_ZONES = ("forehead", "left_cheek", "right_cheek")

#: Sampling (px/mm on the face, and what the photo resolves:
#: :attr:`skincore.analysis.Quality.resolved_px_per_mm`) below which brown spots
#: are not counted. 42 ACNE04 photos of 2.2-3.0 px/mm shrunk to a given sampling
#: keep 0.94 of their spots at 2.0 px/mm, 0.73 at 1.6, 0.58 at 1.3 and 0.42 at
#: 1.0 (the small ones go first), while their brown and red areas stay within
#: 10 % and their active acne within 8 % down to 1.3 (``Pigmentation.spots`` is
#: then None: a short list would read as clearer skin than the photo shows).
SPOT_MIN_PX_PER_MM = 2.0
#: Half-width (mm) of the band either side of each nose-side crest whose brown is
#: not reported (``Params.nose_side_mm``). Across the crest, on the nine frontal
#: faces of ``shared/faces`` and every fifth ACNE04 photo, 0.42-0.65 of the area
#: within 1 mm of the crest beside the eyes read brown, 0.06 from 6 mm towards the
#: midline (``benchmarks/eval_nose_sides.py --concern pigmentation --max-yaw
#: 12``): the side wall's shading, a strip beside each inner eye corner, 3 mm
#: either side of the crest (roughness leaves a narrower band out,
#: :data:`skincore.concerns.roughness.NOSE_SIDE_MM`). The band is measured, only
#: not reported: taken out of the skin it lowered the background and the skin at
#: its edge read brown instead (0.17-0.19 with 2.5 mm, 0.12-0.14 with 4 mm).
NOSE_SIDE_MM = 4.0
#: Width (mm, along both axes) of the band along the hair the segmentation finds
#: whose brown is not reported (``Params.hair_margin_mm``; see the module
#: docstring). 2 mm left the skin 3-4 mm out at 0.13 (0.10 from 6 mm on).
HAIR_MARGIN_MM = 3.0


@dataclass(frozen=True)
class Params:
    """Pigmentation settings (see the module docstring).

    Attributes
    ----------
    detection : MelaninParams
        Smoothing, baseline and threshold of the brown-skin map.
    lesions : LesionParams
        The shared lesion detection (brown spots).
    min_mark_mm2 : float
        Smallest brown area outlined in ``melanin_mark``.
    melasma_min_mm2 : float
        A brown patch on the forehead or a cheek at least this large is melasma.
    freckle_max_mm2, freckle_min_count : float, int
        Freckles are spots under this area, present from this many.
    area_bands : tuple of float
        Face brown-area shares from which the severity is 1, 2 and 3.
    confidence_spread : float
        Area share per logistic unit of the confidence.
    score_area : float
        Brown-area share at which the score falls by a factor e.
    fold_margin_mm : float
        Half-width of the band round the nose folds left out of the brown search
        (mm); 0 keeps it.
    far_nose_mm : float
        On a turned face the band along the far side's nose outline is left out
        too (``fold_margin_mm`` round it and this much further out at full yaw,
        :func:`skincore.face.regions.far_nose_reach`): the nose's silhouette
        read as brown skin. 0 keeps it.
    nose_side_mm : float
        Half-width (mm) of the band either side of the crest down each side of
        the nose's bridge left out of the brown search
        (:func:`skincore.face.regions.nose_side_band`, as roughness leaves it
        out): the side wall's shading read as a brown strip beside each inner
        eye corner (:data:`NOSE_SIDE_MM`). 0 keeps it.
    hair_margin_mm : float
        Width (mm) of the band along the segmented hair whose brown is not
        reported (:meth:`~skincore.concerns.work.FaceWork.colour_hair_band`;
        measured, as the nose-side band is): :data:`HAIR_MARGIN_MM`. 0 reports it.
    """

    detection: MelaninParams = field(default_factory=MelaninParams)
    lesions: LesionParams = field(default_factory=LesionParams)
    min_mark_mm2: float = 2.0
    melasma_min_mm2: float = 100.0
    freckle_max_mm2: float = 7.0
    freckle_min_count: int = 10
    area_bands: tuple[float, float, float] = (0.03, 0.10, 0.20)
    confidence_spread: float = 0.02
    score_area: float = 0.10
    fold_margin_mm: float = NOSE_FOLD_MARGIN_MM
    far_nose_mm: float = FAR_NOSE_MM
    nose_side_mm: float = NOSE_SIDE_MM
    hair_margin_mm: float = HAIR_MARGIN_MM


def _largest_patch_mm2(work, mask: np.ndarray) -> float:  # noqa: ANN001 - FaceWork
    sel = mask > 0
    zone = np.zeros(sel.shape, bool)
    for name in MELASMA_ZONES:
        zone |= work.colour.masks[name] > 0
    _, stats = contours.label(sel & zone, threads=work.threads)
    if stats.area.size == 0:
        return 0.0
    return float(stats.area.max()) / work.colour_px_per_mm**2


def _reported(work, params: Params) -> np.ndarray | None:  # noqa: ANN001 - FaceWork
    """Return the skin whose brown is reported (None when no band is asked for).

    The searched skin less the bands beside the nose's crests and along the hair.
    """
    if not (params.nose_side_mm > 0 or params.hair_margin_mm > 0):
        return None
    out = work.colour_fold_free(params.fold_margin_mm, params.far_nose_mm, params.nose_side_mm)
    if params.hair_margin_mm > 0:
        out = zero_where(out, work.colour_hair_band(params.hair_margin_mm))
    return out


def measure(work, params: Params) -> Pigmentation | None:  # noqa: ANN001 - FaceWork
    """Brown skin and brown spots on the colour grid (None without face skin)."""
    face = work.colour.masks["face"]
    if not np.any(face):
        return None
    cm = work.colour
    m = melanin(
        work.colour_rgb,
        work.colour_fold_free(params.fold_margin_mm, params.far_nose_mm),
        work.colour_px_per_mm,
        params.detection,
        threads=work.threads,
        maps=face_chromophores(work),
        report=_reported(work, params),
    )
    spots: list[Lesion] | None = None
    freckles: int | None = None
    if work.resolved_px_per_mm >= SPOT_MIN_PX_PER_MM:  # at most the face's sampling
        spots = [les for les in face_lesions(work, params.lesions) if les.kind == "spot"]
        freckles = sum(1 for s in spots if s.area_mm2 < params.freckle_max_mm2)
    return Pigmentation(
        brown_area=float(m.brown_fraction),
        brown_area_mm2=float(m.brown_area_mm2),
        intensity=float(min(100.0, 100.0 * m.brown_excess_mean / params.detection.full_scale)),
        concentration=float(m.concentration),
        zones=zone_shares(work, m.mask),
        spots=spots,
        outlines=outlines(work, m.mask, min_area_mm2=params.min_mark_mm2),
        melasma=_largest_patch_mm2(work, m.mask),
        freckles=freckles,
        freckle_max_mm2=params.freckle_max_mm2,
        mask=MaskLayer(m.mask, cm.origin, cm.scale),
        level=MaskLayer(m.level, cm.origin, cm.scale),
    )


def grade(result: Pigmentation, params: Params) -> ConcernGrade:
    """Severity 0-3 of the brown share, score, and melasma / freckle presence."""
    whole = band_grade(
        result.brown_area, params.area_bands, params.confidence_spread, params.score_area
    )
    extra: dict[str, float] = {
        "melasma": int(result.melasma >= params.melasma_min_mm2),
        "melasma_confidence": margin_confidence(
            result.melasma, params.melasma_min_mm2, 0.25 * params.melasma_min_mm2
        ),
    }
    if result.freckles is not None:  # spots counted: the photo resolves them
        extra["freckle"] = int(result.freckles >= params.freckle_min_count)
        extra["freckle_confidence"] = margin_confidence(
            float(result.freckles), params.freckle_min_count, 3.0
        )
    return ConcernGrade(whole=whole, extra=extra)


CONCERN: Concern = Concern(
    name="pigmentation",
    summary="melanin: brown-skin area and intensity, brown spots, melasma and freckle evidence",
    params=Params,
    result=Pigmentation,
    measure=measure,
    grade=grade,
    reads_resolution=True,  # spots are counted where the photo resolves them
)
