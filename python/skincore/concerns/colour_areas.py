"""Diffuse redness (sensitivity) and brown (melanin) areas of the face skin.

The chromophore maps (:func:`skincore.chromophore.chromophore_maps`) measured
against the skin's own local background; the lesion detection
(:mod:`skincore.concerns.lesions`) is separate, and the redness and
pigmentation concerns call both.

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
melanin density. Both backgrounds also follow a gradient that rises towards
the skin's edge (``background_order``: the local plane where it lies above
the mean): shading on a turned face leaks into both maps and read as a brown
or red band along the shaded edge.

Limits
------
The chromophore maps are relative (white balance and the camera response shift
them), so both areas are excesses over the skin around them, never absolute
colours. A shadow that survives the shading removal can read as brown or red:
the brown along the measured skin's edge, and the red along the left-out
features' edge or in a strip along the outline, is left out for that reason
(``MelaninParams.max_cut_share``, ``SensitivityParams.max_cut_share`` and
``max_outline_share``), but a shadow inside the skin (a smile's
cheek fold away from the nose, a dimple) stays, and pigment or redness along
those edges is lost with the shadows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore import color, contours, geometry
from skincore import lesions as kernels
from skincore._checks import check_rgb_skin
from skincore.chromophore import chromophore_maps
from skincore.concerns.lesion_candidates import cut_shares, region_pixels
from skincore.median import median

__all__ = [
    "MelaninParams",
    "MelaninResult",
    "SensitivityParams",
    "SensitivityResult",
    "melanin",
    "red_excess",
    "sensitivity",
]


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
    background_order : int
        0: the background is the masked Gaussian mean; 1 (default): the masked
        plane where it lies above that mean (as
        :attr:`MelaninParams.background_order`). Shading leaks into the
        haemoglobin map as it does into the melanin map: light the skin
        reflected into a shadow is redder than the light around it, so a
        turned face's shaded side, a temple or the jaw's edge read as a red
        band where the mean reads the skin further in.
    slope_ridge : float
        Ridge of the plane fit (as :attr:`MelaninParams.slope_ridge`).
    max_cut_share : float
        A connected red region with this share of its border or more on the
        edge of the left-out features (eyes, brows, lips, nostrils: the
        ``features`` of :func:`sensitivity`) is left out, as the brown
        regions and the lesions are (:attr:`MelaninParams.max_cut_share`):
        the shadows of the eye sockets and the nostrils and the margins of
        the lids and the lips read red there. Only the features' edge counts,
        not the face's outline or the hair: diffuse redness (a flush, rosacea)
        reaches the side of the face, where a cheek's patch may run a third of
        its border along the outline. Above 1, no region is left out.
        ``python benchmarks/eval_colour_edges.py --concern redness``: see there.
    max_outline_share : float
        A red region with this share of its border or more on any edge of
        the skin (the face's outline and the hair too) is left out as well:
        a strip along the outline, a temple's or the jaw's shaded rim, runs
        half its border there, a patch against the outline a third (a
        half-disc 39 %). Above 1, no region is left out.
    noise_factor : float
        Red skin also lies this many robust sigmas of the photo's own excess
        above its background, when that is more than ``threshold``. The sigma
        is read from the skin below the median excess: 1.4826 times the
        median of its distances to the median. Red skin lies above the
        median, so a red area hardly raises it; the skin below scatters as
        the noise does. On small compressed photos (about 1 px/mm, 8x8 JPEG
        blocks of 6-7 mm) and on dark skin, where an 8-bit step is a larger
        step of optical density, the excess scatters as far as the fixed
        threshold and the red map is a mottle that follows the noise; on
        well-exposed photos of 2 px/mm and more the scatter is 0.012-0.031
        and the threshold stays. 0 turns it off.
        ``python benchmarks/eval_colour_edges.py --concern redness --runs 1:0.2
        --noise 0`` against the default: see there.
    """

    smooth_mm: float = 1.5
    background_mm: float = 15.0
    threshold: float = 0.05
    full_scale: float = 0.25
    background_order: int = 1
    slope_ridge: float = 0.2
    max_cut_share: float = 0.2
    max_outline_share: float = 0.45
    noise_factor: float = 2.0


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
    threshold : float
        The excess (density units) red skin had to reach on this photo:
        ``threshold``, or ``noise_factor`` robust sigmas of the excess where
        that is more (see :class:`SensitivityParams`).
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
    threshold: float
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
    max_cut_share : float
        ... and less than this share of its border runs along the edge of the
        measured skin (:func:`skincore.concerns.lesion_candidates.cut_shares`:
        where the eyes, brows, lips, nostrils, the nose's and mouth's folds,
        hair or the face's outline were left out). A brown region hugging that
        edge is the shadow of what was left out (an eye socket, the canthus
        and its lashes, a nostril, the side of the nose, a fold, the shaded
        side of a turned face): a shadow lit by light the skin itself
        reflected is skin-coloured, and the chromophore split reads it as
        melanin, as dark as pigment would make it (see Limits). The lesions
        apply the same rule (:attr:`LesionParams.max_cut_share`). Above 1, no
        region is left out. ``python benchmarks/eval_colour_edges.py``: the
        median brown area of every tenth UTKFace face (243) falls 0.115 ->
        0.030 (its race groups' medians 0.108-0.186 -> 0.028-0.044), of 17
        dark-circle photos 0.121 -> 0.026, of every fourth ACNE04 photo (58)
        0.097 -> 0.023 and of the ten test faces 0.007 -> 0.003. The four
        bands pigmentation leaves out by hand (nose folds, nose sides, the far
        nose outline, the hair) were cases of it: the rule alone leaves 0-12 %
        of their brown (``tests/test_concern_colour.py``). A real patch
        against the edge goes with the shadows: a melanin patch planted
        against an eye left out, with 28 % of its border there, is not brown
        (``tests/test_lesions.py``); the darkening under the eyes is the dark
        circles' measure.
    full_scale : float
        Melanin excess drawn at the darkest shade (``level`` 255).
    """

    smooth_mm: float = 1.0
    background_mm: float = 15.0
    threshold: float = 0.06
    background_order: int = 1
    slope_ridge: float = 0.2
    min_darkening: float = 0.5
    max_cut_share: float = 0.2
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

    Regions with ``max_cut_share`` or more of their border on the edge of
    ``skin`` are left out first. A region is kept when its G density exceeds
    its ring's (the skin just around it,
    :func:`skincore.lesions.region_features`) by at least ``min_darkening``
    times its melanin excess over the ring. Compared with the ring rather
    than with the 15 mm background, shading does not decide: a
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
    inner = cut_shares(labels, n, skin) < p.max_cut_share
    keep = np.concatenate([[False], inner & ringed & (dark_c >= p.min_darkening * mel_c)])
    # labels: contours.label's int32; take is the same gather as fancy indexing
    out = kernels.take(keep, labels, threads=threads)
    if not ringed[inner].all():
        lone = kernels.take(np.concatenate([[False], inner & ~ringed]), labels, threads=threads)
        out |= lone & (dg >= p.min_darkening * ex)
    return out


def _off_edge(cand: np.ndarray, edges: list[tuple[np.ndarray, float]], threads: int) -> np.ndarray:
    """Keep the regions of ``cand`` with under ``share`` of their border on each ``skin``'s edge.

    ``edges``: ``(skin, share)`` pairs; ``cand`` and the result are bool; the
    shares are :func:`cut_shares`'.
    """
    labels, _ = contours.label(cand, threads=threads)
    n = int(labels.max())
    pix = region_pixels(labels)  # one scan of the labels for every edge
    keep = np.ones(n, bool)
    for skin, share in edges:
        keep &= cut_shares(labels, n, skin, pix) < share
    return kernels.take(np.concatenate([[False], keep]), labels, threads=threads)


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
    features: np.ndarray | None = None,
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
    features : numpy.ndarray, optional
        ``(h, w)`` uint8 or bool: the left-out features (eyes, brows, lips,
        nostrils) whose edge a red region may not hug
        (:attr:`SensitivityParams.max_cut_share`). Default: every pixel off
        ``skin`` (the face's outline and the hair count too).

    Returns
    -------
    SensitivityResult
    """
    p = params or SensitivityParams()
    check_rgb_skin(rgb, skin, px_per_mm)
    _check_shares(p)
    if features is not None and np.shape(features) != np.shape(skin):
        raise ValueError(f"features: expected shape {np.shape(skin)}, got {np.shape(features)}")
    if not (np.isfinite(p.noise_factor) and p.noise_factor >= 0):
        raise ValueError(f"noise_factor: expected a finite value >= 0, got {p.noise_factor!r}")
    if not np.any(skin):
        return SensitivityResult(0.0, 0.0, 0.0, 0.0, p.threshold, np.zeros(skin.shape, np.uint8))
    ex, sk = red_excess(rgb, skin, px_per_mm, p, threads=threads, maps=maps)
    threshold = p.threshold
    if p.noise_factor > 0:
        v = ex[sk]
        mid = median(v)
        # the lower half's spread: red skin lies above the median, not below it
        scatter = 1.4826 * median(mid - v[v <= mid])
        threshold = max(threshold, p.noise_factor * scatter)
    red = sk & (ex >= threshold)
    if red.any() and min(p.max_cut_share, p.max_outline_share) <= 1.0:
        # the features' edge: elsewhere off the skin reads as skin
        edge = sk if features is None else sk | ~(np.asarray(features) > 0)
        red = _off_edge(red, [(edge, p.max_cut_share), (sk, p.max_outline_share)], threads)
    n_skin = int(np.count_nonzero(sk))
    n_red = int(np.count_nonzero(red))
    mean_ex = float(ex[red].mean()) if n_red else 0.0
    return SensitivityResult(
        area_fraction=n_red / n_skin,
        area_mm2=n_red / px_per_mm**2,
        intensity=float(min(100.0, 100.0 * mean_ex / p.full_scale)),
        excess_mean=mean_ex,
        threshold=float(threshold),
        mask=red.astype(np.uint8) * np.uint8(255),
        level=_level(ex, red, p.full_scale),
    )


def red_excess(
    rgb: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    params: SensitivityParams,
    *,
    threads: int = 0,
    maps: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the haemoglobin excess over its local background that :func:`sensitivity` thresholds.

    Returns ``(excess, skin)``: the excess in density units (meaningful on the
    skin) and the skin as bool. ``maps`` as in :func:`sensitivity`.
    """
    _, hb = maps if maps is not None else chromophore_maps(rgb, threads=threads)
    (ex,), sk = _excess(
        [hb],
        skin,
        px_per_mm,
        params.smooth_mm,
        params.background_mm,
        [params.threshold],
        threads,
        _slope_ridge(params),
    )
    return ex, sk


def _check_shares(p: MelaninParams | SensitivityParams) -> None:
    """Raise ValueError unless every edge share of ``p`` is a number > 0 (NaN fails)."""
    for name in ("max_cut_share", "max_outline_share"):
        share = getattr(p, name, 1.0)
        if not share > 0:
            raise ValueError(f"{name}: expected a value > 0, got {share!r}")


def _slope_ridge(p: MelaninParams | SensitivityParams) -> float | None:
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
    report: np.ndarray | None = None,
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
    report : numpy.ndarray, optional
        ``(h, w)`` uint8 or bool: the skin whose brown is reported. The background
        and the brown regions are measured over all of ``skin``; then the pixels
        outside ``report`` leave the mask, the level and every figure (the
        brown share is over the skin in ``report``). Default: all of ``skin``.

    Returns
    -------
    MelaninResult
    """
    p = params or MelaninParams()
    check_rgb_skin(rgb, skin, px_per_mm)
    _check_shares(p)
    if report is not None and np.shape(report) != np.shape(skin):
        raise ValueError(f"report: expected shape {np.shape(skin)}, got {np.shape(report)}")
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
    if report is not None:
        sk = sk & (np.asarray(report) > 0)
        brown &= sk
        if not np.any(sk):
            return MelaninResult(0.0, 0.0, float("nan"), 0.0, np.zeros(skin.shape, np.uint8))
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
