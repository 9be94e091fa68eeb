"""What limits acne recall on ACNE04: the candidate stage, box by box.

Run: ``PYTHONPATH=python python benchmarks/eval_acne_candidates.py [--cache DIR]``
(the same prepared faces as ``eval_acne.py``; ``--cache`` shares its folder).

The acne score can only keep what the candidate stage proposes. For every
labelled box of the accepted ACNE04 development photos this prints:

- whether a candidate region of any kind, and one that :func:`classify` gives an
  acne kind, has its centre in the box (the recall ceiling of the detector);
- for the boxes with no candidate, what lies at the box centre on the work grid:
  no candidate region at all (below the contrast thresholds, or merged into a
  neighbour whose centre falls elsewhere) or a region that a rule rejected;
- the colour of found and missed lesions: median L*, a*, b* of the box's core
  (half its mean half-side) minus a ring around it (1.5-2.5 half-sides), on the
  skin mask: a missed whitehead would be lighter than its ring, a missed papule
  darker and redder;
- the ceiling and the precision of the acne-kind candidates when one rejection
  rule at a time is switched off (``LesionParams`` fields), to show what each
  rule costs in recall and what it saves in false candidates.

Box sizes are in millimetres from the face's iris scale; ACNE04 boxes are drawn
loosely around lesions, so their half-sides are larger than the lesions'.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import os
from dataclasses import dataclass

import numpy as np

from eval_acne import DATA, Face, prepare, read_boxes
from skincore.concerns import lesion_candidates as LC
from skincore.concerns import lesions as LZ
from skincore.concerns.lesions import ACNE_KINDS, LesionParams

#: Rules switched off one at a time: (LesionParams field, value that disables it).
RELAXED = (
    ("max_area_mm2", 1e9),
    ("min_ring_fraction", 0.0),
    ("min_ring_completeness", 0.0),
    ("max_elongation", 1e9),
    ("min_side_contrast", 0.0),
)


@dataclass
class Prepared:
    """One accepted photo: its face on the colour grid and its labelled boxes."""

    face: Face
    gt: np.ndarray


@dataclass
class Work:
    """The detector's work grid for one face and its candidates."""

    lab: np.ndarray
    skin: np.ndarray
    scale: float  # work px per colour-grid px
    labels: np.ndarray | None
    feats: list[dict | None]


def load(data: str, cache: str) -> list[Prepared]:
    """The accepted photos with at least one labelled box."""
    out = []
    for path in sorted(glob.glob(os.path.join(data, "*.jpg"))):
        name = os.path.basename(path)
        cache_file = os.path.join(cache, name[:-4] + ".npz") if cache else None
        rgb = None
        if cache_file is None or not os.path.exists(cache_file):
            from PIL import Image

            rgb = np.asarray(Image.open(path).convert("RGB"))
        if cache:
            os.makedirs(cache, exist_ok=True)
        face, _ = prepare(rgb, cache_file)
        gt = read_boxes(path[:-4] + ".xml")
        if face is not None and len(gt):
            out.append(Prepared(face, gt))
    return out


def work_of(face: Face, p: LesionParams) -> Work:
    """Run the candidate stage of :func:`detect_lesions` on one face."""
    rgb, lab, skin, s = LZ._to_work(
        face.rgb, face.lab, face.skin, face.px_per_mm, p.work_px_per_mm, 0
    )
    cands = LC.candidates(rgb, lab, skin, face.px_per_mm * s, p, 0)
    if cands is None:
        return Work(lab, skin, s, None, [])
    return Work(lab, skin, s, cands[0], cands[2])


def centres(face: Face, w: Work, p: LesionParams, acne_only: bool) -> np.ndarray:
    """(n, 2) photo coordinates of the kept candidates (optionally acne kinds only)."""
    pts = []
    for f in w.feats:
        if f is None or (acne_only and LZ.classify(f, p) not in ACNE_KINDS):
            continue
        pts.append(face.to_photo((f["cx"] + 0.5) / w.scale - 0.5, (f["cy"] + 0.5) / w.scale - 0.5))
    return np.array(pts, np.float64).reshape(-1, 2)


