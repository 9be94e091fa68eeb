"""Pure NumPy/SciPy reference of skincore.blobs (same algorithm, no shared code)."""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import ndimage as ndi


def blur(gray: np.ndarray, sigma: float, truncate: float = 4.0) -> np.ndarray:
    out = np.empty(gray.shape, dtype=np.float32)
    ndi.gaussian_filter(
        np.asarray(gray, np.float32), sigma, mode="mirror", truncate=truncate, output=out
    )
    return out


def dog_layer(gray, sa, sb, polarity="dark", truncate=4.0):
    c = 2.0 * sa * sb / (sb * sb - sa * sa)
    coef = np.float32(c if polarity == "dark" else -c)
    return coef * (blur(gray, sb, truncate) - blur(gray, sa, truncate))


def scale_space(gray, sigmas, truncate=4.0):
    """Blurs ``G(s_k) * gray`` built incrementally and the dark-polarity DoG layers."""
    s = [float(v) for v in sigmas]
    blurs = [blur(gray, s[0], truncate)]
    for a, b in zip(s[:-1], s[1:], strict=True):
        blurs.append(blur(blurs[-1], math.sqrt((b - a) * (b + a)), truncate))
    layers = [
        np.float32(2.0 * a * b / (b * b - a * a)) * (blurs[k + 1] - blurs[k])
        for k, (a, b) in enumerate(zip(s[:-1], s[1:], strict=True))
    ]
    return np.stack(blurs), np.stack(layers)


def disk_overlap(x1, y1, r1, x2, y2, r2):
    """Vectorised over the second disk: fraction of the smaller disk covered."""
    x2, y2, r2 = (np.asarray(v, np.float64) for v in (x2, y2, r2))
    d = np.hypot(x1 - x2, y1 - y2)
    rmin = np.minimum(r1, r2)
    out = np.zeros(d.shape)
    inside = d <= np.abs(r1 - r2)
    lens = (d < r1 + r2) & ~inside
    out[inside] = 1.0
    if np.any(lens):
        dd, rr2 = d[lens], r2[lens]
        c1 = np.clip((dd**2 + r1**2 - rr2**2) / (2 * dd * r1), -1, 1)
        c2 = np.clip((dd**2 + rr2**2 - r1**2) / (2 * dd * rr2), -1, 1)
        k = (-dd + r1 + rr2) * (dd + r1 - rr2) * (dd - r1 + rr2) * (dd + r1 + rr2)
        area = r1**2 * np.arccos(c1) + rr2**2 * np.arccos(c2) - 0.5 * np.sqrt(np.maximum(k, 0))
        out[lens] = np.clip(area / (math.pi * rmin[lens] ** 2), 0, 1)
    return out


def _parabola(a, b, c):
    den = a - 2.0 * b + c
    t = np.zeros(np.shape(b))
    ok = den < 0
    t[ok] = 0.5 * (a[ok] - c[ok]) / den[ok]
    return np.clip(t, -0.5, 0.5)


def detect(
    gray,
    mask=None,
    sigmas=(1.0, 1.6, 2.56),
    polarity="dark",
    threshold=0.01,
    overlap=0.5,
    truncate=4.0,
):
    gray = np.asarray(gray, np.float32)
    h, w = gray.shape
    s = [float(v) for v in sigmas]
    nl = len(s) - 1
    if h == 0 or w == 0:
        return np.zeros((0, 4), np.float32)
    # Incremental scale space, as the kernel: L_{k+1} = G(sqrt(s_{k+1}^2 - s_k^2)) * L_k.
    blurs = [blur(gray, s[0], truncate)]
    for k in range(nl):
        blurs.append(blur(blurs[-1], math.sqrt((s[k + 1] - s[k]) * (s[k + 1] + s[k])), truncate))
    stack = np.empty((nl, h, w), np.float32)
    for i in range(nl):
        c = 2.0 * s[i] * s[i + 1] / (s[i + 1] ** 2 - s[i] ** 2)
        coef = np.float32(c if polarity == "dark" else -c)
        stack[i] = coef * (blurs[i + 1] - blurs[i])
    pad = np.pad(stack, 1, mode="constant", constant_values=-np.inf)
    peak = stack > np.float32(threshold)
    for dl, dy, dx in itertools.product((-1, 0, 1), repeat=3):
        if (dl, dy, dx) == (0, 0, 0):
            continue
        n = pad[1 + dl : 1 + dl + nl, 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
        later = (dl, dy, dx) > (0, 0, 0)
        peak &= (n <= stack) if later else (n < stack)
    if mask is not None:
        peak &= (np.asarray(mask) != 0)[None]
    li, iy, ix = np.nonzero(peak)
    v = stack[li, iy, ix].astype(np.float64)
    # Subpixel / subscale parabolas (no refinement at borders).
    st = stack.astype(np.float64)
    ox = np.zeros(v.shape)
    okx = (ix > 0) & (ix < w - 1)
    ox[okx] = _parabola(
        st[li[okx], iy[okx], ix[okx] - 1], v[okx], st[li[okx], iy[okx], ix[okx] + 1]
    )
    oy = np.zeros(v.shape)
    oky = (iy > 0) & (iy < h - 1)
    oy[oky] = _parabola(
        st[li[oky], iy[oky] - 1, ix[oky]], v[oky], st[li[oky], iy[oky] + 1, ix[oky]]
    )
    pos = li.astype(np.float64)
    if nl >= 3:
        centre = np.clip(li, 1, nl - 2)
        a_ = st[centre - 1, iy, ix]
        b_ = st[centre, iy, ix]
        c_ = st[centre + 1, iy, ix]
        den = a_ - 2.0 * b_ + c_
        ok = den < 0
        t = np.zeros(v.shape)
        t[ok] = 0.5 * (a_[ok] - c_[ok]) / den[ok]
        p = np.clip(np.clip(centre + t, li - 0.5, li + 0.5), 0, nl - 1)
        pos[ok] = p[ok]
    logs = np.array([0.5 * (math.log(s[i]) + math.log(s[i + 1])) for i in range(nl)])
    if nl > 1:
        k = np.minimum(np.floor(pos).astype(int), nl - 2)
        ls = logs[k] + (pos - k) * (logs[k + 1] - logs[k])
    else:
        ls = np.full(v.shape, logs[0])
    x = ix + ox
    y = iy + oy
    r = math.sqrt(2.0) * np.exp(ls)
    order = np.lexsort((li, ix, iy, -stack[li, iy, ix]))
    kx, ky, kr, rows = [], [], [], []
    for j in order:
        if kx and np.any(disk_overlap(x[j], y[j], r[j], kx, ky, kr) > overlap):
            continue
        kx.append(x[j])
        ky.append(y[j])
        kr.append(r[j])
        rows.append((x[j], y[j], r[j], stack[li[j], iy[j], ix[j]]))
    return np.array(rows, np.float32).reshape(-1, 4)
