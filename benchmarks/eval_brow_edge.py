"""Does the skin just above the brows read rough, and more so on closed-eye photos?

    python benchmarks/eval_brow_edge.py [--faces DIR] [--data DIR] [--step N]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (3 by
default; accepted with ``max_out_of_bound=0.5``): the share of the skin that
reads rough by millimetre from each brow's upper edge (FaceMesh 70-107 and
300-336; positive away from the eye), first over every face, then over the faces
whose eyes are both closed (lids at most ``EYE_CLOSED_MM``, 3 mm, apart at
mid-eye by the mesh, as the lash band reads them). On some closed-eye
three-quarter photos the mesh puts the brow on the closed lid, so the brow's
hair lies above its polygon, in the forehead zone. On 2026-12-05 with
``--step 1`` (248 faces): 0.13-0.15 of the skin 4.5-6 mm above the brows reads
rough, 0.08 at 15 mm; with both eyes closed (10 faces) 0.09-0.15 against
0.03-0.05 from 10.5 mm.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, nearest_on_path, photo_args, photos, run, tally
from skincore.concerns import roughness
from skincore.face.regions import EYE_CLOSED_MM, lower_lid_frame

#: Each brow's upper edge (FaceMesh), subject's right and left.
PATHS = {"right": (70, 63, 105, 66, 107), "left": (300, 293, 334, 296, 336)}
#: The upper lid's middle of each eye: distances grow away from it.
EYE = {"right": 159, "left": 386}
#: Millimetres from the brow's upper edge, one column each.
FROM_MM = np.arange(-3.0, 18.1, 1.5)


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


def eyes_closed(analysis: skincore.Analysis) -> bool:
    """Whether both eyes' lids lie at most :data:`EYE_CLOSED_MM` apart (the lash band's test)."""
    lm = analysis.faces[0].geometry.landmarks
    return all(lower_lid_frame(lm, side)[2] <= EYE_CLOSED_MM for side in PATHS)


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.set_defaults(step=3)
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
        keep=eyes_closed,
    )


if __name__ == "__main__":
    main()
