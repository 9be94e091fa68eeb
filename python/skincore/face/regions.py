"""Face regions from the 478 FaceMesh landmarks: polygons and skin-only masks.

Every region of the vendor documents is a polygon over landmark indices. Paired
regions are defined once on the subject's **right** side (the image's left in a
non-mirrored photo) and mirrored with :data:`MIRROR`, so ``left_*`` and
``right_*`` are exact mirror images in mesh topology. Names follow the subject:
left_cheek is the subject's left cheek.

Masks are skin-only: the polygon, minus eyes, brows, lips and nostrils, and minus
pixels whose colour is far from the face's own cheek skin (hair over the forehead,
beard, glasses frames, deep shadows). See :func:`skin_gate`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skincore import geometry
from skincore.face.scale import px_per_mm

#: MIRROR[i] is the FaceMesh index that mirrors index i across the facial midline
#: (an involution; the 28 midline points map to themselves). Derived from the
#: packaged sample by reflecting its frontal landmarks and matching them
#: optimally; checked against the known MediaPipe pairs in the tests.
MIRROR: tuple[int, ...] = tuple(
    json.loads((Path(__file__).parent / "mirror.json").read_text(encoding="ascii"))
)

#: The face outline, clockwise from the top of the forehead.
FACE_OVAL = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)

# Regions symmetric in themselves (closed polygons).
_CENTRAL: dict[str, tuple[int, ...]] = {
    "forehead": (
        54,
        103,
        67,
        109,
        10,
        338,
        297,
        332,
        284,
        300,
        293,
        334,
        296,
        336,
        9,
        107,
        66,
        105,
        63,
        70,
    ),
    "glabella": (107, 9, 336, 285, 417, 168, 193, 55),
}

# Symmetric regions given as the subject-right half path from the top midline to
# the bottom midline; the left half is mirrored.
_HALF_PATHS: dict[str, tuple[int, ...]] = {
    "nose": (168, 193, 122, 196, 174, 217, 126, 209, 49, 64, 98, 97, 2),
    "chin": (18, 83, 201, 208, 171, 148, 152),
    "lips": (0, 37, 39, 40, 185, 61, 146, 91, 181, 84, 17),
}

# Paired regions, subject's right side.
_RIGHT: dict[str, tuple[int, ...]] = {
    "cheek": (
        111,
        117,
        118,
        119,
        120,
        121,
        47,
        126,
        142,
        203,
        206,
        216,
        212,
        214,
        192,
        213,
        147,
        123,
        116,
    ),
    "under_eye": (226, 25, 110, 24, 23, 22, 26, 112, 128, 121, 120, 119, 118, 117, 111, 35),
    "crows_feet": (130, 113, 124, 156, 139, 162, 127, 234, 227, 116, 111, 35, 226),
    "nasolabial": (129, 203, 206, 216, 212, 57, 186, 92, 165, 98, 64),
    "mouth_corner": (57, 43, 106, 182, 194, 32, 140, 170, 211, 210, 202, 212),
    "cheekbone": (117, 118, 119, 101, 36, 205, 187, 123, 116),
    "eye": (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7),
    "brow": (70, 63, 105, 66, 107, 55, 65, 52, 53, 46),
    # The upper eyelid: the eye's upper contour, then the brow's lower edge back.
    "eyelid": (33, 246, 161, 160, 159, 158, 157, 173, 133, 55, 65, 52, 53, 46),
    "nostril": (166, 79, 237, 239, 238, 20, 60, 75, 59),
}

#: Folds beside and below the nose, as landmark paths: the alar-facial grooves
#: (each nose wing's outline, from the side of the nose down round the nostril
#: to the subnasale and up the other side) and the philtrum's groove. They are
#: skin, but under almost any light they are a shading edge, which texture
#: measures read as rough skin or a line; texture concerns leave a band round
#: them (:meth:`skincore.concerns.context.TextureContext.fold_free`).
NOSE_FOLDS: tuple[tuple[int, ...], ...] = (
    (126, 209, 49, 48, 64, 98, 97, 2, 326, 327, 294, 278, 279, 429, 355),
    (2, 164),
)

#: Half-width (mm) of the band round :data:`NOSE_FOLDS` that roughness, wrinkles
#: and the brown search leave out. In frontal photos the mesh's wing outline lies
#: within 1-2 mm of the crease and the crease's shadow is 2-4 mm wide (with 2 mm,
#: rough half-discs were left at the band's edge beside the nose). In
#: three-quarter views the outline of the near wing can lie 4-8 mm inside its
#: crease (the make-up photo of ``shared/faces``, yaw 22, pitch 20 degrees): there
#: the band reaches :data:`NEAR_WING_MM` further out (:func:`near_wing_reach`).
NOSE_FOLD_MARGIN_MM = 3.0

#: The outline of the subject's right nose wing within :data:`NOSE_FOLDS`, from
#: the side of the nose down round the nostril (the left one mirrors it).
NOSE_WING: tuple[int, ...] = (126, 209, 49, 48, 64, 98)
#: How much further (mm) the band round the nose folds reaches out into the cheek
#: beside the nose wing nearer the camera on a turned face
#: (:func:`near_wing_reach`). There the mesh's wing outline lies inside the crease
#: that the photo shows: on every third ACNE04 development photo (76 turned 25-60
#: degrees) the cheek 5-10 mm from the near wing's outline read 0.09-0.16 rough
#: against 0.05-0.06 further out, the far side 0.03-0.05 and frontal faces
#: 0.02-0.03; the make-up photo of ``shared/faces`` (22 degrees) 0.27-0.42.
NEAR_WING_MM = 4.0
#: Yaw (degrees) from which the near wing's band reaches further out, and at which
#: it reaches :data:`NEAR_WING_MM` further (linear in between).
NEAR_WING_YAW_DEG = (10.0, 20.0)
#: The subject's right nose outline as the mesh places it: from the bridge's top
#: down the side of the nose and round the wing (:data:`NOSE_WING`) to the nostril
#: (the left one mirrors it).
NOSE_OUTLINE: tuple[int, ...] = (168, 193, 122, 196, 174, 217, *NOSE_WING)
#: How far (mm) beyond the mesh's outline of the nose's far side the nose's
#: silhouette can lie on a turned face (:func:`far_nose_reach`). There the nose
#: hides the cheek beside it and its edge is a dark line along the outline that the
#: wrinkle filter traces: on every third ACNE04 development photo, every second
#: dark-circle photo and ``shared/faces`` (20 faces turned 22-51 degrees), the long
#: lines along it (27.7-36.2 mm on three cheeks, 8-12 mm beside the inner eye
#: corner on four faces) lay 0-5 mm outside the outline.
FAR_NOSE_MM = 5.0
#: Yaw (degrees) from which the band along the far nose outline reaches out, and at
#: which it reaches :data:`FAR_NOSE_MM` (linear in between).
FAR_NOSE_YAW_DEG = (10.0, 25.0)
#: The subject's right glabella edge as the mesh places it: from the brow head's
#: upper inner point down to the bridge's top, where :data:`NOSE_OUTLINE` starts
#: (the left one mirrors it). On a face turned 25 degrees or more the far side's
#: glabella turns away from the camera along it and meets the far eye socket: a
#: shading edge that the far nose band (which starts at the bridge's top) does not
#: reach (roughness's ``far_glabella_mm``).
FAR_GLABELLA: tuple[int, ...] = (107, 168)


#: Regions reported by the engine (skin-only masks). t_zone = forehead +
#: glabella + nose; u_zone = both cheeks + chin + both mouth corners.
SKIN_REGIONS = (
    "face",
    "forehead",
    "glabella",
    "nose",
    "t_zone",
    "u_zone",
    "chin",
    "left_cheek",
    "right_cheek",
    "left_under_eye",
    "right_under_eye",
    "left_crows_feet",
    "right_crows_feet",
    "left_nasolabial",
    "right_nasolabial",
    "left_mouth_corner",
    "right_mouth_corner",
    "left_cheekbone",
    "right_cheekbone",
)

#: Margin kept around the excluded parts, as a fraction of the distance between
#: the outer eye corners (about 2 mm on an adult face).
EXCLUSION_MARGIN = 0.02

#: Parts that are never measured as skin: eyes, upper eyelids (the lid between
#: eye and brow: skin, but its texture is the eye's and brow's edges), brows, lips,
#: nostrils.
EXCLUDED = (
    "left_eye",
    "right_eye",
    "left_eyelid",
    "right_eyelid",
    "left_brow",
    "right_brow",
    "lips",
    "left_nostril",
    "right_nostril",
    "left_lashes",
    "right_lashes",
)

#: Computed regions: the upper lashes of a closed or nearly closed eye, which
#: hang below its lid line (:func:`lash_band`). Not landmark polygons.
LASHES = ("left_lashes", "right_lashes")

#: How far the upper lashes of a closed eye reach below the lid line, mm, at mid-eye
#: (half that at the corners). Adult upper lashes are 8-12 mm long and curl; on the
#: closed eyes of ACNE04's clinic photos they hang 5-7 mm below the lid line.
LASH_MM = 6.0
#: How far the lashes of a closed eye sweep out past its outer corner, mm.
LASH_SWEEP_MM = 2.0
#: How far the band below an eye runs on past its outer corner, mm
#: (:func:`lower_lid_band`).
LOWER_LID_OUTER_MM = 5.0
#: How far the band below an eye runs on past its inner corner, towards the nose,
#: mm (:func:`lower_lid_band`).
LOWER_LID_INNER_MM = 5.0
#: Lid gap at mid-eye (mm, upper to lower lid margin) from which an eye is open and
#: its lashes stand above the lower lid; at and below :data:`EYE_CLOSED_MM` the band
#: is :data:`LASH_MM` deep, in between proportionally. FaceMesh puts the lids of
#: closed eyes 1-5 mm apart (ACNE04), of open eyes 6-11 mm.
EYE_OPEN_MM = 6.0
#: See :data:`EYE_OPEN_MM`.
EYE_CLOSED_MM = 3.0
#: The crest between the nose's bridge and its side wall beside the subject's
#: right eye, as weighted landmarks from the top: 0.6 of 193 (beside the bridge)
#: and 0.4 of 189 (the brow's inner end) at the inner corners' height, then 245
#: and 188 down the bridge's side (the left side mirrors it). On the frontal faces
#: of ``shared/faces`` the rough skin beside the bridge lies 7-11 mm from the
#: midline, from 10 mm above the inner eye corners to 8 mm below them, along it
#: (``benchmarks/eval_nose_sides.py``).
_RIGHT_NOSE_SIDE: tuple[tuple[tuple[int, float], ...], ...] = (
    ((193, 0.6), (189, 0.4)),
    ((245, 1.0),),
    ((188, 1.0),),
)
#: How far the band beside the bridge (:func:`nose_side_band`) runs on above its
#: top point (towards the brow), mm.
NOSE_SIDE_UP_MM = 6.0
#: How far it runs on below its last point, down the nose, mm.
NOSE_SIDE_DOWN_MM = 2.0
#: The subject's right eye: outer and inner corner, mid upper and mid lower lid,
#: then the lower lid from the inner to the outer corner (the left eye mirrors it).
_RIGHT_EYE_LIDS = (33, 133, 159, 145, (133, 155, 154, 153, 145, 144, 163, 7, 33))
#: A point below the eyes (the upper lip's middle): which way is down the face.
_MOUTH = 13


def _mirror(idx: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(MIRROR[i] for i in idx)


def region_indices() -> dict[str, tuple[int, ...]]:
    """Landmark index polygons of every region (before skin gating)."""
    out: dict[str, tuple[int, ...]] = {"face_oval": FACE_OVAL}
    out.update(_CENTRAL)
    for name, half in _HALF_PATHS.items():
        other = _mirror(half)[::-1]
        out[name] = half + other[1:-1]
    for name, idx in _RIGHT.items():
        out[f"right_{name}"] = idx
        out[f"left_{name}"] = _mirror(idx)[::-1]
    return out


_INDICES = region_indices()

#: The face region's polygon: the convex hull of the outline ring (:data:`FACE_OVAL`).
#: The ring is the face's outline in 3-D. On a turned face the far half of the
#: ring projects onto the cheek, inside the face, and the ring's polygon becomes
#: concave, a crescent at 60 degrees, leaving out the visible skin between the
#: nose and that far half: on ACNE04's side views 6-8 % of the region at 35-45
#: degrees of yaw, 15-55 % at 50-63. Its hull fills the crescent and equals
#: the ring's polygon on a frontal face (the ring is convex there). The ring itself
#: (``face_oval``) stays the outline that is reported.
FACE_HULL = "face_hull"


def hull_indices(points: np.ndarray) -> np.ndarray:
    """Return the indices of the convex hull of 2-D points, in order round it.

    Andrew's monotone chain; collinear points are left out and ties broken by
    index, so the result is deterministic.

    Parameters
    ----------
    points : numpy.ndarray
        ``(N, 2+)`` points; only x and y are read.

    Returns
    -------
    numpy.ndarray
        ``(K,)`` intp indices into ``points``.
    """
    xy = np.asarray(points, np.float64)[:, :2]
    order = np.lexsort((np.arange(len(xy)), xy[:, 1], xy[:, 0]))
    if len(order) < 3:
        return order.astype(np.intp)

    def cross(o: int, a: int, b: int) -> float:
        return float(
            (xy[a, 0] - xy[o, 0]) * (xy[b, 1] - xy[o, 1])
            - (xy[a, 1] - xy[o, 1]) * (xy[b, 0] - xy[o, 0])
        )

    def chain(seq: Iterable[int]) -> list[int]:
        out: list[int] = []
        for i in seq:
            while len(out) >= 2 and cross(out[-2], out[-1], i) <= 0:
                out.pop()
            out.append(int(i))
        return out

    lower = chain(order)
    upper = chain(order[::-1])
    return np.array(lower[:-1] + upper[:-1], np.intp)


def region_polygons(
    landmarks: np.ndarray, names: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Region polygons in image pixels.

    Parameters
    ----------
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    names : iterable of str, optional
        Only these regions (names of :func:`region_indices`, or
        :data:`FACE_HULL`); default all.

    Returns
    -------
    dict of str to numpy.ndarray
        (K, 2) float32 (x, y) polygon per region name of
        :func:`region_indices`, and :data:`FACE_HULL` (the outline ring's convex
        hull, the polygon of the ``face`` skin region).

    Raises
    ------
    KeyError
        On a name that is not a region.
    """
    pts = np.asarray(landmarks, dtype=np.float32)[:, :2]
    if names is None:
        names = (*_INDICES, FACE_HULL, *LASHES)
    out = {}
    for name in names:
        if name == FACE_HULL:
            out[name] = _hull_polygon(pts)
        elif name in LASHES:
            out[name] = lash_band(landmarks, name.removesuffix("_lashes"))
        else:
            out[name] = pts[list(_INDICES[name])]
    return out


