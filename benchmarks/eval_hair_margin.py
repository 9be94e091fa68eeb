"""How rough (or brown) does skin read by its distance to the hair, with and without the margin?

    python benchmarks/eval_hair_margin.py [--set clean|acne] [--step N] [--concern pigmentation]

``clean``: the faces of ``shared/faces`` and every ``--step``-th dark-circle
photo (no acne: texture near the hair is the hairline's fine hairs and stray
strands, not lesions); ``acne``: every ``--step``-th ACNE04 photo (a fringe's
acne is real). Each accepted face (``max_out_of_bound=0.5``) is analysed with
the skin along the hair measured (``roughness.Params(hair_margin_mm=0)``) and
left out (the default), and its rough mask is tallied by the distance (mm by
the iris, Euclidean) of each measured pixel to the nearest pixel the
segmentation reads as hair (:attr:`skincore.face.regions.RegionMasks.hair` on
the texture grid), and, as a reference, the share at the same distances from
the skin's other edges (eyes, brows, lips, the face's outline: pixels nearer
such an edge than the hair). Printed per setting: the median and mean rough
area of the faces and the rough share per distance. With ``--concern
pigmentation`` the same for the brown skin of pigmentation
(``pigmentation.Params.hair_margin_mm``, whose band is measured but not
reported) on the colour grid (:meth:`FaceWork.colour_hair_band`), over the
face skin.

Needs ``../shared`` (not shipped) and SciPy (the test extra) for the distances.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

import skincore
from _rough_bands import tally
from skincore.concerns import pigmentation, roughness
from skincore.concerns.work import FaceWork
from skincore.errors import SkinError

SHARED = Path(__file__).resolve().parents[2] / "shared"
#: Distance bins (mm), one column each.
EDGES_MM = np.array([0, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30.0])


def photos(which: str, step: int) -> list[Path]:
    """The photos of a set (see the module docstring)."""
    if which == "clean":
        circles = sorted((SHARED / "data" / "dark-circles").glob("*/images/*.jpg"))
        return sorted((SHARED / "faces").glob("*.jpg")) + circles[::step]
    return sorted((SHARED / "data" / "acne04-dev").glob("*.jpg"))[::step]


def tally_photo(
    path: Path, analyzers: dict[float, skincore.Analyzer], out: dict, concern: str
) -> bool:
    """Add one photo's counts to ``out`` (margin -> (2, 2, bins)); False if refused."""
    rgb = np.asarray(Image.open(path).convert("RGB"))
    results = {}
    for margin, an in analyzers.items():
        try:
            results[margin] = an.analyze(rgb)
        except SkinError:
            return False
    first = next(iter(results.values()))
    work = FaceWork(rgb, first.faces[0].geometry.landmarks)
    if concern == "roughness":
        ctx = work.texture
        hair, face, ppm = ctx.hair, ctx.masks["face"], ctx.px_per_mm
    else:
        hair, face, ppm = work.colour.hair, work.colour.masks["face"], work.colour_px_per_mm
    if hair is None:
        return False
    to_hair = ndimage.distance_transform_edt(hair == 0) / ppm
    to_edge = ndimage.distance_transform_edt(face > 0) / ppm
    nearer_hair = to_hair <= to_edge
    for margin, result in results.items():
        found = result.faces[0].concerns.get(concern)
        if found is None:
            return False
        if concern == "roughness":
            mask, area = found.mask, found.area
            skin = roughness.measured_skin(ctx, roughness.Params(hair_margin_mm=margin)) > 0
        else:
            mask, area, skin = found.mask.mask, found.brown_area, face > 0
        if mask.shape != face.shape:
            return False
        marked = (mask > 0).astype(np.float64)
        for row, (dist, sel) in enumerate(
            ((to_hair, skin & nearer_hair), (to_edge, skin & ~nearer_hair))
        ):
            tally(out[margin], row, dist[sel], marked[sel], EDGES_MM)
        out[margin, "area"].append(area)
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=("clean", "acne"), default="clean")
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--concern", choices=("roughness", "pigmentation"), default="roughness")
    args = ap.parse_args()
    limits = skincore.Limits(max_out_of_bound=0.5)
    module = roughness if args.concern == "roughness" else pigmentation
    margins = (0.0, module.HAIR_MARGIN_MM)
    analyzers = {
        m: skincore.Analyzer(
            concerns=(args.concern,),
            params={args.concern: module.Params(hair_margin_mm=m)},
            limits=limits,
        )
        for m in margins
    }
    out: dict = {m: np.zeros((2, 2, len(EDGES_MM) - 1)) for m in margins}
    out.update({(m, "area"): [] for m in margins})
    n = sum(tally_photo(p, analyzers, out, args.concern) for p in photos(args.set, args.step))
    word = "rough" if args.concern == "roughness" else "brown"
    print(f"{args.set}: {n} faces; share of the skin that reads {word}, by mm to")
    print(f"{'':22}" + "".join(f"{d:>6.0f}" for d in EDGES_MM[:-1]))
    for m in margins:
        areas = out[m, "area"]
        print(
            f"hair_margin_mm={m:g}: {word} area median {np.median(areas):.3f}, "
            f"mean {np.mean(areas):.3f}"
        )
        for row, name in enumerate(("the hair", "other edge")):
            share = out[m][0, row] / np.maximum(out[m][1, row], 1)
            print(f"  {name:<20}" + "".join(f"{v:6.3f}" for v in share))


if __name__ == "__main__":
    main()
