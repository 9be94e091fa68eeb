"""The face detector's second opinion on a landmark mesh.

The landmark model fits a mesh to whatever crop it is given, and its own
face-presence probability stays high on a cheek close-up or a profile where the
mesh puts eyes on the cheek and the mouth on an ear (ACNE04 close-ups: 0.998).
The face detector is an independent model: run on the crop the mesh itself
defines (:func:`skincore.face.landmarks.roi_from_points`: centred on the mesh,
turned upright by its eye line, scaled to its outline), it sees a face there
only if the mesh lies on one. :func:`face_confirmation` returns its highest
score in that crop. The face finder uses it to choose the orientation of the
landmark crop (:func:`skincore.face.finder.upright_landmarks`: a face upside down
can hold a confident mesh fitted the wrong way up, which the detector does not
confirm) and :class:`skincore.limits.Limits` ``min_face_confirmation`` sets the
least score ``analyze()`` accepts.

Measured (``PYTHONPATH=python python benchmarks/eval_face_confirmation.py``):
real faces score 0.72 and more, median 0.91 (1,326 UTKFace faces of every skin
tone and age that analyze() accepts; 49 dark-circle and test photos, lowest 0.79;
the same photos upside down, 42 found and all fitted the right way up, lowest
0.76; ACNE04 photos with the mesh on the face, eyes closed and three-quarter
views included, lowest 0.70). Meshes forced onto ACNE04 close-ups and profiles
score 0.44-0.74: five of the seven found are under :data:`CONFIRMED`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from skincore.face._warp import Roi
from skincore.face.detector import detect_in_tensor, input_tensor

#: Anchors below this probability are not decoded (they cannot decide anything).
FLOOR = 0.05

#: The least score ``analyze()`` accepts by default (``Limits().min_face_confirmation``).
CONFIRMED = 0.65

#: Below this score the finder also fits the face's other orientations and keeps the
#: best-confirmed mesh: a mesh fitted the wrong way up on an upside-down face scores
#: 0.6-0.7 (the detector half sees the face), the right way up 0.9 or more; real
#: faces fitted the right way up score under it on about 2 % of UTKFace faces.
SURE = 0.8


def face_confirmation(
    rgb: Image.Image | np.ndarray, roi: Roi, *, session: Any = None, threads: int = 0
) -> float:
    """Return the face detector's highest score in the crop of a landmark mesh.

    Parameters
    ----------
    rgb : numpy.ndarray or PIL.Image.Image
        ``(H, W, 3)`` uint8 photo.
    roi : Roi
        The crop the mesh defines: :func:`skincore.face.landmarks.roi_from_points`
        of its points.
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.FACE_DETECTOR` (an analyser's own);
        else the cached one.
    threads : int, default 0
        ONNX Runtime intra-op threads when ``session`` is not given, and the
        crop's kernel threads (0 = the whole pool).

    Returns
    -------
    float
        Probability in [0, 1]; 0 when no anchor reaches :data:`FLOOR`.
    """
    tensor = input_tensor(rgb, roi, threads=threads)
    _, _, scores = detect_in_tensor(tensor, roi, min_score=FLOOR, session=session, threads=threads)
    return float(scores.max()) if len(scores) else 0.0
