"""Mask layers stored on crop grids, mapped back onto the photo's pixels."""

from __future__ import annotations

import numpy as np

from skincore.analysis import MaskLayer


def mask_to_image(layer: MaskLayer, width: int, height: int) -> np.ndarray:
    """Map a :class:`MaskLayer` back onto the image grid (nearest cell).

    Parameters
    ----------
    layer : MaskLayer
        Mask, origin and scale.
    width, height : int
        Image size.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` bool, True where the mask is set.
    """
    return layer_to_image(layer, width, height) > 0


def layer_to_image(layer: MaskLayer, width: int, height: int) -> np.ndarray:
    """Map a :class:`MaskLayer`'s values back onto the image grid (nearest cell).

    Parameters
    ----------
    layer : MaskLayer
        Values (uint8), origin and scale.
    width, height : int
        Image size.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` uint8: the value of the grid cell each image pixel
        falls in, 0 outside the grid.
    """
    out = np.zeros((height, width), np.uint8)
    m = layer.mask
    if m.size == 0:
        return out
    mh, mw = m.shape
    ox, oy = layer.origin
    s = float(layer.scale)
    x0, y0 = max(0, int(ox)), max(0, int(oy))
    x1 = min(width, int(np.ceil(ox + mw / s)))
    y1 = min(height, int(np.ceil(oy + mh / s)))
    if x1 <= x0 or y1 <= y0:
        return out
    ix = np.floor((np.arange(x0, x1) - ox + 0.5) * s).astype(np.int64)
    iy = np.floor((np.arange(y0, y1) - oy + 0.5) * s).astype(np.int64)
    okx = (ix >= 0) & (ix < mw)
    oky = (iy >= 0) & (iy < mh)
    sub = np.asarray(m)[np.clip(iy, 0, mh - 1)][:, np.clip(ix, 0, mw - 1)].astype(np.uint8)
    out[y0:y1, x0:x1] = sub * (oky[:, None] & okx[None, :])
    return out
