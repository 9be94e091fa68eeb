"""Benchmark the pore detection (``concerns.pores``) and the kernels it runs on.

Input: the packaged sample resized to 1080x1920 (as ``bench_pipeline.py`` makes it),
its face's pore-detection grid (6 px/mm) and the pore search box (the bounding
box of the pore zones, of which the skin is about a third).

Kernel rows (skincore against the cheapest composed equivalent, same input):

* ``scale_space support``: the blurs and DoG layers, computed only within 3 px of
  the skin (``blobs.scale_space(support=, margin=3)``, what ``BlobLayers`` builds),
  against cv2.GaussianBlur at every scale and cv2.addWeighted differences over the
  whole box; and skincore's own unrestricted scale space against the same peer
  (skincore into preallocated outputs, as ``BlobLayers`` does: ~30 MB of fresh
  memory per call costs about as much as the computation).
* ``detect_layers masked``: the 3x3x3 search of the dark layers over the skin
  against cv2.dilate / cv2.max / cv2.compare over the whole box (no refinement,
  mask or pruning: cheaper than what it replaces).
* ``tile spread``: the negative side's tile median of one layer, sampled 2:1
  (``geometry.tile_median(step=2, below=0, negate=True)``), against the NumPy
  composition it replaced (slice, negate, mask, then ``tile_median``).

Then ``measure_pores`` on the grid (median ms) with the time of each part.

Run: ``PYTHONPATH=python python benchmarks/bench_pores.py [--repeat 9]``. The
machine may be shared: numbers are medians, ratios are peer / skincore.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import skincore  # noqa: E402
from _timing import Row, median_ms, print_table  # noqa: E402
from bench_blobs import cv_scale_space  # noqa: E402
from skincore import blobs, geometry  # noqa: E402
from skincore.concerns import blob_significance, pores  # noqa: E402
from skincore.pipeline import texture_context  # noqa: E402


def sample_1080p() -> np.ndarray:
    """The packaged sample cropped to 9:16 around its centre and resized to 1080x1920."""
    img = Image.open(skincore.sample_path()).convert("RGB")
    w, h = 1080, 1920
    sw, sh = img.size
    cw, ch = (sw, round(sw * h / w)) if sw / sh < w / h else (round(sh * w / h), sh)
    cw, ch = min(cw, sw), min(ch, sh)
    x0, y0 = (sw - cw) // 2, (sh - ch) // 2
    return np.asarray(img.crop((x0, y0, x0 + cw, y0 + ch)).resize((w, h), Image.BILINEAR))


def search_box(grid, params: pores.Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grey box, skin and blur scales ``pores._detect`` searches (same arithmetic)."""
    ppm = float(grid.px_per_mm)
    union = np.zeros(grid.gray.shape, bool)
    for m in pores._zone_masks(grid).values():
        union |= m > 0
    rows, cols = np.flatnonzero(union.any(axis=1)), np.flatnonzero(union.any(axis=0))
    lo = max(params.min_radius_mm / math.sqrt(2.0) * ppm, params.min_sigma_px)
    sig = blobs.scale_sigmas(lo, 2.0 * params.max_radius_mm / math.sqrt(2.0) * ppm, 1.4)
    mg = int(math.ceil(4.0 * sig[-1]))
    h, w = union.shape
    y0, y1 = max(0, rows[0] - mg), min(h, rows[-1] + 1 + mg)
    x0, x1 = max(0, cols[0] - mg), min(w, cols[-1] + 1 + mg)
    gray = np.ascontiguousarray(grid.gray[y0:y1, x0:x1], np.float32)
    return gray, union[y0:y1, x0:x1], sig


def cv_search(dogs, thr: float) -> int:
    kernel = np.ones((3, 3), np.uint8)
    dil = [cv2.dilate(d, kernel, borderType=cv2.BORDER_REPLICATE) for d in dogs]
    n = 0
    for i, d in enumerate(dogs):
        m = dil[i]
        if i > 0:
            m = cv2.max(m, dil[i - 1])
        if i + 1 < len(dogs):
            m = cv2.max(m, dil[i + 1])
        n += cv2.countNonZero(cv2.compare(d, m, cv2.CMP_GE) & cv2.compare(d, thr, cv2.CMP_GT))
    return n


