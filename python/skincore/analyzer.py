"""The long-lived analyser: ONNX sessions, thread budget and options in one object.

Create one :class:`Analyzer` per process (or per configuration) and call
:meth:`Analyzer.analyze` for every photo, from as many threads as you like: the
analyser holds no per-call state, its ONNX Runtime sessions are safe for
concurrent runs, and every face's intermediates live in that call's own
:class:`~skincore.concerns.work.FaceWork`. :func:`skincore.analyze` is a thin
call on a default analyser. Threads overlap only the kernels (the Python between
them holds the GIL); ``processes=N`` hands the calls to worker processes
(:mod:`skincore.processes`) so that concurrent callers run side by side.

>>> import skincore
>>> an = skincore.Analyzer(skincore.AnalyzerOptions(threads=2))   # doctest: +SKIP
>>> an.analyze("photo.jpg").to_dict("ailab-pro")                  # doctest: +SKIP
>>> from concurrent.futures import ThreadPoolExecutor            # doctest: +SKIP
>>> with skincore.Analyzer(processes=2) as an, ThreadPoolExecutor(2) as calls:  # doctest: +SKIP
...     results = list(calls.map(an.analyze, ["a.jpg", "b.jpg"]))
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from skincore import _validate, runtime
from skincore._version import __version__
from skincore.analysis import Analysis, FaceResult, Meta
from skincore.concerns.base import Concern
from skincore.concerns.registry import REGISTRY, resolve_params, select
from skincore.concerns.scheduler import ConcernPool
from skincore.errors import SkinError
from skincore.face.finder import find_faces
from skincore.face.side import measure_side
from skincore.heads import LesionHead, OnnxLesionHead
from skincore.io import LoadedImage, load_image
from skincore.limits import Limits
from skincore.models import FACE_DETECTOR, FACE_LANDMARKS
from skincore.pipeline import Clock, measure_face
from skincore.processes import ProcessPool
from skincore.threads import SideWorker, ThreadShare

#: Detail of ``no_face`` when the detector finds no face at all.
NO_FACE_FOUND = (
    "the face detector found no face: the whole face, forehead to chin, must be in "
    "the photo (close-ups of the eyes, a cheek or a profile are not analysed)"
)


@dataclass(frozen=True)
class AnalyzerOptions:
    """What an :class:`Analyzer` does, fixed at creation.

    Attributes
    ----------
    threads : int
        Worker threads for the C++ kernels and ONNX Runtime (0 = all cores),
        0..256. Set this to bound a service's CPU: concurrent calls share the
        budget instead of each taking every core (with ``n`` calls in flight each
        kernel call takes ``threads // n`` of it, see
        :class:`skincore.threads.ThreadShare`).
    provider : str or None
        Force an ONNX Runtime execution provider (``"cpu"``, ``"cuda"``);
        by default CUDA when a session really runs on it, else CPU.
    max_faces : int
        Analyse up to this many faces (1-10), largest first.
    multiple_faces : {"largest", "error"}
        With more faces than ``max_faces``: keep the largest, or raise
        ``too_many_faces``.
    limits : Limits
        Input limits (see :func:`skincore.limits_for`).
    concerns : tuple of str or None
        Concerns to run (registry names, see :data:`skincore.CONCERNS`);
        ``None`` runs every one.
    params : mapping of str to object
        Per-concern ``Params`` overriding the documented defaults, e.g.
        ``{"pores": skincore.concerns.pores.Params(contrast=0.05)}``.
    concern_workers : int
        Concerns of a face measured at once, counting the calling thread (1-16;
        1 = one after another, the default). 2 fills one concern's kernel time with
        another's Python: on an otherwise idle 2-core machine 8-10 % less latency
        at 1080p and 12 MP, for about 60 MB more memory; on a busy machine (a
        service's concurrent requests) it gains nothing. Results do not depend on it.
    processes : int
        Worker processes the calls are handed to (0-64; 0 = none, the calling
        thread analyses, the default). The Python between the kernels holds the
        GIL, so threads calling one in-process analyser overlap only partly; with
        ``processes=N`` each call runs in one of ``N`` spawned processes with
        ``threads // N`` threads (:mod:`skincore.processes`) and concurrent callers
        run side by side: on 2 cores two callers get about 1.5-1.8x the throughput
        of one in-process caller, while a lone call takes longer (half the cores)
        and each process holds its own models (about 290 MB at 1080p). Results are the
        same. Call :meth:`Analyzer.close` (or use a ``with`` block) to stop them;
        in a script, create the analyser under ``if __name__ == "__main__":``
        (the workers are spawned and import the main module).
    lesion_head : skincore.heads.LesionHead or None
        Your own lesion detector in place of skincore's for the acne, mole and
        brown-spot concerns (:mod:`skincore.heads`; e.g.
        :class:`skincore.heads.OnnxLesionHead`, run with this analyser's provider
        and threads). Its name is reported in ``Analysis.meta.heads``. With
        ``processes`` it must pickle (an ``OnnxLesionHead`` does).
    """

    threads: int = 0
    provider: str | None = None
    max_faces: int = 1
    multiple_faces: str = "largest"
    limits: Limits = field(default_factory=Limits)
    concerns: tuple[str, ...] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    concern_workers: int = 1
    processes: int = 0
    lesion_head: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "threads", _validate.check_threads(self.threads))
        object.__setattr__(self, "provider", _validate.check_provider(self.provider))
        object.__setattr__(self, "max_faces", _validate.check_max_faces(self.max_faces))
        _validate.check_choice(self.multiple_faces, ("largest", "error"), "multiple_faces")
        if not isinstance(self.limits, Limits):
            raise SkinError(
                "invalid_argument",
                f"limits: expected a skincore.Limits, got {type(self.limits).__name__}",
                argument="limits",
            )
        if self.concerns is not None:
            names = tuple(c.name for c in select(self.concerns))
            object.__setattr__(self, "concerns", names)
        object.__setattr__(self, "params", MappingProxyType(resolve_params(self.params)))
        workers = _validate.check_int_in(self.concern_workers, 1, 16, "concern_workers")
        object.__setattr__(self, "concern_workers", workers)
        procs = _validate.check_int_in(self.processes, 0, 64, "processes")
        object.__setattr__(self, "processes", procs)
        if self.lesion_head is not None and not isinstance(self.lesion_head, LesionHead):
            raise SkinError(
                "invalid_argument",
                "lesion_head: expected an object with a name and detect(work) "
                f"(skincore.heads.LesionHead), got {type(self.lesion_head).__name__}",
                argument="lesion_head",
            )


class Analyzer:
    """Analyse faces in photos with one set of models, threads and options.

    Parameters
    ----------
    options : AnalyzerOptions, optional
        The defaults when omitted.
    **overrides
        Fields of :class:`AnalyzerOptions` (a shortcut:
        ``Analyzer(threads=2)``).

    Raises
    ------
    SkinError
        ``invalid_argument`` for bad options, ``runtime_unavailable`` when no
        ONNX Runtime (or the forced provider) is available, or ``processes`` is
        set where the platform has no process pools.

    Notes
    -----
    With ``processes`` set, close the analyser when done (:meth:`close`, or use
    it as a context manager); its workers also end with the process.
    """

    def __init__(self, options: AnalyzerOptions | None = None, **overrides: Any) -> None:
        if options is None:
            options = AnalyzerOptions(**overrides)
        elif overrides:
            options = replace(options, **overrides)
        if not isinstance(options, AnalyzerOptions):
            raise SkinError("invalid_argument", "options: expected skincore.AnalyzerOptions")
        self.options = options
        self._share = ThreadShare(options.threads)
        try:
            self.provider = runtime.active_provider(options.provider)
            self._detector = self._shared_session(FACE_DETECTOR)
            self._landmarks = self._shared_session(FACE_LANDMARKS)
        except RuntimeError as exc:
            raise SkinError("runtime_unavailable", str(exc)) from None
        self._ort_version = runtime.onnxruntime_version()
        # The detector also confirms each face's mesh (pipeline.check_confirmed).
        self._model_sessions: dict[str, Any] = {str(FACE_DETECTOR): self._detector}
        self._model_lock = threading.Lock()
        self._concern_pool = ConcernPool(options.concern_workers)
        # runs a face's segmentation model while the calling thread prepares the rest
        self._side = SideWorker()
        head = options.lesion_head
        self._heads = {} if head is None else {"lesions": str(head.name)}
        if isinstance(head, OnnxLesionHead):
            head.check_model(self.session)  # before any worker process starts
        # the calls' worker processes, when asked for
        self._processes = ProcessPool(options, _worker_analyzer) if options.processes else None

    def close(self) -> None:
        """Stop the analyser's worker processes (``processes``), if any.

        Calls in flight finish first; later calls raise ``invalid_argument``. An
        analyser without worker processes needs no closing (this does nothing).
        """
        if self._processes is not None:
            self._processes.close()

    def __enter__(self) -> Analyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self, model: Path) -> Any:
        """Return this analyser's ONNX Runtime session of a packaged model.

        Created on first use with the analyser's provider and threads, then
        shared by every call (sessions are safe for concurrent runs).
        """
        key = str(model)
        with self._model_lock:
            sess = self._model_sessions.get(key)
            if sess is None:
                try:
                    # the wide session on its first run: the segmentation runs on
                    # the side worker's one-thread session while a call is alone
                    sess = self._shared_session(model, eager=False)
                except RuntimeError as exc:
                    raise SkinError("runtime_unavailable", str(exc)) from None
                self._model_sessions[key] = sess
            return sess

    def _shared_session(self, model: Path, *, eager: bool = True) -> runtime.SharedSession:
        return runtime.SharedSession(
            model,
            provider=self.options.provider,
            threads=self.options.threads,
            share=self._share,
            eager=eager,
        )

    @property
    def concerns(self) -> tuple[str, ...]:
        """Names of the concerns this analyser runs, in order."""
        return tuple(c.name for c in select(self.options.concerns))

    def analyze(
        self,
        image: Any,
        *,
        max_faces: int | None = None,
        limits: Limits | None = None,
        concerns: Sequence[str] | None = None,
        multiple_faces: str | None = None,
        left_side_image: Any = None,
        right_side_image: Any = None,
    ) -> Analysis:
        """Analyse the skin of the faces in a photo.

        Parameters
        ----------
        image : str, os.PathLike, bytes, binary file, PIL.Image.Image, numpy.ndarray or LoadedImage
            A file path, the encoded file, an open binary file or stream (read
            from where it stands), a PIL image, an RGB array, or an image already
            decoded by :func:`skincore.load_image`.
        max_faces : int, optional
            Overrides the option for this call.
        limits : Limits, optional
            Overrides the option for this call.
        concerns : sequence of str, optional
            Overrides the option for this call.
        multiple_faces : {"largest", "error"}, optional
            Overrides the option for this call.
        left_side_image, right_side_image : optional
            Photos of the subject's left / right side (any ``image`` form): each
            is judged and its jawline measured (:mod:`skincore.face.side`) into
            :attr:`Analysis.sides`. A side photo without a usable face is not an
            error: its quality code says why.

        Returns
        -------
        Analysis
            Per face: geometry, quality, every concern's result and grades.

        Raises
        ------
        SkinError
            With a stable ``code``: bad input (see :func:`skincore.load_image`),
            ``no_face``, ``too_many_faces``, ``face_too_small``,
            ``face_out_of_bound``, ``greyscale_image``, ``lighting_dark``,
            ``invalid_argument``.
        """
        opts = self.options
        overrides: dict[str, Any] = {
            k: v
            for k, v in (
                ("max_faces", max_faces),
                ("limits", limits),
                ("concerns", None if concerns is None else tuple(concerns)),
                ("multiple_faces", multiple_faces),
            )
            if v is not None
        }
        if self._processes is not None:
            sides = {"left_side_image": left_side_image, "right_side_image": right_side_image}
            return self._processes.analyze(
                image, overrides.get("limits", opts.limits), sides, overrides
            )
        if overrides:
            opts = replace(opts, params=dict(opts.params), **overrides)
        specs = select(opts.concerns)
        with self._share.call():
            return self._analyze(image, opts, specs, left_side_image, right_side_image)

    def _analyze(
        self,
        image: Any,
        opts: AnalyzerOptions,
        specs: Sequence[Concern],
        left_side_image: Any,
        right_side_image: Any,
    ) -> Analysis:
        share = self._share
        clock = Clock()
        loaded = image if isinstance(image, LoadedImage) else load_image(image, opts.limits)
        rgb = loaded.rgb
        clock.lap("decode")
        # Detection on a tile pyramid when more faces are wanted, upright landmark
        # crops, refusal of non-faces by the landmark model's presence, largest first.
        wanted = opts.max_faces + 1 if opts.multiple_faces == "error" else opts.max_faces
        found = find_faces(
            rgb,
            max_faces=wanted,
            threads=share.threads(),
            timings=clock.ms,
            detector_session=self._detector,
            landmarks_session=self._landmarks,
        )
        clock.t = time.perf_counter()
        if not found:
            raise SkinError("no_face", NO_FACE_FOUND)
        if opts.multiple_faces == "error" and len(found) > opts.max_faces:
            raise SkinError(
                "too_many_faces",
                f"at least {len(found)} faces found; at most {opts.max_faces} allowed",
                faces=len(found),
                max_faces=opts.max_faces,
            )
        faces: list[FaceResult] = []
        for box, lm in found[: opts.max_faces]:
            try:
                face = measure_face(
                    len(faces),
                    rgb,
                    box,
                    lm,
                    limits=opts.limits,
                    concerns=specs,
                    params=opts.params,
                    threads=share,
                    clock=clock,
                    sessions=self.session,
                    pool=self._concern_pool,
                    side=self._side,
                    lesion_head=opts.lesion_head,
                )
            except SkinError:
                if not faces:
                    raise  # the largest face decides whether the photo is usable
                continue
            faces.append(face)
        meta = Meta(
            skincore_version=__version__,
            provider=self.provider,
            onnxruntime_version=self._ort_version,
            request_id=uuid.uuid4().hex,
            created_unix=int(time.time()),
            image_format=loaded.format,
            source_mode=loaded.source_mode,
            exif_orientation=loaded.exif_orientation,
            file_bytes=loaded.file_bytes,
            timings_ms=clock.ms,
            concerns=tuple(c.name for c in specs),
            threads=opts.threads,
            heads=dict(self._heads),
        )
        sides = {}
        for side, source in (("left", left_side_image), ("right", right_side_image)):
            if source is None:
                continue
            side_img = (
                source if isinstance(source, LoadedImage) else load_image(source, opts.limits)
            )
            sides[side] = measure_side(
                side_img.rgb,
                side,
                threads=share.threads(),
                detector_session=self._detector,
                landmarks_session=self._landmarks,
            )
        if sides:
            clock.lap("side_faces")
        return Analysis(
            width=loaded.width, height=loaded.height, faces=faces, meta=meta, sides=sides
        )


def _worker_analyzer(option_fields: dict[str, Any]) -> Analyzer:
    """Build a worker process's in-process analyser (:mod:`skincore.processes`)."""
    return Analyzer(AnalyzerOptions(**option_fields))


_default_lock = threading.Lock()
_defaults: dict[tuple[str | None, int], Analyzer] = {}


def default_analyzer(*, threads: int = 0, provider: str | None = None) -> Analyzer:
    """Return the process-wide analyser for (provider, threads), created on first use."""
    threads = _validate.check_threads(threads)
    provider = _validate.check_provider(provider)
    key = (provider, threads)
    with _default_lock:
        an = _defaults.get(key)
        if an is None:
            an = Analyzer(AnalyzerOptions(threads=threads, provider=provider))
            _defaults[key] = an
        return an


def analyze(
    image: Any,
    *,
    max_faces: int = 1,
    limits: Limits | None = None,
    multiple_faces: str = "largest",
    threads: int = 0,
    provider: str | None = None,
    concerns: Sequence[str] | None = None,
    left_side_image: Any = None,
    right_side_image: Any = None,
) -> Analysis:
    """Analyse the skin of the faces in a photo (on a default :class:`Analyzer`).

    Parameters
    ----------
    image : str, os.PathLike, bytes, binary file object, PIL.Image.Image or numpy.ndarray
        A file path, the encoded file, an open binary file or stream, a PIL image
        or an RGB array.
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
        Force an ONNX Runtime execution provider (``"cpu"`` or ``"cuda"``).
    concerns : sequence of str, optional
        Run only these concerns (registry names); all by default.
    left_side_image, right_side_image : optional
        Side photos (AILab Pro): quality and jawline into ``Analysis.sides``.

    Returns
    -------
    Analysis
        Per face: geometry, quality and every concern measured.

    Raises
    ------
    SkinError
        With a stable ``code`` (see :meth:`Analyzer.analyze`).
    """
    # Checked here: for Analyzer.analyze, None means "the analyser's option".
    max_faces = _validate.check_max_faces(max_faces)
    _validate.check_choice(multiple_faces, ("largest", "error"), "multiple_faces")
    an = default_analyzer(threads=threads, provider=provider)
    return an.analyze(
        image,
        max_faces=max_faces,
        limits=Limits() if limits is None else limits,
        concerns=concerns,
        multiple_faces=multiple_faces,
        left_side_image=left_side_image,
        right_side_image=right_side_image,
    )


#: Every registered concern name, in run order.
CONCERNS: tuple[str, ...] = tuple(REGISTRY)
