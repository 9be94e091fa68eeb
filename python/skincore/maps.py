"""Derived image maps: the enhanced black-and-white image (pores, blackheads).

:func:`enhanced_bw` crops a face box, scales it by ``ratio`` and applies a local
contrast enhancement (a high-pass normalised by the local standard deviation) that
makes pores and blackheads stand out as dark dots on mid-grey. Its coordinate
mapping is the AILabTools Pro one: a point ``(x, y)`` of the original image is at
``x_e = (x - left) * ratio``, ``y_e = (y - top) * ratio`` in the enhanced image
(:func:`to_enhanced`, :func:`from_enhanced`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from skincore import _core
from skincore._checks import check_threads

MAX_RATIO: float = float(_core.maps.MAX_RATIO)
"""Largest accepted ``ratio``."""

MAX_OUTPUT_PIXELS: int = 1 << 27
"""Largest enhanced image (pixels) :func:`enhanced_bw` will allocate."""


@dataclass(frozen=True)
class EnhancedBWInfo:
    """Placement of an enhanced image in the original one (AILabTools Pro ``enhanced_bw_info``).

    Attributes
    ----------
    left, top : float
        Top-left corner of the cropped box in original pixels.
    width, height : float
        Size of the cropped box in original pixels (the box clipped to the image).
    ratio : float
        Scale from original to enhanced pixels.
    """

    left: float
    top: float
    width: float
    height: float
    ratio: float

    def as_dict(self) -> dict[str, float]:
        """Return the fields as a plain dict."""
        return asdict(self)


def _points(points: np.ndarray | list) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError("points: expected an array of shape (..., 2) of (x, y)")
    return p


def to_enhanced(points: np.ndarray | list, info: EnhancedBWInfo) -> np.ndarray:
    """Map original-image points into the enhanced image.

    Parameters
    ----------
    points : array_like
        ``(..., 2)`` array of ``(x, y)`` in original pixels.
    info : EnhancedBWInfo
        As returned by :func:`enhanced_bw`.

    Returns
    -------
    numpy.ndarray
        float64 ``(..., 2)``: ``((x - left) * ratio, (y - top) * ratio)``.
    """
    p = _points(points)
    return (p - np.array([info.left, info.top])) * info.ratio


def from_enhanced(points: np.ndarray | list, info: EnhancedBWInfo) -> np.ndarray:
    """Map enhanced-image points back into the original image (inverse of :func:`to_enhanced`).

    Parameters
    ----------
    points : array_like
        ``(..., 2)`` array of ``(x_e, y_e)`` in enhanced pixels.
    info : EnhancedBWInfo
        As returned by :func:`enhanced_bw`.

    Returns
    -------
    numpy.ndarray
        float64 ``(..., 2)``: ``(x_e / ratio + left, y_e / ratio + top)``.
    """
    p = _points(points)
    return p / info.ratio + np.array([info.left, info.top])


def _finite(v: object, name: str) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected a number") from exc
    if not math.isfinite(f):
        raise ValueError(f"{name}: must be finite")
    return f


def enhanced_bw(
    image: np.ndarray,
    box: tuple[float, float, float, float] | list[float] | np.ndarray,
    *,
    ratio: float | None = None,
    out_size: int | None = None,
    sigma: float = 8.0,
    gain: float = 40.0,
    eps: float = 0.02,
    threads: int = 0,
) -> tuple[np.ndarray, EnhancedBWInfo]:
    """Crop, scale and contrast-enhance a face box into a black-and-white image.

    The grey image (Rec. 601 luma of RGB uint8, ``v / 255`` of grey uint8, or a grey
    float32 image in [0, 1]) is cropped to ``box``, anti-aliased with a Gaussian of
    ``(1 / ratio - 1) / 2`` px when shrinking, and bilinearly sampled so that enhanced
    pixel ``(i, j)`` is the original point ``(left + j / ratio, top + i / ratio)``.
    Then ``hp = S - G_sigma(S)`` and the output is
    ``clip(round(128 + gain * hp / sqrt(G_sigma(hp**2) + eps**2)), 0, 255)``:
    flat skin is mid-grey (128), pores and blackheads are dark, deterministic.

    Parameters
    ----------
    image : numpy.ndarray
        ``(H, W, 3)`` uint8 RGB, ``(H, W)`` uint8 grey or ``(H, W)`` float32 grey
        (non-finite grey values give 128, "no contrast", wherever the blurs carry
        them).
    box : sequence of 4 float
        ``(left, top, width, height)`` in original pixels; clipped to the image.
    ratio : float, optional
        Scale from original to enhanced pixels, in (0, :data:`MAX_RATIO`]. Default 1.
    out_size : int, optional
        Alternative to ``ratio``: the longer side of the enhanced image in pixels
        (``ratio = out_size / max(width, height)``).
    sigma : float, optional
        High-pass and local-deviation scale in enhanced pixels, > 0.
    gain : float, optional
        Grey levels per local standard deviation, >= 0.
    eps : float, optional
        Floor on the local deviation (intensity units, > 0) so that flat, noisy skin
        is not amplified.
    threads : int, optional
        Threads in [0, 256], 0 = the pool size (see skincore.threads). Results do not depend on it.

    Returns
    -------
    enhanced : numpy.ndarray
        ``(round(height * ratio), round(width * ratio))`` uint8 (each at least 1).
    info : EnhancedBWInfo
        The clipped box and the ratio; see :func:`to_enhanced`.

    Raises
    ------
    ValueError
        Naming the argument, for a bad dtype, shape, box or parameter.
    """
    check_threads(threads)
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise ValueError("image: expected a 2-D or (H, W, 3) numpy array")
    h, w = image.shape[:2]
    try:
        b = [float(v) for v in box]
    except (TypeError, ValueError) as exc:
        raise ValueError("box: expected (left, top, width, height)") from exc
    if len(b) != 4 or not all(math.isfinite(v) for v in b):
        raise ValueError("box: expected 4 finite numbers (left, top, width, height)")
    if b[2] <= 0 or b[3] <= 0:
        raise ValueError("box: width and height must be > 0")
    left, top = max(0.0, b[0]), max(0.0, b[1])
    right, bottom = min(float(w), b[0] + b[2]), min(float(h), b[1] + b[3])
    if right <= left or bottom <= top:
        raise ValueError("box: does not intersect the image")
    bw, bh = right - left, bottom - top
    if ratio is not None and out_size is not None:
        raise ValueError("ratio: give either ratio or out_size, not both")
    if out_size is not None:
        if isinstance(out_size, bool) or not isinstance(out_size, int | np.integer):
            raise ValueError("out_size: must be an integer > 0")
        if out_size <= 0:
            raise ValueError("out_size: must be an integer > 0")
        ratio = int(out_size) / max(bw, bh)
    r = 1.0 if ratio is None else _finite(ratio, "ratio")
    if not 0.0 < r <= MAX_RATIO:
        raise ValueError(f"ratio: must be in (0, {MAX_RATIO:g}], got {r:g}")
    ow = max(1, math.floor(bw * r + 0.5))
    oh = max(1, math.floor(bh * r + 0.5))
    if ow * oh > MAX_OUTPUT_PIXELS:
        raise ValueError("ratio: enhanced image would exceed MAX_OUTPUT_PIXELS")
    for name, v in (("sigma", sigma), ("gain", gain), ("eps", eps)):
        _finite(v, name)
    out = np.empty((oh, ow), np.uint8)
    _core.maps.enhanced_bw(
        image, out, left, top, bw, bh, r, float(sigma), float(gain), float(eps), int(threads)
    )
    return out, EnhancedBWInfo(left=left, top=top, width=bw, height=bh, ratio=r)
