"""Pure-Python reference for skincore.boxes (slow, small inputs only).

- nms: the textbook greedy loop: boxes by decreasing score (ties: lower index
  first), each kept unless a kept box of its class overlaps it by more than the
  threshold, the IoU from :func:`skincore.face.detector.box_iou`.
"""

from __future__ import annotations

import numpy as np

from skincore.face.detector import box_iou


def nms(boxes, scores, classes, iou, max_keep=None) -> list[int]:
    """Kept indices, best first."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    with np.errstate(all="ignore"):  # huge boxes: inf/NaN IoUs suppress
        for i in order:
            if max_keep is not None and len(kept) >= max_keep:
                break
            same = [j for j in kept if classes[j] == classes[i]]
            if same and not (box_iou(boxes[i], boxes[same]) <= iou).all():
                continue
            kept.append(i)
    return kept
