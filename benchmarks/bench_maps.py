"""Benchmark skincore.maps.enhanced_bw against OpenCV equivalents.

Peers on the same crop and ratio: (a) the same high-pass built from OpenCV
(cvtColor, crop, resize INTER_LINEAR, GaussianBlur for the mean and the local
variance, arithmetic, convertScaleAbs-style rounding); (b) cv2.createCLAHE on the
resized grey crop (a common alternative enhancement, not the same output).
Run: ``PYTHONPATH=python python benchmarks/bench_maps.py``. Medians on a possibly
shared machine; ratio = peer / skincore.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import maps  # noqa: E402


def cv_highpass(rgb, box, ratio, sigma=8.0, gain=40.0, eps=0.02):
    left, top, w, h = box
    crop = rgb[top : top + h, left : left + w]
    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY).astype(np.float32) * (1 / 255)
    if ratio != 1.0:
        if ratio < 1:
            s = 0.5 * (1 / ratio - 1)
            g = cv2.GaussianBlur(g, (0, 0), s, borderType=cv2.BORDER_REFLECT_101)
        g = cv2.resize(g, (round(w * ratio), round(h * ratio)), interpolation=cv2.INTER_LINEAR)
    k = 2 * int(4 * sigma + 0.5) + 1
    hp = g - cv2.GaussianBlur(g, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    v = cv2.GaussianBlur(hp * hp, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    z = hp / np.sqrt(v + eps * eps)
    return cv2.convertScaleAbs(z, alpha=gain, beta=128)  # saturating rounding


def cv_clahe(rgb, box, ratio):
    left, top, w, h = box
    crop = rgb[top : top + h, left : left + w]
    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    if ratio != 1.0:
        g = cv2.resize(g, (round(w * ratio), round(h * ratio)), interpolation=cv2.INTER_AREA)
    return cv2.createCLAHE(clipLimit=4.0, tileGridSize=(8, 8)).apply(g)


def main() -> None:
    from importlib.resources import files

    bgr = cv2.imread(str(files("skincore") / "data" / "sample.jpg"), cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    big = cv2.resize(rgb, (3000, 4000), interpolation=cv2.INTER_CUBIC)  # 12 MP phone photo
    cases = [
        ("1152x1536 box 600x800 r=1.0", rgb, (250, 300, 600, 800), 1.0),
        ("1152x1536 box 600x800 r=0.5", rgb, (250, 300, 600, 800), 0.5),
        ("3000x4000 box 1800x2400 r=1.0", big, (600, 800, 1800, 2400), 1.0),
        ("3000x4000 box 1800x2400 r=0.4", big, (600, 800, 1800, 2400), 0.4),
    ]
    hp_rows: list[Row] = []
    cl_rows: list[Row] = []
    for name, img, box, r in cases:
        for n in (1, 2):
            cv2.setNumThreads(n)
            ours = median_ms(
                lambda img=img, box=box, r=r, n=n: maps.enhanced_bw(img, box, ratio=r, threads=n),
                repeat=5,
                warmup=1,
            )
            peer = median_ms(
                lambda img=img, box=box, r=r: cv_highpass(img, box, r), repeat=5, warmup=1
            )
            clahe = median_ms(
                lambda img=img, box=box, r=r: cv_clahe(img, box, r), repeat=5, warmup=1
            )
            hp_rows.append(Row(f"{name} threads={n}", ours, "cv2 high-pass", peer))
            cl_rows.append(Row(f"{name} threads={n}", ours, "cv2 CLAHE (different output)", clahe))
    cv2.setNumThreads(0)
    print_table("maps.enhanced_bw vs the same high-pass from OpenCV", hp_rows)
    print_table("maps.enhanced_bw vs OpenCV CLAHE", cl_rows)


if __name__ == "__main__":
    main()
