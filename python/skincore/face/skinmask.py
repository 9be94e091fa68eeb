"""Skin masks, forehead-to-hairline extension and hair occlusion from the segmentation.

Everything here works on a :class:`skincore.face.segmentation.FaceSegmentation` and
plain arrays; grids follow the segmentation module's convention (an image point ``p``
lies at ``(p - origin + 0.5) * scale - 0.5`` on a grid). There is **no colour gate**:
a pixel is skin because the segmentation says so, whatever its colour, so red
patches, brown spots and acne stay in the mask.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from skincore import geometry
from skincore._checks import check_rgb8
from skincore.face.hair_texture import texture_energy
from skincore.face.regions import (
    EXCLUDED,
    EXCLUSION_MARGIN,
    FACE_OVAL,
    RegionMasks,
    region_polygons,
)
from skincore.face.segmentation import (
    FOREHEAD_CAP,
    TOP_RING,
    FaceSegmentation,
    _check_landmarks,
    resample_map,
)
from skincore.median import median

#: Probability at and above which a pixel is skin (resp. hair).
THRESHOLD = 0.5
#: Hair probability at which the forehead extension stops: solid hair. The model's
#: hair/skin transition is 3-5 grid pixels wide (15-20 image pixels on a 550-px face);
#: stopping at the 0.5 crossing left the polygon 17-21 px below hand-marked hairlines,
#: stopping at 0.9 leaves it 11-15 px below. The skin mask inside the polygon is still
#: decided by :data:`THRESHOLD`, so the hair in the transition is not measured as skin.
HAIR_STOP = 0.9
#: Largest distance between the end of the skin and the hair for the hair to count as
#: the hairline, as a fraction of the midline forehead height (beyond it, e.g. a bald
#: scalp against the background, the extension stops where the skin ends).
HAIR_GAP = 0.25
#: Where the segmentation finds no hairline above the forehead (skin up to the cap),
#: the extension also stops where the isotropic hair texture energy
#: (:mod:`skincore.face.hair_texture`, energy sigma :data:`STUBBLE_SIGMA` grid pixels)
#: reaches this multiple of its median over the mesh's forehead: the model reads a
#: buzz cut or a shaved scalp's stubble as skin (London 037: skin to the cap on every
#: column). Hairlines the model does find are left to it: the texture rises a few
#: pixels before them (the band-pass and its blur reach across the edge). The energy
#: is the isotropic one so that a forehead line below the stubble does not stop the
#: extension at itself (London 037: a line 6 mm below the hairline did, on a third of
#: the columns, with ``G(B^2)``, leaving it on the zone's edge, untraced).
STUBBLE_GAIN = 4.0
#: Sigma of the energy's Gaussian for :data:`STUBBLE_GAIN`, in texture-grid pixels.
STUBBLE_SIGMA = 2.0
#: Consecutive probe samples (segmentation-grid pixels) above :data:`STUBBLE_GAIN`
#: that stop the extension: a field of hair, not one crease, mole or spot.
STUBBLE_RUN = 4
#: Points inserted between consecutive top-ring vertices when the forehead is extended.
EXTEND_SUBDIVISIONS = 4
#: Where the short-hair stop ends the extension, rises of the top edge narrower than
#: this many probe points (a morphological opening of the stopping distances; 5 of
#: the 41 points is one top-ring segment, an eighth of the forehead's width) are cut
#: back to their shoulders: the energy of a buzz cut is patchy, and on London 037 it
#: let two or three probes climb 30-43 image pixels into the stubble at each temple
#: ("horns" a person sees at once). The opening only lowers the edge, and only on
#: those probes; hairlines the segmentation finds keep the model's line.
STUBBLE_OPENING = 5


def to_grid(points: np.ndarray, origin: tuple[float, float], scale: float) -> np.ndarray:
    """Image points -> grid coordinates of a grid ``(origin, scale)`` (float32)."""
    p = np.asarray(points, np.float64)[..., :2]
    return ((p - np.asarray(origin, np.float64) + 0.5) * scale - 0.5).astype(np.float32)


def _first(cond: np.ndarray) -> np.ndarray:
    """Index of the first True along axis 1, or its length where there is none."""
    return np.where(cond.any(axis=1), np.argmax(cond, axis=1), cond.shape[1])


def _top_positions(polygon: np.ndarray, landmarks: np.ndarray) -> list[int]:
    """Positions in ``polygon`` of the top-ring vertices, in polygon order."""
    ring = landmarks[list(TOP_RING)]
    d = np.linalg.norm(polygon[:, None, :] - ring[None, :, :], axis=2)
    pos = [int(i) for i in np.flatnonzero(d.min(axis=1) < 1e-3)]
    return pos


def _top_chain(poly: np.ndarray, landmarks: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Return the top-ring vertices' positions in ``poly`` and the chain through them.

    The chain has :data:`EXTEND_SUBDIVISIONS` points inserted between consecutive
    vertices: the bases of :func:`extend_forehead`'s probes.
    """
    pos = _top_positions(poly, landmarks)
    if len(pos) < 2 or any(b - a != 1 for a, b in zip(pos, pos[1:], strict=False)):
        raise ValueError("forehead_polygon: expected consecutive top-ring landmarks")
    chain = poly[pos]
    n = EXTEND_SUBDIVISIONS + 1
    t = np.arange(n) / n
    dense = np.concatenate(
        [a + (b - a) * t[:, None] for a, b in zip(chain[:-1], chain[1:], strict=False)]
        + [chain[-1:]]
    )
    return pos, dense


