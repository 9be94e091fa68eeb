"""Local texture energy: the band-passed lightness' local RMS over a skin mask.

One compiled pass (:func:`texture_energy`) for what
:mod:`skincore.concerns.roughness` describes step by step (masked band-pass,
windowed RMS, structure-tensor isotropy); it equals the NumPy composition of
those steps bit for bit (``tests/reference/texture.py``), with the window blurs
exact or, with ``window="decimated"``, computed as
:func:`skincore.geometry.wide_gaussian_blur` does. :func:`upsample_on` brings an
energy map of a coarser grid onto a finer one inside a mask and
:func:`excess_over` thresholds it and averages its excess, each in one pass and
equal to its NumPy composition.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from skincore import _core
from skincore._checks import check_map32, check_mask, check_threads

__all__ = [
    "WINDOWS",
    "Excess",
    "excess_levels",
    "excess_over",
    "texture_energy",
    "upsample_on",
    "window_factor",
]

WINDOWS = ("exact", "decimated")
"""The ways :func:`texture_energy` computes its window blurs."""

DECIMATE_MIN_SIGMA = 6.0
"""Window sigmas (px) below this are blurred exactly even when ``"decimated"``."""


def _sigma(name: str, value: float, *, zero_ok: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not zero_ok):
        raise ValueError(f"{name}: must be finite and {'>= 0' if zero_ok else '> 0'}, got {v}")
    return v


def window_factor(window: str, window_sigma: float) -> int:
    """Decimation factor of the window blurs for ``window`` and ``window_sigma``.

    Parameters
    ----------
    window : str
        ``"exact"`` (factor 1) or ``"decimated"``.
    window_sigma : float
        The window's sigma in pixels.

    Returns
    -------
    int
        1 for ``"exact"`` or ``window_sigma < DECIMATE_MIN_SIGMA``, else
        ``max(1, int(window_sigma / 4))`` (at least 4 coarse pixels per sigma, the
        default of :func:`skincore.geometry.wide_gaussian_blur`).

    Raises
    ------
    ValueError
        If ``window`` is not one of :data:`WINDOWS`.
    """
    if window not in WINDOWS:
        raise ValueError(f"window: expected one of {WINDOWS}, got {window!r}")
    if window == "exact" or window_sigma < DECIMATE_MIN_SIGMA:
        return 1
    return max(1, int(window_sigma / 4.0))


def texture_energy(
    gray: np.ndarray,
    face: np.ndarray,
    *,
    erode_sigma: float,
    fine_sigma: float,
    coarse_sigma: float,
    window_sigma: float,
    band_clip: float,
    edge_isotropy: float,
    min_weight: float = 1e-3,
    window: str = "exact",
    threads: int = 0,
) -> np.ndarray:
    """Texture energy ``E`` of ``gray`` over the skin ``face``.

    With ``m`` the face mask (0/1), eroded to ``m & (G_e(m) >= 0.977)`` when
    ``erode_sigma > 0`` (``G_s`` a Gaussian blur of sigma ``s``, truncate 4,
    reflect-101 borders, :func:`skincore.geometry.gaussian_blur`), and the
    masked blur ``N_s(v) = G_s(v m) / G_s(m)`` (0 where ``G_s(m) <= min_weight``):

    - ``band = clip(N_fine(gray) - N_coarse(gray), -band_clip, band_clip)``;
    - ``E = sqrt(max(N_window(band**2), 0))``;
    - if ``edge_isotropy > 0``: with ``(gx, gy)`` the gradient of ``band``
      (:func:`numpy.gradient`) and ``J`` the masked window blurs of ``gx**2``,
      ``gy**2``, ``gx gy``, the isotropy ``i = (tr - sqrt((Jxx - Jyy)**2 + 4
      Jxy**2)) / tr`` (``= 2 l2 / (l1 + l2)``; 0 where ``tr <= 1e-12``, clipped
      to [0, 1]) scales ``E`` by ``sqrt(min(i / edge_isotropy, 1))``;
    - ``E *= m``.

    All in float32, in this order. With ``window="decimated"`` (and
    ``window_sigma >= 6`` px) every ``N_window`` is instead
    :func:`skincore.geometry.wide_gaussian_blur` of the product with weight
    ``m`` and its default factor ``int(window_sigma / 4)``: area-averaged to a
    coarser grid, blurred and divided there, resampled bilinearly (within 0.2 %
    of the exact one's range on a mask; much faster for wide windows).

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 lightness (e.g. L*/100); rows may be strided.
    face : numpy.ndarray
        ``(H, W)`` bool or uint8 skin mask (nonzero inside).
    erode_sigma : float
        Sigma of the erosion blur (0 = no erosion).
    fine_sigma, coarse_sigma, window_sigma : float
        Band-pass scales and RMS window (px, > 0).
    band_clip : float
        Band values are clipped to ``+-band_clip``.
    edge_isotropy : float
        Isotropy below which the energy is scaled down (0 = off).
    min_weight : float, optional
        Smallest trusted ``G_s(m)``.
    window : str, optional
        ``"exact"`` (default) or ``"decimated"`` window blurs (see above and
        :func:`window_factor`).
    threads : int, optional
        Worker threads, 0 = the pool size; results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float32 ``E``, 0 outside the eroded mask (all 0 when it is empty).

    Raises
    ------
    ValueError
        On a bad argument (the message names it).
    """
    check_map32(gray, "gray")
    face = check_mask(face, "face", gray.shape)
    es = _sigma("erode_sigma", erode_sigma, zero_ok=True)
    fs = _sigma("fine_sigma", fine_sigma)
    cs = _sigma("coarse_sigma", coarse_sigma)
    ws = _sigma("window_sigma", window_sigma)
    bc = _sigma("band_clip", band_clip, zero_ok=True)
    ei = _sigma("edge_isotropy", edge_isotropy, zero_ok=True)
    mw = _sigma("min_weight", min_weight, zero_ok=True)
    k = window_factor(window, ws)
    threads = check_threads(threads)
    out = np.zeros(gray.shape, np.float32)
    if gray.size == 0:
        return out
    _core.texture.energy(gray, face, out, es, fs, cs, ws, bc, ei, mw, k, threads)
    return out


def upsample_on(src: np.ndarray, mask: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """Bilinear resize of ``src`` onto the grid of ``mask``, inside the mask only.

    Equal, value for value, to ``geometry.resize(src, (W, H), method="bilinear")``
    with the pixels where ``mask`` is 0 set to 0, in one pass that interpolates
    only between the first and last mask pixel of each row.

    Parameters
    ----------
    src : numpy.ndarray
        ``(h, w)`` float32 map; rows may be strided.
    mask : numpy.ndarray
        ``(H, W)`` bool or uint8 (nonzero inside): the output grid.
    threads : int, optional
        Worker threads, 0 = the pool size; results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float32.

    Raises
    ------
    ValueError
        On a bad argument (the message names it), or an empty ``src`` with a
        non-empty ``mask``.
    """
    check_map32(src, "src")
    m = check_mask(mask, "mask")
    threads = check_threads(threads)
    out = np.empty(m.shape, np.float32)
    if out.size == 0:
        return out
    if src.size == 0:
        raise ValueError("src: empty input, non-empty output")
    _core.texture.upsample_on(src, m, out, threads)
    return out


class Excess(NamedTuple):
    """What :func:`excess_over` measures.

    Attributes
    ----------
    over : numpy.ndarray
        ``(H, W)`` uint8, 255 where the skin's energy is above the threshold.
    n_skin : int
        Skin pixels.
    n_over : int
        Skin pixels above the threshold (nonzero pixels of ``over``).
    excess : float
        Mean over the skin of ``clip((E - T) / T, 0, 1)`` (0 without skin).
    """

    over: np.ndarray
    n_skin: int
    n_over: int
    excess: float


def _threshold(threshold: object) -> float:
    """Validate an energy threshold: a finite number > 0."""
    try:
        t = float(threshold)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"threshold: expected a number, got {threshold!r}") from None
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"threshold: must be finite and > 0, got {t}")
    return t


def excess_over(
    energy: np.ndarray, skin: np.ndarray, threshold: float, *, threads: int = 0
) -> Excess:
    """Threshold an energy map over a skin mask and average its excess, in one pass.

    Equal to the NumPy composition ``over = skin & (energy > threshold)`` (the
    comparison in float32, as NumPy compares a float32 array with a Python
    float) and ``numpy.mean(numpy.clip((energy[skin].astype(float64) - T) / T, 0,
    1))``, bit for bit: the values are summed pairwise as NumPy sums them.

    Parameters
    ----------
    energy : numpy.ndarray
        ``(H, W)`` float32 map; rows may be strided.
    skin : numpy.ndarray
        ``(H, W)`` bool or uint8 (nonzero inside).
    threshold : float
        ``T``, finite and > 0.
    threads : int, optional
        Worker threads, 0 = the pool size; results do not depend on it.

    Returns
    -------
    Excess
        The mask above the threshold, the counts and the mean excess.

    Raises
    ------
    ValueError
        On a bad argument (the message names it).
    """
    check_map32(energy, "energy")
    s = check_mask(skin, "skin", energy.shape)
    t = _threshold(threshold)
    threads = check_threads(threads)
    over = np.empty(energy.shape, np.uint8)
    if over.size == 0:
        return Excess(over, 0, 0, 0.0)
    n_skin, n_over, excess = _core.texture.excess_over(energy, s, t, over, threads)
    return Excess(over, int(n_skin), int(n_over), float(excess))


def excess_levels(
    energy: np.ndarray,
    keep: np.ndarray,
    threshold: float,
    *,
    veto: np.ndarray | None = None,
    threads: int = 0,
) -> tuple[np.ndarray, int]:
    """Shade the kept pixels by their energy's excess over a threshold, in one pass.

    Equal, bit for bit, to the NumPy composition (float32 arithmetic, ``T`` a
    Python float)::

        on = (keep != 0) & ~veto_up
        level = np.zeros(energy.shape, np.uint8)
        level[on] = np.rint(1 + 254 * np.clip((energy[on] - T) / T, 0.0, 1.0)).astype(np.uint8)

    where ``veto_up`` is ``veto`` brought to the energy's grid by nearest cells:
    ``veto[rows][:, cols]`` with ``rows = minimum(((arange(H) + 0.5) * vh / H).astype(intp),
    vh - 1)`` and ``cols`` likewise (all False without a veto).

    Parameters
    ----------
    energy : numpy.ndarray
        ``(H, W)`` float32 map; rows may be strided.
    keep : numpy.ndarray
        ``(H, W)`` bool or uint8 (nonzero = shaded).
    threshold : float
        ``T``, finite and > 0.
    veto : numpy.ndarray, optional
        ``(vh, vw)`` bool or uint8 mask over the same extent on a coarser (or any)
        grid; pixels whose cell is set are not shaded. Not empty when ``energy`` is not.
    threads : int, optional
        Worker threads, 0 = the pool size; results do not depend on it.

    Returns
    -------
    level : numpy.ndarray
        ``(H, W)`` uint8, 1-255 on the shaded pixels, 0 elsewhere.
    count : int
        The shaded pixels.

    Raises
    ------
    ValueError
        On a bad argument (the message names it).
    """
    check_map32(energy, "energy")
    k = check_mask(keep, "keep", energy.shape)
    v = None if veto is None else check_mask(veto, "veto")
    t = _threshold(threshold)
    threads = check_threads(threads)
    level = np.empty(energy.shape, np.uint8)
    if level.size == 0:
        return level, 0
    if v is not None and v.size == 0:
        raise ValueError("veto: empty, with a non-empty energy map")
    n = _core.texture.excess_levels(energy, k, v, t, level, threads)
    return level, int(n)
