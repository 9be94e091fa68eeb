"""Wrinkles read on young acne faces: how many lines, what score, and how many lie on the acne.

    python benchmarks/eval_wrinkle_acne.py [--data DIR] [--near-mm 3]

Runs the wrinkle concern (defaults) on ``shared/faces``, every ACNE04
development photo and every second dark-circle photo, each once (the other
photos of ``tools/result_values.py``' sample, UTKFace and PoreNet, are skipped:
below the wrinkles' resolution, or a close-up), and prints per group
(``shared/faces``, ACNE04 by its acne grade 0-3, the dark-circle set) the faces
with a wrinkle result, the median lines a face, the median wrinkle load a face
(``sum(length_mm * depth)`` over its lines) and whole-face score, and the
share of lines with half or more of their points within ``--near-mm`` of an
acne-kind lesion the lesion detection finds (papule, pustule, nodule, closed
comedone, acne mark), with the median load left without them.

ACNE04's subjects are acne patients in their teens and twenties, so their
lines are mostly the tracer's reading of the photo, not creases: the figures
show how far that reading goes (README, wrinkles' Limits). There are no
wrinkle labels. On 2026-12-05 (medians a face: lines, load, score; share of
lines on acne, load without them): grade 0 (37 faces) 24, 27.7, 93, 0.12,
25.8; grade 1 (59) 34, 43.1, 92, 0.19, 34.7; grade 2 (11) 69, 85.7, 83, 0.25,
60.8; grade 3 (6) 32, 45.2, 91, 0.38, 35.7; dark circles (14) 12, 23.3, 96.5,
0.15, 19.4; ``shared/faces`` (10) 17, 13.8, 97, 0.01, 13.8.
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.ndimage import distance_transform_edt

from _wrinkle_photos import face_works, wrinkle_photos
from skincore import geometry
from skincore.concerns import wrinkles as W
from skincore.concerns.acne import KINDS as ACNE_KINDS
from skincore.concerns.colour_lesions import face_lesions
from skincore.concerns.lesion_rules import LesionParams

HERE = Path(__file__).resolve().parents[1]


def group(f: Path) -> str:
    """The photo's group: ``faces``, ``acne grade N`` or ``dark circles``."""
    m = re.match(r"levle(\d)_", f.name)
    if m:
        return f"acne grade {m.group(1)}"
    return "dark circles" if "dark-circles" in f.parts else "faces"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    ap.add_argument("--near-mm", type=float, default=3.0)
    args = ap.parse_args()
    files = wrinkle_photos(args.data, every_acne=1, every_dark=2)
    # the sample's UTKFace and PoreNet photos: below the wrinkles' resolution, or a close-up
    files = [f for f in files if group(f) != "faces" or "faces" in f.parts]
    rows: dict[str, list[tuple[int, float, float, int, float]]] = defaultdict(list)
    params = W.Params()
    for f, work in face_works(files):
        res = W.measure(work, params)
        if res is None:
            continue
        found_lesions = face_lesions(work, LesionParams())
        polys = [les.polygon for les in found_lesions if les.kind in ACNE_KINDS]
        near = np.zeros(work.rgb.shape[:2], bool)
        if polys:
            acne = geometry.fill_union(polys, near.shape)
            near = distance_transform_edt(acne == 0) <= args.near_mm * work.px_per_mm
        h, w = near.shape
        lines = [ln for z in res.zones.values() for ln in z.lines]
        on_acne = 0
        load_off = 0.0
        for ln in lines:
            p = np.round(ln.points).astype(int)
            share = near[p[:, 1].clip(0, h - 1), p[:, 0].clip(0, w - 1)].mean()
            if share >= 0.5:
                on_acne += 1
            else:
                load_off += ln.length_mm * ln.depth
        load = sum(ln.length_mm * ln.depth for ln in lines)
        score = W.grade(res, params).whole.score
        rows[group(f)].append((len(lines), load, score, on_acne, load_off))
    head = ("group", "faces", "lines", "load", "score", "on acne", "load off")
    print("{:<14} {:>5} {:>6} {:>6} {:>6} {:>8} {:>9}".format(*head))
    for g in sorted(rows):
        v = np.array(rows[g], dtype=np.float64)
        share = v[:, 3].sum() / max(v[:, 0].sum(), 1.0)
        n, load, score, _, off = (statistics.median(v[:, i]) for i in range(5))
        print(f"{g:<14} {len(v):>5} {n:>6.0f} {load:>6.1f} {score:>6.1f} {share:>8.2f} {off:>9.1f}")


if __name__ == "__main__":
    main()
