"""Geometry kernels: Gaussian blur, resize, polygon rasterisation and tile medians.

Every function takes NumPy arrays, allocates its output unless ``out=`` is given,
and runs in the compiled core without the GIL. ``threads=0`` uses the whole
thread pool (:mod:`skincore.threads`); results never depend on ``threads``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np

from skincore import _core
from skincore._checks import as_polygon_list, check_map32, check_mask, check_threads

__all__ = [
    "coarse_sigma",
    "fill_polygons",
    "fill_union",
    "gaussian_blur",
    "gaussian_blur_planes",
    "max_filter",
    "middle_values",
    "resize",
    "resize_mask",
    "sample_separable",
    "tile_median",
    "warp_affine",
    "wide_gaussian_blur",
    "wide_gaussian_means",
]

MAX_OUTPUT_PIXELS: int = 2**28
"""Largest output :func:`resize` and :func:`fill_polygons` allocate (pixels)."""

_RESIZE_METHODS = {"area": 0, "bilinear": 1}
_FILL_RULES = {"evenodd": 0, "nonzero": 1}


def gaussian_blur(
    image: np.ndarray,
    sigma: float,
    *,
    truncate: float = 4.0,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Blur a single-channel float32 image with a separable Gaussian.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` float32 image. Rows may be strided (a crop of a larger array);
        pixels within a row must be contiguous.
    sigma : float
        Standard deviation in pixels, > 0 and finite. When ``truncate * sigma <
        0.5`` the kernel radius is 0 and the blur is the identity (``out`` is a
        copy of ``image``), however small ``sigma`` is.
    truncate : float, optional
        The kernel radius is ``int(truncate * sigma + 0.5)`` (SciPy's rule).
    out : numpy.ndarray, optional
        ``(H, W)`` float32 output; may be ``image`` itself.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        The blurred image. NaN and +-inf propagate (IEEE arithmetic) to every
        output pixel whose kernel window reaches them. Borders reflect without
        repeating the edge sample (SciPy ``mode="mirror"``, OpenCV ``BORDER_REFLECT_101``).

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument), ``sigma <= 0`` or
        ``truncate <= 0``.
    """
    threads = check_threads(threads)
    if not isinstance(image, np.ndarray):
        raise ValueError("image: expected a numpy.ndarray")
    if out is None:
        out = np.empty(image.shape[:2], dtype=np.float32)
    if image.size == 0:
        # NumPy gives empty arrays zero strides, which the layout check would refuse.
        if image.dtype != np.float32 or image.ndim != 2:
            raise ValueError("src: expected a 2-D float32 array")
        if not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.shape != image.shape:
            raise ValueError(f"dst: expected a float32 array of shape {image.shape}")
        return out
    _core.geometry.gaussian_blur(image, out, float(sigma), float(truncate), threads)
    return out


def gaussian_blur_planes(
    images: Sequence[np.ndarray], sigma: float, *, truncate: float = 4.0, threads: int = 0
) -> list[np.ndarray]:
    """:func:`gaussian_blur` of each of several images, the images spread over the threads.

    For many small images (a coarse grid's moments), whose rows are too few to
    split among threads: each image is blurred whole on one thread, so the
    results are exactly those of one :func:`gaussian_blur` call per image.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        Non-empty ``(H, W)`` float32 images (shapes may differ), rows as
        :func:`gaussian_blur` takes them.
    sigma, truncate, threads
        As :func:`gaussian_blur`.

    Returns
    -------
    list of numpy.ndarray
        One new ``(H, W)`` float32 array per image.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout, an empty image, ``sigma <= 0`` or
        ``truncate <= 0``.
    """
    threads = check_threads(threads)
    if isinstance(images, np.ndarray) or not isinstance(images, Sequence):
        raise ValueError("images: expected a sequence of (H, W) float32 arrays")
    outs = []
    for image in images:
        if not isinstance(image, np.ndarray) or image.ndim != 2 or image.size == 0:
            raise ValueError("images: expected non-empty (H, W) float32 arrays")
        outs.append(np.empty(image.shape, dtype=np.float32))
    _core.geometry.gaussian_blur_planes(list(images), outs, float(sigma), float(truncate), threads)
    return outs


