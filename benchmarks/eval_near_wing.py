"""How rough does the cheek beside each nose wing read, near and far side of turned faces?

    python benchmarks/eval_near_wing.py [--faces DIR] [--data DIR] [--step N]
        [--concern pigmentation]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (3 by default;
accepted with ``max_out_of_bound=0.5``) are analysed twice: with the band round
the nose folds reaching :data:`skincore.face.regions.NEAR_WING_MM` further out
beside the wing nearer the camera (the default,
:func:`skincore.face.regions.near_wing_reach`) and without that reach. For
each, the share of the photo's area that reads rough, by millimetre from the
outline of each nose wing (:data:`skincore.face.regions.NOSE_WING`, iris scale,
towards the cheek: away from the nose tip), for the wing nearer the camera of
faces turned less than 25, 25-40 and more than 40 degrees, the far wings of
faces turned 10 degrees or more, and both wings of the rest (frontal).
With ``--concern pigmentation`` the same for pigmentation's brown skin, with the
brown along the measured skin's edge measured (``MelaninParams(max_cut_share=2)``)
and left out (the default); the reach is the default in both runs.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, nearest_on_path, photo_args, photos, run, tally
from skincore.concerns import pigmentation, roughness
from skincore.concerns.colour_areas import MelaninParams
from skincore.face import regions
from skincore.face.scale import px_per_mm

#: Millimetres out from the wing's outline, one column of the table each.
OUT_MM = np.arange(2, 20.1, 1.0)
ROWS = ("near<25", "near<40", "near40+", "far", "frontal")


def _row(yaw: float, side: str) -> int:
    if abs(yaw) < 10:
        return 4
    near = (side == "right") == (yaw > 0)  # turned left: the right side is nearer
    if not near:
        return 3
    return 0 if abs(yaw) < 25 else 1 if abs(yaw) < 40 else 2


def marked_beside_wings(
    analysis: skincore.Analysis, concern: str = "roughness"
) -> np.ndarray | None:
    """Marked and all pixel counts ``(2, len(ROWS), len(OUT_MM) - 1)`` beside both wings."""
    marked = marked_face(analysis, concern)
    if marked is None:
        return None
    lm, x, y, mask = marked
    yaw = analysis.faces[0].geometry.pose.yaw
    ppm = px_per_mm(lm)
    pts = lm[:, :2]
    tip = pts[4]
    out = np.zeros((2, len(ROWS), len(OUT_MM) - 1))
    wings = {
        "right": regions.NOSE_WING,
        "left": tuple(regions.MIRROR[i] for i in regions.NOSE_WING),
    }
    for side, wing in wings.items():
        best, px, py, _ = nearest_on_path(x, y, pts[list(wing)])
        # positive away from the nose tip
        away = np.sign((x - px) * (px - tip[0]) + (y - py) * (py - tip[1]))
        mm = best * away / ppm
        sel = np.isfinite(mm)
        k = _row(yaw, side)
        tally(out, k, mm[sel], mask[sel], OUT_MM)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.add_argument("--concern", choices=("roughness", "pigmentation"), default="roughness")
    ap.set_defaults(step=3)
    args = ap.parse_args()
    if args.concern == "pigmentation":
        run(
            photos(args),
            [
                (
                    f"max_cut_share={share:g}",
                    pigmentation.Params(detection=MelaninParams(max_cut_share=share)),
                )
                for share in (2.0, MelaninParams().max_cut_share)
            ],
            lambda analysis: marked_beside_wings(analysis, "pigmentation"),
            ROWS,
            OUT_MM,
            "by mm out from the nose wing's outline",
            concern="pigmentation",
        )
        return
    reach = regions.NEAR_WING_MM
    for mm in (0.0, reach):
        regions.NEAR_WING_MM = mm  # read by near_wing_reach at each analysis
        run(
            photos(args),
            [(f"NEAR_WING_MM={mm:g}", roughness.Params())],
            marked_beside_wings,
            ROWS,
            OUT_MM,
            "by mm out from the nose wing's outline",
        )
    regions.NEAR_WING_MM = reach


if __name__ == "__main__":
    main()
