"""Compare acne-score models and count rules on ACNE04 dev, out-of-fold, over several fold seeds.

Run: ``PYTHONPATH=python:benchmarks python benchmarks/eval_acne_models.py --cache DIR
[--seeds 8] [--folds 5]`` (``DIR`` as for ``eval_acne.py --cache``; the faces are
prepared once, on the product path, then every model is scored in seconds).

What it does: the detector's red candidates of every accepted photo
(:func:`skincore.concerns.lesion_candidates.candidates`, the feature dicts that
:func:`~skincore.concerns.lesions.acne_score` reads) are computed once; their
label is "centre inside a labelled box". For each feature set of
:data:`FEATURE_SETS` and each fold seed, a logistic (``eval_acne.fit_logistic``,
L2 0.01) is fitted on the acne-kind candidates of the other folds' photos and
scores the held-out photos. The acne detections are then what
:func:`~skincore.concerns.lesions.detect_lesions` keeps for those scores (acne
kind, centre on the full-resolution skin mask, score >= the threshold or a sure
pustule of ``pustule_sure_pale`` / ``pustule_sure_margin`` that is no faded
mark, and the gate of ``nodule_min_score`` / ``nodule_context`` on the regions
nodule-sized as a whole, whatever their kind); the script first checks that,
with the shipped weights, these are exactly ``detect_lesions``' acne detections
on every photo.

Printed per feature set, means over the seeds (accepted photos only):

* per threshold ``acne_min_score``: grade accuracy of the Hayashi grade of the
  detection count, and recall / precision of the detections (a detection
  matches a box when its centre lies in it, one-to-one, greedy by score);
* ``chosen``: grade accuracy when each fold's threshold is the one with the
  best grade accuracy on the other folds (the honest figure of a tuned
  threshold);
* ``soft``: the grade of a soft count ``sum(clip((p - a) / (b - a), 0, 1))`` over
  the acne-kind candidates (detections at threshold ``a``), ``(a, b)`` chosen on
  the other folds from :data:`SOFT_GRID`.

Context features (not in the shipped score): ``dens10``, log(1 + the other
acne-kind candidates within 10 mm); ``photo_dens``, log(1 + acne-kind
candidates per cm² of skin); ``skin_L``, the mean L* of the face's skin (a
skin-tone feature: ACNE04 is mostly light-medium skin, see the acne score's
docstring for why tone-dependent scores are not shipped).
"""

from __future__ import annotations

import argparse
import glob
import os
from dataclasses import dataclass

import numpy as np

from eval_acne import BANDS, DATA, fit_logistic, match_points, prepare, read_boxes
from skincore.concerns import lesion_candidates as LC
from skincore.concerns import lesions as LZ
from skincore.concerns.lesion_rules import faded_to_mark
from skincore.concerns.lesions import ACNE_FEATURES, ACNE_KINDS, LesionParams, detect_lesions

THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
SOFT_GRID = tuple((a, b) for a in (0.1, 0.15, 0.2, 0.25) for b in (0.3, 0.4, 0.5, 0.6))
CANDIDATE = ("redness", "da_rel", "ring_completeness", "pale_centre", "db", "margin")
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "shipped": ACNE_FEATURES,
    "shipped+candidate": (*ACNE_FEATURES, *CANDIDATE),
    "shipped+context": (*ACNE_FEATURES, "dens10", "photo_dens"),
    "shipped+candidate+context": (*ACNE_FEATURES, *CANDIDATE, "dens10", "photo_dens"),
    "shipped+candidate+context+skin_L": (
        *ACNE_FEATURES,
        *CANDIDATE,
        "dens10",
        "photo_dens",
        "skin_L",
    ),
    "no-tone (no da_rel, skin_L)": (
        *ACNE_FEATURES,
        *(c for c in CANDIDATE if c != "da_rel"),
        "dens10",
        "photo_dens",
    ),
}


