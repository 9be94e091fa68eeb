"""tools/optimize_face_landmarks.py: the rewrite is exact on synthetic graphs, and the
shipped landmark model is its output (no PRelu, no channel Pad left, TFLite outputs kept)."""

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


def _tool():
    return load_tool("optimize_face_landmarks")


def _toy(c=16):
    """x -> Conv -> PRelu -> MaxPool -> Pad(channels c -> 2c) + Conv1x1 -> PRelu."""
    rng = np.random.default_rng(0)

    def init(name, a):
        return numpy_helper.from_array(np.asarray(a, np.float32), name)

    inits = [
        init("w0", rng.normal(size=(c, 3, 3, 3))),
        init("b0", rng.normal(size=c)),
        init("a0", rng.normal(size=(c, 1, 1)) * 3),
        init("w1", rng.normal(size=(2 * c, c, 1, 1))),
        init("b1", rng.normal(size=2 * c)),
        init("a1", rng.normal(size=(2 * c, 1, 1)) * 3),
        numpy_helper.from_array(np.array([0, 0, 0, 0, 0, c, 0, 0], np.int64), "pads"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], kernel_shape=[3, 3], pads=[1] * 4),
        helper.make_node("PRelu", ["c0", "a0"], ["p0"]),
        helper.make_node("MaxPool", ["p0"], ["m"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Pad", ["m", "pads"], ["padded"], mode="constant"),
        helper.make_node("Conv", ["m", "w1", "b1"], ["c1"], kernel_shape=[1, 1]),
        helper.make_node("Add", ["padded", "c1"], ["s"]),
        helper.make_node("PRelu", ["s", "a1"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "toy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2 * c, 16, 16])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_rewrite_matches_source_graph():
    tool = _tool()
    src = _toy()
    new = tool.rewrite(src)
    ops = [n.op_type for n in new.graph.node]
    assert "PRelu" not in ops and "Pad" not in ops and ops.count("Concat") == 1
    x = np.random.default_rng(1).normal(size=(1, 3, 32, 32)).astype(np.float32)
    (want,) = onnx_session(src, "ORT_DISABLE_ALL").run(None, {"x": x})
    assert (want < 0).any() and (want > 0).any()
    scale = float(np.abs(want).max())
    for level in ("ORT_DISABLE_ALL", "ORT_ENABLE_ALL"):
        (got,) = onnx_session(new, level).run(None, {"x": x})
        # x + (1 - a) * Relu(-x) for PRelu, the padded residual as Concat: float rounding
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6 * scale)
        assert np.array_equal(got > 0, want > 0)

    # the positive side of the first PRelu passes through unchanged (x + 0)
    def head(model, count, outputs):
        graph = helper.make_graph(
            list(model.graph.node)[:count],
            "head",
            list(model.graph.input),
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
            list(model.graph.initializer),
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    off = "ORT_DISABLE_ALL"
    (p_new,) = onnx_session(head(new, 5, ["p0"]), off).run(None, {"x": x})
    c0, p_src = onnx_session(head(src, 2, ["c0", "p0"]), off).run(None, {"x": x})
    pos = c0 > 0
    assert pos.any() and (~pos).any()
    np.testing.assert_array_equal(p_new[pos], c0[pos])
    np.testing.assert_allclose(p_new, p_src, rtol=1e-6, atol=1e-7)


def test_rewrite_is_deterministic():
    tool = _tool()
    a = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    b = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    assert a == b


def test_shipped_landmark_model_is_rewritten():
    model = onnx.load(str(models.FACE_LANDMARKS))
    ops = [n.op_type for n in model.graph.node]
    assert "PRelu" not in ops and "Pad" not in ops
    assert ops.count("Concat") == 3 and ops.count("Relu") == 69


def test_shipped_landmark_model_matches_tflite_on_real_crops():
    # reference_io.npz holds the TFLite model's outputs on real face crops (the
    # converter's source graph matches them to ~1e-6 of the output scale)
    with np.load(REFERENCE) as z:
        inputs, pts, logit = (
            z["landmarks__input_u8"],
            z["landmarks__Identity"],
            z["landmarks__Identity_1"],
        )
    sess = onnx_session(onnx.load(str(models.FACE_LANDMARKS)), "ORT_ENABLE_ALL")
    for i in range(inputs.shape[0]):
        x = inputs[i : i + 1].astype(np.float32) / np.float32(255.0)
        got_pts, got_logit = sess.run(["Identity", "Identity_1"], {"input_12": x})
        # landmarks within 1e-3 crop pixels of the 256-px crop (measured: 1.7e-4, as the
        # source graph), presence logit within 1e-4 (measured: 2e-5)
        np.testing.assert_allclose(got_pts, pts[i : i + 1], rtol=0, atol=1e-3)
        np.testing.assert_allclose(got_logit, logit[i : i + 1], rtol=0, atol=1e-4)
