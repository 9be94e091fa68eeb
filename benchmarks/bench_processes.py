"""Throughput of two callers: threads on one Analyzer against two worker processes.

    python benchmarks/bench_processes.py [--sizes VGA,1080p] [--repeat 12]

For each size, the packaged sample resampled (``_timing.sample_portrait``), as a
decoded array and as its JPEG file: milliseconds per photo for one in-process
caller (``Analyzer()``, all threads), two threads calling that Analyzer, and a
spawned ``ProcessPoolExecutor`` of two processes, each with its own
``Analyzer(threads=1)`` (what a batch runner can do, since an ``Analysis`` and a
``SkinError`` pickle), with their ratios to the one caller. Each setting is
warmed up first; medians are not taken (each figure is one timed batch), so run
it twice on a noisy machine.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from PIL import Image

from _timing import sample_portrait

SIZES = {"vga": (480, 640), "1080p": (1080, 1920), "12mp": (3024, 4032)}

_ANALYZER: Any = None


def _start_worker(threads: int) -> None:
    global _ANALYZER
    import skincore

    _ANALYZER = skincore.Analyzer(threads=threads)


def _analyze_in_worker(image: Any) -> Any:
    return _ANALYZER.analyze(image)


def _per_photo(ex: Executor, fn: Callable[[Any], Any], image: Any, repeat: int) -> float:
    list(ex.map(fn, [image] * 4))  # warm-up: sessions, caches, worker start
    t = time.perf_counter()
    list(ex.map(fn, [image] * repeat))
    return (time.perf_counter() - t) / repeat * 1e3


def main() -> None:
    import skincore

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="vga,1080p")
    ap.add_argument("--repeat", type=int, default=12)
    args = ap.parse_args()
    an = skincore.Analyzer()
    spawn = multiprocessing.get_context("spawn")
    print(
        f"{'size':<7}{'input':<7}{'one caller':>11}{'2 threads':>11}{'ratio':>7}"
        f"{'2 processes':>13}{'ratio':>7}   (ms per photo)"
    )
    for name in args.sizes.lower().split(","):
        rgb = sample_portrait(*SIZES[name])
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=92)
        for kind, image in (("array", rgb), ("jpeg", buf.getvalue())):
            for _ in range(3):
                an.analyze(image)
            t = time.perf_counter()
            for _ in range(args.repeat):
                an.analyze(image)
            one = (time.perf_counter() - t) / args.repeat * 1e3
            with ThreadPoolExecutor(2) as ex:
                threads = _per_photo(ex, an.analyze, image, args.repeat)
            with ProcessPoolExecutor(
                2, mp_context=spawn, initializer=_start_worker, initargs=(1,)
            ) as ex:
                procs = _per_photo(ex, _analyze_in_worker, image, args.repeat)
            print(
                f"{name:<7}{kind:<7}{one:>11.1f}{threads:>11.1f}{one / threads:>7.2f}"
                f"{procs:>13.1f}{one / procs:>7.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
