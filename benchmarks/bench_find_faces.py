"""Time ``find_faces`` (tile pyramid, upright landmarks, refusals) against the plain path.

The plain path is what the pipeline ran before: ``detect_faces`` on the letterboxed
photo, then ``fit_landmarks`` (two passes) per face. ``find_faces`` adds tiles only
when it must look for smaller faces (``max_faces`` > the faces found), so a portrait
with ``max_faces=1`` costs the same; ``max_faces=10`` walks the whole pyramid. Also
times the strict JPEG check inside ``load_image``. Ratio = plain ms / find_faces ms.

Run: ``PYTHONPATH=python python benchmarks/bench_find_faces.py``. The machine may be
shared: compare the ratios of one run.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).parent))
import skincore  # noqa: E402
from _timing import Row, median_ms, print_table  # noqa: E402
from skincore.face import detect_faces, find_faces, fit_landmarks  # noqa: E402
from skincore.io import _check_jpeg_data, load_image  # noqa: E402


def _plain(rgb: np.ndarray) -> None:
    for box in detect_faces(rgb, max_faces=10):
        fit_landmarks(rgb, box)


def main() -> None:
    with Image.open(skincore.sample_path()) as im:
        sample = ImageOps.exif_transpose(im).convert("RGB")
    images = {
        f"sample {sample.width}x{sample.height}": np.asarray(sample),
        "12 MP 3024x4032": np.asarray(sample.resize((3024, 4032), Image.BILINEAR)),
    }
    rows, decode = [], []
    for name, rgb in images.items():
        plain = median_ms(lambda rgb=rgb: _plain(rgb), repeat=7)
        for k in (1, 10):
            ours = median_ms(lambda rgb=rgb, k=k: find_faces(rgb, max_faces=k), repeat=7)
            rows.append(Row(f"{name}, max_faces={k}", ours, "detect+landmarks", plain))
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=90)
        data = buf.getvalue()
        limits = skincore.Limits(max_file_bytes=None)
        total = median_ms(lambda data=data: load_image(data, limits), repeat=7)
        check = median_ms(lambda data=data: _check_jpeg_data(data), repeat=7)
        decode.append(Row(f"{name} JPEG: strict check", check, "whole load_image", total))
    print_table("find_faces vs the plain detect + landmarks path", rows)
    print_table("strict JPEG check (ratio = load_image / check)", decode)


if __name__ == "__main__":
    main()
