"""Side faces (AILab Pro ``left_side_image`` / ``right_side_image``): photo quality and jawline.

A side photo shows the jawline, which a frontal one hides. For each side photo
the face is found and fitted like the main photo (:func:`skincore.face.finder.find_faces`);
then

* the **quality code** (AILab ``*_jawline_quality``): 1 when the face is turned
  20-120 degrees to show the requested side, 2 when it is turned less than 20
  degrees, 3 more than 120, 4 when no face is found, 5 when the face shows the
  *other* side (a left-side photo of the right side), 6 otherwise (the face is cut
  by the border);
* with quality 1 only, the **jawline**: the mesh's face outline on the visible
  side from the ear (tragus level) down to the chin, in image pixels (AILab
  ``*_jawline_mark``), and its **angle** (``*_jawline_angle``): the angle, in the
  image, at the jaw's corner (the outline point farthest from the ear-chin
  chord, the gonion) between the ramus (towards the ear) and the mandible's body
  (towards the chin). A square, defined jaw is near 110-120 degrees; a soft,
  sagging one opens to 140 and more.

Signs: the subject's *left* side faces the camera when they turn to their right
(``yaw < 0`` in :func:`skincore.face.pose.head_pose`). The face mesh fits faces
turned up to about 60-70 degrees; beyond that no face is found (quality 4),
so code 3 is in practice rare. The angle is measured in the photo's plane, so
it depends on how far the head is turned; compare photos taken alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skincore.face.finder import find_faces
from skincore.face.pose import head_pose

#: Face-outline landmarks from the ear (tragus level) down to the chin, per
#: visible side (the subject's side).
JAW_CONTOUR: dict[str, tuple[int, ...]] = {
    "right": (234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152),
    "left": (454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152),
}

#: AILab quality codes.
GOOD, TOO_LITTLE, TOO_MUCH, NO_FACE, WRONG_SIDE, OTHER = 1, 2, 3, 4, 5, 6

#: The turn (degrees) a usable side photo shows.
TURN_RANGE = (20.0, 120.0)


@dataclass(frozen=True)
class SideFace:
    """The result of one side photo.

    Attributes
    ----------
    side : str
        ``"left"`` or ``"right"``: the side the photo was given for.
    quality : int
        AILab quality code 1-6 (see the module docstring).
    yaw : float or None
        The face's yaw in degrees (None without a face).
    angle : float or None
        Jawline angle at the jaw's corner, degrees (quality 1 only).
    mark : numpy.ndarray
        ``(K, 2)`` jawline points, image pixels of the side photo (empty unless
        quality 1).
    width, height : int
        Size of the side photo.
    """

    side: str
    quality: int
    yaw: float | None
    angle: float | None
    mark: np.ndarray = field(repr=False)
    width: int
    height: int


def jawline(points: np.ndarray, side: str) -> tuple[np.ndarray, float]:
    """Return the jawline of the visible ``side`` and its angle at the jaw's corner.

    Parameters
    ----------
    points : numpy.ndarray
        ``(478, 2+)`` landmarks, image pixels.
    side : {"left", "right"}
        The subject's side.

    Returns
    -------
    mark : numpy.ndarray
        ``(K, 2)`` float32 outline from the ear to the chin.
    angle : float
        Degrees, in (0, 180].
    """
    pts = np.asarray(points, np.float64)[list(JAW_CONTOUR[side]), :2]
    ear, chin = pts[0], pts[-1]
    chord = chin - ear
    n = np.array([-chord[1], chord[0]]) / max(float(np.hypot(*chord)), 1e-9)
    corner = int(np.argmax(np.abs((pts - ear) @ n)))
    corner = min(max(corner, 1), len(pts) - 2)
    u, v = ear - pts[corner], chin - pts[corner]
    cos = float(u @ v) / max(float(np.hypot(*u) * np.hypot(*v)), 1e-9)
    angle = math.degrees(math.acos(min(1.0, max(-1.0, cos))))
    return pts.astype(np.float32), angle


def _inside(points: np.ndarray, width: int, height: int) -> bool:
    p = np.asarray(points)[:, :2]
    return bool(
        np.all((p[:, 0] >= 0) & (p[:, 0] <= width - 1) & (p[:, 1] >= 0) & (p[:, 1] <= height - 1))
    )


def measure_side(
    rgb: np.ndarray,
    side: str,
    *,
    threads: int = 0,
    detector_session: Any = None,
    landmarks_session: Any = None,
) -> SideFace:
    """Judge one side photo and measure its jawline.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 side photo.
    side : {"left", "right"}
        The subject's side the photo is meant to show.
    threads : int, optional
        Kernel threads.
    detector_session, landmarks_session : optional
        The analyser's ONNX sessions.

    Returns
    -------
    SideFace

    Raises
    ------
    ValueError
        For a ``side`` other than ``"left"`` / ``"right"``.
    """
    if side not in JAW_CONTOUR:
        raise ValueError(f"side: expected 'left' or 'right', got {side!r}")
    h, w = rgb.shape[:2]
    empty = np.zeros((0, 2), np.float32)
    found = find_faces(
        rgb,
        max_faces=1,
        threads=threads,
        detector_session=detector_session,
        landmarks_session=landmarks_session,
        # A profile is what a side photo shows: the frontal detector's confirmation
        # of the mesh would refuse it.
        confirm=False,
    )
    if not found:
        return SideFace(side, NO_FACE, None, None, empty, w, h)
    _, lm = found[0]
    points = np.asarray(lm.points)
    yaw = float(head_pose(points)[0])
    shows_left = yaw < 0  # the subject turned to their right: their left faces us
    turn = abs(yaw)
    if turn >= TURN_RANGE[0] and shows_left != (side == "left"):
        return SideFace(side, WRONG_SIDE, yaw, None, empty, w, h)
    if turn < TURN_RANGE[0]:
        return SideFace(side, TOO_LITTLE, yaw, None, empty, w, h)
    if turn > TURN_RANGE[1]:
        return SideFace(side, TOO_MUCH, yaw, None, empty, w, h)
    mark, angle = jawline(points, side)
    if not _inside(mark, w, h):
        return SideFace(side, OTHER, yaw, None, empty, w, h)
    return SideFace(side, GOOD, yaw, angle, mark, w, h)
