"""Find the faces of a photo: detection over a tile pyramid, landmarks, refusals, order.

:func:`find_faces` is the one call the analysis makes. It turns the two models into
a list of faces a caller can trust:

1. **Detection at several scales.** BlazeFace short-range sees a 128x128 letterbox of
   the whole photo; a face narrower than about 12 % of the photo's long side is then
   only ~15 input pixels wide and is missed, and neighbouring small faces merge into
   one box. So the detector also runs on square tiles of half, a quarter, ... of the
   long side (50 % overlap, so every face up to half a tile lies wholly inside one),
   down to the tile in which a ``smallest_face_px`` face still spans
   ``detector_face_fraction`` of the input. Detections cut by an inner tile edge, or
   wider than half their tile (the coarser level sees those whole), are dropped; the
   rest of a level are merged as MediaPipe does (score-weighted, IoU > 0.3), and a
   detection whose centre lies in a face a coarser level found is that face again.
   Levels run coarse to fine and stop once ``max_faces`` faces are found that are
   wider than any face a finer level can add (a portrait: one level).
2. **Upright landmarks.** The landmark crop is rotated by the detector's eye line.
   The detector's keypoints are unreliable on a face upside down (its anchors learnt
   upright faces), so when the first landmark pass says "no face" in that crop
   (presence below ``min_presence``) the crop is tried turned by 180, 90 and 270
   degrees, and the best one is kept (first-pass presence on the sample turned
   180 degrees: 0.0002 at the detector's angle, 0.998 turned back). The refinement
   pass then runs on the crop taken from those landmarks. The landmark model can
   also be confident the wrong way up (a face upside down, presence 0.96, fitted
   with the eyes on the mouth): the detector is run on the crop the refined mesh
   defines (:mod:`skincore.face.confirm`) and, below ``SURE``, the other
   orientations are fitted too; one the detector confirms beyond doubt replaces
   the first fit.
3. **Refusal of non-faces.** A candidate is kept only if the landmark model's own
   face-presence probability is at least ``min_presence`` in the first pass's best
   crop *and* in the refined crop (a refinement can raise the presence of a crop
   that holds no face, so the first pass must agree: the upside-down sample's wrong
   crop refined to 0.86), and the detector score is at least ``min_score``. The
   scikit-image cat (``chelsea``) passes the detector at 0.54; its presence is 0.013.
   Real faces in ``tests/data/faces`` have presence 1.000.
4. **One face once, largest first.** Faces are ordered by the area of their
   landmark face outline (the face itself, not the detector box); a face whose
   outline centre lies inside a larger face's outline is the same face found twice
   (or a part of it) and is dropped.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
from PIL import Image

from skincore.face._warp import Roi, crop
from skincore.face.confirm import SURE, face_confirmation
from skincore.face.detector import (
    INPUT_SIZE,
    FaceBox,
    _check_rgb,
    detect_in_tensor,
    face_box,
    letterbox_roi,
    weighted_merge,
)
from skincore.face.landmarks import FaceLandmarks, mesh_in_roi, roi_from_box, roi_from_points
from skincore.face.regions import FACE_OVAL, polygon_area

#: Turns of the landmark crop tried, in this order, when the detector's eye line
#: gives a crop without a face (radians, added to the eye-line angle).
ORIENTATIONS = (math.pi, math.pi / 2, -math.pi / 2)


def _positions(length: int, side: float) -> list[float]:
    """Centres of tiles of ``side`` covering ``[0, length)`` with at least 50 % overlap."""
    if length <= side:
        return [length / 2.0]
    n = math.ceil((length - side) / (side / 2)) + 1
    return [float(v) for v in np.linspace(side / 2, length - side / 2, n)]


def tile_rois(
    height: int, width: int, *, smallest_face_px: float, detector_face_fraction: float
) -> list[tuple[int, Roi]]:
    """Return the detector's tiles: the letterbox, then halves, quarters ... of it.

    Parameters
    ----------
    height, width : int
        Image size in pixels.
    smallest_face_px : float
        Detector-box width of the smallest face to be found.
    detector_face_fraction : float
        Smallest face width, as a fraction of the input side, that the detector
        finds reliably.

    Returns
    -------
    list of (int, Roi)
        Pyramid level (0 = whole image) and axis-aligned square tile.
    """
    side = float(max(height, width))
    finest = smallest_face_px / detector_face_fraction
    rois = [(0, letterbox_roi(height, width))]
    level = 0
    while side / 2 >= finest:
        side /= 2
        level += 1
        for cy in _positions(height, side):
            for cx in _positions(width, side):
                rois.append((level, Roi(cx=cx, cy=cy, side=side, angle=0.0)))
    return rois


def _inside_tile(box: np.ndarray, roi: Roi, height: int, width: int) -> bool:
    """Whether a box lies within the tile, except along edges outside the image."""
    h = roi.side / 2
    x0, y0, x1, y1 = roi.cx - h, roi.cy - h, roi.cx + h, roi.cy + h
    return bool(
        (x0 <= 0 or box[0] >= x0)
        and (y0 <= 0 or box[1] >= y0)
        and (x1 >= width or box[2] <= x1)
        and (y1 >= height or box[3] <= y1)
    )


class _Pyramid:
    """The detector's tiles of one photo, sampled lazily level by level.

    Every tile of a level is a 128x128 window of the letterboxed photo sampled at
    ``2**level x 128`` px. Level 0 is sampled from the photo; the first time a finer
    level is needed, the finest is sampled from the photo once and each coarser one
    is the next finer halved (2x2 box means), not a crop of its own.
    """

    def __init__(
        self, image: np.ndarray, smallest_face_px: float, fraction: float, threads: int = 0
    ) -> None:
        self.image = image
        self.threads = threads
        self.h, self.w = image.shape[:2]
        self.whole = letterbox_roi(self.h, self.w)
        self.levels: dict[int, list[Roi]] = {}
        for level, roi in tile_rois(
            self.h, self.w, smallest_face_px=smallest_face_px, detector_face_fraction=fraction
        ):
            self.levels.setdefault(level, []).append(roi)
        self._canvas: dict[int, np.ndarray] = {}

    def side(self, level: int) -> float:
        """Tile side in image pixels at ``level``."""
        return self.whole.side / (1 << level)

    def canvas(self, level: int) -> np.ndarray:
        if level not in self._canvas:
            if level == 0:
                self._canvas[0] = crop(self.image, self.whole, INPUT_SIZE, threads=self.threads)
            else:
                finest = max(self.levels)
                img = crop(self.image, self.whole, INPUT_SIZE << finest, threads=self.threads)
                for k in range(finest, 0, -1):
                    self._canvas[k] = img
                    img = np.asarray(Image.fromarray(img).reduce(2))
        return self._canvas[level]

    def detect(
        self, level: int, min_score: float, provider: str | None, threads: int, session: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw detections of every tile of ``level`` (image pixels), tile-edge cuts dropped."""
        canvas = self.canvas(level)
        scale = canvas.shape[0] / self.whole.side  # canvas px per image px
        ox = self.whole.cx - self.whole.side / 2
        oy = self.whole.cy - self.whole.side / 2
        limit = canvas.shape[0] - INPUT_SIZE
        boxes, kps, scores = [], [], []
        for roi in self.levels[level]:
            u0 = min(max(round((roi.cx - ox) * scale - INPUT_SIZE / 2), 0), limit)
            v0 = min(max(round((roi.cy - oy) * scale - INPUT_SIZE / 2), 0), limit)
            tile = Roi(
                cx=ox + (u0 + INPUT_SIZE / 2) / scale,
                cy=oy + (v0 + INPUT_SIZE / 2) / scale,
                side=INPUT_SIZE / scale,
                angle=0.0,
            )
            tensor = canvas[v0 : v0 + INPUT_SIZE, u0 : u0 + INPUT_SIZE]
            b, k, s = detect_in_tensor(
                tensor,
                tile,
                min_score=min_score,
                provider=provider,
                threads=threads,
                session=session,
            )
            if level > 0:
                keep = [
                    i
                    for i in range(len(s))
                    if b[i, 2] - b[i, 0] <= tile.side / 2
                    and _inside_tile(b[i], tile, self.h, self.w)
                ]
                b, k, s = b[keep], k[keep], s[keep]
            boxes.append(b)
            kps.append(k)
            scores.append(s)
        return np.concatenate(boxes), np.concatenate(kps), np.concatenate(scores)


