"""Face geometry: detection, 478 dense landmarks and head pose (ONNX models).

:func:`find_faces` is what the analysis calls: detection over a tile pyramid,
upright landmarks, refusal of non-faces, largest face first.
"""

from __future__ import annotations

from skincore.face.detector import KEYPOINT_NAMES, FaceBox, detect_faces
from skincore.face.finder import find_faces
from skincore.face.landmarks import FaceLandmarks, fit_landmarks
from skincore.face.pose import head_pose

__all__ = [
    "KEYPOINT_NAMES",
    "FaceBox",
    "FaceLandmarks",
    "detect_faces",
    "find_faces",
    "fit_landmarks",
    "head_pose",
]
