"""Benchmark skincore.color against OpenCV, scikit-image and NumPy.

Run: ``PYTHONPATH=python python benchmarks/bench_color.py [--sizes 1080 4096] [--threads 1 2]``.
Ratios are peer / skincore (> 1: skincore faster). Medians of repeated runs.
"""

from __future__ import annotations

import argparse
import math

import cv2
import numpy as np
from skimage import color as skcolor

from _timing import Row, median_ms, print_table
from skincore import color as C


def face_like_rgb(n: int, rng: np.random.Generator) -> np.ndarray:
    """Skin-toned image with noise, a bright specular blob and a dark shadow band."""
    base = np.array([205, 150, 125], np.float32)
    img = base + rng.normal(0, 6, (n, n, 3)).astype(np.float32)
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    img[((yy - 0.35) ** 2 + (xx - 0.6) ** 2) < 0.003] = 250
    img[(xx > 0.1) & (xx < 0.2)] *= 0.35
    return np.clip(img, 0, 255).astype(np.uint8)


def ellipse(n: int) -> np.ndarray:
    yy, xx = np.mgrid[0:n, 0:n]
    c = (n - 1) / 2
    return ((((yy - c) / (0.45 * n)) ** 2 + ((xx - c) / (0.35 * n)) ** 2) <= 1).astype(np.uint8)


def numpy_stats(lab: np.ndarray, mask: np.ndarray) -> tuple[float, ...]:
    px = lab[mask.astype(bool)]
    mean = px.mean(axis=0, dtype=np.float64)
    med = np.median(px, axis=0)
    std = px.std(axis=0, dtype=np.float64)
    ita = math.degrees(math.atan((mean[0] - 50) / mean[2]))
    ha = math.degrees(math.atan(mean[2] / mean[1]))
    return (*mean, *med, *std, ita, ha)


