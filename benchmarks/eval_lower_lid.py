"""Where under the eyes does roughness read rough skin, with and without the lower-lid band?

    python benchmarks/eval_lower_lid.py [--faces DIR] [--data DIR] [--step N]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (accepted with
``max_out_of_bound=0.5``) are analysed twice: with the band below each lower lid
left out of roughness's measured skin (``roughness.Params.lower_lid_mm``, the
default) and with it measured (``lower_lid_mm=0``). For each, the share of the
photo's area that reads rough, by millimetre below the lower lid line (iris
scale) and by third of the eye from its inner corner (the inner third runs on
0.2 eye widths before the inner corner, the outer one 0.2 past the outer corner;
both eyes pooled), and the median and mean rough area of the faces. The
background is the skin 12-20 mm down, on the cheeks.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, photo_args, photos, run, tally
from skincore.concerns import roughness
from skincore.face.regions import lower_lid_frame

#: Millimetres below the lower lid line, one row of the table each.
DEPTHS_MM = np.arange(0, 21, 1.0)
THIRDS = (("inner", -0.2, 1 / 3), ("mid", 1 / 3, 2 / 3), ("outer", 2 / 3, 1.2))


def rough_by_depth(analysis: skincore.Analysis) -> np.ndarray | None:
    """Rough and all pixel counts ``(2, 3, len(DEPTHS_MM) - 1)`` below both lower lids."""
    marked = marked_face(analysis, "roughness")
    if marked is None:
        return None
    lm, x, y, mask = marked
    out = np.zeros((2, len(THIRDS), len(DEPTHS_MM) - 1))
    for side in ("left", "right"):
        _, line, _, unit, down, ppm = lower_lid_frame(lm, side)
        if not np.any(unit) or not ppm > 0:
            continue
        start = line[0]
        length = float(np.dot(line[-1] - start, unit))
        rel = np.stack([x - start[0], y - start[1]], -1)
        t = (rel @ unit) / length
        # the lid line's offset down the face at each point's position along the eye
        t_lid = ((line - start) @ unit) / length
        order = np.argsort(t_lid)
        lid = np.interp(t, t_lid[order], ((line - start) @ down)[order])
        below_mm = ((rel @ down) - lid) / ppm
        for k, (_, lo, hi) in enumerate(THIRDS):
            sel = (t >= lo) & (t < hi)
            tally(out, k, below_mm[sel], mask[sel], DEPTHS_MM)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    args = ap.parse_args()
    run(
        photos(args),
        [
            (f"lower_lid_mm={d:g}", roughness.Params(lower_lid_mm=d))
            for d in (0.0, roughness.LOWER_LID_MM)
        ],
        rough_by_depth,
        [name for name, _, _ in THIRDS],
        DEPTHS_MM,
        "by mm below the lower lid",
    )


if __name__ == "__main__":
    main()
