"""Rewrite the 256-px segmentation graph into operators ONNX Runtime's CPU layout keeps.

``tools/export_face_segmentation.py`` writes the PAN (MobileNetV3-small encoder) as
PyTorch exported it. ONNX Runtime (``ORT_ENABLE_ALL``) runs its convolutions in the
blocked NCHWc layout, but three kinds of node are not supported there, so each one
converts its input out of the layout and its output back (``ReorderOutput`` /
``ReorderInput``, a full pass over the tensor each):

1. Hard-swish, exported as ``Mul(y, Div(Clip(Add(y, 3), 0, 6), 6))`` (18 of them,
   after most convolutions of the encoder): four element-wise passes outside the
   layout. It becomes ``Mul(y, HardSigmoid(DW(1, y)))`` with ``alpha = 1/6``,
   ``beta = 1/2`` (``HardSigmoid(v) = max(0, min(1, v / 6 + 1/2))``, the same
   function), where ``DW(1, .)`` is a 1x1 depthwise ``Conv`` with weight 1 and no
   bias (the identity): ORT fuses the ``HardSigmoid`` into that convolution and runs
   it and the same-shape ``Mul`` in the blocked layout. Equal in real arithmetic; in
   float ``v * (1/6) + 1/2`` and ``(v + 3) / 6`` differ by rounding (an ulp of the
   gate).
2. The squeeze-excitation means, ``ReduceMean(axes=[2, 3], keepdims=1)`` (9), become
   ``GlobalAveragePool`` (the same mean; ORT has a blocked one).
3. The last ``Resize`` (64 -> 256 px, 3 channels, by constant scales) and the
   ``Sigmoid`` after it: ORT runs them in the blocked layout too, on 16 channels of
   which 13 are padding (5x the work, at 256x256). A ``Reshape`` of the ``Resize``
   input to its own shape (ORT has no blocked ``Reshape``) ends the blocked layout
   before them: they run on the 3 real channels, the same operations on the same
   values.

Weights are copied; the only new constants are the identity weights (ones) and the
``Reshape`` target shape.

Usage::

    python tools/optimize_face_segmentation.py SRC.onnx OUT.onnx

``SRC.onnx`` is ``face_segmentation.onnx`` as ``tools/export_face_segmentation.py``
writes it at ``--size 256`` (sha256 806a2f1a...31556, checked); ``OUT.onnx`` may be the
same path. The output is deterministic.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnx_rewrite import GraphIndex, replace_graph
from onnx_rewrite import main as run_tool

SOURCE_SHA256 = "806a2f1aa656ff1a473ce8595e41ac329d0849797343ea8e4c82ee155bf31556"
BLOCK = 16  # ORT's widest NCHWc block (AVX-512); a multiple of 16 is also one of 8


def _attrs(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


class _Graph(GraphIndex):
    """:class:`GraphIndex` with the lookups the PAN rewrite's matchers use."""

    def const(self, name: str) -> np.ndarray | None:
        return self.inits.get(name)

    def scalar_is(self, name: str, value: float) -> bool:
        c = self.const(name)
        return c is not None and c.size == 1 and float(c.reshape(-1)[0]) == value

    def only_user(self, name: str, op: str) -> onnx.NodeProto | None:
        us = self.users.get(name, [])
        if len(us) == 1 and us[0].op_type == op:
            return us[0]
        return None

    def channels(self, name: str) -> int:
        d = self.dims.get(name, [])
        if len(d) != 4 or d[1] <= 0:
            raise SystemExit(f"{name}: no static channel count in the inferred shapes")
        return d[1]