def numpy_ita(lab: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.degrees(np.arctan((lab[..., 0] - 50) / lab[..., 2]))


def cv_stats(lab: np.ndarray, mask: np.ndarray) -> tuple[float, ...]:
    mean, std = cv2.meanStdDev(lab, mask=mask)
    m = mean.ravel()
    return (*m, *std.ravel(), math.degrees(math.atan((m[0] - 50) / m[2])))


def bench_size(n: int, threads: list[int], repeat: int, rng: np.random.Generator):
    rgb = face_like_rgb(n, rng)
    f01 = rgb.astype(np.float32) / 255
    out = np.empty(rgb.shape, np.float32)
    lab = C.rgb_to_lab(rgb)
    mask = ellipse(n)
    rep = repeat if n <= 2048 else max(3, repeat // 2)
    conv: list[Row] = []
    stats: list[Row] = []
    for t in threads:
        cv2.setNumThreads(t)
        ours = median_ms(lambda t=t: C.rgb_to_lab(rgb, out=out, threads=t), repeat=rep)
        cvf = median_ms(lambda: cv2.cvtColor(f01, cv2.COLOR_RGB2Lab), repeat=rep)
        cvc = median_ms(
            lambda: cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab), repeat=rep
        )
        case = f"rgb_to_lab {n}x{n} t={t}"
        conv.append(Row(case, ours, "cv2 float (pre-scaled)", cvf))
        conv.append(Row(case, ours, "cv2 float + astype/255", cvc))
        if t == threads[0]:  # scikit-image is single-threaded
            sk = median_ms(lambda: skcolor.rgb2lab(rgb), repeat=3, warmup=1)
            conv.append(Row(case, ours, "skimage rgb2lab (1 thread)", sk))

        ours_s = median_ms(lambda t=t: C.lab_stats(lab, mask, threads=t), repeat=rep)
        np_s = median_ms(lambda: numpy_stats(lab, mask), repeat=max(3, rep // 2))
        cv_s = median_ms(lambda: cv_stats(lab, mask), repeat=rep)
        case = f"lab_stats {n}x{n} ellipse t={t}"
        stats.append(Row(case, ours_s, "numpy bool-index+median", np_s))
        stats.append(Row(case, ours_s, "cv2.meanStdDev (no median)", cv_s))
        # a region mask (a cheek: ~5 % of the grid), as tone's per-zone votes
        zone = np.zeros_like(mask)
        zone[n // 2 : n // 2 + n // 5, n // 8 : n // 8 + n // 4] = 1
        ours_z = median_ms(lambda t=t: C.lab_stats(lab, zone, threads=t), repeat=rep)
        np_z = median_ms(lambda: numpy_stats(lab, zone), repeat=rep)
        zcase = f"lab_stats {n}x{n} 5% zone t={t}"
        stats.append(Row(zcase, ours_z, "numpy bool-index+median", np_z))
        ours_i = median_ms(lambda t=t: C.ita_map(lab, threads=t), repeat=rep)
        np_i = median_ms(lambda: numpy_ita(lab), repeat=max(3, rep // 2))
        stats.append(Row(f"ita_map {n}x{n} t={t}", ours_i, "numpy float32 arctan", np_i))
        ours_c = median_ms(lambda t=t: C.lightness_chroma(lab, threads=t), repeat=rep)
        np_c = median_ms(
            lambda: (
                np.ascontiguousarray(lab[..., 0]),
                np.hypot(lab[..., 1], lab[..., 2], dtype=np.float32),
            ),
            repeat=rep,
        )
        stats.append(Row(f"lightness_chroma {n}x{n} t={t}", ours_c, "numpy L copy + hypot", np_c))
        luts = rng.integers(0, 256, (3, 256), dtype=np.uint8)
        lut_cv = np.ascontiguousarray(luts.T.reshape(256, 1, 3))
        ours_l = median_ms(lambda t=t: C.apply_channel_luts(rgb, luts, threads=t), repeat=rep)

        def np_luts() -> np.ndarray:
            out = np.empty_like(rgb)
            for c in range(3):
                np.take(luts[c], rgb[..., c], out=out[..., c], mode="clip")
            return out

        case = f"apply_channel_luts {n}x{n} t={t}"
        stats.append(Row(case, ours_l, "numpy take x3", median_ms(np_luts, repeat=rep)))
        stats.append(
            Row(case, ours_l, "cv2.LUT", median_ms(lambda: cv2.LUT(rgb, lut_cv), repeat=rep))
        )
        # the masked pixels through the tables (tone's white-balanced face pixels)
        ours_m = median_ms(
            lambda t=t: C.masked_channel_luts(rgb, mask, luts, threads=t), repeat=rep
        )

        def np_masked() -> np.ndarray:
            px = np.take(rgb.reshape(-1, 3), np.flatnonzero(mask), axis=0)
            for c in range(3):
                np.take(luts[c], px[:, c], out=px[:, c], mode="clip")
            return px

        stats.append(
            Row(
                f"masked_channel_luts {n}x{n} ellipse t={t}",
                ours_m,
                "numpy flatnonzero + take x4",
                median_ms(np_masked, repeat=rep),
            )
        )
    st = C.lab_stats(lab, mask)
    plain = C.lab_stats(lab, mask, k=math.inf)
    note = (
        f"{n}x{n}: n_mask={st.n_mask} n_used={st.n_used} shadow={st.n_shadow} "
        f"highlight={st.n_highlight} ITA={st.ita:.2f} HA={st.ha:.2f} (plain ITA={plain.ita:.2f})"
    )
    return conv, stats, note


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1080, 4096])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    conv: list[Row] = []
    stats: list[Row] = []
    notes: list[str] = []
    for n in args.sizes:
        c, s, note = bench_size(n, args.threads, args.repeat, rng)
        conv += c
        stats += s
        notes.append(note)
    print_table("rgb_to_lab: sRGB uint8 -> CIELAB float32", conv)
    print_table("masked Lab statistics / ITA", stats)
    print()
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
