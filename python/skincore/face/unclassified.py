"""Skin the segmentation leaves unclassified: acne-covered and inflamed skin.

The segmentation model was trained on ordinary faces. On a cheek covered with
papules, pustules and their red marks it reads the skin as none of its classes:
skin, hair and clothes all below one half. On the ACNE04 development photos that
the face finder reads, such pixels cover 28 % of the face outline (less eyes,
brows, lips and nostrils) on the severe faces (level 3, mean of 10 faces), 4 % on
the moderate ones, 1-2 % on the mild ones; on some severe cheeks half the
outline. Left out of the skin mask, the lesions there were not measured: the
worse the acne, the less of it was seen.

A pixel the model does not read as skin (probability below one half) nor as
clothes (below :data:`MAX_CLOTHES`) is taken back as skin when

1. it lies inside the face outline (the landmark mesh's oval) at least
   :data:`EDGE_MM` from its edge, beyond the soft edge of the hair the model finds
   (hair probability below :data:`NEAR_HAIR`: a fringe's wisps, a beard's edge)
   and outside the eyes, brows, lips and nostrils with their margins (the
   background beside a turned face is left alone), and
2. its colour is that of this face's skin, allowing for inflammation: its L* within
   :data:`L_MARGIN` of the 5th-95th percentiles of the skin the model did find,
   its chroma at least :data:`MIN_CHROMA_RATIO` of that skin's median (white
   lettering, a grey background, black corners of a rotated photo are not skin),
   and its hue angle ``atan2(b*, a*)`` between the skin's 5th percentile minus
   :data:`HUE_BELOW_DEG` (redder: inflamed skin and red marks) and its 95th
   percentile plus :data:`HUE_ABOVE_DEG`; and nearer (CIELAB distance) to the
   median colour of that skin than to the median colour of the hair the model
   finds, where it finds some (wisps of a fringe the model misses are hair). The
   statistics are read on a bounded subsample
   (:func:`skincore.face.sampling.mask_pixels`).

Pixels are taken back only when they make at least :data:`MIN_SHARE` of the
outline's inner part: a thin strip along the face's edge, where the model's
skin probability falls off, is its soft edge, not skin it missed, and ordinary
faces are left as the model reads them.

This is no colour gate on the skin the model finds (nothing is removed); it only
decides which of the pixels the model leaves unclassified are skin. The face
checks (``Limits.min_skin_share``) still read the model's own skin, so a mesh
forced onto something that is not a face is refused as before.
"""

from __future__ import annotations

import math

import numpy as np

from skincore import geometry
from skincore.face.regions import FACE_OVAL
from skincore.face.sampling import mask_pixels
from skincore.face.segmentation import FaceSegmentation, _check_landmarks, resample_map
from skincore.face.skinmask import THRESHOLD, to_grid

#: Least distance (mm) from the face outline's edge of a pixel taken back as skin.
EDGE_MM = 3.0
#: Largest clothes probability of a pixel taken back (the model's classes cross 0.5
#: at their edges: a pixel between two classes reads about 0.4 of each).
MAX_CLOTHES = 0.25
#: Hair probability from which a pixel is too near the hair to be taken back: the
#: model's hair probability falls from 0.5 to this over its soft edge, 2-4 mm from
#: the hair on ordinary photos (a fringe's wisps read 0.3-0.45).
NEAR_HAIR = 0.05
#: L* margin beyond the 5th-95th percentiles of the face's segmented skin.
L_MARGIN = 10.0
#: Least chroma, as a share of the median chroma of the face's segmented skin.
MIN_CHROMA_RATIO = 0.5
#: Hue angle allowance below the skin's 5th percentile (redder), degrees.
HUE_BELOW_DEG = 35.0
#: Hue angle allowance above the skin's 95th percentile (yellower), degrees.
HUE_ABOVE_DEG = 10.0
#: Least share of the outline's inner part (less the features) taken back: below
#: it the pixels are the model's soft edge round the face (0.5 % of the packaged
#: sample's skin), not skin it missed, and nothing is taken back.
MIN_SHARE = 0.02
#: Fewest segmented skin pixels the colour reference needs.
MIN_REFERENCE = 200


def _inset(polygon: np.ndarray, d: float) -> np.ndarray:
    """Return the polygon with every edge moved ``d`` inwards (float32).

    Its vertices are where the moved edges meet (a mitred inset: exact for the
    convex face outline).
    """
    p = np.asarray(polygon, np.float64)
    if d <= 0 or len(p) < 3:
        return p.astype(np.float32)
    x, y = p[:, 0], p[:, 1]
    area2 = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    edge = np.roll(p, -1, axis=0) - p  # edge i runs from vertex i to i + 1
    length = np.hypot(edge[:, 0], edge[:, 1])
    length[length == 0] = 1.0
    # the inward normal: left of the edge for a counter-clockwise polygon in image
    # coordinates (y down) when the signed area is positive
    normal = np.stack([edge[:, 1], -edge[:, 0]], axis=1) / length[:, None]
    if area2 > 0:
        normal = -normal
    # vertex i joins edge i - 1 and edge i: moved along the two normals' bisector
    n_prev = np.roll(normal, 1, axis=0)
    bis = n_prev + normal
    cos_half = np.sum(bis * normal, axis=1) / np.maximum(np.hypot(bis[:, 0], bis[:, 1]), 1e-9)
    cos_half = np.maximum(cos_half, 0.2)  # a very sharp corner moves at most 5 d
    bis_unit = bis / np.maximum(np.hypot(bis[:, 0], bis[:, 1]), 1e-9)[:, None]
    return (p + bis_unit * (d / cos_half)[:, None]).astype(np.float32)


