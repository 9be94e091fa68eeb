"""Shared photo list and face loop of the wrinkle evaluations (``eval_wrinkle_*.py``).

The photos: those of ``tools/result_values.py`` (``shared/faces`` and a sample of
``shared/data``), every ``every_acne``-th ACNE04 development photo (from the
``every_acne``-th) and every ``every_dark``-th dark-circle photo (from the
``every_dark``-th), each once; each yielded with the face workspace of its
first face.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from result_values import photos  # noqa: E402


def wrinkle_photos(data: Path, every_acne: int, every_dark: int) -> list[Path]:
    """The evaluations' photos, each once (the sample of ``result_values`` holds some)."""
    files = [Path(p) for p in photos(data.parent)]
    files += sorted((data / "acne04-dev").glob("*.jpg"))[every_acne - 1 :: every_acne]
    files += sorted((data / "dark-circles").rglob("*.jpg"))[every_dark - 1 :: every_dark]
    return list(dict.fromkeys(files))


def face_works(files: list[Path]) -> Iterator[tuple[Path, FaceWork]]:
    """Yield ``(photo, workspace of its first face)`` for each photo with a face."""
    for f in files:
        rgb = np.asarray(Image.open(f).convert("RGB"))
        found = find_faces(rgb, max_faces=1)
        if found:
            yield f, FaceWork(rgb, found[0][1].points)
