"""Dump every value of the native result of real photos, or compare two dumps.

A speed change that should not change any result is checked with it: dump the tree
before and the tree after (each with ``PYTHONPATH`` pointing at its ``python/``),
at one and at two threads, and compare::

    PYTHONPATH=python python tools/result_values.py dump before.json --threads 1
    PYTHONPATH=python python tools/result_values.py compare before.json after.json

The photos: every ``*.jpg`` of ``../shared/faces`` and an even sample of the
development data in ``../shared/data`` (9 of ``acne04-dev``, 7 of ``dark-circles``,
8 of ``utkface-dev``): 34 photos when all are present. Each result is flattened to
``path -> value`` (``meta``, which holds timings, is left out); a photo that raises
records its error code instead.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = (("acne04-dev", 9), ("dark-circles", 7), ("utkface-dev", 8))
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def photos(shared: Path = SHARED) -> list[Path]:
    """Return the photos to dump: ``shared/faces/*.jpg`` and a sample of ``shared/data``."""
    out = sorted((shared / "faces").glob("*.jpg"))
    for folder, n in SAMPLES:
        files = sorted(
            f for f in (shared / "data" / folder).rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES
        )
        out += files[:: max(1, len(files) // n)][:n]
    return out


def flatten(obj: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return ``{"/a/b[0]": value}`` for every leaf of a JSON-like object (no top ``meta``)."""
    out = {} if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not (prefix == "" and k == "meta"):
                flatten(v, f"{prefix}/{k}", out)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            flatten(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = obj
    return out


def dump(path: Path, threads: int) -> None:
    """Analyse every photo with one Analyzer and write the flattened results."""
    import skincore

    an = skincore.Analyzer(threads=threads)
    res: dict[str, dict[str, Any]] = {}
    for f in photos():
        try:
            res[f.name] = flatten(an.analyze(str(f)).to_dict("skincore"))
        except skincore.SkinError as e:
            res[f.name] = {"error": e.code}
    path.write_text(json.dumps(res, default=str))
    print(f"{len(res)} photos, {sum(len(v) for v in res.values())} values -> {path}")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def compare(a_path: Path, b_path: Path, show: int = 15) -> int:
    """Print the values that differ (the first ``show``) and return their count."""
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    n = differ = 0
    for photo in sorted(set(a) | set(b)):
        va, vb = a.get(photo, {}), b.get(photo, {})
        for key in sorted(set(va) | set(vb)):
            n += 1
            if not _same(va.get(key), vb.get(key)):
                differ += 1
                if differ <= show:
                    print(f"{photo} {key}: {va.get(key)!r} -> {vb.get(key)!r}")
    print(f"{differ} of {n} differ")
    return differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="analyse the photos and write their values")
    d.add_argument("out", type=Path)
    d.add_argument("--threads", type=int, default=1)
    c = sub.add_parser("compare", help="count the values that differ between two dumps")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out, args.threads)
    else:
        sys.exit(1 if compare(args.a, args.b) else 0)


if __name__ == "__main__":
    main()
