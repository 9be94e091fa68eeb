"""Time one kernel call on one and on two threads of the pool, by image size.

The pool's workers busy-wait for up to 50 us for the next job before they sleep
(``cpp/src/parallel.cpp``): a worker woken from sleep joins a job 50-100 us late,
which a mid-sized kernel call does not outlast. Each row is a Gaussian blur
(sigma 2, float32) of an ``n x n`` image, skincore on one and on two threads, and
OpenCV's ``GaussianBlur`` (same kernel radius) on two as the peer; ratio = the
peer's ms / skincore's two-thread ms.

Run: ``PYTHONPATH=python python benchmarks/bench_threads.py``. The machine may be
shared: medians are noisy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_ms  # noqa: E402
from skincore import geometry  # noqa: E402


def main() -> None:
    cv2.setNumThreads(2)
    print(
        f"{'n x n':>10}{'1 thread ms':>13}{'2 threads ms':>14}{'speed-up':>10}"
        f"{'OpenCV ms':>11}{'ratio':>8}"
    )
    for n in (128, 256, 512, 1024, 2048):
        x = np.random.default_rng(0).random((n, n), dtype=np.float32)
        repeat = max(15, 2_000_000 // (n * n))
        one = median_ms(lambda x=x: geometry.gaussian_blur(x, 2.0, threads=1), repeat=repeat)
        two = median_ms(lambda x=x: geometry.gaussian_blur(x, 2.0, threads=2), repeat=repeat)
        k = 2 * int(4.0 * 2.0 + 0.5) + 1  # skincore's truncate 4
        peer = median_ms(
            lambda x=x, k=k: cv2.GaussianBlur(x, (k, k), 2.0, borderType=cv2.BORDER_REFLECT_101),
            repeat=repeat,
        )
        print(f"{n:>10}{one:>13.3f}{two:>14.3f}{one / two:>9.2f}x{peer:>11.3f}{peer / two:>7.2f}x")


if __name__ == "__main__":
    main()
