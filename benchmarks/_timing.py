"""Timing helpers shared by the benchmark scripts.

Each benchmark times skincore and its fastest peer on the same input in the same
run and prints medians with the ratio ``peer / skincore`` (> 1 means skincore is
faster).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


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
