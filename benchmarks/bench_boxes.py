"""Benchmark skincore.boxes.nms (the compiled greedy suppression) against OpenCV.

Peers in the same run: ``cv2.dnn.NMSBoxesBatched`` (per-class greedy NMS, C++)
and the NumPy loop skincore used before the kernel (each kept box suppresses
its overlaps in one vector pass of ``face.detector.box_iou``). Two scenes of a
640x640 YOLO input, four classes, IoU 0.45, every box above the score threshold:

* ``scattered``: N boxes of 4-40 px placed at random (most survive);
* ``clustered``: N boxes around N/25 objects, 25 jittered proposals each (what a
  detector's raw output looks like: most are suppressed).

Each case runs without a limit (OpenCV's ``top_k`` is a pre-suppression cut, not
a cap on what is kept, so both keep every survivor) and with skincore's
``max_keep=300`` (the lesion head's ``MAX_DETECTIONS``). The kept sets are
compared (``same``: Jaccard index; OpenCV computes IoU in float32 and may break
ties at the threshold differently).

Run: ``PYTHONPATH=python python benchmarks/bench_boxes.py``. Medians on a possibly
shared machine; ratio = peer / skincore (> 1: skincore faster).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import Row, median_ms, print_table  # noqa: E402
from skincore.boxes import nms  # noqa: E402
from skincore.face.detector import box_iou  # noqa: E402


def numpy_nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float) -> np.ndarray:
    """The NumPy per-class loop (skincore.heads.nms before the kernel)."""
    order = np.argsort(-scores, kind="stable")
    b, c = boxes[order], classes[order]
    kept = []
    for cls in np.unique(c):
        idx = np.flatnonzero(c == cls)
        cb = b[idx]
        alive = np.ones(len(idx), bool)
        for i in range(len(idx)):
            if alive[i]:
                alive[i + 1 :] &= box_iou(cb[i], cb[i + 1 :]) <= iou
        kept.append(idx[alive])
    return order[np.sort(np.concatenate(kept))]


def scene(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(boxes x0 y0 x1 y1, scores, classes)`` of ``n`` proposals."""
    if kind == "scattered":
        xy = rng.uniform(0, 640, (n, 2))
        wh = rng.uniform(4, 40, (n, 2))
        classes = rng.integers(0, 4, n)
    else:
        k = max(1, n // 25)
        centre = rng.uniform(20, 620, (k, 2))
        size = rng.uniform(8, 40, (k, 2))
        which = rng.integers(0, k, n)
        wh = size[which] * rng.uniform(0.8, 1.2, (n, 2))
        xy = centre[which] + rng.normal(0, 2.0, (n, 2)) - wh / 2
        classes = which % 4
    boxes = np.concatenate([xy, xy + wh], axis=1)
    return boxes, rng.uniform(0.25, 1.0, n), classes


def main() -> None:
    cv2.setNumThreads(1)
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    for kind in ("scattered", "clustered"):
        for n in (300, 2000, 8400):
            boxes, scores, classes = scene(kind, n, rng)
            xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
            sl, cl = scores.astype(np.float32), classes.astype(np.int32)
            kept = nms(boxes, scores, classes, 0.45)
            kept_cv = np.asarray(cv2.dnn.NMSBoxesBatched(xywh, sl, cl, 0.0, 0.45)).ravel()
            same = len(set(kept.tolist()) & set(kept_cv.tolist())) / max(
                1, len(set(kept.tolist()) | set(kept_cv.tolist()))
            )
            assert numpy_nms(boxes, scores, classes, 0.45).tolist() == kept.tolist()
            ours = median_ms(lambda b=boxes, s=scores, c=classes: nms(b, s, c, 0.45), repeat=9)
            capped = median_ms(
                lambda b=boxes, s=scores, c=classes: nms(b, s, c, 0.45, max_keep=300), repeat=9
            )
            cv = median_ms(
                lambda x=xywh, s=sl, c=cl: cv2.dnn.NMSBoxesBatched(x, s, c, 0.0, 0.45), repeat=9
            )
            loop = median_ms(
                lambda b=boxes, s=scores, c=classes: numpy_nms(b, s, c, 0.45), repeat=5
            )
            label = f"{kind} {n}, kept {len(kept)} (same {same:.3f})"
            rows.append(Row(label, ours, "cv2.dnn.NMSBoxesBatched", cv))
            rows.append(Row(f"{kind} {n}, max_keep 300", capped, "cv2 (no cap)", cv))
            rows.append(Row(f"{kind} {n}", ours, "NumPy loop (before)", loop))
    print_table("skincore.boxes.nms vs OpenCV and the NumPy loop, 1 thread", rows)


if __name__ == "__main__":
    main()
