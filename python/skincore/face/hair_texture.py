"""Hair texture energy: short hair (beard, stubble, a buzz cut) measured from the image.

The segmentation model reads stubble and short-cropped hair as skin. Hair gives
skin a fine, strong luminance texture that bare skin does not have; this module
measures it on a grid scaled to the face, for :mod:`skincore.face.beard` (beard
on the lower face) and :func:`skincore.face.skinmask.extend_forehead` (a buzz
cut above the forehead).

Measurement: the box around the given points plus ``margin`` x the outer-eye-corner
distance ``iod`` is resampled (area) so that ``iod`` is :data:`GRID_IOD` pixels;
``Y = 100 ln(0.299 R + 0.587 G + 0.114 B + 8)``, a log luminance, so that a hair
darkening skin by a given factor gives the same contrast on dark and on light skin;
band-pass ``B = G_0.7(Y) - G_1.6(Y)`` and energy ``E = G_sigma(B^2)`` (Gaussian
sigmas in grid pixels). Outside the photo the grid holds the pad colour.

The *isotropic* energy (``isotropic=True``) keeps only texture that varies in every
direction: twice the smaller eigenvalue of the structure tensor of ``B``,
``J = G_sigma(grad B grad B^T)`` (central differences). Short hairs point every
way and give both eigenvalues; a crease, an edge or any single line varies across
itself only, so its smaller eigenvalue is about 0 whatever its contrast (a
forehead line 6 mm below a buzz cut's hairline read 2-5 times the forehead's median
energy, and merged with the stubble's into one field; its isotropic energy stays
at the skin's level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore import geometry
from skincore.face.segmentation import _bilinear, _crop_padded, _packed

#: Outer-eye-corner distance of the measuring grid, in grid pixels.
GRID_IOD = 160.0


@dataclass(frozen=True)
class TextureEnergy:
    """Texture energy on a measuring grid.

    Attributes
    ----------
    origin : tuple of float
        (x, y) of the grid in image pixels.
    scale : float
        Grid pixels per image pixel.
    energy : numpy.ndarray
        ``(h, w)`` float32 energy ``E``.
    """

    origin: tuple[float, float]
    scale: float
    energy: np.ndarray

    def to_grid(self, image_xy: np.ndarray) -> np.ndarray:
        """Image points ``(..., 2)`` -> grid coordinates (float64)."""
        p = np.asarray(image_xy, np.float64)[..., :2]
        return (p - np.asarray(self.origin, np.float64) + 0.5) * self.scale - 0.5

    def sample(self, image_xy: np.ndarray) -> np.ndarray:
        """Bilinear energy at image points ``(..., 2)``; 0 outside the grid."""
        g = self.to_grid(image_xy)
        return _bilinear(self.energy, g[..., 0], g[..., 1])


def texture_energy(
    rgb: np.ndarray,
    points: np.ndarray,
    iod: float,
    *,
    margin: float,
    sigma: float,
    isotropic: bool = False,
) -> TextureEnergy:
    """Measure the texture energy around ``points`` (see the module docstring).

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    points : numpy.ndarray
        (N, 2) image points the grid must cover.
    iod : float
        Outer-eye-corner distance in image pixels.
    margin : float
        Margin around the points, in ``iod``.
    sigma : float
        Sigma of the energy's Gaussian, in grid pixels.
    isotropic : bool, optional
        Measure the isotropic energy (the structure tensor's smaller eigenvalue,
        see the module docstring) instead of ``G_sigma(B^2)``.

    Returns
    -------
    TextureEnergy
        The grid and its energy.
    """
    pts = np.asarray(points, np.float64)[:, :2]
    lo = np.floor(pts.min(0) - margin * iod).astype(int)
    hi = np.ceil(pts.max(0) + margin * iod).astype(int)
    x0, y0 = int(lo[0]), int(lo[1])
    side = int(max(hi - lo))
    s = GRID_IOD / max(iod, 1e-6)
    n = max(8, round(side * s))
    s = n / side
    nh = max(8, min(n, int(np.ceil((hi[1] - lo[1]) * s))))
    nw = max(8, min(n, int(np.ceil((hi[0] - lo[0]) * s))))
    crop = _packed(_crop_padded(rgb, x0, y0, side))
    small = geometry.resize(crop, (n, n), method="area", threads=1)[:nh, :nw]
    lum = small.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    y = np.ascontiguousarray(np.float32(100.0) * np.log(lum + np.float32(8.0)))
    band = geometry.gaussian_blur(y, 0.7, threads=1) - geometry.gaussian_blur(y, 1.6, threads=1)
    if isotropic:
        energy = _isotropic_energy(band, sigma)
    else:
        energy = geometry.gaussian_blur(np.ascontiguousarray(band * band), sigma, threads=1)
    return TextureEnergy((float(x0), float(y0)), float(s), energy)


def _isotropic_energy(band: np.ndarray, sigma: float) -> np.ndarray:
    """Twice the smaller eigenvalue of ``G_sigma(grad B grad B^T)`` (float32, >= 0)."""
    gy, gx = np.gradient(band)
    products = [np.ascontiguousarray(a, np.float32) for a in (gx * gx, gy * gy, gx * gy)]
    jxx, jyy, jxy = geometry.gaussian_blur_planes(products, sigma, threads=1)
    half = np.float32(0.5) * (jxx - jyy)
    small = (jxx + jyy) - np.float32(2.0) * np.sqrt(half * half + jxy * jxy)
    return np.maximum(small, np.float32(0.0)).astype(np.float32)
