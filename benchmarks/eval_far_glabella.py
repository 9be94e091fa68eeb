"""Is the skin along a turned face's far glabella edge read rough, with and without its band?

    python benchmarks/eval_far_glabella.py [--faces DIR] [--data DIR] [--step N] [--min-yaw DEG]

The faces of ``shared/faces`` and every ``--step``-th ACNE04 photo (3 by
default; accepted with ``max_out_of_bound=0.5``) turned at least ``--min-yaw``
degrees (25) are analysed twice: with the band along the far side's glabella
edge left out of roughness's measured skin (``roughness.Params.far_glabella_mm``,
the default) and with it measured (``far_glabella_mm=0``). For each, the share
of the skin that reads rough by millimetre from the far side's glabella edge
(:data:`skincore.face.regions.FAR_GLABELLA`, brow head to the bridge's top;
positive away from the nose tip) and from the top of the far nose outline
(:data:`skincore.face.regions.NOSE_OUTLINE`'s first segment, beside the far
eye's inner corner), and the median and mean rough area of the faces.

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse

import numpy as np

import skincore
from _rough_bands import marked_face, nearest_on_path, photo_args, photos, run, tally
from skincore.concerns import roughness
from skincore.face.regions import FAR_GLABELLA, MIRROR, NOSE_OUTLINE

#: The rows: the subject's right paths (mirrored for a face whose far side is its left).
PATHS = {"glabella": FAR_GLABELLA, "bridge": NOSE_OUTLINE[:2]}
#: Millimetres from the path (positive away from the nose tip), one column each.
FROM_MM = np.arange(-4.5, 13.6, 1.5)
#: FaceMesh's nose tip.
NOSE_TIP = 4


def signed_distance(
    x: np.ndarray, y: np.ndarray, points: np.ndarray, path: tuple[int, ...]
) -> np.ndarray:
    """Distance (pixels) of each ``(x, y)`` from the polyline ``path``; negative towards the tip."""
    vertices = points[list(path)]
    dist, fx, fy, piece = nearest_on_path(x, y, vertices)
    d = np.diff(vertices, axis=0)
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1)
    mid = 0.5 * (vertices[:-1] + vertices[1:])
    outward = np.where(np.einsum("ij,ij->i", mid - points[NOSE_TIP], normal) > 0, 1.0, -1.0)
    off = (x - fx) * normal[piece, 0] + (y - fy) * normal[piece, 1]
    return np.where(off * outward[piece] < 0, -dist, dist)


def marked_along(analysis: skincore.Analysis) -> np.ndarray | None:
    """Rough and all pixel counts ``(2, len(PATHS), len(FROM_MM) - 1)`` by distance."""
    marked = marked_face(analysis, "roughness")
    if marked is None:
        return None
    lm, x, y, mask = marked
    geometry = analysis.faces[0].geometry
    far_left = geometry.pose.yaw > 0
    out = np.zeros((2, len(PATHS), len(FROM_MM) - 1))
    for k, path in enumerate(PATHS.values()):
        far = tuple(MIRROR[i] for i in path) if far_left else path
        mm = signed_distance(x, y, lm[:, :2], far) / geometry.px_per_mm
        tally(out, k, mm, mask, FROM_MM)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    photo_args(ap)
    ap.set_defaults(step=3)
    ap.add_argument("--min-yaw", type=float, default=25.0)
    args = ap.parse_args()
    settings = [
        ("default", roughness.Params()),
        ("far_glabella_mm=0", roughness.Params(far_glabella_mm=0.0)),
    ]
    run(
        photos(args),
        settings,
        marked_along,
        list(PATHS),
        FROM_MM,
        "by mm from the far side's path (negative towards the nose tip)",
        keep=lambda analysis: abs(analysis.faces[0].geometry.pose.yaw) >= args.min_yaw,
    )


if __name__ == "__main__":
    main()
