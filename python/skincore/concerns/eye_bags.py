"""Eye bags and tear troughs: the light-and-shadow relief under each eye.

What is measured
----------------
A photo shows relief through shading: lit from the front and above, an eye bag
(a bulge of the lower lid) is a *brighter band* below the lid margin with a
*darker groove* under it, where the bulge meets the cheek (the palpebromalar
groove; its inner third, by the nose, is the tear trough). Pigmented dark
circles are different: the skin is darkest right under the lid and brightens
steadily towards the cheek, with no bright band above a groove.

Per eye, on the colour grid (L* of CIELAB, smoothed at ``smooth_mm``), the
lightness is sampled down vertical lines starting at the lower lid margin (the
mesh's eye contour), over the central ``span`` of the eye's width, on skin only
(the lid margin, lashes and the eye itself are excluded by the skin mask). The
median over the lines gives a profile ``L(d)`` of the distance ``d`` (mm) below
the lid; the inner third of the lines gives the tear-trough profile. The orbit's
shadow makes that profile rise steadily towards the cheek, so each profile is
first detrended (minus its chord from the first to the last measured sample:
a steady or concave rise leaves no valley). On a profile:

* the *groove* is the darkest point between ``groove_mm[0]`` and ``groove_mm[1]``
  (not on either end: a profile still falling or rising there has no valley);
* the *bulge* is the brightest point between ``bulge_from_mm`` and the groove
  (minus ``gap_mm``), below the lid's first measured sample and not on the
  search's first sample: a profile still falling from the lid (a dark band under
  it) has no bulge, and no bag;
* *below* is the brightest point within ``below_mm`` under the groove;
* the groove's *depth* is ``min(bulge, below) - groove`` (L*): how much darker
  the groove is than the skin on both sides of it, 0 when it is not a valley.

A bag (a bulge over a groove across the eye) is present when the depth of the
whole-width profile is at least ``presence_depth``; a tear trough when the
inner-third profile's depth is. The outline of a bag
runs from the lid margin down to the groove line across the measured width.

Grading (:func:`grade`)
-----------------------
Per eye and kind, severity 0 none, 1 mild, 2 moderate, 3 severe by depth bands
``severity_depth`` (3, 6, 10 L*); confidence: a logistic of the depth's distance
to ``presence_depth`` (``confidence_spread`` L* per unit); score
``100 * exp(-depth / score_depth)``. The face's grade is its worse eye. The
face_field type: 1 fat (bag without trough), 2 tear groove (trough without bag),
3 mixed. The bands are set by hand on the repository's photos and planted
relief (``tests/test_concern_eye_bags.py``); there is no graded eye-bag data here.

Limits
------
Relief from one photo depends on the light: a light from below or the side,
or a flash straight on, changes or hides the shading; a strong pigmented dark
circle can deepen a groove. Glasses frames over the under-eye area are not
skin and are excluded, which can leave too little skin to measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import geometry, nanreduce
from skincore.analysis import EyeBag, EyeBags, Rect
from skincore.concerns.base import Concern
from skincore.face.pose import far_eye
from skincore.face.regions import lower_lid
from skincore.grading import ConcernGrade, Grade, margin_confidence

SIDES = ("left", "right")


@dataclass(frozen=True)
class Params:
    """Eye-bag settings (see the module docstring).

    Attributes
    ----------
    smooth_mm : float
        Gaussian sigma applied to L* first, mm.
    span : float
        Central fraction of the eye's width whose vertical lines are sampled.
    groove_mm : tuple of float
        Where below the lid the groove is searched, mm.
    bulge_from_mm, gap_mm : float
        The bulge is searched from this far below the lid to ``gap_mm`` above
        the groove.
    below_mm : float
        How far under the groove the cheek's brightest point is searched.
    presence_depth : float
        Groove depth (L*) from which a bag or trough is present.
    severity_depth : tuple of float
        Depths from which the severity is 1, 2 and 3.
    confidence_spread : float
        L* per logistic unit of the confidence.
    score_depth : float
        Depth at which the score falls by a factor e.
    min_lines : int
        Vertical lines needed on skin to measure an eye.
    far_eye_yaw_deg : float
        Head yaw (degrees) from which the eye turned away from the camera is not
        measured (:func:`skincore.face.pose.far_eye`): seen that edge-on, the skin
        under it is squeezed against the nose's side and shaded by it. ``inf``
        measures both eyes at any turn.
    """

    smooth_mm: float = 0.6
    span: float = 0.7
    groove_mm: tuple[float, float] = (4.0, 14.0)
    bulge_from_mm: float = 1.5
    gap_mm: float = 1.5
    below_mm: float = 5.0
    presence_depth: float = 3.0
    severity_depth: tuple[float, float, float] = (3.0, 6.0, 10.0)
    confidence_spread: float = 1.0
    score_depth: float = 6.0
    min_lines: int = 5
    far_eye_yaw_deg: float = 30.0


def _detrend(prof: np.ndarray) -> np.ndarray:
    """Return the profile minus its chord (first to last measured sample).

    The orbit's shadow makes the skin under the eye brighten steadily towards the
    cheek; relief is what departs from that slope. A steadily brightening (or
    concave) profile has no valley left; a bulge over a groove keeps one.
    """
    ok = np.flatnonzero(np.isfinite(prof))
    if ok.size < 2:
        return prof
    i, j = ok[0], ok[-1]
    x = np.arange(prof.size, dtype=np.float64)
    chord = prof[i] + (x - i) * (prof[j] - prof[i]) / (j - i)
    return prof - chord


def _features(prof: np.ndarray, ppm: float, p: Params) -> tuple[float, float, float, float, int]:
    """(depth, bulge, groove, below, groove index) of a detrended lightness profile."""
    prof = _detrend(prof)
    n = prof.size
    g0, g1 = (min(n, max(0, int(round(v * ppm)))) for v in p.groove_mm)
    seg = prof[g0:g1]
    if seg.size == 0 or not np.isfinite(seg).any():
        return 0.0, math.nan, math.nan, math.nan, -1
    gi = g0 + int(np.nanargmin(seg))
    groove = float(prof[gi])
    if gi in (g0, g1 - 1):
        return 0.0, math.nan, groove, math.nan, -1  # at the window's edge: not a valley
    # The bulge is a brightest point below the lid's first measured sample (the
    # chord's anchor, 0 after detrending) and not on the search's first sample: a
    # profile still falling from the lid has no bulge. (Taking the anchor as the
    # bulge made a dark band under the lid read as a bag, and a change of a few
    # lines at the mask's edge moved the depth between 0 and 6 L*.)
    first = int(np.flatnonzero(np.isfinite(prof))[0])
    b0 = max(int(round(p.bulge_from_mm * ppm)), first + 1)
    b1 = gi - int(round(p.gap_mm * ppm))
    up = prof[b0:b1] if b1 > b0 else prof[0:0]
    down = prof[gi + 1 : min(n, gi + 1 + int(round(p.below_mm * ppm)))]
    if not np.isfinite(up).any() or not np.isfinite(down).any():
        return 0.0, math.nan, groove, math.nan, gi
    if int(np.nanargmax(up)) == int(np.flatnonzero(np.isfinite(up))[0]):
        return 0.0, math.nan, groove, math.nan, gi
    bulge, below = float(np.nanmax(up)), float(np.nanmax(down))
    return max(0.0, min(bulge, below) - groove), bulge, groove, below, gi


def _eye(work, side: str, params: Params) -> EyeBag | None:  # noqa: ANN001 - FaceWork
    cm = work.colour
    eye = work.polygons.get(f"{side}_eye")
    if eye is None or len(eye) < 4:
        return None
    ppm = work.colour_px_per_mm
    s = work.colour_scale
    ox, oy = cm.origin
    skin = cm.masks["face"]
    h, w = skin.shape
    lx, ly = lower_lid(eye)
    if lx.size < 2:
        return None
    # lid line on the colour grid
    gx = (lx + 0.5) * s - 0.5 - ox * s
    gy = (ly + 0.5) * s - 0.5 - oy * s
    x_in, x_out = gx[0], gx[-1]
    pad = 0.5 * (1.0 - params.span) * (x_out - x_in)
    cols = np.arange(int(math.ceil(x_in + pad)), int(math.floor(x_out - pad)) + 1)
    cols = cols[(cols >= 0) & (cols < w)]
    depth_px = int(round((params.groove_mm[1] + params.below_mm) * ppm)) + 1
    if cols.size < params.min_lines:
        return None
    lid = np.interp(cols, gx, gy)
    rows = np.rint(lid[:, None] + np.arange(depth_px)[None, :]).astype(np.int64)
    inside = (rows >= 0) & (rows < h)
    rr = np.clip(rows, 0, h - 1)
    cc = np.broadcast_to(cols[:, None], rr.shape)
    # L* smoothed on the sampled box only, grown by the blur's radius (the
    # values of a blur of the whole grid there).
    sigma = params.smooth_mm * ppm
    radius = int(4.0 * sigma + 0.5)  # gaussian_blur's default truncate
    y0, y1 = max(0, int(rr.min()) - radius), min(h, int(rr.max()) + 1 + radius)
    x0, x1 = max(0, int(cols.min()) - radius), min(w, int(cols.max()) + 1 + radius)
    light = geometry.gaussian_blur(
        np.ascontiguousarray(work.colour_lab[y0:y1, x0:x1, 0]), sigma, threads=work.threads
    )
    vals = np.where(inside & (skin[rr, cc] > 0), light[rr - y0, cc - x0], np.nan)
    lines = np.isfinite(vals).sum(axis=1) >= depth_px // 3
    if lines.sum() < params.min_lines:
        return None
    vals = vals[lines]
    cols, lid = cols[lines], lid[lines]
    prof = nanreduce.nanmedian(vals, axis=0)  # NaN at depths off skin on every line
    depth, bulge, groove, below, gi = _features(prof, ppm, params)
    # the inner third (towards the nose) for the tear trough
    nose_x = float(np.mean(work.polygons["nose"][:, 0])) * s - ox * s
    inner = np.abs(cols - nose_x) <= np.quantile(np.abs(cols - nose_x), 1 / 3)
    prof_in = nanreduce.nanmedian(vals[inner], axis=0) if inner.sum() >= 2 else prof
    trough, *_ = _features(prof_in, ppm, params)
    fat = bool(depth >= params.presence_depth)
    # The bag's outline: from the lid down to the groove (to the end of the
    # groove window where there is no valley: the area measured).
    low = gi if gi > 0 else int(round(params.groove_mm[1] * ppm))
    top = np.stack([cols, lid + params.bulge_from_mm * ppm], axis=1)
    bottom = np.stack([cols, lid + low], axis=1)[::-1]
    outline = work.colour_to_image(np.concatenate([top, bottom]).astype(np.float64))
    rect = Rect.from_points(outline)
    return EyeBag(
        depth=float(depth),
        trough_depth=float(trough),
        fat=fat,
        groove_mm=float(gi / ppm) if gi >= 0 else None,
        outline=outline,
        rect=rect,
        lines=int(cols.size),
    )


def measure(work, params: Params) -> EyeBags | None:  # noqa: ANN001 - FaceWork
    """Both eyes' under-eye relief (None when neither eye can be measured).

    The far eye of a turned head (:attr:`Params.far_eye_yaw_deg`) is ``None``.
    """
    away = far_eye(work.yaw, params.far_eye_yaw_deg)
    eyes = {side: None if side == away else _eye(work, side, params) for side in SIDES}
    if all(e is None for e in eyes.values()):
        return None
    return EyeBags(left=eyes["left"], right=eyes["right"])


def present(eye: EyeBag, params: Params) -> tuple[bool, bool]:
    """(bag, tear trough) presence of one eye."""
    bag = eye.depth >= params.presence_depth and eye.fat
    return bag, eye.trough_depth >= params.presence_depth


def kind(eye: EyeBag, params: Params) -> int:
    """face_field type: 0 none, 1 fat, 2 tear groove, 3 mixed."""
    bag, trough = present(eye, params)
    return (1 if bag else 0) + (2 if trough else 0)


def _grade(depth: float, on: bool, params: Params) -> Grade:
    sev = sum(1 for b in params.severity_depth if depth >= b) if on else 0
    return Grade(
        severity=sev,
        confidence=margin_confidence(depth, params.presence_depth, params.confidence_spread),
        score=round(max(1.0, 100.0 * math.exp(-depth / params.score_depth)), 1),
    )


def grade(result: EyeBags, params: Params) -> ConcernGrade:
    """Per eye: bag and tear-trough grades; the face's grade is its worse eye's bag.

    Zones ``{side}_eye_bag`` and ``{side}_tear_trough``; ``extra``:
    ``{side}_type`` (face_field code) and ``tear_trough`` (0/1, either eye).
    """
    zones: dict[str, Grade] = {}
    extra: dict[str, int | float] = {}
    any_trough = 0
    for side in SIDES:
        eye = getattr(result, side)
        if eye is None:
            continue
        bag, trough = present(eye, params)
        zones[f"{side}_eye_bag"] = _grade(eye.depth if eye.fat else 0.0, bag, params)
        zones[f"{side}_tear_trough"] = _grade(eye.trough_depth, trough, params)
        extra[f"{side}_type"] = kind(eye, params)
        any_trough |= int(trough)
    extra["tear_trough"] = any_trough
    bags = [g for z, g in zones.items() if z.endswith("_eye_bag")]
    worst = max(bags, key=lambda g: (g.severity, -g.score))
    whole = Grade(
        severity=worst.severity, confidence=worst.confidence, score=min(g.score for g in bags)
    )
    return ConcernGrade(whole=whole, zones=zones, weights=dict.fromkeys(zones, 1.0), extra=extra)


CONCERN: Concern = Concern(
    name="eye_bags",
    summary="eye bags and tear troughs from the shading under each eye (groove depth, L*)",
    params=Params,
    result=EyeBags,
    measure=measure,
    grade=grade,
)
