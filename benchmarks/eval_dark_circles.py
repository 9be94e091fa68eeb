"""Dark circles on the weakly labelled Roboflow set: a smoke test, not ground truth.

    PYTHONPATH=python python benchmarks/eval_dark_circles.py [--data DIR]

``shared/data/dark-circles`` (CC BY 4.0, Roboflow export; 83 web photos, some
composites or generated faces) has YOLO boxes around the eyes with the classes
high / low / moderate / no_dark_circle. The photo's label is its most severe box
(no_dark_circle 0, low 1, moderate 2, high 3); skincore's is the dark-circle
severity of the largest face (0 none, 1 mild, 2 moderate, 3 severe). Prints how
many photos were analysed or refused (and why), the confusion matrix, the exact
and within-one agreement and the rank correlation. There is no target: the labels
are weak.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

import skincore

HERE = Path(__file__).resolve().parents[1]
CLASS_LEVEL = {0: 3, 1: 1, 2: 2, 3: 0}  # high, low, moderate, no_dark_circle


def _label(path: Path) -> int | None:
    rows = [r.split() for r in path.read_text().splitlines() if r.strip()]
    levels = [CLASS_LEVEL[int(r[0])] for r in rows if r and int(r[0]) in CLASS_LEVEL]
    return max(levels) if levels else None


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data" / "dark-circles")
    args = ap.parse_args()
    an = skincore.Analyzer(concerns=("dark_circles",))
    truth, pred, refused = [], [], Counter()
    for split in ("train", "valid", "test"):
        for img in sorted((args.data / split / "images").glob("*.jpg")):
            lab = _label(args.data / split / "labels" / (img.stem + ".txt"))
            if lab is None:
                refused["no label"] += 1
                continue
            try:
                face = an.analyze(img).faces[0]
            except skincore.SkinError as err:
                refused[err.code] += 1
                continue
            g = face.grades.get("dark_circles")
            if g is None:
                refused["not measured"] += 1
                continue
            truth.append(lab)
            pred.append(int(g.whole.severity))
    t, p = np.array(truth), np.array(pred)
    print(f"analysed {len(t)} photos; refused {sum(refused.values())}: {dict(refused)}")
    print("confusion (rows: label 0-3, columns: skincore severity 0-3)")
    for i in range(4):
        print(f"  {i}: " + " ".join(f"{int(np.sum((t == i) & (p == j))):3d}" for j in range(4)))
    if len(t):
        print(
            f"exact agreement {np.mean(t == p):.2f}, within one {np.mean(abs(t - p) <= 1):.2f}, "
            f"Spearman {_spearman(t, p):.2f}"
        )


if __name__ == "__main__":
    main()
