"""Pure-NumPy references for the geometry kernels (blur, resize, polygon fill).

Slow and simple on purpose: each follows the definition in
``cpp/include/skincore/geometry.hpp`` directly.
"""

from __future__ import annotations

import math

import numpy as np


def reflect101(i: np.ndarray, n: int) -> np.ndarray:
    """Indices under reflect-101 borders (edge sample not repeated)."""
    i = np.asarray(i, dtype=np.int64)
    if n == 1:
        return np.zeros_like(i)
    period = 2 * (n - 1)
    i = np.mod(i, period)
    return np.where(i < n, i, period - i)


def gaussian_kernel(sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Taps w[0..r] (float32) of the normalised Gaussian, r = int(truncate*sigma + 0.5)."""
    r = int(math.floor(truncate * sigma + 0.5))
    k = np.arange(-r, r + 1, dtype=np.float64)
    w = np.exp(-0.5 * k * k / (sigma * sigma))
    s = 0.0
    for v in w:  # sequential sum, as the kernel does
        s += v
    return (w / s).astype(np.float32)[r:]


def _conv_axis0(img: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = img.shape[0]
    idx = np.arange(n)
    out = w[0] * img
    for k in range(1, len(w)):
        out = out + w[k] * (img[reflect101(idx - k, n)] + img[reflect101(idx + k, n)])
    return out


def gaussian_blur(img: np.ndarray, sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Vertical then horizontal pass, float32, same operation order as the kernel."""
    img = np.asarray(img, dtype=np.float32)
    if img.size == 0:
        return img.copy()
    w = gaussian_kernel(sigma, truncate)
    v = _conv_axis0(img, w)
    return _conv_axis0(v.T, w).T.astype(np.float32)


def resize_weights(n_in: int, n_out: int, method: str) -> tuple[np.ndarray, int]:
    """Integer weight matrix (n_out, n_in) whose rows all sum to the returned denominator.

    Built from fractions directly (not from the kernel's gcd-reduced form).
    """
    m = np.zeros((n_out, n_in), dtype=np.int64)
    if method == "area":
        # in units of 1/n_out: footprint [o*n_in, (o+1)*n_in), pixel [s*n_out, (s+1)*n_out)
        for o in range(n_out):
            f0, f1 = o * n_in, (o + 1) * n_in
            for s in range(n_in):
                ov = min(f1, (s + 1) * n_out) - max(f0, s * n_out)
                if ov > 0:
                    m[o, s] = ov
        return m, n_in
    d = 2 * n_out  # positions in units of 1/(2*n_out)
    for o in range(n_out):
        pos = (2 * o + 1) * n_in - n_out
        pos = min(max(pos, 0), (n_in - 1) * d)
        s0, rem = divmod(pos, d)
        m[o, s0] += d - rem
        if rem:
            m[o, s0 + 1] += rem
    return m, d


def resize(img: np.ndarray, size: tuple[int, int], method: str = "area") -> np.ndarray:
    """Exact reference: integer weights, exact integer sums for uint8, float64 for float32."""
    w_out, h_out = size
    h_in, w_in = img.shape[:2]
    my, dy = resize_weights(h_in, h_out, method)
    mx, dx = resize_weights(w_in, w_out, method)
    chans = img.reshape(h_in, w_in, -1)
    res = []
    for c in range(chans.shape[2]):
        if img.dtype == np.uint8:
            s = my @ chans[:, :, c].astype(np.int64) @ mx.T  # exact (< 2**63 for test sizes)
            d = dy * dx
            res.append(((2 * s + d) // (2 * d)).astype(np.uint8))
        else:
            s = my.astype(np.float64) @ chans[:, :, c].astype(np.float64) @ mx.T.astype(np.float64)
            res.append((s / (dy * dx)).astype(np.float32))
    out = np.stack(res, axis=2)
    return out.reshape((h_out, w_out) + img.shape[2:])


def fill_polygons(polygons, shape, rule: str = "evenodd", value: int = 255) -> np.ndarray:
    """Crossing test on every pixel centre (x=j, y=i), exactly as documented."""
    h, w = shape
    cross = np.zeros((h, w), dtype=np.int64)
    py = np.arange(h, dtype=np.float64)[:, None]
    px = np.arange(w, dtype=np.float64)[None, :]
    for poly in polygons:
        p = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
        n = len(p)
        if n < 3:
            continue
        for i in range(n):
            x0, y0 = p[i]
            x1, y1 = p[(i + 1) % n]
            if y0 == y1:
                continue
            d = 1
            if y0 > y1:
                x0, y0, x1, y1, d = x1, y1, x0, y0, -1
            with np.errstate(all="ignore"):
                xc = x0 + (py - y0) * (x1 - x0) / (y1 - y0)  # (h, 1), same order as the kernel
            hit = (py >= y0) & (py < y1) & (xc <= px)
            cross += np.where(hit, 1 if rule == "evenodd" else d, 0)
    inside = (cross % 2 == 1) if rule == "evenodd" else (cross != 0)
    return np.where(inside, np.uint8(value), np.uint8(0)).astype(np.uint8)


def tile_median(
    src: np.ndarray,
    mask: np.ndarray,
    tile: int,
    step: int = 1,
    below: float | None = None,
    negate: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Upper median (``np.sort(v)[n // 2]``) and count of the masked non-NaN values per tile.

    ``step``: only rows and columns that are multiples of it; ``below``: only values
    under it; ``negate``: the median of ``-src``.
    """
    h, w = src.shape
    th, tw = -(-h // tile), -(-w // tile)
    med = np.full((th, tw), np.nan, np.float32)
    cnt = np.zeros((th, tw), np.int32)
    on = np.zeros((h, w), bool)
    on[::step, ::step] = True
    for i in range(th):
        for j in range(tw):
            v = src[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile]
            m = mask[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile] != 0
            m &= on[i * tile : (i + 1) * tile, j * tile : (j + 1) * tile]
            if below is not None:
                m &= v < below
            v = np.negative(v) if negate else v
            v = np.sort(v[m & ~np.isnan(v)])
            cnt[i, j] = len(v)
            if len(v):
                med[i, j] = v[len(v) // 2]
    return med, cnt


def sample_separable(src: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Separable bilinear samples, rows first, float32, 0 beyond half a pixel outside."""
    mm = np.asarray(src, np.float32)
    h, w = mm.shape
    yin = (ys >= -0.5) & (ys <= h - 0.5)
    xin = (xs >= -0.5) & (xs <= w - 0.5)
    y = np.clip(ys, 0, h - 1)
    y0 = np.minimum(np.floor(y).astype(np.intp), max(h - 2, 0))
    y1 = np.minimum(y0 + 1, h - 1)
    fy = (y - y0).astype(np.float32)[:, None]
    tmp = mm[y0] * (1 - fy) + mm[y1] * fy
    x = np.clip(xs, 0, w - 1)
    x0 = np.minimum(np.floor(x).astype(np.intp), max(w - 2, 0))
    x1 = np.minimum(x0 + 1, w - 1)
    fx = (x - x0).astype(np.float32)[None, :]
    out = tmp[:, x0] * (1 - fx) + tmp[:, x1] * fx
    out *= (yin[:, None] & xin[None, :]).astype(np.float32)
    return out


def max_filter(img: np.ndarray, radius: int) -> np.ndarray:
    """Square (2 radius + 1) max filter, outside the image = -inf, NaN propagates."""
    h, w = img.shape
    pad = np.full((h + 2 * radius, w + 2 * radius), -np.inf, np.float32)
    pad[radius : radius + h, radius : radius + w] = img
    out = np.full((h, w), -np.inf, np.float32)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out = np.maximum(out, pad[dy : dy + h, dx : dx + w])
    return out


def warp_affine(src: np.ndarray, coeffs, size: tuple[int, int]) -> np.ndarray:
    """Pillow's bilinear affine transform of a uint8 (h, w[, c]) image, uint8 out.

    Follows the definition in ``geometry.hpp`` (Pillow's ``affine_transform`` and
    ``bilinear_filter*``) with float64 arrays, one operation at a time.
    """
    a = [float(v) for v in coeffs]
    width, height = size
    img = src if src.ndim == 3 else src[:, :, None]
    h, w, ch = img.shape
    xc = np.arange(width, dtype=np.float64)[None, :] + 0.5
    yc = np.arange(height, dtype=np.float64)[:, None] + 0.5
    with np.errstate(invalid="ignore", over="ignore"):
        xin = a[0] * xc + a[1] * yc + a[2]
        yin = a[3] * xc + a[4] * yc + a[5]
        inside = (xin >= 0.0) & (xin < w) & (yin >= 0.0) & (yin < h)
    out = np.zeros((height, width, ch), np.uint8)
    if not inside.any():
        return out if src.ndim == 3 else out[:, :, 0]
    xs, ys = xin[inside] - 0.5, yin[inside] - 0.5
    x = np.floor(xs).astype(np.int64)
    y = np.floor(ys).astype(np.int64)
    dx, dy = (xs - x)[:, None], (ys - y)[:, None]
    x0, x1 = np.clip(x, 0, w - 1), np.clip(x + 1, 0, w - 1)
    yy0 = np.clip(y, 0, h - 1)
    has1 = (y + 1 >= 0) & (y + 1 < h)
    yy1 = np.where(has1, y + 1, yy0)
    f = img.astype(np.int64)

    def lerp_row(r):
        p0, p1 = f[r, x0], f[r, x1]
        return p0.astype(np.float64) + (p1 - p0).astype(np.float64) * dx

    v1 = lerp_row(yy0)
    v2 = np.where(has1[:, None], lerp_row(yy1), v1)
    v = v1 + (v2 - v1) * dy
    out[inside] = v.astype(np.int64).astype(np.uint8)
    return out if src.ndim == 3 else out[:, :, 0]


def middle_values(values: np.ndarray) -> tuple[float, float]:
    """Ranks ``(n - 1) // 2`` and ``n // 2`` of the sorted values (NaN, NaN: empty or a NaN)."""
    v = np.sort(np.asarray(values, np.float32).ravel())
    n = v.size
    if n == 0 or np.isnan(v).any():
        return float("nan"), float("nan")
    return float(v[(n - 1) // 2]), float(v[n // 2])
