"""Geometry kernels: Gaussian blur (resize and polygon rasterisation to follow)."""

from __future__ import annotations

import numpy as np

from skincore import _core


def gaussian_blur(
    image: np.ndarray,
    sigma: float,
    *,
    truncate: float = 4.0,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Blur a single-channel float32 image with a separable Gaussian.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` float32 image. Rows may be strided (a crop of a larger array);
        pixels within a row must be contiguous.
    sigma : float
        Standard deviation in pixels, > 0.
    truncate : float, optional
        The kernel radius is ``int(truncate * sigma + 0.5)`` (SciPy's rule).
    out : numpy.ndarray, optional
        ``(H, W)`` float32 output; may be ``image`` itself.
    threads : int, optional
        Worker threads; 0 uses every hardware thread. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        The blurred image. Borders reflect without repeating the edge sample
        (SciPy ``mode="mirror"``, OpenCV ``BORDER_REFLECT_101``).
    """
    if out is None:
        out = np.empty(np.shape(image)[:2], dtype=np.float32)
    _core.geometry.gaussian_blur(image, out, float(sigma), float(truncate), int(threads))
    return out
