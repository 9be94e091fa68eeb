"""Lesion candidate kernels: multi-scale local contrast and region features.

:func:`local_contrast` finds blobs brighter than their surroundings in any map
(pass ``-L*`` for dark spots, the haemoglobin map for red ones) as the masked
centre-surround difference of Gaussian means, maximised over scales; only mask
pixels contribute to either mean, so the edge of the skin (eyes, lips, hair)
does not create contrast. :func:`region_features` measures labelled candidate
regions: geometry, mean values inside, in a central core and in a ring of
surrounding pixels, extremes, and the gradient across the region border.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skincore import _core
from skincore._checks import check_threads

__all__ = [
    "ChannelStats",
    "RegionFeatures",
    "local_contrast",
    "local_contrast_maps",
    "median3",
    "region_features",
    "smooth_over",
    "take",
]

_GEOM = int(_core.lesions.GEOM_COLS)
_CHAN = int(_core.lesions.CHAN_COLS)


def _as(x: object, name: str, dtype: type, ndim: int) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name}: expected a numpy.ndarray, got {type(x).__name__}")
    if x.dtype == np.bool_ and dtype is np.uint8:
        x = x.view(np.uint8)
    if x.dtype != dtype:
        raise ValueError(f"{name}: expected dtype {np.dtype(dtype)}, got {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} dimensions, got {x.ndim}")
    return x


def local_contrast(
    src: np.ndarray,
    mask: np.ndarray,
    sigmas: Sequence[float],
    *,
    surround_ratio: float = 3.0,
    truncate: float = 3.0,
    threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Masked centre-surround contrast, maximised over scales.

    For each ``s`` in ``sigmas`` (pixels) the Gaussian mean of ``src`` over the
    mask at ``s`` (centre) minus the one at ``surround_ratio * s`` (surround);
    both means use only mask pixels (normalised convolution) and are defined
    where the Gaussian weight of the mask is at least ``MIN_WEIGHT`` (0.05).

    Parameters
    ----------
    src : numpy.ndarray
        ``(H, W)`` float32 map; positive contrast = brighter than the surround.
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool, nonzero = use this pixel.
    sigmas : sequence of float
        1 to 16 centre scales in pixels, each finite and > 0.
    surround_ratio : float
        Surround scale / centre scale, > 1.
    truncate : float
        Gaussian radius in sigmas (``int(truncate * s + 0.5)`` taps each side).
    threads : int
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    contrast : numpy.ndarray
        ``(H, W)`` float32, the largest centre - surround difference over the
        scales; 0 outside the mask or where no scale is defined.
    scale : numpy.ndarray
        ``(H, W)`` uint8, index into ``sigmas`` of that scale (0 where undefined).

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    src = _as(src, "src", np.float32, 2)
    mask = _as(mask, "mask", np.uint8, 2)
    threads = check_threads(threads)
    try:
        sig = [float(s) for s in sigmas]
    except (TypeError, ValueError):
        raise ValueError(f"sigmas: expected a sequence of numbers, got {sigmas!r}") from None
    if mask.shape != src.shape:
        raise ValueError(f"mask: shape {mask.shape} does not match src {src.shape}")
    out = np.zeros(src.shape, np.float32)
    scale = np.zeros(src.shape, np.uint8)
    if src.size == 0:
        _core.lesions.local_contrast(
            np.zeros((1, 1), np.float32),
            np.zeros((1, 1), np.uint8),
            sig,
            float(surround_ratio),
            float(truncate),
            np.zeros((1, 1), np.float32),
            np.zeros((1, 1), np.uint8),
            threads,
        )  # validates the scalars the same way as for a non-empty input
        return out, scale
    _core.lesions.local_contrast(
        src, mask, sig, float(surround_ratio), float(truncate), out, scale, threads
    )
    return out, scale


def _maps_and_mask(srcs: object, mask: object) -> tuple[list[np.ndarray], np.ndarray]:
    """Check 1 to 16 ``(H, W)`` float32 maps and their uint8 mask of the same shape."""
    if isinstance(srcs, np.ndarray) or not isinstance(srcs, Sequence):
        raise ValueError("srcs: expected a sequence of (H, W) float32 arrays")
    if not 1 <= len(srcs) <= 16:
        raise ValueError(f"srcs: need 1 to 16 maps, got {len(srcs)}")
    maps = [_as(s, "srcs", np.float32, 2) for s in srcs]
    m = _as(mask, "mask", np.uint8, 2)
    for s in maps:
        if s.shape != m.shape:
            raise ValueError(f"srcs: shape {s.shape} does not match mask {m.shape}")
    return maps, m


def local_contrast_maps(
    srcs: Sequence[np.ndarray],
    mask: np.ndarray,
    sigmas: Sequence[float],
    *,
    surround_ratio: float = 3.0,
    truncate: float = 3.0,
    threads: int = 0,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`local_contrast` of several maps over one mask.

    Element ``i`` of the result is exactly ``local_contrast(srcs[i], mask,
    sigmas, ...)``; the Gaussian means of the mask (the denominators) are
    computed once for all maps, so two maps cost 3/4 of two calls.

    Parameters
    ----------
    srcs : sequence of numpy.ndarray
        1 to 16 ``(H, W)`` float32 maps.
    mask, sigmas, surround_ratio, truncate, threads
        As :func:`local_contrast`.

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        ``(contrast, scale)`` per map, as :func:`local_contrast` returns.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    maps, mask = _maps_and_mask(srcs, mask)
    threads = check_threads(threads)
    try:
        sig = [float(s) for s in sigmas]
    except (TypeError, ValueError):
        raise ValueError(f"sigmas: expected a sequence of numbers, got {sigmas!r}") from None
    # The kernel writes every pixel (np.empty: no zeroed fresh pages to fault in).
    outs = [np.empty(mask.shape, np.float32) for _ in maps]
    scales = [np.empty(mask.shape, np.uint8) for _ in maps]
    if mask.size == 0:
        # Validates the scalars as for a non-empty input.
        one, on = np.zeros((1, 1), np.float32), np.zeros((1, 1), np.uint8)
        local_contrast(
            one, on, sig, surround_ratio=surround_ratio, truncate=truncate, threads=threads
        )
        return list(zip(outs, scales, strict=True))
    _core.lesions.local_contrast_maps(
        maps, mask, sig, float(surround_ratio), float(truncate), outs, scales, threads
    )
    return list(zip(outs, scales, strict=True))


def smooth_over(
    srcs: Sequence[np.ndarray],
    mask: np.ndarray,
    sigma: float,
    *,
    truncate: float = 4.0,
    min_weight: float = 1e-3,
    threads: int = 0,
) -> list[np.ndarray]:
    """Gaussian mean of each map over the mask pixels (normalised convolution).

    With ``m = (mask != 0)``: ``G(src * m) / G(m)`` where ``G(m) > min_weight``,
    else 0, ``G`` the Gaussian of :func:`skincore.geometry.gaussian_blur`
    (``sigma``, ``truncate``; ``G(m)`` computed once for all maps). Evaluated only
    over each row's extent of the mask (its first to last mask pixel), where the
    values are exactly those of the whole-image blurs; 0 elsewhere (nothing
    outside the mask is meant to be read).

    Parameters
    ----------
    srcs : sequence of numpy.ndarray
        1 to 16 ``(H, W)`` float32 maps.
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool, nonzero = use this pixel.
    sigma : float
        Gaussian sigma in pixels, finite and > 0.
    truncate : float
        Gaussian radius in sigmas (``int(truncate * sigma + 0.5)`` taps each side).
    min_weight : float
        Where the blurred mask is at most this, the result is 0.
    threads : int
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    list of numpy.ndarray
        One ``(H, W)`` float32 array per map.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    maps, mask = _maps_and_mask(srcs, mask)
    threads = check_threads(threads)
    # The kernel writes every pixel (np.empty: no zeroed fresh pages to fault in).
    outs = [np.empty(mask.shape, np.float32) for _ in maps]
    if mask.size == 0:  # validates the scalars as for a non-empty input
        maps, mask = [np.zeros((1, 1), np.float32)], np.zeros((1, 1), np.uint8)
        _core.lesions.smooth_over(
            maps, mask, float(sigma), float(truncate), float(min_weight), [maps[0].copy()], threads
        )
        return outs
    _core.lesions.smooth_over(
        maps, mask, float(sigma), float(truncate), float(min_weight), outs, threads
    )
    return outs