@dataclass
class Cands:
    """One accepted photo's red candidates, centres in photo pixels."""

    grade: int
    gt: np.ndarray  # (m, 4) labelled boxes
    feats: list[dict[str, float]]  # every feature, context included
    xy: np.ndarray  # (n, 2) centres, photo pixels
    acne: np.ndarray  # (n,) acne kind
    large: np.ndarray  # (n,) acne kind, nodule-sized as a whole (halo included)
    sure: np.ndarray  # (n,) a sure pustule, kept below the threshold
    on_skin: np.ndarray  # (n,) centre on the full-resolution skin mask
    label: np.ndarray  # (n,) centre inside a labelled box


def grade_of(count: float) -> int:
    return int(sum(count > b for b in BANDS))


def candidates(cache: str, data: str, p: LesionParams) -> tuple[list[Cands], list[int]]:
    """Candidates of every accepted photo and its index in the sorted file list."""
    out, index = [], []
    files = sorted(glob.glob(os.path.join(data, "*.jpg")))
    for n, f in enumerate(files):
        name = os.path.basename(f)
        cache_file = os.path.join(cache, name[:-4] + ".npz")
        face, _ = prepare(None if os.path.exists(cache_file) else _read(f), cache_file)
        if face is None:
            continue
        rgb, lab, skin, s = LZ._to_work(
            face.rgb, face.lab, face.skin, face.px_per_mm, p.work_px_per_mm, 0
        )
        ppm = face.px_per_mm * s
        cands = LC.candidates(rgb, lab, skin, ppm, p, 0)
        feats = [
            f_
            for f_ in (cands[2] if cands is not None else [])
            if f_ is not None and f_["from_red"]
        ]
        kinds = [LZ.classify(f_, p) for f_ in feats]
        h, w = face.skin.shape
        xy, on_skin = [], []
        for f_ in feats:
            cx, cy = (f_["cx"] + 0.5) / s - 0.5, (f_["cy"] + 0.5) / s - 0.5
            iy, ix = min(max(round(cy), 0), h - 1), min(max(round(cx), 0), w - 1)
            on_skin.append(bool(face.skin[iy, ix]))
            xy.append(face.to_photo(cx, cy))
        acne = np.array([k in ACNE_KINDS for k in kinds], bool)
        nodule_mm2 = np.pi / 4 * p.nodule_min_diameter_mm**2
        large = acne & np.array([f_["area_mm2"] >= nodule_mm2 for f_ in feats], bool)
        pale = [k == "pustule" and _sure(f_, p) for f_, k in zip(feats, kinds, strict=True)]
        sure = ~large & np.array(pale, bool)
        gt = read_boxes(f[:-4] + ".xml")
        pts = np.array(xy, np.float64).reshape(-1, 2)
        # Context: other acne-kind candidates within 10 mm, candidates per cm² of skin.
        mm = np.array([[f_["cx"], f_["cy"]] for f_ in feats], np.float64).reshape(-1, 2) / ppm
        dist = np.hypot(*(mm[:, None, :] - mm[None, :, :]).transpose(2, 0, 1))
        near = ((dist < 10.0) & acne[None, :]).sum(1) - acne
        skin_cm2 = max(float((skin > 0).sum()) / ppm**2 / 100.0, 1e-6)
        skin_l = float(lab[..., 0][skin > 0].mean())
        for k, f_ in enumerate(feats):
            f_["log_area"] = float(np.log(max(f_["area_mm2"], 1e-3)))
            f_["dens10"] = float(np.log1p(near[k]))
            f_["photo_dens"] = float(np.log1p(acne.sum() / skin_cm2))
            f_["skin_L"] = skin_l
        out.append(
            Cands(
                grade=int(name[5]),
                gt=gt,
                feats=feats,
                xy=pts,
                acne=acne,
                large=large,
                sure=sure,
                on_skin=np.array(on_skin, bool),
                label=np.any(_inside(gt, pts), axis=1),
            )
        )
        index.append(n)
        if len(out) == 1 or not n % 50:
            print(f"  {n + 1}/{len(files)} photos", flush=True)
    return out, index


