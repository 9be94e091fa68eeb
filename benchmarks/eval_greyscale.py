"""How far the face's pixels spread between R, G and B (``Limits.min_colour_spread``).

Run: ``PYTHONPATH=python python benchmarks/eval_greyscale.py [--limit N]``
(about 3 minutes on 2 cores for every photo; ``--limit`` takes about N photos
of each set).

For every photo of each set with a face that ``analyze()``'s geometric checks
accept (:func:`skincore.pipeline.check_face`), the colour spread of the largest
face (:func:`skincore.face.greyscale.colour_spread`: the 99th percentile over
the face oval of each pixel's ``(max(R, G, B) - min(R, G, B)) / (max + 16)``).
Printed per set:
the count, percentiles, how many fall below ``Limits().min_colour_spread``, and
every photo under :data:`LIST_BELOW` by name, so that they can be looked at.
UTKFace holds some 40 black-and-white photos among its colour ones; the other
sets are all colour.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from eval_face_confirmation import largest_checked_face, measured_sets, print_distribution
from skincore.face.greyscale import colour_spread
from skincore.limits import Limits

#: Photos whose spread lies under this are listed by name.
LIST_BELOW = 0.25


def measure(rgb: np.ndarray) -> float | None:
    """The colour spread of the largest face, or None when no face is checked."""
    lm = largest_checked_face(rgb)
    return None if lm is None else colour_spread(rgb, lm.points)


def report(name: str, rows: list[tuple[str, float]], threshold: float) -> None:
    """Print one set's distribution and the photos under :data:`LIST_BELOW`."""
    rows = [r for r in rows if not math.isnan(r[1])]
    if not rows:
        print(f"\n{name}: no photo")
        return
    print_distribution(name, np.array([s for _, s in rows]), threshold, digits=3)
    low = sorted((r for r in rows if r[1] < LIST_BELOW), key=lambda r: r[1])
    print(f"  under {LIST_BELOW:.2f}: {len(low)}")
    for n, s in low:
        print(f"  {s:.3f}  {n}")


def main() -> None:
    """Print the table (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="about N photos per set (0 = all)")
    args = ap.parse_args()
    threshold = Limits().min_colour_spread or 0.0
    for name, rows in measured_sets(measure, args.limit):
        report(name, rows, threshold)


if __name__ == "__main__":
    main()
