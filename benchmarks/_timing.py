"""Timing helpers shared by the benchmark scripts.

Each benchmark times skincore and its fastest peer on the same input in the same
run and prints medians with the ratio ``peer / skincore`` (> 1 means skincore is
faster).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One line of a benchmark table."""

    case: str
    ours_ms: float
    peer: str
    peer_ms: float

    @property
    def ratio(self) -> float:
        return self.peer_ms / self.ours_ms if self.ours_ms > 0 else float("nan")


def median_ms(
    fn: Callable[[], object], *, repeat: int = 15, warmup: int = 2, min_time_s: float = 0.0
) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``repeat`` runs."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < repeat or time.perf_counter() - start < min_time_s:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def print_table(title: str, rows: list[Row]) -> None:
    """Print rows as a fixed-width table with the peer/skincore ratio."""
    print(f"\n== {title}")
    print(f"{'case':<44} {'skincore ms':>12} {'peer':<28} {'peer ms':>10} {'ratio':>7}")
    for r in rows:
        print(f"{r.case:<44} {r.ours_ms:>12.3f} {r.peer:<28} {r.peer_ms:>10.3f} {r.ratio:>6.2f}x")


def sample_portrait(width: int, height: int) -> Any:
    """The packaged sample photo as a ``(height, width, 3)`` uint8 array.

    Cropped around its centre to the target aspect ratio, then resampled
    (bilinear): the face keeps its share of the frame at every size.
    """
    import numpy as np
    from PIL import Image

    import skincore

    img = Image.open(skincore.sample_path()).convert("RGB")
    sw, sh = img.size
    ar = width / height
    cw, ch = (sw, round(sw / ar)) if sw / sh < ar else (round(sh * ar), sh)
    cw, ch = min(cw, sw), min(ch, sh)
    x0, y0 = (sw - cw) // 2, (sh - ch) // 2
    img = img.crop((x0, y0, x0 + cw, y0 + ch)).resize((width, height), Image.BILINEAR)
    return np.asarray(img)


def run_with_tree(script: str, python_dir: Path, args: list[str]) -> Any:
    """Run ``script`` with ``python_dir`` as its ``skincore``; return its last line's JSON.

    One process cannot load two builds of ``_core``, so benchmarks comparing a tree
    with a baseline copy run each in child processes, alternately.
    """
    env = dict(os.environ, PYTHONPATH=str(python_dir))
    cmd = [sys.executable, script, *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])
