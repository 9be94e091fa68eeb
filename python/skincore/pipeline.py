"""Measuring one face: checks, quality, the registered concerns, grading.

:class:`skincore.Analyzer` finds the faces; for each one it calls
:func:`measure_face`, which builds the face's :class:`FaceWork`, checks that the
face is usable, measures quality, runs every selected concern of the registry
on the shared workspace and grades the results. Each stage is timed into the
analysis' ``meta.timings_ms``.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skincore.analysis import (
    Analysis,
    FaceGeometry,
    FaceResult,
    MaskLayer,
    Pose,
    Quality,
    Rect,
)
from skincore.concerns.base import Concern
from skincore.concerns.context import MAX_PX_PER_MM, TextureContext
from skincore.concerns.scheduler import ConcernPool
from skincore.concerns.work import FaceWork
from skincore.errors import SkinError
from skincore.face import FaceBox, FaceLandmarks, head_pose
from skincore.face.confirm import face_confirmation
from skincore.face.eye_contrast import eye_contrast
from skincore.face.greyscale import colour_spread
from skincore.face.landmarks import roi_from_points
from skincore.face.regions import FACE_OVAL, polygon_area
from skincore.face.sampling import mask_pixels
from skincore.face.scale import px_per_mm
from skincore.face.sharpness import limbus_blur_mm
from skincore.face.skinmask import hair_occlusion, skin_share
from skincore.grading import group_scores, total_score
from skincore.limits import Limits
from skincore.models import FACE_DETECTOR
from skincore.threads import SideWorker, ThreadShare

#: A mesh whose outer eye corners lie more than MAX_CANTHI_MM apart (iris scale)
#: with the head pitched more than PHANTOM_PITCH_DEG and on its side is not a face.
MAX_CANTHI_MM = 110.0
PHANTOM_PITCH_DEG = 20.0

#: 8-bit level from which a channel counts as blown out (``Quality.overexposed``).
CLIPPED_LEVEL = 250

#: AILab's rule for the ``imporper_headpose`` warning: |yaw|, |pitch| or |roll| > 45.
HEADPOSE_LIMIT_DEG = 45.0


class Clock:
    """Accumulates wall time per named stage, in milliseconds."""

    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.ms: dict[str, float] = {}

    def lap(self, name: str) -> None:
        """Charge the time since the last lap to ``name``."""
        now = time.perf_counter()
        self.ms[name] = round(self.ms.get(name, 0.0) + (now - self.t) * 1e3, 3)
        self.t = now


def out_of_bound(points: np.ndarray, width: int, height: int) -> float:
    """Fraction of the face outline's points outside the image."""
    oval = points[list(FACE_OVAL), :2]
    outside = (
        (oval[:, 0] < 0) | (oval[:, 0] > width - 1) | (oval[:, 1] < 0) | (oval[:, 1] > height - 1)
    )
    return float(np.mean(outside))


def check_skin(work: FaceWork, limits: Limits) -> None:
    """Raise ``no_face`` when the segmentation finds too little skin in the face outline.

    See ``Limits.min_skin_share``: a landmark mesh on something that is not a face
    seen from the front, or a face too blurred to segment.
    """
    if limits.min_skin_share is None:
        return
    # the model's own skin: what it left unclassified does not make a face
    share = skin_share(work.colour, without=work.colour_unclassified)
    if share < limits.min_skin_share:
        raise SkinError(
            "no_face",
            f"the segmentation finds skin on {100 * share:.0f}% of the face outline "
            f"(at least {100 * limits.min_skin_share:.0f}% needed): the landmarks lie on "
            "something that is not a face seen from the front, or on a face too blurred "
            "to segment",
            skin_share=round(share, 4),
            min_skin_share=limits.min_skin_share,
        )


def check_confirmed(
    rgb: np.ndarray, lm: FaceLandmarks, limits: Limits, session: Any, threads: int = 0
) -> None:
    """Raise ``no_face`` when the face detector sees no face where the mesh lies.

    See ``Limits.min_face_confirmation`` and :mod:`skincore.face.confirm`: a mesh
    forced onto a cheek close-up or a profile. The finder's score
    (``lm.confirmation``) is used when it has one; else the detector runs on the
    mesh's crop (``threads``: the crop's kernel threads, 0 = the whole pool).
    """
    if limits.min_face_confirmation is None:
        return
    score = lm.confirmation
    if math.isnan(score):
        score = face_confirmation(rgb, roi_from_points(lm.points), session=session, threads=threads)
    if score < limits.min_face_confirmation:
        raise SkinError(
            "no_face",
            f"the face detector scores the face the landmarks outline at {score:.2f} "
            f"(at least {limits.min_face_confirmation:.2f} needed): the landmarks lie on "
            "a cheek close-up or a profile, not on a face",
            face_confirmation=round(score, 4),
            min_face_confirmation=limits.min_face_confirmation,
        )


