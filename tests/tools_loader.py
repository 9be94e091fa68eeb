"""Import a script of ``tools/`` as a module (the tools are not a package); find the
source models some tools read in ``../shared/models``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
