"""Face set-up time (segmentation, region masks, quality inputs, texture grid) per size.

Times what every analysis does for one face before its concerns run, the way the
pipeline does it, on the packaged sample resampled to 1080x1920 and 3024x4032
(as ``bench_pipeline.py`` makes them): a fresh ``FaceWork`` per analysis, then

* ``regions`` -- ``work.colour`` (segmentation, polygons, colour grid, beard, skin
  masks; the pipeline's ``regions`` stage);
* ``quality`` -- ``work.face_stats``, ``hair_occlusion`` and ``detect_glasses``
  (the image measurements of the pipeline's ``quality`` stage);
* ``texture`` -- ``work.texture`` (the texture grid the first texture concern builds).

With ``--baseline DIR`` (another ``skincore`` package with its compiled ``_core``,
e.g. a copy of ``python/`` before a change), child processes of the two versions
alternate (which goes first alternates too), ``--chunk`` analyses each, until each
has ``--repeat``; the table shows both medians and ``baseline / current`` (> 1: the
current tree is faster). ``--current DIR`` times another package instead of this
tree's ``python/``::

    python benchmarks/bench_face_setup.py [--repeat 11] [--baseline /tmp/old] [--clock cpu]

``--clock cpu`` measures the CPU time of all the process's threads instead of the
wall time: the work done, which a loaded machine disturbs less than latency.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _timing import run_with_tree, sample_portrait

HERE = Path(__file__).resolve().parent
SIZES = {"1080p": (1080, 1920), "12MP": (3024, 4032)}
STAGES = ("regions", "quality", "texture")


def _child(size: str, runs: int, clock: str) -> list[dict[str, float]]:
    """Time ``runs`` face set-ups with the ``skincore`` on ``sys.path``."""
    now = time.process_time if clock == "cpu" else time.perf_counter
    import skincore
    from skincore.concerns.work import FaceWork
    from skincore.face.glasses import detect_glasses
    from skincore.face.skinmask import hair_occlusion

    rgb = sample_portrait(*SIZES[size])
    an = skincore.Analyzer()
    points = an.analyze(rgb).faces[0].geometry.landmarks
    out = []
    for i in range(runs + 1):  # the first is a warm-up
        work = FaceWork(rgb, points, threads=0, sessions=an.session)
        t0 = now()
        _ = work.colour
        t1 = now()
        _ = work.face_stats
        hair_occlusion(work.segmentation, points)
        detect_glasses(rgb, points)
        t2 = now()
        _ = work.texture
        t3 = now()
        if i:
            out.append(
                {"regions": (t1 - t0) * 1e3, "quality": (t2 - t1) * 1e3, "texture": (t3 - t2) * 1e3}
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--chunk", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=None)
    ap.add_argument("--current", type=Path, default=None, help="default: this tree's python/")
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: latency; cpu: CPU time of all the process's threads (the work done)",
    )
    ap.add_argument("--child", nargs=3, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), args.child[2])))
        return
    paths = {"current": (args.current or HERE.parent / "python").resolve()}
    if args.baseline is not None:
        paths = {"baseline": args.baseline.resolve(), **paths}
    for size in args.sizes.split(","):
        rows: dict[str, list[dict[str, float]]] = {v: [] for v in paths}
        order = list(paths.items())
        while min(len(r) for r in rows.values()) < args.repeat:
            order.reverse()  # who goes first alternates: no position bias
            for v, p in order:
                n = min(args.chunk, args.repeat - len(rows[v])) or 1
                rows[v] += run_with_tree(__file__, p, ["--child", size, str(n), args.clock])
        med = {
            v: {k: statistics.median(r[k] for r in rs) for k in STAGES} for v, rs in rows.items()
        }
        print(f"== face set-up, {size}, {args.clock} time, median of {args.repeat} (ms)")
        if "baseline" in med:
            print(f"{'stage':<10} {'baseline':>9} {'current':>9} {'ratio':>7}")
            for k in (*STAGES, "total"):
                b = sum(med["baseline"].values()) if k == "total" else med["baseline"][k]
                c = sum(med["current"].values()) if k == "total" else med["current"][k]
                print(f"{k:<10} {b:>9.2f} {c:>9.2f} {b / c:>6.2f}x")
        else:
            for k in STAGES:
                print(f"{k:<10} {med['current'][k]:>9.2f}")
            print(f"{'total':<10} {sum(med['current'].values()):>9.2f}")


if __name__ == "__main__":
    main()
