"""What the photo resolves on the skin (``Quality.resolved_px_per_mm``) on real photos.

    python benchmarks/eval_resolution.py [--data DIR] [--step N]

For each test face of ``shared/faces``: at its own resolution, JPEG q30, darkened
to 0.15 of its linear light (light skin to the levels of dark skin: its texture
loses L* contrast, the 8-bit noise does not), blurred by a Gaussian of 1 and 2 px,
and shrunk to 0.7 / 0.5 / 0.35 and upscaled back
(bicubic) to its own size; then every ``--step``-th photo of ACNE04 and of the
dark-circle set, and every ``10 * step``-th UTKFace crop at its own size and
upscaled four times. Prints, per variant, the octave energy ratios (finest band
over the next; see :mod:`skincore.concerns.resolution`), the finest band's RMS in
L* (both pooled over the three zone windows), and the sampling the photo is
found to resolve (what most windows resolve) against the grid's. Needs
``../shared`` (not shipped).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from skincore.concerns import resolution
from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE / "tests"))
from synthetic import darkened  # noqa: E402 - the tests' photo transforms


def measure(img: Image.Image) -> tuple[float, float, np.ndarray] | None:
    """(grid px/mm, resolved px/mm, octave energies) of the photo's face, or None."""
    rgb = np.asarray(img.convert("RGB"))
    found = find_faces(rgb, max_faces=1)
    if not found:
        return None
    ctx = FaceWork(rgb, found[0][1].points).texture
    e = resolution.octave_energies(ctx)
    if e is None:
        return None
    return float(ctx.px_per_mm), resolution.resolved_px_per_mm(ctx), e


def variants(img: Image.Image) -> dict[str, Image.Image]:
    """The test variants of one sharp photo."""
    out = {"own": img}
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=30)
    out["jpeg q30"] = Image.open(io.BytesIO(buf.getvalue()))
    out["darkened x0.15"] = darkened(img, 0.15)
    for s in (1, 2):
        out[f"gauss {s} px"] = img.filter(ImageFilter.GaussianBlur(s))
    for f in (0.7, 0.5, 0.35):
        small = img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.LANCZOS)
        out[f"x{f} and back"] = small.resize(img.size, Image.Resampling.BICUBIC)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data")
    ap.add_argument("--step", type=int, default=10)
    args = ap.parse_args()
    rows: dict[str, list[tuple[str, float, float, np.ndarray]]] = defaultdict(list)

    def add(tag: str, name: str, img: Image.Image) -> None:
        r = measure(img)
        if r is not None:
            rows[tag].append((name, *r))

    for path in sorted((args.data.parent / "faces").glob("*.jpg")):
        for tag, img in variants(Image.open(path).convert("RGB")).items():
            add(tag, path.stem, img)
    for name in ("acne04-dev", "dark-circles"):
        for path in sorted((args.data / name).rglob("*.jpg"))[:: args.step]:
            add(name, path.stem, Image.open(path))
    for path in sorted((args.data / "utkface-dev").glob("*.jpg"))[:: 10 * args.step]:
        img = Image.open(path).convert("RGB")
        add("utkface", path.stem, img)
        add("utkface x4", path.stem, img.resize((800, 800), Image.Resampling.BICUBIC))
    print(
        f"{'photos':<16}{'n':>4}  {'e0/e1 min..max':>15}  {'e0 L* min..max':>15}"
        f"  {'resolved / grid px/mm':>22}  {'lowered':>7}"
    )
    for tag, rs in rows.items():
        ratio = [e[0] / e[1] for _, _, _, e in rs]
        e0 = [100 * e[0] for _, _, _, e in rs]
        share = [r / g for _, g, r, _ in rs]
        low = sum(s < 1 for s in share)
        print(
            f"{tag:<16}{len(rs):>4}  {min(ratio):>7.2f}..{max(ratio):<6.2f}"
            f"  {min(e0):>7.3f}..{max(e0):<6.3f}  {min(share):>10.2f}..{max(share):<10.2f}"
            f"  {low:>4}/{len(rs)}"
        )


if __name__ == "__main__":
    main()
