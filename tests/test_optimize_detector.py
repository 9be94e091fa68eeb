"""tools/optimize_face_detector.py: widening to whole channel blocks is exact on a
synthetic residual network, and the shipped detector is its output (no channel Pad left,
TFLite's outputs kept)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skincore import models
from tools_loader import load_tool, onnx_session

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

REFERENCE = Path(__file__).parent / "data" / "models" / "reference_io.npz"
LEVELS = ("ORT_DISABLE_ALL", "ORT_ENABLE_ALL")


def _tool():
    return load_tool("optimize_face_detector")


def _toy():
    """BlazeFace-like: 24 channels, residuals padded 24 -> 28 (dropped) and 28 -> 36
    behind a MaxPool (split), two heads through Transpose."""
    rng = np.random.default_rng(0)
    inits = []

    def init(name, *shape, scale=0.5):
        inits.append(
            numpy_helper.from_array(rng.normal(size=shape).astype(np.float32) * scale, name)
        )
        return name

    def pads(name, extra):
        inits.append(
            numpy_helper.from_array(np.array([0, 0, 0, 0, 0, extra, 0, 0], np.int64), name)
        )
        return name

    def conv(x, y, w, b, **kw):
        return helper.make_node("Conv", [x, w, b], [y], **kw)

    nodes = [
        helper.make_node("Transpose", ["x"], ["x_nchw"], perm=[0, 3, 1, 2]),
        conv("x_nchw", "c0", init("w0", 24, 3, 3, 3), init("b0", 24), pads=[1] * 4),
        helper.make_node("Relu", ["c0"], ["r0"]),
        conv("r0", "d1", init("w1", 24, 1, 3, 3), init("b1", 24), group=24, pads=[1] * 4),
        conv("d1", "p1", init("w2", 28, 24, 1, 1), init("b2", 28)),
        helper.make_node("Pad", ["r0", pads("pad28", 4)], ["s1"], mode="constant"),
        helper.make_node("Add", ["s1", "p1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r1"]),
        conv(
            "r1",
            "d2",
            init("w3", 28, 1, 3, 3),
            init("b3", 28),
            group=28,
            pads=[0, 0, 1, 1],
            strides=[2, 2],
        ),
        conv("d2", "p2", init("w4", 36, 28, 1, 1), init("b4", 36)),
        helper.make_node("MaxPool", ["r1"], ["m2"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Pad", ["m2", pads("pad36", 8)], ["s2"], mode="constant"),
        helper.make_node("Add", ["s2", "p2"], ["a2"]),
        helper.make_node("Relu", ["a2"], ["r2"]),
        conv("r1", "h1", init("w5", 2, 28, 1, 1), init("b5", 2)),
        helper.make_node("Transpose", ["h1"], ["y1"], perm=[0, 2, 3, 1]),
        conv("r2", "h2", init("w6", 6, 36, 1, 1), init("b6", 6)),
        helper.make_node("Transpose", ["h2"], ["y2"], perm=[0, 2, 3, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "toy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 16, 3])],
        [
            helper.make_tensor_value_info("y1", TensorProto.FLOAT, [1, 16, 16, 2]),
            helper.make_tensor_value_info("y2", TensorProto.FLOAT, [1, 8, 8, 6]),
        ],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_widening_matches_the_source_graph():
    tool = _tool()
    src = _toy()
    new = tool.rewrite(src)
    ops = [n.op_type for n in new.graph.node]
    # 24 -> 28 is 32 -> 32 (dropped); 28 -> 36 is 32 -> 48 (split Conv + Concat)
    assert "Pad" not in ops and ops.count("Concat") == 1 and ops.count("Conv") == 8
    inits = {t.name: numpy_helper.to_array(t) for t in new.graph.initializer}
    for n in new.graph.node:
        if n.op_type == "Conv" and n.output[0] not in ("h1", "h2"):
            assert inits[n.input[1]].shape[0] % 16 == 0
    x = np.random.default_rng(1).normal(size=(1, 16, 16, 3)).astype(np.float32)
    want = onnx_session(src, "ORT_DISABLE_ALL").run(None, {"x": x})
    assert all(w.std() > 0.1 for w in want)
    for level in LEVELS:
        got = onnx_session(new, level).run(None, {"x": x})
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape
            # the same products plus exact zeros; ORT's blocked kernels may sum in
            # another order: float rounding of the output scale
            np.testing.assert_allclose(g, w, rtol=0, atol=2e-6 * float(np.abs(w).max()))


def test_widened_channels_stay_zero():
    # the head reads only the real channels: zero-filled weights of the added ones
    tool = _tool()
    new = tool.rewrite(_toy())
    inits = {t.name: numpy_helper.to_array(t) for t in new.graph.initializer}
    src = {t.name: numpy_helper.to_array(t) for t in _toy().graph.initializer}
    (head,) = [n for n in new.graph.node if n.output[0] == "h2"]
    w = inits[head.input[1]]
    assert w.shape == (6, 48, 1, 1)
    np.testing.assert_array_equal(w[:, :36], src["w6"])
    assert not w[:, 36:].any()
    (first,) = [n for n in new.graph.node if n.output[0] == "c0"]
    w0, b0 = inits[first.input[1]], inits[first.input[2]]
    assert w0.shape == (32, 3, 3, 3) and not w0[24:].any() and not b0[24:].any()
    np.testing.assert_array_equal(w0[:24], src["w0"])


def test_rewrite_is_deterministic():
    tool = _tool()
    a = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    b = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    assert a == b


def test_shipped_detector_is_widened():
    model = onnx.load(str(models.FACE_DETECTOR))
    ops = [n.op_type for n in model.graph.node]
    assert "Pad" not in ops and ops.count("Concat") == 2 + 4
    inits = {t.name: t for t in model.graph.initializer}
    heads = 0
    for n in model.graph.node:
        if n.op_type == "Conv":
            out = int(inits[n.input[1]].dims[0])
            if out % 16:
                heads += 1
                assert out in (2, 6)
    assert heads == 2


def test_shipped_detector_matches_tflite_on_real_crops():
    # reference_io.npz holds the TFLite model's outputs on real face crops (the
    # converter's graph matches them to ~1e-6 of the output scale)
    with np.load(REFERENCE) as z:
        inputs = z["detector__input_u8"]
        regressors, logits = z["detector__regressors"], z["detector__classificators"]
    sess = onnx_session(onnx.load(str(models.FACE_DETECTOR)), "ORT_ENABLE_ALL")
    for i in range(inputs.shape[0]):
        x = inputs[i : i + 1].astype(np.float32) / np.float32(127.5) - np.float32(1.0)
        got_r, got_l = sess.run(["regressors", "classificators"], {"input": x})
        # box and keypoint offsets in 128-px input units (|max| ~218) within 1e-3
        # (measured 1.2e-4, the converter's graph 1.7e-4); logits within 1e-3
        # (measured 2.9e-4, the converter's graph 2.7e-4)
        np.testing.assert_allclose(got_r, regressors[i : i + 1], rtol=0, atol=1e-3)
        np.testing.assert_allclose(got_l, logits[i : i + 1], rtol=0, atol=1e-3)
