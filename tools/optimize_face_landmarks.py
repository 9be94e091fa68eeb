"""Rewrite the converted FaceMesh graph into operators ONNX Runtime's CPU layout keeps.

``tools/convert_mediapipe.py`` maps every TFLite operator of MediaPipe's face landmark
model one to one. ONNX Runtime (``ORT_ENABLE_ALL``) then runs the convolutions in its
blocked NCHWc layout, but it has no NCHWc ``PRelu`` and no NCHWc channel ``Pad``: each
of the 69 ``PRelu`` nodes is run on a plain NCHW copy of its input (a ``ReorderOutput``
before it, a ``ReorderInput`` after it), and ORT's ``PRelu`` kernel itself is slow
(together about 9 of the 15 ms of a run on one core). Two rewrites, both exact in
real arithmetic, keep the whole network in NCHWc:

1. ``PRelu(x, a)`` (per-channel slope ``a``) becomes ``x + DW(1 - a, Relu(DW(-1, x)))``,
   where ``DW(w, .)`` is a 1x1 depthwise ``Conv`` with per-channel weight ``w`` and no
   bias: ``x + (1 - a) * 0 = x`` for ``x >= 0`` and ``x + (1 - a) * (-x) = a * x`` for
   ``x < 0``, equal in real arithmetic; in float the negative side is two roundings
   (a product and a sum, each within half an ulp of ``|x|``-sized values) instead of
   one. (The form ``Relu(x) + DW(-a, Relu(-x))`` is exact even in float but needs a
   ``Relu`` pass more: 6.0 instead of 5.4 ms a run.)
2. A residual whose skip branch is zero-padded along the channels,
   ``Add(Pad(m, channels C -> 2C), Conv(W, b)(z))``, becomes
   ``Concat(Add(m, Conv(W[:C], b[:C])(z)), Conv(W[C:], b[C:])(z))``: the padded
   channels added zeros. (ORT then folds the ``Add`` into the first ``Conv``.)

Weights are copied; the only new constants are ``-1`` and ``1 - a``. Outputs differ
from the source graph by float rounding (that of ``1 - a`` and of the residual ``Add``
ORT accumulates inside the convolution): max 3e-4 crop pixels on real faces.

Usage::

    python tools/optimize_face_landmarks.py SRC.onnx OUT.onnx

``SRC.onnx`` is the converter's ``face_landmarks.onnx`` (sha256 2f463673...a122e,
checked); ``OUT.onnx`` may be the same path. The output is deterministic.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnx_rewrite import GraphIndex, channel_pad, replace_graph
from onnx_rewrite import main as run_tool

SOURCE_SHA256 = "2f4636738e613f6460668ef574e78151367eab1fc355df0e149bf3e595ea122e"


def _attr(node: onnx.NodeProto, name: str, default: object = None) -> object:
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    """Return ``model`` with every ``PRelu`` and channel-padded residual rewritten.

    Parameters
    ----------
    model : onnx.ModelProto
        An NCHW graph (``PRelu`` slopes of shape ``(C, 1, 1)``, ``Pad`` of the
        channel axis feeding an ``Add`` with a 1x1 ``Conv``).

    Returns
    -------
    onnx.ModelProto
        A new model computing the same function (see the module docstring).
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    g = GraphIndex(model)
    inits, users, producer = g.inits, g.users, g.producer
    new_inits: list[onnx.TensorProto] = []
    out: list[onnx.NodeProto] = []
    split_convs: dict[str, list[onnx.NodeProto]] = {}  # Conv output -> its replacement
    dropped: set[str] = set()

    # pass 1: channel-padded residuals
    for add in graph.node:
        if add.op_type != "Add":
            continue
        ins = [producer.get(i) for i in add.input]
        for k in (0, 1):
            pad, conv = ins[k], ins[1 - k]
            if pad is None or conv is None or pad.op_type != "Pad" or conv.op_type != "Conv":
                continue
            extra = channel_pad(inits[pad.input[1]])
            if (
                extra is None
                or len(pad.input) > 2
                and pad.input[2]
                or _attr(pad, "mode", b"constant") != b"constant"
                or len(users[pad.output[0]]) != 1
                or len(users[conv.output[0]]) != 1
                or len(conv.input) != 3
            ):
                continue
            w = inits[conv.input[1]]
            b = inits[conv.input[2]]
            c = w.shape[0] - extra
            name = conv.output[0]
            w_lo = numpy_helper.from_array(w[:c], name + "_W_lo")
            w_hi = numpy_helper.from_array(w[c:], name + "_W_hi")
            b_lo = numpy_helper.from_array(b[:c], name + "_B_lo")
            b_hi = numpy_helper.from_array(b[c:], name + "_B_hi")
            new_inits += [w_lo, w_hi, b_lo, b_hi]
            attrs = {a.name: helper.get_attribute_value(a) for a in conv.attribute}
            lo = helper.make_node(
                "Conv", [conv.input[0], w_lo.name, b_lo.name], [name + "_lo"], **attrs
            )
            hi = helper.make_node(
                "Conv", [conv.input[0], w_hi.name, b_hi.name], [name + "_hi"], **attrs
            )
            summed = helper.make_node("Add", [pad.input[0], lo.output[0]], [name + "_lo_sum"])
            cat = helper.make_node(
                "Concat", [summed.output[0], hi.output[0]], [add.output[0]], axis=1
            )
            split_convs[conv.output[0]] = [lo, hi]
            split_convs[add.output[0]] = [summed, cat]
            dropped |= {pad.output[0], conv.output[0], add.output[0]}
            break

    for n in graph.node:
        key = n.output[0]
        if n.op_type == "Pad" and key in dropped:
            continue
        if key in split_convs:
            out += split_convs[key]
            continue
        if n.op_type != "PRelu":
            out.append(n)
            continue
        x, y = n.input[0], n.output[0]
        a = inits[n.input[1]]
        channels = a.shape[0]
        if a.shape != (channels, 1, 1):
            raise SystemExit(f"PRelu {y}: slope shape {a.shape}, expected (C, 1, 1)")
        w_neg = numpy_helper.from_array(np.full((channels, 1, 1, 1), -1.0, np.float32), y + "_neg1")
        w_slope = numpy_helper.from_array((1 - a).reshape(channels, 1, 1, 1), y + "_slope")
        new_inits += [w_neg, w_slope]
        conv = {"group": channels, "kernel_shape": [1, 1]}
        out += [
            helper.make_node("Conv", [x, w_neg.name], [y + "_minus"], **conv),
            helper.make_node("Relu", [y + "_minus"], [y + "_negpart"]),
            helper.make_node("Conv", [y + "_negpart", w_slope.name], [y + "_scaled"], **conv),
            helper.make_node("Add", [x, y + "_scaled"], [y]),
        ]
    return replace_graph(model, out, new_inits)


def main() -> None:
    """Command-line entry point."""
    run_tool(__doc__, SOURCE_SHA256, "face_landmarks.onnx of tools/convert_mediapipe.py", rewrite)


if __name__ == "__main__":
    main()
