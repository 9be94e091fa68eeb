"""Eyelids on the repository's faces, and how stable they are under resize and JPEG.

    python benchmarks/eval_eyelids.py [--faces DIR]

Part 1, per photo of ``shared/faces``: per eye the crease heights (inner,
middle, outer third, mm; ``-`` = no crease there), the middle third's crease
depth (L*), the AILab type and its confidence, MRD1, scleral show, the
droopy-lid scores, and the concern's share of the whole analysis's time
(``meta.timings_ms``, same run). There are no eyelid labels for these photos:
the types were checked by eye on the crops.

Part 2, the 15 cm CC0 selfie resized x0.75 / x0.5 and re-encoded at JPEG q95 /
q70, and the same person at 30/45/60 cm: the middle crease height and MRD1 should
stay within about 1 mm and 0.3 mm of the reference, the types unchanged.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
from PIL import Image

import skincore

HERE = Path(__file__).resolve().parents[1]


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _row(name: str, face) -> str:  # noqa: ANN001 - FaceResult
    g = face.grades.get("eyelids")
    cells = [f"{name:<28}"]
    for side in ("left", "right"):
        eye = face.eyelids and getattr(face.eyelids, side)
        if eye is None or g is None:
            cells.append(f"{side}: not measured".ljust(62))
            continue
        h = "/".join(_fmt(v) for v in eye.crease_mm)
        cells.append(
            f"{side}: {h:<13} d{eye.crease_depth[1]:5.1f} "
            f"t{g.extra[f'{side}_type']} c{g.extra[f'{side}_type_confidence']:.2f} "
            f"mrd1 {eye.mrd1_mm:4.1f} show {eye.scleral_show_mm:+5.1f} "
            f"up {g.extra[f'{side}_droopy_upper']:5.1f} lo {g.extra[f'{side}_droopy_lower']:5.1f}"
        )
    return "  ".join(cells)


def _variants(faces: Path) -> dict[str, np.ndarray]:
    ref = Image.open(faces / "cc0_selfie_15cm.jpg").convert("RGB")
    out = {"15cm": np.asarray(ref)}
    for f in (0.75, 0.5):
        im = ref.resize((round(ref.width * f), round(ref.height * f)), Image.LANCZOS)
        out[f"15cm x{f}"] = np.asarray(im)
    for q in (95, 70):
        buf = io.BytesIO()
        ref.save(buf, "JPEG", quality=q)
        out[f"15cm q{q}"] = np.asarray(Image.open(buf).convert("RGB"))
    for d in ("30cm", "45cm", "60cm"):
        p = faces / f"cc0_selfie_{d}.jpg"
        if p.exists():
            out[d] = np.asarray(Image.open(p).convert("RGB"))
    return out


def main() -> None:
    """Print both tables."""
    ap = argparse.ArgumentParser()
    default = next(
        (p for p in (HERE.parent / "shared" / "faces", Path("/work/shared/faces")) if p.is_dir()),
        HERE.parent / "shared" / "faces",
    )
    ap.add_argument("--faces", type=Path, default=default)
    args = ap.parse_args()
    an = skincore.Analyzer(threads=2)
    print("crease mm inner/middle/outer, d = middle depth L*, t = type, c = confidence")
    shares, own = [], []
    for path in sorted(args.faces.glob("*.jpg")):
        res = an.analyze(np.asarray(Image.open(path).convert("RGB")))
        t = res.meta.timings_ms
        shares.append(t.get("eyelids", 0.0) / max(sum(t.values()), 1e-9))
        own.append(t.get("eyelids", 0.0))
        print(_row(path.stem, res.faces[0]))
    print(
        f"eyelids: median {np.median(own):.1f} ms, "
        f"{100 * np.median(shares):.1f} % of the analysis time (same runs)"
    )
    print()
    print("stability (15 cm selfie resized / recompressed, and the same person farther away)")
    for name, img in _variants(args.faces).items():
        res = an.analyze(img)
        print(_row(name, res.faces[0]))


if __name__ == "__main__":
    main()