def check_eyes(
    rgb: np.ndarray,
    points: np.ndarray,
    limits: Limits,
    polygons: Mapping[str, np.ndarray] | None = None,
) -> float:
    """Return the mesh's eye contrast; raise ``no_face`` when its eyes lie on plain skin.

    See ``Limits.min_eye_contrast`` and :mod:`skincore.face.eye_contrast`: a mesh
    forced onto a cheek close-up or a profile that the detector's confirmation let
    through. The contrast is measured whether or not the check is on (the result
    reports it). A face whose eyes and cheeks are all outside the photo is not
    judged (its contrast is NaN; ``face_out_of_bound`` covers it). ``polygons``:
    the face's mesh region polygons when already made (``FaceWork.mesh_polygons``).
    """
    contrast = eye_contrast(rgb, points, polygons)
    if limits.min_eye_contrast is not None and contrast < limits.min_eye_contrast:
        raise SkinError(
            "no_face",
            f"the eyes the landmarks outline stand out of the cheeks by {contrast:.2f} "
            f"(at least {limits.min_eye_contrast:.2f} needed): they lie on plain skin, "
            "as on a cheek close-up or a profile the landmarks were forced onto",
            eye_contrast=round(contrast, 4),
            min_eye_contrast=limits.min_eye_contrast,
        )
    return contrast


def check_colour(rgb: np.ndarray, points: np.ndarray, limits: Limits) -> float:
    """Return the face's colour spread; raise ``greyscale_image`` when it has none.

    See ``Limits.min_colour_spread`` and :mod:`skincore.face.greyscale`. The
    spread is measured whether or not the check is on (the result reports it).
    A face whose oval lies wholly outside the photo is not judged (its spread
    is NaN).
    """
    spread = colour_spread(rgb, points)
    if limits.min_colour_spread is not None and spread < limits.min_colour_spread:
        raise SkinError(
            "greyscale_image",
            f"the face's pixels spread {spread:.3f} of their level between R, G and B "
            f"(at least {limits.min_colour_spread:.3f} needed): the photo is greyscale, "
            "and no colour measurement would mean anything on it",
            colour_spread=round(spread, 4),
            min_colour_spread=limits.min_colour_spread,
        )
    return spread


def overexposed(work: FaceWork) -> float:
    """Share of the face's skin with a channel at :data:`CLIPPED_LEVEL` or above.

    On the colour grid (area-averaged from the photo: a grid pixel that high was
    blown out over most of its footprint), a bounded regular sample of the skin
    (:func:`skincore.face.sampling.mask_pixels`); NaN without skin.
    """
    px = mask_pixels(work.colour_rgb, work.colour.masks["face"] > 0)
    if px.shape[0] == 0:
        return math.nan
    return float(np.count_nonzero(px.max(axis=1) >= CLIPPED_LEVEL) / px.shape[0])


def check_sharpness(rgb: np.ndarray, points: np.ndarray, limits: Limits) -> float:
    """Return the iris edge's width in mm; raise ``blurred_image`` beyond the limit.

    See :mod:`skincore.face.sharpness`. Measured whether or not the limit is set
    (the result reports it); NaN (no open eye shows its limbus) is not judged.
    """
    blur = limbus_blur_mm(rgb, points)
    if limits.max_blur_mm is not None and blur > limits.max_blur_mm:
        raise SkinError(
            "blurred_image",
            f"the iris's edge is {blur:.2f} mm wide on the face (at most "
            f"{limits.max_blur_mm:.2f} accepted): the photo is out of focus, moved, or too "
            "small for its size (a sharper or closer photo)",
            blur_mm=round(blur, 4),
            max_blur_mm=limits.max_blur_mm,
        )
    return blur


