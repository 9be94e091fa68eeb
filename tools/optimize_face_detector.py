"""Widen the converted BlazeFace graph to whole NCHWc blocks for ONNX Runtime's CPU.

``tools/convert_mediapipe.py`` maps MediaPipe's face detector one operator to one.
ONNX Runtime (``ORT_ENABLE_ALL``) runs its convolutions in the blocked NCHWc layout
(blocks of 16 channels with AVX-512, 8 with AVX2), but the network's feature maps
have 24, 28, 36, 42, 56, 72 and 88 channels and its residuals zero-pad their skip
branch along the channels (``Pad``): ORT has no blocked ``Pad``, and its blocked
``MaxPool`` and ``Concat`` need whole blocks, so every residual converted its data out
of the layout and back (``ReorderOutput`` / ``ReorderInput``), with the ``Add`` and
``Relu`` run outside it.

The rewrite gives every feature map a multiple of 16 channels, the added channels
held at exactly zero:

1. Each body ``Conv`` gets zero weights (and zero bias) for the added input and
   output channels; a depthwise ``Conv`` gets zero filters and its ``group`` widened.
   An added channel is then ``0`` (``Relu(0) = 0``, ``MaxPool`` of zeros is ``0``,
   ``0 + 0 = 0``), and the real channels sum the same products plus exact zeros.
2. A channel ``Pad`` from ``C`` to ``C + k`` channels whose widened counts are equal
   (24 -> 28 is 32 -> 32) already holds its zeros: it is dropped.
3. One whose widened counts differ (32 -> 36 is 32 -> 48) feeds a residual ``Add``
   with a 1x1 ``Conv``: as in ``tools/optimize_face_landmarks.py``, the ``Conv`` is
   split in two (its first ``W(C)`` output channels and the rest), the ``Add`` done
   on the first part and the two parts concatenated (whole blocks now, so ORT's
   blocked ``Concat`` takes them).

The four head convolutions keep their output channels (2, 6, 32, 96: the graph's
outputs are unchanged) and only read the widened inputs with zero weights. The
weights of the source graph are copied unchanged into the larger arrays; the only new
values are zeros. Outputs move only where ORT's blocked kernels sum in another order
than before (float rounding).

Usage::

    python tools/optimize_face_detector.py SRC.onnx OUT.onnx

``SRC.onnx`` is the converter's ``face_detector.onnx`` (sha256 1465511b...914b3,
checked); ``OUT.onnx`` may be the same path. The output is deterministic.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnx_rewrite import GraphIndex, channel_pad, replace_graph
from onnx_rewrite import main as run_tool

SOURCE_SHA256 = "1465511ba800aaec2bb44a958bd2fc24b1cf1168b66520daa62ea3cc147914b3"
BLOCK = 16  # ORT's widest NCHWc block (AVX-512); a multiple of 16 is also one of 8


def widened(channels: int) -> int:
    """``channels`` rounded up to a whole number of blocks."""
    return -(-channels // BLOCK) * BLOCK


def _attrs(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    """Return ``model`` with its feature maps widened to multiples of 16 channels.

    Parameters
    ----------
    model : onnx.ModelProto
        An NCHW graph of ``Conv``, ``Relu``, ``Add``, ``MaxPool`` and channel ``Pad``
        nodes, whose outputs leave through ``Transpose`` nodes (heads).

    Returns
    -------
    onnx.ModelProto
        A new model computing the same outputs (see the module docstring).
    """
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    g = GraphIndex(model, strict_shapes=True)
    channels = {name: d[1] for name, d in g.dims.items() if len(d) == 4}
    inits, users, producer = g.inits, g.users, g.producer

    width: dict[str, int] = {}  # channels of a tensor in the new graph (4-D body tensors)
    alias: dict[str, str] = {}  # dropped Pad output -> its input
    new_inits: list[onnx.TensorProto] = []
    out: list[onnx.NodeProto] = []
    split: dict[str, tuple[str, str]] = {}  # Conv output -> (its Pad partner, Add output)

    def src(name: str) -> str:
        return alias.get(name, name)

    def add_init(array: np.ndarray, name: str) -> str:
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    # residuals whose Pad cannot be dropped: Add(Pad(m), Conv(z)) -> split that Conv
    for n in graph.node:
        if n.op_type != "Pad":
            continue
        extra = channel_pad(inits[n.input[1]])
        c = channels[n.input[0]]
        if extra is None or widened(c) == widened(c + extra):
            continue
        (add,) = users[n.output[0]]
        other = [i for i in add.input if i != n.output[0]]
        conv = producer.get(other[0]) if add.op_type == "Add" and len(other) == 1 else None
        if conv is None or conv.op_type != "Conv" or len(users[conv.output[0]]) != 1:
            raise SystemExit(f"Pad {n.output[0]}: expected a residual Add with a Conv")
        split[conv.output[0]] = (n.output[0], add.output[0])
    residual = {add_out: conv_out for conv_out, (_, add_out) in split.items()}

    for n in graph.node:
        ins = [src(i) for i in n.input]
        if n.op_type == "Conv":
            w = inits[n.input[1]]
            b = inits[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
            attrs = _attrs(n)
            group = int(attrs.get("group", 1))  # type: ignore[arg-type]
            c_in = width.get(ins[0], channels.get(ins[0], 0))
            o = w.shape[0]
            heads = all(u.op_type == "Transpose" for u in users[n.output[0]])
            o_new = o if heads else widened(o)
            name = n.output[0]
            if group == 1:
                w_new = np.zeros((o_new, c_in, *w.shape[2:]), np.float32)
                w_new[:o, : w.shape[1]] = w
            elif group == o == w.shape[0] and w.shape[1] == 1:
                w_new = np.zeros((o_new, 1, *w.shape[2:]), np.float32)
                w_new[:o] = w
                attrs["group"] = o_new
            else:
                raise SystemExit(f"Conv {name}: unsupported group {group}")
            b_new = np.zeros(o_new, np.float32)
            b_new[:o] = b
            if name in split:
                lo = widened(channels[producer[split[name][0]].input[0]])
                wl = add_init(w_new[:lo], name + "_W_lo")
                wh = add_init(w_new[lo:], name + "_W_hi")
                bl = add_init(b_new[:lo], name + "_B_lo")
                bh = add_init(b_new[lo:], name + "_B_hi")
                out += [
                    helper.make_node("Conv", [ins[0], wl, bl], [name + "_lo"], **attrs),
                    helper.make_node("Conv", [ins[0], wh, bh], [name + "_hi"], **attrs),
                ]
                continue
            wn = add_init(w_new, n.input[1] + "_w")
            bn = add_init(b_new, (n.input[2] if len(n.input) > 2 else name + "_B") + "_w")
            out.append(helper.make_node("Conv", [ins[0], wn, bn], [name], name=n.name, **attrs))
            width[name] = o_new
        elif n.op_type == "Pad" and channel_pad(inits[n.input[1]]) is not None:
            if n.output[0] in {p for p, _ in split.values()}:
                continue  # folded into the residual Add below
            alias[n.output[0]] = ins[0]
        elif n.output[0] in residual:
            conv_out = residual[n.output[0]]
            m = src(producer[split[conv_out][0]].input[0])
            out += [
                helper.make_node("Add", [m, conv_out + "_lo"], [conv_out + "_lo_sum"]),
                helper.make_node(
                    "Concat", [conv_out + "_lo_sum", conv_out + "_hi"], [n.output[0]], axis=1
                ),
            ]
            width[n.output[0]] = widened(channels[n.output[0]])
        else:
            if n.op_type in ("Relu", "MaxPool", "Add") and ins[0] in width:
                ws = {width[i] for i in ins if i in width}
                if len(ws) != 1:
                    raise SystemExit(f"{n.op_type} {n.output[0]}: inputs of widths {ws}")
                width[n.output[0]] = ws.pop()
            node = onnx.NodeProto()
            node.CopyFrom(n)
            del node.input[:]
            node.input.extend(ins)
            out.append(node)

    return replace_graph(model, out, new_inits)


def main() -> None:
    """Command-line entry point."""
    run_tool(__doc__, SOURCE_SHA256, "face_detector.onnx of tools/convert_mediapipe.py", rewrite)


if __name__ == "__main__":
    main()
