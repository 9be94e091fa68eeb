"""Colour lesions: the acne family, moles and spots, found on the chromophore maps.

What is measured
----------------
:func:`detect_lesions` works on a face crop with its CIELAB and a skin mask
(eyes, brows, lips, nostrils and hair already excluded):

1. The crop is area-resampled to at most ``params.work_px_per_mm`` and
   despeckled (exact 3x3 median: impulse noise is not a lesion).
2. Melanin and haemoglobin maps (:func:`skincore.chromophore.chromophore_maps`,
   optical density with shading removed).
3. Two multi-scale centre-surround contrast maps over the skin mask
   (:func:`skincore.lesions.local_contrast`, centre sigmas ``scales_mm``):
   *red* on haemoglobin and *brown* on melanin. Only skin pixels enter either
   mean, so the border of an eye or a lip never looks like a lesion.
4. Candidates: local maxima of each map above its seed threshold, at least
   ``peak_separation_mm`` apart; a candidate's extent is the connected region
   above the low threshold (raised to ``noise_factor`` robust sigmas of the
   map on noisy photos) and above half of the strongest contrast nearby; a
   region with several peaks is split between them (nearest peak), so
   clustered lesions count one by one. Brown candidates are only taken where
   the skin is not part of a red candidate. Each is measured by
   :func:`skincore.lesions.region_features` against a ring of surrounding
   skin: area (mm²), circularity, contrast in L*, a*, b*, haemoglobin and
   melanin to the ring, a pale centre (the lightest L* near the
   contrast-weighted centre minus the lesion's mean, and minus its own rim,
   the region outside its core) and the border
   sharpness (mean |grad L*| on the border, L*/mm); the inflamed core (pixels
   whose haemoglobin excess is at least half the peak's); the red contrast
   map at the melanin peak; and how much darker the region is than its
   melanin and haemoglobin explain (shade).
   Contrasts in L*a*b* depend on the skin's lightness (a given optical
   density step moves L* and a* in proportion to ``L* + 16``): where a rule
   or the acne score reads one, it is put on the scale of skin of L* 50
   (``da_tone``, ``pale_tone``); contrasts of the chromophore maps (density
   units) need no such scale.
5. Each candidate is classified by the rules of :func:`classify` (thresholds in
   :class:`LesionParams`). Acne kinds need an :func:`acne_score` (a logistic
   model fitted on the ACNE04 development split) of at least
   ``acne_min_score`` and take it as their confidence; the other kinds take
   :func:`confidence` of their contrast margin.

Steps 1-4 live in :mod:`skincore.concerns.lesion_candidates`, step 5 and every
threshold in :mod:`skincore.concerns.lesion_rules` (re-exported here); this module
holds :class:`Lesion`, :func:`lesion_skin_mask` and :func:`detect_lesions`, which
runs the steps. Diffuse red and brown areas are
:mod:`skincore.concerns.colour_areas`.

Kinds: ``papule`` (red inflamed bump), ``pustule`` (red with a pale centre),
``nodule`` (large inflamed), ``closed_comedone`` (small skin-coloured or
whitish bump), ``acne_mark`` (flat red-brown post-inflammatory mark), ``mole``
(dark, compact) and ``spot`` (flat brown).

Candidate filters against the false lesions of healthy faces: a candidate's
ring must be mostly skin (``min_ring_completeness``: not at the face outline,
hairline, nostrils, eye corners), it must contrast with every quadrant of its
ring (``min_side_contrast``: not a shading gradient beside the nose or jaw),
its border must not run along the edge of the skin mask (``max_cut_share``:
not the continuation of an eye's corner, a nostril, a brow or the lip's border),
its peak must stand out of the map's own noise (``seed_noise_factor``), spots
and moles must stand out of it against every side too (``side_noise_factor``), brown
candidates must be darker (``min_darkening``), and nodules need a higher acne
score (``nodule_min_score``: the natural redness beside the nostrils).

Limits
------
Heuristic image measurements, not a diagnosis. The chromophore maps are
relative (white balance shifts them), so thresholds are contrasts to the
surrounding skin, never absolute colours. The rules were tuned on the
ACNE04 development split (see ``benchmarks/eval_acne.py``; ACNE04 is free for
academic use, the Roboflow export CC BY 4.0) and on synthetic lesions planted on
the test faces; a flat red mark and a papule differ mostly in relief, which a
single frontal photo shows only through shading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore import contours, geometry
from skincore._checks import check_rgb_skin
from skincore.concerns.lesion_candidates import candidates
from skincore.concerns.lesion_rules import (
    ACNE_FEATURES,
    ACNE_KINDS,
    KINDS,
    LesionParams,
    acne_score,
    classify,
    confidence,
    faded_to_mark,
)
from skincore.face.regions import EXCLUDED, region_polygons
from skincore.median import median

__all__ = [
    "ACNE_FEATURES",
    "ACNE_KINDS",
    "KINDS",
    "Lesion",
    "LesionParams",
    "acne_score",
    "classify",
    "confidence",
    "detect_lesions",
    "lesion_skin_mask",
]


@dataclass(frozen=True)
class Lesion:
    """One detected lesion, in face-crop pixels.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    center : tuple of float
        ``(x, y)`` centroid.
    bbox : tuple of float
        ``(x0, y0, x1, y1)``, ``x1``/``y1`` exclusive.
    polygon : numpy.ndarray
        ``(K, 2)`` float32 outline ``(x, y)``.
    area_mm2 : float
        Area on the face.
    confidence : float
        In (0, 1); see :func:`confidence`.
    features : dict of str to float
        ``circularity``, ``dL``, ``da``, ``db`` (L*a*b* contrast to the ring),
        ``redness`` (haemoglobin contrast), ``melanin`` (melanin contrast),
        ``pale_centre`` (the pale head, the lightest L* near the contrast-weighted
        centre, minus the lesion's mean L*), ``border_sharpness``
        (|grad L*| on the border, L*/mm), ``red_peak`` and ``brown_peak``
        (largest contrast-map values inside), ``red_at_brown_peak`` (the red
        contrast map where the brown one peaks), ``core_area_mm2`` (the
        inflamed core with ``nodule_by_core``, else the area), ``da_tone``
        and ``pale_tone`` (a* contrast and pale centre against the rim on the
        scale of skin of L* 50), ``shade`` (optical density of the L* drop
        beyond the chromophore contrasts), ``cut_share`` (share of its border
        pixels beside a pixel off the skin mask).
    """

    kind: str
    center: tuple[float, float]
    bbox: tuple[float, float, float, float]
    polygon: np.ndarray = field(compare=False)
    area_mm2: float
    confidence: float
    features: dict[str, float] = field(compare=False)


def lesion_skin_mask(
    lab: np.ndarray,
    landmarks: np.ndarray,
    origin: tuple[int, int],
    px_per_mm: float,
    *,
    extend: float = 0.08,
    exclusion_margin: float = 0.02,
    hair_dL: float = 20.0,
    hair_min_area_mm2: float = 20.0,
) -> np.ndarray:
    """Build the skin mask of the lesion concerns from landmarks (interim, no segmentation).

    The face outline, grown by ``extend`` of its size (upwards twice: the mesh
    stops short of the hairline and the jaw edge) where pixels are warm and
    chromatic (a*, b* >= 3: walls, clothes, grey hair are not), minus eyes,
    brows, lips and nostrils grown by ``exclusion_margin`` of the inter-ocular
    distance (as :func:`skincore.face.regions.build_masks`), minus dark regions
    (``hair_dL`` L* below the median skin, or 3.5 robust sigmas) larger than
    ``hair_min_area_mm2`` (hair, beard, background; a mole is smaller). There is
    no colour-distance gate: it would remove the red and brown lesions.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(h, w, 3)`` float32 CIELAB of the face crop.
    landmarks : numpy.ndarray
        ``(478, 2+)`` mesh points in image pixels.
    origin : tuple of int
        ``(x, y)`` of the crop in the image (landmarks are shifted by it).
    px_per_mm : float
        Crop pixels per millimetre.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` uint8, 255 on skin.
    """
    h, w = lab.shape[:2]
    pts = np.asarray(landmarks, np.float64)
    off = np.asarray(origin, np.float64)
    polys = {k: (v - off).astype(np.float32) for k, v in region_polygons(pts).items()}
    oval = polys["face_oval"].astype(np.float64)
    face = geometry.fill_polygons([oval.astype(np.float32)], (h, w), threads=1) > 0
    c = oval.mean(axis=0)
    big = (oval - c) * (1.0 + extend)
    big[:, 1] -= np.where(big[:, 1] < 0, extend * np.ptp(oval[:, 1]), 0.0)
    grown = geometry.fill_polygons([(big + c).astype(np.float32)], (h, w), threads=1) > 0
    face |= grown & (lab[..., 1] >= 3.0) & (lab[..., 2] >= 3.0)
    exc = np.zeros((h, w), np.uint8)
    for name in EXCLUDED:
        geometry.fill_polygons([polys[name]], (h, w), out=exc, threads=1)
    margin = exclusion_margin * float(np.linalg.norm(pts[33, :2] - pts[263, :2]))
    if margin >= 0.5:
        excluded = geometry.gaussian_blur(exc.astype(np.float32), margin / 2.0) > 0.02
    else:
        excluded = exc > 0
    inner = face & ~excluded
    if not inner.any():
        return np.zeros((h, w), np.uint8)
    L = lab[..., 0]
    med = median(L[inner])
    mad = 1.4826 * median(np.abs(L[inner] - med))
    dark = (L < med - max(hair_dL, 3.5 * mad)).astype(np.uint8)
    lab_d, st = contours.label(dark)
    big_ids = np.flatnonzero(st.area >= hair_min_area_mm2 * px_per_mm**2) + 1
    return (inner & ~np.isin(lab_d, big_ids)).astype(np.uint8) * np.uint8(255)


def _check_inputs(rgb: np.ndarray, lab: np.ndarray, skin: np.ndarray, px_per_mm: float) -> None:
    check_rgb_skin(rgb, skin, px_per_mm)
    if not isinstance(lab, np.ndarray) or lab.dtype != np.float32 or lab.shape != rgb.shape:
        raise ValueError(f"lab: expected a float32 array of shape {rgb.shape}")


def _to_work(
    rgb: np.ndarray,
    lab: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    target: float,
    threads: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Area-resample to at most ``target`` px/mm; returns the work scale (work px / crop px)."""
    h, w = skin.shape
    if px_per_mm <= target:
        return rgb, lab, (skin > 0).astype(np.uint8), 1.0
    s = target / px_per_mm
    size = (max(1, round(w * s)), max(1, round(h * s)))
    rgb_w = geometry.resize(np.ascontiguousarray(rgb), size, method="area", threads=threads)
    lab_w = geometry.resize(np.ascontiguousarray(lab), size, method="area", threads=threads)
    sk = geometry.resize(
        (skin > 0).astype(np.uint8) * np.uint8(255), size, method="area", threads=threads
    )
    # Only work pixels made of skin alone: one that mixes in a lip, an eye or
    # hair carries their colour and would be a lesion at the mask's edge.
    return rgb_w, lab_w, (sk >= 250).astype(np.uint8), size[0] / w


def detect_lesions(
    rgb: np.ndarray,
    lab: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    params: LesionParams | None = None,
    *,
    threads: int = 0,
) -> list[Lesion]:
    """Detect and classify the colour lesions of one face crop.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(h, w, 3)`` uint8 face crop.
    lab : numpy.ndarray
        ``(h, w, 3)`` float32 CIELAB of the crop.
    skin : numpy.ndarray
        ``(h, w)`` uint8 (255 = skin) or bool; eyes, brows, lips, nostrils and hair
        excluded. It must not drop red or brown skin (a colour-distance gate
        would remove the lesions themselves).
    px_per_mm : float
        Crop pixels per millimetre on the face.
    params : LesionParams, optional
        Thresholds; the defaults are documented on :class:`LesionParams`.
    threads : int
        Worker threads for the kernels.

    Returns
    -------
    list of Lesion
        In crop pixels, sorted by decreasing confidence.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    _check_inputs(rgb, lab, skin, px_per_mm)
    p = params or LesionParams()
    if rgb.shape[0] < 3 or rgb.shape[1] < 3 or not np.any(skin):
        return []
    rgb_w, lab_w, skin_w, scale = _to_work(rgb, lab, skin, px_per_mm, p.work_px_per_mm, threads)
    ppm = px_per_mm * scale  # work px per mm
    cands = candidates(rgb_w, lab_w, skin_w, ppm, p, threads)
    if cands is None:
        return []
    labels, n_red, feats = cands
    outlines = contours.find_contours(labels, threads=threads)
    inv = 1.0 / scale
    out: list[Lesion] = []
    for i, f in enumerate(feats):
        if f is None:
            continue
        kind = classify(f, p)
        if kind is None:
            continue
        if kind in ACNE_KINDS:
            conf = acne_score(f, p)
            if conf < p.acne_min_score and faded_to_mark(f, p):
                kind, conf = "acne_mark", confidence(f["margin"])
            elif conf < p.acne_min_score:
                if not (
                    kind == "pustule"
                    and f["pale_tone"] >= p.pustule_sure_pale
                    and f["margin"] >= p.pustule_sure_margin
                    and f["area_mm2"] < np.pi / 4 * p.nodule_min_diameter_mm**2
                ):
                    continue
                conf = p.acne_min_score
        else:
            conf = confidence(f["margin"])
        cx, cy = (f["cx"] + 0.5) * inv - 0.5, (f["cy"] + 0.5) * inv - 0.5
        iy = min(max(int(round(cy)), 0), skin.shape[0] - 1)
        ix = min(max(int(round(cx)), 0), skin.shape[1] - 1)
        if not skin[iy, ix]:
            continue  # the centre lies off the (full-resolution) skin mask
        x0, y0, x1, y1 = f["bbox"]
        poly = outlines[i]
        poly = contours.simplify(poly, 0.7) if len(poly) > 2 else poly
        poly = ((poly.astype(np.float32) + 0.5) * inv - 0.5).astype(np.float32)
        out.append(
            Lesion(
                kind=kind,
                center=(float(cx), float(cy)),
                bbox=(float(x0 * inv), float(y0 * inv), float(x1 * inv), float(y1 * inv)),
                polygon=poly,
                area_mm2=f["area_mm2"],
                confidence=float(conf),
                features={
                    k: v for k, v in f.items() if isinstance(v, float) and k not in ("cx", "cy")
                },
            )
        )

    # Large inflamed regions (nodule-sized whole, halo included) below
    # nodule_min_score only on a face with other active acne.
    def large(les: Lesion) -> bool:
        return les.kind in ACNE_KINDS and les.area_mm2 >= np.pi / 4 * p.nodule_min_diameter_mm**2

    others = sum(les.kind in ACNE_KINDS and not large(les) for les in out)
    if others < p.nodule_context:
        out = [les for les in out if not large(les) or les.confidence >= p.nodule_min_score]
    out.sort(key=lambda les: -les.confidence)
    return out
