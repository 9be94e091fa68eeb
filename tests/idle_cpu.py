"""How much CPU a process burns while its calling thread sleeps (busy-waiting workers)."""

from __future__ import annotations

import time
from collections.abc import Callable


def idle_cpu_after(work: Callable[[], object], *, sleep_s: float = 0.2, runs: int = 3) -> float:
    """Median process CPU seconds spent in the ``sleep_s`` after each of ``runs`` calls of ``work``.

    The calling thread sleeps, so what is counted is the other threads' work: a
    thread pool's workers still spinning after their job.
    """
    idle = []
    for _ in range(runs):
        work()
        c0 = time.process_time()
        time.sleep(sleep_s)
        idle.append(time.process_time() - c0)
    return sorted(idle)[len(idle) // 2]
