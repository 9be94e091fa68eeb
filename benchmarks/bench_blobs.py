"""Benchmark skincore.blobs.detect against OpenCV and scikit-image DoG detectors.

Also dark and bright blobs of one image (pores and their texture decoys): the
scale space built once (``blobs.scale_space_checked``) and searched for each polarity
(``blobs.detect_layers``), against two ``blobs.detect`` calls and two OpenCV runs.

Peers, all with the same blur scales (truncate 4, reflect-101 borders):

* ``cv2 DoG``: cv2.GaussianBlur at every scale, cv2.addWeighted for the same
  normalised differences, cv2.dilate (3x3) per layer, cv2.max over neighbouring
  layers and cv2.compare / cv2.findNonZero for the 3x3x3 local maxima above the
  threshold (no subpixel refinement, mask or overlap pruning: the cheapest
  composed equivalent). ``cv2.setNumThreads(n)`` matches skincore's ``threads=n``.
* ``skimage blob_dog`` / ``blob_log`` with matching min/max sigma, ratio 1.6 and an
  absolute threshold (single-threaded; timed once or a few times, it is slow).

Run: ``PYTHONPATH=python python benchmarks/bench_blobs.py [--quick]``.
The machine may be shared: numbers are medians; ratios are peer / skincore.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import blobs  # noqa: E402

SIGMAS = blobs.scale_sigmas(1.0, 6.0, 1.6)  # detection scales 1.0 .. 6.55 px
THRESHOLD = 0.01


def skin_image(size: int) -> np.ndarray:
    """Green channel of the packaged sample (a face), resized and tiled to size x size."""
    from importlib.resources import files

    path = str(files("skincore") / "data" / "sample.jpg")
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    g = bgr[:, :, 1].astype(np.float32) / 255.0
    g = cv2.resize(g, (1080, 1440), interpolation=cv2.INTER_AREA)
    reps = (size // g.shape[0] + 1, size // g.shape[1] + 1)
    return np.ascontiguousarray(np.tile(g, reps)[:size, :size])


def cv_scale_space(img: np.ndarray, sigmas) -> list[np.ndarray]:
    """The normalised DoG layers of ``img`` from OpenCV blurs (the peer's scale space)."""
    blurs = []
    for s in sigmas:
        k = 2 * int(4.0 * s + 0.5) + 1
        blurs.append(cv2.GaussianBlur(img, (k, k), s, borderType=cv2.BORDER_REFLECT_101))
    out = []
    for i in range(len(sigmas) - 1):
        c = 2 * sigmas[i] * sigmas[i + 1] / (sigmas[i + 1] ** 2 - sigmas[i] ** 2)
        out.append(cv2.addWeighted(blurs[i + 1], c, blurs[i], -c, 0.0))
    return out


def cv_dog(img: np.ndarray, sigmas, thr: float) -> np.ndarray:
    kernel = np.ones((3, 3), np.uint8)
    dogs = cv_scale_space(img, sigmas)
    dil = [cv2.dilate(d, kernel, borderType=cv2.BORDER_REPLICATE) for d in dogs]
    found = []
    for i, d in enumerate(dogs):
        m = dil[i]
        if i > 0:
            m = cv2.max(m, dil[i - 1])
        if i + 1 < len(dogs):
            m = cv2.max(m, dil[i + 1])
        peak = cv2.compare(d, m, cv2.CMP_GE) & cv2.compare(d, thr, cv2.CMP_GT)
        nz = cv2.findNonZero(peak)
        if nz is not None:
            found.append(nz.reshape(-1, 2))
    return np.concatenate(found) if found else np.zeros((0, 2), np.int32)


def main() -> None:
    quick = "--quick" in sys.argv
    det = blobs.detection_sigmas(SIGMAS)
    print(
        f"blur sigmas {np.round(SIGMAS, 3).tolist()}, detection sigmas {np.round(det, 3).tolist()}"
    )
    rows: list[Row] = []
    sk_rows: list[Row] = []
    for size in (1080, 4096):
        img = skin_image(size)
        rep = 5 if size == 1080 else 3
        for n in (1, 2):
            cv2.setNumThreads(n)
            ours = median_ms(
                lambda img=img, n=n: blobs.detect(
                    img, sigmas=SIGMAS, threshold=THRESHOLD, threads=n
                ),
                repeat=rep,
                warmup=1,
            )
            peer = median_ms(lambda img=img: cv_dog(img, SIGMAS, THRESHOLD), repeat=rep, warmup=1)
            nb = len(blobs.detect(img, sigmas=SIGMAS, threshold=THRESHOLD, threads=n))
            npk = len(cv_dog(img, SIGMAS, THRESHOLD))
            rows.append(
                Row(
                    f"{size}x{size} threads={n} ({nb} blobs / {npk} raw peaks)",
                    ours,
                    "cv2 DoG+dilate",
                    peer,
                )
            )
        cv2.setNumThreads(0)
        if quick:
            continue
        from skimage.feature import blob_dog, blob_log

        ours1 = median_ms(
            lambda img=img: blobs.detect(img, sigmas=SIGMAS, threshold=THRESHOLD, threads=1),
            repeat=3,
            warmup=1,
        )
        # Same scale range, ratio and absolute threshold; skimage's DoG normalisation
        # differs slightly from ours, so counts are close but not identical.
        kw = dict(
            min_sigma=float(SIGMAS[0]),
            max_sigma=float(SIGMAS[-1]),
            threshold=THRESHOLD,
            threshold_rel=None,
            overlap=0.5,
        )
        for name, fn in (
            ("skimage blob_dog", lambda img=img, kw=kw: blob_dog(img, sigma_ratio=1.6, **kw)),
            (
                "skimage blob_log",
                lambda img=img, kw=kw: blob_log(img, num_sigma=len(SIGMAS) - 1, **kw),
            ),
        ):
            t0 = time.perf_counter()
            fn()
            once = (time.perf_counter() - t0) * 1e3
            if size == 1080 and once < 20000:
                ms = median_ms(fn, repeat=2, warmup=0)
            else:
                ms = once
            sk_rows.append(Row(f"{size}x{size} threads=1", ours1, name, ms))
            if once > 120000:
                break
    print_table("blobs.detect vs OpenCV composed DoG (same scales, 3x3x3 maxima)", rows)
    print_table(
        "both polarities: scale_space + 2x detect_layers vs 2x detect vs OpenCV", both_polarities()
    )
    if sk_rows:
        print_table("blobs.detect vs scikit-image (single thread)", sk_rows)


def both_polarities() -> list[Row]:
    """Dark and bright blobs of one image: the kept scale space searched twice."""
    rows: list[Row] = []
    for size in (1080, 4096):
        img = skin_image(size)
        rep = 5 if size == 1080 else 3
        for n in (1, 2):
            cv2.setNumThreads(n)

            def kept(img=img, n=n):
                # (the finiteness test made while the layers are written spares the
                # searches theirs)
                _, layers, finite = blobs.scale_space_checked(img, SIGMAS, threads=n)
                for pol in ("dark", "bright"):
                    blobs.detect_layers(
                        layers, None, SIGMAS, pol, THRESHOLD, threads=n, finite=finite
                    )

            def twice(img=img, n=n):
                for pol in ("dark", "bright"):
                    blobs.detect(img, sigmas=SIGMAS, polarity=pol, threshold=THRESHOLD, threads=n)

            ours = median_ms(kept, repeat=rep, warmup=1)
            rows.append(
                Row(
                    f"{size}x{size} threads={n}",
                    ours,
                    "2x blobs.detect",
                    median_ms(twice, repeat=rep, warmup=1),
                )
            )
            rows.append(
                Row(
                    f"{size}x{size} threads={n}",
                    ours,
                    "2x cv2 DoG+dilate",
                    median_ms(
                        lambda img=img: (
                            cv_dog(img, SIGMAS, THRESHOLD),
                            cv_dog(-img, SIGMAS, THRESHOLD),
                        ),
                        repeat=rep,
                        warmup=1,
                    ),
                )
            )
    cv2.setNumThreads(0)
    return rows


if __name__ == "__main__":
    main()
