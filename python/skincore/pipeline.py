"""The analysis pipeline: image in, typed :class:`Analysis` out.

decode (io) -> detect faces -> 478 landmarks -> pose, quality, region masks ->
concerns. Each stage is timed into ``Analysis.meta.timings_ms``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

import numpy as np

from skincore import __version__, _validate, color, geometry, runtime
from skincore.analysis import (
    Analysis,
    FaceGeometry,
    FaceResult,
    Meta,
    Pores,
    Pose,
    Quality,
    Rect,
)
from skincore.concerns.context import TextureContext, build_context
from skincore.concerns.grading import BLACKHEAD_BUCKETS, PORE_BUCKETS, count_confidence
from skincore.concerns.pores import measure_blackheads, measure_pores
from skincore.concerns.roughness import measure_roughness
from skincore.concerns.scores import face_scores
from skincore.concerns.tone import measure_tone
from skincore.concerns.wrinkles import measure_wrinkles
from skincore.errors import SkinError
from skincore.face import FaceBox, FaceLandmarks, head_pose
from skincore.face.finder import find_faces
from skincore.face.regions import (
    FACE_OVAL,
    RegionMasks,
    build_masks,
    crop_box,
    polygon_area,
    region_polygons,
)
from skincore.io import load_image
from skincore.limits import Limits

#: Colour, regions and quality are measured on the face crop resampled so the face
#: is about this wide (area averaging); more pixels do not change colour
#: statistics, they only cost time. Texture concerns work at full resolution.
WORK_FACE_PX = 400

#: AILab's rule for the ``imporper_headpose`` warning: |yaw|, |pitch| or |roll| > 45.
HEADPOSE_LIMIT_DEG = 45.0


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.ms: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.ms[name] = round(self.ms.get(name, 0.0) + (now - self.t) * 1e3, 3)
        self.t = now


def _out_of_bound(points: np.ndarray, width: int, height: int) -> float:
    oval = points[list(FACE_OVAL), :2]
    outside = (
        (oval[:, 0] < 0) | (oval[:, 0] > width - 1) | (oval[:, 1] < 0) | (oval[:, 1] > height - 1)
    )
    return float(np.mean(outside))


def _check_face(points: np.ndarray, box: FaceBox, width: int, height: int, limits: Limits) -> None:
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
    oob = _out_of_bound(points, width, height)
    if oob > limits.max_out_of_bound:
        raise SkinError(
            "face_out_of_bound",
            f"{oob:.0%} of the face outline lies outside the image",
            out_of_bound=oob,
            max_out_of_bound=limits.max_out_of_bound,
        )


def _work_lab(crop: np.ndarray, points: np.ndarray, threads: int) -> tuple[np.ndarray, float]:
    """CIELAB of the face crop at the colour work scale, and that scale."""
    face_w = float(np.ptp(points[list(FACE_OVAL), 0]))
    scale = min(1.0, WORK_FACE_PX / max(face_w, 1.0))
    if scale < 1.0:
        w0 = crop.shape[1]
        size = (max(1, round(w0 * scale)), max(1, round(crop.shape[0] * scale)))
        crop = geometry.resize(crop, size, method="area", threads=threads)
        scale = size[0] / w0
    return color.rgb_to_lab(crop, threads=threads), scale


def _hair_occlusion(lab: np.ndarray, masks: RegionMasks, skin_L: float) -> float | None:
    poly = masks.masks["forehead_polygon"] > 0
    area = int(np.count_nonzero(poly))
    if area == 0:
        return None
    hair = poly & (masks.skin == 0) & (lab[..., 0] < skin_L)
    return float(np.count_nonzero(hair)) / area


def _graded_pores(pores: Pores | None) -> Pores | None:
    """Attach the Poisson confidence of each zone's severity."""
    if pores is None:
        return None
    zones = {
        name: replace(z, confidence=count_confidence(z.count, PORE_BUCKETS[name]))
        for name, z in pores.zones.items()
    }
    return replace(pores, zones=zones)


def _measure_face(
    index: int,
    rgb: np.ndarray,
    box: FaceBox,
    lm: FaceLandmarks,
    limits: Limits,
    threads: int,
    clock: _Clock,
) -> FaceResult:
    h, w = rgb.shape[:2]
    points = lm.points
    _check_face(points, box, w, h, limits)
    yaw, pitch, roll = head_pose(points)
    x0, y0, x1, y1 = crop_box(points, w, h)
    lab, scale = _work_lab(rgb[y0:y1, x0:x1], points, threads)
    masks = build_masks(lab, points, (x0, y0), scale=scale, threads=threads)
    clock.lap("regions")
    face_stats = color.lab_stats(lab, masks.masks["face"], threads=threads)
    skin_L = float(face_stats.L_median) if face_stats.n_used else float("nan")
    if limits.min_skin_lightness is not None and not skin_L >= limits.min_skin_lightness:
        raise SkinError(
            "lighting_dark",
            f"median skin L* is {skin_L:.1f}; at least {limits.min_skin_lightness} needed",
            skin_lightness=skin_L,
            min_skin_lightness=limits.min_skin_lightness,
        )
    warnings = (
        ("improper_headpose",) if max(abs(yaw), abs(pitch), abs(roll)) > HEADPOSE_LIMIT_DEG else ()
    )
    quality = Quality(
        skin_lightness=skin_L,
        hair_occlusion=_hair_occlusion(lab, masks, skin_L),
        out_of_bound=_out_of_bound(points, w, h),
        warnings=warnings,
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
        regions=region_polygons(points),
    )
    clock.lap("quality")
    tone = measure_tone(lab, masks.masks["face"], masks.masks, stats=face_stats, threads=threads)
    clock.lap("tone")
    ctx = build_context(rgb, points, masks, threads=threads)
    clock.lap("texture_grid")
    pores = _graded_pores(measure_pores(ctx, threads=threads))
    blackheads = measure_blackheads(ctx, threads=threads)
    if blackheads is not None:
        blackheads = replace(
            blackheads, confidence=count_confidence(blackheads.count, BLACKHEAD_BUCKETS)
        )
    clock.lap("pores")
    roughness = measure_roughness(ctx, threads=threads)
    clock.lap("roughness")
    wrinkles = measure_wrinkles(ctx, threads=threads)
    clock.lap("wrinkles")
    face = FaceResult(
        index=index,
        geometry=geometry,
        quality=quality,
        tone=tone,
        pores=pores,
        blackheads=blackheads,
        roughness=roughness,
        wrinkles=wrinkles,
    )
    face.scores = face_scores(face)
    return face


