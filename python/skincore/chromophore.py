"""Melanin and haemoglobin maps from sRGB (chromophore separation).

Method: a fixed-vector form of the optical-density decomposition of Tsumura et
al. (2003). Each channel's optical density ``d_c = -log10(max(lin_c, lin(1/255)))``
(``lin`` the sRGB EOTF) is written as
``d = c_mel * MELANIN_VECTOR + c_hb * HEMOGLOBIN_VECTOR + shading * (1, 1, 1)``;
solving this 3x3 system per pixel gives the two concentrations with the shading
(a change in illumination intensity, which adds the same density to all channels)
removed.

The vectors are the chromophores' relative absorption at the dominant wavelengths
of the sRGB primaries (R 612 nm, G 549 nm, B 464 nm): melanin follows
``lambda ** -3.33`` (Jacques 2013), giving ``(0.696, 1, 1.751)``; haemoglobin is
75 % oxygenated blood from Prahl's extinction tables, ``(0.08, 1, 0.62)``
(approximate). Outputs are in density units (log10): a neutral grey gives 0,
typical light skin about 0.27 (melanin) and 0.19 (haemoglobin). They compare
pixels of one photo; white balance and camera response shift them, so they are
relative, not absolute, concentrations.

References
----------
.. [1] N. Tsumura et al., "Image-based skin color and texture analysis/synthesis
   by extracting hemoglobin and melanin information in the skin", ACM Trans.
   Graphics 22(3), 770-779 (SIGGRAPH 2003).
.. [2] S. L. Jacques, "Optical properties of biological tissues: a review",
   Phys. Med. Biol. 58, R37-R61 (2013).
.. [3] S. Prahl, "Tabulated molar extinction coefficient for hemoglobin in
   water", omlc.org/spectra/hemoglobin.
"""

from __future__ import annotations

import numpy as np

from skincore import _core
from skincore._checks import check_threads

__all__ = ["HEMOGLOBIN_VECTOR", "MELANIN_VECTOR", "chromophore_maps"]

MELANIN_VECTOR: tuple[float, ...] = tuple(_core.chromophore.MELANIN_VECTOR)
"""Relative optical density of melanin in R, G, B."""

HEMOGLOBIN_VECTOR: tuple[float, ...] = tuple(_core.chromophore.HEMOGLOBIN_VECTOR)
"""Relative optical density of haemoglobin in R, G, B."""


def _prepare_out(out: object, shape: tuple[int, int], src: np.ndarray, name: str) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=np.float32)
    if not isinstance(out, np.ndarray):
        raise ValueError(f"{name}: expected a numpy.ndarray, got {type(out).__name__}")
    if out.dtype != np.float32:
        raise ValueError(f"{name}: expected dtype float32, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name}: array is read-only")
    if np.may_share_memory(out, src):
        raise ValueError(f"{name}: must not overlap the input array")
    return out


def chromophore_maps(
    rgb: np.ndarray,
    *,
    melanin: np.ndarray | None = None,
    hemoglobin: np.ndarray | None = None,
    threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel melanin and haemoglobin concentration, shading removed.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 sRGB. Rows may be strided (a crop of a larger array);
        pixels within a row must be packed.
    melanin, hemoglobin : numpy.ndarray, optional
        ``(H, W)`` float32 outputs to write into (allocated when omitted).
    threads : int
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    melanin, hemoglobin : numpy.ndarray
        ``(H, W)`` float32 concentrations in density units (see the module doc).

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).

    Examples
    --------
    >>> import numpy as np
    >>> mel, hb = chromophore_maps(np.full((1, 2, 3), 128, np.uint8))
    >>> bool(abs(mel[0, 0]) < 1e-6 and abs(hb[0, 0]) < 1e-6)
    True
    """
    if not isinstance(rgb, np.ndarray):
        raise ValueError(f"rgb: expected a numpy.ndarray, got {type(rgb).__name__}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"rgb: expected dtype uint8, got {rgb.dtype}")
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"rgb: expected shape (H, W, 3), got {rgb.shape}")
    threads = check_threads(threads)
    shape = (rgb.shape[0], rgb.shape[1])
    mel = _prepare_out(melanin, shape, rgb, "melanin")
    hb = _prepare_out(hemoglobin, shape, rgb, "hemoglobin")
    if mel is hb or np.may_share_memory(mel, hb):
        raise ValueError("hemoglobin: must not overlap melanin")
    if rgb.size == 0:
        return mel, hb
    _core.chromophore.chromophore_maps(rgb, mel, hb, threads)
    return mel, hb
