"""The rules that name a lesion candidate's kind and score it: thresholds, kinds, acne score.

Part of the colour lesion detection described in :mod:`skincore.concerns.lesions`:
:class:`LesionParams` holds every threshold of it, :func:`classify` turns a
candidate's features (:mod:`skincore.concerns.lesion_candidates`) into one of
:data:`KINDS`, :func:`acne_score` is the logistic acne model fitted on the ACNE04
development split (``benchmarks/eval_acne.py``) and :func:`confidence` the
contrast-margin confidence of the other kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore.face.regions import FAR_NOSE_MM, NOSE_FOLD_MARGIN_MM

__all__ = [
    "ACNE_FEATURES",
    "ACNE_KINDS",
    "KINDS",
    "LesionParams",
    "acne_inputs",
    "acne_score",
    "classify",
    "confidence",
    "faded_to_mark",
]


KINDS = ("papule", "pustule", "nodule", "closed_comedone", "acne_mark", "mole", "spot")
"""Every lesion kind :func:`detect_lesions` reports."""

ACNE_KINDS = ("papule", "pustule", "nodule", "closed_comedone")
"""The kinds that are active acne lesions (counted for acne grading)."""


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
    paint_min_da : float
        A red candidate whose a* exceeds its ring's by at least this is paint
        on the skin (a bindi, lipstick, a marker), not a lesion: the a* rise of
        inflamed skin is bounded by the blood it holds. Of 7,536 lesions
        detected on the ACNE04 development photos, the dark-circle photos and
        the test faces, the reddest (a nodule of a severe case) rises 16.0;
        the red bindi of the dark-circle photo ``img514`` rises 24.8 (and is
        38.7 L* darker than the skin), read as a papule of confidence 1.0.
    max_cut_share : float
        A candidate with at least this share of its border on the edge of the
        skin mask (``cut_share``: where the eyes, brows, lips, nostrils, hair
        or the face's outline were left out) is the continuation of what was
        left out, not a lesion: an eye's outer corner (lashes, the lids' dark
        angle), a nostril's or a brow's edge, the lip's red border. On the
        dark-circle, test and sampled UTKFace photos, 59 of the 70 moles within
        0.1 eye distances of an outer eye corner touched the mask's edge (52
        with a fifth of their border or more), and every cut
        mole, spot, mark and papule looked at (17, at random) lay on such an
        edge. On ACNE04 it moves recall 0.518 -> 0.506, precision 0.472 ->
        0.481 and the grade 0.684 -> 0.695 (planted lesions lie inside the
        skin: none is cut).
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
    fold_margin_mm : float
        A face's lesions (:func:`skincore.concerns.colour_lesions.face_lesions`;
        :func:`detect_lesions` on bare arrays has no landmarks) whose centre
        lies within this distance of the nose folds
        (:data:`skincore.face.regions.NOSE_FOLDS`: the grooves round the nose
        wings, the subnasale and the philtrum; further out beside the near wing
        of a turned face, :func:`skincore.face.regions.near_wing_reach`) are
        dropped, as roughness, wrinkles and the brown search leave that band
        out: the crease's shading and the wing's own redness there gave
        lesions of every kind. On the ACNE04 development split (177 accepted
        photos) this band and the next drop 94 of 1,733 acne detections:
        precision 0.481 -> 0.506, recall 0.508 -> 0.505. 0 keeps them.
    far_nose_mm : float
        ... and so are those in the band along the far side's nose outline of
        a turned face (``fold_margin_mm`` round it, this much further out at
        full yaw: :func:`skincore.face.regions.far_nose_reach`), the nose's
        silhouette against the cheek it hides, which read as moles, spots and
        marks. 0 keeps them.
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
    paint_min_da: float = 20.0
    max_cut_share: float = 0.2
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
    fold_margin_mm: float = NOSE_FOLD_MARGIN_MM
    far_nose_mm: float = FAR_NOSE_MM


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

    Any candidate with ``cut_share >= max_cut_share`` is ``None`` (it continues
    what the skin mask left out beside it).

    Red candidates (found on the haemoglobin contrast map):

    * a* at least ``paint_min_da`` above the ring's: ``None`` (paint);
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
    if f.get("cut_share", 0.0) >= p.max_cut_share:
        return None  # the continuation of what the skin mask left out beside it
    if f["from_red"]:
        if f.get("da", 0.0) >= p.paint_min_da:
            return None  # paint (a bindi, lipstick), redder than any inflamed skin
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
    x = acne_inputs(f)
    z = p.acne_bias + float(np.dot(np.asarray(p.acne_weights), x))
    return float(1.0 / (1.0 + np.exp(-z)))


def acne_inputs(f: dict[str, float]) -> np.ndarray:
    """Return the :data:`ACNE_FEATURES` of one candidate's feature dict as a float64 vector."""
    g = dict(f)
    g["log_area"] = float(np.log(max(f["area_mm2"], 1e-3)))
    return np.array([g[k] for k in ACNE_FEATURES], np.float64)


def faded_to_mark(f: dict[str, float], p: LesionParams) -> bool:
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
