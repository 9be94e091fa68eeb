"""Face detection with BlazeFace short-range (MediaPipe), run in ONNX Runtime.

The photo is letterboxed to a black-padded square (centred), resized to 128x128 and
scaled to [-1, 1]. The model scores 896 SSD anchors: a 16x16 grid with 2 anchors per
cell (stride 8) and an 8x8 grid with 6 (strides 16, 16, 16 merged), anchor centres at
``((x + 0.5) / n, (y + 0.5) / n)`` and unit size. Each anchor regresses
``cx, cy, w, h`` and six keypoints ``(x, y)`` in 128-px input units, as offsets from
the anchor centre. Scores are logits (clipped to +-100, then sigmoid). Overlapping
detections (IoU > 0.3) are merged by score-weighted averaging, MediaPipe's "weighted
NMS", not discarded.

Keypoints, in order (subject's left/right): right eye, left eye, nose tip, mouth
centre, right ear tragion, left ear tragion. For a frontal face the subject's right
eye is on the image's left.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image

from skincore.face._warp import Roi, crop
from skincore.models import FACE_DETECTOR
from skincore.runtime import get_session, run_session

INPUT_SIZE = 128
IOU_MERGE = 0.3
SCORE_CLIP = 100.0

KEYPOINT_NAMES = (
    "right_eye",
    "left_eye",
    "nose_tip",
    "mouth_center",
    "right_ear_tragion",
    "left_ear_tragion",
)
"""Names of :attr:`FaceBox.keypoints` rows; left/right are the subject's."""


@dataclass(frozen=True, eq=False)
class FaceBox:
    """One detected face, in image pixels (continuous coordinates, y down).

    Attributes
    ----------
    x0, y0, x1, y1 : float
        Box corners; may extend beyond the image for faces cut by the border.
    score : float
        Detection probability in [0, 1].
    keypoints : numpy.ndarray
        (6, 2) float32 ``(x, y)``, rows as in :data:`KEYPOINT_NAMES`.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    keypoints: np.ndarray

    @property
    def width(self) -> float:
        """Box width in pixels."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """Box height in pixels."""
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        """Box area in square pixels."""
        return max(self.width, 0.0) * max(self.height, 0.0)


@lru_cache(maxsize=1)
def anchors() -> np.ndarray:
    """Return the (896, 2) BlazeFace short-range anchor centres, normalised to [0, 1].

    Returns
    -------
    numpy.ndarray
        float32 ``(x, y)``; 16x16 cells x 2 anchors, then 8x8 cells x 6 anchors.
    """
    out = []
    for n, per_cell in ((16, 2), (8, 6)):
        g = (np.arange(n, dtype=np.float32) + 0.5) / n
        xx, yy = np.meshgrid(g, g)
        cells = np.stack([xx.ravel(), yy.ravel()], axis=1)
        out.append(np.repeat(cells, per_cell, axis=0))
    return np.concatenate(out).astype(np.float32)


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if not isinstance(rgb, np.ndarray):
        raise TypeError(f"rgb must be a numpy array, got {type(rgb).__name__}")
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"rgb must have shape (H, W, 3), got {rgb.shape}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"rgb must be uint8, got {rgb.dtype}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"rgb is empty: {rgb.shape}")
    return rgb


def letterbox_roi(height: int, width: int) -> Roi:
    """Return the square ROI that letterboxes an image (centred, black padding).

    Parameters
    ----------
    height, width : int
        Image size in pixels.

    Returns
    -------
    Roi
        Axis-aligned square of side ``max(height, width)`` centred on the image.
    """
    return Roi(cx=width / 2.0, cy=height / 2.0, side=float(max(height, width)), angle=0.0)


def decode(regressors: np.ndarray, logits: np.ndarray, min_score: float):
    """Decode raw BlazeFace outputs into boxes, keypoints and scores above a threshold.

    Parameters
    ----------
    regressors : numpy.ndarray
        (896, 16) raw regressors.
    logits : numpy.ndarray
        (896,) raw score logits.
    min_score : float
        Keep anchors whose probability is at least this.

    Returns
    -------
    boxes : numpy.ndarray
        (N, 4) ``x0, y0, x1, y1`` normalised to the 128x128 input.
    keypoints : numpy.ndarray
        (N, 6, 2) normalised keypoints.
    scores : numpy.ndarray
        (N,) probabilities.
    """
    z = np.clip(logits.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-z))
    keep = np.flatnonzero(scores >= min_score)
    a = anchors()[keep].astype(np.float64)
    r = regressors[keep].astype(np.float64) / INPUT_SIZE
    cx, cy = a[:, 0] + r[:, 0], a[:, 1] + r[:, 1]
    hw, hh = r[:, 2] / 2, r[:, 3] / 2
    boxes = np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]
    return boxes, kps, scores[keep]


def box_iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of ``box`` (4,) with each of ``others`` (N, 4), ``x0 y0 x1 y1``.

    0 where the union is empty.
    """
    ix0 = np.maximum(box[0], others[:, 0])
    iy0 = np.maximum(box[1], others[:, 1])
    ix1 = np.minimum(box[2], others[:, 2])
    iy1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def weighted_merge(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray):
    """Merge overlapping detections by score-weighted averaging (MediaPipe weighted NMS).

    Repeatedly take the best remaining detection, gather every remaining one whose IoU
    with it exceeds 0.3 (itself included), and replace them by their score-weighted
    mean box and keypoints, keeping the best score.

    Parameters
    ----------
    boxes : numpy.ndarray
        (N, 4) ``x0, y0, x1, y1``.
    keypoints : numpy.ndarray
        (N, K, 2).
    scores : numpy.ndarray
        (N,).

    Returns
    -------
    list of tuple
        ``(box (4,), keypoints (K, 2), score)`` by decreasing score.
    """
    order = np.argsort(-scores, kind="stable")
    remaining = order
    out = []
    while remaining.size:
        best = remaining[0]
        iou = box_iou(boxes[best], boxes[remaining])
        group = remaining[iou > IOU_MERGE]
        if group.size == 0:  # degenerate (zero-area) best box: keep it alone
            group = remaining[:1]
        w = scores[group]
        wsum = w.sum()
        box = (boxes[group] * w[:, None]).sum(0) / wsum
        kps = (keypoints[group] * w[:, None, None]).sum(0) / wsum
        out.append((box, kps, float(scores[best])))
        remaining = remaining[~np.isin(remaining, group)]
    return out


