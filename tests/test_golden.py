"""Golden snapshots: every dialect on the packaged sample, values within tolerances.

Regenerate after an intended change with
``SKINCORE_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and review the
diff of ``tests/golden/*.json`` like code.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

import skincore

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SKINCORE_UPDATE_GOLDEN") == "1"

#: Keys that change every run (ids, clocks, versions) or per machine.
VOLATILE = {
    "request_id",
    "log_id",
    "timestamp",
    "created_unix",
    "timings_ms",
    "skincore_version",
    "onnxruntime_version",
    "provider",
    "face_token",
    "threads",
}

#: Relative and absolute tolerance on numbers; list lengths (detections) may
#: differ by this fraction.
REL, ABS, LEN = 0.05, 0.06, 0.08


@pytest.fixture(scope="module")
def result():
    return skincore.analyze(skincore.sample_path())


def _strip(doc):
    if isinstance(doc, dict):
        return {k: _strip(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [_strip(v) for v in doc]
    return doc


def _compare(got, want, path="$"):
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert set(got) == set(want), f"{path}: keys {set(got) ^ set(want)}"
        for k in want:
            _compare(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list), path
        n, m = len(got), len(want)
        assert abs(n - m) <= max(2, LEN * m), f"{path}: {n} items, golden {m}"
        if n == m:
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                _compare(g, w, f"{path}[{i}]")
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, int | float):
        assert isinstance(got, int | float), path
        tol = max(ABS, REL * abs(want))
        if isinstance(want, int) and not isinstance(want, bool):
            tol = max(tol, 2)  # counts and severities
        assert math.isclose(got, want, abs_tol=tol), f"{path}: {got} vs golden {want}"


@pytest.mark.parametrize("dialect", [d for d in skincore.DIALECTS])
def test_golden(result, dialect):
    if dialect == "face-field":
        doc = result.to_dict(dialect, face_field="color,smooth,wrinkle,blackheadpore")
    else:
        doc = result.to_dict(dialect)
    doc = _strip(json.loads(json.dumps(doc)))
    if dialect == "skincore":
        # Landmarks and polygons are compared through the face box and regions' counts.
        for f in doc["faces"]:
            f["geometry"].pop("landmarks")
            f["geometry"]["regions"] = sorted(f["geometry"]["regions"])
    path = GOLDEN / f"{dialect}.json"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} missing: run with SKINCORE_UPDATE_GOLDEN=1")
        path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    _compare(doc, json.loads(path.read_text()))


def test_compare_catches_changes():
    _compare({"a": [1, 2.0, "x"]}, {"a": [1, 2.0, "x"]})
    for got in ({"a": [1, 2.5, "x"]}, {"a": [9, 2.0, "x"]}, {"a": [1, 2.0, "y"]}, {"b": 1}):
        with pytest.raises(AssertionError):
            _compare(got, {"a": [1, 2.0, "x"]})
