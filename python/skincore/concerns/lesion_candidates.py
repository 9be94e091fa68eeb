"""Lesion candidates: contrast-map peaks grown into regions and measured against their ring.

Steps 1-4 of the detection described in :mod:`skincore.concerns.lesions`: the
despeckled work grid, the chromophore maps, the red and brown centre-surround
contrast maps, their peaks, each peak's region (split between the peaks it holds),
its features against a ring of skin, and the filters against false candidates
(ring completeness, side contrast, noise, elongation). :func:`candidates` returns
the regions and their feature dicts, which :mod:`skincore.concerns.lesion_rules`
classifies and scores.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from skincore import contours, geometry
from skincore import lesions as kernels
from skincore._masks import zero_where
from skincore.chromophore import chromophore_maps
from skincore.concerns.lesion_rules import LesionParams, classify
from skincore.median import median

__all__ = ["RegionPixels", "candidates", "cut_shares", "median3", "region_pixels"]


# Channels of the feature stack handed to region_features.
_L, _A, _B, _HB, _MEL, _RED, _BROWN = range(7)


def median3(img: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """3x3 median per channel (edges replicated), exact (:func:`skincore.lesions.median3`)."""
    return kernels.median3(img, threads=threads)


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
        out = kernels.take(lut, comp, threads=threads)  # comp: label's int32
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


class RegionPixels(NamedTuple):
    """The labelled pixels of a label image in raster order: rows, columns, labels."""

    yy: np.ndarray
    xx: np.ndarray
    lab: np.ndarray


def region_pixels(labels: np.ndarray) -> RegionPixels:
    """Rows, columns and labels of the non-zero pixels of ``labels``, in raster order.

    The same arrays as ``np.nonzero`` (int64 coordinates), from one flat scan:
    the per-label statistics below share one list instead of each scanning the
    whole image.
    """
    flat = labels.ravel()
    idx = np.flatnonzero(flat)
    yy, xx = np.divmod(idx, labels.shape[1]) if labels.shape[1] else (idx, idx)
    return RegionPixels(yy, xx, flat[idx])


def cut_shares(
    labels: np.ndarray, n: int, skin: np.ndarray, pix: RegionPixels | None = None
) -> np.ndarray:
    """Share of each label's border pixels (1..n) that touch a pixel off ``skin``.

    A border pixel has a 4-neighbour outside its label (the grid's edge counts
    as outside and as off the skin). A region cut by the edge of the skin mask
    (where the eyes, brows, lips, nostrils, hair or the face's outline were
    left out) has a share of its border there; a region lying on the skin has
    none. ``pix``: :func:`region_pixels` of ``labels`` when the caller has it.
    """
    h, w = labels.shape
    yy, xx, lab = pix if pix is not None else region_pixels(labels)
    border = np.zeros(lab.size, bool)
    cut = np.zeros(lab.size, bool)
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        y, x = yy + dy, xx + dx
        inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
        yc, xc = np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)
        border |= ~inside | (labels[yc, xc] != lab)
        cut |= ~inside | ~skin[yc, xc]
    n_border = np.bincount(lab[border], minlength=n + 1)[1:]
    n_cut = np.bincount(lab[cut & border], minlength=n + 1)[1:]
    return n_cut / np.maximum(n_border, 1)


def _elongations(labels: np.ndarray, n: int, pix: RegionPixels | None = None) -> np.ndarray:
    """Square root of the ratio of the principal second moments of each label 1..n.

    From the covariance of the pixel coordinates plus 1/12 on the diagonal (a
    pixel's own extent): a disc or a square is 1, an ellipse its axis ratio,
    a bar one pixel wide and k long exactly k. ``pix``: :func:`region_pixels` of
    ``labels`` when the caller has it.
    """
    yy, xx, lab = pix if pix is not None else region_pixels(labels)
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


def _core_areas(
    labels: np.ndarray,
    n: int,
    hb: np.ndarray,
    ring: np.ndarray,
    sigma: float,
    threads: int,
    pix: RegionPixels | None = None,
) -> np.ndarray:
    """Pixels of each label 1..n whose haemoglobin excess over the ring is >= half its peak.

    ``hb`` is smoothed at ``sigma`` px first (the peak of single pixels is
    noise). The inflamed core of a lesion without the fading red halo that
    the candidate region (drawn on the blurred contrast map) includes.
    """
    soft = geometry.gaussian_blur(np.ascontiguousarray(hb), sigma, threads=threads)
    yy, xx, lab = pix if pix is not None else region_pixels(labels)
    v = soft[yy, xx]
    peak = np.full(n + 1, -np.inf)
    np.maximum.at(peak, lab, v)
    base = np.r_[0.0, np.nan_to_num(np.asarray(ring, np.float64), nan=0.0)]
    core = v - base[lab] >= 0.5 * (peak[lab] - base[lab])
    return np.bincount(lab[core], minlength=n + 1)[1:].astype(np.float64)


def _at_peak(
    labels: np.ndarray, n: int, key: np.ndarray, val: np.ndarray, pix: RegionPixels | None = None
) -> np.ndarray:
    """``val`` at the pixel of largest ``key`` of each label 1..n (NaN for an empty label)."""
    yy, xx, lab = pix if pix is not None else region_pixels(labels)
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
    pix = region_pixels(labels)
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
    out = kernels.take(lut, labels, threads=threads)  # int32 labels
    in_core = cores > 0
    out[in_core] = cores[in_core] + kept
    return out, kept, in_bad & ~in_core


def _weighted_centres(
    labels: np.ndarray,
    n: int,
    resp: np.ndarray | None,
    pix: RegionPixels | None = None,
    values: np.ndarray | None = None,
) -> np.ndarray:
    """Contrast-weighted centroid ``(x, y)`` of each label 1..n.

    Each pixel weighs its ``resp`` above the faintest pixel of its label: the
    fringe pixels that only just passed the region's threshold (where noise
    decides) count little. A label of uniform response gets its plain
    centroid. ``values``: ``resp`` at the pixels of ``pix`` (in its order)
    when the caller has them; ``resp`` is then not read.
    """
    yy, xx, lab = pix if pix is not None else region_pixels(labels)
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


def candidates(
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
    pix = region_pixels(labels)
    elong = _elongations(labels, n_red + n_dark, pix)
    cut_share = cut_shares(labels, n_red + n_dark, sk, pix)
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
            "cut_share": float(cut_share[i]),
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
