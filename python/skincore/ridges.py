"""Ridge kernels: multi-scale Frangi filtering and ridge tracing (wrinkles).

Coordinates are image coordinates: ``x`` to the right (columns), ``y`` down (rows).
An orientation ``theta`` is the direction ``(cos theta, sin theta)`` in those
coordinates, wrapped to ``[-pi/2, pi/2)``: ``0`` is horizontal, ``+pi/4`` runs
down-right, ``-pi/2`` is vertical.

Differences from :func:`skimage.filters.frangi` (scikit-image 0.26)
--------------------------------------------------------------------
* Hessian: skincore blurs with :func:`skincore.geometry.gaussian_blur` (truncate 4,
  reflect-101 borders) and takes central differences (``[1, -2, 1]`` and
  ``[-1, 0, 1] x [-1, 0, 1] / 4``); scikit-image convolves with sampled Gaussian
  derivative kernels (truncate 8, or 100 for sigma <= 1). On textured images the
  two Hessians differ by a few percent of their range at sigma 1 (less at larger
  sigma), which moves the vesselness by up to ~0.1 on near-isotropic texture and
  by ~0.01 on ridges. The compiled kernel matches ``tests/reference/ridges.py`` (a
  float32 NumPy transcription) to ~1e-6.
* The Hessian is multiplied by ``sigma**2`` (``normalize=True``) so that responses
  at different scales compare; scikit-image does not normalise
  (``normalize=False`` reproduces that).
* Where the across-ridge eigenvalue has the wrong sign the response is 0.
  scikit-image relies on ``exp`` underflowing there, which fails where the
  along-ridge eigenvalue is exactly 0 (the centre of a straight line of the
  opposite polarity gets a response of 1).
* ``exp`` of arguments below -87 is taken as 0 (no denormals), so responses
  below ~1e-38 read 0.
* ``edge_beta`` (off by default) adds a gradient term that scikit-image lacks.
* Everything else follows scikit-image: eigenvalues sorted by magnitude,
  ``Rb = |l1| / max(l2, 1e-10)``, ``S**2 = l1**2 + l2**2``, ``V = exp(-Rb**2 /
  (2 beta**2)) * (1 - exp(-S**2 / (2 gamma**2)))``, max over scales, and the
  automatic ``gamma`` is half the largest ``S`` at the *first* sigma, reused for
  the others (inside ``mask`` when one is given).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from skincore import _core
from skincore._checks import check_mask, check_threads

__all__ = ["FRANGI_MAPS", "FrangiResult", "Ridge", "frangi", "hysteresis_skeleton", "trace"]

#: The optional maps of :func:`frangi` (its ``maps`` argument).
FRANGI_MAPS = ("scale", "strength", "strength_scale")


@dataclass(frozen=True)
class FrangiResult:
    """Output of :func:`frangi` (all ``(H, W)`` float32).

    ``scale``, ``strength`` and ``strength_scale`` are ``None`` when left out of
    :func:`frangi`'s ``maps``.

    Attributes
    ----------
    response : numpy.ndarray
        Vesselness in ``[0, 1]``, maximum over the scales; 0 outside the mask.
    scale : numpy.ndarray
        Sigma (px) at which the maximum was reached; 0 where ``response == 0``.
    orientation : numpy.ndarray
        Direction along the ridge (radians, ``[-pi/2, pi/2)``, x right, y down)
        at that scale; 0 where ``response == 0`` or below the ``response_floor``
        of :func:`frangi`.
    strength : numpy.ndarray
        The largest across-ridge eigenvalue of the requested polarity over the
        scales (the larger-magnitude Hessian eigenvalue, ``sigma**2``-normalised
        when ``normalize``, in image units; 0 where it has the wrong sign at
        every scale). Proportional to the line's contrast for a given width;
        unlike ``response`` it does not saturate and does not depend on
        ``gamma``.
    strength_scale : numpy.ndarray
        Sigma (px) of that maximum (0 where ``strength`` is 0). With
        ``normalize``, a bar-shaped line of width ``w`` peaks at ``sigma = w /
        2``: pass it as ``trace(scale=...)`` for widths (``scale``, the sigma of
        the best vesselness, is pushed up by ``edge_beta``).
    """

    response: np.ndarray
    scale: np.ndarray | None
    orientation: np.ndarray
    strength: np.ndarray | None
    strength_scale: np.ndarray | None


@dataclass(frozen=True)
class Ridge:
    """One traced ridge polyline.

    Attributes
    ----------
    points : numpy.ndarray
        ``(K, 2)`` float32 ``(x, y)`` points in pixel coordinates (pixel centres
        are integers), the skeleton pixels smoothed by a moving average whose
        window shrinks at the ends (end points are exact skeleton pixels). A
        closed ridge repeats its first point at the end.
    length : float
        Sum of the segment lengths of ``points`` (px); a linked gap counts as
        the straight segment across it.
    mean_depth, max_depth : float
        Mean and maximum of the depth map (``response`` unless ``depth`` was
        given) over the ridge's skeleton pixels.
    mean_width : float
        Mean of ``2 * scale`` over the skeleton pixels (px): for a bar-shaped
        line of width ``w`` the sigma^2-normalised Hessian peaks at
        ``sigma = w / 2``. NaN when no ``scale`` map was given. Quantised to the
        sigmas used.
    orientation : float
        Mean direction (radians, ``[-pi/2, pi/2)``): the axial mean of the
        ``orientation`` map over the skeleton pixels when one was given,
        otherwise the principal axis of the points.
    closed : bool
        True for a closed loop.
    n_pixels : int
        Number of skeleton pixels the ridge covers.
    """

    points: np.ndarray
    length: float
    mean_depth: float
    max_depth: float
    mean_width: float
    orientation: float
    closed: bool
    n_pixels: int


def _gray(gray: np.ndarray) -> np.ndarray:
    if not isinstance(gray, np.ndarray):
        raise ValueError("gray: expected a numpy array")
    if gray.dtype != np.float32:
        raise ValueError(f"gray: expected dtype float32, got {gray.dtype}")
    return gray


def _mask(mask: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    return None if mask is None else check_mask(mask, "mask", shape)


def _finite(name: str, value: float, *, lo: float | None = None, positive: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name}: must be finite")
    if positive and not v > 0:
        raise ValueError(f"{name}: must be > 0")
    if lo is not None and v < lo:
        raise ValueError(f"{name}: must be >= {lo}")
    return v


def frangi(
    gray: np.ndarray,
    sigmas: Iterable[float],
    *,
    black_ridges: bool = True,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float | None = None,
    mask: np.ndarray | None = None,
    normalize: bool = True,
    edge_beta: float | None = None,
    response_floor: float = 0.0,
    maps: Iterable[str] | None = None,
    threads: int = 0,
) -> FrangiResult:
    """Multi-scale Frangi vesselness with the scale and direction of the best scale.

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 image (e.g. grey levels in ``[0, 1]``), all finite
        (NaN or +-inf raise ValueError). Rows may be strided; pixels within a row
        must be contiguous.
    sigmas : iterable of float
        Scales (px), 1 to 64 values in ``(0, 256]``. The first one sets the
        automatic ``gamma``.
    black_ridges : bool, optional
        Detect dark lines (wrinkles; the across-ridge eigenvalue is positive).
        ``False`` detects bright lines.
    alpha : float, optional
        Plate sensitivity; must be > 0 but has no effect in 2-D (as in
        scikit-image, the plate term is exactly 1).
    beta : float, optional
        Blobness sensitivity (> 0).
    gamma : float, optional
        Structure sensitivity (> 0). ``None``: half the largest Hessian norm at
        the first sigma (inside ``mask``), which makes the response relative to
        the strongest structure in the image. Pass a fixed value to compare
        responses across images (with ``normalize=True`` and grey levels in
        ``[0, 1]``, a line of contrast ``c`` has ``strength`` ~ ``0.1 * c`` to
        ``0.2 * c``; ``gamma`` ~ 0.005-0.01 suits facial wrinkles).
    mask : numpy.ndarray, optional
        ``(H, W)`` bool or uint8; outputs are 0 where it is 0.
    normalize : bool, optional
        Multiply the Hessian by ``sigma**2`` (scale normalisation). ``False``
        reproduces scikit-image's (unnormalised) convention.
    edge_beta : float, optional
        Edge suppression (an extension, off by default so that the filter stays
        the plain Frangi filter of scikit-image). When set (> 0), the vesselness
        is multiplied by ``exp(-Rg**2 / (2 edge_beta**2))`` with ``Rg = sigma *
        |grad B . n| / (sigma**2 * l2)`` (``n`` the unit vector across the ridge;
        the gradient along the ridge, e.g. at its ends, does not count): zero at a
        ridge centre, about 1 on the
        convex flank of an edge or of a line of the opposite polarity, which the
        plain filter reports as two parallel ridges. ``0.5`` removes the flanks
        of bright lines when looking for dark ones (use it for wrinkles, next to
        specular highlights).
    response_floor : float, optional
        Responses below it are not needed (pass :func:`trace`'s ``low``): where
        the bound ``V <= S**2 / (2 gamma**2)`` shows ``V < response_floor`` the
        vesselness is returned as 0 without computing its exponentials, and the
        orientation (an arctangent per pixel) is computed only where
        ``response >= response_floor``. Responses at or above the floor, their
        ``scale`` and ``orientation``, ``strength`` and ``strength_scale`` are
        exactly those of ``response_floor=0``, so a trace at ``low >=
        response_floor`` gives the same ridges. 0: every response exact.
    maps : iterable of str, optional
        The optional maps to compute, any of :data:`FRANGI_MAPS` (``"scale"``,
        ``"strength"``, ``"strength_scale"``); ``None``: all. The others are
        neither computed nor allocated (``None`` in the result); the maps that
        are computed are bit-identical whatever this selects.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size; results are bit-identical for any value.

    Returns
    -------
    FrangiResult
        ``response`` and ``orientation`` maps, and those of ``maps``.

    Raises
    ------
    ValueError
        On a bad argument; the message names it.
    """
    gray = _gray(gray)
    if gray.ndim != 2:
        raise ValueError(f"gray: expected a 2-D array (H, W), got ndim={gray.ndim}")
    try:
        sig = [float(s) for s in sigmas]
    except (TypeError, ValueError):
        raise ValueError("sigmas: expected an iterable of numbers") from None
    if not 1 <= len(sig) <= 64:
        raise ValueError("sigmas: need 1 to 64 scales")
    for s in sig:
        if not (math.isfinite(s) and 0 < s <= 256):
            raise ValueError(f"sigmas: each sigma must be in (0, 256], got {s}")
    _finite("alpha", alpha, positive=True)
    b = _finite("beta", beta, positive=True)
    g = 0.0 if gamma is None else _finite("gamma", gamma, positive=True)
    eb = 0.0 if edge_beta is None else _finite("edge_beta", edge_beta, positive=True)
    floor = _finite("response_floor", response_floor)
    if maps is None:
        want = set(FRANGI_MAPS)
    else:
        if isinstance(maps, str):
            raise ValueError("maps: expected an iterable of map names, not a string")
        want = set(maps)
        if not want <= set(FRANGI_MAPS):
            bad = sorted(str(v) for v in want - set(FRANGI_MAPS))
            raise ValueError(f"maps: unknown {', '.join(bad)} (expected some of {FRANGI_MAPS})")
    m = _mask(mask, gray.shape)
    nt = check_threads(threads)
    h, w = gray.shape

    def out(name: str) -> np.ndarray | None:
        return np.empty((h, w), np.float32) if name in want else None

    resp = np.empty((h, w), np.float32)
    orient = np.empty((h, w), np.float32)
    scale, strength, sscale = out("scale"), out("strength"), out("strength_scale")
    if gray.size == 0:
        return FrangiResult(resp, scale, orient, strength, sscale)
    _core.ridges.frangi(
        gray, sig, bool(black_ridges), b, g, bool(normalize), eb, m, resp, scale, orient, strength,
        sscale, nt, floor,
    )  # fmt: skip
    return FrangiResult(resp, scale, orient, strength, sscale)


def _response(response: np.ndarray) -> np.ndarray:
    if not isinstance(response, np.ndarray):
        raise ValueError("response: expected a numpy array")
    if response.dtype != np.float32:
        raise ValueError(f"response: expected dtype float32, got {response.dtype}")
    if response.ndim != 2:
        raise ValueError(f"response: expected a 2-D array (H, W), got ndim={response.ndim}")
    return response


def _thresholds(low: float, high: float) -> tuple[float, float]:
    lo = _finite("low", low)
    hi = _finite("high", high)
    if lo > hi:
        raise ValueError(f"low: must be <= high ({lo} > {hi})")
    return lo, hi


def hysteresis_skeleton(
    response: np.ndarray,
    *,
    low: float,
    high: float,
    mask: np.ndarray | None = None,
    thin: bool = True,
    threads: int = 0,
) -> np.ndarray:
    """Hysteresis threshold and Guo-Hall thinning (the first stage of :func:`trace`).

    Parameters
    ----------
    response : numpy.ndarray
        ``(H, W)`` float32 ridge response.
    low, high : float
        Pixels ``>= high`` seed; pixels ``>= low`` 8-connected to a seed are kept.
    mask : numpy.ndarray, optional
        ``(H, W)`` bool/uint8; only pixels where it is non-zero are considered.
    thin : bool, optional
        Thin the kept pixels to a one-pixel skeleton (Guo & Hall 1989, the same
        algorithm as :func:`skimage.morphology.thin`).
    threads : int, optional
        Worker threads for the threshold pass; results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` bool.
    """
    response = _response(response)
    lo, hi = _thresholds(low, high)
    m = _mask(mask, response.shape)
    nt = check_threads(threads)
    out = np.zeros(response.shape, np.uint8)
    if response.size == 0:
        return out.view(np.bool_)
    _core.ridges.hysteresis_skeleton(response, m, lo, hi, bool(thin), out, nt)
    return out.view(np.bool_)


def _optional_map(name: str, a: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray | None:
    if a is None:
        return None
    if not isinstance(a, np.ndarray) or a.dtype != np.float32:
        raise ValueError(f"{name}: expected a float32 numpy array")
    if a.shape != shape:
        raise ValueError(f"{name}: shape {a.shape} does not match response {shape}")
    return a


def trace(
    response: np.ndarray,
    *,
    low: float,
    high: float,
    scale: np.ndarray | None = None,
    orientation: np.ndarray | None = None,
    depth: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    min_length: float = 10.0,
    max_gap: float = 3.0,
    max_angle_deg: float = 45.0,
    spur_length: float = 10.0,
    smooth: int = 2,
    threads: int = 0,
) -> list[Ridge]:
    """Trace ridges of a response map into polylines with length, depth and width.

    Steps: hysteresis threshold (seeds ``>= high``, 8-connected through
    ``>= low``, inside ``mask``); Guo-Hall thinning to a one-pixel skeleton;
    the skeleton is cut into paths at junctions and ends (8-adjacency without
    diagonal links that two 4-links already join); spurs shorter than
    ``spur_length`` are pruned; path ends closer than
    ``max_gap`` whose outward directions (from 10 px to 2 px before the end) are opposite
    within ``max_angle_deg`` (and, for gaps over 2 px, point along the gap) are
    linked greedily, best aligned first, never into a cycle (so at a junction the
    two straightest branches continue each other); each end keeps at most its 8
    nearest such partners, and its search stops after the ring of grid cells in
    which it met 128 ends, so linking stays linear on dense skeletons (when no
    end has more partners than that, every valid pair is considered); chains shorter than
    ``min_length`` are dropped. Iterative throughout (no recursion); memory is
    linear in the image size.

    Parameters
    ----------
    response : numpy.ndarray
        ``(H, W)`` float32 ridge response (e.g. ``frangi(...).response``). NaN
        never passes a threshold (it is background); +inf passes both.
    low, high : float
        Hysteresis thresholds, ``low <= high``.
    scale : numpy.ndarray, optional
        ``(H, W)`` float32 scale map for the widths (``FrangiResult.strength_scale``
        gives ``2 * sigma ~ w`` for a bar of width ``w``).
    orientation : numpy.ndarray, optional
        ``(H, W)`` float32 orientation map for the mean orientation.
    depth : numpy.ndarray, optional
        ``(H, W)`` float32 map sampled for the depths (default: ``response``;
        ``FrangiResult.strength`` gives a depth proportional to contrast).
    mask : numpy.ndarray, optional
        ``(H, W)`` bool/uint8 region to trace in.
    min_length : float, optional
        Minimum polyline length (px).
    max_gap : float, optional
        Largest gap (px, ``[0, 64]``) bridged between two ends.
    max_angle_deg : float, optional
        Direction tolerance for linking (degrees, ``[0, 90]``).
    spur_length : float, optional
        Branches running from a junction to a free end that are shorter than
        this (px) are pruned before linking (thinning spurs, texture side-hairs).
    smooth : int, optional
        Half-window of the moving average applied to the points (0 = raw pixels).
    threads : int, optional
        Worker threads for the threshold pass; results do not depend on it.

    Returns
    -------
    list of Ridge
        Ordered by the raster position (y, then x) of their first point; an open
        polyline starts at whichever of its two ends comes first in raster order.
    """
    response = _response(response)
    lo, hi = _thresholds(low, high)
    shape = response.shape
    sc = _optional_map("scale", scale, shape)
    orr = _optional_map("orientation", orientation, shape)
    dp = _optional_map("depth", depth, shape)
    m = _mask(mask, shape)
    ml = _finite("min_length", min_length, lo=0.0)
    mg = _finite("max_gap", max_gap, lo=0.0)
    if mg > 64:
        raise ValueError("max_gap: must be <= 64")
    ma = _finite("max_angle_deg", max_angle_deg, lo=0.0)
    if ma > 90:
        raise ValueError("max_angle_deg: must be <= 90")
    sl = _finite("spur_length", spur_length, lo=0.0)
    is_int = isinstance(smooth, (int, np.integer)) and not isinstance(smooth, bool)
    if not is_int or not 0 <= smooth <= 64:
        raise ValueError("smooth: expected an integer in [0, 64]")
    nt = check_threads(threads)
    if response.size == 0:
        return []
    offs, xy, stats = _core.ridges.trace(
        response, sc, orr, dp, m, lo, hi, ml, mg, ma, sl, int(smooth), nt
    )
    out: list[Ridge] = []
    for i in range(len(offs) - 1):
        st = stats[i]
        out.append(
            Ridge(
                points=xy[offs[i] : offs[i + 1]].copy(),
                length=float(st[0]),
                mean_depth=float(st[1]),
                max_depth=float(st[2]),
                mean_width=float(st[3]),
                orientation=float(st[4]),
                closed=bool(st[5]),
                n_pixels=int(st[6]),
            )
        )
    return out
