"""What the colour concerns share: one lesion detection per face, mask outlines, zone shares.

Acne, moles and pigmentation read the same lesion detection
(:func:`skincore.concerns.lesions.detect_lesions`) of a face, run once on the
colour grid (:attr:`FaceWork.colour_rgb` / ``colour_lab``, about 3 px/mm) over the
face skin mask (segmented skin minus eyes, brows, lips, nostrils, hair and
beard, so no lesion is searched there) and memoised on the face's
:class:`~skincore.concerns.work.FaceWork` under its detection parameters. This
module converts what it finds to image pixels
(:class:`skincore.analysis.Lesion`), shares the colour grid's chromophore maps,
and turns area masks (red, brown skin) into
outlines and per-zone shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from skincore import contours
from skincore.analysis import Lesion, Rect
from skincore.chromophore import chromophore_maps
from skincore.concerns.lesions import Lesion as LesionFound
from skincore.concerns.lesions import LesionParams, detect_lesions
from skincore.face.regions import zone_window
from skincore.heads import head_lesions

if TYPE_CHECKING:
    from skincore.concerns.work import FaceWork

#: Zones whose shares the colour concerns report (AILab: forehead and cheeks;
#: the others for the native output).
COLOUR_ZONES = ("forehead", "left_cheek", "right_cheek", "nose", "chin")

#: Contrast features carried into the result.
_CONTRAST = ("dL", "da", "db", "redness", "melanin")


def face_chromophores(work: FaceWork) -> tuple[np.ndarray, np.ndarray]:
    """``(melanin, haemoglobin)`` of the face's colour grid, once per face.

    Redness reads the haemoglobin, pigmentation the melanin, of the same maps.
    """
    return work.memo(
        "chromophores", lambda: chromophore_maps(work.colour_rgb, threads=work.threads)
    )


def face_lesions(work: FaceWork, params: LesionParams) -> list[Lesion]:
    """Every lesion of the face (all kinds), image pixels, most confident first.

    Memoised on ``work`` by ``params``: concerns with equal detection parameters
    share one detection. With a lesion head (``work.lesion_head``,
    :mod:`skincore.heads`) the head's detections replace the rules' for every
    concern, whatever its ``params``.
    """
    head = work.lesion_head
    if head is not None:
        return work.memo(("lesion_head",), lambda: head_lesions(work, head))
    return work.memo(("lesions", params), lambda: _detect(work, params))


def _detect(work: FaceWork, params: LesionParams) -> list[Lesion]:
    skin = work.colour.masks["face"]
    if not np.any(skin):
        return []
    found = detect_lesions(
        work.colour_rgb,
        work.colour_lab,
        skin,
        work.colour_px_per_mm,
        params,
        threads=work.threads,
    )
    found = off_band(found, work.colour_nose_band(params.fold_margin_mm, params.far_nose_mm))
    s = work.colour_scale
    ox, oy = work.crop[:2]
    out = []
    for les in found:
        x0, y0, x1, y1 = les.bbox
        out.append(
            Lesion(
                kind=les.kind,
                rect=Rect(x0 / s + ox, y0 / s + oy, (x1 - x0) / s, (y1 - y0) / s),
                polygon=work.colour_to_image(les.polygon)
                if len(les.polygon)
                else np.zeros((0, 2), np.float32),
                area_mm2=float(les.area_mm2),
                confidence=float(les.confidence),
                contrast={k: float(les.features[k]) for k in _CONTRAST if k in les.features},
            )
        )
    return out


def off_band(found: list[LesionFound], band: np.ndarray) -> list[LesionFound]:
    """Keep the lesions whose centre pixel is not in ``band`` (the grid they were found on).

    The band round the nose folds and along a turned face's far nose outline
    (:meth:`FaceWork.colour_nose_band`, ``LesionParams.fold_margin_mm`` and
    ``far_nose_mm``): the shading of the creases and of the nose's silhouette,
    and the wing's own redness, gave lesions of every kind there.
    """
    h, w = band.shape
    return [
        les
        for les in found
        if not band[
            min(max(round(les.center[1]), 0), h - 1), min(max(round(les.center[0]), 0), w - 1)
        ]
    ]


def outlines(
    work: FaceWork, mask: np.ndarray, *, min_area_mm2: float, epsilon_px: float = 0.7
) -> list[np.ndarray]:
    """Outlines (image pixels) of a colour-grid mask's components, largest first.

    Components smaller than ``min_area_mm2`` are left out (single noisy pixels
    are not an area).
    """
    labels, stats = contours.label(mask > 0, threads=work.threads)
    if stats.area.size == 0:
        return []
    ppm2 = work.colour_px_per_mm**2
    keep = np.flatnonzero(stats.area >= min_area_mm2 * ppm2)
    if keep.size == 0:
        return []
    polys = contours.find_contours(labels, threads=work.threads)
    order = keep[np.argsort(-stats.area[keep], kind="stable")]
    out = []
    for i in order:
        p = polys[i]
        if len(p) > 2:
            p = contours.simplify(p, epsilon_px)
        if len(p) >= 3:
            out.append(work.colour_to_image(p))
    return out


def zone_shares(work: FaceWork, mask: np.ndarray) -> dict[str, float]:
    """Share of each zone's skin (:data:`COLOUR_ZONES`) set in ``mask`` (colour grid)."""
    out: dict[str, float] = {}
    for name in COLOUR_ZONES:
        zw = zone_window(work.colour.masks, name)  # the zone's box: the same counts
        if zw is None:
            continue
        win, zm = zw
        n = int(np.count_nonzero(zm))
        if n:
            out[name] = float(np.count_nonzero((mask[win] > 0) & zm)) / n
    return out
