"""tools/optimize_face_segmentation.py: the rewrite is exact on a synthetic graph, and the
shipped segmentation model is its output (hard-swish as HardSigmoid, SE means as pools)
with the source graph's masks on real faces."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from fitted import fitted_faces
from skincore import models
from skincore.face import segmentation as seg_mod
from tools_loader import load_tool, onnx_session, shared_model

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

LEVELS = ("ORT_DISABLE_ALL", "ORT_ENABLE_ALL")


def _tool():
    return load_tool("optimize_face_segmentation")


def _scalar(name, value):
    return numpy_helper.from_array(np.array(value, np.float32), name)


def _hard_swish(x, y):
    """PyTorch's export: Mul(x, Div(Clip(Add(x, 3), 0, 6), 6))."""
    return [
        helper.make_node("Add", [x, "three"], [y + "_a"]),
        helper.make_node("Clip", [y + "_a", "zero", "six"], [y + "_c"]),
        helper.make_node("Div", [y + "_c", "six"], [y + "_d"]),
        helper.make_node("Mul", [x, y + "_d"], [y]),
    ]


def _toy():
    """Conv -> hard-swish -> SE (ReduceMean, Conv, HardSigmoid, Mul) -> Conv (3 channels)
    -> Resize x4 (scales, align_corners) -> Sigmoid, as in the PAN."""
    rng = np.random.default_rng(0)

    def init(name, *shape, scale=1.0):
        return numpy_helper.from_array(rng.normal(size=shape).astype(np.float32) * scale, name)

    inits = [
        _scalar("three", 3.0),
        _scalar("zero", 0.0),
        _scalar("six", 6.0),
        init("w0", 16, 3, 3, 3, scale=2.0),
        init("b0", 16),
        init("w1", 8, 16, 1, 1, scale=0.3),
        init("w2", 16, 8, 1, 1, scale=0.3),
        init("w3", 3, 16, 3, 3, scale=0.3),
        numpy_helper.from_array(np.array([1, 1, 4, 4], np.float32), "scales"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], kernel_shape=[3, 3], pads=[1] * 4),
        *_hard_swish("c0", "h0"),
        helper.make_node("ReduceMean", ["h0"], ["m"], axes=[2, 3], keepdims=1),
        helper.make_node("Conv", ["m", "w1"], ["s1"], kernel_shape=[1, 1]),
        helper.make_node("Relu", ["s1"], ["s2"]),
        helper.make_node("Conv", ["s2", "w2"], ["s3"], kernel_shape=[1, 1]),
        helper.make_node("HardSigmoid", ["s3"], ["s4"], alpha=1.0 / 6.0),
        helper.make_node("Mul", ["h0", "s4"], ["se"]),
        helper.make_node("Conv", ["se", "w3"], ["c3"], kernel_shape=[3, 3], pads=[1] * 4),
        helper.make_node(
            "Resize",
            ["c3", "", "scales"],
            ["r"],
            mode="linear",
            coordinate_transformation_mode="align_corners",
        ),
        helper.make_node("Sigmoid", ["r"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "toy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 64, 64]),
            helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, 16, 16, 16]),
            helper.make_tensor_value_info("c0", TensorProto.FLOAT, [1, 16, 16, 16]),
        ],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_rewrite_matches_source_graph():
    tool = _tool()
    src = _toy()
    new = tool.rewrite(src)
    ops = [n.op_type for n in new.graph.node]
    assert not {"Clip", "Div", "ReduceMean"} & set(ops)
    assert ops.count("HardSigmoid") == 2 and ops.count("GlobalAveragePool") == 1
    assert ops.count("Reshape") == 1
    x = np.random.default_rng(1).normal(size=(1, 3, 16, 16)).astype(np.float32)
    for level in LEVELS:
        want_y, want_h, c0 = onnx_session(src, level).run(None, {"x": x})
        # the input covers all three pieces of hard-swish (0, the quadratic, identity)
        assert (c0 < -3).any() and (np.abs(c0) < 3).any() and (c0 > 3).any()
        got_y, got_h, got_c0 = onnx_session(new, level).run(None, {"x": x})
        np.testing.assert_array_equal(got_c0, c0)
        # x * (x / 6 + 1/2) against x * ((x + 3) / 6): the gates (in [0, 1]) differ
        # by float rounding (measured 1.1e-7)
        gate_error = np.abs(got_h - want_h) / np.maximum(np.abs(c0), 1e-30)
        assert gate_error.max() < 1e-6
        # outside [-3, 3] hard-swish is exactly 0 or x
        np.testing.assert_array_equal(got_h[c0 <= -3], 0.0)
        np.testing.assert_array_equal(got_h[c0 >= 3], c0[c0 >= 3])
        # scores in [0, 1] after two convolutions of the rounded gates (measured 2e-6)
        np.testing.assert_allclose(got_y, want_y, rtol=0, atol=1e-5)


def test_rewrite_is_deterministic():
    tool = _tool()
    a = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    b = tool.rewrite(_toy()).SerializeToString(deterministic=True)
    assert a == b


def test_shipped_segmentation_model_is_rewritten():
    model = onnx.load(str(models.FACE_SEGMENTATION))
    ops = [n.op_type for n in model.graph.node]
    assert not {"Clip", "Div", "ReduceMean"} & set(ops)
    # 18 hard-swish + the 9 squeeze-excitation gates; 9 SE means + the 4 of the decoder
    assert ops.count("HardSigmoid") == 27 and ops.count("GlobalAveragePool") == 13
    assert ops.count("Reshape") == 1


def _source_graph() -> Path:
    src = shared_model("skin_clothes_hair_pan.onnx")
    if src is None:
        pytest.skip("the 512-px source model (../shared/models) is not on this machine")
    return src


def test_export_and_rewrite_reproduce_the_packaged_model(tmp_path):
    exported = tmp_path / "seg256.onnx"
    load_tool("export_face_segmentation").export(_source_graph(), exported, 256)
    tool = _tool()
    # the export reproduces the rewrite's source byte for byte, then the rewrite the
    # packaged model
    assert hashlib.sha256(exported.read_bytes()).hexdigest() == tool.SOURCE_SHA256
    new = tool.rewrite(onnx.load(str(exported))).SerializeToString(deterministic=True)
    assert new == models.FACE_SEGMENTATION.read_bytes()


def test_shipped_model_matches_the_export_on_real_faces(tmp_path):
    exported = tmp_path / "seg256.onnx"
    load_tool("export_face_segmentation").export(_source_graph(), exported, 256)
    before = onnx_session(onnx.load(str(exported)), "ORT_ENABLE_ALL")
    after = onnx_session(onnx.load(str(models.FACE_SEGMENTATION)), "ORT_ENABLE_ALL")
    after2 = onnx_session(onnx.load(str(models.FACE_SEGMENTATION)), "ORT_ENABLE_ALL", threads=2)
    names = ("ccby_london_037", "ccby_london_136", "cc0_darkskin_makeup_3q", "cc0_selfie_30cm")
    for rgb, lm in fitted_faces(names).values():
        x, _, _ = seg_mod.preprocess(rgb, lm, threads=1)
        (want,) = before.run(None, {"x.1": x})
        (got,) = after.run(None, {"x.1": x})
        (got2,) = after2.run(None, {"x.1": x})
        assert 0.2 < float((want[0, 0] >= 0.5).mean()) < 0.9  # a face: much skin
        # sigmoid scores in [0, 1]: float rounding (measured <= 1.4e-5 on 19 faces)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-4)
        assert np.array_equal(got >= 0.5, want >= 0.5)
        np.testing.assert_array_equal(got2, got)