_TAKE_LUTS = (np.bool_, np.uint8, np.int32, np.float32)


def take(
    lut: np.ndarray, index: np.ndarray, *, channel: int | None = None, threads: int = 0
) -> np.ndarray:
    """Look up every pixel of an index image in a table: ``numpy.take(lut, index)``.

    The same values as NumPy's gather (relabelling a label image, a per-label
    flag, an 8-bit channel through a 256-entry table) in one compiled pass, the
    index read in place (NumPy first converts an int32 or a strided uint8 index
    to a fresh intp array).

    Parameters
    ----------
    lut : numpy.ndarray
        1-D, non-empty, bool, uint8, int32 or float32.
    index : numpy.ndarray
        ``(H, W)`` int32 (labels) or uint8, or ``(H, W, C)`` uint8 (``C`` 1 to 4)
        with ``channel`` naming the channel read; rows may be strided, pixels
        packed. Every value must lie in ``[0, len(lut))`` (no negative wrap-around).
    channel : int, optional
        The channel of a 3-D ``index`` (required there; not allowed for 2-D).
    threads : int, optional
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    numpy.ndarray
        A new ``(H, W)`` array of ``lut``'s dtype.

    Raises
    ------
    ValueError
        On a bad argument (the message names it), or an index outside ``[0,
        len(lut))``.
    """
    if not isinstance(lut, np.ndarray):
        raise ValueError(f"lut: expected a numpy.ndarray, got {type(lut).__name__}")
    if lut.ndim != 1 or lut.size == 0 or lut.dtype.type not in _TAKE_LUTS:
        raise ValueError(
            f"lut: expected a non-empty 1-D bool, uint8, int32 or float32 array, got "
            f"shape {lut.shape} {lut.dtype}"
        )
    if not isinstance(index, np.ndarray):
        raise ValueError(f"index: expected a numpy.ndarray, got {type(index).__name__}")
    if index.dtype not in (np.int32, np.uint8):
        raise ValueError(f"index: expected dtype int32 or uint8, got {index.dtype}")
    if index.ndim == 2:
        if channel is not None:
            raise ValueError("channel: only for a 3-D (H, W, C) index")
        channels, ch = 1, 0
    elif index.ndim == 3 and index.dtype == np.uint8 and 1 <= index.shape[2] <= 4:
        if channel is None or not 0 <= int(channel) < index.shape[2]:
            raise ValueError(f"channel: expected one of 0..{index.shape[2] - 1}, got {channel}")
        channels, ch = index.shape[2], int(channel)
        if channels == 1:  # the binding takes one channel as (H, W)
            index, channels, ch = index[..., 0], 1, 0
    else:
        raise ValueError(
            f"index: expected shape (H, W), or (H, W, C) uint8 with C in 1..4, got {index.shape}"
        )
    threads = check_threads(threads)
    table = np.ascontiguousarray(lut.view(np.uint8) if lut.dtype == np.bool_ else lut)
    out = np.empty(index.shape[:2], table.dtype)
    if out.size:
        _core.lesions.take(index, channels, ch, table, out, threads)
    return out.view(np.bool_) if lut.dtype == np.bool_ else out