def lash_band(landmarks: np.ndarray, side: str) -> np.ndarray:
    """Polygon of the upper lashes hanging below a closed eye's lid line (image pixels).

    The band runs along the lower lid from the inner to the outer corner, on past
    it by :data:`LASH_SWEEP_MM`, and back along the same line moved down the face
    (perpendicular to the eye's corner line) by ``depth * (0.5 + 0.5 sin(pi t))``,
    ``t`` 0-1 along the lid: the lashes are longest mid-eye. ``depth`` is
    :data:`LASH_MM` for a closed eye and falls to 0 for an open one (lid gap at
    mid-eye from :data:`EYE_CLOSED_MM` to :data:`EYE_OPEN_MM`, in mm by the iris,
    :func:`skincore.face.scale.px_per_mm`).
    An open eye's band is its lower lid line there and back, which covers no pixel
    (so is a degenerate mesh's).

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.
    side : str
        ``"left"`` or ``"right"``, the subject's side.

    Returns
    -------
    numpy.ndarray
        ``(20, 2)`` float32 (x, y).
    """
    pts, line, gap_mm, unit, down, ppm = lower_lid_frame(landmarks, side)
    closed = min(max((EYE_OPEN_MM - gap_mm) / (EYE_OPEN_MM - EYE_CLOSED_MM), 0.0), 1.0)
    if not (np.any(unit) and np.isfinite(ppm)):
        closed = 0.0  # a degenerate mesh: no band
    # the outer lashes sweep out past the corner
    line = np.concatenate([line, line[-1:] + closed * LASH_SWEEP_MM * ppm * unit])
    t = np.linspace(0.0, 1.0, len(line))
    depth = closed * LASH_MM * ppm * (0.5 + 0.5 * np.sin(np.pi * t))
    hanging = line + depth[:, None] * down
    return np.concatenate([line, hanging[::-1]]).astype(np.float32)