def wide_gaussian_blur(
    image: np.ndarray,
    sigma: float,
    *,
    weight: np.ndarray | None = None,
    factor: int | None = None,
    min_weight: float = 1e-3,
    fill: float = 0.0,
    threads: int = 0,
) -> np.ndarray:
    """Approximate a wide Gaussian blur (or a weighted Gaussian mean) on a coarser grid.

    For backgrounds, local levels and shading: a Gaussian of ``sigma`` tens of
    pixels keeps nothing finer than about ``sigma / 4``, so it is computed on a
    grid ``factor`` times coarser and interpolated back. The cost is a few passes
    over the image whatever ``sigma`` is, where :func:`gaussian_blur` grows with
    ``sigma`` (on 622 x 447: 3x faster at ``sigma`` = 14 px, 5x at 21, 10x at 52;
    ``python benchmarks/bench_geometry.py``). Use it
    when the result is a smooth level that is compared with or subtracted from
    the image; use :func:`gaussian_blur` when detail at the scale of ``factor``
    pixels matters (small ``sigma``, derivatives, edges of the result itself).

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` float32 image (rows may be strided).
    sigma : float
        Standard deviation in pixels of ``image``, > 0 and finite.
    weight : numpy.ndarray, optional
        ``(H, W)`` float32 weights >= 0 (e.g. a 0/1 skin mask). When given, the
        result is the normalised convolution ``G(image * weight) / G(weight)``:
        the Gaussian mean of ``image`` over the weighted pixels.
    factor : int, optional
        Decimation factor ``k`` >= 1; default ``max(1, int(sigma / 4))`` (at
        least 4 coarse pixels per sigma). ``k = 1`` is :func:`gaussian_blur`
        exactly (and its normalised convolution).
    min_weight : float, optional
        With ``weight``: where ``G(weight)`` is at most this (no weighted pixel
        within reach), the result is ``fill``.
    fill : float, optional
        See ``min_weight``.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` float32.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument), ``sigma <= 0``
        or ``factor < 1``.

    Notes
    -----
    With ``k > 1`` the image (and ``image * weight`` and ``weight``) is
    area-averaged (:func:`resize`, ``"area"``) to ``(ceil(H / k), ceil(W / k))``,
    blurred there by :func:`gaussian_blur` with ``sigma_c = sqrt((sigma / s)**2 -
    1/4)`` coarse pixels (``s`` ~ ``k``, the actual scale; the area average adds a
    variance of ``s**2 / 12`` and the bilinear interpolation ``s**2 / 6`` on
    average, so the total matches ``sigma**2``), divided by the blurred weight
    there, and resampled bilinearly (pixel-centre aligned) to ``(H, W)``.
    Against :func:`gaussian_blur` (``tests/test_kernel_geometry.py``, sigma 8 to
    52 px, default factor), over the pixels at least ``2 sigma`` from the image
    border: a smooth field (white noise blurred at ``sigma``) differs by at most
    1 % of its range (0.2-0.6 % measured), a step (a mask's edge) by at most
    0.5 % of the step (0.1-0.3 %), and a weighted mean over a mask of a noisy
    image by at most 0.2 % of the image's range on the mask (0.05-0.1 %). The
    coarse grid mirrors about its own edge pixels, half a coarse pixel inside
    the image's edge: near the border a ramp differs by up to 1.5 % of its range.
    """
    check_map32(image, "image")
    return _wide_blurs([image], sigma, weight, factor, min_weight, [fill], threads)[0]


def wide_gaussian_means(
    images: Sequence[np.ndarray],
    sigma: float,
    weight: np.ndarray,
    *,
    factor: int | None = None,
    min_weight: float = 1e-3,
    fill: float | Sequence[float] = 0.0,
    threads: int = 0,
) -> list[np.ndarray]:
    """:func:`wide_gaussian_blur` of several images with one weight (the weight's blur once).

    The Gaussian means of each image over the same weighted pixels (e.g. the
    local lightness and chroma levels over a skin mask): the blurred weight on
    the coarse grid is computed once for all of them. Each result is identical,
    bit for bit, to ``wide_gaussian_blur(image, sigma, weight=weight, ...)``.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        ``(H, W)`` float32 images of one shape (rows may be strided).
    sigma : float
        Standard deviation in pixels, > 0 and finite.
    weight : numpy.ndarray
        ``(H, W)`` float32 weights >= 0.
    factor : int, optional
        Decimation factor (see :func:`wide_gaussian_blur`).
    min_weight : float, optional
        Where the blurred weight is at most this, the result is ``fill``.
    fill : float or sequence of float, optional
        One value for every image, or one per image.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    list of numpy.ndarray
        ``(H, W)`` float32 means, in the order of ``images``.

    Raises
    ------
    ValueError
        On an empty ``images``, a wrong dtype, shape or layout (naming the
        argument), ``sigma <= 0``, ``factor < 1`` or a ``fill`` of the wrong length.
    """
    images = list(images)
    if not images:
        raise ValueError("images: expected at least one image")
    for i, im in enumerate(images):
        check_map32(im, f"images[{i}]")
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}]: shape {im.shape} differs from {images[0].shape}")
    if weight is None:
        raise ValueError("weight: expected a float32 array, got None")
    fills = [float(f) for f in fill] if isinstance(fill, Sequence) else [float(fill)] * len(images)
    if len(fills) != len(images):
        raise ValueError(f"fill: expected {len(images)} values, got {len(fills)}")
    return _wide_blurs(images, sigma, weight, factor, min_weight, fills, threads)


