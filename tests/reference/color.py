"""Float64 NumPy references for skincore.color (same definitions, no shortcuts)."""

from __future__ import annotations

import math

import numpy as np

# 7-digit sRGB -> XYZ (D65); white = row sums.
M = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE = M.sum(axis=1)
EPS = 216.0 / 24389.0
KAPPA = 24389.0 / 27.0


def srgb_eotf(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab_f(t: np.ndarray) -> np.ndarray:
    return np.where(t > EPS, np.cbrt(t), (KAPPA * t + 16.0) / 116.0)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 (..., 3) -> float64 Lab (..., 3)."""
    lin = srgb_eotf(np.asarray(rgb, dtype=np.float64) / 255.0)
    xyz = (lin @ M.T) / WHITE
    f = lab_f(xyz)
    L = 116.0 * f[..., 1] - 16.0
    a = 500.0 * (f[..., 0] - f[..., 1])
    b = 200.0 * (f[..., 1] - f[..., 2])
    return np.stack([L, a, b], axis=-1)


def rgb_to_lightness(rgb: np.ndarray, divisor: float = 1.0) -> np.ndarray:
    """uint8 (..., 3) -> float64 L* / divisor (...)."""
    return rgb_to_lab(rgb)[..., 0] / divisor


def ita_map(lab: np.ndarray) -> np.ndarray:
    lab = np.asarray(lab, dtype=np.float64)
    L, b = lab[..., 0], lab[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.degrees(np.arctan((L - 50.0) / b))
    lim = np.where(L > 50.0, 90.0, np.where(L < 50.0, -90.0, 0.0))
    v = np.where(b == 0.0, lim, v)
    return np.where(np.isfinite(L) & np.isfinite(b), v, np.nan)


def lightness_chroma(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L* copied and C*ab = float32(sqrt(float64(a)^2 + float64(b)^2)) (inf wins over NaN)."""
    lab = np.asarray(lab, dtype=np.float32)
    a, b = lab[..., 1].astype(np.float64), lab[..., 2].astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        c = np.sqrt(a * a + b * b).astype(np.float32)
    c[np.isinf(a) | np.isinf(b)] = np.inf
    return lab[..., 0].copy(), c


def apply_channel_luts(rgb: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """out[..., c] = luts[c][rgb[..., c]]."""
    return np.stack([luts[c][rgb[..., c]] for c in range(3)], axis=-1).astype(np.uint8)


def masked_channel_luts(rgb: np.ndarray, mask: np.ndarray, luts: np.ndarray) -> np.ndarray:
    """The pixels where mask != 0 (row-major, numpy.flatnonzero) through luts."""
    px = np.take(rgb.reshape(-1, 3), np.flatnonzero(mask), axis=0)
    return apply_channel_luts(px[None], luts)[0]


def ita(L: float, b: float) -> float:
    if b != 0.0:
        return math.degrees(math.atan((L - 50.0) / b))
    return 90.0 if L > 50.0 else (-90.0 if L < 50.0 else 0.0)


def ha(a: float, b: float) -> float:
    if a != 0.0:
        return math.degrees(math.atan(b / a))
    return 90.0 if b > 0.0 else (-90.0 if b < 0.0 else 0.0)


def _median_bins(counts: np.ndarray, n: int) -> tuple[int, int]:
    cum = np.cumsum(counts)
    i1 = int(np.searchsorted(cum, (n - 1) // 2, side="right"))
    i2 = int(np.searchsorted(cum, n // 2, side="right"))
    return i1, i2


def lab_stats(lab: np.ndarray, mask: np.ndarray, k: float = 2.5) -> dict:
    """The documented robust rule of skincore.color.lab_stats, written plainly."""
    lab = np.asarray(lab, dtype=np.float32)
    sel = np.asarray(mask) != 0
    px = lab[sel].reshape(-1, 3)
    n_mask = px.shape[0]
    finite = np.isfinite(px).all(axis=1)
    px = px[finite]
    out = {"n_mask": n_mask, "n_invalid": int(n_mask - px.shape[0])}
    nan = math.nan
    if px.shape[0] == 0:
        out.update(
            n_shadow=0,
            n_highlight=0,
            n_used=0,
            mean=(nan,) * 3,
            median=(nan,) * 3,
            std=(nan,) * 3,
            L_median_all=nan,
            L_mad_all=nan,
        )
        return out
    n = px.shape[0]
    jl = np.clip(np.floor(px[:, 0] * np.float32(100)), 0, 9999).astype(np.int64)
    hist = np.bincount(jl, minlength=10000)
    i1, i2 = _median_bins(hist, n)
    s2 = i1 + i2
    # MAD: median of |j - s2/2| over the pixels, via sorting the pixel deviations.
    dev = np.sort(np.abs(2 * jl - s2))  # half bins
    d1, d2 = int(dev[(n - 1) // 2]), int(dev[n // 2])
    out["L_median_all"] = (s2 + 1) * 0.005
    out["L_mad_all"] = (d1 + d2) * 0.0025
    if math.isinf(k):
        keep = np.ones(n, bool)
    else:
        thr = max(k * 1.4826 * float(d1 + d2), 200.0)
        keep = np.abs(4 * jl - 2 * s2).astype(np.float64) <= thr
    kept = px[keep].astype(np.float64)
    out["n_shadow"] = int(np.count_nonzero(~keep & (4 * jl < 2 * s2)))
    out["n_highlight"] = int(np.count_nonzero(~keep & (4 * jl > 2 * s2)))
    out["n_used"] = int(kept.shape[0])
    out["mean"] = tuple(kept.mean(axis=0))
    out["std"] = tuple(kept.std(axis=0))
    med = []
    jk = jl[keep]
    m1, m2 = np.sort(jk)[(len(jk) - 1) // 2], np.sort(jk)[len(jk) // 2]
    med.append((int(m1) + int(m2) + 1) * 0.005)
    for c in (1, 2):
        v = np.floor(px[keep, c] * np.float32(100))
        jb = np.clip(v, -12800, 12799).astype(np.int64) + 12800
        s = np.sort(jb)
        med.append(-128.0 + (int(s[(len(s) - 1) // 2]) + int(s[len(s) // 2]) + 1) * 0.005)
    out["median"] = tuple(med)
    return out
