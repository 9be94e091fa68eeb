"""Your own lesion detector in place of skincore's: the lesion head interface.

skincore's acne, mole and brown-spot concerns read one shared lesion detection
(:func:`skincore.concerns.colour_lesions.face_lesions`, rules on the chromophore
maps). A clinic or an app with a detector of its own, trained on its own
photos, plugs it in as a **lesion head**: the face finding, the quality checks,
the skin mask, the counting, the grading and every dialect stay skincore's, and
only the detections are the head's.

>>> import skincore                                                  # doctest: +SKIP
>>> from skincore.heads import OnnxLesionHead                        # doctest: +SKIP
>>> head = OnnxLesionHead("acne_yolov8.onnx", classes=("papule", "pustule", None),
...                       output="yolov8", input_size=640)           # doctest: +SKIP
>>> an = skincore.Analyzer(lesion_head=head)                         # doctest: +SKIP
>>> an.analyze("face.jpg").faces[0].concerns["acne"].counts          # doctest: +SKIP

A head is any object with ``name`` (a string, reported in
``Analysis.meta.heads``) and ``detect(work) -> list[HeadDetection]`` (``work``:
the face's :class:`skincore.concerns.work.FaceWork`; its photo ``work.rgb``, its
landmarks, ``work.crop`` and ``work.session(path)``, the analyser's ONNX Runtime
session of a model file). :class:`OnnxLesionHead` runs an ONNX detector with the
analyser's provider and thread budget and decodes the usual export layouts.

What skincore does with the detections (:func:`head_lesions`): a detection is
kept when its class maps to a lesion kind and its box centre lies on the face's
measured skin (the segmented skin of the face region without the eyes, brows,
lips, nostrils, hair and beard: the built-in detection's rule, so that a
detector's boxes on an eyebrow or a nostril are not counted). Its outline is the
ellipse inscribed in the box, its area that ellipse's in mm² (iris scale), its
confidence the head's score. ``Lesion.contrast`` is empty: skincore does not
measure what it did not detect.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from skincore import geometry
from skincore.analysis import Lesion, Rect
from skincore.boxes import nms
from skincore.concerns.lesion_rules import KINDS
from skincore.errors import SkinError
from skincore.face.skinmask import to_grid

__all__ = [
    "MAX_CANDIDATES",
    "MAX_DETECTIONS",
    "OUTPUTS",
    "HeadDetection",
    "LesionHead",
    "OnnxLesionHead",
    "head_lesions",
    "nms",
]

#: Output layouts :class:`OnnxLesionHead` decodes (see its ``output``).
OUTPUTS = ("detections", "yolov8", "yolov5")

#: Candidates of a YOLO layout above ``min_confidence`` that go to the
#: suppression, best first (the rest are dropped: bounded time on any output).
MAX_CANDIDATES = 30000
#: Detections a head reports at most, best first (the usual export's limit).
MAX_DETECTIONS = 300

#: Vertices of the ellipse a head lesion's outline is drawn with.
_ELLIPSE_POINTS = 24


@dataclass(frozen=True)
class HeadDetection:
    """One detection of a lesion head, in image pixels.

    Attributes
    ----------
    kind : str
        A lesion kind (:data:`skincore.concerns.lesion_rules.KINDS`: ``papule``,
        ``pustule``, ``nodule``, ``closed_comedone``, ``acne_mark``, ``mole``,
        ``spot``).
    box : tuple of float
        ``(x0, y0, x1, y1)`` in image pixels, ``x1 > x0``, ``y1 > y0``.
    confidence : float
        The head's score, in [0, 1].
    """

    kind: str
    box: tuple[float, float, float, float]
    confidence: float


@runtime_checkable
class LesionHead(Protocol):
    """What :attr:`skincore.AnalyzerOptions.lesion_head` accepts."""

    @property
    def name(self) -> str:
        """What the head is, for ``Analysis.meta.heads`` (e.g. the model file and hash)."""
        ...

    def detect(self, work: Any) -> list[HeadDetection]:
        """Detect the lesions of one face (``work``: its ``FaceWork``)."""
        ...


def _invalid(message: str) -> SkinError:
    return SkinError("invalid_argument", f"lesion_head: {message}", argument="lesion_head")


@dataclass(frozen=True)
class OnnxLesionHead:
    """An ONNX lesion detector run on the face crop (or the whole photo).

    Parameters
    ----------
    model : str or os.PathLike
        The ``.onnx`` file. One image input (float32); its size is ``input_size``.
    classes : sequence of str or None
        The lesion kind of each class index of the model, ``None`` for a class
        skincore should not count (e.g. a "face" or "scar" class). Kinds:
        ``papule``, ``pustule``, ``nodule``, ``closed_comedone``, ``acne_mark``,
        ``mole``, ``spot``.
    output : {"detections", "yolov8", "yolov5"}
        How the model's first output is laid out:

        * ``"detections"``: ``(N, 6)`` or ``(1, N, 6)`` rows ``x0, y0, x1, y1,
          score, class`` in input pixels, after the model's own non-maximum
          suppression (the usual "end-to-end" export);
        * ``"yolov8"``: ``(1, 4 + C, N)``: ``cx, cy, w, h`` in input pixels then
          one score per class (Ultralytics YOLOv8/v11 export);
        * ``"yolov5"``: ``(1, N, 5 + C)``: ``cx, cy, w, h``, objectness, then
          class scores (their product is the score).

        For the two YOLO layouts skincore takes each candidate's best class and
        suppresses overlaps per class (``nms_iou``).
    input_size : int or tuple of int
        The model's input ``(width, height)`` (an int: square); held as the
        ``(width, height)`` tuple.
    layout : {"nchw", "nhwc"}
        The input tensor's layout (batch of one, RGB).
    scale, mean, std : float, tuple of float
        Input normalisation: ``(pixel * scale - mean) / std`` per RGB channel
        (default: pixels in [0, 1]).
    region : {"face", "photo"}
        What the model sees: the face crop (the crop skincore measures the
        face in, forehead to chin, letterboxed to the input), or the whole photo
        letterboxed (for models trained on whole photos).
    pad_value : int
        Grey level of the letterbox padding (114: the YOLO convention).
    min_confidence : float
        Detections scored under this are dropped.
    nms_iou : float
        Overlap (intersection over union) above which the YOLO layouts' lower
        scored box of a class is suppressed.
    """

    model: str | os.PathLike[str]
    classes: Sequence[str | None]
    output: str = "detections"
    input_size: Any = 640
    layout: str = "nchw"
    scale: float = 1.0 / 255.0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    region: str = "face"
    pad_value: int = 114
    min_confidence: float = 0.25
    nms_iou: float = 0.45
    _digest: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        path = Path(self.model).expanduser().resolve()
        if not path.is_file():
            raise _invalid(f"model: no such file: {self.model}")
        object.__setattr__(self, "model", str(path))
        # the file as it was when the head was made (the name reports it)
        object.__setattr__(self, "_digest", hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        classes = tuple(self.classes) if not isinstance(self.classes, str) else ()
        if not classes:
            raise _invalid("classes: expected a non-empty sequence of lesion kinds or None")
        for c in classes:
            if c is not None and c not in KINDS:
                raise _invalid(f"classes: unknown lesion kind {c!r}; expected one of {KINDS}")
        object.__setattr__(self, "classes", classes)
        if self.output not in OUTPUTS:
            raise _invalid(f"output: expected one of {OUTPUTS}, got {self.output!r}")
        given: Any = self.input_size
        size = (given, given) if isinstance(given, int) else tuple(given)
        if len(size) != 2 or not all(isinstance(s, int) and 8 <= s <= 4096 for s in size):
            raise _invalid(
                "input_size: expected an int or (width, height) in 8..4096, "
                f"got {self.input_size!r}"
            )
        object.__setattr__(self, "input_size", size)
        if self.layout not in ("nchw", "nhwc"):
            raise _invalid(f"layout: expected 'nchw' or 'nhwc', got {self.layout!r}")
        if self.region not in ("face", "photo"):
            raise _invalid(f"region: expected 'face' or 'photo', got {self.region!r}")
        for name in ("mean", "std"):
            v = tuple(float(x) for x in getattr(self, name))
            if len(v) != 3 or not all(math.isfinite(x) for x in v):
                raise _invalid(
                    f"{name}: expected three finite numbers, got {getattr(self, name)!r}"
                )
            if name == "std" and min(v) <= 0:
                raise _invalid(f"std: expected positive numbers, got {v!r}")
            object.__setattr__(self, name, v)
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise _invalid(f"scale: expected a positive number, got {self.scale!r}")
        if not (isinstance(self.pad_value, int) and 0 <= self.pad_value <= 255):
            raise _invalid(f"pad_value: expected an int in 0..255, got {self.pad_value!r}")
        for name in ("min_confidence", "nms_iou"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and 0.0 <= v <= 1.0):
                raise _invalid(f"{name}: expected a number in [0, 1], got {v!r}")

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> OnnxLesionHead:
        """Read a head from a JSON file of its parameters (``model`` relative to the file).

        Used by the command line's ``--lesion-head``. Example::

            {"model": "acne.onnx", "classes": ["papule", "pustule", null],
             "output": "yolov8", "input_size": 640}
        """
        p = Path(path)
        try:
            spec = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _invalid(f"cannot read {path}: {exc}") from None
        if not isinstance(spec, Mapping):
            raise _invalid(f"{path}: expected a JSON object")
        known = {f.name for f in fields(cls) if f.init}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise _invalid(f"{path}: unknown keys {unknown}; expected some of {sorted(known)}")
        if "model" not in spec or "classes" not in spec:
            raise _invalid(f"{path}: 'model' and 'classes' are required")
        args = dict(spec)
        args["model"] = str(p.parent / str(args["model"]))
        for key in ("input_size", "mean", "std"):
            if isinstance(args.get(key), list):
                args[key] = tuple(args[key])
        try:
            return cls(**args)
        except TypeError as exc:
            raise _invalid(f"{path}: {exc}") from None

    @property
    def name(self) -> str:
        """``OnnxLesionHead(<file name>, sha256 <first 12 hex digits>)``."""
        return f"OnnxLesionHead({Path(self.model).name}, sha256 {self._digest})"

    def check_model(self, session: Any) -> None:
        """Load the model now and check its input against ``input_size`` and ``layout``.

        ``session(path)`` returns an ONNX Runtime session of a model file (the
        analyser's). A file that is no ONNX model, or an input the head's size and
        layout do not give, is ``invalid_argument`` naming ``lesion_head`` when the
        analyser is made, not a failure of every photo.
        """
        try:
            inputs = session(Path(str(self.model))).get_inputs()
        except SkinError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime's own errors: say which file
            raise _invalid(f"cannot load {self.model}: {exc}") from None
        shape = list(inputs[0].shape) if len(inputs) == 1 else None
        if shape is None or len(shape) != 4:
            raise _invalid(f"expected one 4-d image input, got {[i.shape for i in inputs]}")
        w, h = self.input_size
        want = [1, 3, h, w] if self.layout == "nchw" else [1, h, w, 3]
        if any(isinstance(a, int) and a != b for a, b in zip(shape, want, strict=True)):
            raise _invalid(
                f"the model's input is {shape}, the head's {self.layout} "
                f"input_size {w}x{h} gives {want}"
            )

    def letterbox(self, work: Any) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
        """Return the model's input tensor, and where it lies in the photo.

        Returns ``(tensor, origin, scale)``: a point ``(u, v)`` of the input (in
        continuous pixel coordinates, as box corners are: pixel ``i`` spans
        ``[i, i + 1)``) lies at ``(u / scale[0] + origin[0], v / scale[1] +
        origin[1])`` in the photo; the padding is in the origin.
        """
        h, w = work.rgb.shape[:2]
        x0, y0, x1, y1 = (0, 0, w, h) if self.region == "photo" else work.crop
        src = work.rgb[y0:y1, x0:x1]
        iw, ih = self.input_size
        s = min(iw / src.shape[1], ih / src.shape[0])
        rw, rh = max(1, round(src.shape[1] * s)), max(1, round(src.shape[0] * s))
        method = "area" if s < 1.0 else "bilinear"
        small = geometry.resize(
            np.ascontiguousarray(src), (rw, rh), method=method, threads=work.threads
        )
        canvas = np.full((ih, iw, 3), self.pad_value, np.uint8)
        px, py = (iw - rw) // 2, (ih - rh) // 2
        canvas[py : py + rh, px : px + rw] = small
        x = (
            canvas.astype(np.float32) * np.float32(self.scale) - np.asarray(self.mean, np.float32)
        ) / np.asarray(self.std, np.float32)
        x = x.transpose(2, 0, 1)[None] if self.layout == "nchw" else x[None]
        sx, sy = rw / src.shape[1], rh / src.shape[0]  # the exact scales of the resized crop
        origin = (x0 - px / sx, y0 - py / sy)
        return np.ascontiguousarray(x, np.float32), origin, (sx, sy)

    def detect(self, work: Any) -> list[HeadDetection]:
        """Run the model on the face and decode its detections (photo pixels)."""
        from skincore.runtime import run_session

        x, origin, s = self.letterbox(work)
        sess = work.session(Path(str(self.model)))
        name = sess.get_inputs()[0].name
        try:
            raw = run_session(sess, None, {name: x})[0]
        except SkinError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's model: say which and why
            raise _invalid(f"the model failed on a {x.shape} input: {exc}") from None
        boxes, scores, cls = self._decode(np.asarray(raw))
        out = []
        for (bx0, by0, bx1, by1), score, c in zip(boxes, scores, cls, strict=True):
            kind = self.classes[c] if 0 <= c < len(self.classes) else None
            if kind is None or score < self.min_confidence or not (bx1 > bx0 and by1 > by0):
                continue
            box = (
                float(bx0 / s[0] + origin[0]),
                float(by0 / s[1] + origin[1]),
                float(bx1 / s[0] + origin[0]),
                float(by1 / s[1] + origin[1]),
            )
            out.append(HeadDetection(kind, box, float(min(1.0, score))))
        return out

    def _decode(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(boxes (N, 4) x0 y0 x1 y1 in input pixels, scores (N,), classes (N,) int)``."""
        raw = raw.astype(np.float64, copy=False)
        if not np.isfinite(raw).all():
            raise _invalid("the model's output holds NaN or infinite values")
        if self.output == "detections":
            if raw.ndim == 3 and raw.shape[0] == 1:
                raw = raw[0]
            if raw.ndim != 2 or raw.shape[1] != 6:
                raise _invalid(
                    f"output 'detections': expected (N, 6) or (1, N, 6), got {raw.shape}"
                )
            top = np.argsort(-raw[:, 4], kind="stable")[:MAX_DETECTIONS]
            return raw[top, :4], raw[top, 4], np.rint(raw[top, 5]).astype(np.int64)
        n_cls = len(self.classes)
        if self.output == "yolov8":
            if raw.ndim != 3 or raw.shape[0] != 1 or raw.shape[1] != 4 + n_cls:
                raise _invalid(
                    f"output 'yolov8': expected (1, {4 + n_cls}, N) for {n_cls} classes, "
                    f"got {raw.shape}"
                )
            rows = raw[0].T
            cls_scores = rows[:, 4:]
        else:
            if raw.ndim != 3 or raw.shape[0] != 1 or raw.shape[2] != 5 + n_cls:
                raise _invalid(
                    f"output 'yolov5': expected (1, N, {5 + n_cls}) for {n_cls} classes, "
                    f"got {raw.shape}"
                )
            rows = raw[0]
            cls_scores = rows[:, 5:] * rows[:, 4:5]
        cls = np.argmax(cls_scores, axis=1) if len(rows) else np.zeros(0, np.int64)
        scores = cls_scores[np.arange(len(rows)), cls] if len(rows) else np.zeros(0)
        cx, cy, bw, bh = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1).reshape(
            -1, 4
        )
        keep = np.flatnonzero(scores >= self.min_confidence)
        if keep.size > MAX_CANDIDATES:  # the best ones: bounded time on any output
            keep = keep[np.argsort(-scores[keep], kind="stable")[:MAX_CANDIDATES]]
        boxes, scores, cls = boxes[keep], scores[keep], cls[keep]
        sel = nms(boxes, scores, cls, self.nms_iou, max_keep=MAX_DETECTIONS)
        return boxes[sel], scores[sel], cls[sel]


