"""Shared loop of the band evaluations (``eval_lower_lid.py``, ``eval_nose_sides.py``, ...).

Each analyses the faces of ``shared/faces`` and every ``--step``-th ACNE04 photo
(accepted with ``max_out_of_bound=0.5``) once per setting of one concern
(roughness, or pigmentation's brown skin), sums a per-face table of marked and
all pixel counts, and prints the marked share of each cell with the faces'
median and mean marked area.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import skincore
from skincore.errors import SkinError

#: What each concern marks (the tables' word) and its face-level area share.
MARKS = {"roughness": ("rough", "area"), "pigmentation": ("brown", "brown_area")}


def mask_layer(result: Any) -> tuple[np.ndarray, float, tuple[float, float]]:
    """``(mask, scale, origin)`` of a roughness or pigmentation result's mask."""
    if hasattr(result, "mask_scale"):  # roughness
        return result.mask, result.mask_scale, result.mask_origin
    return result.mask.mask, result.mask.scale, result.mask.origin


def mask_pixels(result: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, marked)`` of every pixel of a result's mask, flattened.

    ``x``, ``y``: the pixel centres in image pixels; ``marked``: 1.0 where the
    mask is set, else 0.0.
    """
    mask, scale, origin = mask_layer(result)
    ys, xs = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    x = ((xs + 0.5) / scale - 0.5 + origin[0]).ravel()
    y = ((ys + 0.5) / scale - 0.5 + origin[1]).ravel()
    return x, y, (mask > 0).astype(np.float64).ravel()


def marked_face(
    analysis: skincore.Analysis, concern: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``(landmarks, x, y, marked)`` of the first face's ``concern`` mask, or None.

    ``landmarks``: the face's FaceMesh points as float64; ``x``, ``y``,
    ``marked``: :func:`mask_pixels` of the concern's result. None where the
    concern is absent.
    """
    face = analysis.faces[0]
    result = face.concerns.get(concern)
    if result is None:
        return None
    return (np.asarray(face.geometry.landmarks, np.float64), *mask_pixels(result))


def tally(
    out: np.ndarray, row: int, values: np.ndarray, marked: np.ndarray, edges: np.ndarray
) -> None:
    """Add the marked and all pixel counts of ``values`` binned by ``edges`` to ``out[:, row]``."""
    out[0, row] += np.histogram(values, edges, weights=marked)[0]
    out[1, row] += np.histogram(values, edges)[0]


def nearest_on_path(
    x: np.ndarray, y: np.ndarray, vertices: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(dist, fx, fy, piece)``: each point's distance to a polyline and its foot there.

    ``vertices`` is ``(n, 2)``; ``fx``, ``fy`` is the nearest point of the polyline
    and ``piece`` the index of its segment (``vertices[piece] -> vertices[piece +
    1]``). Degenerate segments are skipped; where none is left, ``dist`` is inf.
    """
    best = np.full(x.shape, np.inf)
    fx, fy = np.zeros(x.shape), np.zeros(x.shape)
    piece = np.zeros(x.shape, np.intp)
    for k, (a, b) in enumerate(zip(vertices[:-1], vertices[1:], strict=True)):
        d = b - a
        n2 = float(d @ d)
        if not n2 > 0:
            continue
        t = np.clip(((x - a[0]) * d[0] + (y - a[1]) * d[1]) / n2, 0.0, 1.0)
        px, py = a[0] + t * d[0], a[1] + t * d[1]
        dist = np.hypot(x - px, y - py)
        closer = dist < best
        best[closer] = dist[closer]
        fx[closer], fy[closer] = px[closer], py[closer]
        piece[closer] = k
    return best, fx, fy, piece


HERE = Path(__file__).resolve().parents[1]


def photo_args(ap: argparse.ArgumentParser) -> None:
    """Add ``--faces``, ``--data`` and ``--step`` to a parser."""
    ap.add_argument("--faces", type=Path, default=HERE.parent / "shared" / "faces")
    ap.add_argument("--data", type=Path, default=HERE.parent / "shared" / "data" / "acne04-dev")
    ap.add_argument("--step", type=int, default=5)


def photos(args: argparse.Namespace) -> list[Path]:
    """The faces of ``--faces`` and every ``--step``-th photo of ``--data``."""
    return sorted(args.faces.glob("*.jpg")) + sorted(args.data.glob("*.jpg"))[:: args.step]


def run(
    paths: Sequence[Path],
    settings: Sequence[tuple[str, Any]],
    table: Callable[[skincore.Analysis], np.ndarray | None],
    rows: Sequence[str],
    columns: np.ndarray,
    what: str,
    keep: Callable[[skincore.Analysis], bool] = lambda analysis: True,
    concern: str = "roughness",
) -> None:
    """Print, per setting, the marked share of each cell of ``table``'s counts.

    Parameters
    ----------
    paths : sequence of Path
        The photos.
    settings : sequence of (str, Params)
        A label and the parameters of ``concern`` for each run.
    table : callable
        ``(2, len(rows), len(columns) - 1)`` marked and all pixel counts of a face,
        or None where the concern is absent.
    rows : sequence of str
        The table's row names.
    columns : numpy.ndarray
        The bin edges of its columns (each column is labelled by its lower edge).
    what : str
        What the columns count, for the heading.
    keep : callable, optional
        Which accepted faces to count.
    concern : str, optional
        ``"roughness"`` or ``"pigmentation"`` (:data:`MARKS`).
    """
    word, area = MARKS[concern]
    limits = skincore.Limits(max_out_of_bound=0.5)
    for label, params in settings:
        an = skincore.Analyzer(params={concern: params}, limits=limits)
        counts = np.zeros((2, len(rows), len(columns) - 1))
        areas = []
        for path in paths:
            try:
                analysis = an.analyze(path)
            except SkinError:
                continue
            if not keep(analysis):
                continue
            found = table(analysis)
            if found is not None:
                counts += found
                areas.append(getattr(analysis.faces[0].concerns[concern], area))
        print(
            f"{label}: {len(areas)} faces, {word} area median {np.median(areas):.3f}, "
            f"mean {np.mean(areas):.3f}; share of the area that reads {word}, {what}"
        )
        print(f"{'':8}" + "".join(f"{d:>6.0f}" for d in columns[:-1]))
        for k, name in enumerate(rows):
            share = counts[0, k] / np.maximum(counts[1, k], 1)
            print(f"{name:<8}" + "".join(f"{v:6.3f}" for v in share))
