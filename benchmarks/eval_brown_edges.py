"""How much of the brown area hugs the edge of the measured skin?

    python benchmarks/eval_brown_edges.py [--shares 2,0.4,0.2,0.1] [--utk-step N]
        [--dc-step N] [--acne-step N]

Each photo is analysed (pigmentation only, ``max_out_of_bound=0.5``) once per
value of ``MelaninParams.max_cut_share``: a brown region with at least that
share of its border on the edge of the measured skin (eyes, brows, lips,
nostrils, the folds' bands, hair, the face's outline) is left out; 2 keeps
every region (the rule off). Printed per photo set and per value: the faces
measured and the median, mean and 90th percentile of their brown area; for
UTKFace also the median by race group (the file names' label), so that a rule
that helps one skin tone and not another shows.

The sets: ``shared/faces`` (ten portraits and selfies, most under soft frontal
light), every ``--utk-step``-th UTKFace development face (200 px web crops of
every age, tone and light), every ``--dc-step``-th dark-circle photo and every
``--acne-step``-th ACNE04 photo. None holds labelled brown skin: what the
rule removes is read on the overlays (``skincore analyze --out``), where it
lay on the shadows of the eye sockets, the nose's side walls, the nostrils,
the folds and a turned face's shaded side.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import skincore
from skincore.concerns import pigmentation
from skincore.concerns.colour_areas import MelaninParams
from skincore.errors import SkinError

SHARED = Path(__file__).resolve().parents[2] / "shared"
RACES = ("white", "black", "asian", "indian", "other")


def photo_sets(args: argparse.Namespace) -> dict[str, list[Path]]:
    """The photo sets, by name."""
    data = SHARED / "data"
    return {
        "faces": sorted((SHARED / "faces").glob("*.jpg")),
        "utkface": sorted((data / "utkface-dev").glob("*.jpg"))[:: args.utk_step],
        "dark-circles": sorted((data / "dark-circles").glob("*/images/*.jpg"))[:: args.dc_step],
        "acne04": sorted((data / "acne04-dev").glob("*.jpg"))[:: args.acne_step],
    }


def brown_areas(paths: list[Path], share: float) -> dict[Path, float]:
    """Brown area of each accepted photo with ``max_cut_share=share``."""
    params = pigmentation.Params(detection=MelaninParams(max_cut_share=share))
    an = skincore.Analyzer(
        concerns=("pigmentation",),
        params={"pigmentation": params},
        limits=skincore.Limits(max_out_of_bound=0.5),
    )
    out = {}
    for path in paths:
        try:
            face = an.analyze(path).faces[0]
        except SkinError:
            continue
        result = face.concerns.get("pigmentation")
        if result is not None:
            out[path] = float(result.brown_area)
    return out


def race_of(path: Path) -> str:
    """UTKFace's race group from ``age_gender_race_date.jpg.chip.jpg``."""
    parts = path.name.split("_")
    try:
        return RACES[int(parts[2])]
    except (IndexError, ValueError):
        return "unknown"


def main() -> None:
    """Print the brown area per photo set and ``max_cut_share``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shares", default="2,0.4,0.2,0.1")
    ap.add_argument("--utk-step", type=int, default=10)
    ap.add_argument("--dc-step", type=int, default=3)
    ap.add_argument("--acne-step", type=int, default=4)
    args = ap.parse_args()
    shares = [float(s) for s in args.shares.split(",")]
    print(f"default max_cut_share {MelaninParams().max_cut_share}; 2 = the rule off")
    for name, paths in photo_sets(args).items():
        runs = {s: brown_areas(paths, s) for s in shares}
        print(f"\n{name}: {len(paths)} photos")
        print(f"{'max_cut_share':>14} {'faces':>6} {'median':>7} {'mean':>7} {'p90':>7}")
        for s, areas in runs.items():
            v = np.array(list(areas.values()))
            if v.size == 0:
                print(f"{s:>14g} {0:>6}")
                continue
            print(
                f"{s:>14g} {v.size:>6} {np.median(v):>7.3f} {v.mean():>7.3f} "
                f"{np.percentile(v, 90):>7.3f}"
            )
        if name == "utkface":
            groups = sorted({race_of(p) for a in runs.values() for p in a})
            print("median by race group: " + ", ".join(groups))
            for s, areas in runs.items():
                cells = []
                for g in groups:
                    v = [a for p, a in areas.items() if race_of(p) == g]
                    cells.append(f"{np.median(v):.3f} ({len(v)})" if v else "-")
                print(f"{s:>14g} " + "  ".join(cells))


if __name__ == "__main__":
    main()
