"""Benchmark skincore.contours against OpenCV, SciPy and scikit-image.

Masks: thresholded blurred noise (a few thousand blobs) plus a big face-like
ellipse, at 1080x1080 and 4096x4096. Cases:

- label: skincore.contours.label vs cv2.connectedComponentsWithStats (8-conn,
  cv2.setNumThreads(n)) and scipy.ndimage.label (single-threaded, no stats).
- polygons: skincore.contours.polygons(epsilon=1) vs
  cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_NONE) + cv2.approxPolyDP(1, closed)
  and vs skimage.measure.find_contours + approximate_polygon(1).
- polygon_outlines: 40 ribbon polygons (a wrinkle line's footprint: 20-60
  points, 1-3 px half width), each filled on its own box and outlined, in one
  call vs cv2.fillPoly + findContours + approxPolyDP(0.7) per polygon.

Run: PYTHONPATH=python python benchmarks/bench_contours.py [--quick]
Medians of repeated runs; ratio = peer / skincore (> 1: skincore faster).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import scipy.ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import contours as C  # noqa: E402


def make_mask(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.standard_normal((n // 2, n // 2)).astype(np.float32)
    small = cv2.GaussianBlur(small, (0, 0), 1.2)
    noise = cv2.resize(small, (n, n), interpolation=cv2.INTER_LINEAR)
    mask = (noise > 0.55 * noise.std()).astype(np.uint8)
    yy, xx = np.ogrid[:n, :n]
    face = ((xx - n / 2) / (0.33 * n)) ** 2 + ((yy - n / 2) / (0.45 * n)) ** 2 <= 1
    ring = face & (((xx - n / 2) / (0.30 * n)) ** 2 + ((yy - n / 2) / (0.42 * n)) ** 2 > 1)
    mask[ring] = 1  # a big face outline touching many blobs
    mask[: n // 10] = 0
    return mask


def cv_polygons(mask: np.ndarray, eps: float) -> list[np.ndarray]:
    cs, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return [cv2.approxPolyDP(c, eps, True) for c in cs]


def sk_polygons(mask: np.ndarray, eps: float) -> list[np.ndarray]:
    from skimage.measure import approximate_polygon, find_contours

    return [approximate_polygon(c, eps) for c in find_contours(mask, 0.5)]


def bench_size(n: int, repeat: int, rows_label: list[Row], rows_poly: list[Row]) -> None:
    mask = make_mask(n)
    _, st = C.label(mask)
    ncv, _, _, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    assert ncv - 1 == len(st), (ncv, len(st))
    info = f"{n}x{n} ({len(st)} comps)"
    print(f"mask {info}, {mask.mean() * 100:.1f}% foreground", flush=True)
    ours_t1 = 0.0
    for t in (1, 2):
        cv2.setNumThreads(t)
        ours = median_ms(lambda t=t: C.label(mask, threads=t), repeat=repeat)
        peer = median_ms(
            lambda: cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S),
            repeat=repeat,
        )
        ours_t1 = ours_t1 or ours
        rows_label.append(Row(f"label {info} t={t}", ours, "cv2.cCWithStats", peer))
    sp = median_ms(lambda: ndi.label(mask, structure=np.ones((3, 3))), repeat=repeat)
    rows_label.append(Row(f"label {info} t=1", ours_t1, "scipy.ndimage.label", sp))

    # RETR_EXTERNAL skips components lying inside a hole of another one; skincore
    # returns every component, so it may return more polygons (more work).
    n_ours, n_cv = len(C.polygons(mask, epsilon=1.0)), len(cv_polygons(mask, 1.0))
    print(f"  polygons: skincore {n_ours}, cv2 RETR_EXTERNAL {n_cv}", flush=True)
    assert n_ours >= n_cv
    ours_t1 = 0.0
    for t in (1, 2):
        cv2.setNumThreads(t)
        ours = median_ms(lambda t=t: C.polygons(mask, epsilon=1.0, threads=t), repeat=repeat)
        peer = median_ms(lambda: cv_polygons(mask, 1.0), repeat=repeat)
        ours_t1 = ours_t1 or ours
        rows_poly.append(Row(f"polygons {info} t={t}", ours, "cv2.findContours+approxPD", peer))
    # scikit-image is ~200x slower: few runs (about 20 s each at 4096).
    reps = 3 if n <= 1080 else 1
    sk = median_ms(lambda: sk_polygons(mask, 1.0), repeat=reps, warmup=1 if n <= 1080 else 0)
    rows_poly.append(Row(f"polygons {info} t=1", ours_t1, "skimage find+approx", sk))
    cv2.setNumThreads(0)


def ribbons(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(20, 60))
        t = np.linspace(0.0, 1.0, k)
        c = np.stack([rng.uniform(0, 400) + 60 * t, rng.uniform(0, 300) + 6 * np.sin(5 * t)], 1)
        hw = rng.uniform(1.0, 3.0)
        out.append(np.concatenate([c + (0, hw), c[::-1] - (0, hw)]))
    return out


def cv_outlines(polys: list[np.ndarray], eps: float) -> list[np.ndarray]:
    out = []
    for p in polys:
        x0, y0 = int(np.floor(p[:, 0].min())) - 1, int(np.floor(p[:, 1].min())) - 1
        x1, y1 = int(np.ceil(p[:, 0].max())) + 2, int(np.ceil(p[:, 1].max())) + 2
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(m, [np.rint(p - (x0, y0)).astype(np.int32)], 255)
        cs, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        best = max(cs, key=len) if cs else np.zeros((0, 1, 2), np.int32)
        out.append(cv2.approxPolyDP(best, eps, True).reshape(-1, 2) + (x0, y0))
    return out


def bench_outlines(repeat: int) -> list[Row]:
    polys = ribbons(40)
    rows = []
    cv2.setNumThreads(1)
    peer = median_ms(lambda: cv_outlines(polys, 0.7), repeat=repeat)
    for t in (1, 2):
        ours = median_ms(
            lambda t=t: C.polygon_outlines(polys, epsilon=0.7, rule="nonzero", threads=t),
            repeat=repeat,
        )
        rows.append(Row(f"polygon_outlines 40 ribbons t={t}", ours, "cv2 fill+find+approx", peer))
    cv2.setNumThreads(0)
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [1080] if quick else [1080, 4096]
    repeat = 5 if quick else 11
    rows_label: list[Row] = []
    rows_poly: list[Row] = []
    for n in sizes:
        bench_size(n, repeat, rows_label, rows_poly)
    print_table("contours.label (8-connectivity, with stats)", rows_label)
    print_table("contours.polygons (epsilon=1.0)", rows_poly)
    print_table("contours.polygon_outlines (epsilon=0.7)", bench_outlines(repeat * 5))


if __name__ == "__main__":
    main()
