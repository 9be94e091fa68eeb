"""The type stubs of the compiled module (python/skincore/_core/*.pyi) match it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from skincore import _core

STUBS = Path(__file__).parents[1] / "python" / "skincore" / "_core"
SUBMODULES = ["color", "geometry", "blobs", "ridges", "contours", "maps", "texture"]


def _stub_names(path: Path) -> tuple[set[str], dict[str, list[str]]]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    args: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
            args[node.name] = [a.arg for a in node.args.args]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if not node.target.id.startswith("_"):
                names.add(node.target.id)
    return names, args


def _runtime_args(fn: object) -> list[str]:
    # pybind11 signature line: "name(arg: type, arg2: type = default) -> ret"
    sig = (fn.__doc__ or "").splitlines()[0]
    inner = sig[sig.index("(") + 1 : sig.rindex(") ->")]
    out, depth, cur = [], 0, ""
    for ch in inner:
        depth += ch in "[(" and 1 or (-1 if ch in "])" else 0)
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return [a.split(":")[0].strip() for a in out]


@pytest.mark.parametrize("name", [*SUBMODULES, "__init__"])
def test_stub_covers_module(name):
    mod = _core if name == "__init__" else getattr(_core, name)
    names, args = _stub_names(STUBS / f"{name}.pyi")
    public = {
        n
        for n in dir(mod)
        if not n.startswith("__") and not isinstance(getattr(mod, n), type(_core))
    }
    assert public == names
    for fn_name, stub_args in args.items():
        assert _runtime_args(getattr(mod, fn_name)) == stub_args, fn_name
