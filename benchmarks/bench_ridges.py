"""Benchmark skincore.ridges against OpenCV- and scikit-image-based Frangi filters.

Peers doing the same job on the same float32 image, sigmas (1, 2, 3):
* ``cv2 Hessian``: per sigma cv2.GaussianBlur then cv2.Sobel second derivatives
  (dxx, dyy, dxy, ksize 3), eigenvalues and Frangi vesselness in NumPy, max over
  scales (the fastest composed peer; cv2.setNumThreads(n)).
* ``skimage frangi``: skimage.filters.frangi (single-threaded), once per size.
``trace`` is timed on the response of an image with planted lines (no peer).

Usage: ``PYTHONPATH=python python benchmarks/bench_ridges.py [--quick] [--no-skimage-4k]``.
Medians; the machine may be shared, so absolute numbers are noisy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import ridges  # noqa: E402

SIGMAS = (1.0, 2.0, 3.0)


def test_image(n: int, seed: int = 0) -> np.ndarray:
    """Smooth texture plus dark lines, float32 in [0, 1]."""
    rng = np.random.default_rng(seed)
    img = cv2.GaussianBlur(rng.random((n, n), dtype=np.float32), (0, 0), 1.5) * 0.2 + 0.5
    for _ in range(n // 20):
        p = rng.integers(0, n, 4)
        cv2.line(img, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), 0.4, int(rng.integers(1, 4)))
    return np.ascontiguousarray(img, dtype=np.float32)


def frangi_cv2(img: np.ndarray, sigmas=SIGMAS, beta: float = 0.5) -> np.ndarray:
    """Frangi vesselness from an OpenCV-built Hessian (black ridges, gamma auto)."""
    out = np.zeros_like(img)
    gamma = None
    for s in sigmas:
        b = cv2.GaussianBlur(img, (0, 0), s, borderType=cv2.BORDER_REFLECT_101)
        dxx = cv2.Sobel(b, cv2.CV_32F, 2, 0, ksize=3) * (s * s / 4)
        dyy = cv2.Sobel(b, cv2.CV_32F, 0, 2, ksize=3) * (s * s / 4)
        dxy = cv2.Sobel(b, cv2.CV_32F, 1, 1, ksize=3) * (s * s / 16)
        tr = (dxx + dyy) * 0.5
        hs = np.sqrt(dxy * dxy + ((dxx - dyy) * 0.5) ** 2)
        la, lb = tr + hs, tr - hs
        swap = np.abs(lb) < np.abs(la)
        l1 = np.where(swap, lb, la)
        l2 = np.where(swap, la, lb)
        ss = l1 * l1 + l2 * l2
        if gamma is None:
            gamma = max(float(np.sqrt(ss.max())) / 2, 1e-12)
        rb = np.abs(l1) / np.maximum(l2, 1e-10)
        v = np.exp(-(rb * rb) / (2 * beta * beta)) * (1 - np.exp(-ss / (2 * gamma * gamma)))
        v[l2 <= 0] = 0
        np.maximum(out, v, out=out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1080 only")
    ap.add_argument("--no-skimage-4k", action="store_true")
    args = ap.parse_args()
    from skimage.filters import frangi as sk_frangi

    sizes = [1080] if args.quick else [1080, 4096]
    rows: list[Row] = []
    trace_rows: list[str] = []
    for n in sizes:
        img = test_image(n)
        rep = 7 if n <= 1080 else 3
        sk_ms = None
        if n <= 1080 or not args.no_skimage_4k:
            t0 = time.perf_counter()
            sk_frangi(img, sigmas=SIGMAS, black_ridges=True, mode="mirror")
            sk_ms = (time.perf_counter() - t0) * 1e3
        for th in (1, 2):
            cv2.setNumThreads(th)
            ours = median_ms(lambda: ridges.frangi(img, SIGMAS, threads=th), repeat=rep, warmup=1)  # noqa: B023
            peer = median_ms(lambda: frangi_cv2(img), repeat=rep, warmup=1)  # noqa: B023
            rows.append(
                Row(f"frangi {n}x{n} sigmas 1,2,3 threads={th}", ours, "cv2 Hessian + NumPy", peer)
            )
            if sk_ms is not None:
                rows.append(
                    Row(
                        f"frangi {n}x{n} sigmas 1,2,3 threads={th}",
                        ours,
                        "skimage frangi (1 run)",
                        sk_ms,
                    )
                )
        fr = ridges.frangi(img, SIGMAS, gamma=0.01, edge_beta=0.3)
        for th in (1, 2):
            ms = median_ms(
                lambda: ridges.trace(fr.response, low=0.3, high=0.7, scale=fr.strength_scale,  # noqa: B023
                                     orientation=fr.orientation, min_length=25, threads=th),  # noqa: B023
                repeat=rep, warmup=1,
            )  # fmt: skip
            k = len(ridges.trace(fr.response, low=0.3, high=0.7, min_length=25))
            trace_rows.append(f"trace {n}x{n} threads={th}: {ms:.1f} ms ({k} ridges)")
    cv2.setNumThreads(-1)
    print_table("ridges.frangi vs peers (ratio = peer / skincore)", rows)
    print()
    for line in trace_rows:
        print(line)


if __name__ == "__main__":
    main()
