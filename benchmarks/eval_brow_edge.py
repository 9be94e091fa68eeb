"""Does the skin just above the brows read rough, and more so on closed-eye photos?

    python benchmarks/eval_brow_edge.py [--faces DIR] [--data DIR] [--step N]
        [--max-open 0.12]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (3 by
default; accepted with ``max_out_of_bound=0.5``): the share of the skin that
reads rough by millimetre from each brow's upper edge (FaceMesh 70-107 and
300-336; positive away from the eye), first over every face, then over the faces
whose eyes are both closed (the lids' gap under ``--max-open`` of the eye's
width). On some closed-eye three-quarter photos the mesh puts the brow on the
closed lid, so the brow's hair lies above its polygon, in the forehead zone.
On 2026-12-05 with ``--step 1`` (248 faces): 0.13-0.15 of the skin 4.5-6 mm
above the brows reads rough, 0.08 at 15 mm; with both eyes closed (8 faces)
0.12-0.20 against 0.07-0.08.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, nearest_on_path, photo_args, photos, run, tally
from skincore.concerns import roughness

#: Each brow's upper edge (FaceMesh), subject's right and left.
PATHS = {"right": (70, 63, 105, 66, 107), "left": (300, 293, 334, 296, 336)}
#: The upper lid's middle of each eye: distances grow away from it.
EYE = {"right": 159, "left": 386}
#: Millimetres from the brow's upper edge, one column each.
FROM_MM = np.arange(-3.0, 18.1, 1.5)
#: Each eye's (upper lid, lower lid, outer corner, inner corner).
LIDS = ((159, 145, 33, 133), (386, 374, 263, 362))


def above_brows(analysis: skincore.Analysis) -> np.ndarray | None:
    """Rough and all pixel counts ``(2, 2, len(FROM_MM) - 1)`` by mm from each brow."""
    marked = marked_face(analysis, "roughness")
    if marked is None:
        return None
    lm, x, y, mask = marked
    ppm = analysis.faces[0].geometry.px_per_mm
    out = np.zeros((2, len(PATHS), len(FROM_MM) - 1))
    for k, (side, path) in enumerate(PATHS.items()):
        dist, fx, fy, _ = nearest_on_path(x, y, lm[list(path), :2])
        ex, ey = lm[EYE[side], :2]
        away = np.hypot(x - ex, y - ey) >= np.hypot(fx - ex, fy - ey)
        tally(out, k, np.where(away, dist, -dist) / ppm, mask, FROM_MM)
    return out


def openness(analysis: skincore.Analysis) -> float:
    """The wider-open eye's lid gap over its width (FaceMesh)."""
    lm = np.asarray(analysis.faces[0].geometry.landmarks, np.float64)[:, :2]
    return max(
        float(np.hypot(*(lm[u] - lm[d])) / np.hypot(*(lm[a] - lm[b]))) for u, d, a, b in LIDS
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.set_defaults(step=3)
    ap.add_argument("--max-open", type=float, default=0.12)
    args = ap.parse_args()
    settings = [("default", roughness.Params())]
    what = "by mm from the brow's upper edge (positive away from the eye)"
    run(photos(args), settings, above_brows, list(PATHS), FROM_MM, what)
    print("eyes closed:")
    run(
        photos(args),
        settings,
        above_brows,
        list(PATHS),
        FROM_MM,
        what,
        keep=lambda analysis: openness(analysis) < args.max_open,
    )


if __name__ == "__main__":
    main()
