"""Pores against a hand-labelled pore mask: the PoreNet close-up of ``../shared/data``.

Run: ``PYTHONPATH=python python benchmarks/eval_pores_porenet.py [--overlay FILE.png]``.

``shared/data/porenet`` holds one close face photo (1801x1574, light skin, eyes
closed, the face's outline leaving the photo) with a mask of every pore a person
marked on the glabella, the nose and both cheeks (Pore-Net release, Apache-2.0;
see its ``SOURCES.md``). The photo goes through ``skincore.analyze`` (the product
path, with ``max_out_of_bound`` relaxed for the close-up) and its pores
(``FaceResult.pores.blobs``) are matched to the marked pores:

- a detection is **right** when a marked pixel lies within its radius of its
  centre (the nearest marked pore is then the one it found);
- a marked pore is **found** when a right detection's nearest marked pixel is one
  of its own;
- both over the marked region that lies in skincore's pore zones (forehead,
  nose, cheeks, chin polygons), where skincore looks for pores.

Marked pores are binned by their equivalent radius ``sqrt(area / pi)``: skincore
defines a pore from a radius of 0.28 mm (``PoreParams``) and an enlarged one from
0.35 mm; the marks go down to 0.1 mm.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage as ndi

import skincore
from skincore.analysis import PORE_ZONES

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "porenet" / "data_examples"
NAME = "20190315_144533_white.png"
BINS_MM = (0.0, 0.2, 0.28, 0.35, 0.45)


def zone_mask(regions: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """The union of the pore zones' polygons, rasterised at the photo's size."""
    im = Image.new("L", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(im)
    for name in PORE_ZONES:
        poly = regions.get(name)
        if poly is not None and len(poly) >= 3:
            draw.polygon([tuple(map(float, p)) for p in np.asarray(poly)[:, :2]], fill=255)
    return np.asarray(im) > 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--overlay", type=Path, help="write the matches drawn on the photo")
    args = ap.parse_args()
    photo = args.data / "input_cropped" / NAME
    if not photo.is_file():
        raise SystemExit(f"{photo} not found (../shared/data/porenet)")
    rgb = np.asarray(Image.open(photo).convert("RGB"))
    marked = np.asarray(Image.open(args.data / "label_cropped" / NAME))[..., 0] > 127
    region = np.asarray(Image.open(args.data / "mask_cropped" / NAME))[..., 0] > 127

    t0 = time.perf_counter()
    face = skincore.analyze(rgb, limits=skincore.Limits(max_out_of_bound=0.6)).faces[0]
    dt = time.perf_counter() - t0
    pores = face.pores
    ppm = float(pores.px_per_mm)
    where = region & zone_mask(face.geometry.regions, marked.shape)

    comp, n_comp = ndi.label(marked)
    radius_mm = np.sqrt(np.bincount(comp.ravel())[1:] / np.pi) / ppm
    dist, (iy, ix) = ndi.distance_transform_edt(~marked, return_indices=True)
    blobs = np.asarray(pores.blobs, np.float64)
    h, w = marked.shape
    xi = np.clip(blobs[:, 0].astype(int), 0, w - 1)
    yi = np.clip(blobs[:, 1].astype(int), 0, h - 1)
    inside = where[yi, xi]
    right = dist[yi, xi] <= np.maximum(blobs[:, 2], 1.0)
    hit = comp[iy[yi, xi], ix[yi, xi]]  # nearest marked pore of each detection
    found = np.zeros(n_comp + 1, bool)
    found[hit[inside & right]] = True
    # marked pores in the measured region: those with a pixel in it
    counted = np.zeros(n_comp + 1, bool)
    counted[np.unique(comp[where & marked])] = True
    counted[0] = False

    print(f"PoreNet close-up: {ppm:.2f} px/mm, analyze {dt:.2f} s (one call, first run)")
    n_marked, n_found = int(counted.sum()), int(inside.sum())
    print(f"  marked pores in the pore zones: {n_marked}, detections there: {n_found}")
    print(f"  precision (detection on a marked pore): {right[inside].mean():.3f}")
    print("  recall by the marked pore's equivalent radius:")
    ids = np.flatnonzero(counted[1:]) + 1
    for lo, hi in zip(BINS_MM, (*BINS_MM[1:], np.inf), strict=True):
        sel = ids[(radius_mm[ids - 1] >= lo) & (radius_mm[ids - 1] < hi)]
        rec = found[sel].mean() if sel.size else float("nan")
        print(f"    {lo:.2f}-{hi:.2f} mm: {rec:.3f} of {sel.size}")
    for lo in BINS_MM[2:4]:
        sel = ids[radius_mm[ids - 1] >= lo]
        print(f"    >= {lo:.2f} mm: {found[sel].mean():.3f} of {sel.size}")
    print(f"    all: {found[ids].mean():.3f} of {ids.size}")
    print("  per zone (detections, precision):")
    for name in PORE_ZONES:
        zm = zone_mask({name: face.geometry.regions.get(name)}, marked.shape) & region
        sel = zm[yi, xi]
        if sel.any():
            print(f"    {name:12s} {int(sel.sum()):4d}  {right[sel].mean():.3f}")

    if args.overlay:
        im = Image.fromarray(rgb).convert("RGB")
        draw = ImageDraw.Draw(im)
        for ok, (x, y, r, _) in zip(right, blobs, strict=True):
            r = max(float(r), 2.0)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=(0, 160, 0) if ok else (255, 0, 0))
        miss = marked & where & ~found[comp]
        arr = np.asarray(im).copy()
        arr[miss] = (0, 0, 255)
        Image.fromarray(arr).save(args.overlay)
        print(f"  overlay: {args.overlay} (green right, red wrong, blue marked pores not found)")


if __name__ == "__main__":
    main()
