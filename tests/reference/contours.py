"""Pure-Python references for skincore.contours (slow, small inputs only).

- label: breadth-first flood fill started from every unlabelled foreground pixel
  in raster order (so numbering is by first pixel); stats by NumPy reductions.
- trace: Moore-neighbour boundary following written in terms of the "backtrack"
  pixel, over the pixels of one component only.
- simplify: the textbook recursive Douglas-Peucker with the same distance rule.
- polygon_outlines: the reference fill on each polygon's box, then find_contours
  and simplify, the first longest contour kept.
"""

from __future__ import annotations

from collections import deque

import numpy as np

N8 = [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
N4 = [(0, -1), (-1, 0), (1, 0), (0, 1)]


def label(mask: np.ndarray, connectivity: int = 8) -> tuple[np.ndarray, dict]:
    m = np.asarray(mask) != 0
    h, w = m.shape
    out = np.zeros((h, w), np.int32)
    nbrs = N8 if connectivity == 8 else N4
    n = 0
    for y in range(h):
        for x in range(w):
            if not m[y, x] or out[y, x]:
                continue
            n += 1
            out[y, x] = n
            q = deque([(x, y)])
            while q:
                cx, cy = q.popleft()
                for dx, dy in nbrs:
                    nx, ny = cx + dx, cy + dy
                    if 0 <= nx < w and 0 <= ny < h and m[ny, nx] and not out[ny, nx]:
                        out[ny, nx] = n
                        q.append((nx, ny))
    return out, stats(out, n)


def stats(labels: np.ndarray, n: int) -> dict:
    area = np.zeros(n, np.int64)
    bbox = np.zeros((n, 4), np.int32)
    centroid = np.zeros((n, 2), np.float64)
    for k in range(1, n + 1):
        ys, xs = np.nonzero(labels == k)
        area[k - 1] = xs.size
        bbox[k - 1] = (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
        centroid[k - 1] = (int(xs.sum()) / xs.size, int(ys.sum()) / xs.size)
    return {"area": area, "bbox": bbox, "centroid": centroid}


# Moore neighbourhood, clockwise on screen (y down) starting west.
_CW8 = [(-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1)]
_CW4 = [(-1, 0), (0, -1), (1, 0), (0, 1)]


def trace(comp: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """Outer boundary of the single component `comp` (bool), as (x, y) points.

    Starts at the raster-first pixel, walks counter-clockwise on screen: at each
    pixel, look at its neighbours counter-clockwise starting just after the pixel
    we came from (the backtrack), and move to the first one inside. Stops when
    about to leave the start pixel the same way as the first time.
    """
    h, w = comp.shape
    ys, xs = np.nonzero(comp)
    if xs.size == 0:
        return np.zeros((0, 2), np.int32)
    start = (int(xs[0]), int(ys[0]))
    ring = _CW8 if connectivity == 8 else _CW4
    ring_ccw = ring[::-1]

    def inside(p):
        return 0 <= p[0] < w and 0 <= p[1] < h and bool(comp[p[1], p[0]])

    def around(p, back):
        """Neighbours of p counter-clockwise, starting after offset `back`."""
        i = ring_ccw.index(back)
        return [ring_ccw[(i + k) % len(ring)] for k in range(1, len(ring) + 1)]

    # The first step is decided as if we had arrived from the first inside
    # neighbour found clockwise from the west (which is outside).
    first = None
    for d in ring[1:]:
        if inside((start[0] + d[0], start[1] + d[1])):
            first = d
            break
    if first is None:
        return np.array([start], np.int32)
    first_pixel = (start[0] + first[0], start[1] + first[1])
    pts = []
    cur, back = start, first
    while True:
        for d in around(cur, back):
            nxt = (cur[0] + d[0], cur[1] + d[1])
            if inside(nxt):
                break
        pts.append(cur)
        if nxt == start and cur == first_pixel:
            break
        back = (-d[0], -d[1])
        cur = nxt
    return np.array(pts, np.int32)


def find_contours(mask: np.ndarray, connectivity: int = 8) -> list[np.ndarray]:
    labels, st = label(mask, connectivity)
    return [trace(labels == k, connectivity) for k in range(1, len(st["area"]) + 1)]


def boundary_pixels(comp: np.ndarray) -> set[tuple[int, int]]:
    """Pixels of `comp` with a 4-neighbour outside it (the image outside counts)."""
    p = np.pad(comp, 1)
    inner = p[1:-1, 1:-1]
    interior = inner & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
    ys, xs = np.nonzero(inner & ~interior)
    return set(zip(xs.tolist(), ys.tolist(), strict=True))


def _scaled_dist2(p, a, b) -> tuple[float, float]:
    """(squared distance from p to segment a-b) * L, and L = |b - a|^2 (1 if a == b).

    Written division-free like the kernel: cross^2 when the projection falls
    inside the segment, L * |p - end|^2 past an end.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    len2 = dx * dx + dy * dy
    scale = len2 if len2 > 0.0 else 1.0
    ex, ey = p[0] - a[0], p[1] - a[1]
    dot = ex * dx + ey * dy
    if dot <= 0.0:
        return (ex * ex + ey * ey) * scale, scale
    if dot >= len2:
        fx, fy = p[0] - b[0], p[1] - b[1]
        return (fx * fx + fy * fy) * scale, scale
    cr = ex * dy - ey * dx
    return cr * cr, scale


def simplify(polyline: np.ndarray, epsilon: float, closed: bool = True) -> np.ndarray:
    pts = np.asarray(polyline)
    xy = [(float(x), float(y)) for x, y in pts]
    idx: list[int] = []
    for i, p in enumerate(xy):
        if idx and xy[idx[-1]] == p:
            continue
        idx.append(i)
    if closed:
        while len(idx) > 1 and xy[idx[-1]] == xy[idx[0]]:
            idx.pop()
    m = len(idx)
    if m <= 2:
        return pts[idx]
    eps2 = float(epsilon) ** 2

    def P(k):
        return xy[idx[k % m]]

    keep = {0}

    def rec(a, b):
        if b - a < 2:
            return
        vs = [_scaled_dist2(P(k), P(a), P(b)) for k in range(a + 1, b)]
        d = [v for v, _ in vs]
        j = int(np.argmax(d))  # first maximum
        if d[j] >= eps2 * vs[j][1]:
            keep.add(a + 1 + j)
            rec(a, a + 1 + j)
            rec(a + 1 + j, b)

    if closed:
        d0 = [
            (P(k)[0] - P(0)[0]) * (P(k)[0] - P(0)[0]) + (P(k)[1] - P(0)[1]) * (P(k)[1] - P(0)[1])
            for k in range(1, m)
        ]
        f = 1 + int(np.argmax(d0))
        if d0[f - 1] >= eps2:
            keep.add(f)
            rec(0, f)
            rec(f, m)
    else:
        keep.add(m - 1)
        rec(0, m - 1)
    return pts[[idx[k] for k in sorted(keep)]]


def polygon_outlines(polygons, epsilon: float, rule: str = "evenodd") -> list[np.ndarray]:
    """Each polygon filled on its own box, its first longest simplified contour."""
    from reference import geometry as ref_geometry

    out = []
    for p in polygons:
        p = np.asarray(p, np.float64).reshape(-1, 2)
        if len(p) < 3:
            out.append(np.zeros((0, 2), np.int64))
            continue
        x0, y0 = int(np.floor(p[:, 0].min())) - 1, int(np.floor(p[:, 1].min())) - 1
        x1, y1 = int(np.ceil(p[:, 0].max())) + 2, int(np.ceil(p[:, 1].max())) + 2
        fill = ref_geometry.fill_polygons([p - (x0, y0)], (y1 - y0, x1 - x0), rule=rule)
        conts = [simplify(c, epsilon) for c in find_contours(fill, 8)]
        if not conts:
            out.append(np.zeros((0, 2), np.int64))
            continue
        best = max(conts, key=len)
        out.append(np.asarray(best, np.int64).reshape(-1, 2) + (x0, y0))
    return out
