"""Worker processes behind an :class:`~skincore.Analyzer` (``AnalyzerOptions.processes``).

The kernels and the ONNX models run without the GIL, but the Python between them
holds it: two threads calling one in-process analyser overlap only that far
(1.23-1.47x one caller on 2 cores). With ``processes=N`` the analyser hands each
call to one of ``N`` spawned worker processes, each holding its own analyser
with ``threads // N`` threads, and the calling thread waits without the GIL:
concurrent callers then run side by side (``benchmarks/bench_processes.py``).

What crosses to a worker is what it needs to decode the photo as the caller
would have: a path (made absolute), the encoded bytes (a stream is read here,
bounded as :func:`skincore.load_image` reads it), an RGB ``uint8`` array through
shared memory (no copy through a pipe), an image the caller decoded
(:class:`~skincore.io.LoadedImage`) likewise, and anything else decoded here
first. What comes back is the
:class:`~skincore.Analysis` or the :class:`~skincore.SkinError` the worker
raised: both pickle, so a caller sees the same result and the same error
codes as in-process (a large result's arrays come back through shared memory
too, :func:`_packed`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import fields
from multiprocessing import shared_memory
from typing import TYPE_CHECKING, Any

import numpy as np

from skincore.errors import SkinError
from skincore.io import LoadedImage, _read_stream, load_image
from skincore.limits import Limits

if TYPE_CHECKING:
    from skincore.analysis import Analysis

#: The worker process's own analyser (set by :func:`_start`).
_WORKER: Any = None


def unavailable() -> str | None:
    """Why this platform cannot run worker processes, or None when it can.

    Their queues need POSIX semaphores, which some containers lack (no
    ``/dev/shm``).
    """
    try:
        multiprocessing.get_context("spawn").Lock()
    except OSError as exc:
        return str(exc)
    return None


def worker_threads(threads: int, processes: int) -> int:
    """Kernel and ONNX threads of each of ``processes`` workers sharing ``threads``.

    ``threads`` 0 means every core; each worker gets at least one.
    """
    total = threads or os.cpu_count() or 1
    return max(1, total // processes)


def _option_fields(options: Any, threads: int) -> dict[str, Any]:
    """Return the options as plain, picklable fields for an in-process worker."""
    out = {f.name: getattr(options, f.name) for f in fields(options)}
    out["params"] = dict(options.params)  # a read-only mapping proxy does not pickle
    out["processes"] = 0
    out["threads"] = threads
    return out


def _exit_with_parent() -> None:
    """Exit this worker when the process that started it ends.

    A pool's workers outlive a parent killed with SIGKILL (a service stopped with
    ``kill -9``), each holding its models; a daemon thread waits on the parent's
    sentinel and ends the worker then.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="skincore-parent-watch", daemon=True).start()


def _start(build: Callable[[dict[str, Any]], Any], option_fields: dict[str, Any]) -> None:
    """Worker initializer: build the worker's analyser once (``build(option_fields)``)."""
    global _WORKER
    _exit_with_parent()
    _WORKER = build(option_fields)


