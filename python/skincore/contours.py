"""Connected components, outer contours and polygon simplification of masks.

The polygons that the vendor formats return (mole, spot, acne and pigment area
outlines, blackhead/pore contour points) are made here from binary masks:
:func:`label` numbers the connected components, :func:`find_contours` traces the
outer boundary of each, :func:`simplify` reduces a contour with Douglas-Peucker,
and :func:`polygons` does both in one call.

Conventions: a mask is a 2-D ``uint8`` (or ``bool``) array, nonzero = foreground.
Components are numbered ``1..N`` in raster order of their first pixel (the
top-most, then left-most pixel), whatever ``threads`` is. Points are ``(x, y)``
pixel coordinates (column, row). A contour starts at its component's first pixel
and runs counter-clockwise as seen on screen (y pointing down), the same point
sequence as OpenCV's ``findContours(RETR_EXTERNAL, CHAIN_APPROX_NONE)`` gives for
that component.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skincore import _core
from skincore._checks import as_polygon_list, check_threads

__all__ = ["ComponentStats", "find_contours", "label", "polygon_outlines", "polygons", "simplify"]

_MAX_PIXELS = 2**31 - 1


@dataclass(frozen=True)
class ComponentStats:
    """Statistics of the labelled components; row ``i`` describes label ``i + 1``.

    Attributes
    ----------
    area : numpy.ndarray
        ``(N,)`` int64, number of pixels.
    bbox : numpy.ndarray
        ``(N, 4)`` int32, ``(x, y, w, h)`` of the bounding box in pixels.
    centroid : numpy.ndarray
        ``(N, 2)`` float64, ``(cx, cy)``: mean column and mean row.
    """

    area: np.ndarray
    bbox: np.ndarray
    centroid: np.ndarray

    def __len__(self) -> int:
        return int(self.area.shape[0])


def _check_common(connectivity: int, threads: int) -> None:
    if isinstance(connectivity, bool) or connectivity not in (4, 8):
        raise ValueError(f"connectivity: must be 4 or 8, got {connectivity!r}")
    check_threads(threads)


def _as_mask(mask: np.ndarray, name: str) -> np.ndarray:
    if not isinstance(mask, np.ndarray):
        raise ValueError(f"{name}: expected a numpy.ndarray, got {type(mask).__name__}")
    if mask.dtype == np.bool_:
        mask = mask.view(np.uint8)  # same bytes, no copy
    if mask.dtype != np.uint8:
        raise ValueError(f"{name}: expected dtype uint8 or bool, got {mask.dtype}")
    if mask.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (H, W), got ndim={mask.ndim}")
    if mask.size > 0 and mask.shape[1] > 1 and mask.strides[1] != 1:
        raise ValueError(
            f"{name}: pixels within a row must be contiguous (use np.ascontiguousarray)"
        )
    if mask.size > _MAX_PIXELS:
        raise ValueError(f"{name}: more than 2**31 - 1 pixels")
    return mask


def label(
    mask: np.ndarray, *, connectivity: int = 8, threads: int = 0
) -> tuple[np.ndarray, ComponentStats]:
    """Label the connected components of a binary mask.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool, nonzero = foreground. Rows may be strided (a crop
        of a larger array); pixels within a row must be contiguous.
    connectivity : int
        4 (edge neighbours) or 8 (edge and corner neighbours).
    threads : int
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    labels : numpy.ndarray
        ``(H, W)`` int32: 0 = background, ``1..N`` numbered in raster order of each
        component's first pixel.
    stats : ComponentStats
        Area, bounding box and centroid of each component (row ``i`` = label ``i + 1``).

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    mask = _as_mask(mask, "mask")
    _check_common(connectivity, threads)
    labels = np.empty(mask.shape, dtype=np.int32)
    if mask.size == 0:  # NumPy may give empty arrays zero strides: nothing to pass on
        return labels, ComponentStats(
            area=np.zeros(0, np.int64),
            bbox=np.zeros((0, 4), np.int32),
            centroid=np.zeros((0, 2), np.float64),
        )
    area, bbox, centroid = _core.contours.label(mask, labels, int(connectivity), int(threads))
    return labels, ComponentStats(area=area, bbox=bbox, centroid=centroid)