def _ellipse(box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    t = np.linspace(0.0, 2.0 * np.pi, _ELLIPSE_POINTS, endpoint=False)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1).astype(np.float32)


def head_lesions(work: Any, head: LesionHead) -> list[Lesion]:
    """Return the head's detections on the face's skin as lesions, most confident first.

    See the module docstring for what is kept and how each lesion is measured.
    """
    found = head.detect(work)
    if not isinstance(found, list) or not all(isinstance(d, HeadDetection) for d in found):
        raise _invalid("detect() must return a list of skincore.heads.HeadDetection")
    skin = work.colour.masks["face"]
    h, w = skin.shape
    ppm = work.px_per_mm
    out = []
    for d in found:
        if d.kind not in KINDS:
            raise _invalid(f"detection kind {d.kind!r} is not one of {KINDS}")
        x0, y0, x1, y1 = (float(v) for v in d.box)
        if (
            not all(math.isfinite(v) for v in (x0, y0, x1, y1, d.confidence))
            or x1 <= x0
            or y1 <= y0
        ):
            raise _invalid(
                f"detection box {d.box} / confidence {d.confidence}: "
                "expected finite values, x1 > x0 and y1 > y0"
            )
        # the centre (continuous coordinates) as a pixel position, on the colour grid
        centre = np.array([[(x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5]])
        gx, gy = to_grid(centre, work.crop[:2], work.colour_scale)[0]
        col, row = int(round(float(gx))), int(round(float(gy)))
        if not (0 <= row < h and 0 <= col < w and skin[row, col]):
            continue
        out.append(
            Lesion(
                kind=d.kind,
                rect=Rect(x0, y0, x1 - x0, y1 - y0),
                polygon=_ellipse((x0, y0, x1, y1)),
                area_mm2=float(np.pi / 4 * (x1 - x0) * (y1 - y0) / ppm**2),
                confidence=float(min(1.0, max(0.0, d.confidence))),
                contrast={},
            )
        )
    out.sort(key=lambda les: -les.confidence)
    return out
