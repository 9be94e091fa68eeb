"""NumPy references for skincore.lesions (same definitions, straightforward code)."""

from __future__ import annotations

import math

import numpy as np

from reference.geometry import gaussian_blur

MIN_WEIGHT = np.float32(0.05)


def local_contrast(src, mask, sigmas, ratio=3.0, truncate=3.0):
    src = np.asarray(src, np.float32)
    m = (np.asarray(mask) != 0).astype(np.float32)
    sm = np.where(m > 0, src, np.float32(0)).astype(np.float32)
    best = np.full(src.shape, -np.inf, np.float32)
    scale = np.zeros(src.shape, np.uint8)
    for k, s in enumerate(sigmas):
        a = gaussian_blur(sm, s, truncate)
        b = gaussian_blur(m, s, truncate)
        c = gaussian_blur(sm, s * ratio, truncate)
        d = gaussian_blur(m, s * ratio, truncate)
        ok = (b >= MIN_WEIGHT) & (d >= MIN_WEIGHT)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = (a / b - c / d).astype(np.float32)
        upd = ok & (v > best)
        best = np.where(upd, v, best)
        scale = np.where(upd, np.uint8(k), scale)
    bad = (m == 0) | ~np.isfinite(best)
    return np.where(bad, np.float32(0), best), np.where(bad, np.uint8(0), scale)


def region_features(labels, values, mask, n_labels, gap=1.0, wf=1.0, wmin=2.0, core=0.5):
    """Rows of (area, cx, cy, x0, y0, x1, y1, perimeter, r_max, n_ring, n_core,
    n_border, then per channel: inside, core, ring, max, min, border_gradient)."""
    labels = np.asarray(labels)
    values = np.asarray(values, np.float64)
    h, w, c = values.shape
    yy, xx = np.mgrid[0:h, 0:w]
    pad = np.pad(labels, 1, constant_values=-1)
    rows = []
    for lab in range(1, n_labels + 1):
        row = np.full(12 + 6 * c, np.nan)
        sel = labels == lab
        area = int(sel.sum())
        row[0] = area
        if area == 0:
            rows.append(row)
            continue
        cx, cy = xx[sel].mean(), yy[sel].mean()
        r_eq = math.sqrt(area / math.pi)
        r2 = (xx - cx) ** 2 + (yy - cy) ** 2
        rmax = math.sqrt(r2[sel].max())
        core_sel = sel & (r2 <= (core * r_eq) ** 2)
        nb = [pad[1:-1, :-2], pad[1:-1, 2:], pad[:-2, 1:-1], pad[2:, 1:-1]]
        exposed = sum((n != lab).astype(int) for n in nb)
        border = sel & (exposed > 0)
        rin = rmax + 0.5 + gap
        rout = rin + max(wmin, wf * r_eq)
        ring = (labels == 0) & (np.asarray(mask) != 0) & (r2 > rin * rin) & (r2 <= rout * rout)
        row[1:12] = [
            cx,
            cy,
            xx[sel].min(),
            yy[sel].min(),
            xx[sel].max() + 1,
            yy[sel].max() + 1,
            exposed[sel].sum() * math.pi / 4,
            rmax,
            ring.sum(),
            core_sel.sum(),
            border.sum(),
        ]
        for q in range(c):
            v = values[..., q]
            xa = np.clip(xx - 1, 0, w - 1)
            xb = np.clip(xx + 1, 0, w - 1)
            ya = np.clip(yy - 1, 0, h - 1)
            yb = np.clip(yy + 1, 0, h - 1)
            gx = (v[yy, xb] - v[yy, xa]) / np.maximum(xb - xa, 1)
            gy = (v[yb, xx] - v[ya, xx]) / np.maximum(yb - ya, 1)
            g = np.sqrt(gx * gx + gy * gy)
            row[12 + 6 * q : 18 + 6 * q] = [
                v[sel].mean(),
                v[core_sel].mean() if core_sel.any() else np.nan,
                v[ring].mean() if ring.any() else np.nan,
                v[sel].max(),
                v[sel].min(),
                g[border].mean(),
            ]
        rows.append(row)
    return np.array(rows).reshape(n_labels, 12 + 6 * c)


def median3(src):
    """3x3 median per channel, edges replicated: numpy.median of the nine neighbours."""
    a = np.asarray(src)
    squeeze = a.ndim == 2
    if squeeze:
        a = a[..., None]
    h, w = a.shape[:2]
    pad = np.pad(a, ((1, 1), (1, 1), (0, 0)), mode="edge")
    stack = np.stack([pad[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], -1)
    out = np.median(stack, axis=-1).astype(np.uint8)
    return out[..., 0] if squeeze else out


def take(lut, index, channel=None):
    """lut[index] (or of one channel of index), every index in [0, len(lut))."""
    idx = np.asarray(index) if channel is None else np.asarray(index)[..., channel]
    idx = idx.astype(np.int64)
    assert idx.size == 0 or (idx.min() >= 0 and idx.max() < len(lut))
    return np.asarray(lut)[idx]


def smooth_over(src, mask, sigma, truncate=4.0, min_weight=1e-3):
    """G(src m) / G(m) where G(m) > min_weight, else 0 (at every pixel)."""
    m = (np.asarray(mask) != 0).astype(np.float32)
    num = gaussian_blur(np.asarray(src, np.float32) * m, sigma, truncate)
    den = gaussian_blur(m, sigma, truncate)
    ok = den > np.float32(min_weight)
    out = np.zeros(m.shape, np.float32)
    out[ok] = num[ok] / den[ok]
    return out
