"""Benchmark the roughness and wrinkle kernels against their NumPy / OpenCV compositions.

Cases, on inputs the size of the 1080p sample's 4 px/mm face grid (721x518):

* ``texture_energy`` (roughness: masked band-pass, windowed RMS, structure-tensor
  isotropy; ten Gaussian blurs) against the NumPy composition it replaced, once
  over skincore's own blur (the former roughness code, bit-identical result) and
  once over ``cv2.GaussianBlur`` (the fastest composed peer; BORDER_REFLECT_101,
  the same truncation); with ``window="decimated"`` (roughness' setting: the
  window blurs on a 2x coarser grid) against the exact kernel and against the
  NumPy composition with that window in OpenCV calls (area resize, blur, bilinear).
* ``blur_threshold`` (the wrinkle zone masks' closing and erosion) against the
  same blur/compare sequence with ``cv2.GaussianBlur``.
* ``frangi`` with the zone mask (only the mask's row spans filtered) and the
  tracer's ``low`` as ``response_floor`` against the plain call on the same
  forehead-sized box.
* ``upsample_on`` (the 4 px/mm energy onto the 6 px/mm texture grid, 1081x777)
  against ``geometry.resize`` + ``numpy.copyto`` and ``cv2.resize`` + ``copyto``;
  ``excess_over`` (roughness' rough mask, counts and mean excess) against the
  NumPy composition it replaced; ``excess_levels`` (moisture's shaded map: the
  rough mask less a near-shine veto on a 3x coarser grid) against its NumPy
  composition.

Usage: ``PYTHONPATH=python python benchmarks/bench_texture.py [--repeat 11] [--threads 1 2]``.
Ratios are peer / skincore (> 1: skincore faster); medians of interleaved runs of
one process, so the ratios hold on a shared machine where absolute times do not.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _timing import Row, median_ms, print_table  # noqa: E402
from reference import texture as ref  # noqa: E402
from skincore import geometry, ridges  # noqa: E402
from skincore.texture import (  # noqa: E402
    excess_levels,
    excess_over,
    texture_energy,
    upsample_on,
)

#: The roughness defaults at 4 px/mm (roughness._energy's sigmas).
ENERGY_KW = dict(
    erode_sigma=4.0,
    fine_sigma=1.2,
    coarse_sigma=4.8,
    window_sigma=10.0,
    band_clip=0.03,
    edge_isotropy=0.5,
)
#: The wrinkle zone-mask steps at 4 px/mm (closing 2 px, erosion 2.4 px).
ZONE_STEPS = [(2.0 / 1.28, 0.1), (2.0 / 1.28, 0.9), (2.4 / 1.28, 0.9)]


def face_grid(h: int = 721, w: int = 518, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Skin-like L*/100 texture and an oval face mask with eye holes."""
    rng = np.random.default_rng(seed)
    gray = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)
    gray = 0.7 + 0.02 * gray
    yy, xx = np.mgrid[:h, :w]
    face = ((yy - h / 2) / (0.46 * h)) ** 2 + ((xx - w / 2) / (0.42 * w)) ** 2 < 1
    for cx in (0.32 * w, 0.68 * w):
        face &= ((yy - 0.4 * h) / (0.04 * h)) ** 2 + ((xx - cx) / (0.08 * w)) ** 2 >= 1
    return gray.astype(np.float32), face.astype(np.uint8) * 255


def cv_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    k = 2 * int(4.0 * sigma + 0.5) + 1
    return cv2.GaussianBlur(
        np.ascontiguousarray(img, np.float32), (k, k), sigma, borderType=cv2.BORDER_REFLECT_101
    )


def sk_blur(threads: int) -> Callable[[np.ndarray, float], np.ndarray]:
    return lambda img, s: geometry.gaussian_blur(
        np.ascontiguousarray(img, np.float32), s, threads=threads
    )