def unclassified_skin(
    seg: FaceSegmentation,
    lab: np.ndarray,
    landmarks: np.ndarray,
    origin: tuple[float, float],
    scale: float,
    px_per_mm: float,
    skin: np.ndarray,
    excluded: np.ndarray,
    *,
    threads: int = 1,
) -> np.ndarray:
    """Pixels of a grid the segmentation leaves unclassified that are skin (bool).

    Parameters
    ----------
    seg : FaceSegmentation
        Segmentation of the face.
    lab : numpy.ndarray
        ``(h, w, 3)`` float32 CIELAB of the grid.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.
    origin, scale : tuple of float, float
        The grid (see :mod:`skincore.face.segmentation`).
    px_per_mm : float
        Grid pixels per millimetre of skin.
    skin, excluded : numpy.ndarray
        ``(h, w)`` bool: the segmented skin
        (:func:`skincore.face.skinmask.segmented_skin`) and the eyes, brows, lips
        and nostrils with their margins
        (:func:`skincore.face.skinmask.exclusion_mask`) on the grid.
    threads : int, optional
        Threads of the resampling and the erosion (results do not depend on them).

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` bool, True on the pixels taken back as skin (never on ``skin``
        or ``excluded``).

    Raises
    ------
    ValueError
        If the arrays disagree in shape or ``px_per_mm`` is not positive.
    """
    lab = np.asarray(lab)
    if lab.ndim != 3 or lab.shape[2] != 3:
        raise ValueError(f"lab: expected (h, w, 3), got {lab.shape}")
    shape = lab.shape[:2]
    skin = np.asarray(skin, bool)
    excluded = np.asarray(excluded, bool)
    if skin.shape != shape or excluded.shape != shape:
        raise ValueError("skin and excluded: expected the grid's (h, w)")
    if not (math.isfinite(px_per_mm) and px_per_mm > 0):
        raise ValueError(f"px_per_mm: expected a positive number, got {px_per_mm!r}")
    pts = _check_landmarks(landmarks)
    none = np.zeros(shape, bool)
    if 0 in shape:
        return none
    reference = skin & ~excluded
    if np.count_nonzero(reference) < MIN_REFERENCE:
        return none
    # 1. well inside the outline, not a feature, not skin ...
    oval = to_grid(pts[list(FACE_OVAL)], origin, scale)
    inside = geometry.fill_polygons([_inset(oval, EDGE_MM * px_per_mm)], shape, threads=1) > 0
    cand = inside & ~skin & ~excluded
    if not cand.any():
        return none
    # ... nor clothes, and beyond the hair's soft edge
    clothes = resample_map(
        seg.clothes, seg.origin, seg.scale, origin, scale, shape, threads=threads
    )
    hair_p = resample_map(seg.hair, seg.origin, seg.scale, origin, scale, shape, threads=threads)
    cand &= (clothes < MAX_CLOTHES) & (hair_p < NEAR_HAIR)
    least = MIN_SHARE * np.count_nonzero(inside & ~excluded)
    if np.count_nonzero(cand) < max(1.0, least):
        return none  # the model's soft edge, not skin it missed
    hair = hair_p >= THRESHOLD
    hair_colour = (
        np.median(mask_pixels(lab, hair), axis=0)
        if np.count_nonzero(hair) >= MIN_REFERENCE
        else None
    )
    # 2. the colour of this face's skin, inflamed or not (its statistics read on a
    # regular subsample: percentiles and medians need no more)
    ref = mask_pixels(lab, reference)
    light = ref[:, 0]
    chroma = np.hypot(ref[:, 1], ref[:, 2])
    hue = np.degrees(np.arctan2(ref[:, 2], ref[:, 1]))
    l_lo, l_hi = np.percentile(light, [5, 95])
    h_lo, h_hi = np.percentile(hue, [5, 95])
    c_min = MIN_CHROMA_RATIO * float(np.median(chroma))
    skin_colour = np.median(ref, axis=0)
    ys, xs = np.nonzero(cand)
    px = lab[ys, xs]
    c = np.hypot(px[:, 1], px[:, 2])
    h = np.degrees(np.arctan2(px[:, 2], px[:, 1]))
    ok = (
        (px[:, 0] >= l_lo - L_MARGIN)
        & (px[:, 0] <= l_hi + L_MARGIN)
        & (c >= c_min)
        & (h >= h_lo - HUE_BELOW_DEG)
        & (h <= h_hi + HUE_ABOVE_DEG)
    )
    if hair_colour is not None:
        to_skin = np.sum((px - skin_colour) ** 2, axis=1)
        ok &= to_skin < np.sum((px - hair_colour) ** 2, axis=1)
    if np.count_nonzero(ok) < max(1.0, least):
        return none
    out = none
    out[ys[ok], xs[ok]] = True
    return out
