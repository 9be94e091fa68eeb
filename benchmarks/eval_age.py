"""Evaluate the skin-age head on the UTKFace development split and refit its calibration.

For every photo in ``--data`` (UTKFace aligned crops, 200x200, named
``age_gender_race_datetime.jpg.chip.jpg``; race 0 white, 1 black, 2 asian, 3 indian,
4 other): skincore's own face pipeline (``detect_faces`` + ``fit_landmarks``), the
aligned chip (``age_head.align_chip``), the network on the chip and on its mirror
image. Then:

- MAE of the raw expectation (before calibration), overall, per race group and per
  age decade;
- the calibration refitted on the whole split (the knots to paste into
  ``age_head.CALIBRATION_AGE``), and its k-fold out-of-fold MAE: each fold is
  predicted by a map fitted on the other folds only;
- the shipped calibration (the constants in ``age_head``) applied to the split.

The measured ageing signs (wrinkles, roughness) cannot be added here: UTKFace's
200-px crops hold the face at 1.0-1.35 px/mm (iris scale, 20 photos), below the
wrinkle concern's 2.5 px/mm.

The calibration is a monotone piecewise-linear map of the expected age with knots at
:data:`KNOTS`, fitted by least absolute deviations (a linear programme, SciPy's HiGHS)
with every segment's slope at least :data:`MIN_SLOPE`.

UTKFace is licensed for non-commercial research only; constants fitted here say so.

Run: ``PYTHONPATH=python python benchmarks/eval_age.py`` (about 3-4 minutes on 2
cores; ``--limit N`` for a quick look, ``--cache FILE.npz`` to reuse the per-face
network outputs between runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from skincore.concerns import age_head
from skincore.face import detect_faces, fit_landmarks
from skincore.runtime import get_session

DATA = Path("/work/shared/data/utkface-dev")
RACES = ("white", "black", "asian", "indian", "other")
#: Knots of the calibration map (raw expected age, years).
KNOTS = np.array([15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 70.0])
#: Black border (pixels) added for a second detection attempt when none is found.
PAD = 60
#: Least slope of each calibration segment (keeps the map strictly increasing).
MIN_SLOPE = 0.2


def parse_name(name: str) -> tuple[int, int]:
    """Return (age, race) from a UTKFace file name; race 4 when the field is missing."""
    parts = name.split("_")
    age = int(parts[0])
    race = int(parts[2]) if len(parts) > 3 and parts[2].isdigit() else 4
    return age, race


def photo_list(data: Path, limit: int = 0) -> list[Path]:
    """The split's photos in name order; ``limit`` > 0 takes that many spread evenly."""
    files = sorted(data.glob("*.jpg"))
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    return files


def face_points(rgb: np.ndarray, threads: int) -> tuple[np.ndarray, np.ndarray | None, int]:
    """The photo, its first face's landmarks (``None``: no face) and the border added.

    UTKFace crops are tight: where the face overflows the 200-px frame the
    detector's score drops below 0.5, so a photo with no face is tried once more
    on a black border of :data:`PAD` pixels (then returned with it).
    """
    faces = detect_faces(rgb, threads=threads)
    off = 0
    if not faces:
        rgb, off = np.pad(rgb, ((PAD, PAD), (PAD, PAD), (0, 0))), PAD
        faces = detect_faces(rgb, threads=threads)
        if not faces:
            return rgb, None, off
    return rgb, fit_landmarks(rgb, faces[0], threads=threads).points, off


def measure(files: list[Path], threads: int, model: Path = age_head.AGE) -> dict[str, np.ndarray]:
    """Run detection, landmarks, alignment and the network (``model``) on every photo."""
    session = get_session(model, threads=threads)
    n = len(files)
    probs = np.full((n, 2, 81), np.nan)
    found = np.zeros(n, bool)
    padded = np.zeros(n, bool)
    t_face = t_chip = t_net = 0.0
    for i, path in enumerate(files):
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
        t0 = time.perf_counter()
        rgb, points, off = face_points(rgb, threads)
        padded[i] = off > 0
        if points is None:
            continue
        t1 = time.perf_counter()
        chip = age_head.align_chip(rgb, points)
        t2 = time.perf_counter()
        probs[i] = age_head.age_probabilities(np.stack([chip, chip[:, ::-1]]), session=session)
        t3 = time.perf_counter()
        found[i] = True
        t_face, t_chip, t_net = t_face + t1 - t0, t_chip + t2 - t1, t_net + t3 - t2
        if (i + 1) % 500 == 0:
            print(f"  {i + 1}/{n} photos", file=sys.stderr)
    k = max(1, int(found.sum()))
    timing = np.array([t_face / k, t_chip / k, t_net / k]) * 1000
    return {"probs": probs, "found": found, "padded": padded, "timing_ms": timing}


