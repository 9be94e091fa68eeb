"""Axis-aligned boxes: greedy non-maximum suppression (a compiled kernel).

A detector such as a YOLO lesion head (:mod:`skincore.heads`) proposes thousands
of overlapping boxes; :func:`nms` keeps the best of each overlap, class by class.
Boxes are ``(x0, y0, x1, y1)``; the overlap is the intersection over union
(IoU) as :func:`skincore.face.detector.box_iou` computes it, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from skincore import _core

__all__ = ["nms"]


def nms(
    boxes: npt.ArrayLike,
    scores: npt.ArrayLike,
    classes: npt.ArrayLike,
    iou: float,
    max_keep: int | None = None,
) -> np.ndarray:
    """Return the indices kept by greedy per-class non-maximum suppression, best first.

    Boxes are taken in decreasing score (ties: lower index first); a box is kept
    unless one kept before it, of its class, overlaps it by an IoU above ``iou``.
    The same indices as the textbook loop, in ``O(N log N + N * K)`` for ``K``
    boxes kept per class, without the loop's Python cost (8,400 candidates of a
    YOLO output: under a millisecond with the lesion head's ``max_keep=300``,
    2-16 ms without a cap; ``python benchmarks/bench_boxes.py``).

    Parameters
    ----------
    boxes : array_like
        ``(N, 4)`` ``x0, y0, x1, y1``, finite.
    scores : array_like
        ``(N,)``, finite.
    classes : array_like
        ``(N,)`` integers: boxes of different classes never suppress each other.
    iou : float
        A box overlapping a kept one of its class by more than this goes.
    max_keep : int, optional
        Stop after this many kept boxes (``None``: no limit).

    Returns
    -------
    numpy.ndarray
        Kept indices (int64), in decreasing score (ties: lower index first).

    Raises
    ------
    ValueError
        If an argument has the wrong shape or type, holds NaN or infinite values,
        or ``max_keep`` is negative (the message names the argument).
    """
    b = np.asarray(boxes, dtype=np.float64)
    if b.size == 0:
        b = b.reshape(0, 4)
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"boxes: expected shape (N, 4), got {b.shape}")
    n = b.shape[0]
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != (n,):
        raise ValueError(f"scores: expected shape ({n},), got {s.shape}")
    c = np.asarray(classes)
    if c.shape != (n,):
        raise ValueError(f"classes: expected shape ({n},), got {c.shape}")
    if n and not (np.issubdtype(c.dtype, np.integer) or c.dtype == np.bool_):
        raise ValueError(f"classes: expected integers, got dtype {c.dtype}")
    if not (np.isfinite(b).all() and np.isfinite(s).all()):
        raise ValueError("boxes, scores: NaN or infinite values")
    if isinstance(iou, bool) or not isinstance(iou, int | float | np.floating | np.integer):
        raise ValueError(f"iou: expected a number, got {iou!r}")
    if not math.isfinite(float(iou)):
        raise ValueError(f"iou: expected a finite number, got {iou!r}")
    if max_keep is not None and (
        isinstance(max_keep, bool) or not isinstance(max_keep, int | np.integer) or max_keep < 0
    ):
        raise ValueError(f"max_keep: expected None or an int >= 0, got {max_keep!r}")
    order = np.argsort(-s, kind="stable")
    pos = _core.boxes.greedy_nms(
        np.ascontiguousarray(b[order]),
        np.ascontiguousarray(c[order], dtype=np.int64),
        float(iou),
        -1 if max_keep is None else int(max_keep),
    )
    return order[pos].astype(np.int64)
