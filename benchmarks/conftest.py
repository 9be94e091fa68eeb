"""pytest-benchmark set-up for ``pytest benchmarks/ --benchmark-only``.

Every benchmark test times skincore with the ``benchmark`` fixture (saved by
``--benchmark-autosave``/``--benchmark-save``, compared by ``--benchmark-compare``)
and its fastest peer in the same test with :func:`_timing.median_ms`; the ratio
``peer / skincore`` (> 1: skincore faster) goes into the saved JSON
(``extra_info``) and into a table printed at the end of the run.

Sizes: ``SKINCORE_BENCH_SIZES`` (default ``1080,4096``); threads:
``SKINCORE_BENCH_THREADS`` (default ``1,2``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Row, median_ms  # noqa: E402

SIZES = [int(v) for v in os.environ.get("SKINCORE_BENCH_SIZES", "1080,4096").split(",")]
THREADS = [int(v) for v in os.environ.get("SKINCORE_BENCH_THREADS", "1,2").split(",")]

_ROWS: list[Row] = []


@pytest.fixture
def compare(benchmark) -> Callable[..., Row]:
    """Time ``ours`` with pytest-benchmark and ``peer_fn`` alike; record the ratio."""

    def run(case: str, ours: Callable[[], object], peer: str, peer_fn: Callable[[], object]) -> Row:
        benchmark.extra_info["case"] = case
        benchmark(ours)
        stats = getattr(benchmark, "stats", None)
        if stats is None:  # --benchmark-disable: ran once, nothing to compare
            return Row(case, float("nan"), peer, float("nan"))
        ours_ms = stats.stats.median * 1e3
        rounds = max(3, min(15, len(stats.stats.data)))
        peer_ms = median_ms(peer_fn, repeat=rounds, warmup=1)
        row = Row(case, ours_ms, peer, peer_ms)
        benchmark.extra_info.update(peer=peer, peer_ms=peer_ms, ratio=row.ratio)
        _ROWS.append(row)
        return row

    return run


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: D103
    if not _ROWS:
        return
    tr = terminalreporter
    tr.section("skincore vs peers (ratio = peer / skincore, > 1: skincore faster)")
    tr.write_line(f"{'case':<40} {'skincore ms':>12} {'peer':<30} {'peer ms':>10} {'ratio':>7}")
    for r in _ROWS:
        tr.write_line(
            f"{r.case:<40} {r.ours_ms:>12.3f} {r.peer:<30} {r.peer_ms:>10.3f} {r.ratio:>6.2f}x"
        )
