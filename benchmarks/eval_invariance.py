"""Do the colour, eye, shine and age measurements hold when the photo is resized or recompressed?

Run: ``PYTHONPATH=python python benchmarks/eval_invariance.py [PHOTO ...]``
(default: the packaged sample and the test faces of every skin tone).

Each photo is analysed as it is, resized to x0.75 and x0.5 (area resampling) and
re-encoded as JPEG at quality 95 and 70. Per variant the headline value of every
concern that ``eval_distance.py`` does not cover is printed with its change from
the original: dark circles (L* darkening per eye, and the type), eye bags (valley
depth per eye), shine (area share), moisture (area share), skin type, skin age,
radiance (unevenness), redness and pigmentation (area shares), active acne and
moles (counts). A change beyond :data:`TOLERANCE` is marked ``!``: a face photographed
smaller or compressed harder is the same face. Concerns below their resolution floor
at a size are absent there and not compared (pores, wrinkles and roughness: see
``eval_distance.py``).
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

import skincore
from skincore.analysis import FaceResult

HERE = Path(__file__).resolve().parents[1]

#: Largest change from the original photo per value (same units as the value).
TOLERANCE = {
    "dc_left_dL": 1.5,
    "dc_right_dL": 1.5,
    "bag_left": 1.0,
    "bag_right": 1.0,
    "shine_%": 0.5,
    "moist_%": 3.0,
    "age": 2.0,
    "uneven": 0.3,
    "red_%": 1.0,
    "brown_%": 1.0,
    "acne": 2.0,
    "moles": 1.0,
}
#: Values that must not change at all.
EXACT = ("dc_type", "skin_type")


def _per_eye(out: dict[str, float | str], result: object, key: str, attr: str) -> None:
    """Copy ``attr`` of each eye of ``result`` (when measured) into ``out``."""
    for side in ("left", "right"):
        eye = getattr(result, side, None) if result is not None else None
        if eye is not None:
            out[key.format(side)] = float(getattr(eye, attr))


def values(face: FaceResult) -> dict[str, float | str]:
    """The headline value of each concern of one face."""
    out: dict[str, float | str] = {}
    _per_eye(out, face.dark_circles, "dc_{}_dL", "delta_L")
    grades = face.grades.get("dark_circles")
    if grades is not None and "type" in grades.extra:
        out["dc_type"] = str(grades.extra["type"])
    _per_eye(out, face.eye_bags, "bag_{}", "depth")
    if face.oiliness is not None:
        out["shine_%"] = 100 * face.oiliness.area
    if face.moisture is not None:
        out["moist_%"] = 100 * face.moisture.area
    if face.skin_type is not None:
        out["skin_type"] = face.skin_type.kind
    if face.skin_age is not None:
        out["age"] = face.skin_age.age
    if face.radiance is not None:
        out["uneven"] = face.radiance.unevenness
    if face.redness is not None:
        out["red_%"] = 100 * face.redness.area
    if face.pigmentation is not None:
        out["brown_%"] = 100 * face.pigmentation.brown_area
    if face.acne is not None:
        out["acne"] = float(face.acne.active_count)
    if face.moles is not None:
        out["moles"] = float(face.moles.count)
    return out


def _resized(f: float) -> Callable[[Image.Image], Image.Image]:
    def run(im: Image.Image) -> Image.Image:
        size = (round(im.width * f), round(im.height * f))
        return im.resize(size, Image.Resampling.BOX)

    return run


def _jpeg(q: int) -> Callable[[Image.Image], Image.Image]:
    def run(im: Image.Image) -> Image.Image:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=q)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")

    return run


VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "x0.75": _resized(0.75),
    "x0.5": _resized(0.5),
    "q95": _jpeg(95),
    "q70": _jpeg(70),
}


def compare(ref: dict[str, float | str], got: dict[str, float | str]) -> dict[str, tuple]:
    """Per value present in both: (value, change, within tolerance)."""
    out = {}
    for k, v in got.items():
        if k not in ref:
            continue
        r = ref[k]
        if isinstance(v, str) or isinstance(r, str):
            out[k] = (v, None, v == r)
        else:
            d = float(v) - float(r)
            out[k] = (v, d, abs(d) <= TOLERANCE[k])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("photos", nargs="*", type=Path)
    args = ap.parse_args()
    photos = args.photos or [Path(skincore.sample_path())] + sorted(
        (HERE / "tests/data/faces").glob("*.jpg")
    )
    analyzer = skincore.Analyzer()
    failures = total = 0
    for path in photos:
        with Image.open(path) as im:
            base = im.convert("RGB")
        ref = values(analyzer.analyze(np.asarray(base)).faces[0])
        print(f"\n{path.name} ({base.width}x{base.height})")
        print("  original " + "  ".join(f"{k} {_fmt(v)}" for k, v in ref.items()))
        for name, make in VARIANTS.items():
            got = values(analyzer.analyze(np.asarray(make(base))).faces[0])
            cmp = compare(ref, got)
            total += len(cmp)
            failures += sum(not ok for _, _, ok in cmp.values())
            cells = "  ".join(
                f"{k} {_fmt(d if d is not None else v, signed=d is not None)}{'' if ok else '!'}"
                for k, (v, d, ok) in cmp.items()
            )
            print(f"  {name:<8} {cells}")
    print(f"\n{total - failures} of {total} values within tolerance ({failures} marked !)")


def _fmt(v: float | str, signed: bool = False) -> str:
    if isinstance(v, str):
        return v
    return f"{v:+.2f}" if signed else f"{v:.2f}"


if __name__ == "__main__":
    main()