def texture_context(analysis: Analysis, face_index: int = 0, *, threads: int = 0) -> TextureContext:
    """Rebuild the texture grid a face's concerns were measured on.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`analyze` (it keeps the decoded image).
    face_index : int, optional
        Which face.
    threads : int, optional
        Worker threads for the kernels.

    Returns
    -------
    TextureContext
        Grey crop, region masks and scale of that face.
    """
    if analysis.image is None:
        raise ValueError("analysis holds no image")
    rgb = analysis.image
    points = analysis.faces[face_index].geometry.landmarks
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = crop_box(points, w, h)
    lab, scale = _work_lab(rgb[y0:y1, x0:x1], points, threads)
    masks = build_masks(lab, points, (x0, y0), scale=scale, threads=threads)
    return build_context(rgb, points, masks, threads=threads)


def analyze(
    image: Any,
    *,
    max_faces: int = 1,
    limits: Limits | None = None,
    multiple_faces: str = "largest",
    threads: int = 0,
    provider: str | None = None,
) -> Analysis:
    """Analyse the skin of the faces in a photo.

    Parameters
    ----------
    image : str, os.PathLike, bytes, PIL.Image.Image or numpy.ndarray
        A file path, the encoded file, a PIL image or an RGB array.
    max_faces : int, optional
        Analyse up to this many faces (1-10), largest first, as face_field does.
    limits : Limits, optional
        Input limits (file size, dimensions, face size); see
        :func:`skincore.limits_for` for each vendor's numbers.
    multiple_faces : {"largest", "error"}, optional
        With more faces than ``max_faces``: keep the largest ones, or raise
        ``SkinError("too_many_faces")``.
    threads : int, optional
        Worker threads for kernels and ONNX Runtime (0 = all cores).
    provider : str, optional
        Force an ONNX Runtime execution provider (``"cpu"`` or ``"cuda"``);
        by default CUDA when available, else CPU.

    Returns
    -------
    Analysis
        Per face: geometry, quality and every concern measured so far.

    Raises
    ------
    SkinError
        With a stable ``code``: bad input (see :func:`skincore.io.load_image`),
        ``no_face``, ``too_many_faces``, ``face_too_small``,
        ``face_out_of_bound``, ``lighting_dark``, ``runtime_unavailable``.
    """
    # -- robust: argument checks shared with the Analyzer (skincore._validate)
    max_faces = _validate.check_max_faces(max_faces)
    multiple_faces = _validate.check_choice(multiple_faces, ("largest", "error"), "multiple_faces")
    threads = _validate.check_threads(threads)
    provider = _validate.check_provider(provider)
    limits = _validate.check_limits(limits)
    # -- end robust
    clock = _Clock()
    loaded = load_image(image, limits)
    rgb = loaded.rgb
    clock.lap("decode")
    try:
        prov = runtime.active_provider(provider)
        # -- robust: detection, upright landmarks, refusal of non-faces, largest first
        wanted = max_faces + 1 if multiple_faces == "error" else max_faces  # +1: too many?
        found = find_faces(
            rgb, max_faces=wanted, provider=provider, threads=threads, timings=clock.ms
        )
        clock.t = time.perf_counter()
        # -- end robust
    except RuntimeError as exc:
        raise SkinError("runtime_unavailable", str(exc)) from None
    if not found:
        raise SkinError("no_face")
    if multiple_faces == "error" and len(found) > max_faces:
        raise SkinError(
            "too_many_faces",
            f"at least {len(found)} faces found; at most {max_faces} allowed",
            faces=len(found),
            max_faces=max_faces,
        )
    faces: list[FaceResult] = []
    for box, lm in found[:max_faces]:
        try:
            faces.append(_measure_face(len(faces), rgb, box, lm, limits, threads, clock))
        except SkinError:
            if not faces:
                raise  # the largest face decides whether the photo is usable
    meta = Meta(
        skincore_version=__version__,
        provider=prov,
        onnxruntime_version=runtime.onnxruntime_version(),
        request_id=uuid.uuid4().hex,
        created_unix=int(time.time()),
        image_format=loaded.format,
        source_mode=loaded.source_mode,
        exif_orientation=loaded.exif_orientation,
        file_bytes=loaded.file_bytes,
        timings_ms=clock.ms,
    )
    return Analysis(width=loaded.width, height=loaded.height, faces=faces, meta=meta, image=rgb)