def in_boxes(pts: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """(n_points, n_boxes) bool: point inside box."""
    x, y = pts[:, None, 0], pts[:, None, 1]
    return (
        (x >= gt[None, :, 0])
        & (x <= gt[None, :, 2])
        & (y >= gt[None, :, 1])
        & (y <= gt[None, :, 3])
    )


def to_work(face: Face, w: Work, x: float, y: float) -> tuple[float, float]:
    """Photo coordinates -> work-grid pixel coordinates."""
    gx = (x - face.origin[0] + 0.5) * face.scale - 0.5
    gy = (y - face.origin[1] + 0.5) * face.scale - 0.5
    return (gx + 0.5) * w.scale - 0.5, (gy + 0.5) * w.scale - 0.5


def box_rows(ph: Prepared, p: LesionParams) -> list[tuple[float, ...]]:
    """Per box: (on skin, any candidate, acne candidate, state, dL, da, db, half-side mm).

    ``state`` at the box centre: 0 no candidate region, 1 a region a rule rejected,
    2 a kept region (whose centre may lie elsewhere); -1 off the skin.
    """
    face, gt = ph.face, ph.gt
    w = work_of(face, p)
    hit_any = in_boxes(centres(face, w, p, False), gt).any(0)
    hit_acne = in_boxes(centres(face, w, p, True), gt).any(0)
    ppm = face.px_per_mm * w.scale
    h, wd = w.skin.shape
    yy, xx = np.mgrid[0:h, 0:wd]
    rows = []
    for j, b in enumerate(gt):
        gx, gy = to_work(face, w, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
        half = max(1.0, 0.25 * ((b[2] - b[0]) + (b[3] - b[1])) * face.scale * w.scale)
        ix, iy = int(round(gx)), int(round(gy))
        nan = (np.nan, np.nan, np.nan)
        if not (0 <= ix < wd and 0 <= iy < h) or not w.skin[iy, ix]:
            rows.append((0.0, float(hit_any[j]), float(hit_acne[j]), -1.0, *nan, half / ppm))
            continue
        state = 0.0
        if w.labels is not None and w.labels[iy, ix] > 0:
            state = 1.0 if w.feats[int(w.labels[iy, ix]) - 1] is None else 2.0
        d = np.hypot(xx - gx, yy - gy)
        core = (d <= max(1.0, 0.5 * half)) & (w.skin > 0)
        ring = (d >= 1.5 * half) & (d <= 2.5 * half + 2) & (w.skin > 0)
        if core.sum() == 0 or ring.sum() < 5:
            delta = nan
        else:
            delta = tuple(
                float(np.median(w.lab[..., c][core]) - np.median(w.lab[..., c][ring]))
                for c in range(3)
            )
        rows.append((1.0, float(hit_any[j]), float(hit_acne[j]), state, *delta, half / ppm))
    return rows


def ceiling(photos: list[Prepared], p: LesionParams) -> tuple[float, float, int]:
    """Share of boxes with an acne-kind candidate, candidates' precision, their count."""
    boxes = hit = inside = n = 0
    for ph in photos:
        pts = centres(ph.face, work_of(ph.face, p), p, True)
        ins = in_boxes(pts, ph.gt)
        boxes += len(ph.gt)
        hit += int(ins.any(0).sum())
        inside += int(ins.any(1).sum())
        n += len(pts)
    return hit / max(boxes, 1), inside / max(n, 1), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--cache", default="", help="prepared faces (shared with eval_acne.py)")
    args = ap.parse_args()
    p = LesionParams()
    photos = load(args.data, args.cache)
    r = np.array([row for ph in photos for row in box_rows(ph, p)], np.float64)
    on, any_c, acne_c, state, dl, da, db, half = r.T
    print(f"ACNE04 dev, {len(photos)} accepted photos with boxes, {len(r)} boxes")
    print(
        f"  on the skin mask: {int(on.sum())}; with a candidate of any kind: {any_c.mean():.3f}; "
        f"with an acne-kind candidate: {acne_c.mean():.3f} (the detector's recall ceiling)"
    )
    sk = on > 0
    print(
        "\nboxes on skin        n   none at centre  rejected  kept   dL*    da*    db*"
        "   half-side mm"
    )
    for name, sel in (("with a candidate", sk & (any_c > 0)), ("without", sk & (any_c == 0))):
        ok = sel & np.isfinite(dl)
        print(
            f"  {name:<17}{int(sel.sum()):>5}   {np.mean(state[sel] == 0):>12.2f}  "
            f"{np.mean(state[sel] == 1):>8.2f}  {np.mean(state[sel] == 2):>4.2f}  "
            f"{np.median(dl[ok]):+5.1f}  {np.median(da[ok]):+5.1f}  {np.median(db[ok]):+5.1f}  "
            f"{np.median(half[sel]):>6.1f}"
        )
    miss = sk & (any_c == 0) & np.isfinite(dl)
    print(
        "  missed boxes: lighter than their ring (dL* > +1, whitehead-like) "
        f"{np.mean(dl[miss] > 1):.2f}, darker (dL* < -1) {np.mean(dl[miss] < -1):.2f}, "
        f"redder (da* > +1) {np.mean(da[miss] > 1):.2f}"
    )
    print("\nrule switched off          recall ceiling  candidate precision  acne-kind candidates")
    base = ceiling(photos, p)
    print(f"  {'(none: shipped)':<25}{base[0]:>15.3f}{base[1]:>21.3f}{base[2]:>22d}")
    for name, value in RELAXED:
        c = ceiling(photos, dataclasses.replace(p, **{name: value}))
        print(f"  {name:<25}{c[0]:>15.3f}{c[1]:>21.3f}{c[2]:>22d}")


if __name__ == "__main__":
    main()
