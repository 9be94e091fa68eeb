"""Eyelids: the upper-lid crease (single or double eyelid) and how far the lids droop.

What is measured
----------------
**The crease.** A double eyelid has a crease: a fold line above the upper lid
margin that a photo shows as a thin dark line, roughly parallel to the margin.
Per eye, on a crop of the photo around the upper lid (CIELAB L*, sampled at up
to ``max_px_per_mm`` and smoothed at ``smooth_mm``; the lid is not in the skin
mask, so the raw lightness is read), the lightness is sampled *up* vertical
lines from the upper lid margin (the mesh's eye contour) towards the brow's
lower edge (the mesh's brow), from ``start_mm`` above the margin (lashes and
eyeliner make the margin itself dark) to ``brow_gap_mm`` under the brow (at
most ``max_mm``). The eye's width between its corners, less ``corner_trim`` at
each end, is cut into thirds: inner (by the nose), middle and outer. The median
over each third's lines is a profile ``L(d)`` of the height ``d`` (mm) above
the margin. On a profile the crease is the point of largest *prominence*:
how much darker it is than the brightest skin within ``window_mm`` on *both*
sides (a steady brightening towards the brow, or a broad sunken shadow wider
than the window, has little prominence). Per third: the crease's height (mm)
where its depth reaches ``presence_depth`` L*, else none.

**The lids' position** (landmarks; the iris, 468-477, gives the scale and the
pupil), in the frame of the eye's axis (inner to outer corner):

* ``mrd1_mm``: margin-reflex distance 1, pupil centre to the upper lid margin
  (clinically 4-5 mm in an open, relaxed adult eye; a droopy upper lid
  (ptosis, or a hooding fold resting on the margin) lowers it);
* ``mrd2_mm``: pupil centre to the lower lid margin (about 5-5.5 mm);
* ``scleral_show_mm``: how far the lower lid lies below the iris's lower edge,
  ``mrd2_mm - iris radius`` (negative: the lid covers the iris's bottom, as
  usual; positive: white sclera shows below the iris -- a low or sagging lower
  lid);
* ``brow_mm``: upper lid margin to the brow's lower edge above the pupil (the
  visible upper-lid show), and ``opening_mm = mrd1_mm + mrd2_mm``.

Grading (:func:`grade`)
-----------------------
* AILab eyelid type: 0 single eyelid when the middle third has no crease or
  neither other third has one (a crease is a line across the lid); otherwise
  1 parallel double eyelid when the inner third's crease is at least
  ``parallel_ratio`` of the middle third's height, else 2 scalloped / inside
  double eyelid (the crease runs down into the margin towards the inner
  corner). Confidence: the presence's margin (logistic of the middle depth's
  distance to ``presence_depth``, ``depth_spread`` L* per unit), times, for a
  double eyelid, the margin of the inner/middle height ratio to
  ``parallel_ratio`` (``ratio_spread`` per unit).
* YouCam ``droopy_upper_eyelid``: ``100 / (1 + exp(-(mrd1_mm - upper_mid_mm) /
  upper_spread_mm))`` (50 at ``upper_mid_mm`` = 2.5 mm, about the MRD1 below
  which clinicians call a lid ptotic; ~94 at 4.5 mm); higher = less droopy.
* YouCam ``droopy_lower_eyelid``: ``100 / (1 + exp((scleral_show_mm -
  lower_mid_mm) / lower_spread_mm))`` (50 at 1 mm of scleral show, ~88 with
  the lid on the limbus, falls as the lid sinks below the iris).
* Both 1-100; the face's are the means of its measured eyes.

Limits
------
A crease is found only where the light shades it: a flat frontal flash can
hide a shallow one, and eye make-up (eyeshadow, a drawn crease, liner winged
up the lid) is read as lightness like skin. A hooded lid whose fold covers the
crease reads as the fold's edge. The mesh's lid contour is at the lash line
within about a millimetre; a half-closed eye (a blink, a smile) lowers MRD1 as
ptosis would; a closed eye (lids less than ``min_opening_mm`` apart) is not
measured (``None``). Scleral show depends on the gaze: looking up shows sclera below
the iris. The bands are set from clinical norms, not fitted to graded data
(there is none here). In a three-quarter view the eye turned away is
foreshortened: an eye narrower than ``min_width_ratio`` of the other is not
measured (``None``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from skincore import color, geometry, nanreduce
from skincore.analysis import Eyelid, Eyelids
from skincore.concerns.base import Concern
from skincore.face.regions import region_indices
from skincore.face.scale import IRIS_DIAMETER_MM
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Eyes in output order (the subject's sides).
SIDES = ("left", "right")

#: Iris landmarks per side: centre, then four rim points.
_IRIS = {"right": (468, 469, 470, 471, 472), "left": (473, 474, 475, 476, 477)}

#: The eyes' thirds, inner (by the nose) first.
THIRDS = ("inner", "middle", "outer")


@dataclass(frozen=True)
class Params:
    """Eyelid settings (see the module docstring).

    Attributes
    ----------
    max_px_per_mm : float
        The lid crop is sampled at the photo's resolution, at most this fine.
    smooth_mm : float
        Gaussian sigma applied to L* first, mm.
    step_mm : float
        Spacing of the samples along a profile, mm.
    start_mm : float
        Profiles start this far above the lid margin (lashes, eyeliner).
    max_mm : float
        Highest crease searched above the margin, mm.
    brow_gap_mm : float
        Profiles stop this far under the brow's lower edge, mm.
    corner_trim : float
        Fraction of the eye's width left out at each corner (the margin turns
        steeply there).
    window_mm : float
        The crease's prominence is taken against the brightest skin within
        this distance on either side of it, mm.
    presence_depth : float
        Prominence (L*) from which a third has a crease.
    depth_spread : float
        L* per logistic unit of the presence confidence.
    parallel_ratio : float
        Inner-third crease height over middle-third height from which the
        crease is parallel (type 1) rather than scalloped (type 2).
    ratio_spread : float
        Ratio per logistic unit of the type confidence.
    min_lines : int
        Vertical lines needed in a third.
    min_width_ratio : float
        An eye narrower than this fraction of the other (turned away from the
        camera in a three-quarter view) is not measured.
    min_opening_mm : float
        An eye whose lids are less than this far apart (``opening_mm``) is
        closed, or blinking: not measured. A drooping upper lid lowers MRD1 but
        leaves the lower lid where it is (MRD2 about 5 mm), so even a lid down to
        the pupil leaves an opening of about 5 mm; a closed eye's mesh lids lie
        0-3 mm apart and read as a lid far below the pupil.
    line_points : int
        Points per third of the reported crease line.
    upper_mid_mm, upper_spread_mm : float
        MRD1 (mm) where the upper-lid score is 50, and its logistic spread.
    lower_mid_mm, lower_spread_mm : float
        Scleral show (mm) where the lower-lid score is 50, and its spread.
    severity_scores : tuple of float
        The face's droop severity is 1, 2, 3 below these scores (the lower of
        the upper- and lower-lid scores).
    score_spread : float
        Score points per logistic unit of the whole face's confidence.
    """

    max_px_per_mm: float = 8.0
    smooth_mm: float = 0.15
    step_mm: float = 0.1
    start_mm: float = 1.0
    max_mm: float = 12.0
    brow_gap_mm: float = 2.0
    corner_trim: float = 0.1
    window_mm: float = 2.0
    presence_depth: float = 2.0
    depth_spread: float = 0.75
    parallel_ratio: float = 0.65
    ratio_spread: float = 0.1
    min_lines: int = 3
    min_width_ratio: float = 0.8
    min_opening_mm: float = 3.0
    line_points: int = 6
    upper_mid_mm: float = 2.5
    upper_spread_mm: float = 0.75
    lower_mid_mm: float = 1.0
    lower_spread_mm: float = 0.5
    severity_scores: tuple[float, float, float] = (70.0, 45.0, 20.0)
    score_spread: float = 10.0


@functools.cache
def _lid_indices(side: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """(upper lid margin, brow lower edge, lower lid margin) indices of one eye, once."""
    idx = region_indices()
    eye = set(idx[f"{side}_eye"])
    lid = idx[f"{side}_eyelid"]
    upper = tuple(i for i in lid if i in eye)
    brow = tuple(i for i in lid if i not in eye)
    return upper, brow, tuple(i for i in idx[f"{side}_eye"] if i not in upper)


def _index_sets(side: str) -> tuple[list[int], list[int]]:
    """(upper lid margin, brow lower edge) landmark indices of one eye."""
    upper, brow, _ = _lid_indices(side)
    return list(upper), list(brow)


def _lower_margin(side: str) -> list[int]:
    """Lower lid margin landmark indices of one eye."""
    return list(_lid_indices(side)[2])


def _curve(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(xs ascending, ys) of a polyline, for interpolation."""
    order = np.argsort(pts[:, 0], kind="stable")
    return pts[order, 0], pts[order, 1]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def upper_score(mrd1_mm: float, params: Params) -> float:
    """YouCam ``droopy_upper_eyelid`` score (1-100, higher = less droopy) from MRD1 (mm)."""
    z = (mrd1_mm - params.upper_mid_mm) / params.upper_spread_mm
    return round(max(1.0, 100.0 * _sigmoid(z)), 1)


