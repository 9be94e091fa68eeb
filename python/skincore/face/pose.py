"""Head pose (yaw, pitch, roll) from the 3-D FaceMesh landmarks.

The face's axes are built from the mesh and orthonormalised (Gram-Schmidt):

* ``x``: from point 33 (subject's right eye outer corner) to point 263 (left eye outer
  corner), i.e. towards the image's right for a frontal face;
* ``y``: from point 10 (top of forehead) to point 152 (chin), made orthogonal to ``x``;
* forward ``f = y x x`` (cross product), the direction the face looks, pointing at the
  camera for a frontal face (the landmark ``z`` grows away from the camera).

Coordinates are image pixels, y down, z away from the camera (MediaPipe convention).

Sign conventions (angles in degrees):

* ``yaw`` = ``atan2(f_x, -f_z)``: positive when the subject turns to *their* left, so
  the nose moves towards the image's right (for an unmirrored photo).
* ``pitch`` = ``atan2(-f_y, hypot(f_x, f_z))``: positive when the subject looks up
  (chin raised, nose moves up in the image).
* ``roll`` = ``atan2(x_y, x_x)`` of the eye line as seen in the image: positive when
  the head is tilted clockwise on screen (the subject's left eye, on the image right,
  is lower than the right eye). Rotating a photo counter-clockwise by ``a`` degrees
  (``PIL.Image.rotate(a)``) changes the roll by ``-a``.

A horizontal mirror of the photo negates yaw and roll and keeps pitch.
"""

from __future__ import annotations

import math

import numpy as np

from skincore.face.landmarks import CHIN, FOREHEAD_TOP, LEFT_EYE_OUTER, RIGHT_EYE_OUTER


def face_axes(points: np.ndarray) -> np.ndarray:
    """Return the face's orthonormal axes as the rows of a 3x3 matrix.

    Parameters
    ----------
    points : numpy.ndarray
        (478, 3) landmarks (image pixels, z in the same scale).

    Returns
    -------
    numpy.ndarray
        Rows ``x`` (right eye -> left eye), ``y`` (forehead -> chin), ``f`` (forward).

    Raises
    ------
    ValueError
        If ``points`` is not (N >= 264, 3) or the axes are degenerate.
    """
    p = np.asarray(points, np.float64)
    if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] <= LEFT_EYE_OUTER:
        raise ValueError(f"points must have shape (478, 3), got {p.shape}")
    x = p[LEFT_EYE_OUTER] - p[RIGHT_EYE_OUTER]
    y = p[CHIN] - p[FOREHEAD_TOP]
    nx = np.linalg.norm(x)
    if not np.isfinite(nx) or nx == 0:
        raise ValueError("degenerate landmarks: eye corners coincide")
    x /= nx
    y_len = np.linalg.norm(y)
    y -= (y @ x) * x
    ny = np.linalg.norm(y)
    # Parallel within rounding (relative to the axis' own length) is degenerate too.
    if not np.isfinite(ny) or ny <= 1e-6 * max(float(y_len), 1.0):
        raise ValueError("degenerate landmarks: forehead-chin axis parallel to eye line")
    y /= ny
    f = np.cross(y, x)
    return np.stack([x, y, f])


def head_pose(points: np.ndarray) -> tuple[float, float, float]:
    """Return ``(yaw, pitch, roll)`` in degrees; see the module docstring for signs.

    Parameters
    ----------
    points : numpy.ndarray
        (478, 3) landmarks from :func:`skincore.face.fit_landmarks`.

    Returns
    -------
    tuple of float
        ``yaw`` (+ = subject turns to their left / nose to image right), ``pitch``
        (+ = looks up), ``roll`` (+ = clockwise tilt on screen; the eye-line angle).
    """
    x, _, f = face_axes(points)
    yaw = math.degrees(math.atan2(f[0], -f[2]))
    pitch = math.degrees(math.atan2(-f[1], math.hypot(f[0], f[2])))
    roll = math.degrees(math.atan2(x[1], x[0]))
    return yaw, pitch, roll


def far_eye(yaw: float, min_yaw_deg: float) -> str | None:
    """Name the subject's eye turned away from the camera when the head is turned enough.

    Parameters
    ----------
    yaw : float
        Head yaw in degrees (:func:`head_pose`; + = the subject turns to their
        left, so their left eye is the far one).
    min_yaw_deg : float
        Turn from which the far eye is named; ``inf`` names none.

    Returns
    -------
    str or None
        ``"left"`` or ``"right"`` (the subject's sides) when ``abs(yaw) >=
        min_yaw_deg``, else ``None``.
    """
    if not abs(yaw) >= min_yaw_deg:
        return None
    return "left" if yaw > 0 else "right"
