"""Benchmark skincore.chromophore against a NumPy / OpenCV composition.

Run: ``PYTHONPATH=python python benchmarks/bench_chromophore.py [--sizes 1080] [--threads 1 2]``.
The peer does the same job with the fastest library calls: an 8-bit LUT to
optical density (``cv2.LUT``) and the 2x3 unmixing (``cv2.transform``).
Ratios are peer / skincore (> 1: skincore faster).
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from _timing import Row, median_ms, print_table
from skincore import chromophore as CH


def unmixing() -> np.ndarray:
    mel = np.array(CH.MELANIN_VECTOR)
    hb = np.array(CH.HEMOGLOBIN_VECTOR)
    return np.linalg.inv(np.stack([mel, hb, np.ones(3)], axis=1))[:2].astype(np.float32)


def density_lut() -> np.ndarray:
    c = np.arange(256) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return (-np.log10(np.maximum(lin, lin[1]))).astype(np.float32)


def peer_cv(rgb: np.ndarray, lut: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = lut[rgb]  # cv2.LUT cannot map uint8 to float32; NumPy fancy indexing does
    out = cv2.transform(d, m)
    return out[..., 0], out[..., 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1080])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    lut, m = density_lut(), unmixing()
    rows: list[Row] = []
    for n in args.sizes:
        w = n * 16 // 9
        rgb = np.clip(np.array([205, 150, 125]) + rng.normal(0, 12, (n, w, 3)), 0, 255)
        rgb = rgb.astype(np.uint8)
        mel = np.empty((n, w), np.float32)
        hb = np.empty((n, w), np.float32)
        peer = median_ms(lambda: peer_cv(rgb, lut, m), repeat=args.repeat)
        for t in args.threads:
            ours = median_ms(
                lambda t=t: CH.chromophore_maps(rgb, melanin=mel, hemoglobin=hb, threads=t),
                repeat=args.repeat,
            )
            rows.append(
                Row(f"chromophore {w}x{n} threads={t}", ours, "numpy LUT + cv2.transform", peer)
            )
    print_table("chromophore maps (melanin + haemoglobin)", rows)


if __name__ == "__main__":
    main()
