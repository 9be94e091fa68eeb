"""Synthetic glasses: dark plastic frames painted along a face's landmarks."""

from __future__ import annotations

import numpy as np


def frame_pixels(rgb: np.ndarray, lm: np.ndarray, *, rims: bool = True) -> np.ndarray:
    """(H, W) bool: dark plastic frames, two elliptical rims round the eyes and a bridge bar.

    ``rims=False``: the bridge bar alone (a dark bar across the nasal root, as a
    deep crease or a shadow makes it, without the rims of a frame).
    """
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    iod = float(np.linalg.norm(lm[33, :2] - lm[263, :2]))
    thick = 0.035 * iod
    frame = np.zeros((h, w), bool)
    for a, b in ((33, 133), (362, 263)) if rims else ():
        c = (lm[a, :2] + lm[b, :2]) / 2
        rx, ry = 0.32 * iod, 0.22 * iod
        r = np.sqrt(((xx - c[0]) / rx) ** 2 + ((yy - c[1]) / ry) ** 2)
        frame |= np.abs(r - 1.0) * min(rx, ry) < thick / 2
    y_b = lm[168, 1] - 0.02 * iod
    x_l = (lm[33, 0] + lm[133, 0]) / 2 + 0.3 * iod
    x_r = (lm[362, 0] + lm[263, 0]) / 2 - 0.3 * iod
    frame |= (np.abs(yy - y_b) < thick / 2) & (xx > x_l) & (xx < x_r)
    return frame


def paint_frames(rgb: np.ndarray, lm: np.ndarray, *, rims: bool = True) -> np.ndarray:
    """The photo with :func:`frame_pixels` painted near-black (30, 26, 24)."""
    out = rgb.copy()
    out[frame_pixels(rgb, lm, rims=rims)] = (30, 26, 24)
    return out
