"""Argument checks shared by the kernel wrappers."""

from __future__ import annotations

import numpy as np


def check_threads(threads: object) -> int:
    """Validate a ``threads`` argument: an integer >= 0 (0 = all hardware threads).

    Raises
    ------
    ValueError
        Naming ``threads`` when it is not a non-negative integer (bools refused).
    """
    if isinstance(threads, bool) or not isinstance(threads, int | np.integer) or threads < 0:
        raise ValueError(
            f"threads: expected an int >= 0 (0 = all hardware threads), got {threads!r}"
        )
    return int(threads)
