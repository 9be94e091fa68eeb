"""Planted-wrinkle ground truth on a real face's texture context.

The real skin of the wrinkle zones is low-passed to a clean base (its own
lines and pores removed) with mild noise, then dark lines of known path, width
and contrast are planted inside the zone masks (:func:`synthetic.plant_lines`).
Matching rules follow the brief: a planted line is found when traced
polylines cover >= 70 % of its points within ``tol`` px; a traced line is a
true positive when >= 70 % of its points lie within ``tol`` px of a planted one.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from skincore import geometry
from skincore.concerns.context import TextureContext
from synthetic import PlantedLine, arc, plant_lines, segment


def clean_base(ctx: TextureContext, rng: np.random.Generator, noise: float = 0.004) -> np.ndarray:
    """Low-pass the face crop (sigma ~1.5 mm) and add mild, slightly smoothed noise."""
    sigma = 1.5 * ctx.px_per_mm
    base = geometry.gaussian_blur(ctx.gray.astype(np.float32), sigma, threads=1)
    n = rng.normal(0.0, 1.0, base.shape).astype(np.float32)
    n = geometry.gaussian_blur(n, 0.7, threads=1)
    n *= noise / max(float(n.std()), 1e-9)
    return base + n


def inner(mask: np.ndarray, margin: float) -> np.ndarray:
    """Pixels at least about ``margin`` px inside ``mask`` (blur-threshold erosion)."""
    b = geometry.gaussian_blur((mask > 0).astype(np.float32), max(margin / 2.33, 0.3), threads=1)
    return b > 0.99


def _fits(pts: np.ndarray, ok: np.ndarray, taken: np.ndarray) -> bool:
    xi = np.round(pts[:, 0]).astype(int)
    yi = np.round(pts[:, 1]).astype(int)
    h, w = ok.shape
    if xi.min() < 0 or yi.min() < 0 or xi.max() >= w or yi.max() >= h:
        return False
    return bool(ok[yi, xi].all() and not taken[yi, xi].any())


def _mark(pts: np.ndarray, taken: np.ndarray, r: int) -> None:
    h, w = taken.shape
    for x, y in np.round(pts[::2]).astype(int):
        taken[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1] = True


def propose(kind: str, ok: np.ndarray, rng: np.random.Generator, length: float, eye=None):
    """One candidate centreline of a zone's typical shape."""
    ys, xs = np.nonzero(ok)
    i = rng.integers(len(xs))
    cx, cy = float(xs[i]), float(ys[i])
    if kind == "forehead":  # horizontal arc, bending up or down a little
        radius = rng.uniform(2.0, 4.0) * length
        a = length / radius
        sgn = rng.choice([-1.0, 1.0])
        return arc(
            cx, cy + sgn * radius, radius, -sgn * np.pi / 2 - a / 2, -sgn * np.pi / 2 + a / 2
        )
    if kind == "crows_feet":  # radial segment pointing at the eye corner
        ex, ey = eye
        d = np.hypot(cx - ex, cy - ey) + 1e-9
        ux, uy = (cx - ex) / d, (cy - ey) / d
        return segment(
            cx - ux * length / 2, cy - uy * length / 2, cx + ux * length / 2, cy + uy * length / 2
        )
    if kind == "under_eye":  # short arc following the lower lid
        radius = rng.uniform(2.0, 3.0) * length
        a = length / radius
        return arc(cx, cy - radius, radius, np.pi / 2 - a / 2, np.pi / 2 + a / 2)
    ang = rng.uniform(0, np.pi)  # cheek: straight segment, any direction
    dx, dy = np.cos(ang) * length / 2, np.sin(ang) * length / 2
    return segment(cx - dx, cy - dy, cx + dx, cy + dy)


def plant_zone(
    ok: np.ndarray,
    kind: str,
    n: int,
    rng: np.random.Generator,
    *,
    taken: np.ndarray,
    lengths=(20.0, 150.0),
    widths=(1.0, 2.0),
    contrasts=(0.06, 0.2),
    eye=None,
    tries: int = 400,
) -> list[PlantedLine]:
    """Up to ``n`` non-overlapping lines fully inside ``ok``."""
    out: list[PlantedLine] = []
    for _ in range(tries):
        if len(out) >= n:
            break
        length = float(rng.uniform(*lengths))
        pts = propose(kind, ok, rng, length, eye)
        if not _fits(pts, ok, taken):
            continue
        width = float(rng.uniform(*widths))
        out.append(PlantedLine(pts, width, float(rng.uniform(*contrasts))))
        _mark(pts, taken, int(np.ceil(4 * width)) + 4)
    return out