def lower_lid_frame(
    landmarks: np.ndarray, side: str
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray, float]:
    """One eye's lower lid line and its frame, in the landmarks' pixels.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points.
    side : str
        ``"left"`` or ``"right"``, the subject's side.

    Returns
    -------
    points : numpy.ndarray
        ``(478, 2)`` float64 (x, y) of every landmark.
    lid : numpy.ndarray
        ``(9, 2)`` the lower lid line from the inner to the outer corner.
    gap_mm : float
        Upper to lower lid at mid-eye, mm (0 without a scale).
    unit : numpy.ndarray
        ``(2,)`` unit vector from the inner to the outer corner; zeros for a
        degenerate mesh.
    down : numpy.ndarray
        ``(2,)`` unit vector perpendicular to it, towards the mouth; zeros with
        ``unit``.
    px_per_mm : float
        Pixels per mm by the iris (:func:`skincore.face.scale.px_per_mm`).

    Raises
    ------
    ValueError
        For a side other than ``"left"`` or ``"right"``.
    """
    pts = np.asarray(landmarks, dtype=np.float64)[:, :2]
    outer, inner, upper, lower, right_lid = _RIGHT_EYE_LIDS
    lid: tuple[int, ...] = right_lid
    if side == "left":
        outer, inner, upper, lower = (MIRROR[i] for i in (outer, inner, upper, lower))
        lid = _mirror(lid)
    else:
        _check_side(side)
    ppm = px_per_mm(landmarks)
    gap_mm = float(np.linalg.norm(pts[upper] - pts[lower])) / ppm if ppm > 0 else 0.0
    unit, down = _axis(pts[inner], pts[outer], pts[_MOUTH])
    return pts, pts[list(lid)], gap_mm, unit, down, ppm