def _from_shm(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return a copy of the array in the shared memory block ``name``."""
    shm = shared_memory.SharedMemory(name=name)
    try:
        return np.ndarray(shape, np.uint8, buffer=shm.buf).copy()
    finally:
        shm.close()


def _received(item: tuple[str, Any]) -> Any:
    """Rebuild a shipped image in the worker (arrays copied out of shared memory)."""
    kind, value = item
    if kind == "shm":
        return _from_shm(*value)
    if kind == "loaded":
        (name, shape), rest = value
        return LoadedImage(_from_shm(name, shape), *rest)
    return value


@contextlib.contextmanager
def _in_shm(rgb: np.ndarray) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Yield (name, shape) of a shared memory copy of ``rgb`` for the call's duration."""
    shm = shared_memory.SharedMemory(create=True, size=rgb.nbytes)
    try:
        np.ndarray(rgb.shape, np.uint8, buffer=shm.buf)[:] = rgb
        yield shm.name, tuple(rgb.shape)
    finally:
        shm.close()
        shm.unlink()


#: Results whose arrays hold at least this many bytes come back through shared
#: memory (see :func:`_packed`); smaller ones through the pool's pipe.
SHM_RESULT_BYTES = 1 << 20


def _view(shm: shared_memory.SharedMemory) -> memoryview:
    """Return the bytes of an open shared memory block."""
    buf = shm.buf
    assert buf is not None, "the block is closed"
    return buf


def _packed(result: Any) -> tuple[Any, ...]:
    """Return the worker's result for the pipe, its arrays in shared memory when large.

    A 1080p analysis pickles to 4.2 MB, nearly all of it masks; through the
    pool's pipe that took about 10 ms a call. Pickled with protocol 5, the arrays
    are handed over as buffers instead: they are copied into one shared memory
    block (the caller copies them out and removes it) and the pipe carries the
    rest, a few tens of kilobytes: ``("shm", pickle, block name, buffer sizes)``;
    ``("pipe", result)`` when its arrays are small.
    """
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    sizes = [r.nbytes for r in raws]
    if sum(sizes) < SHM_RESULT_BYTES:
        return ("pipe", result)
    shm = shared_memory.SharedMemory(create=True, size=sum(sizes))
    try:
        block = _view(shm)
        at = 0
        for r, n in zip(raws, sizes, strict=True):
            block[at : at + n] = r
            at += n
    except BaseException:
        shm.close()
        shm.unlink()
        raise
    shm.close()  # the caller unlinks it
    return ("shm", data, shm.name, sizes)


def _unpacked(packed: tuple[Any, ...]) -> Any:
    """Return the result :func:`_packed` sent (and remove its shared memory block)."""
    if packed[0] == "pipe":
        return packed[1]
    _, data, name, sizes = packed
    shm = shared_memory.SharedMemory(name=name)
    try:
        block = _view(shm)
        buffers, at = [], 0
        for n in sizes:
            buffers.append(bytearray(block[at : at + n]))  # owned, writable copies
            at += n
        return pickle.loads(data, buffers=buffers)
    finally:
        shm.close()
        shm.unlink()


def _analyze(
    image: tuple[str, Any], sides: dict[str, Any], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Worker side of one call: the packed :class:`Analysis` (:func:`_packed`)."""
    assert _WORKER is not None, "worker started without its analyser"
    rebuilt = {k: None if v is None else _received(v) for k, v in sides.items()}
    return _packed(_WORKER.analyze(_received(image), **rebuilt, **kwargs))


@contextlib.contextmanager
def _shipped(image: Any, limits: Limits) -> Iterator[tuple[str, Any]]:
    """Yield the picklable form of one image for the call's duration (module docstring)."""
    if isinstance(image, str | os.PathLike):
        yield ("value", os.path.abspath(os.fspath(image)))
    elif isinstance(image, bytes | bytearray | memoryview):
        yield ("value", bytes(image))
    elif isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3:
        if image.shape[2] != 3 or image.size == 0:
            with _shipped(load_image(image, limits), limits) as item:  # or its error
                yield item
            return
        with _in_shm(image) as block:
            yield ("shm", block)
    elif isinstance(image, LoadedImage):  # decoded by the caller (the service does)
        rest = (image.format, image.source_mode, image.exif_orientation, image.file_bytes)
        with _in_shm(image.rgb) as block:
            yield ("loaded", (block, rest))
    elif callable(getattr(image, "read", None)):
        yield ("value", _read_stream(image, limits))
    else:  # a PIL image, another array: decoded here (or refused with its error)
        with _shipped(load_image(image, limits), limits) as item:
            yield item


class ProcessPool:
    """Spawned worker processes, each with its own analyser.

    Parameters
    ----------
    options : AnalyzerOptions
        The analyser's options; each worker runs them in-process with
        :func:`worker_threads` threads.
    build : callable
        ``build(fields)`` returns a worker's in-process analyser from the options'
        fields (a module-level function: it is pickled by reference, and this
        module does not import the analyser's).

    Raises
    ------
    SkinError
        ``runtime_unavailable`` where the platform has no process pools (no
        POSIX semaphores in some containers).
    """

    def __init__(self, options: Any, build: Callable[[dict[str, Any]], Any]) -> None:
        n = options.processes
        why = unavailable()
        if why is not None:
            raise SkinError("runtime_unavailable", f"processes={n}: no process pools here ({why})")
        ctx = multiprocessing.get_context("spawn")
        self.threads = worker_threads(options.threads, n)
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            n,
            mp_context=ctx,
            initializer=_start,
            initargs=(build, _option_fields(options, self.threads)),
        )

    def analyze(
        self, image: Any, limits: Limits, sides: dict[str, Any], kwargs: dict[str, Any]
    ) -> Analysis:
        """Run one :meth:`Analyzer.analyze` call in a worker and return its result."""
        pool = self._pool
        if pool is None:
            raise SkinError("invalid_argument", "the Analyzer is closed")
        with contextlib.ExitStack() as stack:
            item = stack.enter_context(_shipped(image, limits))
            shipped = {
                k: None if v is None else stack.enter_context(_shipped(v, limits))
                for k, v in sides.items()
            }
            try:
                packed = pool.submit(_analyze, item, shipped, kwargs).result()
            except BrokenProcessPool as exc:
                raise SkinError(
                    "internal_error",
                    f"an analysis worker process died ({exc}); the Analyzer must be recreated",
                ) from None
        return _unpacked(packed)

    def close(self) -> None:
        """Stop the workers (waiting for the calls in flight)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