def lower_score(scleral_show_mm: float, params: Params) -> float:
    """YouCam ``droopy_lower_eyelid`` score (1-100, higher = less droopy) from scleral show."""
    z = (params.lower_mid_mm - scleral_show_mm) / params.lower_spread_mm
    return round(max(1.0, 100.0 * _sigmoid(z)), 1)


def lid_geometry(landmarks: np.ndarray, side: str) -> dict[str, float]:
    """Return the lids' position of one eye from its landmarks (see the module docstring).

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.
    side : str
        ``"left"`` or ``"right"`` (the subject's).

    Returns
    -------
    dict of str to float
        ``mrd1_mm``, ``mrd2_mm``, ``scleral_show_mm``, ``brow_mm``,
        ``opening_mm`` and ``px_per_mm`` (the scale used: this eye's iris
        diameter in pixels over :data:`~skincore.face.scale.IRIS_DIAMETER_MM`).
    """
    p = np.asarray(landmarks, np.float64)[:, :2]
    upper, brow = _index_sets(side)
    lower = _lower_margin(side)
    c, a, b, cc, d = _IRIS[side]
    iris_px = 0.5 * (np.linalg.norm(p[a] - p[cc]) + np.linalg.norm(p[b] - p[d]))
    ppm = max(float(iris_px), 1e-6) / IRIS_DIAMETER_MM
    # the eye's frame: u along the corners, v perpendicular, pointing down the face
    ends = p[[upper[0], upper[-1]]]
    u = ends[1] - ends[0]
    u /= max(float(np.linalg.norm(u)), 1e-9)
    if u[0] < 0:
        u = -u
    v = np.array([-u[1], u[0]])  # image y grows downwards: v points down for a level face
    centre = p[c]

    def frame(idx: list[int]) -> tuple[np.ndarray, np.ndarray]:
        q = p[idx] - centre
        return _curve(np.stack([q @ u, q @ v], axis=1))

    ux, uy = frame(upper)
    lx, ly = frame(lower)
    bx, by = frame(brow)
    top = float(np.interp(0.0, ux, uy))  # negative: above the pupil
    bottom = float(np.interp(0.0, lx, ly))
    brow_v = float(np.interp(0.0, bx, by))
    mrd1 = -top / ppm
    mrd2 = bottom / ppm
    return {
        "mrd1_mm": mrd1,
        "mrd2_mm": mrd2,
        "scleral_show_mm": mrd2 - 0.5 * IRIS_DIAMETER_MM,
        "brow_mm": (top - brow_v) / ppm,
        "opening_mm": mrd1 + mrd2,
        "px_per_mm": ppm,
    }