def piecewise(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Return the (N, K) hat-function basis of a piecewise-linear map at ``x``.

    Beyond the end knots the end segments are extended (linear extrapolation).
    """
    x = np.asarray(x, np.float64)
    k = len(knots)
    seg = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, k - 2)
    t = (x - knots[seg]) / (knots[seg + 1] - knots[seg])
    basis = np.zeros((x.size, k))
    rows = np.arange(x.size)
    basis[rows, seg] = 1 - t
    basis[rows, seg + 1] = t
    return basis


def fit_calibration(raw: np.ndarray, true: np.ndarray, knots: np.ndarray = KNOTS) -> np.ndarray:
    """Fit the calibrated ages at ``knots`` by least absolute deviations, monotone.

    Parameters
    ----------
    raw, true : numpy.ndarray
        Raw expected ages and true ages of the training faces.
    knots : numpy.ndarray
        Increasing raw ages where the map's value is a free parameter.

    Returns
    -------
    numpy.ndarray
        The calibrated age at each knot.
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack, identity, lil_matrix

    n, k = raw.size, knots.size
    basis = csr_matrix(piecewise(raw, knots))
    # variables: y (k), u (n), v (n); basis y - u + v = true; minimise sum(u + v)
    eye = identity(n, format="csr")
    a_eq = hstack([basis, -eye, eye], format="csr")
    cost = np.concatenate([np.zeros(k), np.ones(2 * n)])
    # monotone: y[j] - y[j+1] <= -MIN_SLOPE * (knot gap)
    a_ub = lil_matrix((k - 1, k + 2 * n))
    for j in range(k - 1):
        a_ub[j, j], a_ub[j, j + 1] = 1.0, -1.0
    b_ub = -MIN_SLOPE * np.diff(knots)
    bounds = [(None, None)] * k + [(0, None)] * (2 * n)
    res = linprog(cost, A_ub=a_ub.tocsr(), b_ub=b_ub, A_eq=a_eq, b_eq=true, bounds=bounds)
    if not res.success:
        raise RuntimeError(f"calibration fit failed: {res.message}")
    return res.x[:k]


def apply(raw: np.ndarray, knots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Evaluate a fitted map (see :func:`piecewise`)."""
    return piecewise(raw, knots) @ values


def folds(n: int, k: int, seed: int = 0) -> np.ndarray:
    """Fold index of each face (a fixed random permutation)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(n) % k


def out_of_fold(raw: np.ndarray, true: np.ndarray, k: int) -> np.ndarray:
    """Predict each fold with a calibration fitted on the other folds."""
    fold = folds(raw.size, k)
    pred = np.empty_like(raw)
    for f in range(k):
        test = fold == f
        values = fit_calibration(raw[~test], true[~test])
        pred[test] = apply(raw[test], KNOTS, values)
    return pred


def table(title: str, pred: np.ndarray, true: np.ndarray, race: np.ndarray) -> float:
    """Print MAE (and mean signed error) by age decade x race group; return overall MAE."""
    err = pred - true
    decade = np.minimum(true // 10 * 10, 80)
    print(f"\n{title}")
    head = "".join(f"{r:>14}" for r in RACES[:4])
    print(f"{'ages':>8}{'n':>6}{'MAE':>7}{'bias':>7}{head}   (MAE / n per race)")
    for d in np.unique(decade):
        m = decade == d
        cells = "".join(
            f"{np.abs(err[m & (race == r)]).mean():>9.2f} /{(m & (race == r)).sum():>3}"
            if (m & (race == r)).any()
            else f"{'-':>14}"
            for r in range(4)
        )
        label = f"{d:.0f}-{d + 9:.0f}" if d < 80 else "80+"
        print(f"{label:>8}{m.sum():>6}{np.abs(err[m]).mean():>7.2f}{err[m].mean():>7.2f}{cells}")
    groups = [np.abs(err[race == r]).mean() for r in range(4)]
    # Age-standardised: each race's per-decade MAE weighted by the whole split's decades
    # (decades a race lacks are left out and the weights renormalised).
    std_groups = []
    for r in range(4):
        num = den = 0.0
        for d in np.unique(decade):
            m = (decade == d) & (race == r)
            if m.any():
                wgt = float((decade == d).sum())
                num, den = num + wgt * np.abs(err[m]).mean(), den + wgt
        std_groups.append(num / den)
    print(
        f"{'all':>8}{true.size:>6}{np.abs(err).mean():>7.2f}{err.mean():>7.2f}"
        + "".join(f"{g:>9.2f} /{(race == r).sum():>3}" for r, g in enumerate(groups))
    )
    print(
        f"  MAE overall {np.abs(err).mean():.2f}; per race "
        + ", ".join(f"{RACES[r]} {g:.2f}" for r, g in enumerate(groups))
        + f", other {np.abs(err[race == 4]).mean():.2f}; "
        f"max-min over the 4 groups {max(groups) - min(groups):.2f}"
    )
    print(
        "  age-standardised per race "
        + ", ".join(f"{RACES[r]} {g:.2f}" for r, g in enumerate(std_groups))
        + f"; max-min {max(std_groups) - min(std_groups):.2f}"
    )
    return float(np.abs(err).mean())


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=0, help="first N photos only (0 = all)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", type=Path, help="npz to store / reuse per-face outputs")
    ap.add_argument(
        "--model",
        type=Path,
        default=age_head.AGE,
        help="age network to evaluate (default: the packaged one, trained on this split)",
    )
    args = ap.parse_args(argv)
    if args.model.resolve() == age_head.AGE.resolve() and args.data.resolve() == DATA.resolve():
        print(
            "note: the packaged network was fine-tuned on this split (tools/finetune_age.py), "
            "so its figures here are in-sample; the honest ones are that tool's "
            "cross-validation, or pass --model with the CC0 age-v1.onnx"
        )

    files = photo_list(args.data, args.limit)
    if not files:
        print(f"no photos in {args.data}", file=sys.stderr)
        return 1
    labels = np.array([parse_name(f.name) for f in files])
    true, race = labels[:, 0].astype(np.float64), labels[:, 1]
    names = np.array([f.name for f in files])
    if args.cache and args.cache.is_file():
        cached = np.load(args.cache)
        if not np.array_equal(cached["names"], names):
            print("cache does not match the photo list", file=sys.stderr)
            return 1
        out = {k: cached[k] for k in ("probs", "found", "padded", "timing_ms")}
    else:
        out = measure(files, args.threads, args.model)
        if args.cache:
            np.savez(args.cache, names=names, **out)
    found, padded = out["found"], out["padded"]
    print(
        f"{len(files)} photos: face found in {int((found & ~padded).sum())} as they are, in "
        f"{int((found & padded).sum())} only after adding a {PAD}-px black border, "
        f"in {int((~found).sum())} not at all"
    )
    for name in names[padded]:
        print(f"  {'border retry' if found[names == name][0] else 'no face'}: {name}")
    t = out["timing_ms"]
    print(
        f"time per face (ms, {args.threads} threads): detect+landmarks {t[0]:.1f}, "
        f"chip {t[1]:.2f}, network x2 (chip + mirror) {t[2]:.2f}"
    )

    probs, true, race = out["probs"][found], true[found], race[found]
    one = probs[:, 0] @ age_head.CLASS_AGES
    both = probs.mean(1) @ age_head.CLASS_AGES
    table("Raw expectation, one chip (no calibration)", one, true, race)
    table("Raw expectation, chip + mirror averaged (no calibration)", both, true, race)
    shipped = age_head.calibrate(both)
    table("Shipped calibration (age_head constants) on the whole split", shipped, true, race)
    for label, raw in (("one chip", one), ("chip + mirror", both)):
        oof = out_of_fold(raw, true, args.folds)
        table(f"{args.folds}-fold out-of-fold calibration, {label}", oof, true, race)
    oof = out_of_fold(both, true, args.folds)  # what age_head ships (deterministic folds)
    # Is the reported spread an honest uncertainty? Out-of-fold error by spread tercile.
    pm = probs.mean(1)
    cal_ages = age_head.calibrate(age_head.CLASS_AGES)
    mean = pm @ cal_ages
    spread = np.sqrt(np.maximum(pm @ cal_ages**2 - mean**2, 0))
    cuts = np.quantile(spread, [1 / 3, 2 / 3])
    tercile = np.searchsorted(cuts, spread)
    print("\nOut-of-fold |error| by tercile of the reported spread (chip + mirror):")
    for q in range(3):
        m = tercile == q
        print(
            f"  spread {spread[m].min():5.1f}-{spread[m].max():5.1f} y: n {m.sum():4d}, "
            f"MAE {np.abs(oof - true)[m].mean():.2f}, "
            f"share within 1 spread {np.mean(np.abs(oof - true)[m] <= spread[m]):.0%}"
        )
    values = fit_calibration(both, true)
    print("\nCalibration fitted on the whole split (chip + mirror):")
    print(f"  CALIBRATION_RAW = {np.array2string(KNOTS, separator=', ')}")
    print(f"  CALIBRATION_AGE = {np.array2string(np.round(values, 2), separator=', ')}")
    time_sample(args.threads)
    return 0


def time_sample(threads: int) -> None:
    """Median latency of the age head on the packaged sample photo (landmarks given)."""
    from importlib.resources import files

    sys.path.insert(0, str(Path(__file__).parent))
    from _timing import median_ms

    with Image.open(str(files("skincore") / "data" / "sample.jpg")) as im:
        rgb = np.asarray(im.convert("RGB"))
    points = fit_landmarks(rgb, detect_faces(rgb, threads=threads)[0], threads=threads).points
    session = get_session(age_head.AGE, threads=threads)
    chip_ms = median_ms(lambda: age_head.align_chip(rgb, points))
    one_ms = median_ms(lambda: age_head.estimate_age(rgb, points, session=session, flip=False))
    two_ms = median_ms(lambda: age_head.estimate_age(rgb, points, session=session))
    print(
        f"\nSample photo {rgb.shape[1]}x{rgb.shape[0]}, {threads} threads, medians: "
        f"align_chip {chip_ms:.2f} ms, estimate_age {one_ms:.2f} ms without the mirror, "
        f"{two_ms:.2f} ms with it (ratio {two_ms / one_ms:.2f})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
