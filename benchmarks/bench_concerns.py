"""Per-concern time at 1080p, optionally against a baseline copy of the package.

Runs every registered concern on one face (the packaged sample at 1080x1920, as
``bench_pipeline.py`` makes it) the way the pipeline does: a fresh ``FaceWork``
per analysis, the concerns in registry order through ``work.result_of``, each
one's time taken when it returns (so a shared intermediate counts for the first
concern that asks for it). Prints the median per concern.

With ``--baseline DIR`` (a directory holding another ``skincore`` package, e.g.
a copy of the tree before a change, with its compiled ``_core``), child
processes of the two versions alternate, ``--chunk`` analyses each, until each
version has ``--repeat`` analyses; the table shows both medians and the ratio
``baseline / current`` (> 1: the current tree is faster). (One process cannot
hold two builds of the compiled core: CPython keeps the first one loaded.)::

    python benchmarks/bench_concerns.py [--repeat 11] [--baseline /tmp/old] [--clock cpu]

``--clock cpu`` measures the CPU time of all the process's threads (the work
done, which the other load of a shared machine disturbs less than latency)
instead of the wall time; ``--threads`` sets the kernels' threads (0 = the pool).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _timing import run_with_tree, sample_portrait

HERE = Path(__file__).resolve().parent


def _child(runs: int, clock: str = "wall", threads: int = 0) -> list[dict[str, float]]:
    """Time ``runs`` analyses' concerns with the ``skincore`` on ``sys.path``."""
    import skincore
    from skincore.concerns.registry import REGISTRY
    from skincore.concerns.work import FaceWork

    rgb = sample_portrait(1080, 1920)
    points = skincore.Analyzer().analyze(rgb).faces[0].geometry.landmarks
    now = time.process_time if clock == "cpu" else time.perf_counter
    out = []
    for i in range(runs + 1):  # the first is a warm-up
        work = FaceWork(rgb, points, threads=threads)
        row: dict[str, float] = {}
        t = now()
        _ = work.colour, work.colour_lab, work.texture
        row["(grids)"] = (now() - t) * 1e3
        for name, spec in REGISTRY.items():
            t = now()
            work.result_of(spec, spec.params())
            row[name] = (now() - t) * 1e3
        if i:
            out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--chunk", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=None)
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.clock, args.threads)))
        return
    paths = {"current": HERE.parent / "python"}
    if args.baseline is not None:
        paths = {"baseline": args.baseline.resolve(), **paths}
    rows: dict[str, list[dict[str, float]]] = {v: [] for v in paths}
    order = list(paths.items())
    extra = ["--clock", args.clock, "--threads", str(args.threads)]
    while min(len(r) for r in rows.values()) < args.repeat:
        order.reverse()  # who goes first alternates: no position bias
        for v, p in order:
            n = min(args.chunk, args.repeat - len(rows[v])) or 1
            rows[v] += run_with_tree(__file__, p, ["--child", str(n), *extra])
    med = {v: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for v, rs in rows.items()}
    names = list(med["current"])
    print(
        f"== per-concern {args.clock} time, 1080x1920 sample, threads={args.threads}, "
        f"median of {args.repeat} (ms)"
    )
    if "baseline" in med:
        print(f"{'concern':<14} {'baseline':>9} {'current':>9} {'ratio':>7}")
        for k in names:
            b, c = med["baseline"].get(k, float("nan")), med["current"][k]
            print(f"{k:<14} {b:>9.2f} {c:>9.2f} {b / c:>6.2f}x")
        b, c = sum(med["baseline"].values()), sum(med["current"].values())
        print(f"{'total':<14} {b:>9.2f} {c:>9.2f} {b / c:>6.2f}x")
    else:
        for k in names:
            print(f"{k:<14} {med['current'][k]:>9.2f}")
        print(f"{'total':<14} {sum(med['current'].values()):>9.2f}")


if __name__ == "__main__":
    main()
