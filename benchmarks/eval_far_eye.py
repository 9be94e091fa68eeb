"""Per-eye measures of turned heads, photo against its mirror: is the far eye measurable?

A horizontal mirror of a photo shows the same eyes, so the same eye should read
the same in both (the landmark fit differs a little). For every photo of
``shared/faces`` and every ``--every``-th ACNE04 and dark-circle development photo
(``max_out_of_bound=0.5``), each eye's dark-circle darkening (``delta_L``), eye-bag
depth and tear-trough depth are read in the photo and in its mirror; the table
gives, by the head's yaw and for the far and the near eye, how many eyes were
measured in both, and the 90th percentile and maximum of the absolute difference.

``--no-rule`` measures every eye at any turn (``far_eye_yaw_deg=inf``), which is
how the limits ``dark_circles.Params.far_eye_yaw_deg`` and
``eye_bags.Params.far_eye_yaw_deg`` were chosen; without it the shipped limits
apply, and the far eyes beyond them are counted as absent.

Usage::

    python benchmarks/eval_far_eye.py [--no-rule] [--every 2]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
from PIL import Image

import skincore
from skincore.concerns import dark_circles, eye_bags
from skincore.errors import SkinError
from skincore.limits import Limits

DATA = Path(__file__).resolve().parents[2] / "shared"
BINS = ((0, 20), (20, 30), (30, 35), (35, 40), (40, 45), (45, 90))
#: Per-eye values compared: (concern, attribute).
MEASURES = (("dark_circles", "delta_L"), ("eye_bags", "depth"), ("eye_bags", "trough_depth"))


def photos(every: int) -> list[Path]:
    """``shared/faces`` and every ``every``-th ACNE04 and dark-circle photo."""
    files = sorted((DATA / "faces").glob("*.jpg"))
    files += sorted((DATA / "data" / "acne04-dev").glob("*.jpg"))[::every]
    files += sorted((DATA / "data" / "dark-circles").rglob("*.jpg"))[::every]
    return files


def _value(face: skincore.analysis.FaceResult, concern: str, side: str, attr: str):
    result = face.concerns.get(concern)
    eye = None if result is None else getattr(result, side)
    return None if eye is None else float(getattr(eye, attr))


def readings(an: skincore.Analyzer, files: list[Path]) -> list[dict]:
    """One row per eye: yaw, far or near, and each measure in the photo and its mirror."""
    limits = dataclasses.replace(Limits(), max_out_of_bound=0.5)
    rows = []
    concerns = ("dark_circles", "eye_bags")
    for f in files:
        rgb = np.asarray(Image.open(f).convert("RGB"))
        try:
            a = an.analyze(rgb, limits=limits, concerns=concerns).faces[0]
            b = an.analyze(np.ascontiguousarray(rgb[:, ::-1]), limits=limits, concerns=concerns)
        except SkinError:
            continue
        m = b.faces[0]
        yaw = a.geometry.pose.yaw
        for side, mirror_side in (("left", "right"), ("right", "left")):
            row = {"photo": f.name, "yaw": yaw, "far": (yaw > 0) == (side == "left")}
            for concern, attr in MEASURES:
                row[attr] = (
                    _value(a, concern, side, attr),
                    _value(m, concern, mirror_side, attr),
                )
            rows.append(row)
    return rows


def table(rows: list[dict]) -> None:
    """Print the differences by yaw bin, far and near eye."""
    head = "".join(f" | {attr:>12s} n  p90  max absent" for _, attr in MEASURES)
    print(f"{'eye':4s} {'|yaw|':>7s} {'eyes':>4s}{head}")
    for far in (True, False):
        for lo, hi in BINS:
            sel = [r for r in rows if r["far"] == far and lo <= abs(r["yaw"]) < hi]
            if not sel:
                continue
            line = f"{'far' if far else 'near':4s} {lo:3d}-{hi:<3d} {len(sel):4d}"
            for _, attr in MEASURES:
                both = [
                    abs(a - b) for a, b in (r[attr] for r in sel) if a is not None and b is not None
                ]
                absent = sum(1 for r in sel if r[attr][0] is None)
                if both:
                    p90, top = np.percentile(both, 90), max(both)
                    line += f" | {'':>12s}{len(both):2d} {p90:4.1f} {top:4.1f} {absent:6d}"
                else:
                    line += f" | {'':>12s} 0    -    - {absent:6d}"
            print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-rule", action="store_true", help="measure far eyes at any yaw")
    ap.add_argument("--every", type=int, default=2, help="every n-th data photo")
    args = ap.parse_args()
    params = {}
    if args.no_rule:
        params = {
            "dark_circles": dark_circles.Params(far_eye_yaw_deg=float("inf")),
            "eye_bags": eye_bags.Params(far_eye_yaw_deg=float("inf")),
        }
    an = skincore.Analyzer(threads=2, params=params)
    rows = readings(an, photos(args.every))
    print(f"{len(rows) // 2} faces; absolute difference photo vs mirror, same eye")
    table(rows)


if __name__ == "__main__":
    main()
