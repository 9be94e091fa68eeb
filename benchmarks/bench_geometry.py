# ruff: noqa: B023  (each lambda is timed immediately, inside its loop iteration)
"""Benchmark the geometry kernels against OpenCV, SciPy, PIL and scikit-image.

Run: ``PYTHONPATH=python python benchmarks/bench_geometry.py [--quick]``.
Medians of repeated runs; ratio = peer / skincore (> 1: skincore faster).
"""

from __future__ import annotations

import sys

import cv2
import numpy as np
import scipy.ndimage as ndi
import skimage.draw
from PIL import Image

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import geometry as g  # noqa: E402

QUICK = "--quick" in sys.argv


def _cv2_mask(mask: np.ndarray, size: tuple[int, int]) -> float:
    """Median ms of OpenCV's bilinear resize then the threshold at 128 (not exact)."""
    return median_ms(
        lambda: cv2.threshold(
            cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR), 127, 255, cv2.THRESH_BINARY
        )
    )


def reps(pixels: int) -> int:
    return 5 if pixels > 4_000_000 else 11


def bench_blur() -> list[Row]:
    rows = []
    rng = np.random.default_rng(0)
    for n in (1080, 4096):
        img = rng.random((n, n), dtype=np.float32)
        out = np.empty_like(img)
        rep = reps(n * n)
        for sigma in (1, 2, 4, 8):
            r = int(4 * sigma + 0.5)
            for th in (1, 2):
                cv2.setNumThreads(th)
                ours = median_ms(
                    lambda: g.gaussian_blur(img, sigma, out=out, threads=th), repeat=rep
                )
                cv = median_ms(
                    lambda: cv2.GaussianBlur(
                        img, (2 * r + 1, 2 * r + 1), sigma, borderType=cv2.BORDER_REFLECT_101
                    ),
                    repeat=rep,
                )
                case = f"blur {n}^2 f32 sigma={sigma} t={th}"
                rows.append(Row(case, ours, f"cv2.GaussianBlur k={2 * r + 1}", cv))
                if th == 1 and not (QUICK and n > 2000):
                    sp = median_ms(
                        lambda: ndi.gaussian_filter(img, sigma, mode="mirror", output=out),
                        repeat=3 if n > 2000 else rep,
                        warmup=1,
                    )
                    rows.append(Row(case, ours, "scipy gaussian_filter (1 thr)", sp))
    return rows


def bench_blur_planes() -> list[Row]:
    """Many small planes (the pigmentation background's coarse moments) in one call."""
    rows = []
    rng = np.random.default_rng(1)
    planes = [rng.random((56, 90), dtype=np.float32) for _ in range(14)]
    sigma = 6.5
    r = int(4 * sigma + 0.5)
    for th in (1, 2):
        cv2.setNumThreads(th)
        ours = median_ms(lambda: g.gaussian_blur_planes(planes, sigma, threads=th), repeat=200)
        loop = median_ms(
            lambda: [g.gaussian_blur(p, sigma, threads=th) for p in planes], repeat=200
        )
        cv = median_ms(
            lambda: [
                cv2.GaussianBlur(
                    p, (2 * r + 1, 2 * r + 1), sigma, borderType=cv2.BORDER_REFLECT_101
                )
                for p in planes
            ],
            repeat=200,
        )
        case = f"14 planes 56x90 sigma={sigma} t={th}"
        rows.append(Row(case, ours, "14 gaussian_blur calls", loop))
        rows.append(Row(case, ours, f"14 cv2.GaussianBlur k={2 * r + 1}", cv))
    return rows


