"""Which wrinkle lines lie along the far side of a turned face's nose?

    python benchmarks/eval_far_nose.py [--faces DIR] [--data DIR] [--step N]
        [--dark DIR] [--dark-step N]

The faces of ``shared/faces``, every ``--step``-th ACNE04 photo (3 by default)
and every ``--dark-step``-th dark-circle photo (2) are analysed twice: with the
wrinkles' default parameters and with ``far_nose_mm=0`` (no band along the far
side's nose outline, :func:`skincore.face.regions.far_nose_reach`). Prints the
faces and lines per yaw group, the lines present only without the band (face,
yaw, zone, length, depth) and any line present only with it (none expected).
Look at the dropped lines with ``skincore analyze PHOTO --out DIR``
(``texture_enhanced_lines.png``) and the tree before the change.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import skincore
from _rough_bands import photo_args, photos
from skincore.concerns import wrinkles
from skincore.errors import SkinError

#: Yaw groups (absolute degrees) of the summary.
GROUPS = ((0.0, 10.0), (10.0, 25.0), (25.0, 90.0))


def lines_of(analysis: skincore.Analysis) -> list[tuple[str, float, float]] | None:
    """``(zone, length_mm, depth)`` of every line of the first face, or None."""
    result = analysis.faces[0].concerns.get("wrinkles")
    if result is None:
        return None
    return [
        (zone, round(ln.length_mm, 3), round(ln.depth, 3))
        for zone, z in result.zones.items()
        for ln in z.lines
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.set_defaults(step=3)
    ap.add_argument(
        "--dark", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    ap.add_argument("--dark-step", type=int, default=2)
    args = ap.parse_args()
    paths = photos(args) + sorted(args.dark.glob("dark-circles/*/images/*.jpg"))[:: args.dark_step]
    runs = {
        label: skincore.Analyzer(params={"wrinkles": params}, threads=2)
        for label, params in (
            ("default", wrinkles.Params()),
            ("off", wrinkles.Params(far_nose_mm=0.0)),
        )
    }
    counts = {g: [0, 0, 0, 0] for g in GROUPS}  # faces, lines off, lines default, dropped
    dropped, added = [], []
    for path in paths:
        try:
            found = {label: an.analyze(path) for label, an in runs.items()}
        except SkinError:
            continue
        default, off = lines_of(found["default"]), lines_of(found["off"])
        if default is None or off is None:
            continue
        yaw = found["default"].faces[0].geometry.pose.yaw
        group = next(g for g in GROUPS if g[0] <= abs(yaw) < g[1])
        gone = [ln for ln in off if ln not in default]
        new = [ln for ln in default if ln not in off]
        c = counts[group]
        c[0] += 1
        c[1] += len(off)
        c[2] += len(default)
        c[3] += len(gone)
        dropped += [(path.name[:18], yaw, *ln) for ln in gone]
        added += [(path.name[:18], yaw, *ln) for ln in new]
    print("|yaw| (deg)  faces  lines (far_nose_mm=0)  lines (default)  dropped")
    for (lo, hi), (n, a, b, d) in counts.items():
        print(f"{lo:4.0f}-{hi:<6.0f} {n:6d} {a:22d} {b:16d} {d:8d}")
    print("lines dropped (photo, yaw, zone, length mm, depth), longest first:")
    for name, yaw, zone, length, depth in sorted(dropped, key=lambda r: -r[3]):
        print(f"  {name:18s} {yaw:6.1f} {zone:18s} {length:6.1f} {depth:5.2f}")
    print(f"lines only with the band: {len(added)}")
    for row in added:
        print("  ", *row)


if __name__ == "__main__":
    main()
