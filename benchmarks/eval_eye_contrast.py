"""The eye contrast of the landmark mesh on real photos (``Limits.min_eye_contrast``).

Run: ``PYTHONPATH=python python benchmarks/eval_eye_contrast.py [--limit N]``
(about 4 minutes on 2 cores for every photo; ``--limit`` takes about N photos
of each set).

For every photo of each set with a face that ``analyze()``'s geometric checks
accept (:func:`skincore.pipeline.check_face`), the eye contrast of the largest
face's mesh (:func:`skincore.face.eye_contrast.eye_contrast`): how far the
darkest tenth of L* in a box along each eye's corner line lies below the
cheeks' median, or how widely L* spreads there, on the scale of the skin's
lightness. Printed per set:
the count, percentiles, how many fall below ``Limits().min_eye_contrast`` and
the lowest photos by name with the face detector's confirmation of the mesh
(``FaceLandmarks.confirmation``), so that they can be looked at (with
``Limits(min_eye_contrast=None)``, ``analyze()`` measures such a mesh).

Sets: the UTKFace development faces (every skin tone and age), the dark-circle
photos with the test faces, and the ACNE04 development photos, whose close-ups
and profiles are where a mesh gets forced onto a cheek.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from eval_face_confirmation import largest_checked_face, measured_sets, print_distribution
from skincore.face.eye_contrast import eye_contrast
from skincore.limits import Limits


def measure(rgb: np.ndarray) -> tuple[float, float] | None:
    """(eye contrast, confirmation) of the largest face, or None when none is checked."""
    lm = largest_checked_face(rgb)
    return None if lm is None else (eye_contrast(rgb, lm.points), float(lm.confirmation))


def report(name: str, rows: list[tuple[str, float, float]], threshold: float) -> None:
    """Print one set's distribution and its lowest photos."""
    rows = [r for r in rows if not math.isnan(r[1])]
    if not rows:
        print(f"\n{name}: no photo")
        return
    print_distribution(name, np.array([s for _, s, _ in rows]), threshold, digits=3)
    for n, s, c in sorted(rows, key=lambda r: r[1])[:12]:
        print(f"  {s:.3f}  (confirmation {c:.2f})  {n}")


def main() -> None:
    """Print the table (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="about N photos per set (0 = all)")
    args = ap.parse_args()
    threshold = Limits().min_eye_contrast or 0.0
    for name, rows in measured_sets(measure, args.limit):
        report(name, [(n, *r) for n, r in rows], threshold)


if __name__ == "__main__":
    main()
