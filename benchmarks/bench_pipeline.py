"""Whole-pipeline benchmark: one skincore.Analyzer at VGA, 1080p and 12 MP.

Each size runs in a fresh subprocess so peak memory (ru_maxrss) is per size.
Inputs are the packaged sample photo resampled to each size (the face keeps its
share of the frame). Prints median latency per stage, throughput, peak RSS of one
caller, and the throughput (and peak RSS) of two concurrent callers on the same
Analyzer relative to one; then of two callers on ``Analyzer(processes=2)``
(column "2, procs": each call in one of two worker processes, the ratio to the
same one in-process caller; peak RSS is the calling process's only). With
concerns measured at once (``--workers 2``) stage times overlap and add up to
more than the median.

    python benchmarks/bench_pipeline.py [--repeat 15] [--threads 0] [--workers 1]
        [--sizes VGA,1080p,12MP]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

SIZES = {"VGA 480x640": (480, 640), "1080p 1080x1920": (1080, 1920), "12MP 3024x4032": (3024, 4032)}

CHILD = r"""
import json, resource, statistics, sys, time
import numpy as np
from PIL import Image
import skincore
w, h, repeat, threads, as_file, workers = (int(a) for a in sys.argv[1:7])
img = Image.open(skincore.sample_path()).convert("RGB")
# Crop the sample to the target aspect ratio around the face, then resample.
sw, sh = img.size
ar = w / h
cw, ch = (sw, round(sw / ar)) if sw / sh < ar else (round(sh * ar), sh)
cw, ch = min(cw, sw), min(ch, sh)
img = img.crop(((sw - cw) // 2, (sh - ch) // 2, (sw - cw) // 2 + cw, (sh - ch) // 2 + ch))
img = img.resize((w, h), Image.BILINEAR)
rgb = np.asarray(img)
import io
buf = io.BytesIO(); img.save(buf, "JPEG", quality=92); data = buf.getvalue()
src = data if as_file else rgb
# Peak RSS is the library's: the harness keeps no decoded copy it does not pass
# (a caller of analyze(bytes) holds only the file; of analyze(array), the array).
del img
if as_file:
    del rgb
an = skincore.Analyzer(threads=threads, concern_workers=workers)
an.analyze(src)  # warm-up: sessions, caches
lat, stages = [], {}
for _ in range(repeat):
    t = time.perf_counter()
    r = an.analyze(src)
    lat.append((time.perf_counter() - t) * 1e3)
    for k, v in r.meta.timings_ms.items():
        stages.setdefault(k, []).append(v)
peak_one = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# Two callers sharing the Analyzer: images per second against one caller.
from concurrent.futures import ThreadPoolExecutor
n = max(4, repeat // 2 * 2)
t = time.perf_counter()
for _ in range(n):
    an.analyze(src)
one = n / (time.perf_counter() - t)
with ThreadPoolExecutor(2) as ex:
    # Warm-up of the concurrent path: the Analyzer creates its one-thread ONNX
    # sessions (used while calls share the cores) on the first concurrent runs.
    list(ex.map(lambda _: an.analyze(src), range(2)))
    t = time.perf_counter()
    list(ex.map(lambda _: an.analyze(src), range(n)))
    two = n / (time.perf_counter() - t)
# The same two callers on an Analyzer that hands its calls to two worker processes.
with skincore.Analyzer(threads=threads, concern_workers=workers, processes=2) as procs:
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lambda _: procs.analyze(src), range(4)))  # worker start, warm-up
        t = time.perf_counter()
        list(ex.map(lambda _: procs.analyze(src), range(n)))
        two_procs = n / (time.perf_counter() - t)
print(json.dumps({
    "median_ms": statistics.median(lat), "min_ms": min(lat),
    "stages": {k: statistics.median(v) for k, v in stages.items()},
    "peak_rss_mb": peak_one,
    "peak_rss_2_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "provider": r.meta.provider, "concurrency_2": two / one,
    "concurrency_2_processes": two_procs / one,
}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="AnalyzerOptions.concern_workers")
    ap.add_argument("--sizes", default="VGA,1080p,12MP", help="comma-separated: VGA,1080p,12MP")
    args = ap.parse_args()
    wanted = args.sizes.split(",")
    print(
        f"== skincore.analyze() whole pipeline, threads={args.threads}, "
        f"concern_workers={args.workers}, median of {args.repeat}"
    )
    print(
        f"{'size':<18} {'input':<7} {'median ms':>10} {'min ms':>8} {'img/s':>7} "
        f"{'peak RSS MB':>12} {'2 callers':>9} {'RSS 2 MB':>9} {'2, procs':>9}  stages (median ms)"
    )
    for name, (w, h) in SIZES.items():
        if not any(name.startswith(x) for x in wanted):
            continue
        for as_file in (0, 1):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(w),
                    str(h),
                    str(args.repeat),
                    str(args.threads),
                    str(as_file),
                    str(args.workers),
                ],
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(f"{name} {'jpeg' if as_file else 'array'}: failed\n{out.stderr[-3000:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            stages = " ".join(f"{k}={v:.1f}" for k, v in r["stages"].items())
            print(
                f"{name:<18} {'jpeg' if as_file else 'array':<7} {r['median_ms']:>10.1f} "
                f"{r['min_ms']:>8.1f} {1000 / r['median_ms']:>7.1f} {r['peak_rss_mb']:>12.0f} "
                f"{r['concurrency_2']:>8.2f}x {r['peak_rss_2_mb']:>9.0f} "
                f"{r['concurrency_2_processes']:>8.2f}x  "
                f"{stages}"
            )
    print(f"provider: {r['provider']}")


if __name__ == "__main__":
    main()
