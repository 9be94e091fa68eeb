"""Benchmark a lesion head's own work (skincore.heads) against OpenCV.

What skincore adds around a caller's detector: the letterboxed input tensor
(:meth:`OnnxLesionHead.letterbox`: crop, area resize, grey padding,
normalisation, NCHW) against the same steps in OpenCV (``cv2.resize`` INTER_AREA,
``cv2.copyMakeBorder``, float arithmetic, transpose). The suppression of a YOLO
output (:func:`skincore.boxes.nms`) is measured in ``bench_boxes.py``. The
model's own run time is the caller's and not measured here.

Run: ``PYTHONPATH=python python benchmarks/bench_heads.py``. Medians on a possibly
shared machine; ratio = peer / skincore (> 1: skincore faster).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import skincore  # noqa: E402
from _timing import Row, median_ms, print_table, sample_portrait  # noqa: E402
from skincore.concerns.work import FaceWork  # noqa: E402
from skincore.heads import OnnxLesionHead  # noqa: E402


def _model(path: Path, size: int) -> Path:
    """An empty ``detections`` model of the given square input (the head needs a file)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])
    y = helper.make_tensor_value_info("out", TensorProto.FLOAT, [0, 6])
    node = helper.make_node(
        "Constant", [], ["out"], value=numpy_helper.from_array(np.zeros((0, 6), np.float32))
    )
    model = helper.make_model(
        helper.make_graph([node], "g", [x], [y]), opset_imports=[helper.make_opsetid("", 13)]
    )
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def cv_letterbox(rgb: np.ndarray, crop: tuple[int, int, int, int], size: int) -> np.ndarray:
    """The same input tensor from OpenCV."""
    x0, y0, x1, y1 = crop
    src = rgb[y0:y1, x0:x1]
    s = min(size / src.shape[1], size / src.shape[0])
    rw, rh = round(src.shape[1] * s), round(src.shape[0] * s)
    small = cv2.resize(src, (rw, rh), interpolation=cv2.INTER_AREA)
    px, py = (size - rw) // 2, (size - rh) // 2
    canvas = cv2.copyMakeBorder(
        small, py, size - rh - py, px, size - rw - px, cv2.BORDER_CONSTANT, value=(114, 114, 114)
    )
    x = canvas.astype(np.float32) * np.float32(1 / 255)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def main() -> None:
    skincore.set_num_threads(1)
    cv2.setNumThreads(1)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, (w, h) in (("1080p", (1080, 1920)), ("12 MP", (3024, 4032))):
            rgb = sample_portrait(w, h)
            lm = skincore.Analyzer(threads=1, concerns=("tone",)).analyze(rgb).faces[0]
            work = FaceWork(rgb, np.asarray(lm.geometry.landmarks), threads=1)
            for size in (320, 640):
                head = OnnxLesionHead(
                    _model(Path(tmp) / f"m{size}.onnx", size), classes=("papule",)
                )
                head = OnnxLesionHead(head.model, classes=("papule",), input_size=size)
                ours = median_ms(lambda head=head, work=work: head.letterbox(work), repeat=15)
                crop = work.crop
                peer = median_ms(
                    lambda rgb=rgb, crop=crop, size=size: cv_letterbox(rgb, crop, size), repeat=15
                )
                a = head.letterbox(work)[0]
                b = cv_letterbox(rgb, crop, size)
                diff = float(np.abs(a - b).max()) * 255
                rows.append(
                    Row(
                        f"letterbox {label} face -> {size} (max diff {diff:.0f}/255)",
                        ours,
                        "cv2",
                        peer,
                    )
                )
    print_table("OnnxLesionHead.letterbox vs OpenCV, 1 thread", rows)


if __name__ == "__main__":
    main()
