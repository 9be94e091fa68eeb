"""Test photos with their landmarks: the fitted faces several test modules share."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from skincore.face import detect_faces, fit_landmarks
from skincore.io import load_image

FACES = Path(__file__).parent / "data" / "faces"


def fitted_faces(names: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{name: (rgb, landmarks)}`` of ``tests/data/faces/<name>.jpg``, largest face."""
    out = {}
    for name in names:
        rgb = load_image(FACES / f"{name}.jpg").rgb
        box = detect_faces(rgb, max_faces=1)[0]
        out[name] = (rgb, fit_landmarks(rgb, box).points)
    return out


def found_faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{file name: (rgb, landmarks)}`` of every test face, as ``analyze()`` finds them.

    :func:`skincore.face.finder.find_faces` (the largest face, fitted upright and
    confirmed by the detector), where :func:`fitted_faces` fits the detector's box.
    """
    from skincore.face.finder import find_faces

    out = {}
    for path in sorted(FACES.glob("*.jpg")):
        rgb = load_image(path).rgb
        ((_, lm),) = find_faces(rgb, max_faces=1)
        out[path.name] = (rgb, lm.points)
    return out