def _axis(start: np.ndarray, end: np.ndarray, below: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the unit vector from ``start`` to ``end`` and its normal towards ``below``.

    The normal points to ``below``'s side of the two points' midpoint; both are
    zeros for coinciding or non-finite points.
    """
    across = end - start
    norm = float(np.linalg.norm(across))
    if not (norm > 0.0 and np.isfinite(norm)):
        return np.zeros(2), np.zeros(2)
    unit = across / norm
    down = np.array([-unit[1], unit[0]])
    if np.dot(down, below - 0.5 * (start + end)) < 0:
        down = -down
    return unit, down


def _check_side(side: str) -> None:
    """Raise ValueError unless ``side`` is ``"left"`` or ``"right"``."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right'; got {side!r}")


def lower_lid_band(
    landmarks: np.ndarray,
    side: str,
    depth_mm: float,
    sweep_mm: float = LOWER_LID_OUTER_MM,
    inner_mm: float = LOWER_LID_INNER_MM,
) -> np.ndarray:
    """Polygon of the skin just below an eye's lower lid (image pixels).

    The band runs along the lower lid line from ``inner_mm`` before the inner
    corner (towards the nose, along the corner line) to ``sweep_mm`` past the outer
    corner, and back along the same line moved ``depth_mm`` down the face
    (perpendicular to the corner line). Millimetres by the iris
    (:func:`skincore.face.scale.px_per_mm`). It holds the lower lashes (with
    mascara or liner on them), the lid-cheek junction's curved shading and the
    canthi, where roughness read rough skin on nearly every face (see
    :data:`skincore.concerns.roughness.LOWER_LID_MM`). A degenerate mesh or a
    depth of 0 gives the lid line there and back, which covers no pixel.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the pixels of the grid the band is for.
    side : str
        ``"left"`` or ``"right"``, the subject's side.
    depth_mm : float
        How far the band reaches below the lid line, mm.
    sweep_mm : float, optional
        How far it runs on past the outer corner, mm.
    inner_mm : float, optional
        How far it starts before the inner corner, mm.

    Returns
    -------
    numpy.ndarray
        ``(22, 2)`` float32 (x, y).
    """
    _, line, _, unit, down, ppm = lower_lid_frame(landmarks, side)
    if not (np.isfinite(ppm) and ppm > 0 and depth_mm > 0):
        ppm = 0.0
    line = np.concatenate(
        [
            line[:1] - max(inner_mm, 0.0) * ppm * unit,
            line,
            line[-1:] + max(sweep_mm, 0.0) * ppm * unit,
        ]
    )
    hanging = line + max(depth_mm, 0.0) * ppm * down
    return np.concatenate([line, hanging[::-1]]).astype(np.float32)


def near_wing_reach(yaw: float) -> tuple[float, float]:
    """How much further (mm) the band round each nose wing reaches into the cheek.

    Parameters
    ----------
    yaw : float
        Head yaw in degrees (:func:`skincore.face.pose.head_pose`: positive when
        the subject turns to their left, which brings their right side nearer the
        camera).

    Returns
    -------
    tuple of float
        ``(right, left)``, the subject's sides: :data:`NEAR_WING_MM` times a ramp
        from 0 at the first of :data:`NEAR_WING_YAW_DEG` to 1 at the second on the
        near side, 0 on the far side and for a non-finite yaw.
    """
    reach = NEAR_WING_MM * _yaw_ramp(yaw, NEAR_WING_YAW_DEG)
    return (reach, 0.0) if yaw > 0 else (0.0, reach)


def far_nose_reach(yaw: float) -> tuple[float, float]:
    """How far (mm) the band along each nose outline reaches out beyond it.

    Parameters
    ----------
    yaw : float
        Head yaw in degrees, as for :func:`near_wing_reach`.

    Returns
    -------
    tuple of float
        ``(right, left)``, the subject's sides: :data:`FAR_NOSE_MM` times a ramp
        from 0 at the first of :data:`FAR_NOSE_YAW_DEG` to 1 at the second on the
        side away from the camera, 0 on the near side and for a non-finite yaw.
    """
    reach = FAR_NOSE_MM * _yaw_ramp(yaw, FAR_NOSE_YAW_DEG)
    return (0.0, reach) if yaw > 0 else (reach, 0.0)


def _yaw_ramp(yaw: float, limits: tuple[float, float]) -> float:
    """0 below ``limits[0]`` degrees of yaw (either way), 1 from ``limits[1]``; 0 if NaN."""
    lo, hi = limits
    if not math.isfinite(yaw):
        return 0.0
    return min(max((abs(yaw) - lo) / (hi - lo), 0.0), 1.0)