def numpy_spread(resp: np.ndarray, mask: np.ndarray, tile: int):
    r, m = resp[::2, ::2], mask[::2, ::2]
    return geometry.tile_median(np.negative(r, dtype=np.float32), m & (r < 0), tile // 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    rep = args.repeat
    rgb = sample_1080p()
    an = skincore.Analyzer()
    tex = texture_context(an.analyze(rgb), rgb)
    params = pores.Params()
    grid = pores.detection_grid(tex, params)
    gray, skin, sig = search_box(grid, params)
    mask8 = np.where(skin, np.uint8(255), np.uint8(0))
    print(
        f"grid {grid.gray.shape} at {grid.px_per_mm:.2f} px/mm; search box {gray.shape}, "
        f"skin {skin.mean():.0%} of it; blur sigmas {np.round(sig, 2).tolist()}"
    )
    cv2.setNumThreads(2)
    _, layers = blobs.scale_space(gray, sig, support=mask8, margin=3)
    thr = params.contrast / 1.5
    tile = max(2, 2 * int(round(params.noise_tile_mm * grid.px_per_mm / 2.0)))
    peer_ss = median_ms(lambda: cv_scale_space(gray, sig), repeat=rep)
    out = (np.empty((len(sig),) + gray.shape, np.float32), np.empty_like(layers))
    rows = [
        Row(
            "scale_space support (3 px of skin)",
            median_ms(
                lambda: blobs.scale_space(gray, sig, support=mask8, margin=3, out=out), repeat=rep
            ),
            "cv2 GaussianBlur+addWeighted",
            peer_ss,
        ),
        Row(
            "scale_space whole box",
            median_ms(lambda: blobs.scale_space(gray, sig, out=out), repeat=rep),
            "cv2 GaussianBlur+addWeighted",
            peer_ss,
        ),
        Row(
            "detect_layers dark, masked",
            median_ms(lambda: blobs.detect_layers(layers, mask8, sig, "dark", thr), repeat=rep),
            "cv2 dilate/max/compare",
            median_ms(lambda: cv_search(list(layers), thr), repeat=rep),
        ),
        Row(
            "tile spread (one layer, 2:1)",
            median_ms(
                lambda: geometry.tile_median(layers[0], skin, tile, step=2, below=0.0, negate=True),
                repeat=rep,
            ),
            "numpy slice/negate/mask+tile",
            median_ms(lambda: numpy_spread(layers[0], skin, tile), repeat=rep),
        ),
    ]
    cv2.setNumThreads(0)
    print_table("pore kernels on the 1080p sample's search box (threads: pool, cv2 2)", rows)

    found, signif = blob_significance.BlobLayers(gray, skin, sig, tile_px=tile).candidates(
        "dark", contrast=params.contrast, max_radius=math.inf, max_elongation=3.0
    )

    def fresh() -> pores.Pores | None:
        return pores.measure_pores(dataclasses.replace(grid))

    layers_obj = blob_significance.BlobLayers(gray, skin, sig, tile_px=tile)
    parts = {
        "measure_pores (whole)": fresh,
        "  BlobLayers (scale space)": lambda: blob_significance.BlobLayers(
            gray, skin, sig, tile_px=tile
        ),
        "  candidates (dark, significance)": lambda: (
            layers_obj._noise.clear(),
            layers_obj.candidates(
                "dark",
                contrast=params.contrast,
                max_radius=math.inf,
                max_elongation=3.0,
                min_significance=params.noise_k,
            ),
        ),
        "  texture_sigma (photo blur)": lambda: layers_obj.texture_sigma(
            "bright",
            contrast=params.contrast,
            max_sigma=params.max_radius_mm * grid.px_per_mm / math.sqrt(2.0),
            avoid=found[signif >= params.noise_k, :3],
        ),
    }
    print("\n== measure_pores on the 1080p sample (median ms)")
    for name, fn in parts.items():
        print(f"{name:<36} {median_ms(fn, repeat=rep):8.2f}")


if __name__ == "__main__":
    main()
