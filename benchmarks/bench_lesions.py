"""Benchmark skincore.lesions against NumPy / OpenCV / SciPy compositions.

Run: ``PYTHONPATH=python python benchmarks/bench_lesions.py [--size 600] [--threads 1 2]``.
Peers: ``local_contrast`` as four ``cv2.GaussianBlur`` per scale (masked
normalised convolution) plus NumPy divide / max (``local_contrast_maps``: the
same for two maps); ``region_features`` as
``scipy.ndimage`` labelled means / extremes plus a NumPy loop over
``find_objects`` windows for the rings; ``smooth_over`` as whole-image
blurs (skincore's or cv2's) with NumPy products / divisions; ``median3`` as ``cv2.medianBlur`` and
as the NumPy exchange network; ``take`` (a label image through a table, one
channel through a 256-entry table) as ``numpy.take``. Ratios are peer / skincore
(> 1: skincore faster). The size is a face crop at the lesion work scale.
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
from scipy import ndimage

from _timing import Row, median_ms, print_table
from skincore import contours
from skincore import lesions as K

SIGMAS = [1.6, 2.8, 4.8, 8.0]


def peer_contrast(src: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.float32)
    sm = src * m
    best = np.full(src.shape, -np.inf, np.float32)
    for s in SIGMAS:
        ks, kl = int(2 * round(3 * s) + 1), int(2 * round(9 * s) + 1)
        a = cv2.GaussianBlur(sm, (ks, ks), s, borderType=cv2.BORDER_REFLECT_101)
        b = cv2.GaussianBlur(m, (ks, ks), s, borderType=cv2.BORDER_REFLECT_101)
        c = cv2.GaussianBlur(sm, (kl, kl), 3 * s, borderType=cv2.BORDER_REFLECT_101)
        d = cv2.GaussianBlur(m, (kl, kl), 3 * s, borderType=cv2.BORDER_REFLECT_101)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = a / b - c / d
        np.maximum(best, np.where((b >= 0.05) & (d >= 0.05), v, -np.inf), out=best)
    return np.where(mask > 0, best, 0)


def peer_features(labels: np.ndarray, values: np.ndarray, mask: np.ndarray) -> list:
    n = int(labels.max())
    idx = np.arange(1, n + 1)
    out = []
    for q in range(values.shape[2]):
        v = values[..., q]
        out += [
            ndimage.mean(v, labels, idx),
            ndimage.maximum(v, labels, idx),
            ndimage.minimum(v, labels, idx),
        ]
    cent = ndimage.center_of_mass(np.ones_like(labels), labels, idx)
    rings = []
    for k, sl in enumerate(ndimage.find_objects(labels)):
        if sl is None:
            continue
        y0, y1 = max(0, sl[0].start - 8), min(labels.shape[0], sl[0].stop + 8)
        x0, x1 = max(0, sl[1].start - 8), min(labels.shape[1], sl[1].stop + 8)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        r2 = (yy - cent[k][0]) ** 2 + (xx - cent[k][1]) ** 2
        win = labels[y0:y1, x0:x1]
        ring = (win == 0) & (mask[y0:y1, x0:x1] > 0) & (r2 > 9) & (r2 <= 64)
        rings.append(values[y0:y1, x0:x1][ring].mean(axis=0) if ring.any() else np.nan)
    out.append(rings)
    return out


def composed_smooth(maps: list, mask: np.ndarray, sigma: float, cv: bool = False) -> list:
    """G(map m) / G(m) over the whole image (G: skincore's or cv2's Gaussian)."""
    from skincore import geometry

    def blur(v: np.ndarray) -> np.ndarray:
        if cv:
            k = 2 * int(4 * sigma + 0.5) + 1
            return cv2.GaussianBlur(v, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
        return geometry.gaussian_blur(v, sigma)

    m = (mask > 0).astype(np.float32)
    den = blur(m)
    ok = den > 1e-3
    out = []
    for v in maps:
        num = blur(np.multiply(v, m, dtype=np.float32))
        np.divide(num, den, out=num, where=ok)
        num[~ok] = 0.0
        out.append(num)
    return out


_MED9 = (
    (1, 2), (4, 5), (7, 8), (0, 1), (3, 4), (6, 7), (1, 2), (4, 5), (7, 8), (0, 3),
    (5, 8), (4, 7), (3, 6), (1, 4), (2, 5), (4, 7), (4, 2), (6, 4), (4, 2),
)  # fmt: skip


def numpy_median3(img: np.ndarray) -> np.ndarray:
    """The 3x3 median as NumPy min/max over nine shifted copies (19 exchanges)."""
    h, w = img.shape[:2]
    pad = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    v = [pad[dy : dy + h, dx : dx + w].copy() for dy in range(3) for dx in range(3)]
    for i, j in _MED9:
        lo = np.minimum(v[i], v[j])
        np.maximum(v[i], v[j], out=v[j])
        v[i] = lo
    return v[4]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=600)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.size
    yy, xx = np.mgrid[0:n, 0:n]
    src = rng.normal(0, 0.02, (n, n)).astype(np.float32)
    for _ in range(150):
        cy, cx, r = rng.uniform(0, n), rng.uniform(0, n), rng.uniform(2, 8)
        src += (0.2 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))).astype(np.float32)
    mask = (((yy - n / 2) / (0.45 * n)) ** 2 + ((xx - n / 2) / (0.38 * n)) ** 2) <= 1
    mask = mask.astype(np.uint8)
    contrast, _ = K.local_contrast(src, mask, SIGMAS)
    labels, _ = contours.label((contrast > 0.05).astype(np.uint8))
    values = np.dstack([src, -src, 2 * src, src + 1, src * 3]).astype(np.float32)
    rows: list[Row] = []
    peer = median_ms(lambda: peer_contrast(src, mask), repeat=args.repeat)
    for t in args.threads:
        ours = median_ms(
            lambda t=t: K.local_contrast(src, mask, SIGMAS, threads=t), repeat=args.repeat
        )
        rows.append(
            Row(f"local_contrast {n}x{n} 4 scales t={t}", ours, "cv2.GaussianBlur x16", peer)
        )
    # Two maps over one mask (haemoglobin and melanin in detect_lesions): the
    # peer is the cv2 composition twice (its mask blurs shared too).
    src2 = np.ascontiguousarray(src[::-1])
    peer = median_ms(
        lambda: (peer_contrast(src, mask), peer_contrast(src2, mask)), repeat=args.repeat
    )
    for t in args.threads:
        ours = median_ms(
            lambda t=t: K.local_contrast_maps([src, src2], mask, SIGMAS, threads=t),
            repeat=args.repeat,
        )
        rows.append(
            Row(f"local_contrast_maps 2 maps {n}x{n} t={t}", ours, "cv2.GaussianBlur x32", peer)
        )
    peer = median_ms(lambda: peer_features(labels, values, mask), repeat=args.repeat)
    for t in args.threads:
        ours = median_ms(
            lambda t=t: K.region_features(labels, values, mask, threads=t), repeat=args.repeat
        )
        rows.append(
            Row(
                f"region_features {int(labels.max())} regions, 5 ch t={t}",
                ours,
                "scipy.ndimage + numpy rings",
                peer,
            )
        )
    # detect_lesions' form: L*, a*, b* read in place from an interleaved Lab image
    # and four separate maps, against stacking the seven channels first (the
    # fastest NumPy way to the interleaved input).
    lab = np.ascontiguousarray(np.dstack([values[..., 0], values[..., 1], values[..., 2]]))
    maps4 = [np.ascontiguousarray(values[..., q % values.shape[2]]) for q in range(4)]
    planes = [lab[..., 0], lab[..., 1], lab[..., 2], *maps4]
    for t in args.threads:
        peer = median_ms(
            lambda t=t: K.region_features(labels, np.dstack([lab, *maps4]), mask, threads=t),
            repeat=args.repeat,
        )
        ours = median_ms(
            lambda t=t: K.region_features(labels, planes, mask, threads=t), repeat=args.repeat
        )
        rows.append(
            Row(f"region_features planes, 7 ch t={t}", ours, "np.dstack + interleaved", peer)
        )
    # Skin smoothing of redness / pigmentation: two maps over the mask at 1 mm
    # (3.5 px). Peers: the composition it replaces (skincore.geometry.gaussian_blur
    # of the whole image, NumPy products and divisions) and the same with cv2.
    maps2 = [src, src2]
    sig = 3.5
    peer_sk = median_ms(lambda: composed_smooth(maps2, mask, sig), repeat=args.repeat)
    peer_cv = median_ms(lambda: composed_smooth(maps2, mask, sig, cv=True), repeat=args.repeat)
    for t in args.threads:
        ours = median_ms(lambda t=t: K.smooth_over(maps2, mask, sig, threads=t), repeat=args.repeat)
        case = f"smooth_over 2 maps {n}x{n} t={t}"
        rows.append(Row(case, ours, "whole-image blurs + NumPy", peer_sk))
        rows.append(Row(case, ours, "cv2.GaussianBlur + NumPy", peer_cv))
    # 3x3 median despeckle of the RGB work crop: cv2.medianBlur (same result,
    # replicated edges) and the NumPy exchange network detect_lesions used before.
    rgb = rng.integers(0, 256, (n, n, 3), dtype=np.uint8)
    peer = median_ms(lambda: cv2.medianBlur(rgb, 3), repeat=args.repeat)
    numpy_ms = median_ms(lambda: numpy_median3(rgb), repeat=args.repeat)
    for t in args.threads:
        ours = median_ms(lambda t=t: K.median3(rgb, threads=t), repeat=args.repeat)
        rows.append(Row(f"median3 RGB {n}x{n} t={t}", ours, "cv2.medianBlur 3", peer))
        rows.append(Row(f"median3 RGB {n}x{n} t={t}", ours, "NumPy exchange network", numpy_ms))
    # Table lookups of the lesion search: a label image through a per-label flag
    # table and the green channel of the RGB crop through a float32 table, both
    # against numpy.take (the same values).
    keep = rng.random(int(labels.max()) + 1) > 0.5
    g_lut = rng.random(256).astype(np.float32)
    peer_l = median_ms(lambda: np.take(keep, labels), repeat=args.repeat)
    peer_g = median_ms(lambda: np.take(g_lut, rgb[..., 1]), repeat=args.repeat)
    for t in args.threads:
        ours = median_ms(lambda t=t: K.take(keep, labels, threads=t), repeat=args.repeat)
        rows.append(Row(f"take labels {n}x{n} -> bool t={t}", ours, "np.take", peer_l))
        ours = median_ms(lambda t=t: K.take(g_lut, rgb, channel=1, threads=t), repeat=args.repeat)
        rows.append(Row(f"take RGB[..., 1] {n}x{n} -> float32 t={t}", ours, "np.take", peer_g))
    print_table("lesion candidate kernels", rows)


if __name__ == "__main__":
    main()