def find_contours(
    mask_or_labels: np.ndarray, *, connectivity: int = 8, threads: int = 0
) -> list[np.ndarray]:
    """Trace the outer contour of every connected component (or every label).

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        Either a binary mask, ``(H, W)`` uint8 or bool (nonzero = foreground), or a
        label image, ``(H, W)`` int32 with values in ``[0, H*W]`` (values <= 0 are
        background), such as :func:`label` returns.
    connectivity : int
        8: components are 8-connected and their contours are 8-connected pixel
        chains; 4: 4-connected components and 4-connected chains.
    threads : int
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    list of numpy.ndarray
        ``(K, 2)`` int32 arrays of ``(x, y)`` boundary pixels in order (the outer
        boundary only; holes are not traced), starting at the component's first
        pixel in raster order and running counter-clockwise on screen. For a mask:
        one contour per connected component, in label order. For a label image:
        element ``k`` is the contour of label ``k + 1`` for ``k < labels.max()``,
        traced over the pixels equal to that label from its raster-first pixel
        (a label split into several pieces gives the first piece only); an absent
        label gives a ``(0, 2)`` array. A single-pixel component gives one point;
        a one-pixel-wide line is walked there and back.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    _check_common(connectivity, threads)
    a = mask_or_labels
    if isinstance(a, np.ndarray) and a.dtype == np.int32:
        if a.ndim != 2:
            raise ValueError(f"mask_or_labels: expected a 2-D array (H, W), got ndim={a.ndim}")
        if a.size == 0:
            return []
        if a.shape[1] > 1 and a.strides[1] != 4:
            raise ValueError("mask_or_labels: pixels within a row must be contiguous")
        return _core.contours.find_contours_labels(a, int(connectivity), int(threads))
    if isinstance(a, np.ndarray) and a.dtype not in (np.uint8, np.bool_):
        raise ValueError(
            f"mask_or_labels: expected dtype uint8/bool (mask) or int32 (labels), got {a.dtype}"
        )
    mask = _as_mask(a, "mask_or_labels")
    if mask.size == 0:
        return []
    return _core.contours.find_contours_mask(mask, int(connectivity), int(threads))


def simplify(polyline: np.ndarray, epsilon: float, *, closed: bool = True) -> np.ndarray:
    """Simplify a polyline or polygon with the Douglas-Peucker (Ramer) algorithm.

    Consecutive duplicate points are removed first (for a closed polygon also
    trailing copies of the first point). A point is then dropped when its distance
    to the chord that replaces it (a segment; past an end, the distance to that
    end) is strictly less than ``epsilon``: ``epsilon=0`` keeps every non-duplicate
    point. An open polyline keeps both ends; a closed polygon keeps its first point
    and the point farthest from it (or only the first point when every point lies
    within ``epsilon`` of it). The implementation is iterative, so long inputs do
    not exhaust the stack.

    Parameters
    ----------
    polyline : numpy.ndarray
        ``(K, 2)`` points ``(x, y)``, integer or floating point. The distances are
        computed in float64 (a float64 copy is made when the input is not already
        float64 and C-contiguous).
    epsilon : float
        Tolerance in pixels, finite and >= 0.
    closed : bool
        True: ``polyline`` is a polygon whose last point joins the first (do not
        repeat the first point; a repeated copy is dropped). False: an open
        polyline.

    Returns
    -------
    numpy.ndarray
        The kept points, ``(M, 2)`` with ``M <= K``, in their original order and
        with the dtype of ``polyline``.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    pts = np.asarray(polyline)
    if pts.dtype == np.bool_ or not (
        np.issubdtype(pts.dtype, np.integer) or np.issubdtype(pts.dtype, np.floating)
    ):
        raise ValueError(f"polyline: expected an integer or floating dtype, got {pts.dtype}")
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"polyline: expected shape (K, 2), got {pts.shape}")
    eps = _check_epsilon(epsilon)
    xy = np.ascontiguousarray(pts, dtype=np.float64)
    if not np.all(np.isfinite(xy)):
        raise ValueError("polyline: coordinates must be finite")
    idx = _core.contours.simplify_indices(xy, eps, bool(closed))
    return pts[idx]


