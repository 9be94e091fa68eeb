"""Where ``np.rot90`` moves points: for tests that turn photos."""

from __future__ import annotations

import numpy as np


def rot90_points(points: np.ndarray, k: int, height: int, width: int) -> np.ndarray:
    """Where ``np.rot90(image, k)`` moves continuous ``(x, y)`` image coordinates.

    ``height`` and ``width`` are the image's before the turn.
    """
    p = np.asarray(points, np.float64)[:, :2].copy()
    for i in range(k % 4):
        w = width if i % 2 == 0 else height
        p = np.stack([p[:, 1], w - p[:, 0]], axis=1)
    return p