def check_pose(yaw: float, pitch: float, limits: Limits) -> None:
    """Raise ``improper_headpose`` for a head turned or tilted beyond the limits.

    ``yaw`` and ``pitch`` are the face's :func:`skincore.face.head_pose` angles.
    """
    for name, angle, most in (
        ("yaw", yaw, limits.max_yaw_deg),
        ("pitch", pitch, limits.max_pitch_deg),
    ):
        if most is not None and not abs(angle) <= most:
            if name == "yaw":  # yaw > 0: the subject turns to their left
                turn = "turned to the subject's " + ("left" if angle > 0 else "right")
            else:
                turn = "tilted " + ("up" if angle > 0 else "down")
            raise SkinError(
                "improper_headpose",
                f"the head is {turn} by {abs(angle):.0f} degrees ({name}; at most {most:.0f} "
                "accepted): face the camera",
                yaw=round(yaw, 1),
                pitch=round(pitch, 1),
                **{f"max_{name}_deg": most},
            )


def check_face(points: np.ndarray, box: FaceBox, width: int, height: int, limits: Limits) -> None:
    """Raise ``face_too_small`` / ``face_out_of_bound`` for an unusable face."""
    rect = Rect.from_points(points[list(FACE_OVAL)])
    if rect.width < limits.min_face_px:
        raise SkinError(
            "face_too_small",
            f"face is {rect.width:.0f} px wide; at least {limits.min_face_px} needed",
            face_width=rect.width,
            min_face_px=limits.min_face_px,
        )
    # YouCam's "face width" rule: measured on the face detector's box (the face
    # area a vendor's detector reports), which spans a little more than the
    # landmark outline.
    ratio = limits.min_face_width_ratio
    if ratio is not None and box.width < ratio * width:
        raise SkinError(
            "face_too_small",
            f"face width is {box.width / width:.0%} of the image; needs > {ratio:.0%}",
            face_width=box.width,
            image_width=width,
            min_ratio=ratio,
        )
    # A face mesh forced onto a cheek close-up or a profile (a "phantom" face) puts
    # the eye corners implausibly far apart for its own iris scale (adults' outer eye
    # corners are about 90 mm apart; turning the head only brings them closer), tips
    # the head far back or forward, and lies on its side. Each alone happens on real
    # faces (a squint or closed eyes mislead the iris scale; people look down; photos
    # are taken sideways): all three together on none of 800 UTKFace faces or the
    # ACNE04 photos of real faces, and on the ACNE04 close-ups the mesh was forced onto.
    canthi_mm = float(np.linalg.norm(points[33, :2] - points[263, :2])) / px_per_mm(points)
    _, pitch, roll = head_pose(points)
    sideways = 45.0 < abs(roll) < 135.0
    if canthi_mm > MAX_CANTHI_MM and abs(pitch) > PHANTOM_PITCH_DEG and sideways:
        raise SkinError(
            "no_face",
            f"the landmarks do not fit a face: eye corners {canthi_mm:.0f} mm apart at the "
            f"iris scale, the head pitched {pitch:.0f} and rolled {roll:.0f} degrees: a "
            "close-up or a profile",
            canthi_mm=canthi_mm,
            pitch=pitch,
        )
    oob = out_of_bound(points, width, height)
    if oob > limits.max_out_of_bound:
        raise SkinError(
            "face_out_of_bound",
            f"{oob:.0%} of the face outline lies outside the image (at most "
            f"{limits.max_out_of_bound:.0%} accepted; a close-up can be measured on its "
            "visible skin with a larger Limits.max_out_of_bound, CLI --max-out-of-bound)",
            out_of_bound=oob,
            max_out_of_bound=limits.max_out_of_bound,
        )


def _too_coarse(spec: Concern, px_per_mm: float, face_px: float) -> str:
    """Why a concern is not measured below its resolution, and the face size it needs.

    The face's box width scales with the sampling, so the width at which this face
    would be measured is ``face_px * min_px_per_mm / px_per_mm``.
    """
    need = spec.min_px_per_mm or 0.0
    wide = math.ceil(face_px * need / px_per_mm) if px_per_mm > 0 else 0
    return (
        f"the face is sampled at {px_per_mm:.2f} px/mm; {spec.name} needs >= {need} px/mm: "
        f"the face is {face_px:.0f} px across in the photo and needs {wide} px or more (a "
        "closer photo, or one of higher resolution)"
    )