def _inside(gt: np.ndarray, pts: np.ndarray) -> np.ndarray:
    x, y = pts[:, :1], pts[:, 1:]
    return (gt[:, 0] <= x) & (x <= gt[:, 2]) & (gt[:, 1] <= y) & (y <= gt[:, 3])


def _sure(f: dict[str, float], p: LesionParams) -> bool:
    """Whether ``detect_lesions`` keeps this pustule, if not nodule-sized, below the threshold.

    A pale centre of ``pustule_sure_pale`` and a margin of ``pustule_sure_margin``,
    unless it reads as a faded red-brown mark; its confidence is the threshold.
    """
    return (
        f["pale_tone"] >= p.pustule_sure_pale
        and f["margin"] >= p.pustule_sure_margin
        and not faded_to_mark(f, p)
    )


def kept(c: Cands, score: np.ndarray, threshold: float, p: LesionParams) -> np.ndarray:
    """Mask of the candidates ``detect_lesions`` reports as acne for these scores.

    ``threshold`` plays ``acne_min_score``. Regions nodule-sized as a whole are
    kept below ``nodule_min_score`` only beside ``nodule_context`` other acne
    detections (sure pustules are smaller: the gate reads acne scores only).
    """
    keep = c.acne & c.on_skin & ((score >= threshold) | c.sure)
    if (keep & ~c.large).sum() < p.nodule_context:
        keep &= ~c.large | (score >= p.nodule_min_score)
    return keep


def matched(c: Cands, keep: np.ndarray, score: np.ndarray, threshold: float) -> int:
    """Boxes matched by the kept detections (:func:`eval_acne.match_points`).

    Greedy by confidence, as ``detect_lesions`` gives it: a sure pustule below
    ``threshold`` has the threshold's.
    """
    return match_points(c.xy[keep], np.maximum(score, threshold)[keep], c.gt)


def matrix(c: Cands, names: tuple[str, ...]) -> np.ndarray:
    return np.array([[f_[k] for k in names] for f_ in c.feats], np.float64).reshape(-1, len(names))


def check_simulation(photos: list[Cands], files: list[str], cache: str, p: LesionParams) -> None:
    """The simulated acne detections equal ``detect_lesions``' with the shipped weights.

    The same count, centres and confidences on every photo.
    """
    for c, f in zip(photos, files, strict=True):
        face, _ = prepare(None, os.path.join(cache, os.path.basename(f)[:-4] + ".npz"))
        assert face is not None
        real = [
            d
            for d in detect_lesions(face.rgb, face.lab, face.skin, face.px_per_mm, p)
            if d.kind in ACNE_KINDS
        ]
        score = np.array([LZ.acne_score(f_, p) for f_ in c.feats])
        keep = kept(c, score, p.acne_min_score, p)
        sim = np.c_[c.xy[keep], np.maximum(score, p.acne_min_score)[keep]]
        ref = np.array([(*face.to_photo(*d.center), d.confidence) for d in real]).reshape(-1, 3)
        if len(sim) != len(ref):
            raise SystemExit(
                f"simulation differs from detect_lesions on {f}: {len(sim)} vs {len(ref)}"
            )
        if not np.allclose(sim[np.lexsort(sim.T)], ref[np.lexsort(ref.T)], rtol=0, atol=1e-6):
            raise SystemExit(f"simulation differs from detect_lesions on {f}: other detections")


def oof_scores(
    photos: list[Cands], names: tuple[str, ...], fold: np.ndarray, folds: int
) -> list[np.ndarray]:
    xs = [matrix(c, names) for c in photos]
    scores: list[np.ndarray] = [np.zeros(0)] * len(photos)
    for k in range(folds):
        train = [i for i in range(len(photos)) if fold[i] != k]
        x = np.vstack([xs[i][photos[i].acne] for i in train])
        y = np.concatenate([photos[i].label[photos[i].acne] for i in train]).astype(np.float64)
        w, b = fit_logistic(x, y)
        for i in np.flatnonzero(fold == k):
            scores[i] = 1.0 / (1.0 + np.exp(-(xs[i] @ w + b)))
    return scores