def _hard_swish(g: _Graph, add: onnx.NodeProto) -> tuple[str, list[onnx.NodeProto]] | None:
    """Match ``Mul(y, Div(Clip(Add(y, 3), 0, 6), 6))`` at its ``Add``; return (y, nodes)."""
    if add.op_type != "Add" or not g.scalar_is(add.input[1], 3.0):
        return None
    y = add.input[0]
    clip = g.only_user(add.output[0], "Clip")
    if clip is None or len(clip.input) != 3:
        return None
    if not (g.scalar_is(clip.input[1], 0.0) and g.scalar_is(clip.input[2], 6.0)):
        return None
    div = g.only_user(clip.output[0], "Div")
    if div is None or div.input[0] != clip.output[0] or not g.scalar_is(div.input[1], 6.0):
        return None
    mul = g.only_user(div.output[0], "Mul")
    if mul is None or sorted(mul.input) != sorted([y, div.output[0]]):
        return None
    return y, [add, clip, div, mul]


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    """Return ``model`` with hard-swish, the SE means and the last resize rewritten.

    Parameters
    ----------
    model : onnx.ModelProto
        The 256-px PAN graph (opset 13) of ``tools/export_face_segmentation.py``.

    Returns
    -------
    onnx.ModelProto
        A new model computing the same function (see the module docstring).
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    g = _Graph(model)
    replaced: dict[str, list[onnx.NodeProto]] = {}  # first node's output -> new nodes
    dropped: set[str] = set()
    new_inits: list[onnx.TensorProto] = []

    for n in graph.node:
        match = _hard_swish(g, n)
        if match is not None:
            y, nodes = match
            out = nodes[-1].output[0]
            c = g.channels(y)
            ones = numpy_helper.from_array(np.ones((c, 1, 1, 1), np.float32), out + "_one")
            new_inits.append(ones)
            replaced[n.output[0]] = [
                helper.make_node(
                    "Conv", [y, ones.name], [out + "_id"], group=c, kernel_shape=[1, 1]
                ),
                helper.make_node(
                    "HardSigmoid", [out + "_id"], [out + "_gate"], alpha=1.0 / 6.0, beta=0.5
                ),
                helper.make_node("Mul", [y, out + "_gate"], [out]),
            ]
            dropped |= {m.output[0] for m in nodes[1:]}
        elif (
            n.op_type == "ReduceMean"
            and sorted(_attrs(n).get("axes", [])) == [2, 3]  # type: ignore[call-overload]
            and _attrs(n).get("keepdims", 1) == 1
            and len(n.input) == 1
        ):
            replaced[n.output[0]] = [
                helper.make_node("GlobalAveragePool", [n.input[0]], [n.output[0]])
            ]
        elif n.op_type == "Resize" and len(n.input) == 3 and g.const(n.input[2]) is not None:
            scales = g.const(n.input[2])
            assert scales is not None
            # the batch is 1 (the graph's input is 1x3xSxS); shape inference leaves it
            # unknown after the decoder's Shape -> Slice -> Concat size computations
            dims = [1, *g.dims.get(n.input[0], [])[1:]]
            if len(dims) != 4 or min(dims) <= 0 or dims[1] % BLOCK == 0 or scales[0] != 1:
                continue
            shape = numpy_helper.from_array(np.array(dims, np.int64), n.output[0] + "_shape")
            new_inits.append(shape)
            flat = n.output[0] + "_plain"
            replaced[n.output[0]] = [
                helper.make_node("Reshape", [n.input[0], shape.name], [flat]),
                helper.make_node("Resize", [flat, *n.input[1:]], [n.output[0]], **_attrs(n)),
            ]

    out: list[onnx.NodeProto] = []
    for n in graph.node:
        key = n.output[0]
        if key in replaced:
            out += replaced[key]
        elif key not in dropped:
            out.append(n)
    return replace_graph(model, out, new_inits)


def _check(model: onnx.ModelProto) -> None:
    ops = [n.op_type for n in model.graph.node]
    left = [op for op in ("Clip", "Div", "ReduceMean") if op in ops]
    if left or ops.count("HardSigmoid") != 27 or ops.count("Reshape") != 1:
        raise SystemExit(f"unexpected graph: {left} left, {ops.count('HardSigmoid')} HardSigmoid")


def main() -> None:
    """Command-line entry point."""
    run_tool(
        __doc__,
        SOURCE_SHA256,
        "face_segmentation.onnx of tools/export_face_segmentation.py",
        rewrite,
        _check,
    )


if __name__ == "__main__":
    main()
