"""Pores and blackheads: small dark blobs on the skin, counted per zone.

What is measured
----------------
Both concerns read the grey face crop of a :class:`TextureContext` (CIELAB
L*/100 on a grid of at most 10 px/mm). One difference-of-Gaussians scale-space
search (:func:`skincore.blobs.detect`, dark polarity) runs over the bounding box
of the union of the :data:`~skincore.analysis.PORE_ZONES` skin masks; every blob
is then assigned to the zone whose mask holds its centre pixel.

Sizes are physical (millimetres on the face, converted with the iris scale
``ctx.px_per_mm``):

* Detection scales start at sigma 0.2 mm (:data:`PORE_MIN_RADIUS_MM` = 0.28 mm
  radius, radius being ``sqrt(2) * sigma`` of the matched Gaussian) and pores
  go up to :data:`PORE_MAX_RADIUS_MM` = 0.5 mm: openings of about 0.55-1 mm
  across, what a person sees as a pore in a face photo. Smaller openings (the
  typical 0.05-0.3 mm pore) are below what a 4-10 px/mm photo resolves as a
  shape; they are counted when their darkening is strong enough at the smallest
  scale, with the smallest radius. The smallest scale is fixed in millimetres
  (not pixels) so that counts do not depend on the photo's resolution; it is
  never below 0.8 px, where a sampled Gaussian stops behaving like one and the
  DoG amplifies pixel and JPEG noise. Darker blobs larger than the pore range
  (moles, spots, lesions, shadows) are not pores: the scale space reaches one
  octave above it so that they are matched at their own scale and dropped.
* A pore is *enlarged* when its radius is at least :data:`ENLARGED_RADIUS_MM`
  (0.35 mm, an opening about 0.7 mm across). The detector's radius estimate is
  reliable for sigma of about 1 px or more, which this radius reaches at
  :data:`MIN_PX_PER_MM`.
* Contrast is the depth of the dip in L*/100 units (0.04 = 4 L* units darker
  than the skin around it), from the normalised DoG response, which equals
  ``2 c / (2 + q + 1 / q)`` for a Gaussian dip of depth ``c`` at scale ratio
  ``q``. L* is perceptually uniform, so one threshold serves light and dark
  skin. A pore needs :data:`PORE_CONTRAST` = 0.04: on the calibration photos
  most detections between 0.02 and 0.035 are JPEG blocking and sensor noise
  (their number changes with resolution and compression), while dots a person
  points at as pores are 4-10 L* darker than the skin.
* A blackhead is a blob on the **nose** with radius at most
  :data:`BLACKHEAD_MAX_RADIUS_MM` (0.4 mm) and depth at least
  :data:`BLACKHEAD_CONTRAST` (0.08, twice a pore's): a compact plug much darker
  than a pore. Each blob is classified once: nose blobs that pass the blackhead
  test are blackheads and are *not* counted as nose pores; the others are nose
  pores.

Severity follows the AILab Pro count buckets (forehead 0-100 / 101-200 /
201-400 / 401+, nose uses the forehead's, cheeks 0-80 / 81-180 / 181-280 / 281+,
chin 0-50 / 51-100 / 101-150 / 151+; blackheads 0-45 / 46-90 / 91-150 / 151+).
Scores are 1-100, higher is healthier; see :func:`pore_score` and
:func:`blackhead_score`.

Limits
------
These are heuristic image measurements, not a dermatologist's count. Below
:data:`MIN_PX_PER_MM` (4 px/mm: the smallest scale, sigma 0.2 mm, would fall
under 0.8 px and the enlarged radius under the 1 px sigma the radius estimate
needs) the concerns return ``None``. Foundation and powder fill and lighten
pores (counts drop); hard directional light raises contrast and glare hides
pores under specular highlights; strong JPEG compression removes the faintest
dips; freckles and fine dark hairs of pore size are counted as pores.
:func:`measure_pores` and :func:`measure_blackheads` share one detection: the
last context's blobs are kept (weakly referenced) so calling both costs one
scale-space search.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from skincore import blobs
from skincore.analysis import PORE_ZONES, Blackheads, Pores, PoreZone
from skincore.concerns.context import TextureContext
from skincore.concerns.grading import BLACKHEAD_BUCKETS, PORE_BUCKETS

#: Below this texture resolution (px per mm) nothing is measured (``None``).
MIN_PX_PER_MM = 4.0
#: Smallest pore radius searched, mm (detection sigma 0.2 mm).
PORE_MIN_RADIUS_MM = 0.28
#: Largest pore radius, mm; darker blobs matched above it are not pores.
PORE_MAX_RADIUS_MM = 0.5
#: Radius from which a pore counts as enlarged, mm.
ENLARGED_RADIUS_MM = 0.35
#: Minimum depth of a pore, L*/100 units.
PORE_CONTRAST = 0.04
#: Minimum depth of a blackhead (nose only), L*/100 units.
BLACKHEAD_CONTRAST = 0.08
#: Noise-adaptive floors: a pore's depth must also be at least NOISE_K times, a
#: blackhead's BLACKHEAD_NOISE_K times, the robust standard deviation of the
#: zone's finest-scale DoG texture (in depth units). On the repository's photos
#: that noise is 0.009-0.014 for normal skin (so the fixed contrasts decide) and
#: up to 0.026 on a powdered, studio-lit forehead (where it decides).
NOISE_K = 3.0
BLACKHEAD_NOISE_K = 6.0
#: Largest blackhead radius, mm.
BLACKHEAD_MAX_RADIUS_MM = 0.4
#: Smallest detection sigma the DoG kernel resolves, texture pixels.
MIN_SIGMA_PX = 0.8
#: Ratio between consecutive blur scales.
SCALE_RATIO = 1.4
#: Density (pores per cm2) at which a zone's score falls by a factor e.
SCORE_DENSITY_PER_CM2 = 10.0
#: Enlarged-area fraction at which a zone's score falls by a factor e.
SCORE_ENLARGED_AREA = 0.05
#: Blackhead count at which the blackhead score falls by a factor e.
SCORE_BLACKHEADS = 60.0

_SQRT2 = math.sqrt(2.0)


def severity(count: int, bounds: tuple[int, int, int]) -> int:
    """Severity 0-3 of a count by inclusive upper bounds of levels 0, 1 and 2.

    Parameters
    ----------
    count : int
        Number of pores or blackheads, >= 0.
    bounds : tuple of int
        ``(b0, b1, b2)``: level 0 up to ``b0``, 1 up to ``b1``, 2 up to ``b2``,
        3 above.

    Returns
    -------
    int
        The severity level.
    """
    if count < 0:
        raise ValueError("count: must be >= 0")
    return sum(1 for b in bounds if count > b)


def pore_score(density_per_cm2: float, enlarged_area: float) -> float:
    """Pore score 1-100 (higher healthier) of a zone.

    ``1 + 99 * exp(-density / 10 - enlarged_area / 0.05)``: strictly decreasing
    in both the pore density (per cm2) and the enlarged-pore area fraction.

    Parameters
    ----------
    density_per_cm2 : float
        Pores per square centimetre, >= 0.
    enlarged_area : float
        Fraction of the zone covered by enlarged pores, [0, 1].

    Returns
    -------
    float
        Score rounded to 0.1.
    """
    e = density_per_cm2 / SCORE_DENSITY_PER_CM2 + enlarged_area / SCORE_ENLARGED_AREA
    return round(1.0 + 99.0 * math.exp(-e), 1)


def blackhead_score(count: int) -> float:
    """Blackhead score 1-100 (higher healthier): ``1 + 99 * exp(-count / 60)``.

    Parameters
    ----------
    count : int
        Blackheads on the nose.

    Returns
    -------
    float
        Score rounded to 0.1.
    """
    return round(1.0 + 99.0 * math.exp(-count / SCORE_BLACKHEADS), 1)


def _zone_masks(ctx: TextureContext) -> dict[str, np.ndarray]:
    return {z: ctx.masks[z] for z in PORE_ZONES if z in ctx.masks and np.any(ctx.masks[z])}


def _detect(
    ctx: TextureContext, threads: int
) -> tuple[np.ndarray, np.ndarray, dict, np.ndarray] | None:
    """All dark blobs of pore size over the pore zones, on the texture grid.

    Returns ``(blobs, zone_index, masks, noise)``: ``(N, 4)`` float64 x, y, radius
    (texture px), depth (L*/100); the index into :data:`PORE_ZONES` of each blob's
    zone; the zone masks used; the per-zone texture noise (depth units). ``None``
    when the resolution is too low or no zone has skin.
    """
    ppm = float(ctx.px_per_mm)
    if not (math.isfinite(ppm) and ppm >= MIN_PX_PER_MM):
        return None
    masks = _zone_masks(ctx)
    if not masks:
        return None
    union = np.zeros(ctx.gray.shape, dtype=bool)
    for m in masks.values():
        union |= m > 0
    ys, xs = np.nonzero(union)
    lo_px = max(PORE_MIN_RADIUS_MM / _SQRT2 * ppm, MIN_SIGMA_PX)
    hi_px = 2.0 * PORE_MAX_RADIUS_MM / _SQRT2 * ppm  # one octave above the pore range
    sig = blobs.scale_sigmas(lo_px, hi_px, SCALE_RATIO)
    margin = int(math.ceil(4.0 * sig[-1]))
    h, w = ctx.gray.shape
    y0, y1 = max(0, int(ys.min()) - margin), min(h, int(ys.max()) + 1 + margin)
    x0, x1 = max(0, int(xs.min()) - margin), min(w, int(xs.max()) + 1 + margin)
    gray = np.ascontiguousarray(ctx.gray[y0:y1, x0:x1], dtype=np.float32)
    mask8 = np.where(union[y0:y1, x0:x1], np.uint8(255), np.uint8(0))
    gain = (2.0 + SCALE_RATIO + 1.0 / SCALE_RATIO) / 2.0  # response -> dip depth
    found = blobs.detect(
        gray, mask8, sig, "dark", PORE_CONTRAST / gain, overlap=0.5, threads=threads
    ).astype(np.float64)
    found[:, 3] *= gain
    found = found[found[:, 2] <= PORE_MAX_RADIUS_MM * ppm * 1.05]
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
    found, zone = found[ok], zone[ok]
    # Noise-adaptive floor: a pore must also stand NOISE_K robust standard
    # deviations above the zone's finest-scale texture (JPEG noise, powder, grain).
    noise = _zone_noise(gray, masks, (x0, y0), sig, gain, threads)
    keep = found[:, 3] >= np.maximum(PORE_CONTRAST, NOISE_K * noise[zone])
    return found[keep], zone[keep], masks, noise


def _zone_noise(
    gray: np.ndarray,
    masks: dict[str, np.ndarray],
    origin: tuple[int, int],
    sig: np.ndarray,
    gain: float,
    threads: int,
) -> np.ndarray:
    """Robust std (1.4826 MAD) of the finest DoG layer per zone, in depth units."""
    resp = blobs.dog_response(gray, float(sig[0]), float(sig[1]), "dark", threads=threads)
    x0, y0 = origin
    h, w = resp.shape
    noise = np.zeros(len(PORE_ZONES), np.float64)
    for k, z in enumerate(PORE_ZONES):
        m = masks.get(z)
        if m is None:
            continue
        v = resp[m[y0 : y0 + h, x0 : x0 + w] > 0]
        if v.size >= 50:
            noise[k] = float(np.median(np.abs(v - np.median(v)))) * 1.4826 * gain
    return noise


_LAST: tuple[weakref.ref, tuple[np.ndarray, np.ndarray, dict, np.ndarray] | None] | None = None


def _detect_once(
    ctx: TextureContext, threads: int
) -> tuple[np.ndarray, np.ndarray, dict, np.ndarray] | None:
    """:func:`_detect`, reusing the result of the previous call on the same context."""
    global _LAST
    last = _LAST
    if last is not None and last[0]() is ctx:
        return last[1]
    res = _detect(ctx, threads)
    _LAST = (weakref.ref(ctx), res)
    return res


def _is_blackhead(found: np.ndarray, zone: np.ndarray, ppm: float, noise: np.ndarray) -> np.ndarray:
    nose = PORE_ZONES.index("nose")
    return (
        (zone == nose)
        & (found[:, 3] >= max(BLACKHEAD_CONTRAST, BLACKHEAD_NOISE_K * float(noise[nose])))
        & (found[:, 2] <= BLACKHEAD_MAX_RADIUS_MM * ppm)
    )


def _to_image(ctx: TextureContext, found: np.ndarray) -> np.ndarray:
    out = np.empty((len(found), 4), np.float32)
    if len(found):
        out[:, :2] = ctx.to_image(found[:, :2])
        out[:, 2] = found[:, 2] / ctx.scale
        out[:, 3] = found[:, 3]
    return out


def measure_pores(ctx: TextureContext, *, threads: int = 0) -> Pores | None:
    """Count visible and enlarged pores per zone (a heuristic image measurement).

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid (see :func:`skincore.pipeline.texture_context`).
    threads : int, optional
        Worker threads for the kernels (0 = all cores); results do not depend on it.

    Returns
    -------
    Pores or None
        Per zone of :data:`PORE_ZONES` with skin: counts, enlarged count and area,
        density, severity and score; every pore as ``x, y, radius`` in image pixels
        and its depth (L*/100). ``None`` below :data:`MIN_PX_PER_MM` or without
        any pore-zone skin.
    """
    det = _detect_once(ctx, threads)
    if det is None:
        return None
    found, zone, masks, noise = det
    ppm = float(ctx.px_per_mm)
    pores = ~_is_blackhead(found, zone, ppm, noise)
    found, zone = found[pores], zone[pores]
    r_enl = ENLARGED_RADIUS_MM * ppm
    img_area = 1.0 / (ctx.scale * ctx.scale)
    zones: dict[str, PoreZone] = {}
    weights: list[tuple[float, float]] = []
    for k, name in enumerate(PORE_ZONES):
        if name not in masks:
            continue
        zmask = masks[name] > 0
        tex_area = int(np.count_nonzero(zmask))
        sel = found[zone == k]
        big = sel[sel[:, 2] >= r_enl]
        covered = 0
        if len(big):
            disk = np.zeros_like(zmask)
            h, w = disk.shape
            for x, y, r, _ in big:
                ya, yb = max(0, int(y - r) - 1), min(h, int(y + r) + 2)
                xa, xb = max(0, int(x - r) - 1), min(w, int(x + r) + 2)
                yy, xx = np.ogrid[ya:yb, xa:xb]
                disk[ya:yb, xa:xb] |= (xx - x) ** 2 + (yy - y) ** 2 <= r * r
            covered = int(np.count_nonzero(disk & zmask))
        area_cm2 = tex_area / (ppm * ppm) / 100.0
        count = len(sel)
        density = count / area_cm2
        enl_area = covered / tex_area
        score = pore_score(density, enl_area)
        zones[name] = PoreZone(
            count=count,
            enlarged_count=len(big),
            enlarged_area=float(enl_area),
            area_px=int(round(tex_area * img_area)),
            density_per_cm2=float(density),
            severity=severity(count, PORE_BUCKETS[name]),
            score=score,
        )
        weights.append((float(tex_area), score))
    total = sum(a for a, _ in weights)
    overall = round(sum(a * s for a, s in weights) / total, 1)
    return Pores(
        zones=zones,
        blobs=_to_image(ctx, found),
        px_per_mm=ppm / ctx.scale,
        enlarged_radius_mm=ENLARGED_RADIUS_MM,
        score=overall,
    )


def measure_blackheads(ctx: TextureContext, *, threads: int = 0) -> Blackheads | None:
    """Count blackheads on the nose (a heuristic image measurement).

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid.
    threads : int, optional
        Worker threads for the kernels (0 = all cores).

    Returns
    -------
    Blackheads or None
        Count, AILab Pro severity, every blackhead as ``x, y, radius`` in image
        pixels and its depth (L*/100), and the score. ``None`` below
        :data:`MIN_PX_PER_MM` or when the nose has no skin mask.
    """
    if "nose" not in ctx.masks or not np.any(ctx.masks["nose"]):
        return None
    det = _detect_once(ctx, threads)
    if det is None:
        return None
    found, zone, _, noise = det
    bh = found[_is_blackhead(found, zone, float(ctx.px_per_mm), noise)]
    count = len(bh)
    return Blackheads(
        count=count,
        severity=severity(count, BLACKHEAD_BUCKETS),
        blobs=_to_image(ctx, bh),
        score=blackhead_score(count),
    )