def nose_side_crest(
    landmarks: np.ndarray,
    side: str,
    up_mm: float = NOSE_SIDE_UP_MM,
    down_mm: float = NOSE_SIDE_DOWN_MM,
) -> tuple[np.ndarray, float]:
    """Return the crest of the nose's side wall beside an eye, from the top (image pixels).

    :data:`_RIGHT_NOSE_SIDE` (mirrored for the left side), extended ``up_mm``
    above its top point and ``down_mm`` below its last one, mm by the iris
    (:func:`skincore.face.scale.px_per_mm`).

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points.
    side : str
        ``"left"`` or ``"right"``, the subject's side.
    up_mm, down_mm : float, optional
        How far the crest runs on past its top and bottom points, mm.

    Returns
    -------
    crest : numpy.ndarray
        ``(5, 2)`` float64 (x, y); a degenerate mesh's (a point repeated, no
        scale) is not extended.
    px_per_mm : float
        The scale; 0 for a degenerate mesh.

    Raises
    ------
    ValueError
        For a side other than ``"left"`` or ``"right"``.
    """
    _check_side(side)
    pts = np.asarray(landmarks, dtype=np.float64)[:, :2]
    crest = np.array(
        [
            sum(w * pts[MIRROR[i] if side == "left" else i] for i, w in point)
            for point in _RIGHT_NOSE_SIDE
        ]
    )
    ppm = px_per_mm(landmarks)
    seg = np.diff(crest, axis=0)
    length = np.hypot(seg[:, 0], seg[:, 1])
    if not (np.isfinite(ppm) and ppm > 0 and np.all(length > 0)):
        ppm, seg = 0.0, np.zeros_like(seg)
    else:
        seg /= length[:, None]
    extended = np.concatenate(
        [
            crest[:1] - max(up_mm, 0.0) * ppm * seg[:1],
            crest,
            crest[-1:] + max(down_mm, 0.0) * ppm * seg[-1:],
        ]
    )
    return extended, ppm


def nose_side_band(
    landmarks: np.ndarray,
    side: str,
    half_width_mm: float,
    up_mm: float = NOSE_SIDE_UP_MM,
    down_mm: float = NOSE_SIDE_DOWN_MM,
) -> np.ndarray:
    """Polygon of the skin along the crest of the nose's side wall beside an eye.

    The crest (:func:`nose_side_crest`) runs down the side of the bridge from
    beside the brow's inner end to below the inner eye corner; the band holds the
    skin within ``half_width_mm`` of it (mm by the iris). Under almost any light
    the side wall turns away from the bridge there and meets the eye socket's
    inner wall: a curved shading edge, which texture measures read as a strip of
    rough skin on both sides of the bridge (see
    :data:`skincore.concerns.roughness.NOSE_SIDE_MM`). A degenerate mesh or a
    half-width of 0 gives the crest there and back, which covers no pixel.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the pixels of the grid the band is for.
    side : str
        ``"left"`` or ``"right"``, the subject's side.
    half_width_mm : float
        How far the band reaches on either side of the crest, mm.
    up_mm, down_mm : float, optional
        How far the crest runs on past its top and bottom points, mm.

    Returns
    -------
    numpy.ndarray
        ``(10, 2)`` float32 (x, y): one side of the crest down, the other up.

    Raises
    ------
    ValueError
        For a side other than ``"left"`` or ``"right"``.
    """
    crest, ppm = nose_side_crest(landmarks, side, up_mm, down_mm)
    seg = np.diff(crest, axis=0)
    # each point's normal: the mean of its segments' (the ends': their segment's)
    tangent = np.concatenate([seg[:1], seg[:-1] + seg[1:], seg[-1:]])
    norm = np.hypot(tangent[:, 0], tangent[:, 1])
    tangent /= np.where(norm > 0, norm, 1.0)[:, None]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1) * (max(half_width_mm, 0.0) * ppm)
    return np.concatenate([crest + normal, (crest - normal)[::-1]]).astype(np.float32)


#: The lower lip's outer edge under its middle, from the subject's right to left.
_LOWER_LIP_MIDDLE = (181, 84, 17, 314, 405)
#: The subject's right mouth corner (the left one mirrors it).
_RIGHT_MOUTH_CORNER = 61
#: The chin's lowest point: which way is down from the mouth.
_CHIN = 152
#: Vertices of the disc's polygon.
_DISC_VERTICES = 24


def mouth_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Return the mouth's axis and the direction down from it, in the landmarks' pixels.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points.

    Returns
    -------
    points : numpy.ndarray
        ``(478, 2)`` float64 (x, y) of every landmark.
    unit : numpy.ndarray
        ``(2,)`` unit vector from the subject's right mouth corner to the left
        one; zeros for a degenerate mesh.
    down : numpy.ndarray
        ``(2,)`` unit vector perpendicular to it, towards the chin; zeros with
        ``unit``.
    px_per_mm : float
        Pixels per mm by the iris (:func:`skincore.face.scale.px_per_mm`); 0 for
        a degenerate mesh.
    """
    pts = np.asarray(landmarks, dtype=np.float64)[:, :2]
    unit, down = _axis(pts[_RIGHT_MOUTH_CORNER], pts[MIRROR[_RIGHT_MOUTH_CORNER]], pts[_CHIN])
    ppm = px_per_mm(landmarks)
    if not (unit.any() and np.isfinite(ppm) and ppm > 0):
        return pts, np.zeros(2), np.zeros(2), 0.0
    return pts, unit, down, float(ppm)


def lip_chin_band(landmarks: np.ndarray, depth_mm: float) -> np.ndarray:
    """Polygon of the skin under the lower lip's middle (image pixels).

    The band runs along the lower lip's outer edge from 181 to 405 (the middle
    half of the mouth, :data:`_LOWER_LIP_MIDDLE`) and back along the same edge
    moved ``depth_mm`` down the face (perpendicular to the line of the mouth
    corners, towards the chin). It holds the labiomental groove, the hollow
    between the lower lip and the chin whose shading the light from above
    leaves under the lip (see :data:`skincore.concerns.roughness.LIP_CHIN_MM`).
    A degenerate mesh or a depth of 0 gives the lip's edge there and back, which
    covers no pixel.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the pixels of the grid the band is for.
    depth_mm : float
        How far the band reaches below the lip, mm (by the iris).

    Returns
    -------
    numpy.ndarray
        ``(10, 2)`` float32 (x, y).
    """
    pts, _, down, ppm = mouth_frame(landmarks)
    edge = pts[list(_LOWER_LIP_MIDDLE)]
    lower = edge + max(depth_mm, 0.0) * ppm * down
    return np.concatenate([edge, lower[::-1]]).astype(np.float32)


def mouth_corner_band(landmarks: np.ndarray, side: str, radius_mm: float) -> np.ndarray:
    """Polygon of the disc of skin just outside a mouth corner (image pixels).

    A disc of ``radius_mm`` (by the iris) centred ``radius_mm`` beyond the corner
    along the line of the two corners, so that it touches the corner and reaches
    twice its radius out: the commissure, where the lips' fold turns into the
    cheek, a curved shading that texture measures read as rough skin on nearly
    every face (see :data:`skincore.concerns.roughness.MOUTH_CORNER_MM`). A
    degenerate mesh or a radius of 0 covers no pixel.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the pixels of the grid the band is for.
    side : str
        ``"left"`` or ``"right"``, the subject's side.
    radius_mm : float
        The disc's radius, mm.

    Returns
    -------
    numpy.ndarray
        ``(24, 2)`` float32 (x, y).

    Raises
    ------
    ValueError
        For a side other than ``"left"`` or ``"right"``.
    """
    _check_side(side)
    pts, unit, _, ppm = mouth_frame(landmarks)
    corner = _RIGHT_MOUTH_CORNER if side == "right" else MIRROR[_RIGHT_MOUTH_CORNER]
    outward = -unit if side == "right" else unit
    r = max(radius_mm, 0.0) * ppm
    angle = np.linspace(0.0, 2.0 * np.pi, _DISC_VERTICES, endpoint=False)
    centre = pts[corner] + r * outward
    ring = centre + r * np.stack([np.cos(angle), np.sin(angle)], 1)
    return ring.astype(np.float32)


def _hull_polygon(pts: np.ndarray) -> np.ndarray:
    """Return the convex hull of the outline ring's points (:data:`FACE_HULL`)."""
    ring = pts[list(FACE_OVAL)]
    return ring[hull_indices(ring)]


