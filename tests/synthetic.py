"""Synthetic ground truth: plant known pores, blackheads and lines onto real skin.

Everything planted is recorded, so tests can measure recall, precision and
localisation error. Intensities are on a [0, 1] scale and planted as
multiplicative darkening, the way pores and wrinkles darken skin under diffuse
light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from skincore.color import srgb_to_linear


@dataclass(frozen=True)
class PlantedBlob:
    x: float
    y: float
    sigma: float
    contrast: float


@dataclass(frozen=True)
class PlantedLine:
    points: np.ndarray  # (K, 2) densely sampled centreline (x, y)
    width: float  # Gaussian sigma of the cross-section, px
    contrast: float

    @property
    def length(self) -> float:
        d = np.diff(self.points, axis=0)
        return float(np.hypot(d[:, 0], d[:, 1]).sum())


def plant_blobs(img: np.ndarray, blobs: list[PlantedBlob]) -> np.ndarray:
    """Darken ``img`` (float, HxW or HxWx3 in [0, 1]) by Gaussian dips."""
    out = img.astype(np.float32).copy()
    h, w = out.shape[:2]
    for b in blobs:
        r = int(np.ceil(4 * b.sigma))
        x0, x1 = max(0, int(b.x) - r), min(w, int(b.x) + r + 2)
        y0, y1 = max(0, int(b.y) - r), min(h, int(b.y) + r + 2)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        g = np.exp(-((xx - b.x) ** 2 + (yy - b.y) ** 2) / (2 * b.sigma**2))
        f = 1.0 - b.contrast * g
        if out.ndim == 3:
            out[y0:y1, x0:x1] *= f[..., None]
        else:
            out[y0:y1, x0:x1] *= f
    return out


def arc(cx: float, cy: float, radius: float, a0: float, a1: float, step: float = 0.5) -> np.ndarray:
    """Points along a circular arc (angles in radians), spaced ``step`` px."""
    n = max(2, int(abs(a1 - a0) * radius / step))
    t = np.linspace(a0, a1, n)
    return np.stack([cx + radius * np.cos(t), cy + radius * np.sin(t)], axis=1)


def segment(x0: float, y0: float, x1: float, y1: float, step: float = 0.5) -> np.ndarray:
    """Points along a straight segment, spaced ``step`` px."""
    n = max(2, int(np.hypot(x1 - x0, y1 - y0) / step))
    t = np.linspace(0.0, 1.0, n)[:, None]
    return np.array([x0, y0]) * (1 - t) + np.array([x1, y1]) * t


def plant_lines(img: np.ndarray, lines: list[PlantedLine]) -> np.ndarray:
    """Darken ``img`` along each line with a Gaussian cross-section."""
    out = img.astype(np.float32).copy()
    h, w = out.shape[:2]
    for ln in lines:
        p = ln.points
        r = int(np.ceil(4 * ln.width)) + 1
        x0, x1 = max(0, int(p[:, 0].min()) - r), min(w, int(p[:, 0].max()) + r + 1)
        y0, y1 = max(0, int(p[:, 1].min()) - r), min(h, int(p[:, 1].max()) + r + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        d2 = np.full(xx.shape, np.inf, np.float32)
        a, b = p[:-1], p[1:]
        for (ax, ay), (bx, by) in zip(a, b, strict=True):
            vx, vy = bx - ax, by - ay
            ll = vx * vx + vy * vy
            t = np.clip(((xx - ax) * vx + (yy - ay) * vy) / ll if ll > 0 else 0.0, 0.0, 1.0)
            dx, dy = xx - (ax + t * vx), yy - (ay + t * vy)
            np.minimum(d2, dx * dx + dy * dy, out=d2)
        f = 1.0 - ln.contrast * np.exp(-d2 / (2 * ln.width**2))
        if out.ndim == 3:
            out[y0:y1, x0:x1] *= f[..., None]
        else:
            out[y0:y1, x0:x1] *= f
    return out


def match_points(found: np.ndarray, truth: np.ndarray, radius: float) -> tuple[int, int, float]:
    """Greedy one-to-one matching within ``radius``: (true positives, matched
    truths, mean localisation error of the matches)."""
    if len(found) == 0 or len(truth) == 0:
        return 0, 0, float("nan")
    d = np.hypot(found[:, None, 0] - truth[None, :, 0], found[:, None, 1] - truth[None, :, 1])
    used_f: set[int] = set()
    used_t: set[int] = set()
    errs = []
    for idx in np.argsort(d, axis=None):
        i, j = np.unravel_index(idx, d.shape)
        if d[i, j] > radius:
            break
        if i in used_f or j in used_t:
            continue
        used_f.add(int(i))
        used_t.add(int(j))
        errs.append(d[i, j])
    return len(used_f), len(used_t), float(np.mean(errs)) if errs else float("nan")


def texture_of(image, *, threads: int = 0):
    """Analyse ``image`` (path, bytes or RGB array) and rebuild its first face's texture grid."""
    import skincore
    from skincore.pipeline import texture_context

    loaded = skincore.load_image(image)
    result = skincore.analyze(loaded.rgb, threads=threads)
    return texture_context(result, loaded.rgb, threads=threads)


def darkened(img: Image.Image, k: float) -> Image.Image:
    """The photo with its linear light scaled by ``k`` (sRGB in and out, 8 bits).

    Light skin at ``k`` 0.15 sits at the levels of dark skin: its texture loses L*
    contrast, while the 8-bit quantisation does not.
    """
    lin = srgb_to_linear(np.asarray(img.convert("RGB"))) * k
    out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return Image.fromarray(np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8))
