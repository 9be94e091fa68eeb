"""Time the wrinkles and roughness concerns alone on the 1080p sample (issue 6).

The packaged sample resampled to 1080x1920 as in ``bench_pipeline.py``; one
analysis builds the face's texture grid, then each repetition measures the two
concerns on a fresh copy of it (memo caches empty, region masks and the 4 px/mm
grid already built, so only the concerns' own work is timed). Prints the median
wall time (``--threads``) and the median CPU time of the calling thread with
``threads=1`` (robust on a shared machine).

Before/after: run it with ``PYTHONPATH`` pointing at each tree's ``python/``
(the script only uses APIs present before the speed work), e.g.

    PYTHONPATH=python python benchmarks/bench_concern_stages.py --repeat 11
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable

import skincore
from _timing import sample_portrait
from skincore.concerns import roughness, wrinkles
from skincore.pipeline import texture_context


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    rgb = sample_portrait(1080, 1920)
    analysis = skincore.Analyzer(threads=args.threads).analyze(rgb)
    tex = texture_context(analysis, rgb, threads=args.threads)
    grid = tex.rescaled(wrinkles.WORK_PX_PER_MM, threads=args.threads)
    for name in grid.masks:
        grid.masks[name]  # rasterise once: the concerns' own work is timed

    def fresh() -> object:
        c = dataclasses.replace(tex)  # empty memo cache
        c._cache[("rescaled", float(wrinkles.WORK_PX_PER_MM))] = dataclasses.replace(grid)
        return c

    concerns: dict[str, Callable[..., object]] = {
        "wrinkles": wrinkles.measure_wrinkles,
        "roughness": roughness.measure_roughness,
    }
    wall: dict[str, list[float]] = {k: [] for k in concerns}
    cpu: dict[str, list[float]] = {k: [] for k in concerns}
    for _ in range(args.repeat):
        for k, fn in concerns.items():  # interleaved
            c = fresh()
            t = time.perf_counter()
            fn(c, threads=args.threads)
            wall[k].append((time.perf_counter() - t) * 1e3)
            c = fresh()
            t = time.thread_time()
            fn(c, threads=1)
            cpu[k].append((time.thread_time() - t) * 1e3)
    print(f"median of {args.repeat}: wall ms (threads={args.threads}), CPU ms (threads=1)")
    for k in concerns:
        w, c = statistics.median(wall[k]), statistics.median(cpu[k])
        print(f"{k:<10} wall {w:7.1f}   cpu {c:7.1f}")


if __name__ == "__main__":
    main()
