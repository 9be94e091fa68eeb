"""Pure-NumPy references for the ridges kernels (skincore.ridges).

They follow the C++ operation order in float32 so that the compiled kernels can be
compared to ~1e-6 (only ``exp``/``atan2`` differ by an ulp or two).
"""

from __future__ import annotations

import math

import numpy as np

# ----------------------------------------------------------------------------- blur


def gaussian_taps(sigma: float, truncate: float = 4.0) -> np.ndarray:
    r = int(math.floor(truncate * sigma + 0.5))
    i = np.arange(-r, r + 1, dtype=np.float64)
    w = np.exp(-0.5 * i * i / (sigma * sigma))
    return (w / w.sum()).astype(np.float32)


def _reflect101(idx: np.ndarray, n: int) -> np.ndarray:
    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1)
    idx = np.mod(idx, period)
    return np.where(idx < n, idx, period - idx)


def gaussian_blur(img: np.ndarray, sigma: float, truncate: float = 4.0) -> np.ndarray:
    """Separable blur, reflect-101 borders, accumulated in float64 (the exact answer
    the float32 kernel approximates), returned as float32."""
    img = np.asarray(img, dtype=np.float64)
    h, w = img.shape
    taps = gaussian_taps(sigma, truncate).astype(np.float64)
    r = len(taps) // 2
    xs = _reflect101(np.arange(-r, w + r), w)
    pad = img[:, xs]
    tmp = taps[r] * pad[:, r : r + w]
    for k in range(1, r + 1):
        tmp = tmp + taps[r + k] * (pad[:, r - k : r - k + w] + pad[:, r + k : r + k + w])
    out = taps[r] * tmp
    for k in range(1, r + 1):
        a = tmp[_reflect101(np.arange(h) - k, h)]
        b = tmp[_reflect101(np.arange(h) + k, h)]
        out = out + taps[r + k] * (a + b)
    return out.astype(np.float32)


# ----------------------------------------------------------------------------- frangi


def hessian(img: np.ndarray, sigma: float, normalize: bool = True):
    """(dxx, dyy, dxy) of the blurred image by central differences, times sigma^2."""
    b = gaussian_blur(img, sigma)
    h, w = b.shape
    xm = _reflect101(np.arange(w) - 1, w)
    xp = _reflect101(np.arange(w) + 1, w)
    ym = _reflect101(np.arange(h) - 1, h)
    yp = _reflect101(np.arange(h) + 1, h)
    two = np.float32(2.0)
    dxx = (b[:, xm] + b[:, xp]) - two * b
    dyy = (b[ym] + b[yp]) - two * b
    dxy = ((b[yp][:, xp] - b[yp][:, xm]) - (b[ym][:, xp] - b[ym][:, xm])) * np.float32(0.25)
    s2 = np.float32(sigma * sigma if normalize else 1.0)
    return dxx * s2, dyy * s2, dxy * s2


def gradient(img: np.ndarray, sigma: float):
    """Central-difference gradient (gx, gy) of the blurred image."""
    b = gaussian_blur(img, sigma)
    h, w = b.shape
    half = np.float32(0.5)
    gx = (b[:, _reflect101(np.arange(w) + 1, w)] - b[:, _reflect101(np.arange(w) - 1, w)]) * half
    gy = (b[_reflect101(np.arange(h) + 1, h)] - b[_reflect101(np.arange(h) - 1, h)]) * half
    return gx, gy


def _eig(dxx, dyy, dxy):
    half = np.float32(0.5)
    tr = (dxx + dyy) * half
    d = (dxx - dyy) * half
    hs = np.sqrt(dxy * dxy + d * d)
    la = tr + hs
    lb = tr - hs
    b_first = np.abs(lb) < np.abs(la)  # sort by |lambda|, ties keep la first
    l1 = np.where(b_first, lb, la)
    l2 = np.where(b_first, la, lb)
    return l1, l2, b_first


