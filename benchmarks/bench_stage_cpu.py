"""CPU milliseconds of each pipeline stage on the calling thread (issue 6).

One :class:`skincore.Analyzer` with ``threads=1`` and one concern worker runs every
kernel, every ONNX model and every concern on the calling thread, so the CPU time
of that thread (:func:`time.thread_time`) per stage is what the stage costs,
robust against other processes on a shared machine (wall medians of
``bench_pipeline.py`` move by 10-30 % there).

Two tables:

* ``pipeline``: whole analyses, the pipeline's stage clock (``meta.timings_ms``)
  switched to thread CPU time for the run;
* ``concerns``: each concern alone on a fresh :class:`FaceWork` whose shared maps
  and earlier concerns (registry order) are already computed, so only what the
  concern adds in the pipeline is timed (``--concerns`` picks them), plus
  ``regions`` (segmentation and the colour grid's masks).

Before/after: run it with ``PYTHONPATH`` pointing at each tree's ``python/``::

    PYTHONPATH=python python benchmarks/bench_stage_cpu.py --repeat 11 --size 1080p

``--threads 2`` gives the kernels and the ONNX models a second thread: the calling
thread's CPU is then the work left on the critical path (what the workers took off
it is not counted), and ``total, all threads`` adds the workers' CPU (process time).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import skincore
from _timing import sample_portrait
from skincore.concerns.registry import REGISTRY, resolve_params
from skincore.concerns.work import FaceWork

SIZES = {"vga": (480, 640), "1080p": (1080, 1920), "12mp": (3024, 4032)}

#: Stages issue 6's speed work targets (``--concerns`` default).
TARGETS = ("pigmentation", "tone", "redness", "oiliness", "moisture", "radiance")


def pipeline_stages(an: skincore.Analyzer, rgb: object, repeat: int) -> dict[str, float]:
    """Median thread CPU ms of each stage of ``an.analyze(rgb)``, and the totals.

    ``total`` is the calling thread's; ``total, all threads`` the process's (the
    workers' CPU included).
    """
    stages: dict[str, list[float]] = {}
    total: list[float] = []
    process: list[float] = []
    wall_clock = time.perf_counter
    time.perf_counter = time.thread_time  # the stage clock counts this thread's CPU
    try:
        for _ in range(repeat):
            p = time.process_time()
            t = time.thread_time()
            r = an.analyze(rgb)
            total.append((time.thread_time() - t) * 1e3)
            process.append((time.process_time() - p) * 1e3)
            for k, v in r.meta.timings_ms.items():
                stages.setdefault(k, []).append(v)
    finally:
        time.perf_counter = wall_clock
    out = {"total": statistics.median(total), "total, all threads": statistics.median(process)}
    out.update({k: statistics.median(v) for k, v in stages.items()})
    return out


def concern_stages(
    an: skincore.Analyzer, rgb: object, names: list[str], repeat: int, threads: int = 1
) -> dict[str, float]:
    """Median thread CPU ms of each named concern alone (earlier ones precomputed)."""
    points = an.analyze(rgb).faces[0].geometry.landmarks
    params = resolve_params(None)
    order = list(REGISTRY)

    def fresh(upto: str | None) -> FaceWork:
        work = FaceWork(rgb, points, threads=threads, sessions=an.session)  # type: ignore[arg-type]
        if upto is None:
            return work
        _ = (work.colour, work.face_stats)  # the shared maps: not timed
        for name in order[: order.index(upto)]:
            work.result_of(REGISTRY[name], params[name])
        return work

    jobs: dict[str, tuple[str | None, Callable[[FaceWork], object]]] = {
        "regions": (None, lambda w: w.colour),
    }
    for name in names:
        jobs[name] = (name, lambda w, n=name: w.result_of(REGISTRY[n], params[n]))
    runs: dict[str, list[float]] = {k: [] for k in jobs}
    for _ in range(repeat):
        for k, (upto, fn) in jobs.items():  # interleaved
            work = fresh(upto)
            t = time.thread_time()
            fn(work)
            runs[k].append((time.thread_time() - t) * 1e3)
    return {k: statistics.median(v) for k, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--size", choices=sorted(SIZES), default="1080p")
    ap.add_argument("--concerns", default=",".join(TARGETS))
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="kernel and ONNX threads")
    args = ap.parse_args()
    rgb = sample_portrait(*SIZES[args.size])
    an = skincore.Analyzer(threads=args.threads, concern_workers=1)
    an.analyze(rgb)  # warm-up: sessions, caches
    names = [n for n in args.concerns.split(",") if n]
    print(
        f"{args.size}: median CPU ms of the calling thread over {args.repeat} runs,"
        f" threads={args.threads}"
    )
    stages = concern_stages(an, rgb, names, args.repeat, args.threads)
    print("concerns alone (earlier concerns and shared maps precomputed):")
    for k, v in stages.items():
        print(f"  {k:<14} {v:7.2f}")
    if not args.skip_pipeline:
        print("pipeline stages:")
        for k, v in sorted(pipeline_stages(an, rgb, args.repeat).items(), key=lambda kv: -kv[1]):
            print(f"  {k:<14} {v:7.2f}")


if __name__ == "__main__":
    main()