def _wide_blurs(
    images: list[np.ndarray],
    sigma: float,
    weight: np.ndarray | None,
    factor: int | None,
    min_weight: float,
    fills: list[float],
    threads: int,
) -> list[np.ndarray]:
    """:func:`wide_gaussian_blur` of each image (checked 2-D float32, one shape)."""
    threads = check_threads(threads)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma: must be finite and > 0, got {sigma!r}")
    shape = images[0].shape
    if weight is not None and (
        not isinstance(weight, np.ndarray) or weight.dtype != np.float32 or weight.shape != shape
    ):
        raise ValueError(f"weight: expected a float32 array of shape {shape}")
    if factor is None:
        k = max(1, int(sigma / 4.0))
    elif isinstance(factor, bool) or not isinstance(factor, int | np.integer) or factor < 1:
        raise ValueError(f"factor: expected an int >= 1, got {factor!r}")
    else:
        k = int(factor)
    h, w = shape
    if h * w == 0:
        return [np.empty((h, w), np.float32) for _ in images]
    k = min(k, max(1, min(h, w) // 2))
    if weight is None:  # plain blurs
        if k == 1:
            return [gaussian_blur(image, sigma, threads=threads) for image in images]
        return [_coarse_blur(image, sigma, k, None, fills[0], threads) for image in images]
    if k == 1:
        den = gaussian_blur(weight, sigma, threads=threads)
        ok = den > min_weight
        outs = []
        for image, fill in zip(images, fills, strict=True):
            out = gaussian_blur(
                np.multiply(image, weight, dtype=np.float32), sigma, threads=threads
            )
            np.divide(out, den, out=out, where=ok)
            out[~ok] = fill
            outs.append(out)
        return outs
    size = (-(-w // k), -(-h // k))
    den = resize(weight, size, method="area", threads=threads)
    gaussian_blur(den, coarse_sigma(sigma, w, h, size), out=den, threads=threads)
    ok = den > min_weight
    return [
        _coarse_blur(
            np.multiply(image, weight, dtype=np.float32), sigma, k, (den, ok), fill, threads
        )
        for image, fill in zip(images, fills, strict=True)
    ]


def coarse_sigma(sigma: float, w: int, h: int, size: tuple[int, int]) -> float:
    """Return the sigma left to blur on a coarse grid after area averaging.

    The wide blurs (:func:`wide_gaussian_blur`, :func:`wide_gaussian_means`) area-reduce
    a ``(h, w)`` image to ``size`` cells, blur there and interpolate back; averaging
    and interpolation already blur by about half a coarse cell.

    Parameters
    ----------
    sigma : float
        Wanted sigma on the full grid (pixels).
    w, h : int
        Full grid width and height.
    size : tuple of int
        Coarse grid ``(width, height)``.

    Returns
    -------
    float
        Sigma to apply on the coarse grid (coarse cells; at least 0.001).
    """
    scale = float(np.sqrt((w / size[0]) * (h / size[1])))
    return float(np.sqrt(max((sigma / scale) ** 2 - 0.25, 1e-6)))


def _coarse_blur(
    num: np.ndarray,
    sigma: float,
    k: int,
    den_ok: tuple[np.ndarray, np.ndarray] | None,
    fill: float,
    threads: int,
) -> np.ndarray:
    """Area-reduce ``num`` by ``k``, blur, divide by the coarse weight blur, interpolate back."""
    h, w = num.shape
    size = (-(-w // k), -(-h // k))
    small = resize(num, size, method="area", threads=threads)
    gaussian_blur(small, coarse_sigma(sigma, w, h, size), out=small, threads=threads)
    if den_ok is not None:
        den, ok = den_ok
        np.divide(small, den, out=small, where=ok)
        small[~ok] = fill
    return resize(small, (w, h), method="bilinear", threads=threads)


def max_filter(
    image: np.ndarray,
    radius: int,
    *,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Square max filter: the maximum over a ``(2 radius + 1)``-pixel square.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` float32 image. Rows may be strided; pixels within a row must
        be contiguous.
    radius : int
        Half side of the square, >= 0 (0: a copy).
    out : numpy.ndarray, optional
        ``(H, W)`` float32 output; may be ``image`` itself.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``out[y, x]`` = the maximum of ``image`` over rows ``y - radius .. y +
        radius`` and columns ``x - radius .. x + radius`` that lie in the image
        (outside counts as ``-inf``: SciPy ``maximum_filter`` with ``cval=-inf``,
        OpenCV ``dilate`` with a square). NaN propagates (``numpy.maximum``).
        ``O(log radius)`` passes over the image (doubling windows).

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument) or ``radius < 0``.
    """
    threads = check_threads(threads)
    if isinstance(radius, bool) or not isinstance(radius, int | np.integer) or radius < 0:
        raise ValueError(f"radius: expected an int >= 0, got {radius!r}")
    if not isinstance(image, np.ndarray):
        raise ValueError("image: expected a numpy.ndarray")
    if out is None:
        out = np.empty(image.shape[:2], dtype=np.float32)
    if image.size == 0:
        if image.dtype != np.float32 or image.ndim != 2:
            raise ValueError("src: expected a 2-D float32 array")
        if not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.shape != image.shape:
            raise ValueError(f"dst: expected a float32 array of shape {image.shape}")
        return out
    _core.geometry.max_filter(image, out, int(radius), threads)
    return out


def blur_threshold(
    mask: np.ndarray,
    steps: Sequence[tuple[float, float]],
    *,
    threads: int = 0,
) -> np.ndarray:
    """Morphology by blur and threshold: dilate or erode a mask with Gaussians.

    ``m = mask != 0``; then for each ``(sigma, threshold)`` of ``steps``,
    ``m = gaussian_blur(m as float32 0/1, sigma) > threshold`` (float32
    comparison). The blurred indicator at distance ``d`` outside a straight edge
    is ``Phi(-d / sigma)``: a threshold of 0.1 dilates by ``1.28 sigma``, 0.9
    erodes by as much. Equal, bit for bit, to that NumPy composition over
    :func:`gaussian_blur`, without its intermediate arrays.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(H, W)`` bool or uint8 (nonzero inside); rows may be strided.
    steps : sequence of (float, float)
        ``(sigma, threshold)`` pairs, at most 64; sigma > 0 and finite.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` bool.

    Raises
    ------
    ValueError
        On a bad argument (the message names it).
    """
    threads = check_threads(threads)
    mask = check_mask(mask, "mask")
    sigmas, thresholds = _blur_steps(steps)
    out = np.zeros(mask.shape, np.uint8)
    if mask.size == 0:
        return out.view(np.bool_)
    _core.geometry.blur_threshold(mask, sigmas, thresholds, out, threads)
    return out.view(np.bool_)


def _blur_steps(steps: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Split ``(sigma, threshold)`` steps into sigmas and thresholds (checked)."""
    try:
        pairs = [(float(s), float(t)) for s, t in steps]
    except (TypeError, ValueError):
        raise ValueError("steps: expected (sigma, threshold) pairs") from None
    return [p[0] for p in pairs], [p[1] for p in pairs]


def blur_threshold_masks(
    masks: Sequence[np.ndarray],
    steps: Sequence[tuple[float, float]],
    *,
    threads: int = 0,
    boxes: np.ndarray | None = None,
) -> list[np.ndarray]:
    """:func:`blur_threshold` of several masks with the same steps, in one call.

    Each result is identical, bit for bit, to ``blur_threshold(mask, steps)``; the
    masks are spread over the thread pool (largest first), each on one thread, so
    many small masks (a face's wrinkle zones) keep the threads busy.

    Parameters
    ----------
    masks : sequence of numpy.ndarray
        ``(H_i, W_i)`` bool or uint8 masks (nonzero inside); rows may be strided.
    steps : sequence of (float, float)
        ``(sigma, threshold)`` pairs, as for :func:`blur_threshold`.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.
    boxes : numpy.ndarray, optional
        ``(N, 4)`` int64, C-contiguous: receives each result's bounding box ``x0,
        y0, x1, y1`` (ends exclusive; all 0 for an empty result), which the kernel
        tracks anyway (no second pass over the masks).

    Returns
    -------
    list of numpy.ndarray
        One ``(H_i, W_i)`` bool mask per input.

    Raises
    ------
    ValueError
        On a bad argument (the message names it).
    """
    threads = check_threads(threads)
    if isinstance(masks, np.ndarray) or not isinstance(masks, Sequence):
        raise ValueError("masks: expected a sequence of 2-D masks")
    ms = [check_mask(m, "masks") for m in masks]
    sigmas, thresholds = _blur_steps(steps)
    if boxes is not None:
        if not isinstance(boxes, np.ndarray) or boxes.dtype != np.int64:
            raise ValueError("boxes: expected an int64 numpy array")
        if boxes.shape != (len(ms), 4) or not boxes.flags.c_contiguous:
            raise ValueError(f"boxes: expected a C-contiguous ({len(ms)}, 4) array")
        if not boxes.flags.writeable:
            raise ValueError("boxes: expected a writeable array")
    outs = [np.zeros(m.shape, np.uint8) for m in ms]
    todo = [i for i, m in enumerate(ms) if m.size]
    every = len(todo) == len(ms)
    got = None if boxes is None else (boxes if every else np.zeros((len(todo), 4), np.int64))
    if todo:
        _core.geometry.blur_threshold_masks(
            [ms[i] for i in todo], sigmas, thresholds, [outs[i] for i in todo], threads, got
        )
    if boxes is not None and not every:
        boxes[...] = 0
        if todo:
            boxes[todo] = got
    return [o.view(np.bool_) for o in outs]


def resize(
    image: np.ndarray,
    size: tuple[int, int],
    *,
    method: str = "area",
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Resize a uint8 or float32 image with 1 or 3 channels.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W)`` or ``(H, W, 3)``, uint8 or float32. Rows may be strided;
        pixels within a row must be packed.
    size : tuple of int
        Output ``(width, height)`` (OpenCV's order). Each side at most ``2**20``;
        a zero side gives an empty result. Without ``out``, at most
        :data:`MAX_OUTPUT_PIXELS` (``2**28``) pixels.
    method : {"area", "bilinear"}, optional
        ``"area"`` (default): exact area averaging. Input pixels are unit squares;
        each output pixel is the mean of the input over its footprint
        ``[x * W / w, (x + 1) * W / w)`` (likewise in y), partly covered pixels
        weighted by the covered fraction. This is OpenCV's ``INTER_AREA`` when
        both axes shrink or both grow; use it to downscale.
        ``"bilinear"``: output pixel ``x`` samples the input at
        ``(x + 0.5) * W / w - 0.5`` clamped to ``[0, W - 1]`` (pixel-centre
        alignment, OpenCV ``INTER_LINEAR``, PIL ``BILINEAR`` when upscaling), no
        antialiasing.
    out : numpy.ndarray, optional
        Output of shape ``(height, width[, 3])`` and the dtype of ``image``; must
        not overlap ``image``.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        The resized image. uint8 results are the exact weighted mean rounded to
        nearest (halves up); float32 results are accumulated in float32 (NaN and
        +-inf propagate to the outputs whose footprint holds them).

    Raises
    ------
    ValueError
        On a wrong dtype, shape, layout, size, method or overlapping ``out``
        (naming the argument).
    """
    threads = check_threads(threads)
    if not isinstance(image, np.ndarray):
        raise ValueError("image: expected a numpy.ndarray")
    if image.dtype not in (np.uint8, np.float32):
        raise ValueError(f"image: expected dtype uint8 or float32, got {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"image: expected shape (H, W) or (H, W, 3), got {image.shape}")
    if method not in _RESIZE_METHODS:
        raise ValueError(f"method: expected 'area' or 'bilinear', got {method!r}")
    try:
        width, height = (int(operator.index(v)) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size: expected (width, height) ints, got {size!r}") from None
    if not (0 <= width <= 2**20 and 0 <= height <= 2**20):
        raise ValueError(f"size: sides must be in [0, 2**20], got {size!r}")
    if out is None and width * height > MAX_OUTPUT_PIXELS:
        raise ValueError(
            f"size: {width} x {height} exceeds MAX_OUTPUT_PIXELS = 2**28 pixels "
            "(pass out= to write into an array you allocated)"
        )
    if width and height and (image.shape[0] == 0 or image.shape[1] == 0):
        raise ValueError("image: empty image cannot be resized to a non-empty size")
    shape = (height, width) + image.shape[2:]
    if out is None:
        out = np.empty(shape, dtype=image.dtype)
    else:
        if not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != image.dtype:
            raise ValueError(f"out: expected a {image.dtype} array of shape {shape}")
        if np.may_share_memory(out, image):
            raise ValueError("out: must not overlap image")
    if out.size == 0:
        return out
    _core.geometry.resize(image, out, _RESIZE_METHODS[method], threads)
    return out


def resize_mask(mask: np.ndarray, size: tuple[int, int], *, threads: int = 0) -> np.ndarray:
    """Resample a uint8 mask bilinearly and threshold it at 128, in one pass.

    Equal, bit for bit, to ``np.where(resize(mask, size, method="bilinear") >= 128,
    255, 0)`` for any ``mask`` values, without the intermediate image: the exact
    weighted sum ``h`` of an output, whose weights sum to ``D``, rounds to at
    least 128 exactly when ``2 h >= 255 D``, an integer comparison.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(H, W)`` uint8 (e.g. 0/255). Rows may be strided; pixels within a row
        must be packed.
    size : tuple of int
        Output ``(width, height)`` (OpenCV's order), each side at most ``2**20``
        and at most :data:`MAX_OUTPUT_PIXELS` pixels; a zero side gives an empty
        result.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(height, width)`` uint8, 255 or 0.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or size (naming the argument).
    """
    threads = check_threads(threads)
    if not isinstance(mask, np.ndarray) or mask.ndim != 2 or mask.dtype != np.uint8:
        raise ValueError("mask: expected a 2-D uint8 numpy.ndarray")
    try:
        width, height = (int(operator.index(v)) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size: expected (width, height) ints, got {size!r}") from None
    if not (0 <= width <= 2**20 and 0 <= height <= 2**20) or width * height > MAX_OUTPUT_PIXELS:
        raise ValueError(f"size: sides must be in [0, 2**20], at most 2**28 pixels, got {size!r}")
    if width and height and mask.size == 0:
        raise ValueError("mask: empty mask cannot be resized to a non-empty size")
    out = np.empty((height, width), np.uint8)
    if out.size:
        _core.geometry.resize_mask(mask, out, threads)
    return out


def fill_polygons(
    polygons: np.ndarray | Sequence[np.ndarray],
    shape: tuple[int, int],
    *,
    value: int = 255,
    rule: str = "evenodd",
    out: np.ndarray | None = None,
    threads: int = 0,
    origin: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Rasterise polygons into a uint8 mask (scanline fill, pixel centres).

    Parameters
    ----------
    polygons : numpy.ndarray or sequence of numpy.ndarray
        One ``(K, 2)`` array of ``(x, y)`` vertices, a ``(P, K, 2)`` array, or a
        sequence of ``(K_i, 2)`` arrays, in pixel coordinates. Each polygon is
        closed implicitly; polygons with fewer than 3 vertices fill nothing.
        Coordinates may lie anywhere (they are clipped to the image) but must be
        finite with magnitude at most ``1e100``.
    shape : tuple of int
        Mask shape ``(H, W)``; without ``out``, at most :data:`MAX_OUTPUT_PIXELS`
        (``2**28``) pixels.
    value : int, optional
        Value written into pixels inside (0..255). Default 255.
    rule : {"evenodd", "nonzero"}, optional
        Fill rule. All polygons form one path: the rule applies to their edges
        together, so with ``"evenodd"`` a polygon inside another cuts a hole (call
        once per polygon with the same ``out`` to take a union instead).
    out : numpy.ndarray, optional
        ``(H, W)`` uint8 mask to draw into; pixels outside the polygons are left
        unchanged. If omitted, a zeroed mask is allocated.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.
    origin : tuple of int, optional
        ``(x0, y0)``: the mask is the window ``[y0, y0 + H) x [x0, x0 + W)`` of a
        larger grid the coordinates are given in, equal bit for bit to that part
        of the grid's fill (for a region drawn on its bounding box only).

    Returns
    -------
    numpy.ndarray
        The ``(H, W)`` uint8 mask.

    Raises
    ------
    ValueError
        On NaN/inf or too-large coordinates, wrong shapes or dtypes, a bad
        ``shape``, ``value``, ``rule``, ``out`` or ``origin`` (naming the argument).

    Notes
    -----
    Pixel ``(i, j)`` (row, column) has its centre at ``(x, y) = (j, i)`` and is
    inside when its centre is. On row ``i`` an edge from ``(xa, ya)`` to
    ``(xb, yb)`` with ``ya < yb`` crosses the row when ``ya <= i < yb``, at
    ``x = xa + (i - ya) * (xb - xa) / (yb - ya)``; horizontal edges never cross.
    Pixel ``j`` is inside when the crossings with ``x <= j`` are odd in number
    (``"evenodd"``) or their directions (+1 for an edge going down, -1 up) sum to
    non-zero (``"nonzero"``). Hence left and top edges are inside, right and
    bottom edges outside: an axis-aligned rectangle with integer corners
    ``x0 <= x < x1``, ``y0 <= y < y1`` covers exactly ``(x1 - x0) * (y1 - y0)``
    pixels and polygons sharing an edge neither overlap nor leave a gap.
    """
    threads = check_threads(threads)
    try:
        h, w = (int(operator.index(v)) for v in shape)
    except (TypeError, ValueError):
        raise ValueError(f"shape: expected (H, W) ints, got {shape!r}") from None
    if h < 0 or w < 0:
        raise ValueError(f"shape: sides must be >= 0, got {shape!r}")
    if out is None and h * w > MAX_OUTPUT_PIXELS:
        raise ValueError(
            f"shape: {h} x {w} exceeds MAX_OUTPUT_PIXELS = 2**28 pixels "
            "(pass out= to draw into an array you allocated)"
        )
    if rule not in _FILL_RULES:
        raise ValueError(f"rule: expected 'evenodd' or 'nonzero', got {rule!r}")
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= 255:
        raise ValueError(f"value: expected an int in [0, 255], got {value!r}")
    ox, oy = _origin(origin)
    polys = as_polygon_list(polygons)
    if out is None:
        out = np.zeros((h, w), dtype=np.uint8)
    elif not isinstance(out, np.ndarray) or out.dtype != np.uint8 or out.shape != (h, w):
        raise ValueError(f"out: expected a uint8 array of shape {(h, w)}")
    if not polys or out.size == 0:
        return out
    offsets = np.zeros(len(polys) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in polys], out=offsets[1:])
    xy = np.ascontiguousarray(np.concatenate(polys, axis=0), dtype=np.float64)
    _core.geometry.fill_polygons(xy, offsets, out, int(value), _FILL_RULES[rule], threads, ox, oy)
    return out


def _origin(origin: object) -> tuple[int, int]:
    try:
        ox, oy = (int(operator.index(v)) for v in origin)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"origin: expected (x0, y0) ints, got {origin!r}") from None
    if max(abs(ox), abs(oy)) > 2**40:
        raise ValueError(f"origin: coordinates must have magnitude <= 2**40, got {origin!r}")
    return ox, oy


def fill_union(
    polygons: Sequence[np.ndarray],
    shape: tuple[int, int],
    *,
    value: int = 255,
    out: np.ndarray | None = None,
    threads: int = 0,
    origin: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Rasterise the union of polygons, each filled on its own (even-odd rule).

    The result is that of one :func:`fill_polygons` call per polygon into the same
    ``out``, bit for bit, with the arguments checked once for all polygons instead
    of once per call (region masks fill up to a dozen small polygons per grid).

    Parameters
    ----------
    polygons : sequence of numpy.ndarray
        ``(K_i, 2)`` arrays of ``(x, y)`` vertices in pixel coordinates, finite with
        magnitude at most ``1e100``; fewer than 3 vertices fill nothing.
    shape : tuple of int
        Mask shape ``(H, W)``; without ``out``, at most :data:`MAX_OUTPUT_PIXELS`.
    value : int, optional
        Value written into pixels inside (0..255). Default 255.
    out : numpy.ndarray, optional
        ``(H, W)`` uint8 mask to draw into; if omitted, a zeroed mask is allocated.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.
    origin : tuple of int, optional
        ``(x0, y0)`` of the mask in the grid of the coordinates
        (:func:`fill_polygons`).

    Returns
    -------
    numpy.ndarray
        The ``(H, W)`` uint8 mask.

    Raises
    ------
    ValueError
        As :func:`fill_polygons` (naming the argument).
    """
    if isinstance(polygons, np.ndarray) and polygons.ndim == 2:
        raise ValueError("polygons: expected a sequence of (K, 2) arrays")
    polys = as_polygon_list(polygons)
    # shape, value, out and threads are checked by one (empty) fill_polygons call
    out = fill_polygons([], shape, value=value, out=out, threads=threads, origin=origin)
    threads = check_threads(threads)
    ox, oy = _origin(origin)
    if out.size == 0:
        return out
    offsets = np.zeros(2, np.int64)
    for p in polys:
        if len(p) >= 3:
            offsets[1] = len(p)
            xy = np.ascontiguousarray(p)
            _core.geometry.fill_polygons(
                xy, offsets, out, int(value), _FILL_RULES["evenodd"], threads, ox, oy
            )
    return out


def tile_median(
    src: np.ndarray,
    mask: np.ndarray,
    tile: int,
    *,
    step: int = 1,
    below: float | None = None,
    negate: bool = False,
    threads: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Median of an image over the masked pixels of each square tile.

    Parameters
    ----------
    src : numpy.ndarray
        ``(H, W)`` float32 image. Rows may be strided; pixels within a row must be
        contiguous.
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool: the pixels measured (nonzero / True).
    tile : int
        Tile side in pixels, >= 1. Tile ``(i, j)`` covers rows ``[i * tile, (i + 1)
        * tile)`` and columns ``[j * tile, (j + 1) * tile)``, clipped to the image.
    step : int, optional
        >= 1: only the pixels whose row and column are multiples of ``step`` are
        measured (``src[::step, ::step]`` with tiles of ``tile / step`` when
        ``step`` divides ``tile``, without the copies).
    below : float, optional
        Only the values ``< below`` are measured.
    negate : bool, optional
        Measure ``-src`` (the selection by ``below`` is on ``src``).
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    median : numpy.ndarray
        ``(ceil(H / tile), ceil(W / tile))`` float32: the value of rank ``n // 2``
        (0-based; the upper median for even ``n``) of the tile's ``n`` masked,
        non-NaN (and selected) values in ascending order, i.e.
        ``np.sort(v)[n // 2]``; NaN where ``n == 0``.
    count : numpy.ndarray
        Same shape, int32: ``n``.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument) or ``tile < 1``.
    """
    threads = check_threads(threads)
    if isinstance(tile, bool) or not isinstance(tile, int | np.integer) or tile < 1:
        raise ValueError(f"tile: expected an int >= 1, got {tile!r}")
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1:
        raise ValueError(f"step: expected an int >= 1, got {step!r}")
    if below is not None and math.isnan(below):
        raise ValueError("below: must not be NaN")
    if not isinstance(src, np.ndarray) or src.ndim != 2:
        raise ValueError("src: expected a 2-D float32 numpy.ndarray")
    if isinstance(mask, np.ndarray) and mask.dtype == np.bool_:
        mask = mask.view(np.uint8)
    h, w = src.shape
    shape = (-(-h // int(tile)), -(-w // int(tile)))
    median = np.full(shape, np.nan, np.float32)
    count = np.zeros(shape, np.int32)
    if src.size == 0:
        if src.dtype != np.float32:
            raise ValueError(f"src: expected dtype float32, got {src.dtype}")
        if not isinstance(mask, np.ndarray) or mask.shape != src.shape:
            raise ValueError("mask: shape differs from src")
        return median, count
    _core.geometry.tile_median(
        src,
        mask,
        int(tile),
        median,
        count,
        threads,
        int(step),
        float("nan") if below is None else float(below),
        bool(negate),
    )
    return median, count


def middle_values(values: np.ndarray) -> tuple[float, float]:
    """Return the two middle order statistics of an array's values (a median's operands).

    Parameters
    ----------
    values : numpy.ndarray
        float32 values of any shape (all of them are ranked); rows of a 2-D array
        may be strided, other layouts are copied first.

    Returns
    -------
    lower, upper : float
        The values of 0-based rank ``(n - 1) // 2`` and ``n // 2`` in ascending
        order (``np.sort(v)[(n - 1) // 2]``, ``np.sort(v)[n // 2]``; equal for odd
        ``n``), as float32 values in Python floats; both NaN when ``values`` is
        empty or holds a NaN. ``-0.0`` and ``0.0`` rank as equal and either may be
        given where both are present.

    Raises
    ------
    ValueError
        When ``values`` is not float32.

    Notes
    -----
    A radix selection on order-preserving integer keys (11 + 11 + 10 bits: per
    digit a histogram of the candidates and the bucket holding the rank kept), on
    the calling thread: two passes over the values and a few over the bucket,
    where ``numpy.median`` partitions at two ranks through NumPy's generic
    multi-rank path (``python benchmarks/bench_geometry.py``).
    """
    if not isinstance(values, np.ndarray) or values.dtype != np.float32:
        raise ValueError("values: expected a float32 numpy.ndarray")
    if values.ndim != 2 or values.strides[1] != 4:
        values = np.ascontiguousarray(values).reshape(1, -1)
    lower, upper = _core.geometry.middle_values(values)
    return float(lower), float(upper)


def sample_separable(
    src: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    *,
    out: np.ndarray | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Bilinear samples of an image on a separable grid of source coordinates.

    Parameters
    ----------
    src : numpy.ndarray
        ``(h, w)`` float32 image, not empty; pixel centres at integer coordinates.
        Rows may be strided; pixels within a row must be contiguous.
    xs, ys : numpy.ndarray
        ``(cols,)`` source columns and ``(rows,)`` source rows to sample at
        (float64, finite).
    out : numpy.ndarray, optional
        ``(rows, cols)`` float32 output.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(rows, cols)`` float32. Per axis the coordinate is clamped to ``[0, n -
        1]``, ``c0 = min(floor(t), max(n - 2, 0))``, ``c1 = min(c0 + 1, n - 1)``,
        ``f = float32(t - c0)``; rows are interpolated first, ``r = src[y0] * (1 -
        fy) + src[y1] * fy``, then columns, ``r[x0] * (1 - fx) + r[x1] * fx``, in
        float32; samples whose row or column lies beyond half a pixel outside the
        image (``c < -0.5`` or ``c > n - 0.5``) are 0.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument), an empty ``src``
        or non-finite coordinates.
    """
    threads = check_threads(threads)
    xs = np.ascontiguousarray(xs, dtype=np.float64)
    ys = np.ascontiguousarray(ys, dtype=np.float64)
    if xs.ndim != 1 or ys.ndim != 1:
        raise ValueError("xs, ys: expected 1-D coordinate arrays")
    if out is None:
        out = np.empty((len(ys), len(xs)), np.float32)
    if out.size == 0:
        return out
    _core.geometry.sample_separable(src, xs, ys, out, threads)
    return out


def warp_affine(
    src: np.ndarray,
    coeffs: Sequence[float] | np.ndarray,
    size: tuple[int, int],
    *,
    out: np.ndarray | None = None,
    div: float = 1.0,
    sub: float = 0.0,
    threads: int = 0,
) -> np.ndarray:
    """Bilinear affine warp of an 8-bit image, pixel for pixel as Pillow's.

    The same pixels as ``Image.fromarray(src).transform(size, Image.AFFINE, coeffs,
    Image.BILINEAR, fillcolor=0)``, read straight from ``src``'s memory (no copy)
    and optionally written as normalised float32.

    Parameters
    ----------
    src : numpy.ndarray
        ``(h, w)`` or ``(h, w, 3)`` uint8 image. Rows may be strided; pixels within
        a row must be contiguous. May be empty (the output is then all fill).
    coeffs : sequence of float
        ``(a, b, c, d, e, f)``, finite: output pixel ``(i, j)`` (column, row)
        samples the source at ``X = a (i + .5) + b (j + .5) + c``, ``Y = d (i + .5)
        + e (j + .5) + f`` (continuous coordinates, pixel ``(x, y)`` covers ``[x,
        x+1) x [y, y+1)``).
    size : tuple of int
        ``(width, height)`` of the output.
    out : numpy.ndarray, optional
        ``(height, width[, 3])`` uint8 or float32 output, as many channels as
        ``src``. Default: a new uint8 array.
    div, sub : float, optional
        For a float32 ``out``: each value is ``float32(v) / div - sub`` (float32
        arithmetic), ``v`` the uint8 sample; ``div`` finite and non-zero.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size. Results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``out``. Samples with ``X`` or ``Y`` outside ``[0, w)``, ``[0, h)`` are 0
        (``-sub`` as float). Else ``x = floor(X - .5)``, ``dx = X - .5 - x`` (and
        so for y), neighbours clamped to the image, interpolated along rows then
        columns in float64, truncated to an integer, as Pillow does.

    Raises
    ------
    ValueError
        On a wrong dtype, shape or layout (naming the argument), non-finite
        coefficients, or a bad ``div`` / ``sub``.
    """
    threads = check_threads(threads)
    a = np.ascontiguousarray(coeffs, dtype=np.float64)
    if a.shape != (6,):
        raise ValueError("coeffs: expected 6 numbers")
    width, height = (operator.index(v) for v in size)
    if width < 0 or height < 0:
        raise ValueError(f"size: must not be negative, got {size}")
    if out is None:
        shape = (height, width) if src.ndim == 2 else (height, width, *src.shape[2:])
        out = np.empty(shape, np.uint8)
    elif out.shape[:2] != (height, width):
        raise ValueError(f"out: shape {out.shape} does not match size {size}")
    if out.size == 0:
        return out
    _core.geometry.warp_affine(src, a, out, float(div), float(sub), threads)
    return out
