"""What every texture concern reads: a grey face crop at a bounded scale, with masks.

Pores, blackheads and wrinkles are measured on the face crop at full resolution,
capped at :data:`MAX_PX_PER_MM` (a 12 MP close-up is resampled down so the cost
stays bounded; finer sampling than that resolves nothing new on skin). The grey
image is CIELAB L*/100. Region masks come from the colour work scale
(:mod:`skincore.face.regions`), resampled to the texture grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore import color, geometry
from skincore.face.regions import SKIN_REGIONS, RegionMasks, crop_box
from skincore.face.scale import px_per_mm

#: Texture grid resolution cap, pixels per millimetre of skin.
MAX_PX_PER_MM = 10.0


@dataclass(frozen=True)
class TextureContext:
    """The face as texture concerns see it.

    Attributes
    ----------
    gray : numpy.ndarray
        ``(h, w)`` float32 L*/100 of the face crop on the texture grid.
    origin : tuple of int
        (x, y) of the crop in the image.
    scale : float
        Texture pixels per image pixel (<= 1).
    px_per_mm : float
        Texture pixels per millimetre of skin (iris scale).
    masks : dict of str to numpy.ndarray
        ``(h, w)`` uint8 skin-only region masks (255 inside) on the texture grid,
        names as in :data:`skincore.face.regions.SKIN_REGIONS`.
    landmarks : numpy.ndarray
        ``(478, 2)`` float32 landmarks in texture-grid pixels.
    """

    gray: np.ndarray
    origin: tuple[int, int]
    scale: float
    px_per_mm: float
    masks: dict[str, np.ndarray]
    landmarks: np.ndarray

    def to_image(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(N, 2)`` texture-grid points to image pixels (pixel centres)."""
        xy = np.asarray(xy, dtype=np.float64)
        return ((xy + 0.5) / self.scale - 0.5 + np.asarray(self.origin, np.float64)).astype(
            np.float32
        )

    def to_texture(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(N, 2)`` image pixels to texture-grid points."""
        xy = np.asarray(xy, dtype=np.float64)
        return ((xy - np.asarray(self.origin, np.float64) + 0.5) * self.scale - 0.5).astype(
            np.float32
        )


def _resample_mask(mask: np.ndarray, shape: tuple[int, int], threads: int) -> np.ndarray:
    if mask.shape == shape:
        return mask
    up = geometry.resize(mask, (shape[1], shape[0]), method="bilinear", threads=threads)
    return np.where(up >= 128, np.uint8(255), np.uint8(0))


def build_context(
    rgb: np.ndarray, landmarks: np.ndarray, masks: RegionMasks, *, threads: int = 0
) -> TextureContext:
    """Build the texture grid of one face.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 image.
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in image pixels.
    masks : RegionMasks
        The face's region masks at the colour work scale.
    threads : int, optional
        Worker threads for the kernels.

    Returns
    -------
    TextureContext
        The grey crop, masks and scale.
    """
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = crop_box(landmarks, w, h)
    ppm = px_per_mm(landmarks)
    scale = min(1.0, MAX_PX_PER_MM / ppm) if ppm > 0 else 1.0
    crop = rgb[y0:y1, x0:x1]
    if scale < 1.0:
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        scale = size[0] / crop.shape[1]
        crop = geometry.resize(crop, size, method="area", threads=threads)
    lab = color.rgb_to_lab(crop, threads=threads)
    gray = np.ascontiguousarray(lab[..., 0]) / np.float32(100.0)
    shape = gray.shape
    tex_masks = {
        name: _resample_mask(masks.masks[name], shape, threads)
        for name in SKIN_REGIONS
        if name in masks.masks
    }
    pts = (np.asarray(landmarks, np.float64)[:, :2] - (x0, y0) + 0.5) * scale - 0.5
    return TextureContext(
        gray=gray.astype(np.float32),
        origin=(x0, y0),
        scale=float(scale),
        px_per_mm=float(ppm * scale),
        masks=tex_masks,
        landmarks=pts.astype(np.float32),
    )
