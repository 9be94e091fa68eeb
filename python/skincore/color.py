"""CIELAB conversion, ITA/HA angles and robust masked colour statistics.

Colorimetry (one definition for all of skincore):

* sRGB EOTF (IEC 61966-2-1): ``c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4``.
* linear sRGB -> XYZ with the 7-digit D65 matrix ``SRGB_TO_XYZ``.
* reference white = the row sums of that matrix, i.e. the exact D65 white of sRGB
  (Xn = 0.9504700, Yn = 1.0000001, Zn = 1.0888300), so RGB white is L* = 100,
  a* = b* = 0 exactly.
* CIE 1976 ``f(t) = t ** (1/3)`` for ``t > 216/24389``, else
  ``(24389/27 * t + 16) / 116``.

Angles, in degrees:

* ITA (individual typology angle) ``= atan((L* - 50) / b*)``, in [-90, 90]. For
  b* = 0 the limit is used: +90 when L* > 50, -90 when L* < 50, 0 when L* = 50.
* HA (hue angle) ``= atan(b* / a*)``, in [-90, 90]. For a* = 0: +90 when b* > 0,
  -90 when b* < 0, 0 when b* = 0.

The float32 conversion matches a float64 evaluation of these formulas to better
than 2e-4 in L*, a* and b* over all 2**24 sRGB colours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import _core
from skincore._checks import check_threads

__all__ = [
    "SRGB_TO_XYZ",
    "LabStats",
    "apply_channel_luts",
    "ha_degrees",
    "ita_degrees",
    "ita_map",
    "lab_stats",
    "lightness_chroma",
    "masked_channel_luts",
    "rgb_to_lab",
    "rgb_to_lightness",
]

SRGB_TO_XYZ: tuple[tuple[float, float, float], ...] = tuple(
    (float(r[0]), float(r[1]), float(r[2])) for r in _core.color.SRGB_TO_XYZ
)
"""The linear-sRGB -> CIE XYZ (D65) matrix, rows X, Y, Z."""

_BIN = float(_core.color.HIST_BIN_WIDTH)
_F32_MAX = float(np.finfo(np.float32).max)


def _check_array(x: object, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name}: expected a numpy.ndarray, got {type(x).__name__}")
    return x


def _check_image(x: object, name: str, dtype: type) -> np.ndarray:
    """Return ``x`` if it is an ``(H, W, 3)`` ``dtype`` array, else raise ValueError."""
    x = _check_array(x, name)
    if x.ndim != 3 or x.shape[2] != 3:
        raise ValueError(f"{name}: expected shape (H, W, 3), got {x.shape}")
    if x.dtype != dtype:
        raise ValueError(f"{name}: expected dtype {np.dtype(dtype).name}, got {x.dtype}")
    return x


def _prepare_out(out: np.ndarray | None, shape: tuple[int, ...], src: np.ndarray) -> np.ndarray:
    if out is None:
        return np.empty(shape, dtype=np.float32)
    out = _check_array(out, "out")
    if out.dtype != np.float32:
        raise ValueError(f"out: expected dtype float32, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out: expected shape {shape}, got {out.shape}")
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    if np.may_share_memory(out, src):
        raise ValueError("out: must not overlap the input array")
    return out


def rgb_to_lab(rgb: np.ndarray, *, out: np.ndarray | None = None, threads: int = 0) -> np.ndarray:
    """Convert an sRGB uint8 image to CIELAB (D65).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8, channels R, G, B. Rows may be strided (a crop of a
        larger array); pixels within a row must be packed.
    out : numpy.ndarray, optional
        ``(H, W, 3)`` float32, writeable, not overlapping ``rgb``; allocated when
        omitted.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` float32 with L* in [0, 100], a*, b* (``out`` when given).

    Raises
    ------
    ValueError
        On a wrong dtype, shape, layout or a read-only ``out``; the message names
        the argument.
    """
    rgb = _check_image(rgb, "rgb", np.uint8)
    threads = check_threads(threads)
    out = _prepare_out(out, rgb.shape, rgb)
    if rgb.size:  # NumPy >= 2 gives empty arrays zero strides; nothing to do anyway
        _core.color.rgb_to_lab(rgb, out, threads)
    return out


def rgb_to_lightness(
    rgb: np.ndarray, *, divisor: float = 1.0, out: np.ndarray | None = None, threads: int = 0
) -> np.ndarray:
    """CIELAB L* of an sRGB uint8 image (divided by ``divisor``), without a* and b*.

    Each value is bit for bit ``rgb_to_lab(rgb)[..., 0] / np.float32(divisor)``
    (the same float operations for L*, then one float32 division), at about a
    third of :func:`rgb_to_lab`'s cost: only Y and its cube root are computed.
    The texture grid (L*/100, :mod:`skincore.concerns.context`) uses it.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8, channels R, G, B. Rows may be strided; pixels within
        a row must be packed.
    divisor : float, optional
        Positive, finite in float32 (e.g. 100 for L*/100).
    out : numpy.ndarray, optional
        ``(H, W)`` float32, writeable, not overlapping ``rgb``; allocated when
        omitted.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size; no effect on the result.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float32 L* / divisor (``out`` when given).

    Raises
    ------
    ValueError
        On a wrong dtype, shape, layout, a read-only ``out`` or a bad
        ``divisor``; the message names the argument.
    """
    rgb = _check_image(rgb, "rgb", np.uint8)
    threads = check_threads(threads)
    if isinstance(divisor, bool) or not isinstance(divisor, int | float | np.floating | np.integer):
        raise ValueError(f"divisor: expected a number, got {type(divisor).__name__}")
    d = float(divisor)
    if not (0.0 < d <= _F32_MAX):  # (False for NaN)
        raise ValueError(f"divisor: must be finite and > 0 in float32, got {divisor!r}")
    out = _prepare_out(out, rgb.shape[:2], rgb)
    if rgb.size:
        _core.color.rgb_to_lightness(rgb, out, d, threads)
    return out


def ita_map(lab: np.ndarray, *, out: np.ndarray | None = None, threads: int = 0) -> np.ndarray:
    """Per-pixel individual typology angle of a Lab image.

    ``ITA = atan((L* - 50) / b*)`` in degrees, in [-90, 90]; for b* = 0 the limit
    is used (+90 when L* > 50, -90 when L* < 50, 0 when L* = 50). Finite input
    gives finite output (no NaN); a non-finite L* or b* gives NaN.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(H, W, 3)`` float32 L*, a*, b* (e.g. from :func:`rgb_to_lab`).
    out : numpy.ndarray, optional
        ``(H, W)`` float32, writeable, not overlapping ``lab``.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float32 ITA in degrees.

    Raises
    ------
    ValueError
        On a wrong dtype, shape, layout or a read-only ``out``.
    """
    lab = _check_lab(lab)
    threads = check_threads(threads)
    out = _prepare_out(out, lab.shape[:2], lab)
    if lab.size:
        _core.color.ita_map(lab, out, threads)
    return out


def lightness_chroma(lab: np.ndarray, *, threads: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """L* and chroma ``C*ab = hypot(a*, b*)`` of a Lab image, as two planes, in one pass.

    The chroma is computed as NumPy's ``np.hypot`` on float32 (glibc's
    ``hypotf``): ``float32(sqrt(float64(a*)**2 + float64(b*)**2))``, so it equals
    ``np.hypot(lab[..., 1], lab[..., 2], dtype=np.float32)`` bit for bit; an
    infinite a* or b* gives +inf, otherwise a NaN gives NaN. The lightness is
    ``lab[..., 0]`` copied.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(H, W, 3)`` float32 L*, a*, b*; rows may be strided, pixels packed.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    light : numpy.ndarray
        ``(H, W)`` float32 L*.
    chroma : numpy.ndarray
        ``(H, W)`` float32 C*ab.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout of ``lab``, or a bad ``threads``.
    """
    lab = _check_lab(lab)
    threads = check_threads(threads)
    light = np.empty(lab.shape[:2], np.float32)
    chroma = np.empty(lab.shape[:2], np.float32)
    if lab.size:
        _core.color.lightness_chroma(lab, light, chroma, threads)
    return light, chroma


def apply_channel_luts(rgb: np.ndarray, luts: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """Map each channel of an 8-bit RGB image through its own 256-entry table.

    ``out[..., c] = luts[c][rgb[..., c]]``: what three ``numpy.take`` calls on
    the channels give (e.g. a white balance applied through lookup tables), in
    one compiled pass over the pixels.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8; rows may be strided, pixels packed.
    luts : numpy.ndarray
        ``(3, 256)`` uint8, one table per channel.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    numpy.ndarray
        ``(H, W, 3)`` uint8, a new array.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout of ``rgb`` or ``luts``, or a bad ``threads``.
    """
    rgb = _check_image(rgb, "rgb", np.uint8)
    threads = check_threads(threads)
    luts = _check_array(luts, "luts")
    if luts.shape != (3, 256) or luts.dtype != np.uint8:
        raise ValueError(f"luts: expected a (3, 256) uint8 array, got {luts.shape} {luts.dtype}")
    out = np.empty(rgb.shape, np.uint8)
    if rgb.size:
        _core.color.apply_channel_luts(rgb, np.ascontiguousarray(luts), out, threads)
    return out


def masked_channel_luts(
    rgb: np.ndarray,
    mask: np.ndarray,
    luts: np.ndarray,
    *,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Return the masked pixels of an 8-bit RGB image, each channel through its own table.

    ``out[i, c] = luts[c][rgb.reshape(-1, 3)[idx[i], c]]`` with ``idx =
    numpy.flatnonzero(mask)``: the pixels where ``mask`` is nonzero in row-major
    order, as ``numpy.take`` gathers them, then :func:`apply_channel_luts`, in one
    compiled pass (no index array, no intermediate copy).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8; rows may be strided, pixels packed.
    mask : numpy.ndarray
        ``(H, W)`` uint8 (nonzero = taken) or bool.
    luts : numpy.ndarray
        ``(3, 256)`` uint8, one table per channel.
    out : numpy.ndarray, optional
        ``(N, 3)`` C-contiguous uint8 receiving the pixels, ``N`` the number of
        nonzero ``mask`` values (e.g. the head of a larger buffer).
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    numpy.ndarray
        ``out``, or a new ``(N, 3)`` uint8 array.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout of an argument, an ``out`` of another
        length than the masked pixel count, or a bad ``threads``.
    """
    rgb = _check_image(rgb, "rgb", np.uint8)
    threads = check_threads(threads)
    mask = _check_array(mask, "mask")
    if mask.dtype == np.bool_:
        mask = mask.view(np.uint8)
    if mask.dtype != np.uint8 or mask.shape != rgb.shape[:2]:
        raise ValueError(
            f"mask: expected a uint8 or bool array of shape {rgb.shape[:2]}, "
            f"got {mask.shape} {mask.dtype}"
        )
    luts = _check_array(luts, "luts")
    if luts.shape != (3, 256) or luts.dtype != np.uint8:
        raise ValueError(f"luts: expected a (3, 256) uint8 array, got {luts.shape} {luts.dtype}")
    n = int(np.count_nonzero(mask))
    if out is None:
        out = np.empty((n, 3), np.uint8)
    elif (
        not isinstance(out, np.ndarray)
        or out.dtype != np.uint8
        or out.shape != (n, 3)
        or not out.flags.c_contiguous
    ):
        raise ValueError(f"out: expected a C-contiguous ({n}, 3) uint8 array")
    if n:
        _core.color.masked_channel_luts(
            rgb, mask, np.ascontiguousarray(luts), out.reshape(1, n, 3), threads
        )
    return out


def _check_lab(lab: object) -> np.ndarray:
    return _check_image(lab, "lab", np.float32)


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    """Apply the sRGB EOTF (IEC 61966-2-1) to 8-bit values: linear light in [0, 1], float64.

    Parameters
    ----------
    values : numpy.ndarray
        sRGB code values 0..255 (any shape, any real dtype).

    Returns
    -------
    numpy.ndarray
        ``c / 12.92`` for ``c = v / 255 <= 0.04045``, else ``((c + 0.055) / 1.055) ** 2.4``.
    """
    c = np.asarray(values, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def ita_degrees(L: float, b: float) -> float:
    """ITA in degrees of one colour: ``atan((L* - 50) / b*)``; b* = 0 as in :func:`ita_map`.

    Parameters
    ----------
    L : float
        Lightness L*.
    b : float
        b* (yellow-blue).

    Returns
    -------
    float
        The angle in [-90, 90]; NaN when an input is NaN.
    """
    if math.isnan(L) or math.isnan(b):
        return math.nan
    if b != 0.0:
        return math.degrees(math.atan((L - 50.0) / b))
    return 90.0 if L > 50.0 else (-90.0 if L < 50.0 else 0.0)


def ha_degrees(a: float, b: float) -> float:
    """Hue angle in degrees of one colour: ``atan(b* / a*)``; a* = 0 gives +-90 or 0.

    Parameters
    ----------
    a : float
        a* (green-red).
    b : float
        b* (blue-yellow).

    Returns
    -------
    float
        The angle in [-90, 90]; NaN when an input is NaN.
    """
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a != 0.0:
        return math.degrees(math.atan(b / a))
    return 90.0 if b > 0.0 else (-90.0 if b < 0.0 else 0.0)


@dataclass(frozen=True)
class LabStats:
    """Robust colour statistics of the masked pixels of a Lab image.

    Counts: ``n_mask = n_invalid + n_shadow + n_highlight + n_used``. Values are
    NaN when ``n_used == 0`` (the two ``*_all`` values when no masked pixel is valid).
    Medians are histogram medians (bin width 0.01, reported at bin centres, so
    within 0.005 of the exact sample median); ``*_std`` are population standard
    deviations (ddof = 0). ``ita``/``ha`` use the means, ``ita_median``/``ha_median``
    the medians (see :func:`ita_degrees`, :func:`ha_degrees`).
    """

    n_mask: int
    n_invalid: int
    n_shadow: int
    n_highlight: int
    n_used: int
    L_mean: float
    a_mean: float
    b_mean: float
    L_median: float
    a_median: float
    b_median: float
    L_std: float
    a_std: float
    b_std: float
    ita: float
    ha: float
    ita_median: float
    ha_median: float
    L_median_all: float
    L_mad_all: float
    L_low: float
    L_high: float
    k: float


def lab_stats(lab: np.ndarray, mask: np.ndarray, *, k: float = 2.5, threads: int = 0) -> LabStats:
    """Robust L*, a*, b*, ITA and HA statistics over the masked pixels.

    The rule (deterministic; identical for every ``threads``):

    1. Masked pixels (``mask != 0``) with a non-finite L*, a* or b* are dropped
       (``n_invalid``); the rest are "valid".
    2. L* of the valid pixels goes into a histogram of 10000 bins of width 0.01
       over [0, 100): bin ``j = floor(float32(L*) * 100)``, clamped to [0, 9999].
    3. ``i1``, ``i2`` are the bins of the order statistics of 0-based rank
       ``(n-1)//2`` and ``n//2``; the median is ``L_median_all = (i1+i2+1)/2 * 0.01``.
       MAD (``L_mad_all``) is the median, by the same rank rule, of the bin
       distances ``|j - (i1+i2)/2|`` (times 0.01).
    4. Bin ``j`` is kept when ``|j - (i1+i2)/2| * 0.01 <= max(k * 1.4826 * MAD, 0.5)``:
       valid pixels in lower bins are shadows (``n_shadow``), in higher bins
       highlights/specular reflections (``n_highlight``). ``[L_low, L_high)`` is
       the kept L* range. ``k = inf`` keeps every valid pixel (plain statistics).
       The comparison is evaluated exactly, in quarter bins:
       ``|4j - 2(i1+i2)| <= max(k * 1.4826 * (d1+d2), 200)`` with ``d1 + d2`` the
       MAD in quarter bins, so the kept set never depends on rounding or threads.
    5. Over the kept pixels (``n_used``): means and population standard
       deviations of L*, a*, b* (float64, per row block, blocks combined in row
       order), and histogram medians (a*, b* bins of width 0.01 over [-128, 128),
       clamped at the ends).

    Parameters
    ----------
    lab : numpy.ndarray
        ``(H, W, 3)`` float32 L*, a*, b* (e.g. from :func:`rgb_to_lab`); rows may
        be strided, pixels packed.
    mask : numpy.ndarray
        ``(H, W)`` uint8 (nonzero = include) or bool.
    k : float, optional
        Exclusion half-width in robust standard deviations (1.4826 MAD), > 0;
        ``math.inf`` disables the exclusion.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    LabStats
        The statistics; an empty selection gives ``n_used == 0`` and NaN values.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout of ``lab`` or ``mask``, a mask shape that
        differs from ``lab``, ``k <= 0`` or NaN, or a negative ``threads``.
    """
    lab = _check_lab(lab)
    mask = _check_array(mask, "mask")
    threads = check_threads(threads)
    if mask.dtype == np.bool_:
        mask = mask.view(np.uint8)
    if mask.dtype != np.uint8:
        raise ValueError(f"mask: expected dtype uint8 or bool, got {mask.dtype}")
    if mask.ndim != 2:
        raise ValueError(f"mask: expected a 2-D array (H, W), got ndim={mask.ndim}")
    if mask.shape != lab.shape[:2]:
        raise ValueError(f"mask: shape {mask.shape} does not match lab {lab.shape[:2]}")
    k = float(k)
    if not k > 0.0:
        raise ValueError(f"k: must be > 0 (inf disables the exclusion), got {k}")
    if lab.size:
        d = _core.color.lab_stats(lab, mask, k, threads)
    else:
        nan3 = (math.nan,) * 3
        d = dict(
            n_mask=0,
            n_invalid=0,
            n_shadow=0,
            n_highlight=0,
            n_used=0,
            L_median_all=math.nan,
            L_mad_all=math.nan,
            L_low=math.nan,
            L_high=math.nan,
            mean=nan3,
            median=nan3,
            std=nan3,
        )
    mean, median, std = d["mean"], d["median"], d["std"]
    return LabStats(
        n_mask=int(d["n_mask"]),
        n_invalid=int(d["n_invalid"]),
        n_shadow=int(d["n_shadow"]),
        n_highlight=int(d["n_highlight"]),
        n_used=int(d["n_used"]),
        L_mean=mean[0],
        a_mean=mean[1],
        b_mean=mean[2],
        L_median=median[0],
        a_median=median[1],
        b_median=median[2],
        L_std=std[0],
        a_std=std[1],
        b_std=std[2],
        ita=ita_degrees(mean[0], mean[2]),
        ha=ha_degrees(mean[1], mean[2]),
        ita_median=ita_degrees(median[0], median[2]),
        ha_median=ha_degrees(median[1], median[2]),
        L_median_all=d["L_median_all"],
        L_mad_all=d["L_mad_all"],
        L_low=d["L_low"],
        L_high=d["L_high"],
        k=k,
    )
