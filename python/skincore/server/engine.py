"""The one adapter between the service and the skincore engine.

Every analysis and every rendering the service does goes through :class:`Engine`;
when ``skincore.Analyzer`` lands only this module changes. Analyses run in a
bounded thread pool off the event loop: ``workers`` run, ``queue_size`` wait, and
one more is refused with :class:`Busy` (the routes answer 429 + ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import skincore
from skincore import Analysis, SkinError
from skincore.limits import QUALITY_CONTROL

T = TypeVar("T")

#: Dialects the service renders.
DIALECTS = ("ailab-pro", "ailab-advanced", "face-field", "youcam-sd", "youcam-hd")


class Busy(Exception):
    """The worker pool and its queue are full."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("analysis queue full")
        self.retry_after_s = retry_after_s


class Engine:
    """One per server process: the analysis entry point and the bounded worker pool.

    Parameters
    ----------
    workers : int
        Analyses running at once.
    queue_size : int
        Analyses allowed to wait for a worker.
    threads : int
        Kernel/ONNX thread budget of the analyser, divided among the analyses
        in flight (:class:`skincore.threads.ThreadShare`).
    retry_after_s : int
        Suggested client back-off when full.
    processes : int
        Worker processes the analyser hands its calls to (0: none).
    lesion_head : object, optional
        The analyser's lesion head (``skincore.AnalyzerOptions.lesion_head``).
    """

    def __init__(
        self,
        workers: int,
        queue_size: int,
        threads: int,
        retry_after_s: int = 1,
        processes: int = 0,
        lesion_head: Any = None,
    ) -> None:
        self.analyzer = skincore.Analyzer(
            threads=threads, processes=processes, lesion_head=lesion_head
        )
        self.workers = workers
        self.capacity = workers + queue_size
        self.threads = threads
        self.retry_after_s = retry_after_s
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="skincore-analysis")
        self._lock = threading.Lock()
        self._pending = 0

    # -- pool --------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Analyses running or waiting."""
        return self._pending

    @property
    def queued(self) -> int:
        """Analyses waiting for a worker."""
        return max(0, self._pending - self.workers)

    def submit(
        self, fn: Callable[..., T], *args: Any, force: bool = False, **kwargs: Any
    ) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` in the pool; raise :class:`Busy` when full.

        ``force`` skips the capacity check (tasks resumed at start-up).
        """
        with self._lock:
            if not force and self._pending >= self.capacity:
                raise Busy(self.retry_after_s)
            self._pending += 1
        try:
            fut = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        fut.add_done_callback(lambda _f: self._release())
        return fut

    def _release(self) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Await ``fn(*args, **kwargs)`` run in the pool (raises :class:`Busy` when full)."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def shutdown(self) -> None:
        """Stop taking work; running analyses finish (then the worker processes stop)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.analyzer.close()

    # -- engine calls (run these inside the pool) --------------------------------
    def decode_analyze(
        self,
        image: bytes,
        dialect: str,
        *,
        max_faces: int = 1,
        sides: dict[str, bytes] | None = None,
        **limit_overrides: Any,
    ) -> tuple[Analysis, Any]:
        """Decode and analyse an encoded photo with the dialect's vendor limits.

        ``sides`` (AILab Pro ``left_side_image`` / ``right_side_image`` by
        name) are judged and their jawlines measured. Returns
        the analysis and the decoded photo (for maps that need pixels).
        """
        limits = skincore.limits_for(dialect, **limit_overrides)
        loaded = skincore.load_image(image, limits)
        analysis = self.analyzer.analyze(
            loaded,
            max_faces=max_faces,
            limits=limits,
            left_side_image=(sides or {}).get("left_side_image"),
            right_side_image=(sides or {}).get("right_side_image"),
        )
        return analysis, loaded.rgb

    def analyze(
        self, image: bytes, dialect: str, *, max_faces: int = 1, **limit_overrides: Any
    ) -> Analysis:
        """Analyse an encoded photo with the dialect's vendor limits (plus overrides)."""
        return self.decode_analyze(image, dialect, max_faces=max_faces, **limit_overrides)[0]

    def analyze_render(
        self, image: bytes, dialect: str, *, max_faces: int = 1, **options: Any
    ) -> dict[str, Any]:
        """Analyse and render in ``dialect`` (raises :class:`skincore.SkinError`).

        ``face_quality_control=1`` (AILab Advanced) adds the head-pose limits of
        :data:`skincore.limits.QUALITY_CONTROL` to the dialect's preset.
        """
        sides: dict[str, bytes] = {
            k: options.pop(k) for k in ("left_side_image", "right_side_image") if k in options
        }
        overrides = dict(QUALITY_CONTROL) if options.pop("face_quality_control", 0) else {}
        analysis, rgb = self.decode_analyze(
            image, dialect, max_faces=max_faces, sides=sides, **overrides
        )
        if dialect == "ailab-pro" and "texture_enhanced_bw" in options.get("return_maps", ()):
            options["image"] = rgb
        if dialect == "face-field":
            if "face_field" not in options:
                from skincore.dialects.face_field import FACE_FIELDS

                options["face_field"] = ",".join(FACE_FIELDS)  # the route selects per request
            if "skinface" in str(options["face_field"]):
                options["image"] = rgb  # the skinface pictures are crops of the photo
        return analysis.to_dict(dialect, **options)

    @staticmethod
    def render(analysis: Analysis, dialect: str, **options: Any) -> dict[str, Any]:
        """Render a finished analysis."""
        return analysis.to_dict(dialect, **options)

    @staticmethod
    def render_error(err: SkinError, dialect: str, request_id: str | None = None) -> dict[str, Any]:
        """Render ``err`` as the dialect's error document."""
        return skincore.render_error(err, dialect, request_id=request_id)

    @staticmethod
    def youcam_files(
        analysis: Analysis, *, hd: bool, image: Any = None, overlay: bool = False
    ) -> dict[str, bytes]:
        """YouCam mask PNGs (or one blended image) by file name, plus ``score_info.json``."""
        from skincore.visuals.youcam import result_files

        return result_files(analysis, hd=hd, image=image, overlay=overlay)

    @staticmethod
    def youcam_zip(files: dict[str, bytes]) -> bytes:
        """Pack the YouCam result ZIP: everything under ``skinanalysisResult/``."""
        from skincore.visuals.youcam import result_zip

        return result_zip(files)
