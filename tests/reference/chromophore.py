"""Float64 NumPy reference for skincore.chromophore (same definitions)."""

from __future__ import annotations

import numpy as np

MELANIN = np.array([0.696, 1.0, 1.751])
HEMOGLOBIN = np.array([0.08, 1.0, 0.62])


def srgb_eotf(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def density_table() -> np.ndarray:
    """Optical density -log10(lin) of each 8-bit value, lin floored at lin(1/255)."""
    lin = srgb_eotf(np.arange(256) / 255.0)
    return -np.log10(np.maximum(lin, lin[1]))


def unmixing() -> np.ndarray:
    """Rows: melanin, haemoglobin, shading coefficients on (dR, dG, dB)."""
    return np.linalg.inv(np.stack([MELANIN, HEMOGLOBIN, np.ones(3)], axis=1))


def chromophore_maps(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (H, W, 3) -> float64 melanin and haemoglobin (H, W)."""
    d = density_table()[np.asarray(rgb)]
    c = d @ unmixing().T
    return c[..., 0], c[..., 1]
