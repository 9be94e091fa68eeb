"""Where round the mouth is skin read rough (or brown), with and without the mouth bands?

    python benchmarks/eval_mouth_bands.py [--faces DIR] [--data DIR] [--step N] [--max-yaw DEG]
        [--concern pigmentation] [--corners]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (accepted with
``max_out_of_bound=0.5``; with ``--max-yaw`` only those turned less than that)
are analysed twice: with the band under the lower lip and the discs beside the
mouth corners left out of roughness's measured skin
(``roughness.Params.lip_chin_mm``, ``mouth_corner_mm``, the defaults) and with
them measured (both 0). For each, the share of the area that reads rough in the
mouth's frame (:func:`skincore.face.regions.mouth_frame`: along the line of the
mouth corners, in tenths of the half-mouth, the corners at -10 and 10; down from
it, in mm by the iris): by default under the lower lip (rows: mm below the lip's
outer edge, interpolated along the mouth between its landmarks), with
``--corners`` beside the corners (columns: the distance along the mouth from its
middle, both sides pooled; rows: mm below the line of the corners, negative
above it). With ``--concern pigmentation`` the same for pigmentation's brown
skin (its ``Params`` have no mouth bands: both runs are the same).

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, photo_args, photos, run, tally
from skincore.concerns import pigmentation, roughness
from skincore.face.regions import mouth_frame

#: The lower lip's outer edge from the subject's right corner to the left one.
LOWER_LIP = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
#: Under the lip: columns (tenths of the half-mouth) and rows (mm below the lip).
UNDER_COLUMNS = np.arange(-14, 15, 2.0)
UNDER_ROWS = np.arange(0, 24, 2.0)
#: Beside the corners: columns (tenths of the half-mouth from the middle) and
#: rows (mm below the line of the corners).
CORNER_COLUMNS = np.arange(8, 23, 1.0)
CORNER_ROWS = np.arange(-10, 12, 2.0)


def marked_round_mouth(
    analysis: skincore.Analysis, concern: str, corners: bool
) -> np.ndarray | None:
    """Marked and all pixel counts ``(2, rows, columns)`` in the mouth's frame."""
    marked = marked_face(analysis, concern)
    if marked is None:
        return None
    lm, x, y, mask = marked
    pts, unit, down, ppm = mouth_frame(lm)
    if not ppm > 0:
        return None
    mid = 0.5 * (pts[LOWER_LIP[0]] + pts[LOWER_LIP[-1]])
    half = 0.5 * float(np.linalg.norm(pts[LOWER_LIP[-1]] - pts[LOWER_LIP[0]]))

    def frame(px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rx, ry = px - mid[0], py - mid[1]
        return 10.0 * (rx * unit[0] + ry * unit[1]) / half, (rx * down[0] + ry * down[1]) / ppm

    along, depth = frame(x, y)
    if corners:
        rows, columns = CORNER_ROWS, CORNER_COLUMNS
        along = np.abs(along)
    else:
        rows, columns = UNDER_ROWS, UNDER_COLUMNS
        lip_along, lip_depth = frame(pts[list(LOWER_LIP), 0], pts[list(LOWER_LIP), 1])
        depth = depth - np.interp(along, lip_along, lip_depth)
    out = np.zeros((2, len(rows) - 1, len(columns) - 1))
    for k in range(len(rows) - 1):
        sel = (depth >= rows[k]) & (depth < rows[k + 1])
        tally(out, k, along[sel], mask[sel], columns)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.add_argument("--max-yaw", type=float, default=90.0)
    ap.add_argument("--concern", choices=("roughness", "pigmentation"), default="roughness")
    ap.add_argument("--corners", action="store_true")
    args = ap.parse_args()
    if args.concern == "roughness":
        settings = [
            ("mouth bands off", roughness.Params(lip_chin_mm=0.0, mouth_corner_mm=0.0)),
            ("shipped", roughness.Params()),
        ]
    else:
        settings = [("shipped", pigmentation.Params())]
    rows = CORNER_ROWS if args.corners else UNDER_ROWS
    run(
        photos(args),
        settings,
        lambda analysis: marked_round_mouth(analysis, args.concern, args.corners),
        [f"{r:+.0f}mm" for r in rows[:-1]],
        CORNER_COLUMNS if args.corners else UNDER_COLUMNS,
        "columns: tenths of the half-mouth along it (corners at -10, 10), rows: mm "
        + ("below the line of the corners" if args.corners else "below the lower lip"),
        keep=lambda analysis: abs(analysis.faces[0].geometry.pose.yaw) <= args.max_yaw,
        concern=args.concern,
    )


if __name__ == "__main__":
    main()
