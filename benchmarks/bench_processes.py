"""Throughput of two callers: threads on one in-process Analyzer against worker processes.

    python benchmarks/bench_processes.py [--sizes VGA,1080p] [--repeat 12]

For each size, the packaged sample resampled (``_timing.sample_portrait``), as a
decoded array and as its JPEG file: milliseconds per photo for one caller of an
in-process ``Analyzer()`` (all threads), two threads calling that Analyzer, and
two threads calling ``Analyzer(processes=2)`` (each call in one of two spawned
workers with one thread each, :mod:`skincore.processes`: an array crosses
through shared memory, a JPEG as its bytes), with their ratios to the one
in-process caller; then one caller of the process analyser (its latency: half
the cores). Each setting is warmed up first; medians are not taken (each figure
is one timed batch), so run it twice on a noisy machine.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from PIL import Image

from _timing import sample_portrait

SIZES = {"vga": (480, 640), "1080p": (1080, 1920), "12mp": (3024, 4032)}


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
    print(
        f"{'size':<7}{'input':<7}{'one caller':>11}{'2 threads':>11}{'ratio':>7}"
        f"{'2 callers, processes=2':>24}{'ratio':>7}{'1 caller, processes=2':>23}"
        "   (ms per photo)"
    )
    with skincore.Analyzer(processes=2) as procs:
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
                    two = _per_photo(ex, procs.analyze, image, args.repeat)
                with ThreadPoolExecutor(1) as ex:
                    lone = _per_photo(ex, procs.analyze, image, args.repeat)
                print(
                    f"{name:<7}{kind:<7}{one:>11.1f}{threads:>11.1f}{one / threads:>7.2f}"
                    f"{two:>24.1f}{one / two:>7.2f}{lone:>23.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
