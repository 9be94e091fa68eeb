"""Do the eyes of a landmark mesh lie on eyes? Their contrast against the cheeks.

The landmark model fits a mesh to whatever crop it is shown. On a cheek
close-up, a profile or a face cut off above the nose it still returns a
confident mesh, with its eyes on plain cheek skin or an ear; the face detector's
confirmation of the mesh (:mod:`skincore.face.confirm`) catches most of these,
not all (ACNE04 close-ups scored up to 0.74 against its 0.65 limit). Every zone
of such a face lies on the wrong skin.

A real eye is never plain skin. Open, its pupil and iris are darker than the
skin and its sclera lighter; closed or squinting, its lashes draw a dark line;
behind glasses, the frame crosses it. Each eye is read in a box along the line
between its corners (FaceMesh 33-133 and 362-263), as long as that line and half
as high (:func:`eye_box`: it holds the lashes and lid margins even where the
eye's own outline is a sliver). With ``ref`` the median L* of the two cheek
polygons and ``p10`` / ``p90`` the 10th / 90th percentiles of L* in the box::

    contrast(eye) = max(ref - p10, p90 - p10) / (ref + 16)

and the face's :func:`eye_contrast` is the larger of its two eyes' (a turned
face may hide one). ``ref + 16`` puts the contrast on the scale of the skin's
own lightness (an L* step from a given change of reflectance scales with
``L* + 16``), so a dark iris on dark skin counts as much as on light skin.

On the development photos (``python benchmarks/eval_eye_contrast.py``) real
faces measure 0.18 and more: the lowest are small, soft UTKFace crops of
smiling, squinting faces; eyes closed, glasses and every skin tone measure
more. The mesh forced onto the ACNE04 close-up ``levle1_25`` (the eye line on
the cheek, the face detector's confirmation 0.70) measures 0.05;
:class:`skincore.limits.Limits` ``min_eye_contrast`` (0.1) is the threshold
below which ``analyze()`` refuses the face as ``no_face``. Meshes whose eyes lie
on an ear, a temple or a closed eye's lid (four other ACNE04 close-ups,
0.16-0.28) overlap the real faces and are left to the detector's confirmation
(0.63-0.69: three are refused by it, one is still measured).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from skincore import color
from skincore.face.regions import region_polygons
from skincore.face.sampling import region_pixels

#: The mesh's regions the skin's level is read in.
CHEEKS = ("right_cheek", "left_cheek")

#: Each eye's corners (FaceMesh): the subject's right eye, then the left.
EYE_CORNERS = ((33, 133), (362, 263))

#: Height of an eye's box as a share of its width (corner to corner); a wide-open
#: eye's own opening is about a third of its width.
EYE_BOX_HEIGHT = 0.5

#: Fewest pixels of an eye's box inside the photo for the eye to be read.
MIN_EYE_PIXELS = 8


def region_lightness(rgb: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """CIELAB L* of the photo's pixels inside a polygon (a regular subsample).

    Parameters
    ----------
    rgb, polygon : numpy.ndarray
        As :func:`skincore.face.sampling.region_pixels`.

    Returns
    -------
    numpy.ndarray
        1-D float32 L* of :func:`skincore.face.sampling.region_pixels` (at most
        :data:`skincore.face.sampling.MAX_SAMPLES` pixels); empty when none is inside.
    """
    px = region_pixels(rgb, polygon)
    if px.shape[0] == 0:
        return np.zeros(0, np.float32)
    return color.rgb_to_lightness(px, threads=1)[:, 0]


def eye_box(landmarks: np.ndarray, corners: tuple[int, int]) -> np.ndarray:
    """Return the box an eye is read in: corner to corner, half as high.

    A rectangle along the line between the eye's corners, centred on it, whose
    height is :data:`EYE_BOX_HEIGHT` times its length: it holds the lashes and the
    lid margins even of a squinting eye, whose outline is a sliver.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.
    corners : tuple of int
        The eye's two corner landmarks (:data:`EYE_CORNERS`).

    Returns
    -------
    numpy.ndarray
        ``(4, 2)`` float64 corners in image pixels.
    """
    p = np.asarray(landmarks, np.float64)[:, :2]
    a, b = p[corners[0]], p[corners[1]]
    u = b - a
    n = np.array([-u[1], u[0]]) * (EYE_BOX_HEIGHT / 2)
    return np.array([a - n, b - n, b + n, a + n])


def eye_contrast(
    rgb: np.ndarray, landmarks: np.ndarray, polygons: Mapping[str, np.ndarray] | None = None
) -> float:
    """How much the mesh's eyes stand out of the cheek skin (module docstring).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.
    polygons : mapping of str to numpy.ndarray, optional
        The face's region polygons when already made (they must hold
        :data:`CHEEKS`, as :func:`skincore.face.regions.region_polygons` of
        ``landmarks``); made from ``landmarks`` when omitted.

    Returns
    -------
    float
        The larger of the two eyes' contrasts; NaN when no cheek pixel or no eye
        with :data:`MIN_EYE_PIXELS` lies in the photo (nothing to judge by).
    """
    polys = region_polygons(landmarks, CHEEKS) if polygons is None else polygons
    cheeks = [region_lightness(rgb, polys[c]) for c in CHEEKS]
    skin = np.concatenate(cheeks)
    if skin.size == 0:
        return math.nan
    ref = float(np.median(skin))
    best = math.nan
    for corners in EYE_CORNERS:
        v = region_lightness(rgb, eye_box(landmarks, corners))
        if v.size < MIN_EYE_PIXELS:
            continue
        p10, p90 = (float(q) for q in np.percentile(v, (10, 90)))
        c = max(ref - p10, p90 - p10) / (ref + 16.0)
        best = c if math.isnan(best) else max(best, c)
    return best
