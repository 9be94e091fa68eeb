"""Planted lines across the whole forehead, found by the wrinkle concern through ``analyze()``.

    PYTHONPATH=python:tests python benchmarks/eval_forehead_lines.py [--below PX]
        [--params "strand_hair_mm=0, ..."] [--out DIR]

On the five test faces whose hairline was marked by hand
(``tests/test_segmentation.py::HAIRLINE``: four London portraits of every skin
tone and the 30 cm selfie) three lines are painted across the forehead, from
the column of FaceMesh point 109 to that of 338, 2 px wide and 10 % darker:
mid-forehead (half way from the brows to the mesh's top ring), 8 px above the
top ring, and ``--below`` px (20) under the hand-marked hairline, following it.
Each painted photo goes through ``skincore.Analyzer.analyze(...,
concerns=["wrinkles"])`` (the faces found on the painted photo, as a user's
photo is). A line is found when the returned polylines of any zone cover at
least 60 % of its points (a point is covered within 1 mm of a traced point):
the framework issue's "found by position". ``--params`` overrides
``wrinkles.Params`` fields (to see which rule drops a line); ``--out`` writes a
crop of each forehead with the planted lines (magenta, 4 px above) and the
traced ones (green).

Needs the test faces (``tests/data/faces``) and the ``tests`` directory on the path.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

import numpy as np

import skincore
from skincore.concerns import wrinkles as W
from skincore.face import segmentation as seg_mod
from skincore.face.finder import find_faces
from skincore.face.scale import px_per_mm
from skincore.io import load_image

FACES = Path(__file__).resolve().parents[1] / "tests" / "data" / "faces"
COVER = 0.6
NAMES = ("mid-forehead", "above the top ring", "below the hairline")


def _params(text: str) -> W.Params:
    """``wrinkles.Params`` with the ``name=value, ...`` fields of ``text`` (literals)."""
    kw = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, value = part.split("=", 1)
        kw[key.strip()] = ast.literal_eval(value.strip())
    return W.Params(**kw)


def _cover(line: np.ndarray, traced: list[np.ndarray], ppm: float) -> float:
    """Share of the line's points within 1 mm of a traced point."""
    if not traced:
        return 0.0
    q = np.concatenate(traced)
    pts = line.astype(np.float64) + (0.0, 0.5)  # the 2-px line's centre
    d = np.hypot(q[:, None, 0] - pts[None, :, 0], q[:, None, 1] - pts[None, :, 1])
    return float(np.mean(d.min(axis=0) < ppm))


def main() -> None:
    # the hand-marked hairlines, and the lines drawn as the segmentation tests draw them
    from test_segmentation import HAIRLINE, _paint_lines, _polyline_pixels

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--below", type=float, default=20.0)
    ap.add_argument("--params", default="")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    params = _params(args.params)
    analyzer = skincore.Analyzer(skincore.AnalyzerOptions(params={"wrinkles": params}))
    found = total = 0
    print(f"{'face':18s} " + " ".join(f"{n:>19s}" for n in NAMES))
    for name in sorted(HAIRLINE):
        rgb = load_image(FACES / f"{name}.jpg").rgb
        ((_, fitted),) = find_faces(rgb, max_faces=1)
        lm = fitted.points
        cols = np.array([lm[109, 0], lm[10, 0], lm[338, 0]])
        brow = lm[list(seg_mod.BROW_TOP), 1].mean()
        lines = [
            _polyline_pixels(cols, np.full(3, (lm[10, 1] + brow) / 2)),
            _polyline_pixels(cols, np.full(3, lm[10, 1] - 8)),
            _polyline_pixels(cols, np.asarray(HAIRLINE[name], np.float64) + args.below),
        ]
        painted = _paint_lines(rgb, lines)
        result = analyzer.analyze(painted, concerns=["wrinkles"]).faces[0].wrinkles
        traced = [
            np.asarray(ln.points, np.float64) for z in result.zones.values() for ln in z.lines
        ]
        ppm = px_per_mm(lm)
        covers = [_cover(pix, traced, ppm) for pix in lines]
        found += sum(c >= COVER for c in covers)
        total += len(covers)
        print(f"{name:18s} " + " ".join(f"{c:19.2f}" for c in covers))
        if args.out is not None:
            _draw(args.out, name, painted, lines, traced, cols, brow)
    print(f"found {found} of {total} (recall {found / total:.2f}; found at cover >= {COVER})")


def _draw(out: Path, name: str, painted, lines, traced, cols, brow) -> None:  # noqa: ANN001
    """Save a 2x crop of the forehead with the planted and traced lines."""
    from PIL import Image, ImageDraw

    out.mkdir(parents=True, exist_ok=True)
    im = Image.fromarray(painted)
    draw = ImageDraw.Draw(im)
    for q in traced:
        draw.line([tuple(p) for p in q], fill=(0, 255, 0), width=1)
    for pix in lines:
        draw.point([(int(x), int(y) - 4) for x, y in pix[::4]], fill=(255, 0, 255))
    top = min(int(p[:, 1].min()) for p in lines) - 60
    box = (int(cols[0]) - 60, max(top, 0), int(cols[-1]) + 60, int(brow) + 30)
    crop = im.crop(box)
    crop.resize((crop.width * 2, crop.height * 2)).save(out / f"{name}.png")


if __name__ == "__main__":
    main()
