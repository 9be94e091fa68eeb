"""Import a script of ``tools/`` as a module (the tools are not a package); find the
source models some tools read in ``../shared/models``; open a graph a tool wrote in
an ONNX Runtime session at a chosen optimisation level."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def load_tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` (cached in ``sys.modules`` under ``name``)."""
    if name in sys.modules:
        return sys.modules[name]
    if str(TOOLS) not in sys.path:
        sys.path.append(str(TOOLS))  # tools import their shared helpers (onnx_rewrite)
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def shared_model(name: str) -> Path | None:
    """``shared/models/<name>`` in the nearest folder above the tests holding it, or None."""
    for p in Path(__file__).resolve().parents:
        if (p / "shared" / "models" / name).is_file():
            return p / "shared" / "models" / name
    return None


def onnx_session(model: Any, level: str = "ORT_ENABLE_ALL", threads: int = 1) -> Any:
    """A CPU ``onnxruntime.InferenceSession`` of an in-memory ``onnx.ModelProto``.

    ``level`` names an ``onnxruntime.GraphOptimizationLevel`` (``"ORT_DISABLE_ALL"``
    runs the graph as written, ``"ORT_ENABLE_ALL"`` as skincore does).
    """
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    so.intra_op_num_threads = threads
    so.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
