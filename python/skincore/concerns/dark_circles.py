"""Dark circles: how much darker, and in which colour direction, the skin under each eye is.

What is measured
----------------
On the colour work grid (:attr:`FaceWork.colour`, CIELAB D65), for each eye:

* the **under-eye skin**: the ``<side>_under_eye`` polygon minus eyes, brows,
  lips and nostrils with their margin, *without* the colour gate (a gate that
  drops pixels unlike the cheek would drop the very darkening measured here);
* the **reference skin**: the ``<side>_cheekbone`` skin just below it, on the
  same side of the face, so that a light gradient across the face cancels;
* the robust medians of L*, a*, b* of both (:func:`skincore.color.lab_stats`)
  and their differences ``delta_L``, ``delta_a``, ``delta_b`` (under-eye minus
  reference; ``delta_L < 0`` = darker) and ``delta_E`` (CIE76);
* the **darkened area**: the under-eye pixels darker than the reference median by
  at least ``outline_dl`` L* (after a 1-pixel smoothing), as a fraction of the
  under-eye skin, and the outline of its largest connected part (image pixels).

Grading (:func:`grade`)
-----------------------
The dermatological classification of infraorbital darkening separates
pigmented (brown: the skin gets darker *and* yellower/browner, b* rises),
vascular (blue-violet to purple-red: b* falls, or a* rises without b*), and
structural/shadow types (darker with little change of chroma: tear trough and
lid shape shading the skin). From the measured differences:

* present when ``darkening = -delta_L >= presence_dl`` (3 L*: about the
  smallest lightness step a person notices between adjacent skin areas);
* type 1 pigmented when ``delta_b >= type_db``; else type 2 vascular when
  ``delta_b <= -type_db`` or ``delta_a >= vascular_da``; else type 3 shadow;
* severity of the present type by the darkening: mild from 3, moderate from 6,
  severe from 10 L* (:attr:`Params.severity_dl`);
* confidence: a logistic of the darkening's distance to the presence threshold
  (spread 1 L*) times that of the deciding chroma difference to its type
  boundary (spread 0.5);
* score ``100 * exp(-darkening / score_dl)`` (1-100, higher is healthier).

Limits
------
Colour under the eyes depends on the light: an overhead light shades the
under-eye (read as shadow type) and a flash flattens it. Concealer hides all
types. The thresholds are set from the colour-science facts above, not fitted
to graded data; the weakly labelled dark-circle photos in ``shared/data`` are
used as a smoke test only (see ``benchmarks/eval_dark_circles.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import color, contours, geometry
from skincore.analysis import DarkCircleEye, DarkCircles, Rect
from skincore.concerns.base import Concern
from skincore.face.pose import far_eye
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Eyes in output order (the subject's sides).
SIDES = ("left", "right")


@dataclass(frozen=True)
class Params:
    """Dark-circle thresholds (see the module docstring).

    Attributes
    ----------
    presence_dl : float
        Darkening (L*) from which a dark circle is present.
    type_db : float
        b* difference separating pigmented (above) from vascular (below minus it).
    vascular_da : float
        a* rise that marks a vascular (purple-red) circle when b* does not rise.
    severity_dl : tuple of float
        Darkening from which a present circle is mild, moderate, severe.
    score_dl : float
        Darkening at which the score falls by a factor e.
    outline_dl : float
        Darkening of a pixel (L*) from which it belongs to the outlined area.
    min_pixels : int
        Colour-grid pixels a region needs to be measured.
    far_eye_yaw_deg : float
        Head yaw (degrees) from which the eye turned away from the camera is not
        measured (:func:`skincore.face.pose.far_eye`): seen that edge-on, the skin
        under it is squeezed against the nose's side and shaded by it. ``inf``
        measures both eyes at any turn.
    """

    presence_dl: float = 3.0
    type_db: float = 1.0
    vascular_da: float = 2.0
    severity_dl: tuple[float, float, float] = (3.0, 6.0, 10.0)
    score_dl: float = 8.0
    outline_dl: float = 3.0
    min_pixels: int = 40
    far_eye_yaw_deg: float = 35.0


def _box(mask: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """Row and column slices of the bounding box of ``mask`` grown by ``margin`` (clipped)."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    h, w = mask.shape
    return (
        slice(max(0, int(rows[0]) - margin), min(h, int(rows[-1]) + 1 + margin)),
        slice(max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin)),
    )


#: Gaussian sigma (colour-grid px) of the lightness behind the darkened area.
_LIGHT_SIGMA = 1.0