def bench_resize() -> list[Row]:
    rows = []
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 256, size=(3024, 4032, 3), dtype=np.uint8)
    photo = cv2.GaussianBlur(photo, (0, 0), 3)  # photo-like, not noise
    pil = Image.fromarray(photo)
    photof = photo.astype(np.float32) / 255
    small = np.ascontiguousarray(photo[:540, :540])
    pil_small = Image.fromarray(small)
    coarse = np.ascontiguousarray(photof[:78, :56, 1])
    yy, xx = np.mgrid[0:622, 0:447]
    gate = (((yy - 311) / 300.0) ** 2 + ((xx - 223) / 200.0) ** 2 < 1).astype(np.uint8) * 255
    for th in (1, 2):
        cv2.setNumThreads(th)
        c = f"t={th}"
        ours = median_ms(lambda: g.resize(photo, (1008, 756), threads=th))
        rows.append(
            Row(
                f"area u8 RGB 4032x3024->1008x756 {c}",
                ours,
                "cv2 INTER_AREA",
                median_ms(lambda: cv2.resize(photo, (1008, 756), interpolation=cv2.INTER_AREA)),
            )
        )
        rows.append(
            Row(
                f"area u8 RGB 4032x3024->1008x756 {c}",
                ours,
                "PIL reduce(4) (1 thr)",
                median_ms(lambda: pil.reduce(4)),
            )
        )
        for k in (3, 6):  # integer factors: the integer block-sum path
            size = (4032 // k, 3024 // k)
            ours = median_ms(lambda size=size: g.resize(photo, size, threads=th))
            rows.append(
                Row(
                    f"area u8 RGB 4032x3024->{size[0]}x{size[1]} {c}",
                    ours,
                    "cv2 INTER_AREA",
                    median_ms(
                        lambda size=size: cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
                    ),
                )
            )
        ours = median_ms(lambda: g.resize(photo, (1000, 750), threads=th))
        rows.append(
            Row(
                f"area u8 RGB 4032x3024->1000x750 {c}",
                ours,
                "cv2 INTER_AREA",
                median_ms(lambda: cv2.resize(photo, (1000, 750), interpolation=cv2.INTER_AREA)),
            )
        )
        rows.append(
            Row(
                f"area u8 RGB 4032x3024->1000x750 {c}",
                ours,
                "PIL BOX (1 thr)",
                median_ms(lambda: pil.resize((1000, 750), Image.Resampling.BOX)),
            )
        )
        ours = median_ms(lambda: g.resize(photof, (1008, 756), threads=th))
        rows.append(
            Row(
                f"area f32 RGB 4032x3024->1008x756 {c}",
                ours,
                "cv2 INTER_AREA",
                median_ms(lambda: cv2.resize(photof, (1008, 756), interpolation=cv2.INTER_AREA)),
            )
        )
        ours = median_ms(lambda: g.resize(photo, (1440, 1080), method="bilinear", threads=th))
        rows.append(
            Row(
                f"bilinear u8 RGB 4032x3024->1440x1080 {c}",
                ours,
                "cv2 INTER_LINEAR",
                median_ms(lambda: cv2.resize(photo, (1440, 1080), interpolation=cv2.INTER_LINEAR)),
            )
        )
        # wide_gaussian_blur's last step: a coarse float grid interpolated back up
        ours = median_ms(lambda: g.resize(coarse, (447, 622), method="bilinear", threads=th))
        rows.append(
            Row(
                f"bilinear f32 56x78->447x622 up {c}",
                ours,
                "cv2 INTER_LINEAR",
                median_ms(lambda: cv2.resize(coarse, (447, 622), interpolation=cv2.INTER_LINEAR)),
            )
        )
        ours = median_ms(lambda: g.resize(small, (1080, 1080), method="bilinear", threads=th))
        rows.append(
            Row(
                f"bilinear u8 RGB 540->1080 up {c}",
                ours,
                "cv2 INTER_LINEAR",
                median_ms(lambda: cv2.resize(small, (1080, 1080), interpolation=cv2.INTER_LINEAR)),
            )
        )
        rows.append(
            Row(
                f"bilinear u8 RGB 540->1080 up {c}",
                ours,
                "PIL BILINEAR (1 thr)",
                median_ms(lambda: pil_small.resize((1080, 1080), Image.Resampling.BILINEAR)),
            )
        )
        # the texture grid's skin gate brought up from the colour grid (one channel)
        ours = median_ms(lambda: g.resize(gate, (777, 1081), method="bilinear", threads=th))
        rows.append(
            Row(
                f"bilinear u8 mask 447x622->777x1081 up {c}",
                ours,
                "cv2 INTER_LINEAR",
                median_ms(lambda: cv2.resize(gate, (777, 1081), interpolation=cv2.INTER_LINEAR)),
            )
        )

        # the same gate thresholded at 128 in one pass, and a texture grid's gate
        # brought down to the 4 px/mm grid (a 6 -> 4 px/mm reduction)
        ours = median_ms(lambda: g.resize_mask(gate, (777, 1081), threads=th))
        thr = _cv2_mask(gate, (777, 1081))
        rows.append(Row(f"resize_mask 447x622->777x1081 up {c}", ours, "cv2 LINEAR+threshold", thr))
        fine = cv2.resize(gate, (777, 1244), interpolation=cv2.INTER_NEAREST)
        ours = median_ms(lambda: g.resize_mask(fine, (518, 830), threads=th))
        thr = _cv2_mask(fine, (518, 830))
        rows.append(Row(f"resize_mask 777x1244->518x830 {c}", ours, "cv2 LINEAR+threshold", thr))
        gray = np.ascontiguousarray(cv2.resize(photof[..., 1], (777, 1244)))
        ours = median_ms(lambda: g.resize(gray, (518, 830), threads=th))
        rows.append(
            Row(
                f"area f32 gray 777x1244->518x830 {c}",
                ours,
                "cv2 INTER_AREA",
                median_ms(lambda: cv2.resize(gray, (518, 830), interpolation=cv2.INTER_AREA)),
            )
        )
    return rows


def face_polygons(n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    c, rx, ry = n / 2, 0.33 * n, 0.45 * n
    t = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    oval = np.stack([c + rx * np.cos(t), c + ry * np.sin(t)], axis=1)
    rng = np.random.default_rng(2)
    regions = []
    for _ in range(20):
        k = rng.integers(6, 17)
        cx, cy = rng.uniform(0.3 * n, 0.7 * n, size=2)
        ang = np.sort(rng.uniform(0, 2 * np.pi, size=k))
        rad = rng.uniform(0.03 * n, 0.08 * n, size=k)
        regions.append(np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], axis=1))
    return oval, regions


