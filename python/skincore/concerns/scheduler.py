"""Measure the concerns of one face on several threads at once.

Most of a concern's time is spent in C++ kernels and ONNX Runtime with the GIL
released, between stretches of Python. Two concerns measured at once fill each
other's gaps. The intermediates they share are computed once either way
(:meth:`FaceWork.memo` locks per key), and every concern reads only those, so the
results do not depend on the number of workers or on the order they run in.

The calling thread measures too: a call never waits for a worker that is busy
with another call's face. Workers pick up whatever of this face is still queued;
what none has picked up when the caller has measured the rest is withdrawn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from skincore.concerns.base import Concern


class ConcernPool:
    """Threads an :class:`~skincore.Analyzer` lends to the concerns of each face.

    Parameters
    ----------
    workers : int
        Concerns measured at once per face, counting the calling thread
        (1 = one after another, no extra thread).
    """

    def __init__(self, workers: int) -> None:
        self.workers = int(workers)
        self._executor = (
            ThreadPoolExecutor(self.workers - 1, thread_name_prefix="skincore-concern")
            if self.workers > 1
            else None
        )

    def measure(
        self, work: Any, specs: Sequence[Concern], params: Mapping[str, Any]
    ) -> dict[str, tuple[Any, float]]:
        """Measure ``specs`` on one face.

        Parameters
        ----------
        work : FaceWork
            The face's workspace.
        specs : sequence of Concern
            The concerns, in registry order (the order they are started in).
        params : mapping of str to object
            Each concern's ``Params`` by name.

        Returns
        -------
        dict of str to (object, float)
            Per concern: its result and the milliseconds from its start to its end
            (waits for an intermediate another concern is computing included).

        Raises
        ------
        Exception
            The first error of the concerns in registry order, after every
            started concern has ended.
        """
        queue = list(reversed(specs))
        lock = threading.Lock()
        out: dict[str, tuple[Any, float]] = {}
        errors: dict[str, Exception] = {}

        def drain() -> None:
            while True:
                with lock:
                    if not queue or errors:
                        return
                    spec = queue.pop()
                t0 = time.perf_counter()
                try:
                    result = work.result_of(spec, params[spec.name])
                except Exception as exc:  # re-raised by the caller, in registry order
                    with lock:
                        errors[spec.name] = exc
                    return
                out[spec.name] = (result, (time.perf_counter() - t0) * 1e3)

        helpers: list[Future[None]] = []
        if self._executor is not None and len(specs) > 1:
            n = min(self.workers - 1, len(specs) - 1)
            helpers = [self._executor.submit(drain) for _ in range(n)]
        drain()
        for f in helpers:
            if not f.cancel():  # started: it is measuring one of ours
                f.result()
        if errors:
            first = next(s.name for s in specs if s.name in errors)
            raise errors[first]
        return out
