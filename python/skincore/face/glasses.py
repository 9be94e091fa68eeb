"""Eyeglasses detector (AILab ``image_quality.glasses``): a documented image measurement.

The segmentation model has no glasses class, so glasses are found in the image along
the landmarks. A frame's bridge puts a thin, high-contrast bar across the nose between
the eyes, where bare skin changes smoothly, and its rims put thin dark bars beside
and below both eyes.

Measurement
-----------
1. Luminance ``Y = 0.299 R + 0.587 G + 0.114 B``, sampled bilinearly along
   profiles of five parallel lines, one sample every ``iod / 96`` pixels (``iod`` =
   distance of the outer eye corners 33 and 263), so the measurement does not
   depend on the photo's resolution, and smoothed ([1, 2, 1] / 4). Profiles that
   leave the photo are not used.

   - *Bridge*: down the face (:func:`skincore.face.segmentation.face_up`) at 30,
     40, 50, 60 and 70 % of the way between the inner eye corners (133, 362), from
     0.15 iod above landmark 168 (the nose bridge between the eyes) down 0.30 iod.
   - *Rims*: from 0.03 iod beyond each outer eye corner outwards over 0.30 iod,
     and from 0.10 iod below each eye's middle downwards over 0.35 iod, the five
     lines 0.05 iod apart (:data:`RIM_OFFSETS`).
2. ``score``: each bridge profile's *edge contrast*, its largest |dY| over its
   mean |dY| + 0.5 grey level (a frame bar gives isolated strong steps, shaded
   skin a smooth slope); the median of the five.
3. ``bridge_bar``: the median over the bridge profiles of their deepest *dark
   bar*: at a sample, ``min(brightest within BAR_HALF samples before, brightest
   within BAR_HALF after) - Y`` (about 5.5 mm each side).
4. ``rim``: the same dark bars beside and below each eye (:data:`RIM_HALF`), as
   contrasts ``depth / (level + RIM_LEVEL_OFFSET)`` (relative, so a dark frame on
   dark skin counts, with an offset so dark skin's own texture does not), the
   median of each group of five; a rim must show beside both eyes or below both:
   ``rim = max(min(beside), min(below))``.
5. ``glasses = score >= GLASSES_THRESHOLD and bridge_bar >= BRIDGE_BAR and rim >=
   RIM_CONTRAST``.

The edge contrast alone (threshold 2.5, chosen on 96 hand-labelled UTKFace
development crops, 200 px upscaled to 400 px, ages 45-80; UTKFace is for
non-commercial research and is not shipped) fired on any sharp step across the
bridge: 53 of 315 faces of the ACNE04 and dark-circle sets of ``shared/data`` and
``tests/data/faces``, none of which wears glasses (blurred or pixelated close-ups,
a nasal-root crease, a brow's edge), and on every one the frame search below then
cut creases, brows and eyelid folds out of the measured skin. The bar and rim
cues, and the lower score threshold, were chosen on the same development crops
with the ACNE04 photos as further negatives and checked on the 99 other labelled
crops and the dark-circle set (figures in the README). Expected misses: rimless
glasses, frames lighter than the skin (metal, clear; a light frame on a dark face
of the labelled crops is missed), thin frames on low-resolution photos; expected
false alarms: deep creases across the bridge and round the eyes of a heavily lined
face; the frame search below then finds many creases instead of a few bars and
the face work overrules the cues (step 4).

Frames are not skin
-------------------
The segmentation model reads a frame on the face as skin, so every concern would
measure it (a rim reads as rough skin, a wrinkle, a row of spots). On a face with
glasses, :func:`frame_mask` finds the frame's pixels on a grid and the face work
leaves them out with the eyes and brows:

1. Search band: across the whole face, from ``FRAME_BAND[0]`` to ``FRAME_BAND[1]``
   inter-ocular distances about the eye line (rims, bridge and the arms towards
   the ears), on skin only, at least ``FRAME_EYE_GAP_MM`` from the eyes (the lash
   line under an eye is as dark and thin as a rim) and ``FRAME_EDGE_GAP_MM`` from
   the edge of the skin (strands of hair at the temples).
2. Thin dark bars: the morphological closing of L* with a square of
   ``FRAME_WIDTH_MM`` minus L* (a black top-hat) is at least ``FRAME_CONTRAST``
   L*: a bar narrower than the square and that much darker than the skin on both
   sides. Shading (under the brow, beside the nose, a dark circle) is wider and
   softer; wrinkles are fainter.
3. Connected bars at least ``FRAME_MIN_EXTENT_MM`` long are kept, grown by
   ``FRAME_MARGIN_MM`` (the frame's blurred edge).
4. Creases, not a frame: a frame gives a few long bars (rims, bridge, arms); the
   deep creases of a heavily lined face give many (forehead furrows, crow's feet,
   folds under the eyes and across the nasal root). A search that keeps more than
   ``FRAME_MAX_PIECES`` pieces found creases: the face is not read as wearing
   glasses and nothing is left out (:attr:`FrameSearch.creases`). Set on the photos
   of ``shared/data`` (``benchmarks/eval_glasses.py`` prints the pieces): frames
   gave 0-9 pieces (the 44 hand-labelled UTKFace crops with glasses that the
   cues find; frames painted on the test faces 1-7); the search run on all 315
   bare faces of ACNE04, the dark-circle set and ``shared/faces`` found 0-17
   (13 or more on four), and on the one heavily lined face the cues read as
   wearing glasses 31 (dark-circle ``img221``: his furrows, crow's feet and the
   folds under his eyes were left out of his skin as a frame).

Misses: frames as light as the skin (clear, beige or metal-bright rims) and
rimless lenses; the skin behind the lenses is measured as it is seen, through
glass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import contours, geometry
from skincore._checks import check_rgb8
from skincore.face.regions import region_indices
from skincore.face.segmentation import _check_landmarks, face_up, luminance_at
from skincore.median import median

#: Edge-contrast score at and above which a bridge may be a frame's.
GLASSES_THRESHOLD = 2.0
#: Least depth of the dark bar across the bridge (grey levels, median of the profiles).
BRIDGE_BAR = 8.0
#: Least contrast ``depth / (level + RIM_LEVEL_OFFSET)`` of a dark bar beside or
#: below an eye (the rims). The offset keeps the fine texture of dark skin (a few
#: grey levels at a level of 50) from reading as a rim, as a plain Weber contrast
#: did (London 062: 0.055 with an offset of 10, 0.042 with 40).
RIM_CONTRAST = 0.05
RIM_LEVEL_OFFSET = 40.0
#: Profile columns as fractions of the way between the inner eye corners.
COLUMNS = (0.3, 0.4, 0.5, 0.6, 0.7)
#: Profile start above landmark 168 and length, in inter-ocular distances.
START_ABOVE = 0.15
LENGTH = 0.30
#: Half-width of a bar, in profile samples (``iod / 96`` each: about 5.5 mm) across
#: the bridge and beside or below the eyes.
BAR_HALF = 6
RIM_HALF = 8
#: Rim profiles: offsets of the five parallel profiles of each group, where they
#: start and how long they run, in inter-ocular distances.
RIM_OFFSETS = (-0.1, -0.05, 0.0, 0.05, 0.1)
RIM_LATERAL_START = 0.03
RIM_LATERAL_LENGTH = 0.30
RIM_BELOW_START = 0.10
RIM_BELOW_LENGTH = 0.35
#: Frame search band about the eye line, in inter-ocular distances (below, above).
FRAME_BAND = (-0.28, 0.30)
#: Widest frame bar found (side of the closing square), mm.
FRAME_WIDTH_MM = 6.0
#: Least darkening of a frame bar under its closing, L*.
FRAME_CONTRAST = 12.0
#: Shortest frame piece kept (longer side of its bounding box), mm.
FRAME_MIN_EXTENT_MM = 5.0
#: No frame is searched this close to an eye (the lash line), mm.
FRAME_EYE_GAP_MM = 3.0
#: Margin added round the frame found, mm.
FRAME_MARGIN_MM = 1.0
#: No frame is searched this close to the edge of the skin (hair, background), mm.
FRAME_EDGE_GAP_MM = 2.0
#: Most pieces a frame search keeps on a face that wears glasses; more are creases
#: (frames: 0-9 pieces, the lined face the cues mistook for glasses: 31).
FRAME_MAX_PIECES = 18


@dataclass(frozen=True)
class Glasses:
    """Result of :func:`detect_glasses`.

    Attributes
    ----------
    glasses : bool
        True when the face wears glasses: ``score >= threshold``, ``bridge_bar >=
        BRIDGE_BAR`` and ``rim >= RIM_CONTRAST``.
    score : float
        Median edge contrast across the nose bridge (see the module docstring).
    bridge_bar : float
        Median depth (grey levels) of the darkest bar across the bridge.
    rim : float
        The largest of the four rim contrasts (beside and below each eye).
    """

    glasses: bool
    score: float
    bridge_bar: float = 0.0
    rim: float = 0.0


def detect_glasses(
    rgb: np.ndarray, landmarks: np.ndarray, *, threshold: float = GLASSES_THRESHOLD
) -> Glasses:
    """Tell whether a face wears eyeglasses.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points of the face in image pixels.
    threshold : float, optional
        Decision threshold on the score.

    Returns
    -------
    Glasses
        Decision and score.

    Raises
    ------
    ValueError
        If ``rgb`` or ``landmarks`` has the wrong type or shape.
    """
    check_rgb8(rgb)
    pts = _check_landmarks(landmarks)
    up = face_up(pts)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    if not iod > 0:
        raise ValueError("landmarks: the outer eye corners coincide")
    step = iod / 96.0
    across = (pts[263] - pts[33]) / iod  # from the right eye to the left
    f = np.asarray(COLUMNS)[:, None]
    cols = pts[133] + f * (pts[362] - pts[133])
    lift = (pts[168] - cols) @ up + START_ABOVE * iod
    groups = [_probes(cols + lift[:, None] * up, -up, LENGTH * iod, step)]
    offsets = np.asarray(RIM_OFFSETS)[:, None] * iod
    for corner, out in ((pts[33], -across), (pts[263], across)):  # beside each eye
        starts = corner + out * RIM_LATERAL_START * iod + offsets * up
        groups.append(_probes(starts, out, RIM_LATERAL_LENGTH * iod, step))
    for a, b in ((33, 133), (263, 362)):  # below each eye
        starts = (pts[a] + pts[b]) / 2 - up * RIM_BELOW_START * iod + offsets * across
        groups.append(_probes(starts, -up, RIM_BELOW_LENGTH * iod, step))
    profiles = _sample(rgb, groups)
    if profiles[0] is None:  # the bridge is not in the photo
        return Glasses(glasses=False, score=0.0)
    prof = profiles[0]
    d = np.abs(np.diff(prof, axis=1))
    score = median(d.max(axis=1) / (d.mean(axis=1) + 0.5))
    bridge = median(_dark_bars(prof, BAR_HALF))
    side = [0.0 if g is None else median(_dark_bars(g, RIM_HALF, weber=True)) for g in profiles[1:]]
    # a rim beside both eyes, or below both
    rim = max(min(side[0], side[1]), min(side[2], side[3]))
    worn = score >= threshold and bridge >= BRIDGE_BAR and rim >= RIM_CONTRAST
    return Glasses(glasses=bool(worn), score=score, bridge_bar=bridge, rim=rim)


def _probes(starts: np.ndarray, direction: np.ndarray, length: float, step: float) -> np.ndarray:
    """Return the sample points ``(k, n, 2)`` of profiles from ``starts`` along ``direction``."""
    t = np.arange(int(length / step)) * step
    return starts[:, None, :] + t[None, :, None] * direction


def _sample(rgb: np.ndarray, groups: list[np.ndarray]) -> list[np.ndarray | None]:
    """Return each group's smoothed luminance profiles (``[1, 2, 1] / 4``).

    Only the profiles lying wholly in the photo are kept; a group with none is None.
    The luminance is computed only at the pixels the bilinear samples read.
    """
    h, w = rgb.shape[:2]
    out: list[np.ndarray | None] = []
    for g in groups:
        inside = np.all(
            (g[..., 0] >= 0) & (g[..., 0] <= w - 1) & (g[..., 1] >= 0) & (g[..., 1] <= h - 1),
            axis=1,
        )
        if not inside.any() or g.shape[1] < 3:
            out.append(None)
            continue
        g = g[inside]
        prof = luminance_at(rgb, g[..., 0], g[..., 1]).astype(np.float64)
        out.append((prof[:, :-2] + 2 * prof[:, 1:-1] + prof[:, 2:]) / 4)
    return out


def _dark_bars(prof: np.ndarray, half: int, *, weber: bool = False) -> np.ndarray:
    """Return each profile's deepest dark bar.

    At a sample, with ``level = min(max of the half samples before, max of the
    half after)``, the bar's depth is ``level - value`` (grey levels) or, with
    ``weber``, ``(level - value) / (level + RIM_LEVEL_OFFSET)``; each profile's largest, 0
    where no sample is darker than both sides or the profile is shorter than a
    bar.
    """
    k, n = prof.shape
    if n < 2 * half + 1:
        return np.zeros(k)
    win = np.lib.stride_tricks.sliding_window_view(prof, half, axis=1).max(axis=2)
    level = np.minimum(win[:, : n - 2 * half], win[:, half + 1 :])  # before, after
    depth = level - prof[:, half : n - half]
    if weber:
        depth = depth / (level + RIM_LEVEL_OFFSET)
    return np.maximum(depth.max(axis=1), 0.0)


@dataclass(frozen=True)
class FrameSearch:
    """Result of :func:`find_frame`.

    Attributes
    ----------
    mask : numpy.ndarray
        ``(h, w)`` bool, the frame's pixels grown by ``FRAME_MARGIN_MM``.
    pieces : int
        Connected dark bars kept (each at least ``FRAME_MIN_EXTENT_MM`` long).
    """

    mask: np.ndarray
    pieces: int

    @property
    def creases(self) -> bool:
        """Whether the search found creases, not a frame (more than ``FRAME_MAX_PIECES``)."""
        return self.pieces > FRAME_MAX_PIECES


def frame_mask(
    lightness: np.ndarray,
    landmarks: np.ndarray,
    px_per_mm: float,
    skin: np.ndarray,
    *,
    threads: int = 0,
) -> np.ndarray:
    """Find the pixels of a glasses frame on a grid: :func:`find_frame`'s ``mask``.

    Parameters
    ----------
    lightness, landmarks, px_per_mm, skin, threads
        As :func:`find_frame`.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` bool, the frame grown by ``FRAME_MARGIN_MM`` (it may reach past
        the skin).
    """
    return find_frame(lightness, landmarks, px_per_mm, skin, threads=threads).mask


def find_frame(
    lightness: np.ndarray,
    landmarks: np.ndarray,
    px_per_mm: float,
    skin: np.ndarray,
    *,
    threads: int = 0,
) -> FrameSearch:
    """Find a glasses frame on a grid (see "Frames are not skin").

    Parameters
    ----------
    lightness : numpy.ndarray
        ``(h, w)`` CIELAB L* (0-100) of the grid.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in the grid's pixels.
    px_per_mm : float
        Grid pixels per millimetre of skin.
    skin : numpy.ndarray
        ``(h, w)`` mask (nonzero = skin): frames are searched there only.
    threads : int, optional
        Threads of the filters (results do not depend on it).

    Returns
    -------
    FrameSearch
        The frame grown by ``FRAME_MARGIN_MM`` (it may reach past the skin) and
        the number of pieces found.

    Raises
    ------
    ValueError
        If the arrays disagree in shape or ``px_per_mm`` is not positive.
    """
    light = np.ascontiguousarray(lightness, dtype=np.float32)
    if light.ndim != 2 or np.shape(skin) != light.shape:
        raise ValueError("lightness and skin: expected two (h, w) arrays of one shape")
    if not (math.isfinite(px_per_mm) and px_per_mm > 0):
        raise ValueError(f"px_per_mm: expected a positive number, got {px_per_mm!r}")
    pts = _check_landmarks(landmarks)
    h, w = light.shape
    out = np.zeros((h, w), bool)
    none = FrameSearch(out, 0)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    if not iod > 0 or h == 0 or w == 0:
        return none
    # 1. the band about the eye line, on skin, away from the eyes
    up = face_up(pts)
    mid = (pts[33] + pts[133] + pts[362] + pts[263]) / 4.0
    v = (np.arange(w, dtype=np.float32)[None, :] - np.float32(mid[0])) * np.float32(up[0])
    v = v + (np.arange(h, dtype=np.float32)[:, None] - np.float32(mid[1])) * np.float32(up[1])
    band = (v > FRAME_BAND[0] * iod) & (v < FRAME_BAND[1] * iod)
    on_skin = np.asarray(skin) > 0
    edge = FRAME_EDGE_GAP_MM * px_per_mm
    if edge >= 0.5:
        on_skin = geometry.blur_threshold(on_skin, [(edge / 1.28, 0.9)], threads=threads)
    band &= on_skin
    idx = region_indices()
    eyes = geometry.fill_polygons(
        [pts[list(idx[k])].astype(np.float32) for k in ("right_eye", "left_eye")],
        (h, w),
        threads=1,
    )
    gap = FRAME_EYE_GAP_MM * px_per_mm
    if gap >= 0.5:
        band &= ~geometry.blur_threshold(eyes, [(gap / 1.28, 0.1)], threads=threads)
    if not band.any():
        return none
    # 2. thin dark bars: black top-hat of L*
    r = max(1, int(round(0.5 * FRAME_WIDTH_MM * px_per_mm)))
    closed = geometry.max_filter(light, r, threads=threads)
    np.negative(closed, out=closed)
    closed = geometry.max_filter(closed, r, out=closed, threads=threads)
    np.negative(closed, out=closed)
    bars = band & (closed - light >= FRAME_CONTRAST)
    # 3. long pieces, grown by the margin
    labels, stats = contours.label(bars.view(np.uint8), threads=threads)
    if len(stats) == 0:
        return none
    longest = np.maximum(stats.bbox[:, 2], stats.bbox[:, 3])
    long_enough = longest >= FRAME_MIN_EXTENT_MM * px_per_mm
    keep = np.concatenate([[False], long_enough])
    out = keep[labels]
    margin = FRAME_MARGIN_MM * px_per_mm
    if margin >= 0.5 and out.any():
        out = geometry.blur_threshold(out, [(margin / 1.28, 0.1)], threads=threads)
    return FrameSearch(out, int(np.count_nonzero(long_enough)))
