"""Face geometry: detection, 478 dense landmarks and head pose (ONNX models)."""

from __future__ import annotations

from skincore.face.detector import KEYPOINT_NAMES, FaceBox, detect_faces
from skincore.face.landmarks import FaceLandmarks, fit_landmarks
from skincore.face.pose import head_pose

__all__ = [
    "KEYPOINT_NAMES",
    "FaceBox",
    "FaceLandmarks",
    "detect_faces",
    "fit_landmarks",
    "head_pose",
]
