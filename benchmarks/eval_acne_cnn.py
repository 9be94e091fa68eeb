"""A small learned lesion-centre detector on ACNE04 dev, out-of-fold, beside the shipped rules.

Run: ``PYTHONPATH=python:benchmarks python benchmarks/eval_acne_cnn.py --cache DIR
[--accepted DIR2] [--folds 5] [--iters 1500] [--width 16]`` (``DIR`` as for
``eval_acne.py --cache``, e.g. made with ``--max-out-of-bound 0.5`` to train on
more photos; ``DIR2``, a cache made with the default limits, picks the photos
``analyze()`` accepts for a second table). Needs PyTorch (CPU is enough, about
4 minutes per fold on two cores), which is not a dependency of skincore: this is
an experiment that was measured and not shipped (see the README's acne section).

What it does, per prepared photo, on the lesion detector's work grid
(:func:`skincore.concerns.lesions._to_work`, 2.5 px/mm):

* **Input**: L*, a*, b* minus their masked Gaussian background (sigma 4 mm,
  ``blur(c * skin) / blur(skin)``), scaled to unit-ish range (a* by the same
  tone factor as the red map, ``max(1, 66 / (L*_face + 16))``), clipped to +-4,
  zero off skin; the skin mask as a fourth channel.
* **Target**: a Gaussian at each labelled box centre at half resolution (sigma a
  sixth of the box's short side), trained with the CenterNet focal loss on skin
  cells only; 192-px random crops, horizontal flips, contrast jitter.
* **Network**: a 4x4 stride-2 convolution, then 3x3, dilated 3x3 (2 and 4, with
  a residual) and 3x3 convolutions of ``--width`` channels, a 1x1 head: about
  0.5 GMAC on a 450x430 work grid at width 16.
* Folds by photo (``--seed``); every photo is scored by the network of the fold
  that did not see it.

Printed (recall and precision as in ``eval_acne.py``: a detection's centre in a
labelled box, one-to-one, greedy by score; the grade from the count with the
Hayashi bands):

* ``rule``: the shipped detector's acne-kind candidates with acne score >= 0.25
  (``acne_min_score``; no nodule gate, so it differs from ``eval_acne.py`` by a
  few detections);
* ``cnn peaks``: 3x3 maxima of the network's heat map above a threshold;
* ``rule x cnn``: the rule candidates kept when their acne score times the heat
  map's maximum within one cell of their centre reaches a threshold (the two
  evidences fused).
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import os
import time

import numpy as np

from eval_acne import DATA, grade_of, match_points, prepare, read_boxes
from skincore import geometry
from skincore.concerns import lesions as LZ
from skincore.concerns.lesions import ACNE_KINDS, LesionParams, detect_lesions

CROP = 96  # half-resolution training crop (192 work pixels)
BATCH = 12


def features(lab_w: np.ndarray, skin_w: np.ndarray, ppm: float) -> np.ndarray:
    """(4, H, W) float32: L*, a*, b* against their skin background, and the skin mask."""
    m = (skin_w > 0).astype(np.float32)
    sigma = 4.0 * ppm
    bm = geometry.gaussian_blur(m, sigma, threads=1)
    inv = np.where(bm > 1e-3, 1.0 / np.maximum(bm, 1e-3), 0.0).astype(np.float32)
    lf = float(np.median(lab_w[..., 0][m > 0])) if m.any() else 50.0
    tone = max(1.0, 66.0 / (lf + 16.0))
    out = []
    for c, k in ((0, 0.1), (1, 0.2 * tone), (2, 0.2)):
        ch = np.ascontiguousarray(lab_w[..., c])
        bg = geometry.gaussian_blur(ch * m, sigma, threads=1) * inv
        out.append(np.clip((ch - bg) * m * k, -4, 4))
    out.append(m)
    return np.stack(out).astype(np.float32)


def load(cache: str, limit: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Per accepted photo: features, boxes and rule candidates in work-grid pixels, grade."""
    p = LesionParams()
    loose = dataclasses.replace(p, acne_min_score=0.0, nodule_context=0)
    out = {}
    for f in sorted(glob.glob(os.path.join(DATA, "*.jpg")))[: limit or None]:
        name = os.path.basename(f)[:-4]
        face, _ = prepare(None, os.path.join(cache, name + ".npz"))
        if face is None:
            continue
        _, lab_w, skin_w, s = LZ._to_work(
            face.rgb, face.lab, face.skin, face.px_per_mm, p.work_px_per_mm, 1
        )
        gt = read_boxes(f[:-4] + ".xml")

        def grid(v: np.ndarray, o: int, s: float = s, face=face) -> np.ndarray:
            # photo pixel -> colour-grid pixel -> work-grid pixel (centres aligned)
            return ((v - o + 0.5) * face.scale) * s - 0.5

        ox, oy = face.origin
        boxes = np.stack(
            [grid(gt[:, 0], ox), grid(gt[:, 1], oy), grid(gt[:, 2], ox), grid(gt[:, 3], oy)], 1
        )
        rows = [
            (
                (c.center[0] + 0.5) * s - 0.5,
                (c.center[1] + 0.5) * s - 0.5,
                LZ.acne_score(c.features, p),
            )
            for c in detect_lesions(face.rgb, face.lab, face.skin, face.px_per_mm, loose, threads=1)
            if c.kind in ACNE_KINDS
        ]
        out[name] = {
            "X": features(lab_w, skin_w, face.px_per_mm * s),
            "boxes": boxes.astype(np.float32),
            "cands": np.array(rows, np.float64).reshape(-1, 3),
            "grade": np.int64(int(name[5])),
        }
    return out


