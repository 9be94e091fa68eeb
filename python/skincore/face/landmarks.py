"""478 dense face landmarks (MediaPipe FaceMesh v2 with irises), run in ONNX Runtime.

The model sees a 256x256 RGB crop in [0, 1]: a square of 1.5x the face's extent,
rotated so the eye line is horizontal. It returns 478 ``(x, y, z)`` in crop pixels
(``z`` in the same units, smaller = nearer the camera, origin near the head centre)
and a face-presence logit. Points are mapped back through the crop's inverse affine.

Two passes, as MediaPipe's landmarker does when it tracks:

1. ROI from the detector: centre of the box, side ``1.5 * max(w, h)``, angle of the
   line from keypoint 0 (subject's right eye) to keypoint 1 (left eye).
2. ROI from pass 1's landmarks: centre and ``1.5 * max(w, h)`` of their (axis-aligned)
   bounding box, angle of the line from point 33 (right eye outer corner) to point 263
   (left eye outer corner).

Useful indices: eye corners 33/133 (subject's right eye) and 362/263 (left eye), iris
centres 468 (right) and 473 (left), mouth corners 61/291, nose tip 1, chin 152, top of
forehead 10.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from skincore.face._warp import Roi, crop
from skincore.face.detector import FaceBox, _check_rgb
from skincore.models import FACE_LANDMARKS
from skincore.runtime import get_session, run_session

INPUT_SIZE = 256
ROI_SCALE = 1.5
NUM_POINTS = 478

RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
RIGHT_IRIS, LEFT_IRIS = 468, 473
NOSE_TIP, CHIN, FOREHEAD_TOP = 1, 152, 10


@dataclass(frozen=True, eq=False)
class FaceLandmarks:
    """Dense landmarks of one face.

    Attributes
    ----------
    points : numpy.ndarray
        (478, 3) float32 ``x, y, z`` in image pixels (y down; ``z`` in the same pixel
        scale as ``x``, smaller = nearer the camera, relative to the head centre).
    presence : float
        Probability in [0, 1] that the crop holds a face.
    roi : Roi
        The crop the final pass ran on (centre, side in pixels, angle in radians).
    confirmation : float
        The face detector's score in that crop (:mod:`skincore.face.confirm`);
        NaN when it was not run.
    """

    points: np.ndarray
    presence: float
    roi: Roi
    confirmation: float = math.nan


def roi_from_box(box: FaceBox) -> Roi:
    """Return the pass-1 crop for a detector box.

    Parameters
    ----------
    box : FaceBox
        A detection.

    Returns
    -------
    Roi
        Centred on the box, side 1.5x its longer side, rotated by the eye line.
    """
    (rx, ry), (lx, ly) = box.keypoints[0], box.keypoints[1]
    angle = math.atan2(float(ly - ry), float(lx - rx))
    return Roi(
        cx=(box.x0 + box.x1) / 2,
        cy=(box.y0 + box.y1) / 2,
        side=ROI_SCALE * max(box.width, box.height),
        angle=angle,
    )


def roi_from_points(points: np.ndarray) -> Roi:
    """Return the refinement crop for a set of landmarks.

    Parameters
    ----------
    points : numpy.ndarray
        (478, 2 or 3) landmarks in image pixels.

    Returns
    -------
    Roi
        Centred on their bounding box, side 1.5x its longer side, rotated by the line
        from point 33 to point 263.
    """
    xy = np.asarray(points, np.float64)[:, :2]
    lo, hi = xy.min(0), xy.max(0)
    d = xy[LEFT_EYE_OUTER] - xy[RIGHT_EYE_OUTER]
    return Roi(
        cx=float(lo[0] + hi[0]) / 2,
        cy=float(lo[1] + hi[1]) / 2,
        side=ROI_SCALE * float(max(hi - lo)),
        angle=math.atan2(float(d[1]), float(d[0])),
    )


def mesh_in_roi(
    image: Image.Image | np.ndarray,
    roi: Roi,
    *,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
) -> tuple[np.ndarray, float]:
    """Run one landmark pass on a crop.

    Parameters
    ----------
    image : PIL.Image.Image
        The RGB photo.
    roi : Roi
        The rotated square sampled into the 256x256 input.
    provider : str, optional
        Force an ONNX Runtime provider (see :func:`skincore.runtime.get_session`).
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    session : onnxruntime.InferenceSession, optional
        The landmark session to run (an analyser's own); else the cached one.

    Returns
    -------
    points : numpy.ndarray
        (478, 3) float32 in image pixels.
    presence : float
        The model's face-presence probability for this crop.
    """
    x = np.empty((1, INPUT_SIZE, INPUT_SIZE, 3), np.float32)
    crop(
        image, roi, INPUT_SIZE, out=x[0], div=255.0, threads=threads
    )  # the [0, 1] tensor, in place
    sess = session or get_session(FACE_LANDMARKS, provider=provider, threads=threads)
    raw, presence_logit = run_session(sess, ["Identity", "Identity_1"], {"input_12": x})
    pts = raw.reshape(NUM_POINTS, 3).astype(np.float64)
    xy = roi.to_image(pts[:, :2], INPUT_SIZE)
    z = pts[:, 2] * (roi.side / INPUT_SIZE)
    points = np.concatenate([xy, z[:, None]], axis=1).astype(np.float32)
    presence = float(1.0 / (1.0 + math.exp(-float(np.clip(presence_logit.item(), -100, 100)))))
    return points, presence


def fit_landmarks(
    rgb: np.ndarray,
    box: FaceBox,
    *,
    refine: bool = True,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
) -> FaceLandmarks:
    """Fit the 478-point mesh to one detected face.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB image, the one the box was detected in.
    box : FaceBox
        The face, from :func:`skincore.face.detect_faces`.
    refine : bool, default True
        Run the second pass on the ROI derived from the first pass's landmarks.
    provider : str, optional
        Force an ONNX Runtime provider (see :func:`skincore.runtime.get_session`).
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.FACE_LANDMARKS` to use (an
        :class:`skincore.Analyzer` passes its own).

    Returns
    -------
    FaceLandmarks
        Points in image pixels and the presence probability of the final pass.

    Raises
    ------
    TypeError, ValueError
        If ``rgb`` is not an (H, W, 3) uint8 array or the box is degenerate.
    """
    _check_rgb(rgb)
    if not isinstance(box, FaceBox):
        raise TypeError(f"box must be a FaceBox, got {type(box).__name__}")
    if not (box.width > 0 and box.height > 0) or not np.all(np.isfinite(box.keypoints)):
        raise ValueError("box is degenerate (non-positive size or non-finite keypoints)")
    image = np.ascontiguousarray(rgb)
    roi = roi_from_box(box)
    points, presence = mesh_in_roi(image, roi, provider=provider, threads=threads, session=session)
    if refine:
        roi = roi_from_points(points)
        points, presence = mesh_in_roi(
            image, roi, provider=provider, threads=threads, session=session
        )
    points.setflags(write=False)
    return FaceLandmarks(points=points, presence=presence, roi=roi)