def detect_in_roi(
    image: Image.Image,
    roi: Roi,
    *,
    min_score: float = 0.5,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the detector on one square region of an image, before any merging.

    Parameters
    ----------
    image : PIL.Image.Image
        The RGB photo.
    roi : Roi
        Square region sampled into the 128x128 input (outside the image: black).
    min_score : float, default 0.5
        Keep anchors whose probability is at least this.
    provider : str, optional
        Force an ONNX Runtime provider (see :func:`skincore.runtime.get_session`).
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    session : onnxruntime.InferenceSession, optional
        The detector session to run (an analyser's own); else the cached one.

    Returns
    -------
    boxes : numpy.ndarray
        (N, 4) ``x0, y0, x1, y1`` in image pixels.
    keypoints : numpy.ndarray
        (N, 6, 2) keypoints in image pixels.
    scores : numpy.ndarray
        (N,) probabilities.
    """
    return detect_in_tensor(
        input_tensor(image, roi, threads=threads),
        roi,
        min_score=min_score,
        provider=provider,
        threads=threads,
        session=session,
    )


def input_tensor(image: Image.Image | np.ndarray, roi: Roi, *, threads: int = 0) -> np.ndarray:
    """Sample ``roi`` into the detector's normalised (128, 128, 3) float32 input.

    The bilinear sample of :func:`skincore.face._warp.crop`, written as
    ``float32(v) / 127.5 - 1`` in the same pass: the values of normalising its
    uint8 output with NumPy, bit for bit.

    Parameters
    ----------
    image : PIL.Image.Image or numpy.ndarray
        The RGB photo (an ``(H, W, 3)`` uint8 array is read in place).
    roi : Roi
        Square region to sample (outside the image: black, -1).
    threads : int, default 0
        Kernel threads of the sampling (0 = the whole pool).

    Returns
    -------
    numpy.ndarray
        (128, 128, 3) float32 in [-1, 1].
    """
    out = np.empty((INPUT_SIZE, INPUT_SIZE, 3), np.float32)
    return crop(image, roi, INPUT_SIZE, out=out, div=127.5, sub=1.0, threads=threads)


def detect_in_tensor(
    tensor: np.ndarray,
    roi: Roi,
    *,
    min_score: float = 0.5,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the detector on a 128x128 RGB sample of ``roi`` (see :func:`detect_in_roi`).

    Parameters
    ----------
    tensor : numpy.ndarray
        (128, 128, 3) uint8, the ROI sampled into the detector's input, or that sample
        already normalised to float32 ``v / 127.5 - 1`` (:func:`input_tensor`).
    roi : Roi
        Where the tensor lies in the image.
    min_score, provider, threads, session
        As for :func:`detect_in_roi`.

    Returns
    -------
    boxes, keypoints, scores : numpy.ndarray
        As for :func:`detect_in_roi`, in image pixels.
    """
    if tensor.dtype == np.float32:
        x = tensor[None]
    else:
        x = (tensor.astype(np.float32) / np.float32(127.5) - np.float32(1.0))[None]
    sess = session or get_session(FACE_DETECTOR, provider=provider, threads=threads)
    reg, cls = run_session(sess, ["regressors", "classificators"], {"input": x})
    boxes, kps, scores = decode(reg[0], cls[0, :, 0], float(min_score))
    corners = roi.to_image(boxes.reshape(-1, 2, 2) * INPUT_SIZE, INPUT_SIZE).reshape(-1, 4)
    kps_img = roi.to_image(kps * INPUT_SIZE, INPUT_SIZE)
    return corners, kps_img, scores


def face_box(box: np.ndarray, keypoints: np.ndarray, score: float) -> FaceBox:
    """Make a :class:`FaceBox` from a merged ``(x0, y0, x1, y1)`` box and its keypoints."""
    kp = np.asarray(keypoints, np.float32).copy()
    kp.setflags(write=False)
    x0, y0, x1, y1 = (float(v) for v in box)
    return FaceBox(x0, y0, x1, y1, float(score), kp)


def detect_faces(
    rgb: np.ndarray,
    *,
    max_faces: int = 10,
    min_score: float = 0.5,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
) -> list[FaceBox]:
    """Detect faces in an RGB photo.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB image.
    max_faces : int, default 10
        Return at most this many faces (the largest ones).
    min_score : float, default 0.5
        Minimum detection probability, in [0, 1].
    provider : str, optional
        Force an ONNX Runtime provider (see :func:`skincore.runtime.get_session`).
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.FACE_DETECTOR` to use (an
        :class:`skincore.Analyzer` passes its own); ``provider`` and ``threads``
        are then ignored.

    Returns
    -------
    list of FaceBox
        Faces sorted by decreasing box area (largest first).

    Raises
    ------
    TypeError, ValueError
        If ``rgb`` is not an (H, W, 3) uint8 array, ``max_faces < 1`` or ``min_score``
        is outside [0, 1].
    """
    _check_rgb(rgb)
    if int(max_faces) < 1:
        raise ValueError(f"max_faces must be >= 1, got {max_faces}")
    if not 0.0 <= float(min_score) <= 1.0:
        raise ValueError(f"min_score must be in [0, 1], got {min_score}")
    h, w = rgb.shape[:2]
    image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    boxes, kps, scores = detect_in_roi(
        image,
        letterbox_roi(h, w),
        min_score=float(min_score),
        provider=provider,
        threads=threads,
        session=session,
    )
    faces = [face_box(box, kp, score) for box, kp, score in weighted_merge(boxes, kps, scores)]
    faces.sort(key=lambda f: f.area, reverse=True)
    return faces[: int(max_faces)]