def _merged(raw: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[FaceBox]:
    b, k, s = (np.concatenate(parts) for parts in zip(*raw, strict=True))
    return [face_box(box, kp, score) for box, kp, score in weighted_merge(b, k, s)]


def detect_candidates(
    image: Image.Image | np.ndarray,
    *,
    min_score: float = 0.5,
    smallest_face_px: float = 80.0,
    detector_face_fraction: float = 0.15,
    provider: str | None = None,
    threads: int = 0,
) -> list[FaceBox]:
    """Detect faces over the whole tile pyramid and merge the detections.

    Parameters
    ----------
    image : PIL.Image.Image
        The RGB photo.
    min_score : float, default 0.5
        Minimum detector probability (MediaPipe's default).
    smallest_face_px : float, default 80
        Detector-box width in pixels of the smallest face looked for; it sets the
        finest tile. The analysis refuses faces under ``Limits.min_face_px`` (96)
        anyway; 80 leaves room for the box being narrower than the face outline.
    detector_face_fraction : float, default 0.15
        Face width as a fraction of the 128-px input above which BlazeFace
        short-range finds faces reliably (measured on the sample face scaled from
        5 % to 90 % of the input: scores >= 0.76 from 12 % up, missed below 10 %).
    provider : str, optional
        Force an ONNX Runtime provider.
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).

    Returns
    -------
    list of FaceBox
        Merged detections (score-weighted, IoU > 0.3) by decreasing score.
    """
    arr = np.asarray(image) if isinstance(image, Image.Image) else image
    pyramid = _Pyramid(arr, smallest_face_px, detector_face_fraction, threads)
    return _merged([pyramid.detect(k, min_score, provider, threads) for k in pyramid.levels])


def upright_landmarks(
    image: Image.Image | np.ndarray,
    box: FaceBox,
    *,
    min_presence: float = 0.5,
    provider: str | None = None,
    threads: int = 0,
    session: Any = None,
    confirm: bool = True,
    detector_session: Any = None,
) -> FaceLandmarks | None:
    """Fit the landmarks of one candidate in an upright crop, or refuse it.

    Parameters
    ----------
    image : PIL.Image.Image
        The RGB photo.
    box : FaceBox
        A detection.
    min_presence : float, default 0.5
        Smallest face-presence probability accepted, in the first pass's crop and
        in the refined crop (MediaPipe's default ``min_face_presence_confidence``).
    provider : str, optional
        Force an ONNX Runtime provider.
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    session : onnxruntime.InferenceSession, optional
        The landmark session (an analyser's own).
    confirm : bool, default True
        Score each refined mesh with the face detector
        (:func:`skincore.face.confirm.face_confirmation`, in ``confirmation``) and,
        below :data:`~skincore.face.confirm.SURE`, also fit the other orientations:
        one that scores at least ``SURE`` replaces the first fit.
    detector_session : onnxruntime.InferenceSession, optional
        The detector session for ``confirm`` (an analyser's own).

    Returns
    -------
    FaceLandmarks or None
        The refined landmarks, or None when the crop holds no face in any of the
        four orientations.
    """
    roi = roi_from_box(box)
    kw = {"provider": provider, "threads": threads, "session": session}
    best: FaceLandmarks | None = None
    for turn in (0.0, *ORIENTATIONS):
        turned = roi if turn == 0.0 else replace(roi, angle=roi.angle + turn)
        points, presence = mesh_in_roi(image, turned, **kw)
        first_agrees = presence >= min_presence
        if not first_agrees and not confirm:
            continue
        refined = roi_from_points(points)
        points, presence = mesh_in_roi(image, refined, **kw)
        if presence < min_presence:
            continue
        points.setflags(write=False)
        score = (
            face_confirmation(
                image, roi_from_points(points), session=detector_session, threads=threads
            )
            if confirm
            else math.nan
        )
        # A refinement can raise the presence of a crop that holds no face, so the
        # first pass must agree, or the detector must confirm the refined mesh
        # beyond doubt (a face upside down: the first pass on the turned detector
        # crop can miss it, presence 0.02, while the refined mesh scores 0.93).
        if not first_agrees and not score >= SURE:
            continue
        # The first orientation that fits is kept unless another is confirmed
        # beyond doubt: taking the best of several doubtful scores would let a
        # sideways mesh on a profile close-up win over the refusable first one.
        if best is None or score >= SURE:
            best = FaceLandmarks(points=points, presence=presence, roi=refined, confirmation=score)
        if not best.confirmation < SURE:  # confirmed beyond doubt, or not checked
            break
    return best


def outline_area(landmarks: FaceLandmarks) -> float:
    """Area in square pixels enclosed by the landmark face outline."""
    return polygon_area(landmarks.points[list(FACE_OVAL), :2])


def _contains(outer: np.ndarray, point: np.ndarray) -> bool:
    """Return whether ``point`` lies inside the polygon ``outer`` (N, 2), even-odd rule."""
    x, y = float(point[0]), float(point[1])
    xs, ys = outer[:, 0].astype(np.float64), outer[:, 1].astype(np.float64)
    xj, yj = np.roll(xs, 1), np.roll(ys, 1)
    dy = np.where(yj == ys, 1.0, yj - ys)
    crosses = ((ys > y) != (yj > y)) & (x < (xj - xs) * (y - ys) / dy + xs)
    return bool(np.count_nonzero(crosses) % 2)


def find_faces(
    rgb: np.ndarray,
    *,
    max_faces: int = 10,
    max_candidates: int = 20,
    min_score: float = 0.5,
    min_presence: float = 0.5,
    smallest_face_px: float = 80.0,
    detector_face_fraction: float = 0.15,
    provider: str | None = None,
    threads: int = 0,
    timings: dict[str, float] | None = None,
    detector_session: Any = None,
    landmarks_session: Any = None,
    confirm: bool = True,
) -> list[tuple[FaceBox, FaceLandmarks]]:
    """Find the faces of a photo, with landmarks, largest first.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    max_faces : int, default 10
        Return at most this many faces (the largest). Finer pyramid levels are
        skipped once this many faces are found that are wider than any face a finer
        level could add, so ``max_faces=1`` costs one detector pass on a portrait.
    max_candidates : int, default 20
        Fit landmarks to at most this many detections (highest scores first).
    min_score : float, default 0.5
        Minimum detector probability.
    min_presence : float, default 0.5
        Minimum landmark face-presence probability (see :func:`upright_landmarks`).
    smallest_face_px : float, default 80
        Smallest detector-box width looked for (see :func:`detect_candidates`).
    detector_face_fraction : float, default 0.15
        See :func:`detect_candidates`.
    provider : str, optional
        Force an ONNX Runtime provider.
    threads : int, default 0
        ONNX Runtime intra-op threads (0 = its default) and the crops' kernel
        threads (0 = the whole pool).
    timings : dict, optional
        When given, ``"detect"`` and ``"landmarks"`` milliseconds are added to it.
    detector_session, landmarks_session : onnxruntime.InferenceSession, optional
        The sessions to run (an analyser's own); else the cached ones.
    confirm : bool, default True
        Have the detector confirm each mesh and choose its orientation (see
        :func:`upright_landmarks`); ``FaceLandmarks.confirmation`` holds the score.

    Returns
    -------
    list of (FaceBox, FaceLandmarks)
        Faces ordered by decreasing landmark face-outline area; empty when the photo
        holds no face the landmark model confirms.
    """
    _check_rgb(rgb)
    t0 = time.perf_counter()
    t_landmarks = 0.0
    image = np.ascontiguousarray(rgb)
    pyramid = _Pyramid(image, smallest_face_px, detector_face_fraction, threads)
    found: list[tuple[float, FaceBox, FaceLandmarks]] = []
    levels = sorted(pyramid.levels)
    for level in levels:
        boxes = _merged([pyramid.detect(level, min_score, provider, threads, detector_session)])
        t1 = time.perf_counter()
        for box in boxes[:max_candidates]:
            centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            if any(_contains(lm.points[list(FACE_OVAL), :2], centre) for _, _, lm in found):
                continue  # a face a coarser level found already
            lm = upright_landmarks(
                image,
                box,
                min_presence=min_presence,
                provider=provider,
                threads=threads,
                session=landmarks_session,
                confirm=confirm,
                detector_session=detector_session,
            )
            if lm is not None:
                found.append((outline_area(lm), box, lm))
        t_landmarks += time.perf_counter() - t1
        # A finer level only finds faces up to half its tile wide: once there are
        # max_faces faces at least that wide, no finer level can change the answer.
        if level != levels[-1] and len(found) >= max_faces:
            widths = sorted((b.width for _, b, _ in found), reverse=True)
            if widths[max_faces - 1] >= pyramid.side(level + 1) / 2:
                break
    found.sort(key=lambda f: f[0], reverse=True)
    kept: list[tuple[FaceBox, FaceLandmarks]] = []
    for _, box, lm in found:
        oval = lm.points[list(FACE_OVAL), :2]
        centre = (oval.min(0) + oval.max(0)) / 2
        if any(_contains(k.points[list(FACE_OVAL), :2], centre) for _, k in kept):
            continue
        kept.append((box, lm))
    if timings is not None:
        total = (time.perf_counter() - t0) * 1e3
        timings["detect"] = round(timings.get("detect", 0.0) + total - t_landmarks * 1e3, 3)
        timings["landmarks"] = round(timings.get("landmarks", 0.0) + t_landmarks * 1e3, 3)
    return kept[:max_faces]
