"""Same face at four distances (and resized, recompressed): do the measurements agree?

    python benchmarks/eval_distance.py [--faces DIR]

Uses the CC0 selfie series in ``shared/faces`` (15/30/45/60 cm, same person and
light) and the 15 cm photo resized x0.5/x0.75 and re-encoded at JPEG q70/q95.
Prints ITA, enlarged-pore density per cm2, wrinkle and roughness scores and the
share of per-zone severities equal to the reference (15 cm), per variant.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image

import skincore

HERE = Path(__file__).resolve().parents[1]


def _variants(faces: Path) -> dict[str, np.ndarray]:
    ref = Image.open(faces / "cc0_selfie_15cm.jpg").convert("RGB")
    out = {"15cm": np.asarray(ref)}
    for d in ("30cm", "45cm", "60cm"):
        p = faces / f"cc0_selfie_{d}.jpg"
        if p.exists():
            out[d] = np.asarray(Image.open(p).convert("RGB"))
    for f in (0.75, 0.5):
        im = ref.resize((round(ref.width * f), round(ref.height * f)), Image.LANCZOS)
        out[f"15cm x{f}"] = np.asarray(im)
    for q in (95, 70):
        buf = io.BytesIO()
        ref.save(buf, "JPEG", quality=q)
        out[f"15cm q{q}"] = np.asarray(Image.open(buf).convert("RGB"))
    return out


def _summary(face) -> dict:
    g = face.grades
    pores = face.pores
    enl = None
    if pores is not None:
        area = sum(z.area_cm2 for z in pores.zones.values())
        enl = sum(z.enlarged_count for z in pores.zones.values()) / area if area else None
    sev = {}
    for name, cg in g.items():
        for z, gz in cg.zones.items():
            sev[f"{name}:{z}"] = gz.severity
    return {
        "ppm": face.geometry.px_per_mm,
        "ita": face.tone.ita if face.tone else None,
        "enlarged_per_cm2": enl,
        "wrinkle_score": g["wrinkles"].whole.score if "wrinkles" in g else None,
        "rough_score": g["roughness"].whole.score if "roughness" in g else None,
        "severities": sev,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=Path, default=HERE.parent / "shared" / "faces")
    args = ap.parse_args()
    an = skincore.Analyzer()
    rows = {name: _summary(an.analyze(img).faces[0]) for name, img in _variants(args.faces).items()}
    ref = rows["15cm"]
    print(
        f"{'variant':<12} {'px/mm':>6} {'ITA':>6} {'dITA':>6} {'enl/cm2':>8} {'d%':>6} "
        f"{'wrinkle':>8} {'rough':>6} {'same sev':>9}"
    )
    for name, r in rows.items():
        common = set(r["severities"]) & set(ref["severities"])
        same = (
            np.mean([r["severities"][k] == ref["severities"][k] for k in common])
            if common
            else float("nan")
        )
        enl, e0 = r["enlarged_per_cm2"], ref["enlarged_per_cm2"]
        d = 100 * (enl - e0) / e0 if enl is not None and e0 else float("nan")
        print(
            f"{name:<12} {r['ppm']:>6.2f} {r['ita']:>6.1f} {r['ita'] - ref['ita']:>6.1f} "
            f"{enl if enl is not None else float('nan'):>8.2f} {d:>6.0f} "
            f"{r['wrinkle_score'] if r['wrinkle_score'] is not None else float('nan'):>8.0f} "
            f"{r['rough_score'] if r['rough_score'] is not None else float('nan'):>6.0f} "
            f"{same:>9.0%}"
        )


if __name__ == "__main__":
    main()