def _prominence(prof: np.ndarray, w: int) -> np.ndarray:
    """Per sample: min(brightest within ``w`` below, brightest within ``w`` above) - value."""
    n = prof.size
    out = np.full(n, np.nan)
    if n < 3 or w < 1:
        return out
    pad = np.concatenate([np.full(w, np.nan), prof, np.full(w, np.nan)])
    # Window maxima (NaN skipped) of pad[j : j + w], accumulated in window order,
    # and the finite samples per window from one cumulative count.
    m = pad[: n + w + 1].copy()
    for k in range(1, w):
        np.fmax(m, pad[k : k + n + w + 1], out=m)
    below, above = m[0:n], m[w + 1 : w + 1 + n]  # samples i-w .. i-1, i+1 .. i+w
    c = np.concatenate([[0], np.cumsum(np.isfinite(pad))])
    need = (w + 1) // 2
    fin_b = c[w : w + n] - c[0:n] >= need
    fin_a = c[2 * w + 1 : 2 * w + 1 + n] - c[w + 1 : w + 1 + n] >= need
    ok = fin_b & fin_a & np.isfinite(prof)
    out[ok] = np.minimum(below[ok], above[ok]) - prof[ok]
    return out


def _crease(prof: np.ndarray, params: Params) -> tuple[float, float]:
    """(height mm or NaN, prominence L*) of the crease of one lightness profile."""
    prom = _prominence(prof, max(1, int(round(params.window_mm / params.step_mm))))
    if not np.isfinite(prom).any():
        return math.nan, 0.0
    i = int(np.nanargmax(prom))
    depth = max(0.0, float(prom[i]))
    return params.start_mm + i * params.step_mm, depth


