"""An image's pixels inside a polygon or a mask, read on a bounded regular subsample.

The face checks that judge a whole region by a percentile or a median (the eyes'
contrast, the skin's colour) need a fair sample of its pixels, not all of them:
:func:`region_pixels` reads every k-th row and column of the region's box, k the
smallest step that leaves at most :data:`MAX_SAMPLES` pixels, so the cost does not
grow with the photo's resolution; :func:`mask_pixels` reads every k-th pixel of a
mask.
"""

from __future__ import annotations

import math

import numpy as np

from skincore import geometry

#: Most pixels of a region's box read (every k-th row and column of larger ones).
MAX_SAMPLES = 4096


def region_pixels(rgb: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """RGB pixels of the photo inside a polygon (a regular subsample).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    polygon : numpy.ndarray
        ``(K, 2)`` vertices in image pixels; the part outside the photo is not
        read.

    Returns
    -------
    numpy.ndarray
        ``(N, 1, 3)`` uint8 C-contiguous pixels inside (pixel centres, as
        :func:`skincore.geometry.fill_polygons`) on a grid of every k-th row and
        column of the polygon's box, k the smallest step that leaves at most
        :data:`MAX_SAMPLES` pixels of the box (1 for small regions: every pixel);
        ``N`` is 0 when none is inside, or when the polygon has fewer than three
        vertices or a non-finite one. The ``(N, 1, 3)`` shape is an image the
        colour conversions of :mod:`skincore.color` take as it is.
    """
    none = np.zeros((0, 1, 3), np.uint8)
    h, w = rgb.shape[:2]
    poly = np.asarray(polygon, np.float64)[:, :2]
    if poly.shape[0] < 3 or not np.all(np.isfinite(poly)):
        return none
    x0 = max(0, int(math.floor(poly[:, 0].min())))
    y0 = max(0, int(math.floor(poly[:, 1].min())))
    x1 = min(w, int(math.ceil(poly[:, 0].max())) + 1)
    y1 = min(h, int(math.ceil(poly[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return none
    k = max(1, math.ceil(math.sqrt((x1 - x0) * (y1 - y0) / MAX_SAMPLES)))
    # pixel (i, j) of the coarse grid is the photo's pixel (y0 + i k, x0 + j k):
    # the polygon mapped by (p - origin) / k holds its centre exactly when the
    # polygon holds the photo pixel's
    grid = (-(-(y1 - y0) // k), -(-(x1 - x0) // k))
    mask = geometry.fill_polygons((poly - (x0, y0)) / k, grid, threads=1)
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return none
    return np.ascontiguousarray(rgb[ys * k + y0, xs * k + x0].reshape(-1, 1, 3))


def mask_pixels(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Pixels of an image under a mask (a regular subsample).

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W, C)`` image (e.g. CIELAB of a grid).
    mask : numpy.ndarray
        ``(H, W)`` bool mask.

    Returns
    -------
    numpy.ndarray
        ``(N, C)``: every k-th pixel of the mask in row-major order, k the smallest
        step that leaves at most :data:`MAX_SAMPLES`; ``N`` is 0 for an empty mask.
    """
    idx = np.flatnonzero(mask)
    step = max(1, -(-idx.size // MAX_SAMPLES))
    return image.reshape(-1, image.shape[-1])[idx[::step]]