def add_targets(data: list[dict[str, np.ndarray]]) -> None:
    """Half-resolution centre heat map ``T`` and skin cells ``V`` of each photo."""
    for d in data:
        h, w = d["X"].shape[1] // 2, d["X"].shape[2] // 2
        yy, xx = np.mgrid[0:h, 0:w]
        t = np.zeros((h, w), np.float32)
        for b in d["boxes"]:
            jx, jy = ((b[0] + b[2]) / 2 - 0.5) / 2, ((b[1] + b[3]) / 2 - 0.5) / 2
            sg = max(0.7, min(b[2] - b[0], b[3] - b[1]) / 6)
            t = np.maximum(t, np.exp(-((xx - jx) ** 2 + (yy - jy) ** 2) / (2 * sg * sg)))
        d["T"] = t
        m = d["X"][3, : 2 * h, : 2 * w]
        d["V"] = (m.reshape(h, 2, w, 2).mean((1, 3)) > 0.5).astype(np.float32)


def train_fold(data: list[dict[str, np.ndarray]], args: argparse.Namespace, seed: int):
    """Train one network on ``data``; returns it (eval mode)."""
    import torch
    import torch.nn.functional as F  # noqa: N812
    from torch import nn

    torch.manual_seed(seed)

    class Net(nn.Module):
        def __init__(self, w: int) -> None:
            super().__init__()
            self.c0 = nn.Conv2d(4, w, 4, stride=2, padding=1)
            self.c1 = nn.Conv2d(w, w, 3, padding=1)
            self.c2 = nn.Conv2d(w, w, 3, padding=2, dilation=2)
            self.c3 = nn.Conv2d(w, w, 3, padding=4, dilation=4)
            self.c4 = nn.Conv2d(w, w, 3, padding=1)
            self.head = nn.Conv2d(w, 1, 1)
            nn.init.constant_(self.head.bias, -4.0)

        def forward(self, x):
            x = F.relu(self.c1(F.relu(self.c0(x))))
            y = F.relu(self.c3(F.relu(self.c2(x)))) + x
            return self.head(F.relu(self.c4(y)))

    def focal(logit, t, v):
        p = torch.sigmoid(logit).clamp(1e-5, 1 - 1e-5)
        pos = (t >= 0.99).float()
        lp = -((1 - p) ** 2) * torch.log(p) * pos
        ln = -((1 - t) ** 4) * (p**2) * torch.log(1 - p) * (1 - pos)
        return ((lp + ln) * v).sum() / pos.sum().clamp(min=1)

    rng = np.random.default_rng(seed)
    net = Net(args.width)
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=args.iters)
    big = [d for d in data if min(d["T"].shape) >= CROP]
    for _ in range(args.iters):
        xb, tb, vb = [], [], []
        for _ in range(BATCH):
            d = big[rng.integers(len(big))]
            h, w = d["T"].shape
            y0, x0 = rng.integers(0, h - CROP + 1), rng.integers(0, w - CROP + 1)
            x = d["X"][:, 2 * y0 : 2 * (y0 + CROP), 2 * x0 : 2 * (x0 + CROP)]
            t = d["T"][y0 : y0 + CROP, x0 : x0 + CROP]
            v = d["V"][y0 : y0 + CROP, x0 : x0 + CROP]
            if rng.random() < 0.5:
                x, t, v = x[:, :, ::-1], t[:, ::-1], v[:, ::-1]
            x = x.copy()
            x[:3] *= np.exp(rng.normal(0, 0.25, 3)).astype(np.float32)[:, None, None]
            xb.append(x)
            tb.append(t.copy())
            vb.append(v.copy())
        loss = focal(
            net(torch.from_numpy(np.stack(xb))),
            torch.from_numpy(np.stack(tb))[:, None],
            torch.from_numpy(np.stack(vb))[:, None],
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return net.eval()


def heat_map(net, d: dict[str, np.ndarray]) -> np.ndarray:
    """The network's half-resolution lesion-centre probability, zero off skin cells."""
    import torch

    with torch.no_grad():
        z = torch.sigmoid(net(torch.from_numpy(d["X"][None])))[0, 0].numpy()
    h, w = min(z.shape[0], d["V"].shape[0]), min(z.shape[1], d["V"].shape[1])
    out = np.zeros_like(z)
    out[:h, :w] = z[:h, :w] * d["V"][:h, :w]
    return out


def peaks(h: np.ndarray, thr: float) -> np.ndarray:
    from scipy.ndimage import maximum_filter

    ys, xs = np.nonzero((h == maximum_filter(h, 3)) & (h >= thr))
    return np.stack([2 * xs + 0.5, 2 * ys + 0.5, h[ys, xs]], 1).reshape(-1, 3)


def heat_at(h: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """The heat map's maximum within one half-resolution cell of each candidate centre."""
    out = np.zeros(len(cands))
    for n, (x, y, _) in enumerate(cands):
        j, i = int(round((x - 0.5) / 2)), int(round((y - 0.5) / 2))
        win = h[max(0, i - 1) : i + 2, max(0, j - 1) : j + 2]
        out[n] = float(win.max()) if win.size else 0.0
    return out


def report(name: str, dets: dict[str, np.ndarray], data, keys: list[str]) -> None:
    tp = nb = nd = ok = 0
    for k in keys:
        gt = data[k]["boxes"]
        tp += match_points(dets[k][:, :2], dets[k][:, 2], gt)
        nb += len(gt)
        nd += len(dets[k])
        ok += grade_of(len(dets[k])) == int(data[k]["grade"])
    print(
        f"  {name:<28} recall {tp / max(nb, 1):.3f}  precision {tp / max(nd, 1):.3f}"
        f"  grade {ok / max(len(keys), 1):.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", required=True)
    ap.add_argument("--accepted", default="", help="default-limits cache: a second table")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos (a smoke run)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        raise SystemExit("eval_acne_cnn.py needs PyTorch (pip install torch)") from None
    torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    data = load(args.cache, args.limit)
    names = sorted(data)
    print(f"{len(names)} photos prepared in {time.perf_counter() - t0:.0f} s")
    add_targets(list(data.values()))
    fold = np.random.default_rng(args.seed).permutation(len(names)) % args.folds
    heat = {}
    for f in range(args.folds):
        t1 = time.perf_counter()
        net = train_fold(
            [data[n] for i, n in enumerate(names) if fold[i] != f], args, args.seed + f
        )
        for i, n in enumerate(names):
            if fold[i] == f:
                heat[n] = heat_map(net, data[n])
        print(f"fold {f}: trained and scored in {time.perf_counter() - t1:.0f} s")

    tables = [("all photos of the cache", names)]
    if args.accepted:
        ok = {
            n for n in names if str(np.load(os.path.join(args.accepted, n + ".npz"))["why"]) == "ok"
        }
        tables.append(("photos analyze() accepts", [n for n in names if n in ok]))
    fused = {n: heat_at(heat[n], data[n]["cands"]) * data[n]["cands"][:, 2] for n in names}
    for title, keys in tables:
        print(f"{title} ({len(keys)}), out-of-fold:")
        rule = {n: data[n]["cands"][data[n]["cands"][:, 2] >= 0.25] for n in keys}
        report("rule, score >= 0.25", rule, data, keys)
        for t in (0.09, 0.11, 0.13, 0.15, 0.2):
            report(f"cnn peaks >= {t}", {n: peaks(heat[n], t) for n in keys}, data, keys)
        for t in (0.02, 0.03, 0.04, 0.05, 0.08):
            dets = {n: np.c_[data[n]["cands"][:, :2], fused[n]][fused[n] >= t] for n in keys}
            report(f"rule x cnn >= {t}", dets, data, keys)


if __name__ == "__main__":
    main()