def compare(photos: list[Cands], seeds: int, folds: int, n_all: int, index: list[int]) -> None:
    p = LesionParams()
    grades = np.array([c.grade for c in photos])
    head = " ".join(f"{t:>5.2f}" for t in THRESHOLDS)
    print(f"\n{'features':<36}grade accuracy at acne_min_score {head} | chosen  soft | R/P @0.25")
    for label, names in FEATURE_SETS.items():
        acc = np.zeros((seeds, len(THRESHOLDS)))
        chosen, soft, rp = np.zeros(seeds), np.zeros(seeds), np.zeros((seeds, 2))
        for s in range(seeds):
            # the fold assignment eval_acne.py --fit --seed s uses (over all photos)
            fold = (np.random.default_rng(s).permutation(n_all) % folds)[index]
            score = oof_scores(photos, names, fold, folds)
            right = np.zeros((len(THRESHOLDS), len(photos)), bool)
            for t_i, t in enumerate(THRESHOLDS):
                tb = nd = nb = 0
                for i, c in enumerate(photos):
                    keep = kept(c, score[i], t, p)
                    right[t_i, i] = grade_of(int(keep.sum())) == c.grade
                    if t == 0.25:
                        tb += matched(c, keep, score[i], t)
                        nd += int(keep.sum())
                        nb += len(c.gt)
                if t == 0.25:
                    rp[s] = tb / nb, tb / max(nd, 1)
            acc[s] = right.mean(1)
            chosen[s] = _chosen(right, fold, folds)
            soft_right = np.zeros((len(SOFT_GRID), len(photos)), bool)
            for g_i, (a, b) in enumerate(SOFT_GRID):
                for i, c in enumerate(photos):
                    sc = score[i][kept(c, score[i], a, p)]
                    soft_right[g_i, i] = (
                        grade_of(np.clip((sc - a) / (b - a), 0, 1).sum()) == (grades[i])
                    )
            soft[s] = _chosen(soft_right, fold, folds)
        cells = " ".join(f"{v:>5.3f}" for v in acc.mean(0))
        print(
            f"{label:<36}{'':<33}{cells} | {chosen.mean():.3f} {soft.mean():.3f} | "
            f"{rp[:, 0].mean():.3f}/{rp[:, 1].mean():.3f}",
            flush=True,
        )


def _chosen(right: np.ndarray, fold: np.ndarray, folds: int) -> float:
    """Accuracy when each fold uses the row (setting) best on the other folds."""
    ok = 0
    for k in range(folds):
        best = int(np.argmax(right[:, fold != k].sum(1)))
        ok += int(right[best, fold == k].sum())
    return ok / right.shape[1]


def _read(path: str) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--cache", required=True, help="folder of the prepared faces (eval_acne.py)")
    ap.add_argument("--seeds", type=int, default=8, help="fold assignments averaged")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    p = LesionParams()
    files = sorted(glob.glob(os.path.join(args.data, "*.jpg")))
    print(f"ACNE04 dev: {len(files)} photos; candidates on the product path ...")
    photos, index = candidates(args.cache, args.data, p)
    check_simulation(photos, [files[i] for i in index], args.cache, p)
    n = sum(len(c.feats) for c in photos)
    print(
        f"{len(photos)} accepted photos, {n} red candidates "
        f"({int(sum(c.acne.sum() for c in photos))} of acne kinds); "
        "simulated detections = detect_lesions' with the shipped weights"
    )
    print(f"{args.folds}-fold by photo, means over {args.seeds} fold seeds, accepted photos")
    compare(photos, args.seeds, args.folds, len(files), index)


if __name__ == "__main__":
    main()
