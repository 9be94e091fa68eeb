"""How much of the brown or red area hugs the edge of the measured skin?

    python benchmarks/eval_colour_edges.py [--concern pigmentation|redness]
        [--runs ORDER:SHARE,...] [--outline SHARE] [--noise FACTOR] [--utk-step N]
        [--dc-step N] [--acne-step N]

Each photo is analysed (the one concern, ``max_out_of_bound=0.5``) once per
run. A run sets the concern's ``background_order`` (0: the masked Gaussian
mean; 1: the plane that follows shading up to the skin's edge) and
``max_cut_share``: a brown or red region with at least that share of its
border on the edge is left out; 2 keeps every region (the rule off). For
pigmentation the edge is the whole edge of the measured skin (eyes, brows,
lips, nostrils, the folds' bands, hair, the face's outline); for redness only
the left-out features' (eyes, brows, lips, nostrils), and ``--outline`` sets
redness's ``max_outline_share`` for every run (the share of a strip's border on
any edge of the skin; 2: off) and ``--noise`` its ``noise_factor`` (the
threshold rises to that many robust sigmas of the photo's own excess; 0: off).
Printed per photo set
and run: the faces measured and the median, mean and 90th percentile of
their area; for UTKFace also the median by race group (the file names'
label), so that a rule that helps one skin tone and not another shows.

The sets: ``shared/faces`` (ten portraits and selfies, most under soft frontal
light), every ``--utk-step``-th UTKFace development face (200 px web crops of
every age, tone and light), every ``--dc-step``-th dark-circle photo and every
``--acne-step``-th ACNE04 photo. None holds labelled brown or red skin: what a
rule removes is read on the overlays (``skincore analyze --out``): for brown it
lay on the shadows of the eye sockets, the nose's side walls, the nostrils,
the folds and a turned face's shaded side; for red on the eye sockets, the
lids' and lips' margins, the nostrils and the shaded side of the nose, and
(the plane) along a shaded temple, cheek or jaw.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import eval_age
import skincore
from skincore.concerns import pigmentation, redness
from skincore.concerns.colour_areas import MelaninParams, SensitivityParams
from skincore.errors import SkinError

SHARED = Path(__file__).resolve().parents[2] / "shared"


def photo_sets(args: argparse.Namespace) -> dict[str, list[Path]]:
    """The photo sets, by name."""
    data = SHARED / "data"
    return {
        "faces": sorted((SHARED / "faces").glob("*.jpg")),
        "utkface": sorted((data / "utkface-dev").glob("*.jpg"))[:: args.utk_step],
        "dark-circles": sorted((data / "dark-circles").glob("*/images/*.jpg"))[:: args.dc_step],
        "acne04": sorted((data / "acne04-dev").glob("*.jpg"))[:: args.acne_step],
    }


#: Default runs per concern: ``background_order:max_cut_share``.
RUNS = {
    "pigmentation": "1:2,1:0.4,1:0.2,1:0.1",
    "redness": "0:2,1:2,1:0.4,1:0.2,1:0.1",
}


def concern_params(concern: str, order: int, share: float, outline: float, noise: float) -> object:
    """The concern's Params with ``background_order`` and ``max_cut_share`` set.

    ``outline`` and ``noise``: redness's ``max_outline_share`` and ``noise_factor``.
    """
    if concern == "pigmentation":
        mel = MelaninParams(background_order=order, max_cut_share=share)
        return pigmentation.Params(detection=mel)
    red = SensitivityParams(
        background_order=order,
        max_cut_share=share,
        max_outline_share=outline,
        noise_factor=noise,
    )
    return redness.Params(detection=red)


def areas(
    paths: list[Path], concern: str, order: int, share: float, outline: float, noise: float
) -> dict[Path, float]:
    """Brown or red area of each accepted photo with the run's settings."""
    an = skincore.Analyzer(
        concerns=(concern,),
        params={concern: concern_params(concern, order, share, outline, noise)},
        limits=skincore.Limits(max_out_of_bound=0.5),
    )
    out = {}
    for path in paths:
        try:
            face = an.analyze(path).faces[0]
        except SkinError:
            continue
        result = face.concerns.get(concern)
        if result is not None:
            out[path] = float(result.brown_area if concern == "pigmentation" else result.area)
    return out


def race_of(path: Path) -> str:
    """UTKFace's race group from ``age_gender_race_date.jpg.chip.jpg`` (:mod:`eval_age`)."""
    return eval_age.RACES[eval_age.parse_name(path.name)[1]]


def main() -> None:
    """Print the brown or red area per photo set and run."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concern", choices=sorted(RUNS), default="pigmentation")
    ap.add_argument("--runs", help="background_order:max_cut_share, comma-separated")
    ap.add_argument(
        "--outline",
        type=float,
        default=SensitivityParams().max_outline_share,
        help="redness's max_outline_share in every run (2: off)",
    )
    ap.add_argument(
        "--noise",
        type=float,
        default=SensitivityParams().noise_factor,
        help="redness's noise_factor in every run (0: off)",
    )
    ap.add_argument("--utk-step", type=int, default=10)
    ap.add_argument("--dc-step", type=int, default=3)
    ap.add_argument("--acne-step", type=int, default=4)
    args = ap.parse_args()
    runs_arg = args.runs or RUNS[args.concern]
    settings = [(int(r.split(":")[0]), float(r.split(":")[1])) for r in runs_arg.split(",")]
    d = MelaninParams() if args.concern == "pigmentation" else SensitivityParams()
    print(
        f"{args.concern}: default background_order {d.background_order}, "
        f"max_cut_share {d.max_cut_share}; a share of 2 = the rule off"
    )
    if args.concern == "redness":
        print(f"max_outline_share {args.outline}, noise_factor {args.noise} in every run")
    for name, paths in photo_sets(args).items():
        runs = {st: areas(paths, args.concern, *st, args.outline, args.noise) for st in settings}
        print(f"\n{name}: {len(paths)} photos")
        print(f"{'order:share':>12} {'faces':>6} {'median':>7} {'mean':>7} {'p90':>7}")
        for (order, share), found in runs.items():
            v = np.array(list(found.values()))
            label = f"{order}:{share:g}"
            if v.size == 0:
                print(f"{label:>12} {0:>6}")
                continue
            print(
                f"{label:>12} {v.size:>6} {np.median(v):>7.3f} {v.mean():>7.3f} "
                f"{np.percentile(v, 90):>7.3f}"
            )
        if name == "utkface":
            groups = sorted({race_of(p) for a in runs.values() for p in a})
            print("median by race group: " + ", ".join(groups))
            for (order, share), found in runs.items():
                cells = []
                for g in groups:
                    v = [a for p, a in found.items() if race_of(p) == g]
                    cells.append(f"{np.median(v):.3f} ({len(v)})" if v else "-")
                print(f"{f'{order}:{share:g}':>12} " + "  ".join(cells))


if __name__ == "__main__":
    main()
