"""Roughness and skin tone: the same planted relief on every test face.

Run: ``PYTHONPATH=python python benchmarks/eval_roughness_tone.py [--rms 0.03 0.05]``.

Plants random bumps and pits (Gaussian, sigma 0.3-0.8 mm, one per 1.5 mm²,
random sign) in a 7 mm disc at the centre of the subject's left cheek of each
face in ``tests/data/faces``, in optical density (the reflectance is multiplied
by ``10 ** -d``, in linear sRGB), so that the relief changes the skin's
reflectance by the same fraction on every tone. Each photo then goes through
the product path (``FaceWork`` and the roughness concern) with the face's own
landmarks, and the rough share of the disc is printed before and after planting,
with the cheek's median L*.

Roughness reads the band-pass of L*; a relative reflectance change moves L* by
about ``(L* + 16) / 3`` times that fraction, so the same relief reads smaller on
dark skin (see the README, "Roughness").
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from skincore import color
from skincore.concerns import roughness
from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces
from skincore.face.regions import region_polygons

FACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "faces"
RADIUS_MM = 7.0


def plant(rgb: np.ndarray, cx: float, cy: float, ppm: float, rms: float) -> np.ndarray:
    """The photo with bumps of optical-density RMS ``rms`` in a disc at (cx, cy)."""
    r = RADIUS_MM * ppm
    y0, y1 = int(cy - r - 5), int(cy + r + 6)
    x0, x1 = int(cx - r - 5), int(cx + r + 6)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    disk = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    rng = np.random.default_rng(7)
    ys, xs = np.nonzero(disk)
    field = np.zeros(disk.shape)
    for i in rng.integers(0, len(xs), int(len(xs) / ppm**2 / 1.5)):
        s = rng.uniform(0.3, 0.8) * ppm
        g = np.exp(-((xx - (xs[i] + x0)) ** 2 + (yy - (ys[i] + y0)) ** 2) / (2 * s * s))
        field += rng.choice([-1.0, 1.0]) * g
    field *= disk
    field *= rms / np.std(field[disk])
    c = rgb[y0:y1, x0:x1].astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lin = np.clip(lin * 10.0 ** (-field[..., None]), 0, 1)
    out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    planted = rgb.copy()
    planted[y0:y1, x0:x1] = np.clip(np.round(out * 255), 0, 255).astype(np.uint8)
    return planted


def rough_share(rgb: np.ndarray, pts: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Rough share of the disc (image pixels) on the texture grid."""
    work = FaceWork(rgb, pts)
    res = roughness.measure(work, roughness.Params())
    if res is None:
        return float("nan")
    ctx = work.texture
    m = res.mask > 0
    gy, gx = np.mgrid[: m.shape[0], : m.shape[1]]
    ix = (gx + 0.5) / ctx.scale - 0.5 + ctx.origin[0]
    iy = (gy + 0.5) / ctx.scale - 0.5 + ctx.origin[1]
    disc = (ix - cx) ** 2 + (iy - cy) ** 2 <= r * r
    return float(m[disc].mean())


def main() -> None:
    """Print the table (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rms", type=float, nargs="+", default=[0.03, 0.05])
    args = ap.parse_args()
    head = "".join(f"{'RMS ' + str(a):>10}" for a in args.rms)
    print(f"{'face':<28}{'cheek L*':>9}{'none':>8}{head}   (rough share of the disc)")
    for path in sorted(FACES.glob("*.jpg")):
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
        pts = find_faces(rgb, max_faces=1)[0][1].points
        ppm = FaceWork(rgb, pts).px_per_mm
        cx, cy = (float(v) for v in region_polygons(pts)["left_cheek"].mean(axis=0))
        r = RADIUS_MM * ppm
        # the cheek's L* on the disc's box only
        x0, y0 = max(0, int(cx - r)), max(0, int(cy - r))
        box = rgb[y0 : int(cy + r) + 1, x0 : int(cx + r) + 1]
        yy, xx = np.mgrid[y0 : y0 + box.shape[0], x0 : x0 + box.shape[1]]
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        light = float(np.median(color.rgb_to_lightness(box)[disc]))
        cells = [rough_share(rgb, pts, cx, cy, r)]
        cells += [rough_share(plant(rgb, cx, cy, ppm, a), pts, cx, cy, r) for a in args.rms]
        print(f"{path.stem:<28}{light:>9.1f}" + "".join(f"{v:>10.2f}" for v in cells))


if __name__ == "__main__":
    main()