def polygons(
    mask: np.ndarray,
    *,
    epsilon: float = 1.0,
    min_area: int = 0,
    connectivity: int = 8,
    threads: int = 0,
) -> list[np.ndarray]:
    """Simplified outer contours of the connected components of a mask.

    Equivalent to ``[simplify(c, epsilon) for c in find_contours(mask)]`` keeping
    only components with at least ``min_area`` pixels, in one pass in C++.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(H, W)`` uint8 or bool, nonzero = foreground.
    epsilon : float
        Douglas-Peucker tolerance in pixels, finite and >= 0 (see :func:`simplify`).
    min_area : int
        Components with fewer pixels are dropped.
    connectivity : int
        4 or 8, as in :func:`find_contours`.
    threads : int
        Threads in [0, 256], 0 = the pool size (skincore.threads); no effect on the result.

    Returns
    -------
    list of numpy.ndarray
        ``(M, 2)`` int32 polygon vertices ``(x, y)`` (first vertex not repeated),
        one per kept component, in label order.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    mask = _as_mask(mask, "mask")
    _check_common(connectivity, threads)
    eps = _check_epsilon(epsilon)
    if isinstance(min_area, bool) or not isinstance(min_area, int | np.integer) or min_area < 0:
        raise ValueError(f"min_area: must be an int >= 0, got {min_area!r}")
    if mask.size == 0:
        return []
    return _core.contours.polygons(mask, eps, int(min_area), int(connectivity), int(threads))


#: Largest box (pixels) :func:`polygon_outlines` fills for one polygon.
MAX_OUTLINE_BOX_PIXELS: int = 2**24

_OUTLINE_RULES = {"evenodd": 0, "nonzero": 1}


def polygon_outlines(
    polygons: Sequence[np.ndarray],
    *,
    epsilon: float = 1.0,
    rule: str = "evenodd",
    threads: int = 0,
) -> list[np.ndarray]:
    """Outline each polygon, filled on its own box, in one call.

    For each polygon, the same as filling it on its box and keeping the largest
    simplified contour::

        x0, y0 = floor(min(x)) - 1, floor(min(y)) - 1
        x1, y1 = ceil(max(x)) + 2, ceil(max(y)) + 2
        fill = geometry.fill_polygons(p - (x0, y0), (y1 - y0, x1 - x0), rule=rule)
        best = max(polygons(fill, epsilon=epsilon), key=len)  # the first longest
        outline = best.astype(np.int64) + (x0, y0)

    bit for bit, without a Python round trip per polygon (wrinkles outline every
    traced line's footprint).

    Parameters
    ----------
    polygons : sequence of numpy.ndarray
        ``(K_i, 2)`` arrays of ``(x, y)`` vertices (real numbers), finite with
        magnitude at most ``2**40``; each box at most :data:`MAX_OUTLINE_BOX_PIXELS`.
    epsilon : float, optional
        Douglas-Peucker tolerance in pixels, finite and >= 0 (see :func:`simplify`).
    rule : {"evenodd", "nonzero"}, optional
        Fill rule (:func:`skincore.geometry.fill_polygons`).
    threads : int, optional
        Threads in [0, 256], 0 = the pool size; polygons are split between them,
        with the same results for any count.

    Returns
    -------
    list of numpy.ndarray
        One ``(M, 2)`` int64 outline ``(x, y)`` per polygon, in the polygons'
        coordinates (integer pixel centres); ``(0, 2)`` for a polygon of fewer than
        3 vertices or one that covers no pixel centre.

    Raises
    ------
    ValueError
        If an argument is invalid (the message names it).
    """
    threads = check_threads(threads)
    if rule not in _OUTLINE_RULES:
        raise ValueError(f"rule: expected 'evenodd' or 'nonzero', got {rule!r}")
    eps = _check_epsilon(epsilon)
    items = as_polygon_list(polygons)
    if not items:
        return []
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in items], out=offsets[1:])
    xy = np.ascontiguousarray(np.concatenate(items), dtype=np.float64)
    try:
        found, origins = _core.contours.polygon_outlines(
            xy, offsets, _OUTLINE_RULES[rule], eps, MAX_OUTLINE_BOX_PIXELS, threads
        )
    except ValueError as err:  # name the polygon argument
        raise ValueError(f"polygons: {err}") from None
    return [c.astype(np.int64) + o for c, o in zip(found, origins, strict=True)]


def _check_epsilon(epsilon: object) -> float:
    """Validate a Douglas-Peucker tolerance: a finite number >= 0."""
    try:
        eps = float(epsilon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"epsilon: expected a number, got {epsilon!r}") from None
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"epsilon: must be finite and >= 0, got {epsilon!r}")
    return eps