def median3(src: np.ndarray, *, threads: int = 0) -> np.ndarray:
    """3x3 median of each channel of an 8-bit image, edge pixels replicated.

    Exact (a median-of-9 exchange network per sample): impulse noise removed
    without moving an edge. The same as ``numpy.median`` of the nine
    neighbours of each pixel after ``numpy.pad(src, 1, mode="edge")``.

    Parameters
    ----------
    src : numpy.ndarray
        ``(H, W)`` or ``(H, W, C)`` uint8, ``C`` 1 to 4; rows may be strided,
        pixels packed.
    threads : int
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    numpy.ndarray
        A new array of ``src``'s shape, uint8.

    Raises
    ------
    ValueError
        If ``src`` or ``threads`` is invalid (the message names it).
    """
    if not isinstance(src, np.ndarray):
        raise ValueError(f"src: expected a numpy.ndarray, got {type(src).__name__}")
    if src.dtype != np.uint8:
        raise ValueError(f"src: expected dtype uint8, got {src.dtype}")
    if src.ndim not in (2, 3) or (src.ndim == 3 and not 1 <= src.shape[2] <= 4):
        raise ValueError(f"src: expected shape (H, W) or (H, W, C) with C in 1..4, got {src.shape}")
    threads = check_threads(threads)
    out = np.empty(src.shape, np.uint8)
    if src.size == 0:
        return out
    c = 1 if src.ndim == 2 else src.shape[2]
    if src.ndim == 3 and c == 1:  # the binding takes one channel as (H, W)
        _core.lesions.median3(src[..., 0], out[..., 0], 1, threads)
    else:
        _core.lesions.median3(src, out, c, threads)
    return out


