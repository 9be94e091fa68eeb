"""Time the packaged models in skincore's ONNX Runtime sessions against other settings.

skincore's sessions (:func:`skincore.runtime.create_session`) let the intra-op
workers busy-wait between the operators of a run and stop when it returns
(``session.intra_op.allow_spinning=1``, ``session.force_spinning_stop=1``). Each
model is timed at ``--threads`` intra-op threads (median ms of one run, same input)
in skincore's session and in sessions that

- never busy-wait (``allow_spinning=0``: each operator wakes the workers from sleep;
  skincore's setting before 2026-12-04),
- use ONNX Runtime's default (busy-wait, also after the run),
- run on one thread.

The ``idle CPU`` column is the process CPU time spent in the 200 ms after a run
(the workers' busy-waiting; the calling thread sleeps): what the next C++ kernel
or a service's other calls lose to the session. Ratio = the other setting's ms /
skincore's ms (> 1: skincore's session is faster). All settings give the same
outputs (checked).

Run: ``PYTHONPATH=python python benchmarks/bench_runtime.py [--threads 2]``. The
machine may be shared: medians are noisy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _timing import median_ms  # noqa: E402
from idle_cpu import idle_cpu_after  # noqa: E402
from skincore import models, runtime  # noqa: E402

#: model, input name, input shape (a batch of two for the age head: chip and mirror)
MODELS = (
    ("face detector", models.FACE_DETECTOR, (1, 128, 128, 3)),
    ("face mesh", models.FACE_LANDMARKS, (1, 256, 256, 3)),
    ("face segmentation", models.FACE_SEGMENTATION, (1, 3, 256, 256)),
    ("age head", models.AGE, (2, 3, 64, 64)),
)


def _other(path: Path, threads: int, spin: str | None) -> Any:
    """A session with ONNX Runtime's defaults but ``threads`` and ``spin`` (None: default)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.log_severity_level = 3
    so.add_session_config_entry("session.set_denormal_as_zero", "1")
    if spin is not None:
        so.add_session_config_entry("session.intra_op.allow_spinning", spin)
    return ort.InferenceSession(str(path), so, providers=[runtime.CPU])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=40)
    args = ap.parse_args()
    th = args.threads
    print(f"onnxruntime {runtime.onnxruntime_version()}, {th} intra-op threads, median ms")
    head = f"{'model':<19}{'setting':<34}{'run ms':>8}{'ratio':>8}{'idle CPU ms':>13}"
    print(head)
    rng = np.random.default_rng(0)
    for name, path, shape in MODELS:
        x = rng.random(shape, dtype=np.float32)
        sessions = [
            ("skincore (spin within a run)", runtime.create_session(path, threads=th)),
            ("never spin", _other(path, th, "0")),
            ("onnxruntime default (spin)", _other(path, th, None)),
            ("one thread", _other(path, 1, "0")),
        ]
        feed = {sessions[0][1].get_inputs()[0].name: x}
        ref = None
        ours = float("nan")
        for label, sess in sessions:

            def run(sess: Any = sess) -> list[Any]:
                return runtime.run_session(sess, None, feed)

            out = run()
            if ref is None:
                ref = out
            elif not all(np.array_equal(a, b) for a, b in zip(ref, out, strict=True)):
                raise SystemExit(f"{name}: {label} gives other outputs")
            ms = median_ms(run, repeat=args.repeat, warmup=5)
            if label.startswith("skincore"):
                ours = ms
            idle_ms = idle_cpu_after(run) * 1e3
            print(f"{name:<19}{label:<34}{ms:>8.2f}{ms / ours:>7.2f}x{idle_ms:>13.1f}")


if __name__ == "__main__":
    main()