@dataclass(frozen=True)
class RegionMasks:
    """Skin-only region masks on a crop of the image.

    Attributes
    ----------
    keep : numpy.ndarray
        ``(h, w)`` uint8, 255 where a pixel is skin-coloured and away from eyes,
        brows, lips and nostrils: every skin mask is its polygon AND this.
    origin : tuple of int
        (x, y) of the crop's top-left corner in the image.
    scale : float
        Mask pixels per image pixel.
    masks : dict of str to numpy.ndarray
        ``(h, w)`` uint8 masks (255 inside) for :data:`SKIN_REGIONS` plus
        "face_polygon" (the outline without skin gating) and the excluded
        parts.
    skin : numpy.ndarray
        (h, w) uint8, nonzero on skin over the crop: on ``FaceWork.colour`` the
        skin the segmentation finds and what it leaves unclassified that is skin
        (``FaceWork.colour_parts``); from :func:`build_masks` the colour-gated
        skin (1 = skin-coloured).
    excluded : numpy.ndarray or None
        (h, w) uint8, 255 on eyes, brows, lips and nostrils with their margin:
        what no skin concern may measure, whatever its colour.
    beard : numpy.ndarray or None
        (h, w) uint8, 255 on beard and stubble (when measured).
    hair : numpy.ndarray or None
        (h, w) uint8, 255 where the segmentation reads hair (when measured).
    """

    keep: np.ndarray
    origin: tuple[int, int]
    scale: float
    masks: Mapping[str, np.ndarray]
    skin: np.ndarray
    excluded: np.ndarray | None = None
    beard: np.ndarray | None = None
    hair: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """(h, w) of the crop."""
        return self.skin.shape


#: Skin regions that are unions of polygon regions.
UNIONS: dict[str, tuple[str, ...]] = {
    "face": (FACE_HULL, "forehead"),
    "t_zone": ("forehead", "glabella", "nose"),
    "u_zone": ("left_cheek", "right_cheek", "chin", "left_mouth_corner", "right_mouth_corner"),
}


def skin_mask(
    name: str, polygons: dict[str, np.ndarray], keep: np.ndarray, *, threads: int = 1
) -> np.ndarray:
    """Rasterise one skin region on the grid of ``keep``.

    Parameters
    ----------
    name : str
        A name of :data:`SKIN_REGIONS`.
    polygons : dict of str to numpy.ndarray
        Region polygons in the grid's pixel coordinates.
    keep : numpy.ndarray
        ``(h, w)`` uint8 skin gate (255 = skin, see :attr:`RegionMasks.keep`).
    threads : int, optional
        Worker threads for rasterisation.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` uint8, 255 inside the region's skin.
    """
    parts = UNIONS.get(name, (name,))
    h, w = keep.shape
    if not parts:
        return np.zeros(keep.shape, np.uint8)
    pts = np.concatenate([np.asarray(polygons[p], np.float64).reshape(-1, 2) for p in parts])
    m = geometry.fill_union([polygons[part] for part in parts], keep.shape, threads=threads)
    # Only the polygons' bounding box can be set: gate just that part.
    x0 = max(0, int(np.floor(pts[:, 0].min())))
    y0 = max(0, int(np.floor(pts[:, 1].min())))
    x1 = min(w, int(np.ceil(pts[:, 0].max())) + 1)
    y1 = min(h, int(np.ceil(pts[:, 1].max())) + 1)
    if x1 > x0 and y1 > y0:
        np.bitwise_and(m[y0:y1, x0:x1], keep[y0:y1, x0:x1], out=m[y0:y1, x0:x1])
    return m


