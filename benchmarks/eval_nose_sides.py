"""Where beside the nose's bridge is skin read rough (or brown), with and without the side bands?

    python benchmarks/eval_nose_sides.py [--faces DIR] [--data DIR] [--step N] [--max-yaw DEG]
        [--concern pigmentation]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (accepted with
``max_out_of_bound=0.5``; with ``--max-yaw`` only those turned less than that)
are analysed twice: with the band along each side of the bridge left out of
roughness's measured skin (``roughness.Params.nose_side_mm``, the default) and
with it measured (``nose_side_mm=0``). For each, the share of the photo's area
that reads rough, by millimetre across the crest of the nose's side wall
(:func:`skincore.face.regions.nose_side_crest`, iris scale; negative towards
the bridge's midline, positive towards the eye) and by piece of the crest from
the top (``up``: its extension towards the brow; ``upper``: from beside the
brow's inner end to the inner eye corners' height; ``lower``: from there down
the bridge's side; ``down``: its extension), both sides pooled, and the median
and mean rough area of the faces. The bridge's midline lies about 7-9 mm
towards the negative side, the inner eye corner 5-7 mm towards the positive one.
With ``--concern pigmentation`` the same for the brown skin of pigmentation,
whose band (``pigmentation.Params.nose_side_mm``) is measured but not reported.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, nearest_on_path, photo_args, photos, run, tally
from skincore.concerns import pigmentation, roughness
from skincore.face.regions import nose_side_crest

#: Millimetres across the crest, one column of the table each.
ACROSS_MM = np.arange(-8, 9, 1.0)
PIECES = ("up", "upper", "lower", "down")


def marked_across(analysis: skincore.Analysis, concern: str) -> np.ndarray | None:
    """Marked and all pixel counts ``(2, len(PIECES), len(ACROSS_MM) - 1)`` beside the bridge."""
    marked = marked_face(analysis, concern)
    if marked is None:
        return None
    lm, x, y, mask = marked
    crests = {s: nose_side_crest(lm, s) for s in ("left", "right")}
    out = np.zeros((2, len(PIECES), len(ACROSS_MM) - 1))
    for side, (crest, ppm) in crests.items():
        if not ppm > 0:
            continue
        other = crests["right" if side == "left" else "left"][0].mean(0)
        best, _, _, piece = nearest_on_path(x, y, crest)
        d = np.diff(crest, axis=0)
        normal = np.stack([-d[:, 1], d[:, 0]], axis=1) / np.hypot(d[:, 0], d[:, 1])[:, None]
        flip = np.einsum("ij,ij->i", normal, other - crest[:-1]) > 0
        normal[flip] = -normal[flip]  # positive away from the bridge's midline
        a = crest[:-1][piece]
        across = ((x - a[:, 0]) * normal[piece, 0] + (y - a[:, 1]) * normal[piece, 1]) / ppm
        for k in range(len(PIECES)):
            sel = (piece == k) & np.isfinite(best)
            tally(out, k, across[sel], mask[sel], ACROSS_MM)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.add_argument("--max-yaw", type=float, default=90.0)
    ap.add_argument("--concern", choices=("roughness", "pigmentation"), default="roughness")
    args = ap.parse_args()
    module = roughness if args.concern == "roughness" else pigmentation
    run(
        photos(args),
        [
            (f"nose_side_mm={w:g}", module.Params(nose_side_mm=w))
            for w in (0.0, module.NOSE_SIDE_MM)
        ],
        lambda analysis: marked_across(analysis, args.concern),
        PIECES,
        ACROSS_MM,
        "by mm across the crest of the nose's side wall",
        keep=lambda analysis: abs(analysis.faces[0].geometry.pose.yaw) <= args.max_yaw,
        concern=args.concern,
    )


if __name__ == "__main__":
    main()