def _eye(work, side: str, params: Params) -> DarkCircleEye | None:  # noqa: ANN001 - FaceWork
    cm = work.colour
    lab = work.colour_lab
    # Everything is measured on the bounding boxes of the two regions: the
    # statistics are histogram medians (independent of the box) and the
    # lightness blur reaches at most its radius beyond the under-eye box,
    # which the box's margin holds (the same values as on the whole grid).
    radius = int(4.0 * _LIGHT_SIGMA + 0.5)  # gaussian_blur's default truncate
    box = _box(cm.masks[f"{side}_under_eye_polygon"], radius)
    ref_box = _box(cm.masks[f"{side}_cheekbone"], 0)
    if box is None or ref_box is None:
        return None
    poly = cm.masks[f"{side}_under_eye_polygon"][box] > 0
    if cm.excluded is not None:
        poly &= cm.excluded[box] == 0
    under = np.where(poly, np.uint8(255), np.uint8(0))
    ref_mask = cm.masks[f"{side}_cheekbone"][ref_box]
    if (
        np.count_nonzero(under) < params.min_pixels
        or np.count_nonzero(ref_mask) < params.min_pixels
    ):
        return None
    su = color.lab_stats(lab[box], under, threads=work.threads)
    sr = color.lab_stats(lab[ref_box], ref_mask, threads=work.threads)
    if su.n_used == 0 or sr.n_used == 0:
        return None
    dl = float(su.L_median - sr.L_median)
    da = float(su.a_median - sr.a_median)
    db = float(su.b_median - sr.b_median)
    light = geometry.gaussian_blur(
        np.ascontiguousarray(lab[box][..., 0]), _LIGHT_SIGMA, threads=work.threads
    )
    dark = poly & (light <= float(sr.L_median) - params.outline_dl)
    origin = np.array([box[1].start, box[0].start], np.float64)  # (x, y) of the box
    outline = np.zeros((0, 2), np.float32)
    if np.any(dark):
        polys = contours.polygons(
            np.where(dark, np.uint8(255), np.uint8(0)), epsilon=0.7, threads=1
        )
        if polys:
            outline = work.colour_to_image(max(polys, key=len) + origin)
    ys, xs = np.nonzero(poly)
    corners = work.colour_to_image(
        np.array([[xs.min() - 0.5, ys.min() - 0.5], [xs.max() + 0.5, ys.max() + 0.5]]) + origin
    )
    return DarkCircleEye(
        delta_L=dl,
        delta_a=da,
        delta_b=db,
        delta_E=math.sqrt(dl * dl + da * da + db * db),
        dark_fraction=float(np.count_nonzero(dark)) / float(np.count_nonzero(poly)),
        rect=Rect.from_points(corners),
        outline=outline,
        n_pixels=int(su.n_used),
    )


def measure(work, params: Params) -> DarkCircles | None:  # noqa: ANN001 - FaceWork
    """Measure both eyes' under-eye colour against the cheek below (None without either).

    The far eye of a turned head (:attr:`Params.far_eye_yaw_deg`) is ``None``.
    """
    away = far_eye(work.yaw, params.far_eye_yaw_deg)
    eyes = {side: None if side == away else _eye(work, side, params) for side in SIDES}
    if all(e is None for e in eyes.values()):
        return None
    return DarkCircles(left=eyes["left"], right=eyes["right"])


def classify(eye: DarkCircleEye, params: Params) -> tuple[int, float]:
    """Type (0 none, 1 pigmented, 2 vascular, 3 shadow) and its confidence."""
    darkening = -eye.delta_L
    presence = margin_confidence(darkening, params.presence_dl, 1.0)
    if darkening < params.presence_dl:
        return 0, presence
    if eye.delta_b >= params.type_db:
        return 1, presence * margin_confidence(eye.delta_b, params.type_db, 0.5)
    if eye.delta_b <= -params.type_db or eye.delta_a >= params.vascular_da:
        margin = max(-params.type_db - eye.delta_b, eye.delta_a - params.vascular_da)
        return 2, presence * margin_confidence(margin, 0.0, 0.5)
    margin = min(params.type_db - abs(eye.delta_b), params.vascular_da - eye.delta_a)
    return 3, presence * margin_confidence(margin, 0.0, 0.5)


def severity(eye: DarkCircleEye, params: Params) -> int:
    """0 none, 1 mild, 2 moderate, 3 severe, by the darkening."""
    return sum(1 for b in params.severity_dl if -eye.delta_L >= b)


def grade(result: DarkCircles, params: Params) -> ConcernGrade:
    """Per eye: severity 0-3, type confidence, score; ``extra`` holds the types.

    ``extra``: ``left_type``, ``right_type`` and ``type`` (the type of the eye
    with the larger darkening; 0 when neither has a dark circle).
    """
    zones: dict[str, Grade] = {}
    extra: dict[str, int | float] = {}
    worst: tuple[float, int, float] | None = None
    for side in SIDES:
        eye = getattr(result, side)
        if eye is None:
            continue
        t, conf = classify(eye, params)
        darkening = max(0.0, -eye.delta_L)
        zones[f"{side}_under_eye"] = Grade(
            severity=severity(eye, params),
            confidence=round(conf, 4),
            score=round(max(1.0, 100.0 * math.exp(-darkening / params.score_dl)), 1),
        )
        extra[f"{side}_type"] = t
        if worst is None or darkening > worst[0]:
            worst = (darkening, t, conf)
    assert worst is not None
    extra["type"] = worst[1] if worst[0] >= params.presence_dl else 0
    scores = [g.score for g in zones.values()]
    whole_sev = max(g.severity for g in zones.values())
    whole = Grade(severity=whole_sev, confidence=round(worst[2], 4), score=min(scores))
    return ConcernGrade(whole=whole, zones=zones, extra=extra)


CONCERN: Concern = Concern(
    name="dark_circles",
    summary="under-eye darkening vs the cheek below (delta L*, a*, b*), type and outline",
    params=Params,
    result=DarkCircles,
    measure=measure,
    grade=grade,
)
