"""Argument checks shared by the kernel wrappers."""

from __future__ import annotations

import numpy as np

MAX_THREADS = 256
"""Largest ``threads`` argument (and pool size) accepted."""


def check_threads(threads: object) -> int:
    """Validate a ``threads`` argument: an int in ``[0, 256]``.

    ``0`` means the size of the kernel thread pool
    (:func:`skincore.threads.get_num_threads`); larger values are capped at the
    pool size. Results never depend on it.

    Parameters
    ----------
    threads : object
        The value passed by the caller.

    Returns
    -------
    int
        ``threads`` as a Python int.

    Raises
    ------
    ValueError
        Naming ``threads`` when it is not an int (bools and floats refused) in
        ``[0, 256]``.
    """
    if (
        isinstance(threads, bool)
        or not isinstance(threads, int | np.integer)
        or not 0 <= threads <= MAX_THREADS
    ):
        raise ValueError(
            f"threads: expected an int in [0, {MAX_THREADS}] (0 = the thread pool size), "
            f"got {threads!r}"
        )
    return int(threads)
