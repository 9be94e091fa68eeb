"""Size of the kernel thread pool.

Every compiled kernel runs its row stripes on one process-wide pool of
persistent threads (no thread is started per call). A kernel call with
``threads=0`` uses the whole pool, ``threads=n`` at most ``n`` of its threads
(capped at the pool size); the calling thread always works on its own call, so
many Python threads may call kernels at once without starting more threads.
Results never depend on the number of threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import numpy as np

from skincore import _core
from skincore._checks import MAX_THREADS

__all__ = ["SideWorker", "ThreadShare", "get_num_threads", "set_num_threads"]

_T = TypeVar("_T")


def set_num_threads(n: int) -> None:
    """Set the size of the kernel thread pool.

    Parameters
    ----------
    n : int
        Threads of execution one kernel call may use, the calling thread
        included (``1`` runs every kernel on the caller alone), in ``[1, 256]``.
        The default is the number of hardware threads. If the operating system
        refuses to start a thread, the pool stays smaller
        (:func:`get_num_threads` tells).

    Raises
    ------
    ValueError
        Naming ``n`` when it is not an int in ``[1, 256]``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= MAX_THREADS:
        raise ValueError(f"n: expected an int in [1, {MAX_THREADS}], got {n!r}")
    _core.set_num_threads(int(n))


def get_num_threads() -> int:
    """Return the size of the kernel thread pool.

    Returns
    -------
    int
        The most threads one kernel call uses (what ``threads=0`` means).
    """
    return int(_core.get_num_threads())


class ThreadShare:
    """One thread budget divided among the calls in flight.

    A long-lived :class:`skincore.Analyzer` holds one. A call alone uses the whole
    budget; with ``n`` calls in flight each kernel call takes ``budget // n``
    threads (at least 1). The share is read again at every kernel call, so a call
    that started alone gives its extra threads back as soon as another starts, and
    takes them again when it is alone. Without this, two calls on a 2-core machine
    each ask the pool for both cores: the pool's worker then competes with the two
    calling threads, one of which holds Python's lock, and both wait.

    Results do not depend on it: every kernel gives bit-identical results for any
    thread count.

    Parameters
    ----------
    budget : int, optional
        Threads of execution for all calls together (0 = the kernel pool's size,
        :func:`get_num_threads`, read at each call).
    """

    def __init__(self, budget: int = 0) -> None:
        self._budget = int(budget)
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def budget(self) -> int:
        """Threads for all calls together (the pool size when created with 0)."""
        return self._budget if self._budget > 0 else get_num_threads()

    @property
    def in_flight(self) -> int:
        """Calls entered with :meth:`call` and not yet left."""
        return self._in_flight

    def threads(self) -> int:
        """Threads one kernel call of a call in flight may use now (>= 1)."""
        return max(1, self.budget // max(1, self._in_flight))

    @contextmanager
    def call(self) -> Iterator[ThreadShare]:
        """Count one call in flight for the duration of the ``with`` block."""
        with self._lock:
            self._in_flight += 1
        try:
            yield self
        finally:
            with self._lock:
                self._in_flight -= 1


class SideWorker:
    """One persistent thread an :class:`~skincore.Analyzer` lends to one job at a time.

    A face's segmentation model runs on it while the calling thread measures what
    does not need the segmentation (:meth:`FaceWork.prefetch
    <skincore.concerns.work.FaceWork.prefetch>`). The thread is started on the
    first job and kept (no thread is started per call); a call never waits for
    it: while it runs another call's job, :meth:`try_submit` declines and the
    caller does that work itself.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._busy = threading.Lock()  # held from a job's submission to its end

    def try_submit(self, fn: Callable[[], _T]) -> Future[_T] | None:
        """Run ``fn()`` on the worker thread, or return None when it is busy.

        Parameters
        ----------
        fn : callable
            The job; its result or exception is the future's.

        Returns
        -------
        concurrent.futures.Future or None
            The job's future; None while the worker runs another job.
        """
        if not self._busy.acquire(blocking=False):
            return None

        def job() -> _T:
            try:
                return fn()
            finally:
                self._busy.release()

        try:
            if self._executor is None:  # only the holder of _busy gets here
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="skincore-side")
            return self._executor.submit(job)
        except BaseException:
            self._busy.release()
            raise
