"""Where do roughness and the brown-spot count stop holding as a face gets smaller?

    python benchmarks/eval_sampling_floors.py [--faces DIR] [--data DIR] [--step N]

Each photo is analysed at its own size and shrunk (Lanczos) so that its face is
sampled at each of a few px/mm; a measurement that the photo still shows keeps
its value, one the photo has lost drifts (and a smaller count or area reads as
healthier skin). Two tables:

* ``roughness``: the rough area of each face of ``shared/faces`` (every skin
  tone) and its ratio to the face's own, at 4 to 1 px/mm. Its floor,
  ``roughness.MIN_PX_PER_MM``, is switched off for the run (the concern would
  otherwise be absent below it).
* ``lesions``: every ``--step``-th ACNE04 photo of grades 1-3 sampled at 2.2 px/mm
  or more, at 2.0 to 1.0 px/mm: the sums over the photos of the active acne count,
  the brown-spot count, the brown area and the red area, as ratios to their own
  (the spot floor, ``pigmentation.SPOT_MIN_PX_PER_MM``, switched off likewise).

Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image

import skincore
from skincore.concerns import pigmentation, roughness
from skincore.concerns.registry import REGISTRY
from skincore.errors import SkinError

HERE = Path(__file__).resolve().parents[1]
ROUGH_SAMPLINGS = (4.0, 3.0, 2.5, 2.0, 1.8, 1.6, 1.45, 1.3, 1.0)
LESION_SAMPLINGS = (2.0, 1.6, 1.3, 1.0)


def shrunk(img: Image.Image, factor: float) -> np.ndarray:
    """The photo resized by ``factor`` (< 1), Lanczos."""
    size = (round(img.width * factor), round(img.height * factor))
    return np.asarray(img.resize(size, Image.Resampling.LANCZOS))


def rough_table(an: skincore.Analyzer, faces: Path) -> None:
    print("rough area (ratio to the face's own) at the face's sampling, px/mm")
    print(f"{'face':<26}{'own':>12}" + "".join(f"{t:>12}" for t in ROUGH_SAMPLINGS))
    for path in sorted(faces.glob("*.jpg")):
        img = Image.open(path).convert("RGB")
        own = an.analyze(np.asarray(img)).faces[0]
        ref = own.concerns["roughness"].area
        ppm = own.geometry.px_per_mm
        cells = [f"{ppm:5.1f}:{ref:.3f}"]
        for t in ROUGH_SAMPLINGS:
            if t >= ppm:
                cells.append("-")
                continue
            try:
                area = an.analyze(shrunk(img, t / ppm)).faces[0].concerns["roughness"].area
            except SkinError as e:
                cells.append(e.code[:11])
                continue
            cells.append(f"{area:.3f} {area / ref if ref else float('nan'):.2f}")
        print(f"{path.stem[:25]:<26}" + "".join(f"{c:>12}" for c in cells))


def _lesion_values(face: object) -> tuple[float, float, float, float]:
    c = face.concerns  # type: ignore[attr-defined]
    pig = c["pigmentation"]
    return (c["acne"].active_count, len(pig.spots), pig.brown_area, c["redness"].area)


def lesion_table(an: skincore.Analyzer, data: Path, step: int) -> None:
    paths = sorted((data / "acne04-dev").glob("levle[123]_*.jpg"))[::step]
    rows = []
    for path in paths:
        img = Image.open(path).convert("RGB")
        try:
            own = an.analyze(np.asarray(img)).faces[0]
        except SkinError:
            continue
        ppm = own.geometry.px_per_mm
        if ppm < 2.2:
            continue
        row = [_lesion_values(own)]
        for t in LESION_SAMPLINGS:
            try:
                row.append(_lesion_values(an.analyze(shrunk(img, t / ppm)).faces[0]))
            except SkinError:
                row.append((np.nan,) * 4)
        rows.append(row)
    v = np.array(rows, float)  # photos x (own + samplings) x values
    print(f"\nACNE04 grades 1-3, {len(rows)} photos at 2.2 px/mm or more: sums as ratios to own")
    print(f"{'value':<14}{'own sum':>10}" + "".join(f"{t:>8}" for t in LESION_SAMPLINGS))
    for j, name in enumerate(("active acne", "brown spots", "brown area", "red area")):
        own = np.nansum(v[:, 0, j])
        ratios = [np.nansum(v[:, i + 1, j]) / own for i in range(len(LESION_SAMPLINGS))]
        print(f"{name:<14}{own:>10.2f}" + "".join(f"{r:>8.2f}" for r in ratios))


def _floors_off() -> contextlib.ExitStack:
    """Switch the roughness and spot floors off (the values below them are the point)."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(roughness, "MIN_PX_PER_MM", 0.0))
    stack.enter_context(mock.patch.object(pigmentation, "SPOT_MIN_PX_PER_MM", 0.0))
    unfloored = dataclasses.replace(roughness.CONCERN, min_px_per_mm=None)
    stack.enter_context(mock.patch.dict(REGISTRY, {"roughness": unfloored}))
    return stack


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=Path, default=HERE.parent / "shared" / "faces")
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    ap.add_argument("--step", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    with _floors_off():
        rough_table(skincore.Analyzer(threads=args.threads, concerns=("roughness",)), args.faces)
        colour = ("acne", "pigmentation", "redness")
        lesion_table(skincore.Analyzer(threads=args.threads, concerns=colour), args.data, args.step)


if __name__ == "__main__":
    main()