def _unresolved(spec: Concern, resolved: float, px_per_mm: float) -> str:
    """Why a concern is not measured on a photo that resolves less than it samples."""
    return (
        f"the photo resolves about {resolved:.2f} px/mm on the skin though the face is "
        f"sampled at {px_per_mm:.2f} (its finest detail is {px_per_mm / resolved:.0f} times "
        f"coarser than its pixels: upscaled, out of focus or smoothed); {spec.name} needs "
        f">= {spec.min_px_per_mm} px/mm (a sharper photo, not enlarged or retouched)"
    )


def _resolved(work: FaceWork, runnable: Sequence[Concern], px_per_mm: float) -> float:
    """Return the sampling the photo resolves on the skin, where a runnable concern needs it.

    NaN when no runnable concern declares a minimum sampling or reads it
    (nothing to decide, and the texture grid is not built for it).
    """
    if not any(spec.min_px_per_mm is not None or spec.reads_resolution for spec in runnable):
        return float("nan")
    return min(work.resolved_px_per_mm, px_per_mm)


def _texture_px_per_mm(work: FaceWork) -> float:
    return min(work.px_per_mm, MAX_PX_PER_MM)


def measure_face(
    index: int,
    rgb: np.ndarray,
    box: FaceBox,
    lm: FaceLandmarks,
    *,
    limits: Limits,
    concerns: Sequence[Concern],
    params: Mapping[str, Any],
    threads: int | ThreadShare,
    clock: Clock,
    sessions: Callable[[Path], Any] | None = None,
    pool: ConcernPool | None = None,
    side: SideWorker | None = None,
    lesion_head: Any = None,
) -> FaceResult:
    """Measure one face with the selected concerns and grade the results.

    Parameters
    ----------
    index : int
        Position of the face (0 = largest).
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    box : FaceBox
        The face detector's box.
    lm : FaceLandmarks
        The face's 478 landmarks.
    limits : Limits
        Face size, bound and lighting limits.
    concerns : sequence of Concern
        The concerns to run, in order.
    params : mapping of str to object
        Each concern's ``Params`` by name.
    threads : int or ThreadShare
        Kernel threads, or the analyser's share of them (see
        :class:`skincore.threads.ThreadShare`).
    clock : Clock
        Stage timer.
    sessions : callable, optional
        The analyser's ONNX sessions by model path (for concerns that run a model).
    pool : ConcernPool, optional
        Threads measuring several concerns at once (the analyser's); one after
        another when omitted. Each concern's stage time runs from its start to its
        end, so with several workers the stage times overlap.
    side : SideWorker, optional
        A thread for the face's segmentation model while this thread prepares
        what does not need it (the analyser's; see :meth:`FaceWork.prefetch`).
    lesion_head : skincore.heads.LesionHead, optional
        The caller's lesion detector in place of the built-in one.

    Returns
    -------
    FaceResult
        Geometry, quality, concern results, grades, scores and skipped concerns.

    Raises
    ------
    SkinError
        ``face_too_small``, ``face_out_of_bound``, ``improper_headpose``,
        ``greyscale_image``, ``no_face`` (a mesh not on a face), ``lighting_dark``,
        ``lighting_bright``, ``blurred_image``.
    """
    h, w = rgb.shape[:2]
    points = lm.points
    check_face(points, box, w, h, limits)
    spread = check_colour(rgb, points, limits)
    yaw, pitch, roll = head_pose(points)
    work = FaceWork(rgb, points, threads=threads, sessions=sessions, lesion_head=lesion_head)
    check_confirmed(rgb, lm, limits, work.session(FACE_DETECTOR), work.threads)
    eyes = check_eyes(rgb, points, limits, work.mesh_polygons)
    # quality limits (off by default) judge a confirmed face, not a mesh on a close-up
    check_pose(yaw, pitch, limits)
    blur = check_sharpness(rgb, points, limits)
    texture_ppm = _texture_px_per_mm(work)
    runnable = [
        spec for spec in concerns if spec.min_px_per_mm is None or texture_ppm >= spec.min_px_per_mm
    ]
    early: dict[str, float] = {}
    try:
        if work.prefetch(side):
            # the segmentation runs on the side worker: measure meanwhile the
            # concerns that do not need it (their errors, if any, are raised when
            # the concerns are measured in registry order below)
            clock.lap("regions")
            for spec in runnable:
                if spec.photo_only:
                    t0 = time.perf_counter()
                    with contextlib.suppress(Exception):
                        work.result_of(spec, params[spec.name])
                    early[spec.name] = (time.perf_counter() - t0) * 1e3
            clock.t = time.perf_counter()
    finally:
        work.settle()
    masks = work.colour
    clock.lap("regions")
    check_skin(work, limits)
    stats = work.face_stats
    skin_l = float(stats.L_median) if stats.n_used else float("nan")
    if limits.min_skin_lightness is not None and not skin_l >= limits.min_skin_lightness:
        raise SkinError(
            "lighting_dark",
            f"median skin L* is {skin_l:.1f}; at least {limits.min_skin_lightness} needed",
            skin_lightness=skin_l,
            min_skin_lightness=limits.min_skin_lightness,
        )
    blown = overexposed(work)
    if limits.max_overexposed is not None and blown > limits.max_overexposed:
        raise SkinError(
            "lighting_bright",
            f"{blown:.0%} of the face's skin is blown out by the light (a channel at "
            f"{CLIPPED_LEVEL} or above; at most {limits.max_overexposed:.0%} accepted): "
            "softer or less direct light, no flash",
            overexposed=round(blown, 4),
            max_overexposed=limits.max_overexposed,
        )
    # (NaN only when no runnable concern has a floor or reads it: all are kept)
    resolved = _resolved(work, runnable, texture_ppm)
    runnable = [
        spec for spec in runnable if spec.min_px_per_mm is None or resolved >= spec.min_px_per_mm
    ]
    warnings = (
        ("imporper_headpose",) if max(abs(yaw), abs(pitch), abs(roll)) > HEADPOSE_LIMIT_DEG else ()
    )
    quality = Quality(
        skin_lightness=skin_l,
        hair_occlusion=hair_occlusion(work.segmentation, points),
        glasses=work.wears_glasses,
        out_of_bound=out_of_bound(points, w, h),
        warnings=warnings,
        colour_spread=spread,
        overexposed=blown,
        blur_mm=blur,
        resolved_px_per_mm=resolved,
    )
    face_area = polygon_area(points[list(FACE_OVAL), :2])
    geometry = FaceGeometry(
        box=Rect(box.x0, box.y0, box.width, box.height),
        face_rect=Rect.from_points(points[list(FACE_OVAL)]),
        score=float(box.score),
        presence=float(lm.presence),
        pose=Pose(yaw, pitch, roll),
        degree=int(round(roll)),
        face_ratio=face_area / float(w * h),
        landmarks=points,
        regions=dict(work.polygons),
        px_per_mm=work.px_per_mm,
        confirmation=float(lm.confirmation),
        eye_contrast=float(eyes),
    )
    clock.lap("quality")
    face = FaceResult(
        index=index,
        geometry=geometry,
        quality=quality,
        skin=MaskLayer(masks.masks["face"], masks.origin, masks.scale),
    )
    measured = (pool or ConcernPool(1)).measure(work, runnable, params)
    clock.t = time.perf_counter()
    for spec in concerns:
        if spec.name not in measured:
            face.skipped[spec.name] = (
                _unresolved(spec, resolved, texture_ppm)
                if texture_ppm >= (spec.min_px_per_mm or 0.0)
                else _too_coarse(spec, texture_ppm, geometry.face_rect.width)
            )
            continue
        result, ms = measured[spec.name]
        ms += early.get(spec.name, 0.0)
        clock.ms[spec.name] = round(clock.ms.get(spec.name, 0.0) + ms, 3)
        face.concerns[spec.name] = result
        if result is None:
            face.skipped[spec.name] = spec.absent
        elif spec.grade is not None:
            graded = spec.grade(result, params[spec.name])
            if graded is not None:
                face.grades[spec.name] = graded
    clock.lap("grading")
    face.scores = group_scores(face.grades)
    face.total_score = total_score(face.scores)
    return face


def texture_context(
    analysis: Analysis, image: np.ndarray, face_index: int = 0, *, threads: int = 0
) -> TextureContext:
    """Rebuild the texture grid a face's concerns were measured on.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze`.
    image : numpy.ndarray
        The ``(H, W, 3)`` uint8 photo it was made from.
    face_index : int, optional
        Which face.
    threads : int, optional
        Worker threads for the kernels.

    Returns
    -------
    TextureContext
        Grey and Lab crop, region masks and scale of that face.
    """
    points = analysis.faces[face_index].geometry.landmarks
    return FaceWork(image, points, threads=threads).texture