@dataclass(frozen=True)
class ChannelStats:
    """Statistics of one value channel per region (``(N,)`` float64 arrays).

    Attributes
    ----------
    inside, core, ring : numpy.ndarray
        Means over the region, over its core and over its surrounding ring
        (NaN where that set is empty).
    max, min : numpy.ndarray
        Extremes over the region.
    border_gradient : numpy.ndarray
        Mean gradient magnitude (per pixel) on the region's border pixels.
    """

    inside: np.ndarray
    core: np.ndarray
    ring: np.ndarray
    max: np.ndarray
    min: np.ndarray
    border_gradient: np.ndarray


@dataclass(frozen=True)
class RegionFeatures:
    """Features of labelled regions; element ``i`` describes label ``i + 1``.

    Attributes
    ----------
    area : numpy.ndarray
        Pixels (0 for a label absent from the image; its other values are NaN).
    centroid : numpy.ndarray
        ``(N, 2)`` mean ``(x, y)``.
    bbox : numpy.ndarray
        ``(N, 4)`` ``(x0, y0, x1, y1)``, ``x1`` and ``y1`` exclusive.
    perimeter : numpy.ndarray
        Exposed 4-neighbour pixel edges times pi/4 (about ``2 pi r`` for a disc).
    r_max : numpy.ndarray
        Largest distance from the centroid to a pixel centre of the region.
    n_ring, n_core, n_border : numpy.ndarray
        Pixel counts of the ring, the core and the border.
    channels : tuple of ChannelStats
        One entry per channel of ``values``.
    """

    area: np.ndarray
    centroid: np.ndarray
    bbox: np.ndarray
    perimeter: np.ndarray
    r_max: np.ndarray
    n_ring: np.ndarray
    n_core: np.ndarray
    n_border: np.ndarray
    channels: tuple[ChannelStats, ...]

    def __len__(self) -> int:
        return int(self.area.shape[0])

    @property
    def circularity(self) -> np.ndarray:
        """``4 pi area / perimeter**2``, clipped to [0, 1] (1 = disc)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            c = 4.0 * np.pi * self.area / np.maximum(self.perimeter, 1e-9) ** 2
        return np.clip(c, 0.0, 1.0)


def region_features(
    labels: np.ndarray,
    values: np.ndarray | Sequence[np.ndarray],
    mask: np.ndarray,
    *,
    n_labels: int | None = None,
    ring_gap: float = 1.0,
    ring_width_factor: float = 1.0,
    ring_min_width: float = 2.0,
    core_fraction: float = 0.5,
    threads: int = 0,
) -> RegionFeatures:
    """Measure every labelled region: geometry and inside / core / ring statistics.

    Parameters
    ----------
    labels : numpy.ndarray
        ``(H, W)`` int32, 0 = background, ``1..n_labels`` regions (as
        :func:`skincore.contours.label` returns).
    values : numpy.ndarray or sequence of numpy.ndarray
        ``(H, W, C)`` float32 value channels (e.g. L*, a*, b*, haemoglobin,
        melanin), or the ``C`` channels as separate ``(H, W)`` float32 planes,
        read in place whatever their strides (e.g. ``lab[..., 0]``): no
        interleaved copy to build. Both forms give identical results.
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool: the ring takes only pixels with ``mask != 0`` and
        label 0 (surrounding skin, not other candidates).
    n_labels : int, optional
        Number of labels (default ``labels.max()``); values above it are an error.
    ring_gap : float
        Pixels left between the region's extent and its ring.
    ring_width_factor, ring_min_width : float
        Ring width ``max(ring_min_width, ring_width_factor * r_eq)`` pixels,
        ``r_eq = sqrt(area / pi)``. The ring is every mask pixel at distance ``d``
        from the centroid with ``R + gap < d <= R + gap + width``, ``R = r_max + 0.5``.
    core_fraction : float
        The core is the region's pixels within ``core_fraction * r_eq`` of the centroid.
    threads : int
        Worker threads, 0 = all hardware threads. The result does not depend on it.

    Returns
    -------
    RegionFeatures

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    labels = _as(labels, "labels", np.int32, 2)
    planes: list[np.ndarray] | None = None
    if isinstance(values, np.ndarray):
        values = _as(values, "values", np.float32, 3)
        shapes = [values.shape[:2]]
    elif isinstance(values, Sequence) and not isinstance(values, str | bytes):
        planes = [_as(v, f"values[{q}]", np.float32, 2) for q, v in enumerate(values)]
        if not planes:
            raise ValueError("values: expected at least one plane")
        shapes = [v.shape for v in planes]
    else:
        raise ValueError(f"values: expected a numpy.ndarray or planes, got {type(values).__name__}")
    mask = _as(mask, "mask", np.uint8, 2)
    threads = check_threads(threads)
    for q, shape in enumerate(shapes):
        if shape != labels.shape:
            name = "values" if planes is None else f"values[{q}]"
            raise ValueError(f"{name}: shape {shape} does not match labels {labels.shape}")
    if mask.shape != labels.shape:
        raise ValueError(f"mask: shape {mask.shape} does not match labels {labels.shape}")
    if n_labels is None:
        n_labels = int(labels.max()) if labels.size else 0
    if isinstance(n_labels, bool) or not isinstance(n_labels, int | np.integer) or n_labels < 0:
        raise ValueError(f"n_labels: expected an int >= 0, got {n_labels!r}")
    c = len(planes) if planes is not None else int(np.shape(values)[2])
    args = (float(ring_gap), float(ring_width_factor), float(ring_min_width), float(core_fraction))
    if labels.size == 0:
        table = np.full((int(n_labels), _GEOM + _CHAN * c), np.nan)
        if n_labels:
            table[:, 0] = 0.0
    elif planes is not None:
        table = _core.lesions.region_features_planes(
            labels, int(n_labels), planes, mask, *args, threads
        )
    else:
        assert isinstance(values, np.ndarray)
        table = _core.lesions.region_features(labels, int(n_labels), values, mask, *args, threads)
    chans = tuple(
        ChannelStats(*(table[:, _GEOM + _CHAN * q + k] for k in range(_CHAN))) for q in range(c)
    )
    return RegionFeatures(
        area=table[:, 0],
        centroid=table[:, 1:3],
        bbox=table[:, 3:7],
        perimeter=table[:, 7],
        r_max=table[:, 8],
        n_ring=table[:, 9],
        n_core=table[:, 10],
        n_border=table[:, 11],
        channels=chans,
    )
