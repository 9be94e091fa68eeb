"""Acne lesion detection and grading on the ACNE04 development split.

Run: ``PYTHONPATH=python python benchmarks/eval_acne.py [--data DIR] [--limit N]``.

For each photo the product path, what ``analyze()`` hands the lesion
concerns: :func:`skincore.face.finder.find_faces` (largest face), then
:class:`skincore.concerns.work.FaceWork`: the colour grid (face crop
area-resampled to ~400 px wide), its segmented ``face`` skin mask and its
iris-based px/mm. Refused photos are listed with the reason: ``no_face`` (the
finder returns no face: cheek close-ups and full profiles, where no landmark
mesh fits; or ``analyze()``'s checks of the mesh refuse it: too little
segmented skin, the detector's confirmation, eyes on plain skin) or
``face_out_of_bound``. ``--cache DIR`` keeps the prepared faces (the finder and the
segmentation take most of the run; the detector is what is tuned).

Metrics: a detection of an acne kind (papule, pustule, nodule,
closed_comedone) matches a labelled box when its centre lies inside it
(one-to-one, greedy by confidence); recall over the labelled boxes, precision
over the detections; the grade from the detection count with the Hayashi
bands used by ACNE04 (0-5 mild, 6-20 moderate, 21-50 severe, > 50 very severe).
Columns "recall" and "grade_acc" count a refused photo's boxes as missed and
its grade as wrong; "recall_acc" and "grade_acc_acc" use the accepted photos
only.

``--fit`` refits the logistic acne score (:func:`skincore.concerns.lesions.acne_score`)
with k-fold cross-validation by photo (``--folds``; ``--seed`` draws the fold
assignment): the table printed is out-of-fold (each photo detected with
weights fitted on the other folds), then the weights fitted on every photo,
which ship as ``LesionParams.acne_weights`` / ``acne_bias``. The out-of-fold
grade accuracy moves by about 0.02 with the seed alone (182 photos): compare
settings over several seeds.

``--sweep`` adds, on the accepted photos (with ``--fit``: out-of-fold scores),
recall, precision and grade accuracy for each ``acne_min_score`` in
:data:`SWEEP` (the grade from the count of detections above it), the grade
from the expected count (the sum of the acne scores of every acne-kind
candidate, ``acne_min_score`` 0), and the grade accuracy of a threshold chosen
out-of-fold (for each fold, the threshold of :data:`SWEEP` with the best grade
accuracy on the other folds' photos). ``--overlay DIR`` writes one PNG per
accepted photo: labelled boxes green, acne detections red with their score and
kind initial (the photo at twice its size).
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import os
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from skincore import color
from skincore.concerns import lesion_candidates as LC
from skincore.concerns import lesions as LZ
from skincore.concerns.colour_lesions import off_band
from skincore.concerns.context import nose_band
from skincore.concerns.lesion_rules import acne_inputs
from skincore.concerns.lesions import (
    ACNE_KINDS,
    Lesion,
    LesionParams,
    detect_lesions,
)
from skincore.concerns.work import FaceWork
from skincore.errors import SkinError
from skincore.face.finder import find_faces
from skincore.face.pose import head_pose
from skincore.face.skinmask import to_grid
from skincore.limits import Limits
from skincore.pipeline import check_colour, check_confirmed, check_eyes, check_face, check_skin

DATA = "/work/shared/data/acne04-dev"
BANDS = (5, 20, 50)  # Hayashi: <= 5 mild, <= 20 moderate, <= 50 severe, else very severe
SWEEP = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)  # acne_min_score values of --sweep


def grade_of(count: int) -> int:
    return int(sum(count > b for b in BANDS))


def read_boxes(xml_path: str) -> np.ndarray:
    root = ET.parse(xml_path).getroot()
    out = []
    for o in root.findall("object"):
        b = o.find("bndbox")
        out.append([float(b.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")])
    return np.array(out, np.float64).reshape(-1, 4)


@dataclass
class Face:
    """A face on its colour grid, ready for :func:`detect_lesions` (the product path)."""

    rgb: np.ndarray
    lab: np.ndarray
    skin: np.ndarray
    px_per_mm: float
    origin: tuple[int, int]
    scale: float  # colour-grid pixels per photo pixel
    yaw: float
    landmarks: np.ndarray  # (478, 2) on the colour grid

    def detect(self, params: LesionParams) -> list[Lesion]:
        """``analyze()``'s lesions of this face: :func:`detect_lesions`, then the
        nose bands dropped (:func:`skincore.concerns.colour_lesions.off_band`)."""
        found = detect_lesions(self.rgb, self.lab, self.skin, self.px_per_mm, params)
        band = nose_band(
            self.landmarks,
            self.px_per_mm,
            self.yaw,
            self.skin.shape,
            params.fold_margin_mm,
            params.far_nose_mm,
        )
        return off_band(found, band)

    def to_photo(self, x: float, y: float) -> tuple[float, float]:
        """Colour-grid pixel centre -> photo pixel coordinates."""
        s = self.scale
        return (x + 0.5) / s - 0.5 + self.origin[0], (y + 0.5) / s - 0.5 + self.origin[1]


def prepare(
    rgb: np.ndarray | None, cache_file: str | None = None, limits: Limits | None = None
) -> tuple[Face | None, str]:
    """What ``analyze()`` hands the lesion concerns: FaceWork's colour grid and face mask.

    With ``cache_file`` the prepared face is stored and reused (the face finder
    and the segmentation dominate the run; the lesion detector is what is tuned).
    ``limits`` are the face checks (``analyze()``'s defaults when omitted); a
    cache holds the refusals of the limits it was made with.
    """
    limits = limits or Limits()
    z = np.load(cache_file) if cache_file and os.path.exists(cache_file) else None
    if z is not None and str(z["why"]) != "ok":
        return None, str(z["why"])
    if z is not None and "landmarks" in z:  # else a cache from before the nose bands
        crgb = z["rgb"]
        return Face(
            crgb,
            color.rgb_to_lab(crgb),
            z["skin"],
            float(z["ppm"]),
            (int(z["origin"][0]), int(z["origin"][1])),
            float(z["scale"]),
            float(z["yaw"]),
            z["landmarks"],
        ), "ok"
    if rgb is None:
        raise ValueError(f"{cache_file}: a cache from before the nose bands; remove its folder")
    found = find_faces(rgb, max_faces=1)
    if not found:
        if cache_file:
            np.savez(cache_file, why="no_face")
        return None, "no_face"
    box, lm = found[0]
    pts = lm.points
    try:  # the product's face checks with analyze()'s default limits (size, out of bound,
        # phantom meshes): the photos a user's analyze() call refuses are refused here
        check_face(np.asarray(pts), box, rgb.shape[1], rgb.shape[0], limits)
        check_colour(rgb, np.asarray(pts), limits)
        check_confirmed(rgb, lm, limits, None)
        check_eyes(rgb, pts, limits)
    except SkinError as err:
        if cache_file:
            np.savez(cache_file, why=err.code)
        return None, err.code
    yaw, _, _ = head_pose(pts)
    w = FaceWork(rgb, pts)
    try:  # measure_face's check of the segmented skin
        check_skin(w, limits)
    except SkinError as err:
        if cache_file:
            np.savez(cache_file, why=err.code)
        return None, err.code
    skin = w.colour.masks["face"]
    face = Face(
        w.colour_rgb,
        w.colour_lab,
        skin,
        w.colour_px_per_mm,
        w.crop[:2],
        w.colour_scale,
        yaw,
        to_grid(pts, w.colour.origin, w.colour.scale)[:, :2],
    )
    if cache_file:
        np.savez_compressed(
            cache_file,
            why="ok",
            rgb=face.rgb,
            skin=skin,
            ppm=face.px_per_mm,
            origin=np.array(face.origin),
            scale=face.scale,
            yaw=yaw,
            landmarks=face.landmarks,
        )
    return face, "ok"


def match_points(xy: np.ndarray, score: np.ndarray, gt: np.ndarray) -> int:
    """Boxes matched one-to-one by detections at ``xy`` (N, 2), greedy by ``score``.

    A detection takes the labelled box, not yet taken, that holds its centre
    (the nearest box centre when several do); the highest score goes first, ties
    in the given order.
    """
    used = np.zeros(len(gt), bool)
    centres = (gt[:, :2] + gt[:, 2:]) / 2
    for x, y in np.asarray(xy, np.float64).reshape(-1, 2)[np.argsort(-score, kind="stable")]:
        inside = (gt[:, 0] <= x) & (x <= gt[:, 2]) & (gt[:, 1] <= y) & (y <= gt[:, 3]) & ~used
        if inside.any():
            idx = np.flatnonzero(inside)
            used[idx[np.argmin(np.hypot(centres[idx, 0] - x, centres[idx, 1] - y))]] = True
    return int(used.sum())


def match(dets: list[Lesion], face: Face, gt: np.ndarray) -> tuple[int, int]:
    """Greedy one-to-one (:func:`match_points`): (matched boxes, matched detections)."""
    xy = np.array([face.to_photo(*d.center) for d in dets], np.float64).reshape(-1, 2)
    n = match_points(xy, np.array([d.confidence for d in dets], np.float64), gt)
    return n, n


def acne_samples(face: Face, gt: np.ndarray, params: LesionParams) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows (:data:`ACNE_FEATURES`) and labels of a photo's acne candidates.

    Samples: every red candidate that :func:`classify` gives an acne kind;
    label: its centre lies in a labelled box.
    """
    rgb, lab, skin, s = LZ._to_work(
        face.rgb, face.lab, face.skin, face.px_per_mm, params.work_px_per_mm, 0
    )
    cands = LC.candidates(rgb, lab, skin, face.px_per_mm * s, params, 0)
    xs, ys = [], []
    for f in cands[2] if cands is not None else []:
        if f is None or not f["from_red"] or LZ.classify(f, params) not in ACNE_KINDS:
            continue
        x, y = face.to_photo((f["cx"] + 0.5) / s - 0.5, (f["cy"] + 0.5) / s - 0.5)
        inside = (gt[:, 0] <= x) & (x <= gt[:, 2]) & (gt[:, 1] <= y) & (y <= gt[:, 3])
        xs.append(acne_inputs(f))
        ys.append(float(inside.any()))
    return np.array(xs).reshape(-1, len(LZ.ACNE_FEATURES)), np.array(ys)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Maximum-likelihood logistic regression (Newton, L2 ``l2`` per 100 samples).

    Features are standardised for the fit; the weights returned are in raw
    feature units, with the bias.
    """
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    lam = l2 * len(y) / 100
    reg = np.r_[np.ones(len(w) - 1), 0.0]
    for _ in range(30):
        pr = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (pr - y) + lam * reg * w
        hess = (z * (pr * (1 - pr))[:, None]).T @ z + lam * np.diag(reg)
        w -= np.linalg.solve(hess, grad)
    return w[:-1] / sd, float(w[-1] - np.sum(w[:-1] * mu / sd))


def with_score(params: LesionParams, wb: tuple[np.ndarray, float]) -> LesionParams:
    return dataclasses.replace(
        params,
        acne_weights=tuple(round(float(v), 4) for v in wb[0]),
        acne_bias=round(wb[1], 4),
    )


@dataclass
class Photo:
    name: str
    path: str
    grade: int
    gt: np.ndarray
    face: Face | None
    why: str


def evaluate(
    photos: list[Photo], params_of: list[LesionParams], verbose: bool, overlay: str = ""
) -> None:
    """Detect on every accepted photo with its parameters and print the table by grade.

    With ``overlay`` (a folder) each accepted photo is drawn there (:func:`draw_overlay`).
    """
    per_grade: dict[int, dict[str, float]] = {}
    refused: dict[str, list[str]] = {}
    t_lesions: list[float] = []
    confusion = np.zeros((4, 4), int)  # accepted photos: labelled grade x predicted grade
    for ph, params in zip(photos, params_of, strict=True):
        g, gt, face = ph.grade, ph.gt, ph.face
        row = per_grade.setdefault(
            g, dict(n=0, acc=0, boxes=0, boxes_acc=0, tp_box=0, det=0, tp_det=0, ok=0)
        )
        row["n"] += 1
        row["boxes"] += len(gt)
        if face is None:
            refused.setdefault(ph.why, []).append(ph.name)
            continue
        t0 = time.perf_counter()
        les = face.detect(params)
        t_lesions.append(time.perf_counter() - t0)
        acne = [d for d in les if d.kind in ACNE_KINDS]
        tb, td = match(acne, face, gt)
        pred = grade_of(len(acne))
        row["acc"] += 1
        row["boxes_acc"] += len(gt)
        row["tp_box"] += tb
        row["det"] += len(acne)
        row["tp_det"] += td
        row["ok"] += pred == g
        confusion[g, pred] += 1
        if overlay:
            draw_overlay(ph, acne, overlay)
        if verbose:
            print(
                f"{ph.name[:14]} g={g} gt={len(gt)} det={len(acne)} tp={tb} "
                f"pred={pred} yaw={face.yaw:.0f} ppm={face.px_per_mm:.2f}"
            )
    hdr = (
        f"{'grade':<6}{'photos':>7}{'accepted':>9}{'boxes':>7}{'dets':>6}{'recall':>8}"
        f"{'recall_acc':>11}{'precision':>10}{'grade_acc':>10}{'grade_acc_acc':>14}"
    )
    print(hdr)
    tot = {k: 0.0 for k in next(iter(per_grade.values()))}
    for g in sorted(per_grade):
        r = per_grade[g]
        for k in tot:
            tot[k] += r[k]
        _print_row(str(g), r)
    _print_row("all", tot)
    print("\ngrade confusion (accepted photos; rows labelled 0-3, columns predicted 0-3):")
    for g in range(4):
        print(f"  {g}: " + " ".join(f"{v:>4}" for v in confusion[g]))
    print("\nrefused photos:")
    for why, names in refused.items():
        print(f"  {why}: {len(names)} ({', '.join(sorted(n[:12] for n in names))})")
    if t_lesions:
        print(
            f"\ndetect_lesions median {1e3 * np.median(t_lesions):.1f} ms per face "
            f"(colour grid of 640x640 photos)"
        )


def draw_overlay(ph: Photo, acne: list[Lesion], folder: str, zoom: int = 2) -> None:
    """The photo with its labelled boxes (green) and acne detections (red: score, kind)."""
    assert ph.face is not None
    im = Image.open(ph.path).convert("RGB")
    im = im.resize((im.width * zoom, im.height * zoom))
    dr = ImageDraw.Draw(im)
    for b in ph.gt:
        dr.rectangle([float(v) * zoom for v in b], outline=(0, 255, 0))
    for d in acne:
        x, y = (zoom * v for v in ph.face.to_photo(*d.center))
        dr.ellipse([x - 4, y - 4, x + 4, y + 4], outline=(255, 0, 0))
        dr.text((x + 5, y - 5), f"{d.confidence:.2f}{d.kind[0]}", fill=(255, 0, 0))
    os.makedirs(folder, exist_ok=True)
    im.save(os.path.join(folder, f"g{ph.grade}_{os.path.splitext(ph.name)[0]}.png"))


def _acne_at(ph: Photo, params: LesionParams, threshold: float) -> list[Lesion]:
    assert ph.face is not None
    p = dataclasses.replace(params, acne_min_score=threshold)
    f = ph.face
    return [d for d in f.detect(p) if d.kind in ACNE_KINDS]


def sweep(photos: list[Photo], params_of: list[LesionParams], fold: np.ndarray) -> None:
    """Recall, precision and grade accuracy per ``acne_min_score`` (accepted photos).

    Then the grade from the expected count (sum of the acne scores at
    ``acne_min_score`` 0) and the grade accuracy of a threshold chosen on the
    other folds (:data:`SWEEP`'s best there), fold by fold.
    """
    idx = [i for i, ph in enumerate(photos) if ph.face is not None]
    grades = np.array([photos[i].grade for i in idx])
    right = np.zeros((len(SWEEP), len(idx)), bool)
    print(
        f"\n{'acne_min_score':<16}{'dets':>6}{'recall_acc':>11}{'precision':>10}{'grade_acc_acc':>14}"
    )
    for t_i, t in enumerate(SWEEP):
        tb = td = nd = nb = 0
        for j, i in enumerate(idx):
            ph = photos[i]
            acne = _acne_at(ph, params_of[i], t)
            b, d = match(acne, ph.face, ph.gt)  # type: ignore[arg-type]
            tb, td, nd, nb = tb + b, td + d, nd + len(acne), nb + len(ph.gt)
            right[t_i, j] = grade_of(len(acne)) == ph.grade
        rate = right[t_i].mean()
        print(f"{t:<16.2f}{nd:>6}{tb / nb:>11.3f}{td / max(nd, 1):>10.3f}{rate:>14.3f}")
    expected = np.array(
        [sum(d.confidence for d in _acne_at(photos[i], params_of[i], 0.0)) for i in idx]
    )
    conf_exp = np.zeros((4, 4), int)
    for g, e in zip(grades, expected, strict=True):
        conf_exp[g, grade_of(int(round(e)))] += 1
    print(
        f"expected count (sum of the acne scores, acne_min_score 0): grade_acc_acc "
        f"{np.trace(conf_exp) / len(idx):.3f}"
    )
    for g in range(4):
        print(f"  {g}: " + " ".join(f"{v:>4}" for v in conf_exp[g]))
    folds = fold[idx]
    chosen, ok = [], 0
    for k in np.unique(folds):
        t_best = int(np.argmax(right[:, folds != k].sum(1)))
        chosen.append(SWEEP[t_best])
        ok += int(right[t_best, folds == k].sum())
    print(
        f"threshold chosen on the other folds ({', '.join(f'{t:.2f}' for t in chosen)}): "
        f"grade_acc_acc {ok / len(idx):.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument(
        "--fit",
        action="store_true",
        help="refit the acne score: 5-fold (by photo) out-of-fold table, then the all-photo fit",
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the photos' fold assignment (the out-of-fold grade accuracy moves by "
        "about 0.02 with it: compare settings over several seeds)",
    )
    ap.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a LesionParams field (repeatable), e.g. --param peak_separation_mm=1.2",
    )
    ap.add_argument("--cache", default="", help="folder to keep the prepared faces in")
    ap.add_argument(
        "--max-out-of-bound",
        type=float,
        default=None,
        help="Limits.max_out_of_bound (share of the face outline outside the photo a "
        "caller accepts; default analyze()'s); use a separate --cache per value",
    )
    ap.add_argument(
        "--sweep",
        action="store_true",
        help="also the acne_min_score sweep, the expected-count grade and an out-of-fold threshold",
    )
    ap.add_argument("--overlay", default="", help="folder to draw every accepted photo in")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "*.jpg")))
    if args.limit:
        files = files[:: max(1, len(files) // args.limit)]
    params = LesionParams()
    for item in args.param:
        name, _, value = item.partition("=")
        kind = type(getattr(params, name))
        val = value.lower() in ("1", "true") if kind is bool else kind(value)
        params = dataclasses.replace(params, **{name: val})
    limits = Limits()
    if args.max_out_of_bound is not None:
        limits = dataclasses.replace(limits, max_out_of_bound=args.max_out_of_bound)
    photos: list[Photo] = []
    for f in files:
        name = os.path.basename(f)
        cache_file = None
        if args.cache:
            os.makedirs(args.cache, exist_ok=True)
            cache_file = os.path.join(args.cache, name[:-4] + ".npz")
        rgb = None if cache_file and os.path.exists(cache_file) else _read(f)
        face, why = prepare(rgb, cache_file, limits)
        photos.append(Photo(name, f, int(name[5]), read_boxes(f[:-4] + ".xml"), face, why))
    fold = np.random.default_rng(args.seed).permutation(len(photos)) % args.folds
    if not args.fit:
        print(f"\nACNE04 dev: {len(files)} photos, LesionParams() defaults {args.param or ''}")
        evaluate(photos, [params] * len(photos), args.verbose, args.overlay)
        if args.sweep:
            sweep(photos, [params] * len(photos), fold)
        return
    # Out-of-fold: each photo is detected with a score fitted on the other folds.
    samples = [
        acne_samples(ph.face, ph.gt, params) if ph.face is not None else None for ph in photos
    ]
    params_of = [params] * len(photos)
    for k in range(args.folds):
        train = [s for s, fk in zip(samples, fold, strict=True) if s is not None and fk != k]
        wb = fit_logistic(np.vstack([s[0] for s in train]), np.concatenate([s[1] for s in train]))
        pk = with_score(params, wb)
        params_of = [pk if fk == k else q for q, fk in zip(params_of, fold, strict=True)]
    print(
        f"\nACNE04 dev: {len(files)} photos, out-of-fold ({args.folds} folds by photo): "
        "the acne score of each photo fitted on the other folds"
    )
    evaluate(photos, params_of, args.verbose, args.overlay)
    if args.sweep:
        sweep(photos, params_of, fold)
    x = np.vstack([s[0] for s in samples if s is not None])
    y = np.concatenate([s[1] for s in samples if s is not None])
    wb = fit_logistic(x, y)
    print(f"\nall photos: {len(y)} candidates, {int(y.sum())} inside a labelled box")
    print(f"features {LZ.ACNE_FEATURES}")
    print("acne_weights =", with_score(params, wb).acne_weights)
    print("acne_bias =", with_score(params, wb).acne_bias)


def _read(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _print_row(name: str, r: dict[str, float]) -> None:
    def div(a: float, b: float) -> float:
        return a / b if b else float("nan")

    print(
        f"{name:<6}{int(r['n']):>7}{int(r['acc']):>9}{int(r['boxes']):>7}{int(r['det']):>6}"
        f"{div(r['tp_box'], r['boxes']):>8.3f}{div(r['tp_box'], r['boxes_acc']):>11.3f}"
        f"{div(r['tp_det'], r['det']):>10.3f}{div(r['ok'], r['n']):>10.3f}"
        f"{div(r['ok'], r['acc']):>14.3f}"
    )


if __name__ == "__main__":
    main()
