"""The face detector's confirmation of the landmark mesh on real photos.

Run: ``PYTHONPATH=python python benchmarks/eval_face_confirmation.py [--limit N]``
(about 3 minutes on 2 cores; ``--limit`` takes every k-th photo of each set).

For every photo of each set with a face that ``analyze()``'s geometric checks
accept (:func:`skincore.pipeline.check_face`), the confirmation of the largest
face's mesh (``FaceLandmarks.confirmation``, see :mod:`skincore.face.confirm`):
the face detector's highest probability in the crop the mesh defines, in the
orientation the finder chose with it. Printed
per set: the count, percentiles, how many fall below
``Limits().min_face_confirmation`` and the lowest photos by name, so that they can
be looked at (``skincore analyze PHOTO --out DIR``, then ``regions.png``).

Sets: UTKFace development faces (every skin tone and age), the dark-circle photos
with the test faces, the same photos turned upside down (faces found only in a
turned crop, the finder's hardest real case), and the ACNE04 development photos,
whose close-ups and profiles are where a mesh gets forced onto a cheek. On the
ACNE04 photos the lowest scores were checked by eye: below 0.65 every one was a
mesh on a cheek or a profile (eyes on the cheek, the mouth on an ear, upside
down); the lowest real face was at 0.70 (eyes closed, strong side light).
"""

from __future__ import annotations

import argparse
import glob
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from skincore.errors import SkinError
from skincore.face import FaceLandmarks
from skincore.face.finder import find_faces
from skincore.limits import Limits
from skincore.pipeline import check_face

T = TypeVar("T")

SHARED = Path("/work/shared")
HERE = Path(__file__).resolve().parents[1]
SETS = {
    "utkface": [str(SHARED / "data/utkface-dev/*.jpg")],
    "dark circles + test faces": [
        str(SHARED / "data/dark-circles/*/images/*.jpg"),
        str(SHARED / "faces/*.jpg"),
        str(HERE / "tests/data/faces/*.jpg"),
    ],
    "acne04": [str(SHARED / "data/acne04-dev/*.jpg")],
}


def score(rgb: np.ndarray) -> float | None:
    """Confirmation score of the largest face, or None when there is none to check."""
    found = find_faces(rgb, max_faces=1)
    if not found:
        return None
    box, lm = found[0]
    try:
        check_face(lm.points, box, rgb.shape[1], rgb.shape[0], Limits())
    except SkinError:
        return None
    return lm.confirmation


def set_files(patterns: list[str], limit: int = 0) -> list[str]:
    """The photos of one set (sorted); with ``limit``, every k-th for about that many."""
    files = sorted(f for p in patterns for f in glob.glob(p))
    return files[:: max(1, len(files) // limit)] if limit else files


def set_photos(patterns: list[str], limit: int = 0) -> Iterator[tuple[str, np.ndarray]]:
    """``(file name, RGB photo)`` of each photo of a set (:func:`set_files`)."""
    for f in set_files(patterns, limit):
        with Image.open(f) as im:
            yield Path(f).name, np.asarray(im.convert("RGB"))


def largest_checked_face(rgb: np.ndarray) -> FaceLandmarks | None:
    """The largest face's landmarks when ``analyze()``'s geometric checks accept it.

    :func:`skincore.pipeline.check_face` with the default limits, any share of
    the outline outside the photo allowed; None when no face is found or checked.
    """
    found = find_faces(rgb, max_faces=1)
    if not found:
        return None
    box, lm = found[0]
    try:
        check_face(lm.points, box, rgb.shape[1], rgb.shape[0], Limits(max_out_of_bound=1.0))
    except SkinError:
        return None
    return lm


def measured_sets(
    measure: Callable[[np.ndarray], T | None], limit: int = 0
) -> Iterator[tuple[str, list[tuple[str, T]]]]:
    """``(set name, [(file name, measure(rgb))])`` per set, photos measured None left out."""
    for name, patterns in SETS.items():
        rows = []
        for file_name, rgb in set_photos(patterns, limit):
            r = measure(rgb)
            if r is not None:
                rows.append((file_name, r))
        yield name, rows


def print_distribution(name: str, v: np.ndarray, threshold: float, digits: int = 2) -> None:
    """Print a set's count, percentiles (0, 1, 5, 50) and count below ``threshold``."""
    pct = np.percentile(v, [0, 1, 5, 50])
    print(
        f"\n{name}: {len(v)} faces; min {pct[0]:.{digits}f}, 1 % {pct[1]:.{digits}f}, "
        f"5 % {pct[2]:.{digits}f}, median {pct[3]:.{digits}f}; "
        f"below {threshold:.2f}: {int((v < threshold).sum())}"
    )


def report(name: str, rows: list[tuple[str, float]], threshold: float) -> None:
    """Print one set's distribution and its lowest photos."""
    if not rows:
        print(f"\n{name}: no photo")
        return
    print_distribution(name, np.array([s for _, s in rows]), threshold)
    for n, s in sorted(rows, key=lambda r: r[1])[:8]:
        print(f"  {s:.3f}  {n}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="about N photos per set (0 = all)")
    args = ap.parse_args()
    threshold = Limits().min_face_confirmation or 0.0
    turned: list[tuple[str, float]] = []
    for name, patterns in SETS.items():
        rows = []
        for file_name, rgb in set_photos(patterns, args.limit):
            s = score(rgb)
            if s is not None:
                rows.append((file_name, s))
            if name == "dark circles + test faces":
                s = score(np.ascontiguousarray(rgb[::-1, ::-1]))
                if s is not None:
                    turned.append((file_name, s))
        report(name, rows, threshold)
        if name == "dark circles + test faces":
            report("the same, upside down", turned, threshold)


if __name__ == "__main__":
    main()
