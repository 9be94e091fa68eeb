"""Glasses on labelled and unlabelled real photos: the detector against the edge contrast alone.

    python benchmarks/eval_glasses.py [--data DIR]

Prints, per set, how many faces the detector reads as wearing glasses (what
``analyze()`` reports: the cues of ``skincore.face.glasses.detect_glasses`` and a
frame, not creases, found by ``find_frame`` on the face work's colour grid), and
how many the edge contrast across the nose bridge alone (``score >= 2.5``, the
detector before 2026-12-03) did; for every face the cues read as wearing glasses,
the pieces the frame search found (more than ``FRAME_MAX_PIECES`` are creases):

* the hand-labelled UTKFace crops of ``tests/data/utkface_glasses_labels.csv``
  (ages 45-80, 200 px upscaled to 400 px; ``dev`` chose the cues, ``val``
  checks them): true and false positive rates;
* ``acne04-dev`` (the bar and rim cues were chosen with these as further
  negatives), the dark-circle set and ``shared/faces``: no face there wears
  glasses, so every detection is a false alarm; they are listed.

Landmarks come from :func:`skincore.face.finder.find_faces`. Needs
``../shared/data`` (not shipped); about two minutes on 2 cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces
from skincore.face.glasses import FRAME_MAX_PIECES

HERE = Path(__file__).resolve().parents[1]
#: The edge-contrast threshold of the detector before the bar and rim cues.
OLD_THRESHOLD = 2.5


def _detect(rgb: np.ndarray) -> tuple[bool, bool, int | None] | None:
    """(detector, edge contrast alone, frame pieces or None) for the photo's largest
    face, or None when no face is found."""
    found = find_faces(rgb, max_faces=1)
    if not found:
        return None
    work = FaceWork(rgb, found[0][1].points)
    frame = work.frame  # searched when the cues read glasses
    pieces = None if frame is None else frame.pieces
    return work.wears_glasses, work.glasses.score >= OLD_THRESHOLD, pieces


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    args = ap.parse_args()
    labels = HERE / "tests" / "data" / "utkface_glasses_labels.csv"
    rows = [
        line.strip().split(",")
        for line in labels.read_text().splitlines()
        if line and not line.startswith(("#", "file,"))
    ]
    print("UTKFace crops (hand-labelled): TPR / FPR, detector (edge contrast alone)")
    pieces: dict[str, list[int]] = {"with glasses": [], "without": []}
    for split in ("dev", "val"):
        res: list[tuple[bool, bool, bool]] = []
        for file, s, label in rows:
            if s != split:
                continue
            img = Image.open(args.data / "utkface-dev" / file).convert("RGB")
            got = _detect(np.asarray(img.resize((400, 400), Image.BICUBIC)))
            if got is not None:
                res.append((label == "1", got[0], got[1]))
                if got[2] is not None:
                    pieces["with glasses" if label == "1" else "without"].append(got[2])
        truth = np.array([t for t, _, _ in res])
        for k, name in ((1, "detector"), (2, "edge contrast alone")):
            pred = np.array([r[k] for r in res])
            tpr = (pred & truth).sum() / max(1, truth.sum())
            fpr = (pred & ~truth).sum() / max(1, (~truth).sum())
            head = f"  {split} {name:<20} n={len(res)} ({truth.sum()} with)"
            print(f"{head}: TPR {tpr:.2f} FPR {fpr:.2f}")
    sets = {
        "acne04-dev": sorted((args.data / "acne04-dev").glob("*.jpg")),
        "dark-circles": sorted((args.data / "dark-circles").rglob("*.jpg")),
        "shared/faces": sorted((args.data.parent / "faces").glob("*.jpg")),
    }
    print(f"  frame pieces where the cues read glasses (more than {FRAME_MAX_PIECES}: creases):")
    for kind, counts in pieces.items():
        print(f"    {kind}: {sorted(counts)}")
    print("Sets without glasses: false alarms, detector (edge contrast alone)")
    for name, files in sets.items():
        n, new, old, searched = 0, [], 0, []
        for f in files:
            got = _detect(np.asarray(Image.open(f).convert("RGB")))
            if got is None:
                continue
            n += 1
            old += got[1]
            if got[0]:
                new.append(f.name[:24])
            if got[2] is not None:
                searched.append(f"{f.name[:12]}:{got[2]}")
        print(f"  {name:<13} {len(new)} of {n} faces ({old}): {' '.join(new)}")
        print(f"    frame pieces where the cues read glasses: {' '.join(searched) or 'none'}")


if __name__ == "__main__":
    main()
