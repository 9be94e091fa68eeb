"""Scale-space blob detection (pores, blackheads).

The detector works on a difference-of-Gaussians (DoG) scale space. For blur scales
``s_0 < s_1 < ... < s_{K-1}`` it forms ``K - 1`` layers

``D_i = p * 2 s_i s_{i+1} / (s_{i+1}**2 - s_i**2) * (G(s_{i+1}) * I - G(s_i) * I)``

with ``p = +1`` for dark blobs (local minima of the image: pores, blackheads) and
``p = -1`` for bright ones. ``D_i`` approximates the scale-normalised Laplacian
``s'**2 * LoG`` at the detection scale ``s'_i = sqrt(s_i * s_{i+1})``; a Gaussian dip
of standard deviation ``b`` and depth ``c`` peaks exactly at ``s' = b`` with the value
``2 c / (2 + q + 1 / q)`` (``q = s_{i+1} / s_i``), about ``c / 2``. Responses and the
threshold are therefore in intensity units of the input (float32, expected in [0, 1]).
The blurred images ``G(s_k) * I`` are computed incrementally (``G(s_{k+1}) * I`` as
``G(sqrt(s_{k+1}**2 - s_k**2)) * (G(s_k) * I)``), equal to direct blurs up to the
kernels' truncation and much cheaper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from skincore import _core
from skincore._checks import check_threads

MAX_SCALES: int = int(_core.blobs.MAX_SCALES)
"""Largest number of blur scales :func:`detect` accepts."""

DEFAULT_THRESHOLD: float = 0.01
"""Default response threshold (intensity units; a dip of depth 0.021 at ratio 1.6)."""


def scale_sigmas(min_sigma: float = 1.0, max_sigma: float = 8.0, ratio: float = 1.6) -> np.ndarray:
    """Geometric blur scales whose detection scales cover ``[min_sigma, max_sigma]``.

    Parameters
    ----------
    min_sigma : float, optional
        Smallest detection scale (blob standard deviation, pixels), > 0.
    max_sigma : float, optional
        Largest detection scale, >= ``min_sigma``.
    ratio : float, optional
        Ratio between consecutive blur scales, > 1.

    Returns
    -------
    numpy.ndarray
        float64 blur scales ``s_k = min_sigma / sqrt(ratio) * ratio**k``, enough of them
        (at least 3) that the last detection scale ``sqrt(s_{K-2} s_{K-1})`` reaches
        ``max_sigma``.

    Raises
    ------
    ValueError
        If an argument is out of range or more than :data:`MAX_SCALES` scales are needed.
    """
    if not (math.isfinite(min_sigma) and min_sigma > 0):
        raise ValueError("min_sigma: must be finite and > 0")
    if not (math.isfinite(max_sigma) and max_sigma >= min_sigma):
        raise ValueError("max_sigma: must be finite and >= min_sigma")
    if not (math.isfinite(ratio) and ratio > 1):
        raise ValueError("ratio: must be finite and > 1")
    q = max_sigma / min_sigma
    if not math.isfinite(q):
        raise ValueError("max_sigma: max_sigma / min_sigma must be finite")
    steps = math.log(q) / math.log(ratio)
    if not steps <= MAX_SCALES:  # also catches inf (ratio within rounding of 1)
        raise ValueError(f"ratio: needs more than {MAX_SCALES} scales")
    nlayers = max(2, math.ceil(steps - 1e-9) + 1)
    if nlayers + 1 > MAX_SCALES:
        raise ValueError(f"ratio: needs {nlayers + 1} scales, more than {MAX_SCALES}")
    s0 = min_sigma / math.sqrt(ratio)
    try:
        out = np.array([s0 * ratio**k for k in range(nlayers + 1)], dtype=np.float64)
    except OverflowError:
        raise ValueError("ratio: the scales overflow") from None
    if not (np.isfinite(out).all() and out[0] > 0 and (np.diff(out) > 0).all()):
        raise ValueError("min_sigma: the scales underflow, overflow or do not increase")
    return out


DEFAULT_SIGMAS: tuple[float, ...] = tuple(float(s) for s in scale_sigmas(1.0, 8.0, 1.6))
"""Default blur scales: detection scales 1.0, 1.6, ..., 10.5 px (ratio 1.6)."""


def _check_polarity(polarity: str) -> str:
    if polarity not in ("dark", "bright"):
        raise ValueError(f"polarity: expected 'dark' or 'bright', got {polarity!r}")
    return polarity


def _check_sigmas(sigmas: Sequence[float] | np.ndarray) -> list[float]:
    try:
        arr = np.asarray(sigmas, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError("sigmas: expected a sequence of numbers") from exc
    if arr.ndim != 1:
        raise ValueError("sigmas: expected a 1-D sequence")
    if not 2 <= arr.size <= MAX_SCALES:
        raise ValueError(f"sigmas: need between 2 and {MAX_SCALES} values, got {arr.size}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError("sigmas: values must be finite and > 0")
    if np.any(np.diff(arr) <= 0):
        raise ValueError("sigmas: values must be strictly increasing")
    return [float(v) for v in arr]


def detection_sigmas(sigmas: Sequence[float] | np.ndarray = DEFAULT_SIGMAS) -> np.ndarray:
    """Return the detection scales ``sqrt(s_i * s_{i+1})`` of a list of blur scales.

    Parameters
    ----------
    sigmas : sequence of float, optional
        Blur scales, strictly increasing, 2 to :data:`MAX_SCALES` values.

    Returns
    -------
    numpy.ndarray
        float64 array of ``len(sigmas) - 1`` detection scales (blob sigma, pixels).
    """
    s = np.asarray(_check_sigmas(sigmas))
    return np.sqrt(s[:-1] * s[1:])


def detect(
    gray: np.ndarray,
    mask: np.ndarray | None = None,
    sigmas: Sequence[float] | np.ndarray = DEFAULT_SIGMAS,
    polarity: str = "dark",
    threshold: float = DEFAULT_THRESHOLD,
    *,
    overlap: float = 0.5,
    truncate: float = 4.0,
    threads: int = 0,
) -> np.ndarray:
    """Detect dark (or bright) blobs in a grey image with a DoG scale space.

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 image, intensities expected in [0, 1], all finite (NaN
        or +-inf raise ValueError). Rows may be strided (a crop of a larger array);
        pixels within a row must be contiguous.
    mask : numpy.ndarray, optional
        ``(H, W)`` uint8; blobs whose centre pixel is 0 are dropped (before the overlap
        pruning, so masked-out blobs never suppress kept ones).
    sigmas : sequence of float, optional
        Gaussian blur scales, strictly increasing, 2 to :data:`MAX_SCALES` values; see
        :func:`scale_sigmas`. Blobs are detected at ``sqrt(s_i * s_{i+1})``.
    polarity : {"dark", "bright"}, optional
        ``"dark"`` finds local minima of the image (pores, blackheads), ``"bright"``
        local maxima.
    threshold : float, optional
        Minimum normalised response, >= 0, in intensity units (a Gaussian dip of depth
        ``c`` at its own scale responds with about ``c / 2``).
    overlap : float, optional
        In [0, 1]. A blob is dropped when its disk overlaps a stronger kept blob's disk
        by more than this fraction of the smaller disk's area.
    truncate : float, optional
        Gaussian radius ``int(truncate * sigma + 0.5)`` (SciPy's rule).
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (see skincore.threads). Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(N, 4)`` float32 rows ``x, y, radius, response``: centre column and row in
        pixels (subpixel, parabola-refined), ``radius = sqrt(2) * sigma`` in pixels, and
        the normalised response. Sorted by response descending, then by row, column
        and scale of the peak sample.

    Raises
    ------
    ValueError
        Naming the argument, for a bad dtype, shape or parameter, or a non-finite
        ``gray``.
    """
    threads = check_threads(threads)
    polarity = _check_polarity(polarity)
    s = _check_sigmas(sigmas)
    if not math.isfinite(threshold) or threshold < 0:
        raise ValueError("threshold: must be finite and >= 0")
    if not math.isfinite(overlap) or not 0.0 <= overlap <= 1.0:
        raise ValueError("overlap: must be in [0, 1]")
    if not math.isfinite(truncate) or truncate <= 0:
        raise ValueError("truncate: must be finite and > 0")
    if isinstance(gray, np.ndarray) and gray.ndim == 2 and gray.size == 0:
        if gray.dtype != np.float32:
            raise ValueError(f"gray: expected dtype float32, got {gray.dtype}")
        return np.zeros((0, 4), np.float32)
    return _core.blobs.detect(
        gray, mask, s, polarity, float(threshold), float(overlap), float(truncate), threads
    )


def dog_response(
    gray: np.ndarray,
    sigma_a: float,
    sigma_b: float,
    polarity: str = "dark",
    *,
    truncate: float = 4.0,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Scale-normalised DoG layer of two blur scales (one layer of :func:`detect`).

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 image; NaN and +-inf propagate (IEEE arithmetic) to the
        outputs whose blur windows reach them.
    sigma_a, sigma_b : float
        Blur scales, ``0 < sigma_a < sigma_b``.
    polarity : {"dark", "bright"}, optional
        Sign convention: dark blobs give positive responses for ``"dark"``.
    truncate : float, optional
        Gaussian radius ``int(truncate * sigma + 0.5)``.
    out : numpy.ndarray, optional
        ``(H, W)`` float32 output.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (see skincore.threads).

    Returns
    -------
    numpy.ndarray
        ``p * 2 a b / (b**2 - a**2) * (G(b) * gray - G(a) * gray)`` as float32, an
        approximation of ``p * a b * LoG(gray)`` at scale ``sqrt(a b)``: dark blobs
        respond positively for ``"dark"``, bright blobs for ``"bright"``.
    """
    threads = check_threads(threads)
    polarity = _check_polarity(polarity)
    _check_sigmas([sigma_a, sigma_b])
    if out is None:
        out = np.empty(np.shape(gray)[:2], dtype=np.float32)
    _core.blobs.dog_response(
        gray, out, float(sigma_a), float(sigma_b), polarity, float(truncate), threads
    )
    return out


def scale_space(
    gray: np.ndarray,
    sigmas: Sequence[float] | np.ndarray = DEFAULT_SIGMAS,
    *,
    support: np.ndarray | None = None,
    margin: int = 0,
    out: tuple[np.ndarray, np.ndarray] | None = None,
    truncate: float = 4.0,
    threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Build and return the blurs and dark-polarity DoG layers :func:`detect` uses.

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 image. Rows may be strided; pixels within a row must be
        contiguous.
    sigmas : sequence of float, optional
        Blur scales, as for :func:`detect`.
    support : numpy.ndarray, optional
        ``(H, W)`` uint8: compute the outputs only where they are needed for the
        layers to be exact within ``margin`` pixels (Chebyshev distance) of its
        nonzero samples; the samples not computed are 0. Every
        sample :func:`detect_layers` reads for candidates in a mask is within one
        pixel of the mask: ``support=mask, margin=1`` gives the same blobs.
    margin : int, optional
        >= 0, see ``support``.
    out : tuple of numpy.ndarray, optional
        ``(blurs, layers)`` to write into (shapes and dtype as returned; rows may
        be strided, pixels within a row contiguous; the two must not overlap).
    truncate : float, optional
        Gaussian radius ``int(truncate * sigma + 0.5)``.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    blurs : numpy.ndarray
        ``(K, H, W)`` float32 ``G(s_k) * gray``, built incrementally exactly as
        :func:`detect` builds them.
    layers : numpy.ndarray
        ``(K - 1, H, W)`` float32 ``D_i`` of the dark polarity (the module
        docstring's formula with ``p = +1``). :func:`detect_layers` on them finds
        what :func:`detect` finds on ``gray``, for either polarity.
    """
    blurs, layers, _ = scale_space_checked(
        gray, sigmas, support=support, margin=margin, out=out, truncate=truncate, threads=threads
    )
    return blurs, layers


def scale_space_checked(
    gray: np.ndarray,
    sigmas: Sequence[float] | np.ndarray = DEFAULT_SIGMAS,
    *,
    support: np.ndarray | None = None,
    margin: int = 0,
    out: tuple[np.ndarray, np.ndarray] | None = None,
    truncate: float = 4.0,
    threads: int = 0,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """:func:`scale_space`, and whether its layers are finite where they were computed.

    Parameters
    ----------
    gray, sigmas, support, margin, out, truncate, threads
        As for :func:`scale_space`.

    Returns
    -------
    blurs, layers : numpy.ndarray
        As :func:`scale_space` returns them.
    finite : bool
        Every layer sample within ``margin`` of ``support`` (every sample without
        one) is finite, tested as the layers are written (while they are in cache).
        Then :func:`detect_layers` with ``finite=True`` and a mask within ``margin
        - 1`` pixels of ``support`` skips its own test (a second pass over the
        layers) and finds the same blobs.
    """
    threads = check_threads(threads)
    s = _check_sigmas(sigmas)
    if not math.isfinite(truncate) or truncate <= 0:
        raise ValueError("truncate: must be finite and > 0")
    if not isinstance(gray, np.ndarray) or gray.ndim != 2:
        raise ValueError("gray: expected a 2-D float32 numpy.ndarray")
    if isinstance(margin, bool) or not isinstance(margin, (int, np.integer)) or margin < 0:
        raise ValueError("margin: expected an int >= 0")
    h, w = gray.shape
    if out is None:
        blurs = np.empty((len(s), h, w), np.float32)
        layers = np.empty((len(s) - 1, h, w), np.float32)
    else:
        blurs, layers = out
        for name, a, n in (("blurs", blurs, len(s)), ("layers", layers, len(s) - 1)):
            if not isinstance(a, np.ndarray) or a.shape != (n, h, w) or a.dtype != np.float32:
                raise ValueError(f"out: {name} must be a float32 array of shape {(n, h, w)}")
    if gray.size == 0:
        if gray.dtype != np.float32:
            raise ValueError(f"gray: expected dtype float32, got {gray.dtype}")
        return blurs, layers, True
    finite = _core.blobs.scale_space(
        gray, list(blurs), list(layers), s, float(truncate), threads, support, int(margin)
    )
    return blurs, layers, bool(finite)


def detect_layers(
    layers: np.ndarray | Sequence[np.ndarray],
    mask: np.ndarray | None = None,
    sigmas: Sequence[float] | np.ndarray = DEFAULT_SIGMAS,
    polarity: str = "dark",
    threshold: float = DEFAULT_THRESHOLD,
    *,
    overlap: float = 0.5,
    threads: int = 0,
    finite: bool = False,
) -> np.ndarray:
    """:func:`detect` on a scale space already built (:func:`scale_space`).

    Parameters
    ----------
    layers : numpy.ndarray or sequence of numpy.ndarray
        ``(L, H, W)`` float32 dark-polarity DoG layers, or a sequence of ``L``
        ``(H, W)`` ones (the first ``L`` layers of :func:`scale_space` with the
        first ``L + 1`` sigmas give what :func:`detect` gives with those sigmas).
        Finite where the search reads them: within one pixel of the mask (all of
        them without a mask).
    mask, sigmas, polarity, threshold, overlap, threads
        As for :func:`detect`; ``len(sigmas)`` must be ``L + 1``. ``"bright"``
        searches ``-layers``.
    finite : bool, optional
        The caller knows the layers are finite where the search reads them
        (:func:`scale_space_checked` said so, for a support the mask lies within
        ``margin - 1`` pixels of): their test is skipped. Default: tested.

    Returns
    -------
    numpy.ndarray
        ``(N, 4)`` float32 ``x, y, radius, response`` as :func:`detect` returns.

    Raises
    ------
    ValueError
        Naming the argument, for a bad dtype, shape or parameter, non-finite
        layers, or a layer count that does not match ``sigmas``.
    """
    threads = check_threads(threads)
    polarity = _check_polarity(polarity)
    s = _check_sigmas(sigmas)
    if not math.isfinite(threshold) or threshold < 0:
        raise ValueError("threshold: must be finite and >= 0")
    if not math.isfinite(overlap) or not 0.0 <= overlap <= 1.0:
        raise ValueError("overlap: must be in [0, 1]")
    items = list(layers)
    if len(items) != len(s) - 1:
        raise ValueError(
            f"layers: expected {len(s) - 1} layers for {len(s)} sigmas, got {len(items)}"
        )
    if any(isinstance(a, np.ndarray) and a.ndim == 2 and a.size == 0 for a in items):
        if any(a.dtype != np.float32 for a in items):
            raise ValueError("layers: expected dtype float32")
        return np.zeros((0, 4), np.float32)
    return _core.blobs.detect_layers(
        items, mask, s, polarity, float(threshold), float(overlap), threads, not finite
    )
