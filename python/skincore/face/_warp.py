"""Affine crops (no OpenCV): the geometry both face models share.

Coordinates are continuous pixel coordinates: pixel ``(i, j)`` of an image covers
``[i, i+1) x [j, j+1)``, its centre is ``(i + 0.5, j + 0.5)``. That is Pillow's
convention for ``Image.transform``, so the maps below are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from skincore import geometry


@dataclass(frozen=True)
class Roi:
    """A square, rotated region of an image, sampled into a ``size x size`` tensor.

    ``cx, cy`` is the centre and ``side`` the side length in image pixels; ``angle`` is
    in radians, the direction of the crop's x axis in the image (y down), so a positive
    angle is a clockwise-tilted crop on screen.
    """

    cx: float
    cy: float
    side: float
    angle: float

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the crop's unit x and y axes in image coordinates."""
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.array([c, s]), np.array([-s, c])

    def to_image(self, xy: np.ndarray, size: int) -> np.ndarray:
        """Map (..., 2) crop coordinates of a ``size`` tensor to image coordinates."""
        u, v = self.axes()
        k = self.side / size
        d = np.asarray(xy, np.float64) * k - self.side / 2
        return np.array([self.cx, self.cy]) + d[..., :1] * u + d[..., 1:2] * v


def _as_image(rgb: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(rgb), "RGB")


def crop(
    image: Image.Image | np.ndarray,
    roi: Roi,
    size: int,
    *,
    out: np.ndarray | None = None,
    div: float = 1.0,
    sub: float = 0.0,
    threads: int = 0,
) -> np.ndarray:
    """Sample ``roi`` of ``image`` into a ``size x size x 3`` uint8 array (black outside).

    Bilinear interpolation; when one output pixel spans two or more input pixels the
    image is first box-reduced by an integer factor so the crop does not alias. An
    ``(H, W, 3)`` uint8 array is reduced by the threaded C++ area kernel straight
    from the photo's memory (no copy of the photo); a PIL image by Pillow. The
    bilinear sampling is :func:`skincore.geometry.warp_affine`, Pillow's
    ``Image.transform(..., AFFINE, ..., BILINEAR)`` pixel for pixel.

    ``out``, when given, is a ``(size, size, 3)`` uint8 or float32 array written in
    place and returned; float32 holds ``float32(v) / div - sub`` of each sample
    ``v`` (the network's normalisation, as NumPy would compute it). ``threads``
    bounds the kernels' threads (0 = the whole pool; the result does not depend on it).
    """
    if out is None:
        out = np.empty((size, size, 3), np.uint8)
    k = roi.side / size  # input pixels per output pixel
    r = max(1, int(math.floor(k)))
    u, v = roi.axes()
    # Only the ROI's bounding box is reduced and sampled (not the whole photo). Its
    # origin is aligned to a multiple of r so the reduced pixels are the same as
    # those of the whole reduced image; the box has a margin of 2r + 2 pixels.
    half = roi.side / 2 * (abs(u[0]) + abs(u[1])) + 2 * r + 2
    x0 = max(0, int(math.floor((roi.cx - half) / r)) * r)
    y0 = max(0, int(math.floor((roi.cy - half) / r)) * r)
    if isinstance(image, np.ndarray):
        height, width = image.shape[:2]
    else:
        width, height = image.width, image.height
    x1 = min(width, int(math.ceil(roi.cx + half)))
    y1 = min(height, int(math.ceil(roi.cy + half)))
    if x1 <= x0 or y1 <= y0:
        empty = np.zeros((0, 0, 3), np.uint8)
        return geometry.warp_affine(
            empty, (0, 0, 0, 0, 0, 0), (size, size), out=out, div=div, sub=sub
        )
    src: np.ndarray
    if isinstance(image, np.ndarray):
        # Whole r x r blocks only (the box has a margin of 2r + 2 pixels to spare):
        # the area kernel then averages exactly the blocks Pillow's reduce would.
        if r > 1:
            x1 = x0 + max(1, (x1 - x0) // r) * r
            y1 = y0 + max(1, (y1 - y0) // r) * r
            x1, y1 = min(x1, width), min(height, y1)
        box = image[y0:y1, x0:x1]
        if r > 1 and box.shape[0] >= r and box.shape[1] >= r:
            src = geometry.resize(
                box, (box.shape[1] // r, box.shape[0] // r), method="area", threads=threads
            )
        elif r > 1:
            src = np.asarray(Image.fromarray(np.ascontiguousarray(box), "RGB").reduce(r))
        else:
            src = box  # read in place (row-strided view)
    else:
        pil = image.crop((x0, y0, x1, y1))
        src = np.asarray(pil.reduce(r) if r > 1 else pil)
    # output (x, y) -> input: centre + (x*k - side/2) u + (y*k - side/2) v, then / r
    ox = roi.cx - roi.side / 2 * (u[0] + v[0]) - x0
    oy = roi.cy - roi.side / 2 * (u[1] + v[1]) - y0
    coeffs = (k * u[0] / r, k * v[0] / r, ox / r, k * u[1] / r, k * v[1] / r, oy / r)
    return geometry.warp_affine(
        src, coeffs, (size, size), out=out, div=div, sub=sub, threads=threads
    )