def _bilinear(img: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``img`` at (x, y) (broadcast against each other); NaN outside.

    In float64: ``img[y0, x0] (1 - fx) (1 - fy) + img[y0, x1] fx (1 - fy) + img[y1, x0]
    (1 - fx) fy + img[y1, x1] fx fy``, each product and the sum taken left to right.
    The corners are gathered from flat indices and the terms accumulated in place
    (the same operations, in the same order, on fewer temporaries).
    """
    h, w = img.shape
    ok = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    xc, yc = np.clip(x, 0, w - 1), np.clip(y, 0, h - 1)
    x0 = np.minimum(np.floor(xc).astype(np.int64), w - 2) if w > 1 else np.zeros_like(xc, np.int64)
    y0 = np.minimum(np.floor(yc).astype(np.int64), h - 2) if h > 1 else np.zeros_like(yc, np.int64)
    fx, fy = xc - x0, yc - y0
    gx, gy = 1 - fx, 1 - fy
    flat = np.ascontiguousarray(img).ravel()
    i00 = y0 * w + x0
    dx = np.minimum(x0 + 1, w - 1) - x0  # 1, or 0 on a one-pixel axis
    dy = (np.minimum(y0 + 1, h - 1) - y0) * w
    v = flat.take(i00) * gx
    v *= gy
    t = flat.take(i00 + dx) * fx
    t *= gy
    v += t
    i00 += dy
    np.multiply(flat.take(i00), gx, out=t)
    t *= fy
    v += t
    np.multiply(flat.take(i00 + dx), fx, out=t)
    t *= fy
    v += t
    v[~np.broadcast_to(ok, v.shape)] = np.nan
    return v


def _lid_lightness(
    work, side: str, params: Params
) -> tuple[np.ndarray, float, tuple[float, float], float] | None:  # noqa: ANN001 - FaceWork
    """(smoothed L* of the lid crop, crop scale, crop origin, crop px/mm) or None."""
    p = work.landmarks[:, :2].astype(np.float64)
    upper, brow = _index_sets(side)
    pts = p[upper + brow]
    margin = 2.0 * work.px_per_mm
    h, w = work.rgb.shape[:2]
    x0 = max(0, int(math.floor(pts[:, 0].min() - margin)))
    y0 = max(0, int(math.floor(pts[:, 1].min() - margin)))
    x1 = min(w, int(math.ceil(pts[:, 0].max() + margin)) + 1)
    y1 = min(h, int(math.ceil(pts[:, 1].max() + margin)) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = work.rgb[y0:y1, x0:x1]
    scale = min(1.0, params.max_px_per_mm / max(work.px_per_mm, 1e-6))
    if scale < 1.0:
        size = (max(2, round(crop.shape[1] * scale)), max(2, round(crop.shape[0] * scale)))
        crop = geometry.resize(
            np.ascontiguousarray(crop), size, method="area", threads=work.threads
        )
        scale = size[0] / (x1 - x0)
    # L* alone: rgb_to_lab's L*, bit for bit, without a* and b* (rows may be strided)
    light = color.rgb_to_lightness(crop, threads=work.threads)
    ppm = work.px_per_mm * scale
    if params.smooth_mm > 0:
        light = geometry.gaussian_blur(light, params.smooth_mm * ppm, threads=work.threads)
    return light, scale, (float(x0), float(y0)), ppm


def _eye(work, side: str, params: Params) -> Eyelid | None:  # noqa: ANN001 - FaceWork
    p = work.landmarks[:, :2].astype(np.float64)
    upper, brow = _index_sets(side)
    geo = lid_geometry(work.landmarks, side)
    if not geo["opening_mm"] >= params.min_opening_mm:
        return None  # closed (or blinking): no lid position, no crease to read
    got = _lid_lightness(work, side, params)
    if got is None:
        return None
    light, scale, (ox, oy), _ = got
    ux, uy = _curve(p[upper])
    bx, by = _curve(p[brow])
    # the inner corner is the end nearer the face's midline (the nose bridge)
    mid_x = float(p[168, 0])
    inner_x, outer_x = (
        (ux[0], ux[-1]) if abs(ux[0] - mid_x) < abs(ux[-1] - mid_x) else (ux[-1], ux[0])
    )
    span = outer_x - inner_x
    if abs(span) * scale < 3 * params.min_lines:
        return None
    n_lines = max(3 * params.min_lines, int(abs(span) * scale))
    t = np.linspace(params.corner_trim, 1.0 - params.corner_trim, n_lines)
    xs = inner_x + t * span  # image px
    lid = np.interp(xs, ux, uy)
    top = np.minimum(np.interp(xs, bx, by) + params.brow_gap_mm * work.px_per_mm, lid)
    d = params.start_mm + params.step_mm * np.arange(
        int(math.floor((params.max_mm - params.start_mm) / params.step_mm)) + 1
    )
    ys = lid[:, None] - d[None, :] * work.px_per_mm  # image px, going up
    vals = _bilinear(
        light,
        (xs[:, None] + 0.5) * scale - 0.5 - ox * scale,  # broadcast along the lines
        (ys + 0.5) * scale - 0.5 - oy * scale,
    )
    vals = np.where(ys >= top[:, None], vals, np.nan)  # under the brow's gap only
    heights: list[float | None] = []
    depths: list[float] = []
    line_pts: list[np.ndarray] = []
    for k in range(3):
        sel = (t >= params.corner_trim + k * (1 - 2 * params.corner_trim) / 3 - 1e-9) & (
            t <= params.corner_trim + (k + 1) * (1 - 2 * params.corner_trim) / 3 + 1e-9
        )
        rows = vals[sel]
        rows = rows[np.isfinite(rows).sum(axis=1) >= 3]
        if rows.shape[0] < params.min_lines:
            heights.append(None)
            depths.append(0.0)
            continue
        prof = nanreduce.nanmedian(rows, axis=0)  # NaN at heights no line reaches
        hgt, depth = _crease(prof, params)
        ok = math.isfinite(hgt) and depth >= params.presence_depth
        heights.append(round(hgt, 2) if ok else None)
        depths.append(round(depth, 2))
        if ok:  # the crease line, a few points per third (enough to draw it)
            pick = np.unique(np.linspace(0, int(sel.sum()) - 1, params.line_points).round())
            xk, lk = xs[sel][pick.astype(int)], lid[sel][pick.astype(int)]
            line_pts.append(np.stack([xk, lk - hgt * work.px_per_mm], axis=1))
    crease = heights[1] is not None and (heights[0] is not None or heights[2] is not None)
    line = np.concatenate(line_pts).astype(np.float32) if crease else np.zeros((0, 2), np.float32)
    return Eyelid(
        crease=crease,
        crease_mm=(heights[0], heights[1], heights[2]),
        crease_depth=(depths[0], depths[1], depths[2]),
        crease_line=line,
        mrd1_mm=round(geo["mrd1_mm"], 2),
        mrd2_mm=round(geo["mrd2_mm"], 2),
        scleral_show_mm=round(geo["scleral_show_mm"], 2),
        brow_mm=round(geo["brow_mm"], 2),
        opening_mm=round(geo["opening_mm"], 2),
        lines=int(n_lines),
    )


def _eye_width(landmarks: np.ndarray, side: str) -> float:
    """Corner-to-corner width of one eye, image pixels."""
    upper, _ = _index_sets(side)
    p = np.asarray(landmarks, np.float64)[:, :2]
    return float(np.linalg.norm(p[upper[0]] - p[upper[-1]]))


def measure(work, params: Params) -> Eyelids | None:  # noqa: ANN001 - FaceWork
    """Both eyes' crease and lid position (None when neither eye can be measured)."""
    widths = {side: _eye_width(work.landmarks, side) for side in SIDES}
    eyes = {
        side: _eye(work, side, params)
        if widths[side] >= params.min_width_ratio * max(widths.values())
        else None
        for side in SIDES
    }
    if all(e is None for e in eyes.values()):
        return None
    return Eyelids(left=eyes["left"], right=eyes["right"])


def eyelid_type(eye: Eyelid, params: Params) -> tuple[int, float]:
    """AILab eyelid type (0 single, 1 parallel, 2 scalloped) and its confidence."""
    presence = margin_confidence(eye.crease_depth[1], params.presence_depth, params.depth_spread)
    if not eye.crease:
        if eye.crease_mm[1] is not None:  # a middle line alone: not a crease across the lid
            presence = 0.5 + 0.5 * (1.0 - presence)
        return 0, round(presence, 4)
    inner, middle = eye.crease_mm[0], eye.crease_mm[1]
    assert middle is not None
    ratio = (inner or 0.0) / max(middle, 1e-6)
    kind = 1 if ratio >= params.parallel_ratio else 2
    conf = presence * margin_confidence(ratio, params.parallel_ratio, params.ratio_spread)
    return kind, round(conf, 4)


def grade(result: Eyelids, params: Params) -> ConcernGrade:
    """Per eye: the eyelid type and the droopiness scores.

    Zones ``left_eyelid`` / ``right_eyelid``: severity = the AILab type (0
    single, 1 parallel, 2 scalloped), its confidence, score = that eye's
    ``droopy_upper_eyelid`` score. ``extra``: ``{side}_type``,
    ``{side}_type_confidence``, ``{side}_droopy_upper``, ``{side}_droopy_lower``
    and the face's ``droopy_upper_eyelid`` / ``droopy_lower_eyelid`` (means over
    the measured eyes). The whole face: severity 0-3 by the lower of the two
    face scores (below ``severity_scores`` 70, 45, 20) with the confidence of
    its distance to the nearest band (``score_spread`` points per logistic
    unit), score the mean of the two.
    """
    zones: dict[str, Grade] = {}
    extra: dict[str, int | float] = {}
    ups: list[float] = []
    lows: list[float] = []
    for side in SIDES:
        eye = getattr(result, side)
        if eye is None:
            continue
        kind, conf = eyelid_type(eye, params)
        up, low = upper_score(eye.mrd1_mm, params), lower_score(eye.scleral_show_mm, params)
        zones[f"{side}_eyelid"] = Grade(severity=kind, confidence=conf, score=up)
        extra[f"{side}_type"] = kind
        extra[f"{side}_type_confidence"] = conf
        extra[f"{side}_droopy_upper"] = up
        extra[f"{side}_droopy_lower"] = low
        ups.append(up)
        lows.append(low)
    up_face = round(float(np.mean(ups)), 1)
    low_face = round(float(np.mean(lows)), 1)
    extra["droopy_upper_eyelid"] = up_face
    extra["droopy_lower_eyelid"] = low_face
    worst = min(up_face, low_face)
    sev = sum(1 for b in params.severity_scores if worst < b)
    edge = min(params.severity_scores, key=lambda b: abs(worst - b))
    whole = Grade(
        severity=sev,
        confidence=margin_confidence(worst, edge, params.score_spread),
        score=round(0.5 * (up_face + low_face), 1),
    )
    return ConcernGrade(whole=whole, zones=zones, weights=dict.fromkeys(zones, 1.0), extra=extra)


CONCERN: Concern = Concern(
    name="eyelids",
    summary="upper-lid crease (single / parallel / scalloped double eyelid) and lid droop (mm)",
    params=Params,
    result=Eyelids,
    measure=measure,
    grade=grade,
    photo_only=True,
    absent="neither eye can be measured: closed (the lids nearly together) or turned away "
    "from the camera",
)
