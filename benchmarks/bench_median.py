"""skincore.median.median against numpy.median (the same value, bit for bit).

Sizes of the concerns' medians at 1080p: ~150 000 skin pixels of the colour grid
(radiance, the lesion search's skin tone and noise levels), ~40 000 (a quarter
of the lesion work grid).

Run: ``PYTHONPATH=python python benchmarks/bench_median.py``.
"""

from __future__ import annotations

import numpy as np

from _timing import Row, median_ms, print_table
from skincore.median import median


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for n in (40_001, 150_000, 1_000_001):
        x = (rng.standard_normal(n) * 5 + 60).astype(np.float32)
        assert median(x) == float(np.median(x))
        ours = median_ms(lambda x=x: median(x), repeat=21)
        rows.append(
            Row(
                f"median float32 n={n}",
                ours,
                "numpy.median",
                median_ms(lambda x=x: np.median(x), repeat=21),
            )
        )
        rows.append(
            Row(
                f"median float32 n={n}",
                ours,
                "numpy.sort (full)",
                median_ms(lambda x=x: np.sort(x), repeat=21),
            )
        )
    print_table("median (1 thread; numpy partitions at two ranks take a slow path)", rows)


if __name__ == "__main__":
    main()