def bench_fill() -> list[Row]:
    rows = []
    for n in (1080, 4096):
        oval, regions = face_polygons(n)
        mask = np.zeros((n, n), np.uint8)
        shift = 8  # cv2 sub-pixel vertices in 24.8 fixed point
        oval_i = [np.round(oval * (1 << shift)).astype(np.int32)]
        regions_i = [np.round(p * (1 << shift)).astype(np.int32) for p in regions]

        def sk_fill(polys, mask=mask):
            for p in polys:
                rr, cc = skimage.draw.polygon(p[:, 1], p[:, 0], shape=mask.shape)
                mask[rr, cc] = 255

        for th in (1, 2):
            cv2.setNumThreads(th)
            for name, polys, polys_i in (
                ("oval 36 pts", [oval], oval_i),
                ("20 regions", regions, regions_i),
            ):
                ours = median_ms(lambda: g.fill_polygons(polys, (n, n), out=mask, threads=th))
                case = f"fill {name} {n}^2 t={th}"
                cv = median_ms(lambda: cv2.fillPoly(mask, polys_i, 255, cv2.LINE_8, shift))
                rows.append(Row(case, ours, "cv2.fillPoly (1 thr)", cv))
                if th == 1:
                    rows.append(
                        Row(case, ours, "skimage.draw.polygon", median_ms(lambda: sk_fill(polys)))
                    )
    return rows


