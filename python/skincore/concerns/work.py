"""``FaceWork``: one face's shared, lazily computed workspace.

Every concern of a face reads the same :class:`FaceWork`. What several concerns
need is computed on first use and cached on this object (never in module
state), so a concern costs only its own work and concurrent analyses never
share intermediates:

* :attr:`FaceWork.segmentation` -- skin, hair and clothes probabilities of the
  face crop (:func:`skincore.face.segmentation.segment_face`);
* :attr:`FaceWork.polygons` -- the region polygons in image pixels, the forehead
  extended from the mesh's top ring up to the hairline the segmentation finds;
* :attr:`FaceWork.colour` -- the face crop resampled so the face is about
  :data:`WORK_FACE_PX` wide, in CIELAB, with its region masks
  (:class:`skincore.face.regions.RegionMasks`): a region's skin is its polygon
  AND the segmented skin (with the acne-covered skin the model leaves
  unclassified, :mod:`skincore.face.unclassified`), minus hair, beard, eyes, brows,
  lips and nostrils with a margin -- no colour gate, so red patches, brown spots
  and acne stay measured.
  Colour statistics (tone, quality) are measured here, where more pixels would
  only cost time;
* :attr:`FaceWork.texture` -- the texture grid
  (:class:`~skincore.concerns.context.TextureContext`): the face crop at full
  resolution capped at 6 px/mm, all three CIELAB channels, region masks
  rasterised on that grid on first use, coarser grids (:meth:`TextureContext.rescaled`)
  and a memo for shared scale spaces (DoG stacks, Hessian responses);
* :attr:`FaceWork.face_stats` -- robust Lab statistics of the whole-face skin.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import numpy as np

from skincore import color, geometry
from skincore._masks import mask255, zero_where
from skincore.concerns import resolution
from skincore.concerns.context import (
    TextureContext,
    build_context,
    hair_band,
    landmark_yaw,
    nose_band,
)
from skincore.face.beard import BeardTexture, beard_share, beard_texture
from skincore.face.glasses import FrameSearch, Glasses, detect_glasses, find_frame
from skincore.face.regions import (
    FACE_OVAL,
    LazyMasks,
    RegionMasks,
    all_points,
    crop_box,
    region_polygons,
)
from skincore.face.scale import px_per_mm
from skincore.face.segmentation import FaceSegmentation, from_output, preprocess, run_model
from skincore.face.skinmask import THRESHOLD as HAIR_THRESHOLD
from skincore.face.skinmask import (
    exclusion_mask,
    extend_forehead,
    segmented_skin,
    skin_keep,
    to_grid,
)
from skincore.face.unclassified import unclassified_skin
from skincore.models import FACE_SEGMENTATION
from skincore.threads import SideWorker, ThreadShare

#: Colour, regions and quality are measured on the face crop resampled so the
#: face is about this wide (area averaging).
WORK_FACE_PX = 400

_T = TypeVar("_T")


class _shared(Generic[_T]):  # noqa: N801 - used as a decorator, like cached_property
    """A :class:`FaceWork` attribute computed on first use, once per face.

    Like :func:`functools.cached_property`, but stored through :meth:`FaceWork.memo`:
    a lock per face and attribute, where Python 3.11's ``cached_property`` holds one
    lock per attribute for *all* instances, so two analyses in two threads waited for
    each other's segmentation and texture grid.
    """

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._key = ("shared", compute.__name__)
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _shared[_T]: ...

    @overload
    def __get__(self, obj: FaceWork, owner: type | None = None) -> _T: ...

    def __get__(self, obj: FaceWork | None, owner: type | None = None) -> _T | _shared[_T]:
        if obj is None:
            return self
        return obj.memo(self._key, lambda: self._compute(obj))


class FaceWork:
    """The workspace of one face in one photo.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo (not modified).
    landmarks : numpy.ndarray
        ``(478, 3)`` FaceMesh points in image pixels.
    threads : int or ThreadShare, optional
        Worker threads for the kernels (0 = the pool size), or the analyser's
        :class:`skincore.threads.ThreadShare`, asked at every kernel call.
    sessions : callable, optional
        ``sessions(model_path) -> onnxruntime.InferenceSession``: the analyser's
        own sessions for the models concerns run (see :meth:`session`).
    lesion_head : skincore.heads.LesionHead, optional
        The caller's lesion detector, in place of the built-in one
        (:func:`skincore.concerns.colour_lesions.face_lesions`).

    Attributes
    ----------
    rgb : numpy.ndarray
        The photo.
    landmarks : numpy.ndarray
        The face's landmarks.
    threads : int
        Kernel threads for the next kernel call.
    px_per_mm : float
        Image pixels per millimetre on the face (iris scale).
    lesion_head : skincore.heads.LesionHead or None
        The caller's lesion detector, if any.
    """

    def __init__(
        self,
        rgb: np.ndarray,
        landmarks: np.ndarray,
        *,
        threads: int | ThreadShare = 0,
        sessions: Callable[[Path], Any] | None = None,
        lesion_head: Any = None,
    ) -> None:
        self._sessions = sessions
        self.lesion_head = lesion_head
        self.rgb = rgb
        self.landmarks = np.asarray(landmarks)
        self._threads = threads if isinstance(threads, ThreadShare) else int(threads)
        self.px_per_mm = float(px_per_mm(self.landmarks))
        self._memo: dict[Any, Any] = {}
        self._locks: dict[Any, threading.RLock] = {}
        self._guard = threading.Lock()
        self._pending: Future[np.ndarray] | None = None
        self._seg_input: tuple[np.ndarray, tuple[float, float], float] | None = None

    @property
    def threads(self) -> int:
        """Kernel threads for the next kernel call (the share, when one is given)."""
        t = self._threads
        return t if isinstance(t, int) else t.threads()

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Return ``compute()`` once per key for this face, cached.

        For intermediates several concerns share that are not a grid (e.g. the
        lesion detection acne, moles and pigmentation all read); the key names
        it with the parameters it depends on.
        """
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:  # one computation per key, also when threads share this face
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def result_of(self, spec: Any, params: Any) -> Any:
        """Return concern ``spec``'s result with ``params`` for this face, measured once.

        The pipeline measures every concern through here, so a concern derived
        from others (skin type from shine and texture) reads their results
        instead of measuring them again; with other parameters, or when the
        other concern was not selected, it is measured (and kept) on demand.
        """
        key: Any = ("result", spec.name, params)
        try:
            hash(key)
        except TypeError:  # unhashable parameters: keyed by identity
            key = ("result", spec.name, id(params))
        return self.memo(key, lambda: spec.measure(self, params))

    def colour_to_image(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(N, 2)`` colour-grid points to image pixels (pixel centres)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        s = self.colour_scale
        return ((xy + 0.5) / s - 0.5 + np.asarray(self.crop[:2], np.float64)).astype(np.float32)

    def session(self, model: Path) -> Any:
        """Return the ONNX Runtime session of a packaged model (the analyser's own).

        Without an analyser (a hand-made workspace) the process-wide cached
        session of :func:`skincore.runtime.get_session` is used.
        """
        if self._sessions is not None:
            return self._sessions(model)
        from skincore.runtime import get_session

        return get_session(model, threads=self.threads)

    @_shared
    def segmentation(self) -> FaceSegmentation:
        """Skin, hair and clothes probabilities around the face.

        :func:`skincore.face.segmentation.segment_face`'s steps; after
        :meth:`prefetch`, from the input it made and the model run it started
        (or from that input, when the side worker declined the run).
        """
        inputs = self._seg_input
        if inputs is None:
            inputs = preprocess(self.rgb, self.landmarks, threads=self.threads)
        tensor, origin, scale = inputs
        pending = self._pending
        out = (
            pending.result()
            if pending is not None
            else run_model(self.session(FACE_SEGMENTATION), tensor)
        )
        return from_output(out, self.landmarks, origin, scale)

    def prefetch(self, worker: SideWorker | None) -> bool:
        """Start the segmentation model on ``worker``; prepare what does not need it here.

        When this face's threads (:attr:`threads`, a share) are two or more and
        the side worker is free, this thread makes the model's input (the crop)
        and the worker runs the model, an ONNX Runtime run that holds no Python
        lock; meanwhile this thread computes what needs only the photo and the
        landmarks (:attr:`mesh_polygons`, :attr:`beard_texture`, :attr:`glasses`),
        and the caller may measure more such work (the pipeline measures the
        ``photo_only`` concerns) before it calls :meth:`settle`. Without a
        worker, with one thread, or while the worker runs another call's job,
        only this thread's part is done here. While the model runs it counts as
        one more call in flight on the share
        (:class:`skincore.threads.ThreadShare`): the run and this thread's
        kernels take one thread each of a two-thread budget. The results are the
        same either way (the model's outputs do not depend on its thread count).

        Parameters
        ----------
        worker : SideWorker or None
            The analyser's side worker.

        Returns
        -------
        bool
            Whether the worker took the run; then call :meth:`settle` before
            leaving the face (an error): the run may still be going on.
        """
        share = self._threads
        if (
            worker is not None
            and self._seg_input is None
            and ("shared", "segmentation") not in self._memo
            and isinstance(share, ThreadShare)
            and share.threads() >= 2
        ):
            self._seg_input = preprocess(self.rgb, self.landmarks, threads=self.threads)
            tensor = self._seg_input[0]
            session = self.session(FACE_SEGMENTATION)

            def job() -> np.ndarray:
                with share.call():
                    return run_model(session, tensor)

            self._pending = worker.try_submit(job)
        _ = (self.mesh_polygons, self.beard_texture, self.glasses)
        return self._pending is not None

    def settle(self) -> None:
        """Wait for the model run :meth:`prefetch` started (its error is not raised here).

        An error of the run is raised where the segmentation is read.
        """
        pending = self._pending
        if pending is not None:
            pending.exception()

    @_shared
    def glasses(self) -> Glasses:
        """Whether the face wears glasses (:func:`skincore.face.glasses.detect_glasses`)."""
        return detect_glasses(self.rgb, self.landmarks)

    @_shared
    def mesh_polygons(self) -> dict[str, np.ndarray]:
        """Region polygons in image pixels as the mesh gives them (no segmentation)."""
        return region_polygons(self.landmarks)

    @_shared
    def beard_texture(self) -> BeardTexture:
        """The image half of the beard mask (:func:`skincore.face.beard.beard_texture`)."""
        return beard_texture(self.rgb, self.landmarks)

    @_shared
    def polygons(self) -> dict[str, np.ndarray]:
        """Region polygons in image pixels, the forehead extended to the hairline."""
        polys = dict(self.mesh_polygons)
        polys["forehead"] = extend_forehead(
            polys["forehead"], self.landmarks, self.segmentation, rgb=self.rgb
        )
        return polys

    @_shared
    def yaw(self) -> float:
        """Head yaw in degrees (:func:`skincore.concerns.context.landmark_yaw`), once a face."""
        return landmark_yaw(self.landmarks)

    @_shared
    def crop(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)``: the grids' crop of the photo.

        Around the face outline and every region polygon (:attr:`polygons`):
        the forehead extended to the hairline (the mesh's top ring can lie a
        third of the forehead below it, and a crop of the outline alone cut the
        forehead zone there), and on a turned face the far cheek, which bulges
        past the outline ring (a crop of the outline cut it along a straight
        edge, and the wrinkle filter traced that edge as a line).
        """
        h, w = self.rgb.shape[:2]
        return crop_box(self.landmarks, w, h, extra=all_points(self.polygons))

    @_shared
    def colour_segmented(self) -> tuple[np.ndarray, np.ndarray]:
        """``(skin, excluded)`` on the colour grid as the model reads it, bool, read-only.

        The segmented skin (:func:`~skincore.face.skinmask.segmented_skin`) and the
        eyes, brows, lips and nostrils with their margins
        (:func:`~skincore.face.skinmask.exclusion_mask`), before a glasses frame.
        """
        origin = self.crop[:2]
        shape = self.colour_lab.shape[:2]
        scale = self.colour_scale
        skin = segmented_skin(self.segmentation, origin, scale, shape, threads=self.threads)
        excluded = exclusion_mask(self.landmarks, origin, scale, shape, threads=self.threads)
        skin.flags.writeable = False
        excluded.flags.writeable = False
        return skin, excluded

    @_shared
    def colour_unclassified(self) -> np.ndarray:
        """Skin the model leaves unclassified, on the colour grid (bool, read-only).

        :func:`skincore.face.unclassified.unclassified_skin`: acne-covered and
        inflamed skin the segmentation reads as neither skin, hair nor clothes.
        """
        skin, excluded = self.colour_segmented
        fill = unclassified_skin(
            self.segmentation,
            self.colour_lab,
            self.landmarks,
            self.crop[:2],
            self.colour_scale,
            self.colour_px_per_mm,
            skin,
            excluded,
            threads=self.threads,
        )
        fill.flags.writeable = False
        return fill

    @_shared
    def colour_parts(self) -> tuple[np.ndarray, np.ndarray]:
        """``(skin, excluded)`` on the colour grid, bool, read-only.

        :attr:`colour_segmented` with the skin the model left unclassified
        (:attr:`colour_unclassified`) added to its skin.
        """
        skin, excluded = self.colour_segmented
        fill = self.colour_unclassified
        if fill.any():
            skin = skin | fill
            skin.flags.writeable = False
        return skin, excluded

    @_shared
    def frame(self) -> FrameSearch | None:
        """The glasses frame on the colour grid (:func:`skincore.face.glasses.find_frame`).

        Searched only when :attr:`glasses` reads glasses (``None`` otherwise).
        """
        if not self.glasses.glasses:
            return None
        skin, excluded = self.colour_parts
        return find_frame(
            self.colour_lab[..., 0],
            to_grid(self.landmarks, self.crop[:2], self.colour_scale),
            self.colour_px_per_mm,
            skin & ~excluded,
            threads=self.threads,
        )

    @property
    def wears_glasses(self) -> bool:
        """Whether the face wears glasses.

        :attr:`glasses` reads them and the frame search finds a frame, not creases
        (:attr:`skincore.face.glasses.FrameSearch.creases`).
        """
        frame = self.frame
        return frame is not None and not frame.creases

    @_shared
    def colour(self) -> RegionMasks:
        """Region masks on the colour work grid (:attr:`colour_parts`, no colour gate)."""
        lab = self.colour_lab
        origin = self.crop[:2]
        scale = self.colour_scale
        shape = lab.shape[:2]
        seg = self.segmentation
        beard = self.beard_texture.mask(seg, origin, scale, shape, threads=self.threads)
        skin, excluded = self.colour_parts
        frame = self.frame
        if frame is not None and not frame.creases:
            # the segmentation reads a frame as skin: leave it out with the eyes
            excluded = excluded | frame.mask
        keep = skin_keep(
            seg, self.landmarks, origin, scale, shape, beard=beard, skin=skin, excluded=excluded
        )
        grid = {name: to_grid(p, origin, scale) for name, p in self.polygons.items()}
        return RegionMasks(
            keep=keep,
            origin=(int(origin[0]), int(origin[1])),
            scale=float(scale),
            masks=LazyMasks(grid, keep),
            skin=skin.view(np.uint8),
            excluded=excluded.view(np.uint8) * np.uint8(255),
            beard=beard.view(np.uint8) * np.uint8(255),
            hair=mask255(seg.resample("hair", origin, scale, shape) >= HAIR_THRESHOLD),
        )

    def colour_hair_band(self, margin_mm: float) -> np.ndarray:
        """Return the skin near hair on the colour grid (memoised).

        As :meth:`TextureContext.hair_band` on this grid: every pixel within
        ``margin_mm`` of a :attr:`RegionMasks.hair` pixel along both axes.
        ``(h, w)`` bool, read-only; all False for a margin of 0 or less.
        """
        cm = self.colour
        return self.memo(
            ("colour_hair_band", float(margin_mm)),
            lambda: hair_band(cm.hair, cm.shape, margin_mm, self.colour_px_per_mm),
        )

    def colour_fold_free(
        self, margin_mm: float, far_mm: float = 0.0, side_mm: float = 0.0
    ) -> np.ndarray:
        """Return the colour grid's face skin less the bands round the nose (memoised).

        The bands: :meth:`colour_nose_band` of ``margin_mm``, ``far_mm`` and
        ``side_mm`` (as :meth:`TextureContext.fold_free` on the texture grid);
        with all 0 or less, ``colour.masks["face"]`` itself. ``(h, w)`` uint8
        (255 = skin), read-only.
        """
        face = self.colour.masks["face"]
        if not (margin_mm > 0 or far_mm > 0 or side_mm > 0):
            return face

        def compute() -> np.ndarray:
            out = zero_where(face, self.colour_nose_band(margin_mm, far_mm, side_mm))
            out.flags.writeable = False
            return out

        key = ("colour_fold_free", float(margin_mm), float(far_mm), float(side_mm))
        return self.memo(key, compute)

    def colour_nose_band(
        self, fold_mm: float, far_mm: float = 0.0, side_mm: float = 0.0
    ) -> np.ndarray:
        """Return the bands round the nose on the colour grid (memoised).

        Parameters
        ----------
        fold_mm : float
            Half-width (mm) of the rectangles round each segment of
            :data:`skincore.face.regions.NOSE_FOLDS`, reaching further out
            beside the near wing of a turned face (as
            :meth:`TextureContext.fold_band`); 0 or less: no fold band.
        far_mm : float, optional
            With it, the band along the far side's nose outline of a turned
            face too: ``fold_mm`` round it and ``far_mm`` further out at full
            yaw (as :meth:`TextureContext.far_nose_band`); 0: none.
        side_mm : float, optional
            With it, the bands either side of the crest down each side of the
            nose's bridge too (as :meth:`TextureContext.nose_side_bands`); 0: none.

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False when there is no band.
        """

        def compute() -> np.ndarray:
            band = nose_band(
                to_grid(self.landmarks, self.colour.origin, self.colour.scale),
                self.colour_px_per_mm,
                self.yaw,
                self.colour.masks["face"].shape,
                fold_mm,
                far_mm,
                side_mm,
            )
            band.flags.writeable = False
            return band

        key = ("colour_nose_band", float(fold_mm), float(far_mm), float(side_mm))
        return self.memo(key, compute)

    @_shared
    def _colour_grid(self) -> tuple[np.ndarray, np.ndarray, float]:
        x0, y0, x1, y1 = self.crop
        crop = self.rgb[y0:y1, x0:x1]
        face_w = float(np.ptp(self.landmarks[list(FACE_OVAL), 0]))
        scale = min(1.0, WORK_FACE_PX / max(face_w, 1.0))
        if scale < 1.0:
            w0 = crop.shape[1]
            size = (max(1, round(w0 * scale)), max(1, round(crop.shape[0] * scale)))
            crop = geometry.resize(crop, size, method="area", threads=self.threads)
            scale = size[0] / w0
        crop = np.ascontiguousarray(crop)
        return crop, color.rgb_to_lab(crop, threads=self.threads), float(scale)

    @property
    def colour_rgb(self) -> np.ndarray:
        """``(h, w, 3)`` uint8 RGB of the face crop on the colour grid (area-resampled)."""
        return self._colour_grid[0]

    @property
    def colour_lab(self) -> np.ndarray:
        """``(h, w, 3)`` float32 CIELAB of the face crop on the colour grid."""
        return self._colour_grid[1]

    @property
    def colour_scale(self) -> float:
        """Colour-grid pixels per image pixel."""
        return self._colour_grid[2]

    @property
    def colour_px_per_mm(self) -> float:
        """Colour-grid pixels per millimetre on the face."""
        return self.px_per_mm * self.colour_scale

    @_shared
    def beard_share(self) -> float:
        """Share of the face outline below the nose tip that the beard mask covers.

        :func:`skincore.face.beard.beard_share` on the colour grid; the texture
        concerns measure a bearded face above the nose tip only.
        """
        return beard_share(self.colour, self.landmarks)

    @_shared
    def face_stats(self) -> color.LabStats:
        """Robust Lab statistics of the whole-face skin on the colour grid."""
        return color.lab_stats(self.colour_lab, self.colour.masks["face"], threads=self.threads)

    @_shared
    def texture(self) -> TextureContext:
        """The texture grid (built on first use; see the module docstring)."""
        return build_context(
            self.rgb,
            self.landmarks,
            self.colour,
            polygons=self.polygons,
            crop=self.crop,
            threads=self.threads,
        )

    @_shared
    def resolved_px_per_mm(self) -> float:
        """The sampling the photo's skin detail supports, at most the texture grid's.

        :func:`skincore.concerns.resolution.resolved_px_per_mm` on the texture grid:
        lower than the grid's own px/mm on an upscaled, defocused or smoothed photo.
        """
        return resolution.resolved_px_per_mm(self.texture, threads=self.threads)