class LazyMasks(Mapping):
    """Region masks of one grid, rasterised on first access and cached.

    ``name`` in :data:`SKIN_REGIONS` gives the skin-only mask (polygon AND
    ``keep``); ``"<region>_polygon"`` the bare polygon; an :data:`EXCLUDED` name
    the bare part.
    """

    def __init__(self, polygons: dict[str, np.ndarray], keep: np.ndarray) -> None:
        self._polygons = polygons
        self._keep = keep
        self._cache: dict[str, np.ndarray] = {}
        self._boxes: dict[str, tuple[int, int, int, int] | None] = {}

    def _names(self) -> list[str]:
        return list(SKIN_REGIONS) + ["face_polygon", "forehead_polygon"] + list(EXCLUDED)

    def __getitem__(self, name: str) -> np.ndarray:
        m = self._cache.get(name)
        if m is not None:
            return m
        if name in SKIN_REGIONS:
            m = skin_mask(name, self._polygons, self._keep)
        elif name.endswith("_polygon") or name in EXCLUDED:
            poly = "face_oval" if name == "face_polygon" else name.removesuffix("_polygon")
            if poly not in self._polygons:
                raise KeyError(name)
            m = geometry.fill_polygons([self._polygons[poly]], self._keep.shape, threads=1)
        else:
            raise KeyError(name)
        self._cache[name] = m
        return m

    def box(self, name: str) -> tuple[int, int, int, int] | None:
        """Return ``(x0, y0, x1, y1)``: mask ``name`` is 0 outside these columns and rows.

        The bounding box of the region's polygons clipped to the grid (what
        :func:`skin_mask` gates), known without rasterising; ``None`` when it is
        empty (so is the mask). For a tight box search the mask inside it.
        Computed once per name (the polygons and the grid do not change).
        """
        if name in self._boxes:
            return self._boxes[name]
        box = self._box(name)
        self._boxes[name] = box
        return box

    def _box(self, name: str) -> tuple[int, int, int, int] | None:
        if name in SKIN_REGIONS:
            parts = UNIONS.get(name, (name,))
        elif name.endswith("_polygon") or name in EXCLUDED:
            parts = ("face_oval" if name == "face_polygon" else name.removesuffix("_polygon"),)
        else:
            raise KeyError(name)
        if not parts or any(p not in self._polygons for p in parts):
            raise KeyError(name)
        pts = np.concatenate(
            [np.asarray(self._polygons[p], np.float64).reshape(-1, 2) for p in parts]
        )
        h, w = self._keep.shape
        if len(pts) == 0:
            return None
        x0 = max(0, int(np.floor(pts[:, 0].min())))
        y0 = max(0, int(np.floor(pts[:, 1].min())))
        x1 = min(w, int(np.ceil(pts[:, 0].max())) + 1)
        y1 = min(h, int(np.ceil(pts[:, 1].max())) + 1)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def window(self, name: str, pad: int = 0) -> tuple[np.ndarray, int, int] | None:
        """Return mask ``name`` on its box grown by ``pad``: ``(mask, x0, y0)``.

        The part of ``self[name]`` on :meth:`box` grown by ``pad`` pixels and
        clipped to the grid, ``(x0, y0)`` its corner; rasterised there only (and
        not cached) unless the full mask is cached already, whose view is given.
        ``None`` when the box is empty.
        """
        box = self.box(name)
        if box is None:
            return None
        h, w = self._keep.shape
        x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
        x1, y1 = min(w, box[2] + pad), min(h, box[3] + pad)
        cached = self._cache.get(name)
        if cached is not None:
            return cached[y0:y1, x0:x1], x0, y0
        shape, origin = (y1 - y0, x1 - x0), (x0, y0)
        if name in SKIN_REGIONS:
            polys = [self._polygons[p] for p in UNIONS.get(name, (name,))]
            m = geometry.fill_union(polys, shape, threads=1, origin=origin)
            np.bitwise_and(m, self._keep[y0:y1, x0:x1], out=m)
        else:
            poly = "face_oval" if name == "face_polygon" else name.removesuffix("_polygon")
            m = geometry.fill_polygons([self._polygons[poly]], shape, threads=1, origin=origin)
        return m, x0, y0

    def count(self, name: str) -> int:
        """Nonzero pixels of mask ``name`` (on its box only; see :meth:`window`)."""
        win = self.window(name)
        return 0 if win is None else int(np.count_nonzero(win[0]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def mask_box(masks: Mapping[str, np.ndarray], name: str) -> tuple[int, int, int, int] | None:
    """Return ``(x0, y0, x1, y1)`` outside which ``masks[name]`` is 0.

    :meth:`LazyMasks.box` for lazy masks (no rasterisation needed), the whole
    grid for any other mapping; ``None`` when the box is empty.
    """
    if isinstance(masks, LazyMasks):
        return masks.box(name)
    h, w = np.shape(masks[name])[:2]
    return (0, 0, w, h) if h and w else None


def mask_count(masks: Mapping[str, np.ndarray], name: str) -> int:
    """Nonzero pixels of ``masks[name]`` (:meth:`LazyMasks.count`: on its box only)."""
    if isinstance(masks, LazyMasks):
        return masks.count(name)
    return int(np.count_nonzero(masks[name]))


def zone_window(
    masks: Mapping[str, np.ndarray], name: str
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """``(window, zone)``: the slices of :func:`mask_box` and ``masks[name] > 0`` there.

    Counts and selections of a zone over its box equal those over the whole
    grid (the mask is 0 outside it), at the cost of the box; ``None`` when the
    box is empty. The full mask is rasterised (and cached) as ``masks[name]``.
    """
    box = mask_box(masks, name)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    win = (slice(y0, y1), slice(x0, x1))
    return win, masks[name][win] > 0


def all_points(polygons: Mapping[str, np.ndarray]) -> np.ndarray:
    """``(N, 2)`` float64: the vertices of every polygon of ``polygons`` together.

    What :func:`crop_box` must enclose so that no region is cut by the crop.
    """
    return np.concatenate([np.asarray(p, np.float64)[:, :2] for p in polygons.values()])


def crop_box(
    landmarks: np.ndarray,
    width: int,
    height: int,
    margin: float = 0.04,
    *,
    extra: np.ndarray | None = None,
) -> tuple[int, int, int, int]:
    """Integer crop (x0, y0, x1, y1) around the face outline, clipped to the image.

    ``margin`` is a share of the outline's larger side added on every side;
    ``extra`` (``(N, 2)`` image points, e.g. the forehead polygon extended to the
    hairline above the mesh's top ring) is enclosed too, with the same margin.
    """
    oval = np.asarray(landmarks)[list(FACE_OVAL), :2]
    ox0, oy0 = oval.min(axis=0)
    ox1, oy1 = oval.max(axis=0)
    m = margin * max(ox1 - ox0, oy1 - oy0)
    pts = oval if extra is None else np.concatenate([oval, np.asarray(extra)[:, :2]])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return (
        max(0, int(np.floor(x0 - m))),
        max(0, int(np.floor(y0 - m))),
        min(width, int(np.ceil(x1 + m)) + 1),
        min(height, int(np.ceil(y1 + m)) + 1),
    )


def lower_lid(eye: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the lower lid margin of an eye contour: (xs ascending, ys), image pixels.

    The contour's points on or below the chord between its two corners (its
    leftmost and rightmost points), sorted by x.
    """
    pts = np.asarray(eye, np.float64)[:, :2]
    a, b = pts[np.argmin(pts[:, 0])], pts[np.argmax(pts[:, 0])]
    t = (pts[:, 0] - a[0]) / max(b[0] - a[0], 1e-6)
    chord = a[1] + t * (b[1] - a[1])
    low = pts[pts[:, 1] >= chord - 1e-6]
    low = low[np.argsort(low[:, 0])]
    return low[:, 0], low[:, 1]


def polygon_area(poly: np.ndarray) -> float:
    """Area of a simple polygon (shoelace formula), in squared pixels."""
    x = poly[:, 0].astype(np.float64)
    y = poly[:, 1].astype(np.float64)
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def skin_gate(lab: np.ndarray, reference: np.ndarray, *, k: float = 3.0) -> np.ndarray:
    """Pixels whose colour is close to the face's own skin.

    The reference skin colour is the per-channel median of reference (Lab
    pixels of both cheeks), with a robust spread (1.4826 x MAD, at least 2 L*,
    1.5 a*, 1.5 b*). A pixel is skin when its normalised distance to the median is
    below k, or when it is brighter than the median with a similar hue
    (specular highlights on skin are skin; they are removed later from colour
    statistics, not from region areas).

    Parameters
    ----------
    lab : numpy.ndarray
        (h, w, 3) float32 CIELAB.
    reference : numpy.ndarray
        (n, 3) Lab samples of the face's skin.
    k : float, optional
        Distance threshold in robust standard deviations.

    Returns
    -------
    numpy.ndarray
        (h, w) uint8, 1 where skin-coloured.
    """
    ref = np.asarray(reference, dtype=np.float32)
    if ref.shape[0] > 40_000:  # a regular subsample is plenty for a median and MAD
        ref = ref[:: ref.shape[0] // 20_000]
    med = np.median(ref, axis=0)
    mad = np.median(np.abs(ref - med), axis=0) * 1.4826
    sig = np.maximum(mad, np.array([2.0, 1.5, 1.5], dtype=np.float32))
    # Allow more spread in L* than in chroma: above the median (shine) by 2x, below
    # it (under-eye darkening, soft shadows) by 1.6x. Hair, beard and deep shadows
    # are far darker than that.
    d = lab[..., 0] - np.float32(med[0])
    d *= np.where(d > 0, np.float32(1.0 / (2.0 * sig[0])), np.float32(1.0 / (1.6 * sig[0])))
    dist2 = d * d
    for c in (1, 2):
        d = lab[..., c] - np.float32(med[c])
        d *= np.float32(1.0 / sig[c])
        dist2 += d * d
    return (dist2 < np.float32(k * k)).astype(np.uint8)


def build_masks(
    lab: np.ndarray,
    landmarks: np.ndarray,
    origin: tuple[int, int],
    *,
    scale: float = 1.0,
    threads: int = 0,
) -> RegionMasks:
    """Rasterise every region on the crop lab and gate it by skin colour.

    Parameters
    ----------
    lab : numpy.ndarray
        (h, w, 3) float32 CIELAB of the crop.
    landmarks : numpy.ndarray
        (478, 2+) landmarks in image pixels.
    origin : tuple of int
        (x, y) of the crop in the image.
    scale : float, optional
        Pixels of ``lab`` per image pixel (the crop may be downscaled): a
        landmark ``p`` lies at ``(p - origin) * scale`` in ``lab``.
    threads : int, optional
        Worker threads for rasterisation.

    Returns
    -------
    RegionMasks
        Skin-only masks of every region.
    """
    h, w = lab.shape[:2]
    off = np.array(origin, dtype=np.float64)
    # Pixel centres: image pixel centre x maps to (x + 0.5) * scale - 0.5.
    polys = {
        name: ((p.astype(np.float64) - off + 0.5) * scale - 0.5).astype(np.float32)
        for name, p in region_polygons(landmarks).items()
    }
    # Small polygons: one thread each is faster than waking a pool per polygon.
    excluded_u8 = np.zeros((h, w), np.uint8)
    for name in EXCLUDED:
        geometry.fill_polygons([polys[name]], (h, w), out=excluded_u8, threads=1)
    excluded = excluded_u8 > 0
    # Keep a margin from eyes, brows, lips and nostrils: their edges (lashes, brow
    # hairs, lip borders) are not skin texture. The margin is a fraction of the
    # inter-ocular distance so it scales with the face.
    iod = float(np.linalg.norm(np.asarray(landmarks)[33, :2] - np.asarray(landmarks)[263, :2]))
    margin = EXCLUSION_MARGIN * iod * scale
    if margin >= 0.5:
        blurred = geometry.gaussian_blur(excluded.astype(np.float32), margin / 2.0, threads=threads)
        excluded = blurred > 0.02
    cheeks = np.zeros((h, w), np.uint8)
    for name in ("left_cheek", "right_cheek"):
        geometry.fill_polygons([polys[name]], (h, w), out=cheeks, threads=1)
    ref = lab[(cheeks > 0) & ~excluded]
    if ref.shape[0] < 100:
        oval = geometry.fill_polygons([polys["face_oval"]], (h, w), threads=1)
        ref = lab[(oval > 0) & ~excluded]
    skin = skin_gate(lab, ref) if ref.shape[0] else np.zeros((h, w), np.uint8)
    keep = (skin > 0) & ~excluded
    keep_u8 = keep.astype(np.uint8) * np.uint8(255)
    masks = LazyMasks(polys, keep_u8)
    return RegionMasks(
        keep=keep_u8,
        origin=(int(origin[0]), int(origin[1])),
        scale=float(scale),
        masks=masks,
        skin=skin,
        excluded=excluded.astype(np.uint8) * np.uint8(255),
    )
