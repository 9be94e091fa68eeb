"""Colour lesions (acne family, moles, spots) and diffuse redness / melanin.

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

Kinds: ``papule`` (red inflamed bump), ``pustule`` (red with a pale centre),
``nodule`` (large inflamed), ``closed_comedone`` (small skin-coloured or
whitish bump), ``acne_mark`` (flat red-brown post-inflammatory mark), ``mole``
(dark, compact) and ``spot`` (flat brown).

:func:`sensitivity` measures diffuse redness: the haemoglobin map, smoothed at
``smooth_mm``, minus the skin's own local background (the masked Gaussian mean
at ``background_mm`` of the skin around it that is not itself red, two
passes); skin more than ``threshold`` above its background is red area. A
local background, not one value per face: illumination gradients and specular
highlights shift the chromophore maps over centimetres, and a face's least red
skin (its highlights) is no baseline. :func:`melanin` does the same on the
melanin map for brown area (hyperpigmented skin: spots, melasma, patches;
near 0 on even skin of any tone), where brown skin must also be darker (its
G optical density up by half its melanin excess), and reports the mean
melanin density. Its background also follows a gradient that rises towards
the skin's edge (``MelaninParams.background_order``: the local plane where it
lies above the mean): shading on a turned face leaks into the melanin map and
read as a brown band along the shaded edge.

Candidate filters against the false lesions of healthy faces: a candidate's
ring must be mostly skin (``min_ring_completeness``: not at the face outline,
hairline, nostrils, eye corners), it must contrast with every quadrant of its
ring (``min_side_contrast``: not a shading gradient beside the nose or jaw),
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
from typing import NamedTuple

import numpy as np

from skincore import color, contours, geometry
from skincore import lesions as kernels
from skincore._masks import zero_where
from skincore.chromophore import chromophore_maps
from skincore.face.regions import EXCLUDED, region_polygons
from skincore.median import median

__all__ = [
    "KINDS",
    "ACNE_KINDS",
    "Lesion",
    "LesionParams",
    "MelaninParams",
    "MelaninResult",
    "SensitivityParams",
    "SensitivityResult",
    "classify",
    "confidence",
    "detect_lesions",
    "lesion_skin_mask",
    "melanin",
    "sensitivity",
]

KINDS = ("papule", "pustule", "nodule", "closed_comedone", "acne_mark", "mole", "spot")
"""Every lesion kind :func:`detect_lesions` reports."""

ACNE_KINDS = ("papule", "pustule", "nodule", "closed_comedone")
"""The kinds that are active acne lesions (counted for acne grading)."""

# Channels of the feature stack handed to region_features.
_L, _A, _B, _HB, _MEL, _RED, _BROWN = range(7)


@dataclass(frozen=True)
class LesionParams:
    """Thresholds of :func:`detect_lesions` (contrasts are inside minus ring).

    Attributes
    ----------
    work_px_per_mm : float
        Detection grid: the crop is area-resampled down to at most this many
        pixels per millimetre. 2.5 (a 1 mm lesion spans 2.5 px) keeps every
        synthetic class's recall and precision of 3.0 within 2 points and
        takes about 2/3 of its time; ACNE04's faces come at about 2.2.
    scales_mm : tuple of float
        Centre Gaussian sigmas of the contrast search, mm (a lesion of radius r
        responds most near sigma = r / 1.4).
    surround_ratio : float
        Surround sigma / centre sigma.
    red_seed, red_low : float
        Haemoglobin contrast (density units) a candidate must reach somewhere
        (seed) and that its pixels must exceed (extent).
    brown_seed, brown_low : float
        The same for brown regions, on the melanin contrast map (density units).
    noise_factor : float
        The low thresholds are raised to this many robust standard deviations
        of their contrast map over the skin (noisy, compressed photos).
    min_area_mm2, max_area_mm2 : float
        Candidate areas kept (a 0.6 mm disc is 0.3 mm²; above the maximum a
        region is a patch, not a lesion).
    min_ring_fraction : float
        A candidate needs a surrounding skin ring of at least this fraction of
        its own area (lesions cut by the mask edge cannot be measured).
    nodule_min_diameter_mm : float
        Inflamed lesions at least this wide are nodules (the whole region, or
        its core with ``nodule_by_core``). The nodule gates
        (``nodule_min_score``, ``nodule_context``) apply to every inflamed
        region this wide as a whole.
    nodule_by_core : bool
        Measure the nodule size on the inflamed core (the pixels whose
        haemoglobin excess over the ring is at least half its peak) instead of
        the whole region with its red halo. On ACNE04 dev it leaves recall,
        precision and grade accuracy as they are (1,685 acne detections
        instead of 1,681) but changes the kinds: 554 nodules instead of 859
        (ACNE04's lesions are mostly papules and pustules; with the halo a
        moderate-acne face read 11-15 nodules). On by default. On the synthetic
        faces the large natural red regions next to planted lesions, hidden as
        nodules with the halo rule (a kind that benchmark does not plant),
        become papules and count against papule precision (0.96 instead of
        1.00, 3 seeds); the benchmark now also counts new detections of the
        kinds it never plants.
    pustule_pale : float
        A red lesion whose pale head is at least this much lighter than its own
        red rim, in L* on the scale of skin of L* 50 (``pale_tone``), is a
        pustule. On that scale the pale centre of the planted pustules (median
        5.9 / 5.7 / 5.3 on light / medium / dark test faces) and of the
        planted papules (-1.7 / -1.6 / -1.6) no longer depend on the skin's
        tone; in raw L* against the lesion's mean (the rule before, at 1.0)
        they did (pustules 6.8 / 5.7 / 4.1).
    papule_min_red : float
        Minimum haemoglobin contrast of an inflamed lesion; redder than a mark.
    inflamed_max_dL : float
        Inflamed lesions (papules, pustules, nodules) are at most this much
        lighter than their ring (L*): blood absorbs, so a red region clearly
        lighter than the skin around it is a highlight or the lip's border,
        not an inflamed lesion.
    mole_max_dL : float
        Moles are at least this much darker than their ring (negative, L*).
    mole_min_melanin : float
        ... or at least this much melanin contrast (dark skin: a mole's L* drop
        is smaller there).
    mole_min_circularity, mole_max_diameter_mm : float
        Moles are compact.
    brown_ratio : float
        A lesion is brown (spot, mark) rather than red when its melanin
        contrast exceeds ``brown_ratio`` times its haemoglobin contrast.
    mark_min_red : float
        A brown lesion with at least this haemoglobin contrast is an acne mark
        (post-inflammatory, red-brown), otherwise a spot.
    mark_red_ratio : float
        ... and with a haemoglobin contrast of at least this fraction of its
        melanin contrast: 8-bit quantisation and the skin's own texture leak
        about 0.1-0.2 of a pure brown spot's contrast into the haemoglobin
        map, a post-inflammatory mark is red-brown (about 0.5).
    mark_min_melanin : float
        Brown lesions (marks, spots) need at least this melanin contrast.
    mark_mel_ratio : float
        A red candidate below ``acne_min_score`` is an ``acne_mark`` when its
        melanin contrast is at least this fraction of its redness (and at least
        ``mark_min_melanin``, darker by ``min_darkening``): a red-brown flat
        mark whose red part won the per-pixel red/brown assignment (its
        redness and melanin contrasts are alike; a papule carries none).
    mark_max_shade : float
        ... and when its L* drop to the ring is explained by its chromophores:
        the drop in optical density (``dL * 3 / (ln 10 * L*_ring)``) minus its
        melanin and haemoglobin contrasts (both absorb in G with weight 1) is
        at most this (density units). Shadows of folds and dimples, the
        natural red-brown regions of healthy faces, are 0.05-0.2 darker than
        their chromophores explain; a pigmented mark about 0.
    comedone_max_diameter_mm : float
        Closed comedones are small bumps; larger bright regions are shine.
    comedone_min_dL : float
        ... and at least this much lighter than their ring (L*).
    despeckle : bool
        Replace each work-grid pixel by the 3x3 median of its neighbourhood
        (per channel) before the chromophore maps: isolated impulse pixels
        (sensor or salt-and-pepper noise) are not lesions.
    peak_separation_mm : float
        Contrast peaks closer than this (square neighbourhood) are one
        candidate; a region holding several farther apart is split between
        them (clusters of lesions count one by one).
    seed_noise_factor : float
        The seed thresholds are raised to this many robust standard deviations
        of their contrast map over the skin: on a noisy or dark-skinned photo a
        seed must stand out of the map's own noise (a face holds tens of
        thousands of independent samples, so 3-sigma peaks are everywhere).
    min_ring_completeness : float
        Skin pixels of a candidate's ring / the pixels of the whole ring: below
        it the candidate touches the edge of the skin (face outline, hairline,
        nostril, eye corner), where its surround is one-sided.
    min_side_contrast : float
        A candidate must stand out against every side of its ring: its
        contrast (haemoglobin for red, melanin for brown candidates) to the
        least contrasting of four ring quadrants must be at least this fraction
        of the seed threshold. Shading gradients (nose sides, jaw, the alar
        crease) contrast on one side only.
    side_noise_factor : float
        Spots and moles must also stand out against every side of their ring
        by this many robust standard deviations of the melanin contrast map
        (as ``seed_noise_factor`` for the seeds): the fixed floor above
        (0.02) is 2.3-4.5 sigmas of that map on the light test faces but 1.7 on
        the darkest (London 062), where the shadows beside the nose, under the
        eyes and at the hairline passed it (synthetic spot precision 0.75 dark, 0.99 light;
        0.92 dark with this rule, recall unchanged). Not applied to acne
        marks: their melanin is shared with the red map pixel by pixel, their
        side contrast on melanin alone is about half a spot's, and the rule
        cost a third of their recall on the dark faces.
    tight_fraction : float
        A brown region larger than ``max_area_mm2`` or more elongated than
        ``max_elongation`` (a spot on a broader patch of pigment) keeps only its
        pixels at this fraction of the strongest contrast nearby (instead of
        half) and is split and measured again, rather than dropped: whether
        such a spot was found depended on how the patch thresholded (on the
        dark test faces, on lesions planted centimetres away through the
        noise estimate). The pixels it gives up stay out of every ring.
    cut_red : bool
        Red regions larger than ``max_area_mm2`` or more elongated than
        ``max_elongation`` (a broad red area: redness, not a lesion) are cut
        back the same way, and their cores may be ``acne_mark`` only, and only
        when their L* drop is explained by their chromophores
        (``mark_max_shade``, as a faded mark's). A red-brown mark a few
        millimetres from a red area's peak was swallowed by that area and
        dropped with it (on the dark test faces, most missed marks); the cut
        area's other kinds (a nodule at a mouth corner) and its shaded cores
        (a crease, eye shadow) are not lesions. The pixels a cut red region
        gives up stay out of the brown map and of every ring, as the whole
        region did; the other red regions keep their labels.
    max_elongation : float
        Candidates are at most this elongated (square root of the ratio of
        the principal second moments of their pixels): lesions are round or
        oval, the shadows of folds (nose sides, alar and nasolabial creases,
        mouth corners, the inner eye corner) are long and thin.
    min_darkening : float
        Brown candidates (moles, spots, marks) must be darker in L* than their
        ring by at least this fraction of the drop that their melanin contrast
        implies (``(L* + 16) ln(10) / 3`` per density unit in G, the slope of
        CIELAB's cube root; with ``L*`` alone, as before, dark skin's expected
        drop was understated by a third): melanin absorbs, so a "brown" region
        that is not darker is a hue shift (white balance, make-up, specular
        light), not pigment.
    red_dominance : float
        A pixel goes to the red (haemoglobin) candidates when its red contrast
        is at least this multiple of its brown (melanin) contrast, else to the
        brown ones (0.5: the ratio of the seeds; on ACNE04 the red lesions'
        pixels carry melanin contrast up to twice their red contrast, and a
        higher value loses them: recall 0.46 at 1.0). A red region that holds
        no seed (no red candidate) leaves its pixels to the brown candidates:
        before, a planted red-brown mark on the dark test faces (red seed
        raised to 0.026-0.030 by the map's noise, the mark's red contrast
        about 0.028) often lost its centre so, and was found on neither map
        (acne mark recall 0.75 dark, 0.86 light; now 0.81, 0.88).
    pustule_sure_pale : float
        A pustule (red, pale centre) whose centre is at least this much
        lighter (L*, on the scale of skin of L* 50, see :func:`detect_lesions`)
        than its own red rim is reported whatever its :func:`acne_score`, with
        the confidence ``acne_min_score``: a pale head ringed by a red rim is
        the pustule's own sign, measured against the lesion itself and not in
        absolute a*, so it does not depend on the skin's tone. The score, fitted
        on the light-medium skin of ACNE04, ranks a dark-skinned pustule low
        (its a* step is about half as large).
    pustule_sure_margin : float
        ... when its red contrast peak is also at least this multiple of the
        red seed threshold (a clear red rim, not a pale pore in a shadow),
        and it is smaller than a nodule (``nodule_min_diameter_mm``): a large
        red region needs its score. A red region of nodule size with such a
        sure pale head is a pustule with a wide halo, not a nodule (a nodule
        is deep and shows no head).
    pale_head_fraction : float
        The pale head (``pale_centre``, ``pale_tone``) is the lightest L*
        (smoothed at 0.25 mm) within this fraction of the region's equivalent
        radius of its centre, the contrast-weighted centroid of its pixels
        (weights: contrast above the region's faintest pixel). The head is a
        point-like maximum and the region's outline is noisy: on dark skin,
        whose chromophore maps are noisier in density (the same 8-bit step is
        a larger density step on darker pixels), the region takes in more
        fringe pixels, its plain centroid lay 0.34 mm (median) off a planted
        pustule's centre against 0.20 mm on light skin, and the single
        pixel there missed the 0.5 mm head (synthetic pustule recall 0.75
        dark, 0.95 light). 0 reads the plain centroid's pixel.
    acne_min_score : float
        Red candidates classified as acne need at least this
        :func:`acne_score`; below it they are reported as ``acne_mark`` when
        red enough, else dropped.
    nodule_min_score : float
        Nodules claim more than papules and need at least this
        :func:`acne_score`; below it a large red region is dropped. On the
        healthy test faces the natural redness beside the nostrils, of the nose
        tip and of the upper lip forms regions of nodule size that score up to
        0.60 (this margin was set by looking at them, not at ACNE04).
    nodule_context : int
        ... unless the face has at least this many other active lesions
        (papules, pustules, closed comedones): nodular acne comes with
        inflammatory acne, a lone large red region on clean skin is the
        skin's own redness. Then nodules need ``acne_min_score`` like the
        rest. On the ACNE04 development split (accepted photos) this keeps
        recall at about 0.50 instead of 0.38 with the gate alone; no healthy
        test face has two active lesions.
    acne_weights, acne_bias : tuple of float, float
        Logistic model of :func:`acne_score` over :data:`ACNE_FEATURES`.
    """

    work_px_per_mm: float = 2.5
    scales_mm: tuple[float, ...] = (0.5, 0.9, 1.6)
    surround_ratio: float = 3.0
    red_seed: float = 0.02
    red_low: float = 0.015
    brown_seed: float = 0.04
    brown_low: float = 0.02
    noise_factor: float = 2.0
    min_area_mm2: float = 0.3
    max_area_mm2: float = 60.0
    min_ring_fraction: float = 0.5
    nodule_min_diameter_mm: float = 5.0
    nodule_by_core: bool = True
    pustule_pale: float = 1.5
    papule_min_red: float = 0.03
    inflamed_max_dL: float = 2.0
    mole_max_dL: float = -12.0
    mole_min_melanin: float = 0.25
    mole_min_circularity: float = 0.5
    mole_max_diameter_mm: float = 7.0
    brown_ratio: float = 1.0
    mark_min_red: float = 0.01
    mark_red_ratio: float = 0.25
    mark_min_melanin: float = 0.02
    mark_mel_ratio: float = 0.6
    mark_max_shade: float = 0.03
    comedone_max_diameter_mm: float = 2.0
    comedone_min_dL: float = 1.0
    despeckle: bool = True
    red_dominance: float = 0.5
    pustule_sure_pale: float = 3.0
    pustule_sure_margin: float = 1.5
    pale_head_fraction: float = 0.3
    peak_separation_mm: float = 1.5
    seed_noise_factor: float = 3.5
    min_ring_completeness: float = 0.6
    min_side_contrast: float = 0.5
    side_noise_factor: float = 3.5
    max_elongation: float = 2.5
    tight_fraction: float = 0.7
    cut_red: bool = True
    min_darkening: float = 0.4
    acne_min_score: float = 0.25
    nodule_min_score: float = 0.65
    nodule_context: int = 2
    acne_weights: tuple[float, ...] = (20.0164, 0.0154, 0.4752, 0.5164, 0.536, -7.2612)
    acne_bias: float = -5.8921


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
        beyond the chromophore contrasts).
    """

    kind: str
    center: tuple[float, float]
    bbox: tuple[float, float, float, float]
    polygon: np.ndarray = field(compare=False)
    area_mm2: float
    confidence: float
    features: dict[str, float] = field(compare=False)


def confidence(margin: float) -> float:
    """Confidence of a detection from its margin over the seed threshold.

    ``margin`` is the candidate's peak contrast divided by the seed threshold
    of the map that found it (>= 1 for every detection). The confidence is
    ``1 - 0.5 / margin**2``: 0.5 exactly at the threshold, 0.875 at twice it,
    0.97 at four times. It orders detections by how far they stand out of the
    skin; it is not a calibrated probability.
    """
    m = max(float(margin), 1e-6)
    return float(1.0 - 0.5 / (m * m))


def classify(f: dict[str, float], p: LesionParams) -> str | None:
    """Kind of a candidate from its features (``None``: not a lesion).

    Red candidates (found on the haemoglobin contrast map):

    * brown-dominated (melanin contrast > ``brown_ratio`` x redness, darker than
      the ring) with melanin contrast >= ``mark_min_melanin``: ``acne_mark``
      (post-inflammatory, red-brown);
    * redness >= ``papule_min_red``: ``nodule`` when at least
      ``nodule_min_diameter_mm`` wide (whatever its centre: a lesion that
      large is nodular), ``pustule`` with a pale centre (core at least
      ``pustule_pale`` lighter than its rim, ``pale_tone``), else ``papule``;
    * weakly red, lighter than the ring by ``comedone_min_dL`` and at most
      ``comedone_max_diameter_mm`` wide: ``closed_comedone``;
    * other weakly red: ``None``.

    The acne kinds then need :func:`acne_score` >= ``acne_min_score``.

    Brown candidates (on the melanin contrast map, not red):

    * ``dL <= mole_max_dL`` or melanin contrast >= ``mole_min_melanin``,
      circularity >= ``mole_min_circularity``, at most
      ``mole_max_diameter_mm`` wide: ``mole``;
    * brown (melanin contrast >= ``mark_min_melanin``): ``acne_mark`` when
      the red contrast at its melanin peak (``red_at_brown_peak``, else its
      redness) reaches ``mark_min_red`` and ``mark_red_ratio`` x the melanin
      contrast there (``brown_peak``, else its melanin), else ``spot``;
    * otherwise (a shadow, a fold): ``None``.
    """
    diameter = 2.0 * np.sqrt(f["area_mm2"] / np.pi)
    # with nodule_by_core, an inflamed lesion's size is that of its core, not of its halo
    core = f.get("core_area_mm2", f["area_mm2"]) if p.nodule_by_core else f["area_mm2"]
    core_diameter = 2.0 * np.sqrt(core / np.pi)
    red, mel, dL = f["redness"], f["melanin"], f["dL"]
    pigment = f.get("darkening", 1.0) >= p.min_darkening
    if f["from_red"]:
        if mel > p.brown_ratio * max(red, 0.0) and dL < 0:
            return "acne_mark" if mel >= p.mark_min_melanin and pigment else None
        if red >= p.papule_min_red:
            if dL > p.inflamed_max_dL:
                return None
            if core_diameter >= p.nodule_min_diameter_mm and not (
                f.get("pale_tone", 0.0) >= p.pustule_sure_pale
            ):
                return "nodule"
            if f["pale_tone"] >= p.pustule_pale:
                return "pustule"
            return "papule"
        if dL >= p.comedone_min_dL and diameter <= p.comedone_max_diameter_mm:
            return "closed_comedone"
        return None
    if not pigment:
        return None
    if (
        (dL <= p.mole_max_dL or mel >= p.mole_min_melanin)
        and f["circularity"] >= p.mole_min_circularity
        and diameter <= p.mole_max_diameter_mm
    ):
        return "mole"
    if mel >= p.mark_min_melanin:
        # red-brown at the melanin peak (the region means are biased: its pixels
        # are those where the brown contrast dominates the red one)
        r_pk, b_pk = (
            (f["red_at_brown_peak"], f["brown_peak"]) if "red_at_brown_peak" in f else (red, mel)
        )
        reddish = r_pk >= max(p.mark_min_red, p.mark_red_ratio * b_pk)
        return "acne_mark" if reddish else "spot"
    return None


ACNE_FEATURES = (
    "red_peak",
    "red_z",
    "da_tone",
    "log_area",
    "circularity",
    "brown_peak",
)
"""Inputs of :func:`acne_score`, in the order of ``LesionParams.acne_weights``."""


def acne_score(f: dict[str, float], p: LesionParams) -> float:
    """Probability-like score that a red candidate is an active acne lesion.

    A logistic model ``1 / (1 + exp(-(bias + sum(w_k x_k))))`` over the
    :data:`ACNE_FEATURES` (``log_area`` = natural log of the area in mm²; a few
    features whose weights all have the expected sign: redder, more compact,
    larger and less brown is more likely acne), with
    ``LesionParams.acne_weights`` and ``acne_bias`` fitted by maximum likelihood
    (L2 0.01, Newton) on the 6,600 acne-kind candidates of the 181 ACNE04
    development photos that ``analyze()`` accepts, on the product path
    (FaceWork colour grid and face mask), label = the candidate's centre lies
    in an expert's lesion box (1,460 did). ``python benchmarks/eval_acne.py
    --fit`` prints them, after the out-of-fold table of a 5-fold
    cross-validation by photo (the honest figures, fold seeds 0 / 1 / 2:
    recall 0.498 / 0.492 / 0.488, precision 0.499 / 0.494 / 0.496, grade
    accuracy 0.707 / 0.702 / 0.669; before the tone scale and this refit
    0.494 / 0.483 / 0.482, 0.500 / 0.492 / 0.492, 0.702 / 0.691 / 0.685).
    It is the confidence of the acne kinds: the fraction of such candidates
    that were lesions there. ACNE04's boxes miss some lesions and about 22 %
    of the candidates were in a box, so a vivid papule scores about 0.3-0.6,
    not near 1; the threshold ``acne_min_score`` (0.25) sits on that scale.

    Tone: the a* step of a given blood excess scales with the skin's
    ``L* + 16`` (CIELAB's cube root), so the same papule gives about half the
    a* contrast on skin of L* 31 as on L* 72. ``da_tone`` is the a* contrast
    times ``max(1, 66 / (L*_face + 16))`` (``L*_face`` the median of the
    face's skin): brought to the scale of skin of L* 50 on skin darker than
    that, unchanged on lighter skin. ACNE04 (mostly light-medium skin, face
    L* 26-85, median 65) taught the score on raw a*; normalising lighter skin
    too cost 0.03 of out-of-fold grade accuracy (0.661 vs 0.693 over three
    fold seeds: a* contrasts of well-exposed photos carry information the
    scale removes), the one-sided gain none (0.693 both). Dark-skinned
    pustules still score lower than light ones (the a* step also depends on
    the skin's hue); :attr:`LesionParams.pustule_sure_pale` finds them by
    their pale centre instead.
    """
    x = _acne_x(f)
    z = p.acne_bias + float(np.dot(np.asarray(p.acne_weights), x))
    return float(1.0 / (1.0 + np.exp(-z)))


def _acne_x(f: dict[str, float]) -> np.ndarray:
    g = dict(f)
    g["log_area"] = float(np.log(max(f["area_mm2"], 1e-3)))
    return np.array([g[k] for k in ACNE_FEATURES], np.float64)


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
    _check_rgb_skin(rgb, skin, px_per_mm)
    if not isinstance(lab, np.ndarray) or lab.dtype != np.float32 or lab.shape != rgb.shape:
        raise ValueError(f"lab: expected a float32 array of shape {rgb.shape}")


def _check_rgb_skin(rgb: np.ndarray, skin: np.ndarray, px_per_mm: float) -> None:
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError("rgb: expected a (h, w, 3) uint8 array")
    if rgb.shape[2] != 3:
        raise ValueError("rgb: expected a (h, w, 3) uint8 array")
    if not isinstance(skin, np.ndarray) or skin.shape != rgb.shape[:2]:
        raise ValueError(f"skin: expected a uint8 array of shape {rgb.shape[:2]}")
    if skin.dtype not in (np.uint8, np.bool_):
        raise ValueError("skin: expected dtype uint8 or bool")
    if isinstance(px_per_mm, bool) or not isinstance(px_per_mm, int | float | np.floating):
        raise ValueError(f"px_per_mm: expected a number, got {px_per_mm!r}")
    if not (np.isfinite(px_per_mm) and px_per_mm > 0):
        raise ValueError(f"px_per_mm: must be finite and > 0, got {px_per_mm!r}")


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


def median3(img: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """3x3 median per channel (edges replicated), exact (:func:`skincore.lesions.median3`)."""
    return kernels.median3(img, threads=threads)


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
    cands = _candidates(rgb_w, lab_w, skin_w, ppm, p, threads)
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
            if conf < p.acne_min_score and _faded_to_mark(f, p):
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


def _take(lut: np.ndarray, labels: np.ndarray, threads: int) -> np.ndarray:
    """``np.take(lut, labels)`` (labels >= 0): the compiled gather for int32 labels."""
    if labels.dtype == np.int32:
        return kernels.take(lut, labels, threads=threads)
    return np.take(lut, labels)


#: Up to this many regions holding a peak, _split_by_peaks labels them through
#: their bounding boxes (a few microseconds each) instead of a lookup pass over
#: the whole work grid (about 0.25 ms at 1080p).
_SPLIT_WINDOWS_MAX = 32


def _split_by_peaks(
    cand: np.ndarray,
    response: np.ndarray,
    seed: float,
    radius: int,
    threads: int,
    peak_max: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Regions of ``cand`` around the response peaks >= ``seed``.

    Peaks are local maxima over a ``(2 radius + 1)`` square (``peak_max``: that
    maximum filter of ``response`` when the caller has it); a connected region
    of ``cand`` holding several peaks is split between them by nearest peak.
    Returns a label image (1..n, one label per peak) and the peaks' (y, x).
    """
    if peak_max is None:
        peak_max = geometry.max_filter(response, radius, threads=threads)
    peaks = cand & (response >= seed) & (response >= peak_max)
    py, px = np.divmod(np.flatnonzero(peaks), max(cand.shape[1], 1))
    comp, st = contours.label(cand.view(np.uint8), threads=threads)
    out = np.zeros(cand.shape, np.int32)
    if py.size == 0:
        return out, np.zeros((0, 2), np.int64)
    pc = comp[py, px]
    n = py.size
    ids = np.arange(1, n + 1, dtype=np.int32)
    by_comp: dict[int, list[int]] = {}
    for k in range(n):
        by_comp.setdefault(int(pc[k]), []).append(k)
    # Few regions hold a peak: label them window by window (their bounding
    # boxes); many: one lookup pass over the whole image for the single-peak ones.
    by_lut = len(by_comp) > _SPLIT_WINDOWS_MAX
    if by_lut:
        lut = np.zeros(len(st.area) + 1, np.int32)  # labels 0..N, N = the component count
        for c, ks in by_comp.items():
            if len(ks) == 1:
                lut[c] = ids[ks[0]]
        out = _take(lut, comp, threads)
    for c, ks in by_comp.items():
        if by_lut and len(ks) == 1:
            continue
        bx, by, bw, bh = (int(v) for v in st.bbox[c - 1])
        y0, y1, x0, x1 = by, by + bh, bx, bx + bw
        win = comp[y0:y1, x0:x1] == c
        if len(ks) == 1:
            out[y0:y1, x0:x1][win] = ids[ks[0]]
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        d = np.stack([(yy - py[k]) ** 2 + (xx - px[k]) ** 2 for k in ks])
        nearest = ids[np.array(ks)][np.argmin(d, axis=0)]
        out[y0:y1, x0:x1][win] = nearest[win]
    return out, np.stack([py, px], 1)


# Ring geometry of region_features (its defaults): gap and minimum width, pixels.
_RING_GAP = 1.0
_RING_MIN_WIDTH = 2.0


def _side_contrast(
    chan: np.ndarray,
    labels: np.ndarray,
    sk: np.ndarray,
    centroid: np.ndarray,
    r_in: float,
    r_out: float,
    inside: float,
) -> float:
    """Contrast of a region to the least contrasting quadrant of its ring.

    The ring (skin pixels, no candidate, ``r_in < d <= r_out`` from the
    centroid, as :func:`skincore.lesions.region_features`) is cut into four
    quadrants centred on the axes; the result is ``inside`` minus the largest
    quadrant mean (quadrants with fewer than 2 pixels are ignored).
    """
    h, w = chan.shape
    cx, cy = float(centroid[0]), float(centroid[1])
    x0, x1 = max(0, int(cx - r_out)), min(w, int(np.ceil(cx + r_out)) + 1)
    y0, y1 = max(0, int(cy - r_out)), min(h, int(np.ceil(cy + r_out)) + 1)
    dx = (np.arange(x0, x1, dtype=np.float64) - cx)[None, :]
    dy = (np.arange(y0, y1, dtype=np.float64) - cy)[:, None]
    d2 = dx * dx + dy * dy
    ring = (d2 > r_in * r_in) & (d2 <= r_out * r_out) & sk[y0:y1, x0:x1]
    ring &= labels[y0:y1, x0:x1] == 0
    horizontal = np.abs(dx) >= np.abs(dy)
    quad = np.where(horizontal, np.where(dx >= 0, 0, 1), np.where(dy >= 0, 2, 3))[ring]
    v = chan[y0:y1, x0:x1][ring]
    n = np.bincount(quad, minlength=4)
    tot = np.bincount(quad, weights=v, minlength=4)
    ok = n >= 2
    if not ok.any():
        return 0.0
    return inside - float(np.max(tot[ok] / n[ok]))


class _Pixels(NamedTuple):
    """The labelled pixels of a label image in raster order: rows, columns, labels."""

    yy: np.ndarray
    xx: np.ndarray
    lab: np.ndarray


def _pixels(labels: np.ndarray) -> _Pixels:
    """Rows, columns and labels of the non-zero pixels of ``labels``, in raster order.

    The same arrays as ``np.nonzero`` (int64 coordinates), from one flat scan:
    the per-label statistics below share one list instead of each scanning the
    whole image.
    """
    flat = labels.ravel()
    idx = np.flatnonzero(flat)
    yy, xx = np.divmod(idx, labels.shape[1]) if labels.shape[1] else (idx, idx)
    return _Pixels(yy, xx, flat[idx])


def _elongations(labels: np.ndarray, n: int, pix: _Pixels | None = None) -> np.ndarray:
    """Square root of the ratio of the principal second moments of each label 1..n.

    From the covariance of the pixel coordinates plus 1/12 on the diagonal (a
    pixel's own extent): a disc or a square is 1, an ellipse its axis ratio,
    a bar one pixel wide and k long exactly k. ``pix``: :func:`_pixels` of
    ``labels`` when the caller has it.
    """
    yy, xx, lab = pix if pix is not None else _pixels(labels)
    cnt = np.bincount(lab, minlength=n + 1)[1:].astype(np.float64)
    cnt = np.maximum(cnt, 1.0)
    x, y = xx.astype(np.float64), yy.astype(np.float64)

    def mean(v: np.ndarray) -> np.ndarray:
        return np.bincount(lab, weights=v, minlength=n + 1)[1:] / cnt

    mx, my = mean(x), mean(y)
    sxx = mean(x * x) - mx * mx + 1.0 / 12.0
    syy = mean(y * y) - my * my + 1.0 / 12.0
    sxy = mean(x * y) - mx * my
    half_tr, det = 0.5 * (sxx + syy), sxx * syy - sxy * sxy
    disc = np.sqrt(np.maximum(half_tr * half_tr - det, 0.0))
    return np.sqrt((half_tr + disc) / np.maximum(half_tr - disc, 1e-9))


def _faded_to_mark(f: dict[str, float], p: LesionParams) -> bool:
    """Whether a red candidate that is not active acne (low score) is a red-brown mark.

    Its melanin contrast is at least ``mark_mel_ratio`` of its redness and at
    least ``mark_min_melanin``, and it is darker than that melanin implies
    (``min_darkening``): post-inflammatory hyperpigmentation is red-brown, the
    skin's own diffuse redness carries no melanin.
    """
    return (
        f["melanin"] >= max(p.mark_min_melanin, p.mark_mel_ratio * f["redness"])
        and f.get("darkening", 0.0) >= p.min_darkening
        and f.get("shade", np.inf) <= p.mark_max_shade
    )


def _core_areas(
    labels: np.ndarray,
    n: int,
    hb: np.ndarray,
    ring: np.ndarray,
    sigma: float,
    threads: int,
    pix: _Pixels | None = None,
) -> np.ndarray:
    """Pixels of each label 1..n whose haemoglobin excess over the ring is >= half its peak.

    ``hb`` is smoothed at ``sigma`` px first (the peak of single pixels is
    noise). The inflamed core of a lesion without the fading red halo that
    the candidate region (drawn on the blurred contrast map) includes.
    """
    soft = geometry.gaussian_blur(np.ascontiguousarray(hb), sigma, threads=threads)
    yy, xx, lab = pix if pix is not None else _pixels(labels)
    v = soft[yy, xx]
    peak = np.full(n + 1, -np.inf)
    np.maximum.at(peak, lab, v)
    base = np.r_[0.0, np.nan_to_num(np.asarray(ring, np.float64), nan=0.0)]
    core = v - base[lab] >= 0.5 * (peak[lab] - base[lab])
    return np.bincount(lab[core], minlength=n + 1)[1:].astype(np.float64)


def _at_peak(
    labels: np.ndarray, n: int, key: np.ndarray, val: np.ndarray, pix: _Pixels | None = None
) -> np.ndarray:
    """``val`` at the pixel of largest ``key`` of each label 1..n (NaN for an empty label)."""
    yy, xx, lab = pix if pix is not None else _pixels(labels)
    k = key[yy, xx]
    order = np.lexsort((k, lab))  # by label, then key ascending: the last of each label
    last = np.r_[lab[order][1:] != lab[order][:-1], True]
    out = np.full(n, np.nan, np.float64)
    sel = order[last]
    out[lab[sel] - 1] = val[yy[sel], xx[sel]]
    return out


def _rim_mean(chan: object, ft: object, i: int) -> float:
    """Mean of a channel over region ``i``'s rim: its pixels outside the core.

    The region's own red rim is the reference of a pale centre: the lesion's
    mean includes the pale head itself, and the surrounding skin differs by
    tone and shading. Falls back to the region's mean when the core is all of it.
    """
    n_in, n_core = float(ft.area[i]), float(ft.n_core[i])  # type: ignore[attr-defined]
    inside, core = float(chan.inside[i]), float(chan.core[i])  # type: ignore[attr-defined]
    if n_in - n_core < 1 or not np.isfinite(core):
        return inside
    return (inside * n_in - core * n_core) / (n_in - n_core)


def _tighten(
    cand: np.ndarray,
    labels: np.ndarray,
    resp: np.ndarray,
    local_max: np.ndarray,
    max_px: float,
    p: LesionParams,
) -> np.ndarray | None:
    """Cut over-large or elongated regions of a candidate mask nearer their peaks.

    A lesion on a broader patch of the same colour (a spot on tanned or
    hyperpigmented skin, a papule in a red area) grows, at half of the
    strongest contrast nearby, into a region larger than ``max_area_mm2`` or
    more elongated than ``max_elongation``, which the filters then drop:
    whether it is kept depended on how the patch happened to threshold. Those
    regions keep only their pixels at ``tight_fraction`` of the local
    maximum. Returns ``None`` when no region needs it.
    """
    over = _oversized(labels, max_px, p)
    if over is None:
        return None
    in_bad = over[1]
    return cand & (~in_bad | (resp >= np.float32(p.tight_fraction) * local_max))


def _oversized(
    labels: np.ndarray, max_px: float, p: LesionParams
) -> tuple[np.ndarray, np.ndarray] | None:
    """Labels 1..n larger than ``max_px`` or more elongated than ``max_elongation``.

    Returns whether each label is (``(n,)`` bool) and the mask of their
    pixels, or ``None`` when none is.
    """
    n = int(labels.max())
    if n == 0:
        return None
    pix = _pixels(labels)
    area = np.bincount(pix.lab, minlength=n + 1)[1:]
    bad = (area > max_px) | (_elongations(labels, n, pix) > p.max_elongation)
    if not bad.any():
        return None
    sel = bad[pix.lab - 1]
    in_bad = np.zeros(labels.shape, bool)
    in_bad[pix.yy[sel], pix.xx[sel]] = True
    return bad, in_bad


def _cut_red(
    labels: np.ndarray,
    red: np.ndarray,
    red_max: np.ndarray,
    max_px: float,
    red_seed: float,
    radius: int,
    p: LesionParams,
    threads: int,
    red_peaks: np.ndarray | None = None,
) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Cut the over-large or elongated red regions of ``labels`` back to their cores.

    The other regions keep their pixels, renumbered 1..k in order; the cores
    (pixels at ``tight_fraction`` of ``red_max`` around a peak, split by their
    peaks; ``red_peaks``: ``red``'s maxima over their square when the caller has
    them) follow as k+1..n. Returns the labels, k, and the mask of the pixels
    given up (``None`` when no region was cut).
    """
    over = _oversized(labels, max_px, p)
    if over is None:
        return labels, int(labels.max()), None
    bad, in_bad = over
    core = in_bad & (red >= np.float32(p.tight_fraction) * red_max)
    lut = np.zeros(bad.size + 1, np.int32)
    lut[1:] = np.where(bad, 0, np.cumsum(~bad))
    kept = int(bad.size - bad.sum())
    cores, _ = _split_by_peaks(core, red, red_seed, radius, threads, red_peaks)
    # The kept regions renumbered, then the (few) core pixels over them.
    out = _take(lut, labels, threads)
    in_core = cores > 0
    out[in_core] = cores[in_core] + kept
    return out, kept, in_bad & ~in_core


def _weighted_centres(
    labels: np.ndarray,
    n: int,
    resp: np.ndarray | None,
    pix: _Pixels | None = None,
    values: np.ndarray | None = None,
) -> np.ndarray:
    """Contrast-weighted centroid ``(x, y)`` of each label 1..n.

    Each pixel weighs its ``resp`` above the faintest pixel of its label: the
    fringe pixels that only just passed the region's threshold (where noise
    decides) count little. A label of uniform response gets its plain
    centroid. ``values``: ``resp`` at the pixels of ``pix`` (in its order)
    when the caller has them; ``resp`` is then not read.
    """
    yy, xx, lab = pix if pix is not None else _pixels(labels)
    if values is None:
        if resp is None:
            raise ValueError("resp: expected an array when values is not given")
        values = resp[yy, xx]
    v = values.astype(np.float64)
    low = np.full(n + 1, np.inf)
    np.minimum.at(low, lab, v)
    w = v - low[lab]
    cnt = np.bincount(lab, minlength=n + 1)[1:].astype(np.float64)
    sw = np.bincount(lab, weights=w, minlength=n + 1)[1:]
    flat = sw <= 0
    w = np.where(flat[lab - 1], 1.0, w)
    sw = np.where(flat, cnt, sw)
    cx = np.bincount(lab, weights=w * xx, minlength=n + 1)[1:] / np.maximum(sw, 1e-12)
    cy = np.bincount(lab, weights=w * yy, minlength=n + 1)[1:] / np.maximum(sw, 1e-12)
    return np.stack([cx, cy], 1)


def _disc_max(img: np.ndarray, centre: np.ndarray, radius: float) -> float:
    """Largest value of ``img`` within ``radius`` px of ``centre`` ``(x, y)``, its own pixel too."""
    h, w = img.shape
    cx, cy = float(centre[0]), float(centre[1])
    ix = min(max(int(round(cx)), 0), w - 1)
    iy = min(max(int(round(cy)), 0), h - 1)
    if radius < 0.5:
        return float(img[iy, ix])
    x0, x1 = max(0, int(np.floor(cx - radius))), min(w, int(np.ceil(cx + radius)) + 1)
    y0, y1 = max(0, int(np.floor(cy - radius))), min(h, int(np.ceil(cy + radius)) + 1)
    dx = np.arange(x0, x1, dtype=np.float64) - cx
    dy = (np.arange(y0, y1, dtype=np.float64) - cy)[:, None]
    sel = dx * dx + dy * dy <= radius * radius
    win = img[y0:y1, x0:x1][sel]
    return float(max(win.max(), img[iy, ix])) if win.size else float(img[iy, ix])


def _robust_sigma(v: np.ndarray) -> float:
    if v.size == 0:
        return 0.0
    med = median(v)
    return 1.4826 * median(np.abs(v - med))


def _candidates(
    rgb_w: np.ndarray,
    lab_w: np.ndarray,
    skin_w: np.ndarray,
    ppm: float,
    p: LesionParams,
    threads: int,
) -> tuple[np.ndarray, int, list[dict | None]] | None:
    """Label image of the candidates (red first), the red count, and their features."""
    if p.despeckle:
        rgb_w = median3(rgb_w, threads=threads)
    mel, hb = chromophore_maps(rgb_w, threads=threads)
    sig = [s * ppm for s in p.scales_mm]
    (red, _), (dark, _) = kernels.local_contrast_maps(
        [hb, mel], skin_w, sig, surround_ratio=p.surround_ratio, threads=threads
    )
    sk = skin_w > 0
    # The skin's own lightness: an a* (or L*) step from a given change of
    # optical density scales with (L* + 16) (CIELAB's cube root), so contrasts
    # in L*a*b* are put on the scale of skin of L* 50 by (50 + 16) / (L* + 16).
    tone = 66.0 / (median(lab_w[..., 0][sk]) + 16.0) if sk.any() else 1.0
    tone_gain = max(1.0, tone)
    # Robust noise level of each contrast map over the skin (1.4826 x MAD):
    # compression and sensor noise differ between photos.
    sub = (slice(None, None, 2), slice(None, None, 2))
    red_noise = max(_robust_sigma(red[sub][sk[sub]]), 1e-4)
    brown_noise = max(_robust_sigma(dark[sub][sk[sub]]), 1e-4)
    radius = max(1, int(round(p.peak_separation_mm * ppm)))
    # A candidate's extent: above the low threshold and above half of the
    # strongest contrast nearby (compact regions around each peak).
    red_low = max(p.red_low, p.noise_factor * red_noise)
    brown_low = max(p.brown_low, p.noise_factor * brown_noise)
    # Each pixel goes to the map on which it stands out more (relative to the
    # seeds): on dark skin 8-bit quantisation leaks some of a brown spot into the
    # haemoglobin map, and a brown spot must not become a red candidate.
    red_dominant = red >= dark * np.float32(p.red_dominance)
    red_max = geometry.max_filter(red, 2 * radius, threads=threads)
    # the peaks' maxima, for the red regions and the cores of the cut ones
    red_peaks = geometry.max_filter(red, radius, threads=threads)
    red_c = (red > red_low) & (red >= 0.5 * red_max) & sk & red_dominant
    red_seed = max(p.red_seed, p.seed_noise_factor * red_noise)
    brown_seed = max(p.brown_seed, p.seed_noise_factor * brown_noise)
    max_px = p.max_area_mm2 * ppm * ppm
    labels, _ = _split_by_peaks(red_c, red, red_seed, radius, threads, red_peaks)
    given_up = None
    n_whole = int(labels.max())  # red labels > n_whole: cores of cut red areas
    if p.cut_red:
        labels, n_whole, given_up = _cut_red(
            labels, red, red_max, max_px, red_seed, radius, p, threads, red_peaks
        )
    n_red = int(labels.max())
    dark_max = geometry.max_filter(dark, 2 * radius, threads=threads)
    # Only the pixels of red candidates (red regions that hold a seed) are
    # kept from the brown map: a red-brown mark whose red contrast stays under
    # the red seed (raised by the map's noise on dark or made-up skin) would
    # otherwise lose its red-dominant pixels, its centre often, to a red
    # region that is no candidate, and be found on neither map.
    not_red = labels == 0
    if given_up is not None:
        not_red &= ~given_up
    dark_c = (dark > brown_low) & (dark >= 0.5 * dark_max) & sk & not_red
    dark_peaks = geometry.max_filter(dark, radius, threads=threads)
    dl, _ = _split_by_peaks(dark_c, dark, brown_seed, radius, threads, dark_peaks)
    tight = _tighten(dark_c, dl, dark, dark_max, max_px, p)
    # Rings (the surrounding skin a region is compared with) never take a
    # candidate's pixels: nor those a tightened region gave up.
    ring_skin = skin_w
    if tight is not None:
        dl, _ = _split_by_peaks(tight, dark, brown_seed, radius, threads, dark_peaks)
        ring_skin = zero_where(skin_w, dark_c & ~tight)
    if given_up is not None:
        ring_skin = zero_where(ring_skin, given_up)
    n_dark = int(dl.max())
    if n_red + n_dark == 0:
        return None
    labels = np.where(dl > 0, dl + n_red, labels).astype(np.int32)
    # The channels _L.._BROWN as planes, read in place (lab_w's three strided)
    planes = [lab_w[..., 0], lab_w[..., 1], lab_w[..., 2], hb, mel, red, dark]
    ft = kernels.region_features(
        labels,
        planes,
        ring_skin,
        n_labels=n_red + n_dark,
        ring_gap=_RING_GAP,
        ring_min_width=_RING_MIN_WIDTH,
        threads=threads,
    )
    ch = ft.channels
    area_mm2 = ft.area / (ppm * ppm)
    circ = ft.circularity
    # L* near a candidate's centre (lightly smoothed) against its mean: a pale
    # centre whether or not the centre belongs to the candidate (a pustule's
    # red ring may leave its pale head outside the red region).
    l_soft = geometry.gaussian_blur(
        np.ascontiguousarray(lab_w[..., 0]), max(0.5, 0.25 * ppm), threads=threads
    )
    pix = _pixels(labels)
    elong = _elongations(labels, n_red + n_dark, pix)
    # Each region weighs the map it was found on: red's, then the brown ones'
    # (read at the labelled pixels only, not selected over the whole grid).
    on_red = pix.lab <= n_red
    centres = _weighted_centres(
        labels,
        n_red + n_dark,
        None,
        pix,
        values=np.where(on_red, red[pix.yy, pix.xx], dark[pix.yy, pix.xx]),
    )
    core_area = (
        _core_areas(labels, n_red + n_dark, hb, ch[_HB].ring, max(0.5, 0.25 * ppm), threads, pix)
        / (ppm * ppm)
        if p.nodule_by_core
        else area_mm2
    )
    # The red contrast at a brown region's melanin peak: the contrast maps
    # average over the lesion's scale, so unlike the region's mean (over pixels
    # selected because their brown contrast dominates) it is not biased low by
    # the red/brown assignment (a red-brown mark's brown pixels are those where
    # the skin's own haemoglobin texture happens to be low).
    red_at_brown = _at_peak(labels, n_red + n_dark, dark, red, pix)
    feats: list[dict | None] = []
    for i in range(n_red + n_dark):
        is_red = i < n_red
        margin = ch[_RED].max[i] / red_seed if is_red else ch[_BROWN].max[i] / brown_seed
        cxi, cyi = int(round(ft.centroid[i, 0])), int(round(ft.centroid[i, 1]))
        r_in = ft.r_max[i] + 0.5 + _RING_GAP
        r_out = r_in + max(_RING_MIN_WIDTH, float(np.sqrt(ft.area[i] / np.pi)))
        completeness = float(ft.n_ring[i] / (np.pi * (r_out**2 - r_in**2)))
        if not (
            p.min_area_mm2 <= area_mm2[i] <= p.max_area_mm2
            and ft.n_ring[i] >= p.min_ring_fraction * ft.area[i]
            and np.isfinite(ch[_L].ring[i])
            and sk[cyi, cxi]
            and completeness >= p.min_ring_completeness
        ):
            feats.append(None)
            continue
        elongation = float(elong[i])
        if elongation > p.max_elongation:
            feats.append(None)
            continue
        mel_c = float(ch[_MEL].inside[i] - ch[_MEL].ring[i])
        head = _disc_max(
            l_soft, centres[i], p.pale_head_fraction * float(np.sqrt(ft.area[i] / np.pi))
        )
        implied = (float(ch[_L].ring[i]) + 16.0) * np.log(10.0) / 3.0 * max(mel_c, 1e-6)
        f: dict = {
            "area_mm2": float(area_mm2[i]),
            "core_area_mm2": float(core_area[i]),
            "circularity": float(circ[i]),
            "dL": float(ch[_L].inside[i] - ch[_L].ring[i]),
            "da": float(ch[_A].inside[i] - ch[_A].ring[i]),
            "da_rel": float((ch[_A].inside[i] - ch[_A].ring[i]) * 50.0 / max(ch[_L].ring[i], 5.0)),
            "da_tone": float((ch[_A].inside[i] - ch[_A].ring[i]) * tone_gain),
            "db": float(ch[_B].inside[i] - ch[_B].ring[i]),
            "redness": float(ch[_HB].inside[i] - ch[_HB].ring[i]),
            "melanin": mel_c,
            "ring_completeness": completeness,
            "elongation": elongation,
            "darkening": float(-(ch[_L].inside[i] - ch[_L].ring[i]) / implied),
            # L* drop in optical density units beyond what melanin and
            # haemoglobin (both weight 1 in G) explain: shading
            "shade": float(
                -(ch[_L].inside[i] - ch[_L].ring[i])
                * 3.0
                / (np.log(10.0) * (max(float(ch[_L].ring[i]), 0.0) + 16.0))
                - mel_c
                - (ch[_HB].inside[i] - ch[_HB].ring[i])
            ),
            "pale_centre": float(head - ch[_L].inside[i]),
            "pale_tone": float((head - _rim_mean(ch[_L], ft, i)) * tone),
            "border_sharpness": float(ch[_L].border_gradient[i] * ppm),
            "red_peak": float(ch[_RED].max[i]),
            "brown_peak": float(ch[_BROWN].max[i]),
            "red_at_brown_peak": float(red_at_brown[i]),
            "margin": float(margin),
            "red_z": float(ch[_RED].max[i] / red_noise),
            "brown_z": float(ch[_BROWN].max[i] / brown_noise),
            "from_red": float(is_red),
            "cx": float(ft.centroid[i, 0]),
            "cy": float(ft.centroid[i, 1]),
            "bbox": tuple(float(v) for v in ft.bbox[i]),
        }
        kind = classify(f, p)
        if i >= n_whole and is_red and (kind != "acne_mark" or f["shade"] > p.mark_max_shade):
            kind = None  # the core of a red area: a mark or nothing
        if kind is None:  # not a lesion whatever its surround: skip the ring
            feats.append(None)
            continue
        chan, inside = (hb, ch[_HB].inside[i]) if is_red else (mel, ch[_MEL].inside[i])
        side = _side_contrast(
            chan, labels, ring_skin > 0, ft.centroid[i], r_in, r_out, float(inside)
        )
        floor = p.min_side_contrast * (p.red_seed if is_red else p.brown_seed)
        if kind in ("spot", "mole"):
            floor = max(floor, p.side_noise_factor * brown_noise)
        if side < floor:
            feats.append(None)
            continue
        f["side_contrast"] = float(side)
        feats.append(f)
    return labels, n_red, feats


# ---------------------------------------------------------------------------
# Diffuse redness (sensitivity) and melanin.


@dataclass(frozen=True)
class SensitivityParams:
    """Thresholds of :func:`sensitivity`.

    Attributes
    ----------
    smooth_mm : float
        Gaussian sigma (mm) applied to the haemoglobin map first: diffuse
        redness, not single pores or lesions.
    background_mm : float
        Gaussian sigma (mm) of the skin's own background redness: the mean of
        the smoothed map over the surrounding skin that is not red itself
        (two passes, so a red patch does not raise its own background). A
        local background, not one value for the face: illumination gradients
        and specular highlights shift the chromophore maps over centimetres.
    threshold : float
        Red skin lies at least this much (density units) above its background.
    full_scale : float
        Excess redness that maps to intensity 100.
    """

    smooth_mm: float = 1.5
    background_mm: float = 15.0
    threshold: float = 0.05
    full_scale: float = 0.25


@dataclass(frozen=True)
class SensitivityResult:
    """Diffuse redness over the skin.

    Attributes
    ----------
    area_fraction : float
        Red skin / all skin, in [0, 1].
    area_mm2 : float
        Red skin area.
    intensity : float
        Mean excess redness over the red skin, as 0-100 of ``full_scale``
        (0 when there is no red skin).
    excess_mean : float
        The same mean excess, density units.
    mask : numpy.ndarray
        ``(h, w)`` uint8, 255 on red skin (crop grid).
    level : numpy.ndarray
        ``(h, w)`` uint8 shade of the red skin: the excess redness as 1-255 of
        ``full_scale`` (0 off the red skin), for the red-area map.
    """

    area_fraction: float
    area_mm2: float
    intensity: float
    excess_mean: float
    mask: np.ndarray = field(compare=False)
    level: np.ndarray = field(
        compare=False, repr=False, default_factory=lambda: np.zeros((0, 0), np.uint8)
    )


@dataclass(frozen=True)
class MelaninParams:
    """Thresholds of :func:`melanin`.

    Attributes
    ----------
    smooth_mm : float
        Gaussian sigma (mm) applied to the melanin map first.
    background_mm : float
        Gaussian sigma (mm) of the background melanin (as
        :attr:`SensitivityParams.background_mm`): brown skin is hyperpigmented
        relative to the skin around it, so the face's own tone is never brown.
    threshold : float
        Brown skin lies at least this much (density units) above its background.
    background_order : int
        0: the background is the masked Gaussian mean; 1 (default): the masked
        Gaussian-weighted least-squares plane (first-order normalised
        convolution) where it lies above that mean, which follows a smooth
        gradient rising to the skin's edge.
        Shading on a turned face, at a temple or beside the nose leaks into the
        melanin map (inter-reflected light is skin-coloured, a sheen is not): a
        smooth ramp that rises towards the skin's edge, where the Gaussian mean
        reads the skin about one ``background_mm`` further in, so the whole
        shaded edge read as brown (24 % of the 3/4 make-up photo).
    slope_ridge : float
        Ridge added to the plane fit's second moments (in ``background_mm``
        squared): a slope is trusted only where the skin in the window spreads
        along it (a full window has 1, the edge of a half-plane 0.36), and a
        thin strip of skin falls back towards the mean.
    min_darkening : float
        ... and, per connected region, its optical density in G (its darkness,
        shading included) exceeds that of the skin just around it (a ring) by
        at least this fraction of its melanin excess over that ring: pigment
        absorbs, so a "brown" excess that is not darker is a hue shift
        (make-up, white balance, a specular sheen), not melanin.
    full_scale : float
        Melanin excess drawn at the darkest shade (``level`` 255).
    """

    smooth_mm: float = 1.0
    background_mm: float = 15.0
    threshold: float = 0.06
    background_order: int = 1
    slope_ridge: float = 0.2
    min_darkening: float = 0.5
    full_scale: float = 0.3


@dataclass(frozen=True)
class MelaninResult:
    """Melanin over the skin.

    Attributes
    ----------
    brown_fraction : float
        Brown skin / all skin, in [0, 1].
    brown_area_mm2 : float
        Brown skin area.
    concentration : float
        Mean melanin density over the skin (relative units, see
        :mod:`skincore.chromophore`).
    brown_excess_mean : float
        Mean melanin excess over the background on the brown skin (0 if none).
    mask : numpy.ndarray
        ``(h, w)`` uint8, 255 on brown skin (crop grid).
    level : numpy.ndarray
        ``(h, w)`` uint8 shade of the brown skin: the melanin excess as 1-255 of
        ``full_scale`` (0 off the brown skin), for the brown-area map.
    """

    brown_fraction: float
    brown_area_mm2: float
    concentration: float
    brown_excess_mean: float
    mask: np.ndarray = field(compare=False)
    level: np.ndarray = field(
        compare=False, repr=False, default_factory=lambda: np.zeros((0, 0), np.uint8)
    )


def _background(
    maps: list[np.ndarray],
    keep: np.ndarray,
    n_keep: int,
    sigma: float,
    threads: int,
    slope_ridge: float | None = None,
) -> list[np.ndarray]:
    """Masked Gaussian background of each map over ``keep`` at ``sigma`` px, on a coarse grid.

    :func:`skincore.geometry.wide_gaussian_means` (the weight blurred once for
    all maps) on a grid ``k`` times coarser (``sigma / k`` about 6 px; the
    background varies over centimetres). Where no kept pixel lies within reach,
    the map's mean over all ``n_keep`` kept pixels.

    With ``slope_ridge`` (``None``: the plain mean), the background is the
    weighted least-squares plane of each map around each pixel, evaluated at
    the pixel (first-order normalised convolution, Knutsson and Westin 1993):
    ``mean + b . (p - mean position)``, ``b = (C + ridge I)^-1 cov(position, map)``
    from the Gaussian moments of the position (in units of ``sigma``) and of the
    map times the position. Inside the skin, with the weight all round, it
    equals the mean of a linear field; at the skin's edge, where the mean reads
    only the skin further in, it follows the gradient up to the edge. The
    plane only ever raises the background above the mean (``mean + max(0,
    b . (p - mean position))``): a rise towards the edge is explained away, but
    a drop (a lit rim, a sheen at the face's side) is not extrapolated into
    excess on the skin next to it (London 062's cheeks read 9.9 -> 12.5 % brown
    with the plain plane, 8.8 % with this).
    """
    wt = keep.astype(np.float32)
    k = max(1, int(sigma // 6))
    if slope_ridge is None:
        fills = [float(np.vdot(m.ravel(), wt.ravel())) / max(n_keep, 1) for m in maps]
        return geometry.wide_gaussian_means(maps, sigma, wt, factor=k, fill=fills, threads=threads)
    return _plane_background(maps, wt, sigma, k, slope_ridge, threads)


def _plane_background(
    maps: list[np.ndarray],
    wt: np.ndarray,
    sigma: float,
    k: int,
    ridge: float,
    threads: int,
) -> list[np.ndarray]:
    """Solve the first-order background of :func:`_background` on its coarse grid.

    The weight and each weighted map are area-reduced ``k`` times (as
    :func:`skincore.geometry.wide_gaussian_means` does), the position moments
    taken at the coarse cells' centres (a cell's own spread, ``k**2 / 12``
    px², is negligible beside ``sigma**2``), the plane solved per cell and the
    background interpolated back.
    """
    h, w = wt.shape
    k = min(k, max(1, min(h, w) // 2))
    size = (-(-w // k), -(-h // k))
    cs = geometry.coarse_sigma(sigma, w, h, size)
    u = (((np.arange(size[0]) + 0.5) * (w / size[0]) - 0.5 - 0.5 * w) / sigma).astype(np.float32)
    v = (((np.arange(size[1]) + 0.5) * (h / size[1]) - 0.5 - 0.5 * h) / sigma).astype(np.float32)
    u, v = u[None, :], v[:, None]
    den = geometry.resize(wt, size, method="area", threads=threads)
    nums = [
        geometry.resize(np.multiply(m, wt, dtype=np.float32), size, method="area", threads=threads)
        for m in maps
    ]
    raw = [den * u, den * v, den * u * u, den * u * v, den * v * v]
    raw += nums + [n * u for n in nums] + [n * v for n in nums]
    total = max(float(den.sum(dtype=np.float64)), 1e-30)
    # All the coarse blurs in one call, spread over the threads (one plane each).
    g, *mo = geometry.gaussian_blur_planes(
        [den] + [np.ascontiguousarray(r, dtype=np.float32) for r in raw], cs, threads=threads
    )
    ok = g > 1e-3
    far = ~ok
    for r, b in zip(raw, mo, strict=True):
        # Where no kept pixel is within reach, the global moments: the face's own plane.
        fill = float(r.sum(dtype=np.float64)) / total
        np.divide(b, g, out=b, where=ok)
        b[far] = fill
    eu, ev = mo[0], mo[1]
    cuu = np.maximum(mo[2] - eu * eu, 0.0) + np.float32(ridge)
    cvv = np.maximum(mo[4] - ev * ev, 0.0) + np.float32(ridge)
    cuv = mo[3] - eu * ev
    det = cuu * cvv - cuv * cuv  # >= ridge**2 > 0 (Cauchy-Schwarz)
    du, dv = (u - eu) / det, (v - ev) / det
    n = len(maps)
    out = []
    for i in range(n):
        em = mo[5 + i]
        cmu = mo[5 + n + i] - em * eu
        cmv = mo[5 + 2 * n + i] - em * ev
        # b = adj(C) cov / det, evaluated at the cell: b_u du + b_v dv
        tilt = (cvv * cmu - cuv * cmv) * du + (cuu * cmv - cuv * cmu) * dv
        bg = np.ascontiguousarray(em + np.maximum(tilt, 0.0), dtype=np.float32)
        out.append(geometry.resize(bg, (w, h), method="bilinear", threads=threads))
    return out


def _excess(
    maps: list[np.ndarray],
    skin: np.ndarray,
    px_per_mm: float,
    smooth_mm: float,
    background_mm: float,
    thresholds: list[float],
    threads: int,
    slope_ridge: float | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Smoothed maps minus their local backgrounds over the skin.

    The background (:func:`_background`: the masked Gaussian mean at
    ``background_mm``, or its plane with ``slope_ridge``) is taken over the skin
    that is not itself above its threshold (two passes): a red or brown area
    does not raise its own background, so the measured area follows the
    planted area. Returns the excess of each map (meaningful on the skin) and
    the skin mask.
    """
    sk = skin > 0
    n_skin = int(np.count_nonzero(sk))
    sig = smooth_mm * px_per_mm
    if sig >= 0.3:
        # Normalised convolution over the skin only (eyes, lips do not bleed in),
        # evaluated over the skin's extent per row (only skin pixels are read below:
        # off the skin the maps are 0, and 0 times a weight of 0 adds nothing).
        maps = kernels.smooth_over(maps, sk, sig, threads=threads)
    bsig = background_mm * px_per_mm
    out = []
    # one weight for every map
    firsts = _background(maps, sk, n_skin, bsig, threads, slope_ridge)
    for m, first, threshold in zip(maps, firsts, thresholds, strict=True):
        ex = m - first
        normal = sk & (ex < threshold)
        n_normal = int(np.count_nonzero(normal))
        if 0 < n_normal < n_skin:
            ex = m - _background([m], normal, n_normal, bsig, threads, slope_ridge)[0]
        out.append(ex)
    return out, sk


def _darker_regions(
    cand: np.ndarray,
    ex: np.ndarray,
    dg: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    p: MelaninParams,
    threads: int,
) -> np.ndarray:
    """Keep the connected regions of ``cand`` darker than the skin around them (bool).

    A region is kept when its G density exceeds its ring's (the skin just
    around it, :func:`skincore.lesions.region_features`) by at least
    ``min_darkening`` times its melanin excess over the ring. Compared with the
    ring rather than with the 15 mm background, shading does not decide: a
    spot on a cheekbone highlight is darker than the highlight around it while
    the highlight is lighter than its background. A region with no ring (it
    covers its whole neighbourhood of skin) keeps its pixels that are darker
    than the background by that much.
    """
    if not cand.any():
        return cand
    labels, _ = contours.label(cand, threads=threads)
    n = int(labels.max())
    ft = kernels.region_features(
        labels,
        [ex, dg],
        skin,
        n_labels=n,
        ring_gap=max(1.0, _RING_GAP_MM * px_per_mm),
        ring_min_width=max(2.0, _RING_MIN_WIDTH_MM * px_per_mm),
        threads=threads,
    )
    mel_c = ft.channels[0].inside - ft.channels[0].ring
    dark_c = ft.channels[1].inside - ft.channels[1].ring
    ringed = ft.n_ring > 0
    keep = np.concatenate([[False], ringed & (dark_c >= p.min_darkening * mel_c)])
    out = _take(keep, labels, threads)  # take: the same gather as fancy indexing
    if not ringed.all():
        lone = _take(np.concatenate([[False], ~ringed]), labels, threads)
        out |= lone & (dg >= p.min_darkening * ex)
    return out


#: Ring of :func:`_darker_regions` (mm): its gap to the region and least width.
_RING_GAP_MM = 0.5
_RING_MIN_WIDTH_MM = 2.0


def _level(excess: np.ndarray, sel: np.ndarray, full_scale: float) -> np.ndarray:
    """Excess as a 1-255 shade of ``full_scale`` where ``sel``, 0 elsewhere."""
    out = np.zeros(excess.shape, np.uint8)
    out[sel] = np.clip(np.rint(excess[sel] * (255.0 / full_scale)), 1, 255).astype(np.uint8)
    return out


def sensitivity(
    rgb: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    params: SensitivityParams | None = None,
    *,
    threads: int = 0,
    maps: tuple[np.ndarray, np.ndarray] | None = None,
) -> SensitivityResult:
    """Area and intensity of diffuse redness over the skin.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(h, w, 3)`` uint8 face crop.
    skin : numpy.ndarray
        ``(h, w)`` uint8 (255 = skin) or bool.
    px_per_mm : float
        Crop pixels per millimetre.
    params : SensitivityParams, optional
    threads : int
        Worker threads for the kernels.
    maps : tuple of numpy.ndarray, optional
        ``(melanin, haemoglobin)`` of ``rgb`` as
        :func:`skincore.chromophore.chromophore_maps` gives them, when the caller
        has them already; computed otherwise.

    Returns
    -------
    SensitivityResult
    """
    p = params or SensitivityParams()
    _check_rgb_skin(rgb, skin, px_per_mm)
    if not np.any(skin):
        return SensitivityResult(0.0, 0.0, 0.0, 0.0, np.zeros(skin.shape, np.uint8))
    _, hb = maps if maps is not None else chromophore_maps(rgb, threads=threads)
    (ex,), sk = _excess([hb], skin, px_per_mm, p.smooth_mm, p.background_mm, [p.threshold], threads)
    red = sk & (ex >= p.threshold)
    n_skin = int(np.count_nonzero(sk))
    n_red = int(np.count_nonzero(red))
    mean_ex = float(ex[red].mean()) if n_red else 0.0
    return SensitivityResult(
        area_fraction=n_red / n_skin,
        area_mm2=n_red / px_per_mm**2,
        intensity=float(min(100.0, 100.0 * mean_ex / p.full_scale)),
        excess_mean=mean_ex,
        mask=red.astype(np.uint8) * np.uint8(255),
        level=_level(ex, red, p.full_scale),
    )


def _slope_ridge(p: MelaninParams) -> float | None:
    """Return the plane fit's ridge of :func:`_background`, or None for the plain mean."""
    if p.background_order not in (0, 1):
        raise ValueError(f"background_order: expected 0 or 1, got {p.background_order!r}")
    if p.background_order == 0:
        return None
    if not (np.isfinite(p.slope_ridge) and p.slope_ridge > 0):
        raise ValueError(f"slope_ridge: expected a finite value > 0, got {p.slope_ridge!r}")
    return float(p.slope_ridge)


def _g_density_lut() -> np.ndarray:
    lin = color.srgb_to_linear(np.arange(256))
    return (-np.log10(np.maximum(lin, (1.0 / 255.0) / 12.92))).astype(np.float32)


_G_DENSITY = _g_density_lut()
"""Optical density ``-log10(linear G)`` of each 8-bit sRGB value (as the chromophore maps)."""


def _green_density(rgb: np.ndarray, threads: int) -> np.ndarray:
    """``np.take(_G_DENSITY, rgb[..., 1])``, the channel read in place when pixels are packed."""
    st = rgb.strides
    if st[2] == 1 and (rgb.shape[1] <= 1 or st[1] == 3) and (rgb.shape[0] <= 1 or st[0] >= 0):
        return kernels.take(_G_DENSITY, rgb, channel=1, threads=threads)
    return np.take(_G_DENSITY, rgb[..., 1])


def melanin(
    rgb: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    params: MelaninParams | None = None,
    *,
    threads: int = 0,
    maps: tuple[np.ndarray, np.ndarray] | None = None,
) -> MelaninResult:
    """Brown area and melanin concentration over the skin.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(h, w, 3)`` uint8 face crop.
    skin : numpy.ndarray
        ``(h, w)`` uint8 (255 = skin) or bool.
    px_per_mm : float
        Crop pixels per millimetre.
    params : MelaninParams, optional
    threads : int
        Worker threads for the kernels.
    maps : tuple of numpy.ndarray, optional
        ``(melanin, haemoglobin)`` of ``rgb`` as
        :func:`skincore.chromophore.chromophore_maps` gives them, when the caller
        has them already; computed otherwise.

    Returns
    -------
    MelaninResult
    """
    p = params or MelaninParams()
    _check_rgb_skin(rgb, skin, px_per_mm)
    if not np.any(skin):
        return MelaninResult(0.0, 0.0, float("nan"), 0.0, np.zeros(skin.shape, np.uint8))
    mel, _ = maps if maps is not None else chromophore_maps(rgb, threads=threads)
    # Darkness: optical density in G (melanin + haemoglobin + shading), same
    # smoothing, no threshold (one background pass).
    (ex, dg), sk = _excess(
        [mel, _green_density(rgb, threads)],
        skin,
        px_per_mm,
        p.smooth_mm,
        p.background_mm,
        [p.threshold, np.inf],
        threads,
        _slope_ridge(p),
    )
    brown = _darker_regions(sk & (ex >= p.threshold), ex, dg, sk, px_per_mm, p, threads)
    n_skin = int(np.count_nonzero(sk))
    n_b = int(np.count_nonzero(brown))
    return MelaninResult(
        brown_fraction=n_b / n_skin,
        brown_area_mm2=n_b / px_per_mm**2,
        concentration=float(mel[sk].mean(dtype=np.float64)),
        brown_excess_mean=float(ex[brown].mean()) if n_b else 0.0,
        mask=brown.astype(np.uint8) * np.uint8(255),
        level=_level(ex, brown, p.full_scale),
    )
