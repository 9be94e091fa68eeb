"""Pores and blackheads: small dark blobs on the skin, counted per zone.

What is measured
----------------
Both concerns read the grey face crop of a :class:`TextureContext` (CIELAB
L*/100 on a grid of at most 6 px/mm). One difference-of-Gaussians scale-space
search (:func:`skincore.blobs.detect`, dark polarity) runs over the bounding box
of the union of the :data:`~skincore.analysis.PORE_ZONES` skin masks; every blob
is then assigned to the zone whose mask holds its centre pixel.

Sizes are physical (millimetres on the face, converted with the iris scale
``ctx.px_per_mm``):

* Detection scales start at sigma 0.2 mm (:data:`PORE_MIN_RADIUS_MM` = 0.28 mm
  radius, radius being ``sqrt(2) * sigma`` of the matched Gaussian) and pores
  go up to :data:`PORE_MAX_RADIUS_MM` = 0.5 mm: openings of about 0.55-1 mm
  across, what a person sees as a pore in a face photo. Smaller openings (the
  typical 0.05-0.3 mm pore) are below what a 4-6 px/mm grid resolves as a
  shape; they are counted when their darkening is strong enough at the smallest
  scale, with the smallest radius. The smallest scale is fixed in millimetres
  (not pixels) so that counts do not depend on the photo's resolution; it is
  never below 0.8 px, where a sampled Gaussian stops behaving like one and the
  DoG amplifies pixel and JPEG noise. A blob's size is the sigma of the
  Gaussian dip that best explains its responses in all DoG layers
  (:func:`~skincore.concerns.blob_significance.fit_sigma`), continuous rather
  than one of the few layer scales. Darker blobs larger than the pore range
  (moles, spots, lesions, shadows) are not pores: the scale space reaches one
  octave above it so that they are matched at their own scale and dropped.
* Every measured size includes the photo's own blur (optics, demosaicing,
  JPEG, resampling), about 1 px of the camera whatever the distance: 0.17 mm at
  6 px/mm, 0.25 mm at 4 px/mm. It is measured on the photo itself, as the median
  fitted sigma of its pore-size *bright* blobs (skin texture: pores are dark),
  (away from dark blobs: the skin between them reads as bright blobs of their
  size), and removed in quadrature before the size tests. Without it a fine
  pore photographed from 30 cm reads as enlarged: on the CC0 selfie the
  enlarged density at 30 cm was 3.1 times that at 15 cm.
* A pore is *enlarged* when its radius, blur removed, is at least
  :data:`ENLARGED_RADIUS_MM` (0.35 mm, an opening about 0.7 mm across),
  resolved from :data:`MIN_PX_PER_MM`.
* Contrast is the depth of the dip in L*/100 units (0.04 = 4 L* units darker
  than the skin around it), from the normalised DoG response, which equals
  ``2 c / (2 + q + 1 / q)`` for a Gaussian dip of depth ``c`` at scale ratio
  ``q``. L* is perceptually uniform, so one threshold serves light and dark
  skin. A pore needs :data:`PORE_CONTRAST` = 0.04: on the calibration photos
  most detections between 0.02 and 0.035 are JPEG blocking and sensor noise
  (their number changes with resolution and compression), while dots a person
  points at as pores are 4-10 L* darker than the skin.
* A pore must **stand out of the texture around it**
  (:mod:`~skincore.concerns.blob_significance`): its depth is at least
  :data:`NOISE_K` (3.5) robust spreads of its DoG layer, measured over the skin
  of the 3 mm tile around it on the side opposite to pores (the bright side),
  so that the pores of a tile do not raise it. Powder and foundation grain,
  sensor noise and skin micro-relief are a field of dips and bumps of one
  spread whatever their contrast; this is what turns the ~800 "pores" of powder
  grain on the make-up photo's forehead into 28. A pore must also be a compact
  dip: the ratio of its principal curvatures, at its scale and an octave above,
  is at most 3 (a stubble hair, a crease or a shadow edge is a trough).
* A blackhead is a blob on the **nose** with radius at most
  :data:`BLACKHEAD_MAX_RADIUS_MM` (0.4 mm) and depth at least
  :data:`BLACKHEAD_CONTRAST` (0.08, twice a pore's): a compact plug much darker
  than a pore. Each blob is classified once: nose blobs that pass the blackhead
  test are blackheads and are *not* counted as nose pores; the others are nose
  pores.

Grading (:func:`grade`): severity follows the AILab Pro count buckets
(forehead 0-100 / 101-200 / 201-400 / 401+, nose uses the forehead's, cheeks
0-80 / 81-180 / 181-280 / 281+, chin 0-50 / 51-100 / 101-150 / 151+); its
confidence is the probability that the bucket is right under Poisson count
noise; scores are 1-100, higher is healthier (:func:`pore_score`).

Limits
------
These are heuristic image measurements, not a dermatologist's count. Below
:data:`MIN_PX_PER_MM` (4 px/mm: the smallest scale, sigma 0.2 mm, would fall
under 0.8 px and the enlarged radius under the 1 px sigma the radius estimate
needs) the concern returns ``None``. Foundation and powder fill and lighten
pores (counts drop); hard directional light raises contrast and glare hides
pores under specular highlights; strong JPEG compression removes the faintest
dips; freckles of pore size are counted as pores. Pores are counted where they
stand out of the skin's texture: a uniform field of equal pores, or pores inside
a sheen whose glints are as strong as the pits, read as texture and are not
counted (on the London photos, 3.5 px/mm, the dark blobs are matched one for one
by bright ones at every significance, and almost none is counted). Counts are
small on photos of smooth skin (about 1-1.5 pores per cm2 on the CC0 selfie), so
their Poisson scatter is large: 10 enlarged pores on a face are +-30 %. Measured
on the CC0 selfie (``benchmarks/eval_distance.py``): the density of all pores
agrees within 22 % across 15 cm, 30 cm, x0.75 and JPEG q70-95; the enlarged
count is 4-6 on the 15 cm photo and its variants, 19 at 30 cm: that photo's
pores read about 25 % larger in millimetres (median fitted radius 0.35 vs 0.28
mm) though its measured blur
is not larger and its iris scale agrees (82 mm between the outer eye corners in
both). Not a bias of the size fit (unbiased on planted dips at 4 and 5.6 px/mm):
registered on the 15 cm photo resampled to its 4.04 px/mm, the same dark spots
read larger and deeper at 30 cm, whose L* spectrum holds twice the power at
0.4-1.1 cycles/mm; and the blur estimate follows the skin's bright grain (about
0.21 mm at every distance) rather than the camera's pixel blur, so it cannot
correct it (see the README, "Pores and blackheads"). Matching the two photos through their
landmarks, only 17 of the 77 pores found at 30 cm lie within 1 mm of one found
at 15 cm: at this contrast the individual pores found are not stable.
This module's detection is shared with :mod:`skincore.concerns.blackheads`
through the texture grid's memo (:meth:`TextureContext.memo`): running both
costs one detection (one dark scale-space search, plus a search of bright blobs
over part of the grid for the photo's blur).

Every threshold is a field of :class:`Params` (the constants below are their
defaults, kept as names for documentation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from skincore import blobs
from skincore.analysis import PORE_ZONES, Pores, PoreZone
from skincore.concerns import blob_significance
from skincore.concerns.base import Concern
from skincore.concerns.context import TextureContext
from skincore.face.regions import mask_box, mask_count
from skincore.grading import ConcernGrade, Grade, count_confidence, severity, whole_grade

#: Below this texture resolution (px per mm) nothing is measured (``None``). From
#: here up to :data:`FINE_PX_PER_MM` only enlarged pores are resolved and reported
#: (AILab documents a 400 px face box as its minimum: about 3.4 px/mm).
MIN_PX_PER_MM = 3.4
#: From this resolution the finest pores (radius 0.28 mm) are resolved and every
#: pore is counted; blackheads need it too.
FINE_PX_PER_MM = 4.0
#: AILab Pro count buckets (inclusive tops) per pore zone.
PORE_BUCKETS: dict[str, tuple[int, int, int]] = {
    "forehead": (100, 200, 400),
    "nose": (100, 200, 400),
    "left_cheek": (80, 180, 280),
    "right_cheek": (80, 180, 280),
    "chin": (50, 100, 150),
}


@dataclass(frozen=True)
class Params:
    """Pore detection thresholds (defaults documented in the module docstring).

    Attributes
    ----------
    min_radius_mm : float
        Smallest pore radius searched (detection sigma = radius / sqrt 2).
    max_radius_mm : float
        Largest pore radius; darker blobs matched above it are not pores.
    enlarged_radius_mm : float
        Radius from which a pore counts as enlarged.
    contrast : float
        Minimum depth of a pore, L*/100 units.
    noise_k : float
        Least significance of a pore: its depth in robust spreads of the DoG
        layer it was found in, over the skin of the tile around it
        (:mod:`~skincore.concerns.blob_significance`).
    noise_tile_mm : float
        Side of the tiles the local texture spread is measured on, mm.
    max_elongation : float
        Largest ratio of a pore's principal curvatures at its scale: a stubble
        hair, a crease or a shadow edge is a trough, not a compact dip.
    decoy_fdr : float or None
        Raise the significance threshold above ``noise_k`` until the bright blobs
        passing the same tests (texture, no pores) are at most this share of
        the dark ones; ``None`` keeps ``noise_k``.
    blackhead_contrast : float
        Minimum depth of a blackhead (nose only), L*/100 units.
    blackhead_noise_k : float
        Least significance of a blackhead (as ``noise_k``).
    blackhead_max_radius_mm : float
        Largest blackhead radius.
    min_sigma_px : float
        Smallest detection sigma the DoG resolves, texture pixels.
    scale_ratio : float
        Ratio between consecutive blur scales.
    score_density_per_cm2 : float
        Density at which a zone's score falls by a factor e.
    score_enlarged_area : float
        Enlarged-area fraction at which a zone's score falls by a factor e.
    grid_blur_px : float
        Least blur of the detection grid, as a Gaussian sigma in grid pixels
        (pixel integration: a 1 px box has sigma 0.29 px). A blob's measured
        radius includes the photo's blur, so the enlarged test uses the radius
        with the blur removed in quadrature; the blur is measured on the photo's
        own texture (:class:`Detection`), a camera's being about 1 px whatever the
        distance, so 0.17 mm at 6 px/mm and 0.25 mm at 4 px/mm: without it a
        fine pore photographed from 30 cm reads as enlarged (measured on the CC0
        selfie: enlarged density at 30 cm x3.1 that at 15 cm with a fixed 0.5 px
        on main; x2.2 with the measured blur, see Limits; x1.1 for the 15 cm
        photo resized x0.75).
    work_px_per_mm : float
        Detection grid resolution cap: finer texture grids are area-averaged
        down to it. The pore sizes are fixed in millimetres and 6 px/mm resolves
        the smallest (sigma 0.2 mm = 1.2 px); a finer grid only costs time and
        makes counts depend on the photo's resolution.
    """

    min_radius_mm: float = 0.28
    max_radius_mm: float = 0.5
    enlarged_radius_mm: float = 0.35
    contrast: float = 0.04
    noise_k: float = 3.5
    noise_tile_mm: float = 3.0
    max_elongation: float = 3.0
    decoy_fdr: float | None = None
    blackhead_contrast: float = 0.08
    blackhead_noise_k: float = 6.0
    blackhead_max_radius_mm: float = 0.4
    min_sigma_px: float = 0.8
    scale_ratio: float = 1.4
    score_density_per_cm2: float = 10.0
    score_enlarged_area: float = 0.05
    grid_blur_px: float = 0.3
    work_px_per_mm: float = 6.0


_DEFAULT = Params()
#: Defaults under their documented names.
PORE_MIN_RADIUS_MM = _DEFAULT.min_radius_mm
PORE_MAX_RADIUS_MM = _DEFAULT.max_radius_mm
ENLARGED_RADIUS_MM = _DEFAULT.enlarged_radius_mm
PORE_CONTRAST = _DEFAULT.contrast
BLACKHEAD_CONTRAST = _DEFAULT.blackhead_contrast
NOISE_K = _DEFAULT.noise_k
BLACKHEAD_NOISE_K = _DEFAULT.blackhead_noise_k
BLACKHEAD_MAX_RADIUS_MM = _DEFAULT.blackhead_max_radius_mm
MIN_SIGMA_PX = _DEFAULT.min_sigma_px
SCALE_RATIO = _DEFAULT.scale_ratio

_SQRT2 = math.sqrt(2.0)


def pore_score(density_per_cm2: float, enlarged_area: float, params: Params = _DEFAULT) -> float:
    """Pore score 1-100 (higher healthier) of a zone.

    ``1 + 99 * exp(-density / 10 - enlarged_area / 0.05)``: strictly decreasing
    in both the pore density (per cm2) and the enlarged-pore area fraction.

    Parameters
    ----------
    density_per_cm2 : float
        Pores per square centimetre, >= 0.
    enlarged_area : float
        Fraction of the zone covered by enlarged pores, [0, 1].
    params : Params, optional
        The score scales.

    Returns
    -------
    float
        Score rounded to 0.1.
    """
    e = density_per_cm2 / params.score_density_per_cm2 + enlarged_area / params.score_enlarged_area
    return round(1.0 + 99.0 * math.exp(-e), 1)


def _zone_masks(ctx: TextureContext) -> dict[str, np.ndarray]:
    # (rasterised first, then tested inside the polygon's box: the mask is 0 outside)
    out = {z: ctx.masks[z] for z in PORE_ZONES if z in ctx.masks}
    return {z: m for z, m in out.items() if mask_count(ctx.masks, z)}


class Detection(NamedTuple):
    """The pore-size blobs of one detection grid.

    Attributes
    ----------
    blobs : numpy.ndarray
        ``(N, 4)`` float64 x, y, radius (grid px; ``sqrt(2)`` times the sigma of
        the Gaussian dip fitted to the DoG responses, the photo's blur included),
        depth (L*/100).
    zone : numpy.ndarray
        Index into :data:`PORE_ZONES` of each blob's zone.
    masks : dict of str to numpy.ndarray
        The zone masks used.
    significance : numpy.ndarray
        Each blob's depth in robust spreads of the texture around it.
    blur_px : float
        The photo's blur on the grid (Gaussian sigma, px): the median fitted
        sigma of its texture blobs (bright and pore-sized), at least
        ``Params.grid_blur_px``.
    """

    blobs: np.ndarray
    zone: np.ndarray
    masks: dict
    significance: np.ndarray
    blur_px: float


def _detect(ctx: TextureContext, params: Params, threads: int) -> Detection | None:
    """All dark blobs of pore size over the pore zones that stand out of the texture.

    Returns ``(blobs, zone_index, masks, significance)``: ``(N, 4)`` float64 x, y,
    radius (texture px), depth (L*/100); the index into :data:`PORE_ZONES` of each
    blob's zone; the zone masks used; each blob's depth in robust spreads of the
    texture around it (:mod:`skincore.concerns.blob_significance`). ``None`` when the
    resolution is too low or no zone has skin.
    """
    ppm = float(ctx.px_per_mm)
    if not (math.isfinite(ppm) and ppm >= MIN_PX_PER_MM):
        return None
    masks = _zone_masks(ctx)
    if not masks:
        return None
    # the union of the zones, on the union of their boxes (the masks are 0 outside)
    any8 = np.zeros(ctx.gray.shape, dtype=np.uint8)
    boxes = [b for z in masks if (b := mask_box(ctx.masks, z)) is not None]
    ux0, uy0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    ux1, uy1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    for (bx0, by0, bx1, by1), m in zip(
        (mask_box(ctx.masks, z) or (0, 0, 0, 0) for z in masks), masks.values(), strict=True
    ):
        win = any8[by0:by1, bx0:bx1]
        if m.dtype == np.uint8:
            np.bitwise_or(win, m[by0:by1, bx0:bx1], out=win)
        else:
            win |= m[by0:by1, bx0:bx1] > 0
    sub = any8[uy0:uy1, ux0:ux1] > 0
    rows = np.flatnonzero(sub.any(axis=1)) + uy0
    cols = np.flatnonzero(sub.any(axis=0)) + ux0
    lo_px = max(params.min_radius_mm / _SQRT2 * ppm, params.min_sigma_px)
    hi_px = 2.0 * params.max_radius_mm / _SQRT2 * ppm  # one octave above the pore range
    sig = blobs.scale_sigmas(lo_px, hi_px, params.scale_ratio)
    margin = int(math.ceil(4.0 * sig[-1]))
    h, w = ctx.gray.shape
    y0, y1 = max(0, int(rows[0]) - margin), min(h, int(rows[-1]) + 1 + margin)
    x0, x1 = max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin)
    gray = np.asarray(
        ctx.gray[y0:y1, x0:x1], dtype=np.float32
    )  # a view: the kernels take row strides
    skin = any8[y0:y1, x0:x1] > 0
    layers = blob_significance.BlobLayers(
        gray,
        skin,
        sig,
        tile_px=max(2, 2 * int(round(params.noise_tile_mm * ppm / 2.0))),  # even: sampled 2:1
        threads=threads,
    )
    r_max = params.max_radius_mm * ppm
    limits: dict[str, Any] = {
        "contrast": params.contrast,
        "max_radius": math.inf,  # sizes are tested below, with the photo's blur removed
        "max_elongation": params.max_elongation,
    }
    floor = params.noise_k if params.decoy_fdr is None else 0.0
    found, signif = layers.candidates("dark", min_significance=floor, **limits)
    # The photo's own blur: the median fitted scale of its pore-size texture (bright
    # blobs away from the dark ones: pores are dark, and the skin between dark
    # blobs reads as bright blobs of their size).
    texture = layers.texture_sigma(
        "bright",
        contrast=params.contrast,
        max_sigma=r_max / _SQRT2,
        avoid=found[signif >= params.noise_k, :3],
    )
    blur_px = max(params.grid_blur_px, texture or 0.0)
    # Larger than a pore once the blur is removed: a mole, a spot, a shadow.
    r_lim2 = (r_max * 1.05) ** 2 + 2.0 * blur_px**2
    small = found[:, 2] ** 2 <= r_lim2
    found, signif = found[small], signif[small]
    t = params.noise_k
    if params.decoy_fdr is not None:
        decoys, decoy_signif = layers.candidates("bright", **limits)
        decoy_signif = decoy_signif[decoys[:, 2] ** 2 <= r_lim2]
        t = blob_significance.decoy_threshold(signif, decoy_signif, t, params.decoy_fdr)
    keep = signif >= t
    found, signif = found[keep], signif[keep]
    found[:, 0] += x0
    found[:, 1] += y0
    zone = np.full(len(found), -1, dtype=np.intp)
    if len(found):
        ix = np.clip(np.rint(found[:, 0]).astype(np.intp), 0, w - 1)
        iy = np.clip(np.rint(found[:, 1]).astype(np.intp), 0, h - 1)
        for k, z in enumerate(PORE_ZONES):
            if z in masks:
                hit = (zone < 0) & (masks[z][iy, ix] > 0)
                zone[hit] = k
    ok = zone >= 0
    return Detection(found[ok], zone[ok], masks, signif[ok], blur_px)


def detection_grid(ctx: TextureContext, params: Params, threads: int = 0) -> TextureContext:
    """Return the grid pores are detected on: ``ctx`` capped at ``params.work_px_per_mm``."""
    return ctx.rescaled(params.work_px_per_mm, threads=threads)


def detect_once(ctx: TextureContext, params: Params, threads: int = 0) -> Detection | None:
    """Return the pore-size blob detection of a grid, once per grid and params.

    ``ctx`` is the detection grid (:func:`detection_grid`). Shared with
    :mod:`skincore.concerns.blackheads` through ``ctx.memo``.
    """
    return ctx.memo(("pore_blobs", params), lambda: _detect(ctx, params, threads))


def is_blackhead(
    found: np.ndarray, zone: np.ndarray, ppm: float, signif: np.ndarray, params: Params
) -> np.ndarray:
    """Which detected blobs are blackheads (compact, very dark, on the nose)."""
    nose = PORE_ZONES.index("nose")
    return (
        (zone == nose)
        & (found[:, 3] >= params.blackhead_contrast)
        & (signif >= params.blackhead_noise_k)
        & (found[:, 2] <= params.blackhead_max_radius_mm * ppm)
    )


def to_image(ctx: TextureContext, found: np.ndarray) -> np.ndarray:
    """``(N, 4)`` texture-grid blobs to image pixels (x, y, radius) and depth."""
    out = np.empty((len(found), 4), np.float32)
    if len(found):
        out[:, :2] = ctx.to_image(found[:, :2])
        out[:, 2] = found[:, 2] / ctx.scale
        out[:, 3] = found[:, 3]
    return out


def measure_pores(
    ctx: TextureContext,
    params: Params | None = None,
    *,
    threads: int = 0,
    resolved_px_per_mm: float | None = None,
) -> Pores | None:
    """Count visible and enlarged pores per zone (a heuristic image measurement).

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid (``FaceWork.texture``).
    params : Params, optional
        Thresholds; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the kernels (0 = the pool); results do not depend on it.
    resolved_px_per_mm : float, optional
        The sampling the photo resolves on the skin
        (:attr:`FaceWork.resolved_px_per_mm
        <skincore.concerns.work.FaceWork.resolved_px_per_mm>`); fine pores are
        counted only when it, too, reaches :data:`FINE_PX_PER_MM`. ``None``: the
        grid's own sampling.

    Returns
    -------
    Pores or None
        Per zone of :data:`PORE_ZONES` with skin: counts, enlarged count and area,
        density; every pore as ``x, y, radius`` in image pixels and its depth
        (L*/100). ``None`` below :data:`MIN_PX_PER_MM` or without any pore-zone
        skin.
    """
    params = params or _DEFAULT
    if not ctx.px_per_mm >= MIN_PX_PER_MM:
        return None
    ctx = detection_grid(ctx, params, threads)
    det = detect_once(ctx, params, threads)
    if det is None:
        return None
    found, zone, masks, signif, blur_px = det
    ppm = float(ctx.px_per_mm)
    # the sampling the photo shows: the grid's, or less where it resolves less
    seen = ppm if resolved_px_per_mm is None else min(ppm, float(resolved_px_per_mm))
    fine = seen >= FINE_PX_PER_MM
    if fine:
        pores = ~is_blackhead(found, zone, ppm, signif, params)
        found, zone = found[pores], zone[pores]
    # Enlarged: radius with the photo's own blur removed, at least enlarged_radius_mm.
    r_enl2 = (params.enlarged_radius_mm * ppm) ** 2 + 2.0 * blur_px**2
    if not fine:
        # Fine pores are below resolution: report the enlarged ones only.
        big = found[:, 2] ** 2 >= r_enl2
        found, zone = found[big], zone[big]
    img_area = 1.0 / (ctx.scale * ctx.scale)
    zones: dict[str, PoreZone] = {}
    for k, name in enumerate(PORE_ZONES):
        if name not in masks:
            continue
        zmask = masks[name]
        tex_area = mask_count(ctx.masks, name)  # ctx is the grid the masks are on
        sel = found[zone == k]
        big = sel[sel[:, 2] ** 2 >= r_enl2]
        covered = 0
        if len(big):
            h, w = zmask.shape
            boxes = [
                (
                    max(0, int(y - r) - 1),
                    min(h, int(y + r) + 2),
                    max(0, int(x - r) - 1),
                    min(w, int(x + r) + 2),
                )
                for x, y, r, _ in big
            ]
            # the disks on their common bounding box only
            by0, bx0 = min(b[0] for b in boxes), min(b[2] for b in boxes)
            by1, bx1 = max(b[1] for b in boxes), max(b[3] for b in boxes)
            disk = np.zeros((by1 - by0, bx1 - bx0), dtype=bool)
            for (x, y, r, _), (ya, yb, xa, xb) in zip(big, boxes, strict=True):
                yy, xx = np.ogrid[ya:yb, xa:xb]
                disk[ya - by0 : yb - by0, xa - bx0 : xb - bx0] |= (xx - x) ** 2 + (
                    yy - y
                ) ** 2 <= r * r
            covered = int(np.count_nonzero(disk & (zmask[by0:by1, bx0:bx1] > 0)))
        area_cm2 = tex_area / (ppm * ppm) / 100.0
        count = len(sel)
        zones[name] = PoreZone(
            count=count,
            enlarged_count=len(big),
            enlarged_area=float(covered / tex_area),
            area_px=int(round(tex_area * img_area)),
            area_cm2=float(area_cm2),
            density_per_cm2=float(count / area_cm2),
            enlarged_density_per_cm2=float(len(big) / area_cm2),
        )
    return Pores(
        zones=zones,
        blobs=to_image(ctx, found),
        px_per_mm=ppm / ctx.scale,
        enlarged_radius_mm=params.enlarged_radius_mm,
        detection_limit_mm=float(max(params.min_radius_mm, params.min_sigma_px * _SQRT2 / seen)),
        fine_resolved=bool(fine),
    )


def measure(work, params: Params) -> Pores | None:  # noqa: ANN001 - FaceWork (import cycle)
    """Run :func:`measure_pores` on the face's texture grid (the concern's entry point).

    Fine pores are counted only where the photo resolves them
    (:attr:`FaceWork.resolved_px_per_mm`).
    """
    return measure_pores(
        work.texture, params, threads=work.threads, resolved_px_per_mm=work.resolved_px_per_mm
    )


def grade(result: Pores, params: Params) -> ConcernGrade | None:
    """Severities (AILab count buckets), Poisson confidences and scores per zone.

    The whole-face score is the zones' scores weighted by skin area; the
    whole-face severity is the worst zone's, with that zone's confidence. ``None``
    when fine pores are below resolution: count buckets and density scores would
    then read a face as healthier than it is (only enlarged pores are reported).
    """
    if not result.fine_resolved:
        return None
    zones: dict[str, Grade] = {}
    weights: dict[str, float] = {}
    for name, z in result.zones.items():
        bounds = PORE_BUCKETS[name]
        zones[name] = Grade(
            severity=severity(z.count, bounds),
            confidence=count_confidence(z.count, bounds),
            score=pore_score(z.density_per_cm2, z.enlarged_area, params),
        )
        weights[name] = float(z.area_px)
    whole = whole_grade(zones, weights, digits=1, least_confident=True)
    return ConcernGrade(whole=whole, zones=zones, weights=weights)


CONCERN: Concern = Concern(
    name="pores",
    summary="visible and enlarged pores per zone (count, density per cm2, enlarged area)",
    params=Params,
    result=Pores,
    measure=measure,
    min_px_per_mm=MIN_PX_PER_MM,
    grade=grade,
)