def cv_wide_window(values: np.ndarray, m: np.ndarray, sigma: float) -> np.ndarray:
    """The decimated masked window blur composed of OpenCV calls (area, blur, bilinear)."""
    h, w = values.shape
    k = max(1, int(sigma / 4.0))
    size = (-(-w // k), -(-h // k))
    scale = float(np.sqrt((w / size[0]) * (h / size[1])))
    sc = float(np.sqrt(max((sigma / scale) ** 2 - 0.25, 1e-6)))
    num = cv_blur(cv2.resize(values * m, size, interpolation=cv2.INTER_AREA), sc)
    den = cv_blur(cv2.resize(m, size, interpolation=cv2.INTER_AREA), sc)
    small = np.zeros_like(num)
    np.divide(num, den, out=small, where=den > 1e-3)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def np_blur_threshold(mask: np.ndarray, blur: Callable[[np.ndarray, float], np.ndarray]):
    m = mask != 0
    for s, t in ZONE_STEPS:
        m = blur(m.astype(np.float32), s) > t
    return m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    gray, face = face_grid()
    rows: list[Row] = []
    for t in args.threads:
        cv2.setNumThreads(t)
        ours = median_ms(
            lambda: texture_energy(gray, face, threads=t, **ENERGY_KW), repeat=args.repeat
        )
        peer_sk = median_ms(
            lambda: ref.texture_energy(gray, face, blur=sk_blur(t), **ENERGY_KW), repeat=args.repeat
        )
        peer_cv = median_ms(
            lambda: ref.texture_energy(gray, face, blur=cv_blur, **ENERGY_KW), repeat=args.repeat
        )
        case = f"texture_energy 518x721 threads={t}"
        rows.append(Row(case, ours, "numpy + skincore blurs", peer_sk))
        rows.append(Row(case, ours, "numpy + cv2.GaussianBlur", peer_cv))
        dec_kw = dict(ENERGY_KW, window="decimated")
        dec = median_ms(lambda: texture_energy(gray, face, threads=t, **dec_kw), repeat=args.repeat)
        peer_dec = median_ms(
            lambda: ref.texture_energy(
                gray, face, blur=cv_blur, window=cv_wide_window, **ENERGY_KW
            ),
            repeat=args.repeat,
        )
        case = f"texture_energy window=decimated 518x721 threads={t}"
        rows.append(Row(case, dec, "window=exact (same kernel)", ours))
        rows.append(Row(case, dec, "numpy + cv2 (decimated window)", peer_dec))
    print_table("texture energy (roughness)", rows)

    rows = []
    zone = np.ascontiguousarray(face[40:240, 60:460])  # a forehead-sized window
    for t in args.threads:
        cv2.setNumThreads(t)
        ours = median_ms(
            lambda: geometry.blur_threshold(zone, ZONE_STEPS, threads=t), repeat=args.repeat
        )
        peer = median_ms(lambda: np_blur_threshold(zone, cv_blur), repeat=args.repeat)
        rows.append(
            Row(f"blur_threshold 400x200 threads={t}", ours, "numpy + cv2.GaussianBlur", peer)
        )
    print_table("blur-and-threshold morphology (wrinkle zone masks)", rows)

    rows = []
    box = np.ascontiguousarray(gray[20:190, 45:472])  # the forehead box: 427x170
    yy, xx = np.mgrid[:170, :427]
    mask = ((yy - 85) / 73.0) ** 2 + ((xx - 213) / 201.0) ** 2 < 1  # ~70 % of the box
    sig = [1.0, 1.6, 2.4]
    kw = dict(black_ridges=True, gamma=0.02, edge_beta=0.5)
    for t in args.threads:
        ours = median_ms(
            lambda: ridges.frangi(box, sig, mask=mask, response_floor=0.085, threads=t, **kw),
            repeat=args.repeat,
        )
        peer = median_ms(lambda: ridges.frangi(box, sig, threads=t, **kw), repeat=args.repeat)
        rows.append(Row(f"frangi 427x170 masked threads={t}", ours, "frangi unmasked", peer))
    print_table("Frangi on a wrinkle zone box (mask spans)", rows)

    rows = []
    energy = texture_energy(gray, face, **dict(ENERGY_KW, window="decimated"))
    _, fine = face_grid(1081, 777, seed=1)
    fine8 = fine.astype(np.uint8) * 255
    big = upsample_on(energy, fine8)

    def cv_upsample() -> np.ndarray:
        out = cv2.resize(energy, (777, 1081), interpolation=cv2.INTER_LINEAR)
        np.copyto(out, 0.0, where=fine8 == 0)
        return out

    for t in args.threads:
        cv2.setNumThreads(t)
        ours = median_ms(lambda: upsample_on(energy, fine8, threads=t), repeat=args.repeat)
        peer = median_ms(
            lambda: ref.upsample_on(
                energy, fine8, lambda i, s: geometry.resize(i, s, method="bilinear", threads=t)
            ),
            repeat=args.repeat,
        )
        peer_cv = median_ms(cv_upsample, repeat=args.repeat)
        case = f"upsample_on 518x721->777x1081 threads={t}"
        rows.append(Row(case, ours, "geometry.resize + copyto", peer))
        rows.append(Row(case, ours, "cv2.resize + copyto", peer_cv))
        ours = median_ms(lambda: excess_over(big, fine8, 0.012, threads=t), repeat=args.repeat)
        peer = median_ms(lambda: ref.excess_over(big, fine8, 0.012), repeat=args.repeat)
        rows.append(Row(f"excess_over 777x1081 threads={t}", ours, "numpy composition", peer))
        # a threshold that leaves a fifth of the skin rough (as on a textured face)
        thr = float(np.quantile(big[fine8 > 0], 0.8))
        over = excess_over(big, fine8, thr).over
        veto = np.zeros((360, 259), bool)
        veto[40:120, 60:200] = True  # a shiny patch
        ours = median_ms(
            lambda: excess_levels(big, over, thr, veto=veto, threads=t), repeat=args.repeat
        )
        peer = median_ms(lambda: ref.excess_levels(big, over, thr, veto), repeat=args.repeat)
        rows.append(Row(f"excess_levels 777x1081 threads={t}", ours, "numpy composition", peer))
    print_table("roughness on the texture grid (upsampling, threshold statistics)", rows)


if __name__ == "__main__":
    main()
