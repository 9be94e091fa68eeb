#!/usr/bin/env python
"""Convert MediaPipe's hair segmentation model (TFLite with custom ops) to ONNX.

Used to compare it with the shipped skin/clothes/hair PAN (see the README); it is not
shipped. The source is ``hair_segmentation.tflite`` (Apache-2.0, MediaPipe; sha256
d2c940c4...e77633, the file of Google's mediapipe-assets). Its graph is an ENet-style
network of CONV_2D, DEPTHWISE_CONV_2D, PRELU, ADD and CONCATENATION (handled by
``tools/convert_mediapipe.py``) plus three MediaPipe custom ops added here:

``MaxPoolingWithArgmax2D``
    custom options = TfLitePoolParams (padding, stride w/h, filter w/h, ...) as raw
    int32; mapped to ONNX ``MaxPool`` with its second output (indices).
``MaxUnpooling2D``
    same options; mapped to ONNX ``MaxUnpool`` fed by those indices (ONNX's flat
    NCHW indices are used consistently on both sides, so their encoding need not
    match TFLite's).
``Convolution2DTransposeBias``
    custom options = TfLiteTransposeConvParams (padding, stride w/h); inputs x,
    weights (O, kh, kw, I), bias; mapped to ONNX ``ConvTranspose`` with weights
    (I, O, kh, kw) and, for SAME padding, the forward convolution's SAME pads
    (begin = total // 2) removed from the output.

The TFLite runtime cannot run the custom ops, so the conversion is checked by its
outputs on real photos (masks drawn and looked at), not against TFLite numbers.

Usage::

    python tools/convert_mediapipe_hair.py hair_segmentation.tflite OUT.onnx [--size 256]

``--size`` rewrites the (fully convolutional) graph's input to SIZE x SIZE.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import onnx
import tflite

SOURCE_SHA256 = "d2c940c4fd80edeaf38f5d7387d1b4235ee320ed120080df67c663e749e77633"

_spec = importlib.util.spec_from_file_location(
    "convert_mediapipe", Path(__file__).with_name("convert_mediapipe.py")
)
_cm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cm)


class _HairConverter(_cm._Converter):
    """The face-model converter plus the three MediaPipe custom ops."""

    def __init__(self, buf: bytes, graph_name: str) -> None:
        super().__init__(buf, graph_name)
        self._custom: dict[int, tuple[str, np.ndarray]] = {}
        for i in range(self.sg.OperatorsLength()):
            op = self.sg.Operators(i)
            oc = self.model.OperatorCodes(op.OpcodeIndex())
            if oc.CustomCode():
                opts = np.frombuffer(op.CustomOptionsAsNumpy().tobytes(), np.int32)
                self._custom[int(op.OutputsAsNumpy()[0])] = (oc.CustomCode().decode(), opts)

    def _op_custom(self, ins, outs, opts):
        code, params = self._custom[outs[0]]
        if code == "MaxPoolingWithArgmax2D":
            padding, sw, sh, fw, fh = (int(v) for v in params[:5])
            if padding == 1:  # SAME
                pads = self._same_pads(self._shape(ins[0])[1:3], (fh, fw), (sh, sw), (1, 1))
            else:
                pads = [0, 0, 0, 0]
            y, idx = self._fresh("maxpool"), self._fresh("argmax")
            self.nodes.append(
                onnx.helper.make_node(
                    "MaxPool",
                    [self._value(ins[0])],
                    [y, idx],
                    name=y,
                    kernel_shape=[fh, fw],
                    strides=[sh, sw],
                    pads=pads,
                )
            )
            self._set(outs[0], y, True)
            self._set(outs[1], idx, True)
        elif code == "MaxUnpooling2D":
            _, sw, sh, fw, fh = (int(v) for v in params[:5])
            shape = self._init("unpool_shape", np.array(self._nchw_shape(outs[0]), np.int64))
            y = self._node(
                "MaxUnpool",
                [self._value(ins[0]), self._value(ins[1]), shape],
                "unpool",
                kernel_shape=[fh, fw],
                strides=[sh, sw],
            )
            self._set(outs[0], y, True)
        elif code == "Convolution2DTransposeBias":
            padding, sw, sh = (int(v) for v in params[:3])
            w = self._const(ins[1]).astype(np.float32)  # (O, kh, kw, I)
            b = self._const(ins[2]).astype(np.float32)
            kh, kw = w.shape[1:3]
            out_hw = self._shape(outs[0])[1:3]
            if padding == 1:
                pads = self._same_pads(out_hw, (kh, kw), (sh, sw), (1, 1))
            else:
                pads = [0, 0, 0, 0]
            y = self._node(
                "ConvTranspose",
                [
                    self._value(ins[0]),
                    self._init("Wt", w.transpose(3, 0, 1, 2)),
                    self._init("Bt", b),
                ],
                "deconv",
                kernel_shape=[int(kh), int(kw)],
                strides=[sh, sw],
                pads=pads,
            )
            self._set(outs[0], y, True)
        else:
            raise NotImplementedError(f"custom op {code}")

    def _nchw_shape(self, t: int) -> list[int]:
        n, h, w, c = self._shape(t)
        return [n, c, h, w]


def convert(src: Path, out: Path, size: int | None) -> None:
    """Convert ``src`` (TFLite) to ``out`` (ONNX), optionally at another input size."""
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{src}: sha256 {digest} is not the expected {SOURCE_SHA256}")
    assert tflite  # the flatbuffer reader the base converter uses
    model = _HairConverter(data, "hair_segmentation").convert()
    if size:
        g = model.graph
        for v in list(g.input) + list(g.output):
            dims = v.type.tensor_type.shape.dim
            dims[1].dim_value = size
            dims[2].dim_value = size
        for node in g.node:  # the unpool output shapes are constants: scale them
            if node.op_type == "MaxUnpool":
                name = node.input[2]
                for t in g.initializer:
                    if t.name == name:
                        v = onnx.numpy_helper.to_array(t).copy()
                        v[2:] = v[2:] * size // 512
                        t.CopyFrom(onnx.numpy_helper.from_array(v, name))
        onnx.checker.check_model(model)
    out.write_bytes(model.SerializeToString(deterministic=True))
    print(f"{out}: sha256 {hashlib.sha256(out.read_bytes()).hexdigest()}")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", type=int, default=None)
    args = ap.parse_args()
    convert(args.src, args.out, args.size)


if __name__ == "__main__":
    main()
