"""Argument checks shared by the kernel wrappers and the concerns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_THREADS = 256
"""Largest ``threads`` argument (and pool size) accepted."""


def check_threads(threads: object) -> int:
    """Validate a ``threads`` argument: an int in ``[0, 256]``.

    ``0`` means the size of the kernel thread pool
    (:func:`skincore.threads.get_num_threads`); larger values are capped at the
    pool size. Results never depend on it.

    Parameters
    ----------
    threads : object
        The value passed by the caller.

    Returns
    -------
    int
        ``threads`` as a Python int.

    Raises
    ------
    ValueError
        Naming ``threads`` when it is not an int (bools and floats refused) in
        ``[0, 256]``.
    """
    if (
        isinstance(threads, bool)
        or not isinstance(threads, int | np.integer)
        or not 0 <= threads <= MAX_THREADS
    ):
        raise ValueError(
            f"threads: expected an int in [0, {MAX_THREADS}] (0 = the thread pool size), "
            f"got {threads!r}"
        )
    return int(threads)


def check_mask(mask: object, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Validate a 2-D bool or uint8 mask argument and return it as uint8.

    Parameters
    ----------
    mask : object
        The value passed by the caller.
    name : str
        The argument's name, for the error message.
    shape : tuple of int, optional
        The shape it must have.

    Returns
    -------
    numpy.ndarray
        ``mask`` itself (uint8) or its uint8 view (bool); nonzero is inside.

    Raises
    ------
    ValueError
        Naming the argument: not a 2-D array, another shape, or another dtype.
    """
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D numpy.ndarray")
    if shape is not None and mask.shape != shape:
        raise ValueError(f"{name}: expected an array of shape {shape}, got {mask.shape}")
    if mask.dtype == np.bool_:
        return mask.view(np.uint8)
    if mask.dtype != np.uint8:
        raise ValueError(f"{name}: expected dtype bool or uint8, got {mask.dtype}")
    return mask


def check_rgb8(rgb: object, name: str = "rgb") -> np.ndarray:
    """Validate a photo argument: a non-empty ``(H, W, 3)`` uint8 array.

    Raises
    ------
    ValueError
        Naming the argument (with the shape when that is what is wrong).
    """
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError(f"{name}: expected an (H, W, 3) uint8 array")
    if rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"{name}: expected an (H, W, 3) uint8 array, got shape {rgb.shape}")
    return rgb


def check_map32(x: object, name: str) -> np.ndarray:
    """Validate a 2-D float32 map argument.

    Raises
    ------
    ValueError
        Naming the argument when it is not a 2-D float32 numpy.ndarray.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float32 or x.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D float32 numpy.ndarray")
    return x


def as_polygon_list(polygons: object) -> list[np.ndarray]:
    """Validate polygons: one ``(K, 2)`` array, a ``(P, K, 2)`` array or a sequence.

    Parameters
    ----------
    polygons : object
        The value passed by the caller.

    Returns
    -------
    list of numpy.ndarray
        The polygons as ``(K_i, 2)`` float64 arrays (no copy when already float64).

    Raises
    ------
    ValueError
        Naming ``polygons`` (and the offending index) on a wrong type, dtype or
        shape, or a coordinate that is not finite or exceeds ``1e100``.
    """
    if isinstance(polygons, np.ndarray):
        if polygons.ndim == 3:
            items: Sequence[object] = list(polygons)
        else:
            items = [polygons]
    elif isinstance(polygons, Sequence) and not isinstance(polygons, str | bytes):
        items = polygons
    else:
        raise ValueError("polygons: expected a (K, 2) array or a sequence of them")
    out = []
    for i, p in enumerate(items):
        a = np.asarray(p)
        if a.dtype.kind not in "iuf":
            raise ValueError(f"polygons[{i}]: expected real numbers, got dtype {a.dtype}")
        if a.size == 0:
            a = a.reshape(0, 2)
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValueError(f"polygons[{i}]: expected shape (K, 2), got {a.shape}")
        out.append(a.astype(np.float64, copy=False))
    # Every coordinate finite with magnitude <= 1e100, in one pass over them all
    # (a NaN fails the comparison); the offending polygon is named when one fails.
    coords = out[0] if len(out) == 1 else np.concatenate(out) if out else None
    if coords is not None and coords.size and not np.abs(coords).max() <= 1e100:
        for i, a in enumerate(out):
            if not np.isfinite(a).all():
                raise ValueError(f"polygons[{i}]: coordinates must be finite (no NaN or inf)")
            if a.size and np.abs(a).max() > 1e100:
                raise ValueError(f"polygons[{i}]: coordinates must have magnitude <= 1e100")
    return out


def check_rgb_skin(rgb: object, skin: object, px_per_mm: object) -> None:
    """Validate a crop, its skin mask and its scale (``ValueError`` naming the argument)."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError("rgb: expected a (h, w, 3) uint8 array")
    if rgb.shape[2] != 3:
        raise ValueError("rgb: expected a (h, w, 3) uint8 array")
    if not isinstance(skin, np.ndarray) or skin.shape != rgb.shape[:2]:
        raise ValueError(f"skin: expected a uint8 array of shape {rgb.shape[:2]}")
    if skin.dtype not in (np.uint8, np.bool_):
        raise ValueError("skin: expected dtype uint8 or bool")
    if isinstance(px_per_mm, bool) or not isinstance(px_per_mm, int | float | np.floating):
        raise ValueError(f"px_per_mm: expected a number, got {px_per_mm!r}")
    if not (np.isfinite(px_per_mm) and px_per_mm > 0):
        raise ValueError(f"px_per_mm: must be finite and > 0, got {px_per_mm!r}")
