"""Pure NumPy/SciPy reference of skincore.maps.enhanced_bw (no shared code)."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage as ndi


def _blur(a, sigma):
    out = np.empty(a.shape, np.float32)
    ndi.gaussian_filter(a.astype(np.float32), sigma, mode="mirror", truncate=4.0, output=out)
    return out


def grey(image):
    if image.dtype == np.float32:
        return image.astype(np.float32)
    if image.ndim == 3:
        f = image.astype(np.float32)
        return (
            np.float32(0.299) * f[..., 0]
            + np.float32(0.587) * f[..., 1]
            + np.float32(0.114) * f[..., 2]
        ) / np.float32(255)
    return image.astype(np.float32) / np.float32(255)


def enhanced_bw(image, left, top, width, height, ratio, sigma=8.0, gain=40.0, eps=0.02):
    h, w = image.shape[:2]
    x0, y0 = math.floor(left), math.floor(top)
    x1 = min(w, math.ceil(left + width) + 1)
    y1 = min(h, math.ceil(top + height) + 1)
    g = grey(image)[y0:y1, x0:x1]
    if ratio < 1:
        g = _blur(g, 0.5 * (1 / ratio - 1))
    rh, rw = g.shape
    ow = max(1, math.floor(width * ratio + 0.5))
    oh = max(1, math.floor(height * ratio + 0.5))
    xs = np.clip(left + np.arange(ow) / ratio - x0, 0, rw - 1)
    ys = np.clip(top + np.arange(oh) / ratio - y0, 0, rh - 1)
    xi = np.clip(np.floor(xs).astype(int), 0, max(0, rw - 2))
    yi = np.clip(np.floor(ys).astype(int), 0, max(0, rh - 2))
    fx = (xs - xi).astype(np.float32)[None, :]
    fy = (ys - yi).astype(np.float32)[:, None]
    xj = np.minimum(xi + 1, rw - 1)
    yj = np.minimum(yi + 1, rh - 1)
    a, b = g[yi][:, xi], g[yi][:, xj]
    c, d = g[yj][:, xi], g[yj][:, xj]
    one = np.float32(1)
    s = (one - fy) * ((one - fx) * a + fx * b) + fy * ((one - fx) * c + fx * d)
    s = s.astype(np.float32)
    hp = s - _blur(s, sigma)
    v = _blur(hp * hp, sigma)
    z = hp / np.sqrt(np.maximum(v, 0) + np.float32(eps * eps))
    return np.clip(
        np.floor(np.float32(128) + np.float32(gain) * z + np.float32(0.5)), 0, 255
    ).astype(np.uint8)