def extend_forehead(
    forehead_polygon: np.ndarray,
    landmarks: np.ndarray,
    seg: FaceSegmentation,
    *,
    threshold: float = THRESHOLD,
    hair_stop: float = HAIR_STOP,
    rgb: np.ndarray | None = None,
) -> np.ndarray:
    """Extend the forehead polygon from the mesh's top ring up to the hairline.

    Each top-ring vertex of the polygon (FaceMesh 54, 103, 67, 109, 10, 338, 297, 332,
    284), plus :data:`EXTEND_SUBDIVISIONS` points between consecutive ones, moves along
    the face's up direction (:attr:`FaceSegmentation.up`), sampled every grid pixel, up
    to the first sample with ``hair >= hair_stop`` (the hairline) when that lies at
    most :data:`HAIR_GAP` forehead heights beyond the end of the skin
    (``skin < threshold``), else up to the end of the skin; never further than
    :attr:`FaceSegmentation.forehead_cap` (``FOREHEAD_CAP`` x the midline
    brow-to-top-ring height); with ``rgb``, where no hairline is found, not beyond
    short hair the model reads as skin (:data:`STUBBLE_GAIN`). The
    distances are median-filtered over 3 neighbours so that one stray hair does not
    notch the line. The top ring is a lower bound: a fringe below it does not shrink
    the polygon (the skin mask removes the hair).

    Parameters
    ----------
    forehead_polygon : numpy.ndarray
        (K, 2) polygon in image pixels whose upper edge runs through top-ring landmarks
        (e.g. ``region_polygons(landmarks)["forehead"]``).
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    seg : FaceSegmentation
        Segmentation of the same face.
    threshold : float, optional
        Skin probability threshold.
    hair_stop : float, optional
        Hair probability that marks the hairline.
    rgb : numpy.ndarray, optional
        (H, W, 3) uint8 photo the landmarks belong to: enables the short-hair stop.

    Returns
    -------
    numpy.ndarray
        (K', 2) float32 polygon in image pixels: the top-ring chain replaced by the
        extended, densified chain; the rest unchanged.

    Raises
    ------
    ValueError
        If the polygon holds fewer than two top-ring vertices in a row, or ``rgb``
        is not an (H, W, 3) uint8 array.
    """
    pts = _check_landmarks(landmarks)
    if rgb is not None:
        check_rgb8(rgb)
    poly = np.asarray(forehead_polygon, np.float64)[:, :2]
    pos, dense = _top_chain(poly, pts)
    up = np.asarray(seg.up, np.float64)
    step = 1.0 / seg.scale  # one grid pixel, in image pixels
    steps = np.arange(0.0, seg.forehead_cap + 1e-9, step)
    probe = dense[:, None, :] + steps[None, :, None] * up  # (P, T, 2)
    skin_end = _first(seg.sample("skin", probe) < threshold)
    hair_at = _first(seg.sample("hair", probe) >= hair_stop)
    gap = int(np.ceil(HAIR_GAP * seg.forehead_cap / FOREHEAD_CAP / step))
    hairline = (hair_at < len(steps)) & (hair_at <= skin_end + gap)
    stop = np.where(hairline, hair_at, skin_end)
    stubbly = np.zeros(len(stop), bool)
    if rgb is not None and not hairline.all():
        stubble = _stubble_at(rgb, pts, poly, probe)
        stubbly = ~hairline & (stubble < stop)
        stop = np.where(stubbly, stubble, stop)
    dist = np.where(stop > 0, steps[np.maximum(stop - 1, 0)], 0.0)
    dist = _running(dist, 3, np.median)
    if stubbly.any():
        opened = _running(_running(dist, STUBBLE_OPENING, np.min), STUBBLE_OPENING, np.max)
        dist = np.where(stubbly, opened, dist)
    top = dense + dist[:, None] * up
    out = np.concatenate([poly[: pos[0]], top, poly[pos[-1] + 1 :]])
    return out.astype(np.float32)