def with_gray(ctx: TextureContext, gray: np.ndarray) -> TextureContext:
    return dataclasses.replace(ctx, gray=np.ascontiguousarray(gray, dtype=np.float32))


def plant(ctx: TextureContext, gray: np.ndarray, lines: list[PlantedLine]) -> TextureContext:
    return with_gray(ctx, plant_lines(gray, lines))


def rescale(ctx: TextureContext, f: float) -> TextureContext:
    """The same context resampled by ``f`` (area averaging; masks bilinear + threshold)."""
    h, w = ctx.gray.shape
    size = (max(1, round(w * f)), max(1, round(h * f)))
    fx = size[0] / w
    gray = geometry.resize(ctx.gray, size, method="area", threads=1)
    masks = {}
    for k, m in ctx.masks.items():
        r = geometry.resize(m, size, method="bilinear", threads=1)
        masks[k] = np.where(r >= 128, np.uint8(255), np.uint8(0))
    return TextureContext(
        gray=np.ascontiguousarray(gray, np.float32),
        origin=ctx.origin,
        scale=ctx.scale * fx,
        px_per_mm=ctx.px_per_mm * fx,
        masks=masks,
        landmarks=((ctx.landmarks + 0.5) * fx - 0.5).astype(np.float32),
    )


def scale_points(pts: np.ndarray, f: float) -> np.ndarray:
    return (pts + 0.5) * f - 0.5


def _near(a: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray:
    """For each point of ``a``, whether a point of ``b`` is within ``tol``."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a), bool)
    d2 = (a[:, None, 0] - b[None, :, 0]) ** 2 + (a[:, None, 1] - b[None, :, 1]) ** 2
    return d2.min(axis=1) <= tol * tol


def densify(p: np.ndarray, step: float = 0.5) -> np.ndarray:
    out = [p[:1]]
    for a, b in zip(p[:-1], p[1:], strict=True):
        n = max(1, int(np.ceil(np.hypot(*(b - a)) / step)))
        t = (np.arange(1, n + 1) / n)[:, None]
        out.append(a * (1 - t) + b * t)
    return np.concatenate(out)


@dataclasses.dataclass
class Match:
    recall: float
    precision: float
    length_error: float  # mean |traced - planted| / planted over found lines
    found: list[bool]
    tp: list[bool]
    traced_for: list[list[int]]  # indices of traced lines matched to each planted


def match(traced: list[np.ndarray], truth: list[np.ndarray], tol: float = 3.0) -> Match:
    """Match traced polylines to planted centrelines (texture-grid points)."""
    tr = [densify(np.asarray(t, np.float64)) for t in traced]
    tt = [densify(np.asarray(t, np.float64)) for t in truth]
    allt = np.concatenate(tt) if tt else np.zeros((0, 2))
    allr = np.concatenate(tr) if tr else np.zeros((0, 2))
    found = [bool(_near(t, allr, tol).mean() >= 0.7) for t in tt]
    tp = [bool(_near(r, allt, tol).mean() >= 0.7) for r in tr]
    owners: list[list[int]] = [[] for _ in tt]
    for j, r in enumerate(tr):
        fr = [_near(r, t, tol).mean() for t in tt]
        if fr and max(fr) >= 0.7:
            owners[int(np.argmax(fr))].append(j)
    errs = []
    for i, t in enumerate(tt):
        if found[i] and owners[i]:
            lt = sum(float(np.hypot(*np.diff(tr[j], axis=0).T).sum()) for j in owners[i])
            lp = float(np.hypot(*np.diff(t, axis=0).T).sum())
            errs.append(abs(lt - lp) / lp)
    return Match(
        recall=float(np.mean(found)) if found else float("nan"),
        precision=float(np.mean(tp)) if tp else 1.0,
        length_error=float(np.mean(errs)) if errs else float("nan"),
        found=found,
        tp=tp,
        traced_for=owners,
    )