def frangi(
    gray,
    sigmas,
    black_ridges=True,
    alpha=0.5,
    beta=0.5,
    gamma=None,
    mask=None,
    normalize=True,
    edge_beta=None,
):
    """Return (response, scale, orientation, strength) like skincore.ridges.frangi."""
    del alpha  # 2-D: the plate term is exp(-inf) -> the factor is exactly 1
    img = np.asarray(gray, dtype=np.float32)
    h, w = img.shape
    resp = np.zeros((h, w), np.float32)
    scale = np.zeros((h, w), np.float32)
    orient = np.zeros((h, w), np.float32)
    strength = np.zeros((h, w), np.float32)
    sscale = np.zeros((h, w), np.float32)
    inside = np.ones((h, w), bool) if mask is None else np.asarray(mask) != 0
    b2 = np.float32(2.0 * beta * beta)
    g2 = None if gamma is None else np.float32(2.0 * gamma * gamma)
    sign = np.float32(1.0 if black_ridges else -1.0)
    for sigma in sigmas:
        dxx, dyy, dxy = hessian(img, sigma, normalize)
        gx, gy = gradient(img, sigma)
        dxx, dyy, dxy = dxx * sign, dyy * sign, dxy * sign
        l1, l2, b_first = _eig(dxx, dyy, dxy)
        ss = l1 * l1 + l2 * l2
        if g2 is None:
            m = np.float32(ss[inside].max()) if inside.any() else np.float32(0)
            gam = np.sqrt(m) * np.float32(0.5)
            if gam == 0:
                gam = np.float32(1.0)
            g2 = np.float32(2.0) * (gam * gam)
        l2c = np.maximum(l2, np.float32(1e-10))
        rb = np.abs(l1) / l2c
        e1 = -(rb * rb) / b2
        # the kernel's exp flushes to 0 below -87 (no denormals)
        with np.errstate(over="ignore", under="ignore"):
            blob = np.where(e1 < -87, np.float32(0), np.exp(np.maximum(e1, np.float32(-87))))
        v = blob * (np.float32(1.0) - np.exp(-ss / g2))
        if edge_beta:
            gsc = np.float32(sigma if normalize else 1.0 / sigma)
            n1x, n1y, n2x, n2y = dxy, l2 - dxx, l2 - dyy, dxy
            q1 = n1x * n1x + n1y * n1y
            q2 = n2x * n2x + n2y * n2y
            first = q1 >= q2
            nx, ny = np.where(first, n1x, n2x), np.where(first, n1y, n2y)
            q = np.where(first, q1, q2)
            gn = gx * nx + gy * ny
            with np.errstate(divide="ignore", invalid="ignore"):
                gp2 = np.where(q > 0, (gn * gn) / q, gx * gx + gy * gy)
                rg2 = (gp2 * (gsc * gsc)) / (l2c * l2c)
            ea = -rg2 / np.float32(2.0 * edge_beta * edge_beta)
            v = v * np.where(ea < -87, np.float32(0), np.exp(np.maximum(ea, np.float32(-87))))
        v = np.where(inside & (l2 > 0), v, np.float32(0)).astype(np.float32)
        # ridge direction: eigenvector of l1 (the small-|lambda| one)
        th_a = np.float32(0.5) * np.arctan2(np.float32(2.0) * dxy, dxx - dyy)
        th = np.where(b_first, th_a + np.float32(math.pi / 2), th_a).astype(np.float32)
        th = np.where(th >= np.float32(math.pi / 2), th - np.float32(math.pi), th)
        th = np.where(th < np.float32(-math.pi / 2), th + np.float32(math.pi), th)
        upd = v > resp
        resp = np.where(upd, v, resp)
        scale = np.where(upd, np.float32(sigma), scale)
        orient = np.where(upd, th, orient)
        l2p = np.where(inside & (l2 > 0), l2, np.float32(0))
        sscale = np.where(l2p > strength, np.float32(sigma), sscale)
        strength = np.maximum(strength, l2p)
    return resp, scale, orient.astype(np.float32), strength, sscale


# ----------------------------------------------------------------------------- hysteresis


def hysteresis(response, low, high, mask=None):
    """Pixels >= low 8-connected to a pixel >= high (and inside mask)."""
    from collections import deque

    r = np.asarray(response, dtype=np.float32)
    h, w = r.shape
    inside = np.ones((h, w), bool) if mask is None else np.asarray(mask) != 0
    weak = (r >= np.float32(low)) & inside
    strong = (r >= np.float32(high)) & inside
    out = np.zeros((h, w), bool)
    q = deque(zip(*np.nonzero(strong), strict=True))
    for y, x in q:
        out[y, x] = True
    while q:
        y, x = q.popleft()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                yy, xx = y + dy, x + dx
                if 0 <= yy < h and 0 <= xx < w and weak[yy, xx] and not out[yy, xx]:
                    out[yy, xx] = True
                    q.append((yy, xx))
    return out


# ----------------------------------------------------------------------------- thinning


def _guo_hall_luts():
    """Deletion tables of Guo & Hall (1989), bit i of the code = neighbour x_{i+1},
    x1 = E, x2 = NE, x3 = N, x4 = NW, x5 = W, x6 = SW, x7 = S, x8 = SE."""
    lut1 = np.zeros(256, bool)
    lut2 = np.zeros(256, bool)
    for code in range(256):
        x = [(code >> i) & 1 for i in range(8)]
        crossing = sum(1 for i in (0, 2, 4, 6) if not x[i] and (x[i + 1] or x[(i + 2) % 8]))
        n1 = sum(1 for k in (1, 3, 5, 7) if x[k] or x[k - 1])
        n2 = sum(1 for k in (1, 3, 5, 7) if x[k] or x[(k + 1) % 8])
        base = crossing == 1 and 2 <= min(n1, n2) <= 3
        lut1[code] = base and not ((x[1] or x[2] or not x[7]) and x[0])
        lut2[code] = base and not ((x[5] or x[6] or not x[3]) and x[4])
    return lut1, lut2


def thin(binary):
    """Guo-Hall parallel thinning to convergence."""
    img = np.asarray(binary, bool).astype(np.uint8)
    h, w = img.shape
    lut1, lut2 = _guo_hall_luts()
    # (dy, dx) of bit i
    offs = [(0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1)]
    changed = True
    while changed:
        changed = False
        for lut in (lut1, lut2):
            p = np.pad(img, 1)
            code = np.zeros((h, w), np.int32)
            for i, (dy, dx) in enumerate(offs):
                code |= p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w].astype(np.int32) << i
            dele = (img == 1) & lut[code]
            if dele.any():
                img[dele] = 0
                changed = True
    return img.astype(bool)