def _running(values: np.ndarray, width: int, reduce: Callable[..., np.ndarray]) -> np.ndarray:
    """``reduce`` over a centred window of odd ``width``, the ends repeated."""
    half = width // 2
    padded = np.concatenate([np.repeat(values[:1], half), values, np.repeat(values[-1:], half)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return reduce(windows, axis=1)


def _stubble_at(
    rgb: np.ndarray, landmarks: np.ndarray, forehead: np.ndarray, probe: np.ndarray
) -> np.ndarray:
    """Index of the first probe sample of each row on short hair (see STUBBLE_GAIN)."""
    iod = float(np.linalg.norm(landmarks[33] - landmarks[263]))
    box = np.concatenate([forehead, probe[:, -1, :]])
    tex = texture_energy(rgb, box, iod, margin=0.1, sigma=STUBBLE_SIGMA, isotropic=True)
    shape = (int(tex.energy.shape[0]), int(tex.energy.shape[1]))
    grid = tex.to_grid(forehead).astype(np.float32)
    inside = geometry.fill_union([grid], shape, threads=1) > 0
    if not inside.any():
        return np.full(probe.shape[0], probe.shape[1])
    ref = float(median(tex.energy[inside]))
    hit = tex.sample(probe) >= STUBBLE_GAIN * max(ref, 1e-6)
    # a run of STUBBLE_RUN samples: a hair field, not one crease or a mole
    run = hit.copy()
    for k in range(1, STUBBLE_RUN):
        run[:, :-k] &= hit[:, k:]
        run[:, -k:] = False
    return _first(run)


def exclusion_mask(
    landmarks: np.ndarray,
    origin: tuple[float, float],
    scale: float,
    shape: tuple[int, int],
    *,
    margin: float = EXCLUSION_MARGIN,
    threads: int = 1,
) -> np.ndarray:
    """Eyes, brows, lips and nostrils with a margin, rasterised on a grid (bool).

    The margin is ``margin`` x the outer-eye-corner distance, as in
    :func:`skincore.face.regions.build_masks`; ``threads`` are the kernels'
    (the result does not depend on them).
    """
    pts = _check_landmarks(landmarks)
    polys = region_polygons(pts, EXCLUDED)
    m = geometry.fill_union(
        [to_grid(polys[name], origin, scale) for name in EXCLUDED], shape, threads=threads
    )
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    r = margin * iod * scale
    excluded = m > 0
    if r >= 0.5:
        excluded = _blur_above(excluded, r / 2.0, 0.02, threads=threads)
    return excluded


def _blur_above(mask: np.ndarray, sigma: float, level: float, *, threads: int = 1) -> np.ndarray:
    """``gaussian_blur(mask, sigma) > level`` (level >= 0), blurring only where it can be.

    :func:`skincore.geometry.blur_threshold`, that composition bit for bit: each
    row is blurred only over the span its set neighbours can reach (the blur is
    exactly 0 elsewhere), tighter than the set pixels' bounding box the window
    here was before (the colour grid's exclusion: 0.61 -> 0.42 ms).
    """
    return geometry.blur_threshold(mask, [(sigma, level)], threads=threads)


def segmented_skin(
    seg: FaceSegmentation,
    origin: tuple[float, float],
    scale: float,
    shape: tuple[int, int],
    *,
    threshold: float = THRESHOLD,
    threads: int = 1,
) -> np.ndarray:
    """Pixels the segmentation reads as skin and not hair, on a grid (bool).

    ``min(skin, 1 - hair) >= threshold``, the map resampled bilinearly onto the grid
    ``(origin, scale, shape)``; on the segmentation's own grid this is exactly
    ``skin >= threshold and hair <= 1 - threshold`` (one resampling instead of two).
    ``threads`` are the resampling's (the result does not depend on them).
    """
    uncovered = np.minimum(seg.skin, np.float32(1.0) - seg.hair)
    m = resample_map(uncovered, seg.origin, seg.scale, origin, scale, shape, threads=threads)
    return m >= threshold


def skin_keep(
    seg: FaceSegmentation,
    landmarks: np.ndarray,
    origin: tuple[float, float],
    scale: float,
    shape: tuple[int, int],
    *,
    threshold: float = THRESHOLD,
    beard: np.ndarray | None = None,
    skin: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
) -> np.ndarray:
    """Skin to measure on a grid: segmented skin minus hair, facial features and beard.

    ``keep = min(skin, 1 - hair) >= t and not (eyes, brows, lips, nostrils + margin)
    and not beard`` (see :func:`segmented_skin`). Intersect it with a region polygon
    to get that region's skin mask (the drop-in replacement of
    :attr:`skincore.face.regions.RegionMasks.keep`, without its colour gate).

    Parameters
    ----------
    seg : FaceSegmentation
        Segmentation of the face.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    origin, scale, shape : tuple of float, float, tuple of int
        The target grid.
    threshold : float, optional
        Probability threshold for skin and hair.
    beard : numpy.ndarray, optional
        Bool beard mask on the same grid (see :func:`beard_mask`), removed if given.
    skin, excluded : numpy.ndarray, optional
        :func:`segmented_skin` and :func:`exclusion_mask` of this grid when the caller
        already has them (bool, ``shape``); computed here otherwise.

    Returns
    -------
    numpy.ndarray
        ``shape`` uint8, 255 where skin is kept.
    """
    if skin is None:
        skin = segmented_skin(seg, origin, scale, shape, threshold=threshold)
    if excluded is None:
        excluded = exclusion_mask(landmarks, origin, scale, shape)
    keep = np.asarray(skin, bool) & ~np.asarray(excluded, bool)
    if beard is not None:
        keep &= ~np.asarray(beard, bool)
    return keep.astype(np.uint8) * np.uint8(255)


def hair_occlusion(
    seg: FaceSegmentation, landmarks: np.ndarray, *, threshold: float = THRESHOLD
) -> float:
    """Share of the face covered by fringe (AILab ``image_quality.hair_occlusion``).

    The seed defines it as "the proportion of bangs to the human face". Measured here
    as: (face-oval pixels above the eye line that the segmentation does not read as
    uncovered skin: ``hair >= threshold`` or ``skin < threshold``) / (all face-oval
    pixels), on the segmentation grid, with the eyes and brows (and their margins) left
    out of the numerator. "Not skin" rather than "hair" because a fringe that the model
    cannot tell from the background (a dark fringe against a dark door) is still not
    skin; on uncovered foreheads the model reads > 99 % of the upper face as skin, so
    only coverings count. The face oval is the FaceMesh outline, whose top (the top
    ring) lies below the hairline, so scalp hair above a visible hairline does not
    count; below the eye line (beard, moustache, hands on the chin) nothing counts.
    The eye line joins the middles of the two eyes (corners 33/133 and 362/263).

    Parameters
    ----------
    seg : FaceSegmentation
        Segmentation of the face.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    threshold : float, optional
        Hair probability threshold.

    Returns
    -------
    float
        In [0, 1].
    """
    pts = _check_landmarks(landmarks)
    shape = seg.shape
    oval = geometry.fill_polygons(
        [to_grid(pts[list(FACE_OVAL)], seg.origin, seg.scale)], shape, threads=1
    )
    area = int(np.count_nonzero(oval))
    if area == 0:
        return 0.0
    a = to_grid((pts[33] + pts[133]) / 2, seg.origin, seg.scale).astype(np.float64)
    b = to_grid((pts[362] + pts[263]) / 2, seg.origin, seg.scale).astype(np.float64)
    up = np.asarray(seg.up)
    yy, xx = np.ogrid[0 : shape[0], 0 : shape[1]]
    mid = (a + b) / 2
    above = (xx - mid[0]) * up[0] + (yy - mid[1]) * up[1] > 0
    covered = (seg.hair >= threshold) | (seg.skin < threshold)
    features = exclusion_mask(pts, seg.origin, seg.scale, shape)
    fringe = (oval > 0) & above & covered & ~features
    return float(np.count_nonzero(fringe)) / area


def skin_share(masks: RegionMasks, *, without: np.ndarray | None = None) -> float:
    """Share of the face outline, less eyes, brows, lips and nostrils, kept as skin.

    On the masks' grid: pixels of the ``face`` skin mask (segmented skin, no hair
    or beard) inside the ``face_polygon`` outline, over the outline's pixels that
    are not excluded features. Real faces keep most of it; a landmark mesh forced
    onto a profile or a cheek close-up, or a face too blurred to segment, keeps
    almost none (see :class:`skincore.limits.Limits` ``min_skin_share``).

    Parameters
    ----------
    masks : RegionMasks
        A face's region masks (e.g. ``FaceWork.colour``).
    without : numpy.ndarray, optional
        Bool mask on the same grid of skin pixels not to count (the skin the
        model left unclassified, ``FaceWork.colour_unclassified``: the share is
        the model's own).

    Returns
    -------
    float
        In [0, 1]; 0 when the outline has no pixel.
    """
    outline = masks.masks["face_polygon"] > 0
    if masks.excluded is not None:
        outline &= masks.excluded == 0
    n = int(np.count_nonzero(outline))
    if n == 0:
        return 0.0
    kept = outline & (masks.masks["face"] > 0)
    if without is not None:
        kept &= ~np.asarray(without, bool)
    return int(np.count_nonzero(kept)) / n
