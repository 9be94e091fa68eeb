"""Evaluate the sclera white balance (``skincore.face.sclera``, tone ``white_balance``).

Prints:

1. the same face at four distances (``shared/faces/cc0_selfie_{15,30,45,60}cm``):
   ITA as captured and with ``white_balance="apply"``;
2. every photo of ``shared/faces`` with a camera cast applied (linear gains
   ``(t, 1, 1/t)``, t = 0.8 and 1.25): the ITA shift as captured and corrected;
3. the sclera on a sample of the development photos (UTKFace by race group, the
   dark-circle and ACNE04 photos): how often it is usable as reference and its b*
   (the median of the usable ones is where :data:`skincore.face.sclera.REFERENCE_B`
   comes from).

Run: ``PYTHONPATH=python python benchmarks/eval_white_balance.py`` (about 2 minutes on
2 cores; ``--per-set N`` photos per development set, default 60).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from PIL import Image

import skincore
from skincore.concerns import tone
from skincore.face import find_faces, sclera
from skincore.face.regions import region_polygons

SHARED = Path(__file__).resolve().parents[2] / "shared"
RACES = ("white", "black", "asian", "indian")


def _analyzer(mode: str) -> skincore.Analyzer:
    params = {"tone": tone.Params(white_balance=mode)}
    return skincore.Analyzer(skincore.AnalyzerOptions(concerns=("tone",), params=params))


def distances(report: skincore.Analyzer, apply: skincore.Analyzer) -> None:
    """Same face, four distances."""
    print("Same face at four distances (shared/faces/cc0_selfie_*): ITA, degrees")
    print(f"{'distance':>9} {'as captured':>12} {'sclera-balanced':>16} {'gain t':>7}")
    raw, fixed = [], []
    for d in (15, 30, 45, 60):
        path = SHARED / "faces" / f"cc0_selfie_{d}cm.jpg"
        a = report.analyze(path).faces[0].concerns["tone"]
        b = apply.analyze(path).faces[0].concerns["tone"]
        raw.append(a.ita)
        fixed.append(b.ita)
        print(f"{d:>7}cm {a.ita:12.1f} {b.ita:16.1f} {b.white_balance.gain!s:>7}")
    print(f"{'spread':>9} {np.ptp(raw):12.1f} {np.ptp(fixed):16.1f}\n")


def casts(report: skincore.Analyzer, apply: skincore.Analyzer) -> None:
    """Every face photo under two camera casts."""
    print("Camera cast (gains t, 1, 1/t) on shared/faces: ITA shift, degrees")
    print(f"{'photo':28} {'t':>5} {'as captured':>12} {'balanced':>9} {'used':>5}")
    for path in sorted((SHARED / "faces").glob("*.jpg")):
        rgb = np.asarray(Image.open(path).convert("RGB"))
        base_raw = report.analyze(rgb).faces[0].concerns["tone"].ita
        base = apply.analyze(rgb).faces[0].concerns["tone"]
        for t in (0.8, 1.25):
            cast = sclera.apply_balance(rgb, (t, 1.0, 1.0 / t))
            a = report.analyze(cast).faces[0].concerns["tone"].ita
            b = apply.analyze(cast).faces[0].concerns["tone"]
            used = base.white_balance.applied and b.white_balance.applied
            print(
                f"{path.stem[:28]:28} {t:5.2f} {a - base_raw:+12.1f} "
                f"{(b.ita - base.ita):+9.1f} {'yes' if used else 'no':>5}"
            )
    print()


def _sample(paths: list[Path]) -> np.ndarray:
    rows = []
    for path in paths:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        found = find_faces(rgb)
        if not found:
            continue
        points = found[0][1].points
        s = sclera.sample_sclera(rgb, points, region_polygons(points))
        if s is not None:
            rows.append((*s.lab, s.n_pixels, float(s.usable())))
    return np.array(rows).reshape(-1, 5)


def population(per_set: int) -> None:
    """Sclera usability and b* on the development photos."""
    rnd = random.Random(0)
    data = SHARED / "data"
    sets: dict[str, list[Path]] = {}
    utk = sorted((data / "utkface-dev").glob("*.jpg"))
    for r, name in enumerate(RACES):
        group = [p for p in utk if p.name.split("_")[2:3] == [str(r)]]
        sets[f"utkface {name}"] = group
    sets["dark-circles"] = sorted((data / "dark-circles").rglob("*.jp*g"))
    sets["acne04-dev"] = sorted((data / "acne04-dev").glob("*.jpg"))
    print(
        f"Sclera on development photos (usable: L* >= {sclera.MIN_LIGHTNESS:.0f} and "
        f">= {sclera.MIN_PIXELS} px sampled)"
    )
    print(f"{'set':18} {'faces':>5} {'usable':>7} {'L* med':>7} {'b* med (usable)':>16}")
    usable_b = []
    for name, paths in sets.items():
        if not paths:
            continue
        a = _sample(rnd.sample(paths, min(per_set, len(paths))))
        ok = a[:, 4] > 0
        usable_b.append(a[ok, 2])
        b_med = f"{np.median(a[ok, 2]):.1f}" if ok.any() else "-"
        print(f"{name:18} {len(a):5d} {ok.mean():7.0%} {np.median(a[:, 0]):7.1f} {b_med:>16}")
    pooled = np.concatenate(usable_b)
    print(f"pooled usable sclera b*: median {np.median(pooled):.1f} (n {len(pooled)})")


def main(argv: list[str] | None = None) -> int:
    """Print the three tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-set", type=int, default=60)
    args = ap.parse_args(argv)
    report, apply = _analyzer("report"), _analyzer("apply")
    distances(report, apply)
    casts(report, apply)
    population(args.per_set)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
