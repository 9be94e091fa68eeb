"""Per-concern time at 1080p, optionally against a baseline copy of the package.

Runs every registered concern on one face (the packaged sample at 1080x1920, as
``bench_pipeline.py`` makes it) the way the pipeline does: a fresh ``FaceWork``
per analysis, the concerns in registry order through ``work.result_of``, each
one's time taken when it returns (so a shared intermediate counts for the first
concern that asks for it). Prints the median per concern.

With ``--baseline DIR`` (a directory holding another ``skincore`` package, e.g.
a copy of the tree before a change, with its compiled ``_core``), both versions
are loaded into this process and run interleaved, run after run, and the table
shows both medians and the ratio ``baseline / current`` (> 1: the current tree is
faster)::

    python benchmarks/bench_concerns.py [--repeat 11] [--baseline /tmp/old]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

HERE = Path(__file__).resolve().parent


class _Version:
    """One ``skincore`` package, swapped into ``sys.modules`` while it runs.

    Lazy imports and ``importlib.resources`` look the package up by name at run
    time, so only one version may be registered at a time.
    """

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.mods: dict[str, ModuleType] = {}
        with self:
            importlib.import_module("skincore")
            importlib.import_module("skincore.concerns.registry")
            importlib.import_module("skincore.concerns.work")

    def __getitem__(self, name: str) -> ModuleType:
        return self.mods[name]

    def __enter__(self) -> _Version:
        for k in [k for k in sys.modules if k == "skincore" or k.startswith("skincore.")]:
            del sys.modules[k]
        sys.modules.update(self.mods)
        sys.path.insert(0, self.path)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.path.remove(self.path)
        self.mods = {
            k: v for k, v in sys.modules.items() if k == "skincore" or k.startswith("skincore.")
        }
        for k in self.mods:
            del sys.modules[k]


def _sample_1080p(sk: ModuleType) -> np.ndarray:
    from PIL import Image

    img = Image.open(sk.sample_path()).convert("RGB")
    w, h = 1080, 1920
    sw, sh = img.size
    ar = w / h
    cw, ch = (sw, round(sw / ar)) if sw / sh < ar else (round(sh * ar), sh)
    cw, ch = min(cw, sw), min(ch, sh)
    x0, y0 = (sw - cw) // 2, (sh - ch) // 2
    img = img.crop((x0, y0, x0 + cw, y0 + ch)).resize((w, h), Image.BILINEAR)
    return np.asarray(img)


def _run(mods: _Version, rgb: np.ndarray, points: np.ndarray) -> dict[str, float]:
    with mods:
        return _run_active(mods, rgb, points)


def _run_active(mods: _Version, rgb: np.ndarray, points: np.ndarray) -> dict[str, float]:
    reg = mods["skincore.concerns.registry"].REGISTRY
    work = mods["skincore.concerns.work"].FaceWork(rgb, points, threads=0)
    out: dict[str, float] = {}
    t = time.perf_counter()
    _ = work.colour, work.colour_lab, work.texture
    out["(grids)"] = (time.perf_counter() - t) * 1e3
    for name, spec in reg.items():
        t = time.perf_counter()
        work.result_of(spec, spec.params())
        out[name] = (time.perf_counter() - t) * 1e3
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--baseline", type=Path, default=None)
    args = ap.parse_args()
    versions = {}
    if args.baseline is not None:
        versions["baseline"] = _Version(args.baseline)
    versions["current"] = _Version(HERE.parent / "python")
    with versions["current"] as cur:
        rgb = _sample_1080p(cur["skincore"])
        an = cur["skincore"].Analyzer()
        points = an.analyze(rgb).faces[0].geometry.landmarks
    times: dict[str, dict[str, list[float]]] = {v: {} for v in versions}
    for mods in versions.values():  # warm-up
        _run(mods, rgb, points)
    for _ in range(args.repeat):
        for v, mods in versions.items():
            for k, ms in _run(mods, rgb, points).items():
                times[v].setdefault(k, []).append(ms)
    med = {v: {k: statistics.median(x) for k, x in t.items()} for v, t in times.items()}
    names = list(med["current"])
    print(f"== per-concern time, 1080x1920 sample, median of {args.repeat} (ms)")
    if "baseline" in med:
        print(f"{'concern':<14} {'baseline':>9} {'current':>9} {'ratio':>7}")
        for k in names:
            b, c = med["baseline"].get(k, float("nan")), med["current"][k]
            print(f"{k:<14} {b:>9.2f} {c:>9.2f} {b / c:>6.2f}x")
        b, c = sum(med["baseline"].values()), sum(med["current"].values())
        print(f"{'total':<14} {b:>9.2f} {c:>9.2f} {b / c:>6.2f}x")
    else:
        for k in names:
            print(f"{k:<14} {med['current'][k]:>9.2f}")
        print(f"{'total':<14} {sum(med['current'].values()):>9.2f}")


if __name__ == "__main__":
    main()
