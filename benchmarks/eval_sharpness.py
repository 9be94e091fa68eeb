"""The iris edge's width on the face (``Quality.blur_mm``) on real photos.

    python benchmarks/eval_sharpness.py [--data DIR]

Prints, for the test faces of ``shared/faces``, the width at the photo's own
resolution and at half of it; for UTKFace crops, at their own size and upscaled
twice (an upscaled photo must read as the photo it was made from); then the
distribution (median, 90th percentile, share above the quality-control limit
``QUALITY_CONTROL["max_blur_mm"]``) over every third photo of ACNE04 and of the
dark-circle set and every 40th UTKFace crop. Faces without an open eye read NaN
and are counted apart. Needs ``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from PIL import Image

from skincore.face.finder import find_faces
from skincore.face.scale import px_per_mm
from skincore.face.sharpness import limbus_blur_mm
from skincore.limits import QUALITY_CONTROL

HERE = Path(__file__).resolve().parents[1]


def _blur(img: Image.Image) -> tuple[float, float] | None:
    """(blur in mm, px/mm) of the photo's largest face, or None without a face."""
    rgb = np.asarray(img.convert("RGB"))
    found = find_faces(rgb, max_faces=1)
    if not found:
        return None
    pts = found[0][1].points
    return limbus_blur_mm(rgb, pts), px_per_mm(pts)


def _scaled(img: Image.Image, f: float) -> Image.Image:
    return img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.BICUBIC)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    args = ap.parse_args()
    faces = sorted((args.data.parent / "faces").glob("*.jpg"))
    utk = sorted((args.data / "utkface-dev").glob("*.jpg"))
    print("photo                     own: px/mm  blur mm | rescaled: px/mm  blur mm")
    for path, f in [(p, 0.5) for p in faces] + [(p, 2.0) for p in utk[200:206]]:
        img = Image.open(path)
        a, b = _blur(img), _blur(_scaled(img, f))
        if a is None or b is None:
            print(f"{path.name[:24]:<26}no face")
            continue
        print(f"{path.name[:24]:<26}{a[1]:>10.2f} {a[0]:>8.3f} | x{f}: {b[1]:>6.2f} {b[0]:>8.3f}")
    limit = QUALITY_CONTROL["max_blur_mm"]
    sets = {
        "acne04-dev": sorted((args.data / "acne04-dev").glob("*.jpg"))[2::3],
        "dark-circles": sorted((args.data / "dark-circles").rglob("*.jpg"))[2::3],
        "utkface-dev": utk[39::40],
    }
    print(f"\nset            faces  no open eye  median   p90   above {limit} mm")
    for name, files in sets.items():
        vals, closed = [], 0
        for path in files:
            got = _blur(Image.open(path))
            if got is None:
                continue
            if math.isnan(got[0]):
                closed += 1
            else:
                vals.append(got[0])
        v = np.asarray(vals)
        above = int((v > limit).sum())
        print(
            f"{name:<15}{v.size + closed:>5} {closed:>12} {np.median(v):>7.3f} "
            f"{np.percentile(v, 90):>5.3f} {above:>6}"
        )


if __name__ == "__main__":
    main()
