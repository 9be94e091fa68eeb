"""Size of the kernel thread pool.

Every compiled kernel runs its row stripes on one process-wide pool of
persistent threads (no thread is started per call). A kernel call with
``threads=0`` uses the whole pool, ``threads=n`` at most ``n`` of its threads
(capped at the pool size); the calling thread always works on its own call, so
many Python threads may call kernels at once without starting more threads.
Results never depend on the number of threads.
"""

from __future__ import annotations

import numpy as np

from skincore import _core
from skincore._checks import MAX_THREADS

__all__ = ["get_num_threads", "set_num_threads"]


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