def np_tile_median(src: np.ndarray, mask: np.ndarray, tile: int) -> np.ndarray:
    """NumPy peer: pad to whole tiles with inf, sort each tile, take rank n // 2."""
    h, w = src.shape
    th, tw = -(-h // tile), -(-w // tile)
    a = np.full((th * tile, tw * tile), np.inf, np.float32)
    a[:h, :w] = np.where(mask, src, np.inf)
    t = np.sort(a.reshape(th, tile, tw, tile).transpose(0, 2, 1, 3).reshape(th, tw, -1), axis=2)
    n = np.count_nonzero(np.isfinite(t), axis=2)
    return np.take_along_axis(t, (n // 2)[..., None], axis=2)[..., 0]


def bench_tile_median() -> list[Row]:
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    for side, tile in ((360, 7), (1080, 16)):
        src = rng.standard_normal((side, side)).astype(np.float32)
        mask = src < 0  # half of the pixels, at random: the pores' texture spread
        for t in (1, 2):
            ours = median_ms(
                lambda src=src, mask=mask, t=t: g.tile_median(src, mask, tile, threads=t)
            )
            peer = median_ms(lambda src=src, mask=mask: np_tile_median(src, mask, tile))
            rows.append(Row(f"{side}x{side} tile {tile} threads={t}", ours, "NumPy sort", peer))
    return rows


def bench_middle_values() -> list[Row]:
    """The two middle ranks of the values (a median), against numpy.median's partition.

    Radiance's L* residuals over a 1080p face's skin (about 158 000 values) are
    ranked twice (their median, then the median absolute deviation).
    """
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    for n in (20_000, 158_000):
        x = (rng.standard_normal(n) * 2.0).astype(np.float32)
        ours = median_ms(lambda x=x: g.middle_values(x))
        peer = median_ms(lambda x=x: np.partition(x, [(n - 1) // 2, n // 2]))
        rows.append(Row(f"{n} float32", ours, "np.partition (2 ranks)", peer))
    return rows


def np_sample_separable(src: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """NumPy peer: separable bilinear with fancy indexing, rows first (float32)."""
    h, w = src.shape
    y = np.clip(ys, 0, h - 1)
    y0 = np.minimum(np.floor(y).astype(np.intp), max(h - 2, 0))
    fy = (y - y0).astype(np.float32)[:, None]
    tmp = src[y0] * (1 - fy) + src[np.minimum(y0 + 1, h - 1)] * fy
    x = np.clip(xs, 0, w - 1)
    x0 = np.minimum(np.floor(x).astype(np.intp), max(w - 2, 0))
    fx = (x - x0).astype(np.float32)[None, :]
    return tmp[:, x0] * (1 - fx) + tmp[:, np.minimum(x0 + 1, w - 1)] * fx


def bench_sample_separable() -> list[Row]:
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    for side, out in ((256, 500), (256, 1080)):
        src = rng.random((side, side), dtype=np.float32)
        xs = np.linspace(-3.0, side + 2.0, out)
        ys = np.linspace(-3.0, side + 2.0, out)
        mx, my = np.meshgrid(xs.astype(np.float32), ys.astype(np.float32))
        for t in (1, 2):
            ours = median_ms(
                lambda src=src, xs=xs, ys=ys, t=t: g.sample_separable(src, xs, ys, threads=t)
            )
            case = f"{side}x{side} -> {out}x{out} threads={t}"
            rows.append(
                Row(
                    case,
                    ours,
                    "NumPy separable",
                    median_ms(lambda: np_sample_separable(src, xs, ys)),
                )
            )
            cv2.setNumThreads(t)
            rows.append(
                Row(
                    case,
                    ours,
                    "cv2.remap bilinear",
                    median_ms(lambda: cv2.remap(src, mx, my, cv2.INTER_LINEAR)),
                )
            )
    cv2.setNumThreads(0)
    return rows


def bench_wide_blur() -> list[Row]:
    """wide_gaussian_blur against the exact blur, on a colour-grid-sized image.

    622 x 447 is a 1080p face's colour grid; the sigmas are the oiliness level
    (13.8 px), the radiance level (20.7 px) and the lesion backgrounds (~52 px).
    Weighted: the normalised convolution over a face-like mask, against two
    exact blurs and a division.
    """
    rows = []
    rng = np.random.default_rng(0)
    h, w = 622, 447
    img = rng.random((h, w), dtype=np.float32)
    yy, xx = np.mgrid[:h, :w]
    mask = ((yy - h / 2) / (0.35 * h)) ** 2 + ((xx - w / 2) / (0.38 * w)) ** 2 < 1
    wt = mask.astype(np.float32)

    def exact_weighted(sigma: float) -> np.ndarray:
        den = g.gaussian_blur(wt, sigma)
        num = g.gaussian_blur(img * wt, sigma)
        return np.divide(num, den, out=np.zeros_like(num), where=den > 1e-3)

    for sigma in (13.8, 20.7, 51.7):
        r = int(4 * sigma + 0.5)
        ours = median_ms(lambda: g.wide_gaussian_blur(img, sigma), repeat=11)
        exact = median_ms(lambda: g.gaussian_blur(img, sigma), repeat=11)
        cv = median_ms(
            lambda: cv2.GaussianBlur(
                img, (2 * r + 1, 2 * r + 1), sigma, borderType=cv2.BORDER_REFLECT_101
            ),
            repeat=11,
        )
        case = f"wide blur {w}x{h} sigma={sigma}"
        rows.append(Row(case, ours, "skincore gaussian_blur (exact)", exact))
        rows.append(Row(case, ours, f"cv2.GaussianBlur k={2 * r + 1}", cv))
        ours = median_ms(lambda: g.wide_gaussian_blur(img, sigma, weight=wt), repeat=11)
        exact = median_ms(lambda: exact_weighted(sigma), repeat=11)
        rows.append(Row(f"wide weighted mean sigma={sigma}", ours, "2 exact blurs + divide", exact))
        # two images over one weight (oiliness' L* and chroma levels): the weight once
        ours = median_ms(lambda: g.wide_gaussian_means([img, img], sigma, wt), repeat=11)
        two = median_ms(
            lambda: [g.wide_gaussian_blur(img, sigma, weight=wt) for _ in range(2)], repeat=11
        )
        rows.append(Row(f"wide means x2 sigma={sigma}", ours, "2 wide weighted blurs", two))
    return rows


def bench_blur_threshold() -> list[Row]:
    """blur_threshold on sparse specks (moisture's shine, 381 px of a 622 x 447 grid).

    Only the rows and columns within the kernel radius of a set pixel are
    blurred; the peers blur the whole image and compare.
    """
    rng = np.random.default_rng(0)
    h, w = 622, 447
    m = np.zeros((h, w), bool)
    m[rng.integers(180, 530, 60), rng.integers(45, 400, 60)] = True
    m = g.blur_threshold(m, [(1.5, 0.1)])  # specks of a few pixels
    rows = []
    for sigma in (5.2, 2.9):
        r = int(4 * sigma + 0.5)
        ours = median_ms(lambda: g.blur_threshold(m, [(sigma, 0.02)], threads=1), repeat=21)
        exact = median_ms(
            lambda: g.gaussian_blur(m.astype(np.float32), sigma, threads=1) > 0.02, repeat=21
        )
        cv2.setNumThreads(1)
        cv = median_ms(
            lambda: (
                cv2.GaussianBlur(
                    m.astype(np.float32),
                    (2 * r + 1, 2 * r + 1),
                    sigma,
                    borderType=cv2.BORDER_REFLECT_101,
                )
                > 0.02
            ),
            repeat=21,
        )
        case = f"blur_threshold specks {w}x{h} sigma={sigma} t=1"
        rows.append(Row(case, ours, "gaussian_blur > t (exact)", exact))
        rows.append(Row(case, ours, f"cv2.GaussianBlur k={2 * r + 1} > t", cv))
    return rows


def bench_blur_threshold_masks() -> list[Row]:
    """Twelve zone-sized masks closed and eroded (wrinkles' zone morphology at 4 px/mm).

    One ``blur_threshold_masks`` call against a ``blur_threshold`` call per mask
    (same steps) and the per-mask OpenCV blur-and-compare chain.
    """
    rng = np.random.default_rng(1)
    sizes = [(263, 431), (105, 122), (118, 68), (103, 54), (100, 179), (100, 174)]
    sizes += [(147, 96), (147, 94), (256, 182), (255, 166), (155, 100), (154, 99)]
    masks = []
    for h, w in sizes:
        yy, xx = np.mgrid[:h, :w]
        m = ((yy - h / 2) / (0.4 * h)) ** 2 + ((xx - w / 2) / (0.4 * w)) ** 2 <= 1.0
        masks.append(m & (rng.random((h, w)) > 0.02))  # a zone with pinholes
    steps = [(1.5621, 0.1), (1.5621, 0.9), (1.8746, 0.9)]

    def cv_chain(m: np.ndarray) -> np.ndarray:
        for s, t in steps:
            r = int(4 * s + 0.5)
            k = 2 * r + 1
            m = cv2.GaussianBlur(m.astype(np.float32), (k, k), s, borderType=4) > t
        return m

    rows = []
    cv2.setNumThreads(1)
    cv = median_ms(lambda: [cv_chain(m) for m in masks], repeat=21)
    for t in (1, 2):
        ours = median_ms(lambda t=t: g.blur_threshold_masks(masks, steps, threads=t), repeat=21)
        each = median_ms(
            lambda t=t: [g.blur_threshold(m, steps, threads=t) for m in masks], repeat=21
        )
        case = f"blur_threshold_masks 12 zones t={t}"
        rows.append(Row(case, ours, "blur_threshold per mask", each))
        rows.append(Row(case, ours, "cv2 blur > t per mask", cv))
    return rows


def np_max_filter(img: np.ndarray, r: int) -> np.ndarray:
    """Square max filter by NumPy doubling (what the lesion search used before)."""

    def rows(a: np.ndarray) -> np.ndarray:
        n, size = 2 * r + 1, a.shape[0]
        m = np.pad(a, ((r, r), (0, 0)), constant_values=-np.inf)
        span = 1
        while 2 * span <= n:
            m = np.maximum(m[:-span], m[span:])
            span *= 2
        return np.maximum(m[:size], m[n - span : n - span + size])

    return np.ascontiguousarray(rows(np.ascontiguousarray(rows(img).T)).T)


def bench_max_filter() -> list[Row]:
    """max_filter on a lesion work grid (389 x 280 at 2.5 px/mm), radii 4 and 8."""
    rows = []
    img = np.random.default_rng(0).random((389, 280), dtype=np.float32)
    for r in (4, 8):
        ours = median_ms(lambda: g.max_filter(img, r), repeat=21)
        k = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1))
        rows.append(
            Row(
                f"max_filter 280x389 r={r}",
                ours,
                "numpy doubling",
                median_ms(lambda: np_max_filter(img, r), repeat=21),
            )
        )
        rows.append(
            Row(
                f"max_filter 280x389 r={r}",
                ours,
                "cv2.dilate (rect)",
                median_ms(
                    lambda: cv2.dilate(img, k, borderType=cv2.BORDER_CONSTANT, borderValue=-np.inf),
                    repeat=21,
                ),
            )
        )
    return rows


def main() -> None:
    print(f"hardware threads: {g._core.hardware_threads()}; medians, ratio = peer/skincore")
    print_table("gaussian_blur (float32, reflect-101)", bench_blur())
    print_table("gaussian_blur_planes (a list of small planes)", bench_blur_planes())
    print_table("wide_gaussian_blur (decimated, approximate)", bench_wide_blur())
    print_table("blur_threshold (sparse mask)", bench_blur_threshold())
    print_table("blur_threshold_masks (wrinkle zones)", bench_blur_threshold_masks())
    print_table("max_filter (square)", bench_max_filter())
    print_table("resize", bench_resize())
    print_table("fill_polygons (uint8 mask)", bench_fill())
    print_table("tile_median (masked, per tile)", bench_tile_median())
    print_table("middle_values (a median's two ranks)", bench_middle_values())
    print_table("sample_separable (bilinear on a separable grid)", bench_sample_separable())


if __name__ == "__main__":
    main()
