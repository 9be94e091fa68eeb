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
too, :func:`_packed`). The shared memory blocks are the caller's
(:class:`Blocks`), kept for the next calls; a worker keeps them mapped
(:func:`_attached`) and reads a photo in place, read-only.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
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


#: Blocks a worker keeps mapped (:func:`_attached`), the least recently used
#: closed first. The caller lends each call's blocks from a few it keeps
#: (:class:`Blocks`), so a worker sees the same ones again: mapped once, their
#: pages are not faulted in anew each call.
ATTACHED_MAX = 8

#: The worker's mapped blocks by name, least recently used first.
_ATTACHED: OrderedDict[str, shared_memory.SharedMemory] = OrderedDict()


def _attached(name: str) -> shared_memory.SharedMemory:
    """Return the shared memory block ``name``, mapped once in this process."""
    shm = _ATTACHED.pop(name, None)
    if shm is None:
        shm = shared_memory.SharedMemory(name=name)
        while len(_ATTACHED) >= ATTACHED_MAX:
            _, old = _ATTACHED.popitem(last=False)
            with contextlib.suppress(BufferError):  # still viewed: unmapped when freed
                old.close()
    _ATTACHED[name] = shm
    return shm


def _view_of(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return a read-only array over the shared memory block ``name`` (no copy).

    The caller keeps the block for the call's duration, and an analysis holds no
    image, so nothing reads it after the call.
    """
    rgb = np.ndarray(shape, np.uint8, buffer=_view(_attached(name)))
    rgb.flags.writeable = False
    return rgb


def _received(item: tuple[str, Any]) -> Any:
    """Rebuild a shipped image in the worker (arrays as views of shared memory)."""
    kind, value = item
    if kind == "shm":
        return _view_of(*value)
    if kind == "loaded":
        (name, shape), rest = value
        return LoadedImage(_view_of(name, shape), *rest)
    return value


#: Blocks are created in multiples of this many bytes, so that one serves
#: photos of about the same size.
BLOCK_ROUNDING = 1 << 20


class Blocks:
    """Shared memory blocks the caller lends to its calls, kept for the next ones.

    A fresh block costs its page faults on both sides (a 1080p photo's 6.2 MB:
    2.5 ms to create and fill, 0.9 ms to map and copy in the worker); a kept one
    is only written. At most ``keep`` blocks and ``keep_bytes`` bytes are kept;
    the rest are removed when given back.

    Parameters
    ----------
    keep : int
        Most blocks kept.
    keep_bytes : int
        Most bytes kept.
    """

    def __init__(self, keep: int, keep_bytes: int) -> None:
        self._lock = threading.Lock()
        self._free: list[shared_memory.SharedMemory] = []
        self._keep = keep
        self._keep_bytes = keep_bytes
        self._closed = False

    def take(self, nbytes: int) -> shared_memory.SharedMemory:
        """Return a block of at least ``nbytes`` bytes: the smallest kept one, or a new one."""
        with self._lock:
            fits = [b for b in self._free if b.size >= nbytes]
            if fits:
                block = min(fits, key=lambda b: b.size)
                self._free.remove(block)
                return block
        size = -(-max(nbytes, 1) // BLOCK_ROUNDING) * BLOCK_ROUNDING
        return shared_memory.SharedMemory(create=True, size=size)

    def give(self, block: shared_memory.SharedMemory) -> None:
        """Take back a block :meth:`take` lent (kept, or removed past the limits)."""
        drop = [block]
        with self._lock:
            if not self._closed:
                self._free.append(block)
                drop = []
                while len(self._free) > self._keep or (
                    sum(b.size for b in self._free) > self._keep_bytes
                ):
                    drop.append(self._free.pop(0))  # the longest kept
        for b in drop:
            _remove(b)

    def close(self) -> None:
        """Remove every kept block; blocks given back later are removed too."""
        with self._lock:
            free, self._free, self._closed = self._free, [], True
        for b in free:
            _remove(b)


class Lease:
    """The blocks one call takes from :class:`Blocks`, given back together at its end.

    Parameters
    ----------
    blocks : Blocks
        Where the blocks come from.
    """

    def __init__(self, blocks: Blocks) -> None:
        self._blocks = blocks
        self._taken: list[shared_memory.SharedMemory] = []

    def take(self, nbytes: int) -> shared_memory.SharedMemory:
        """Return a block of at least ``nbytes`` bytes for this call (:meth:`Blocks.take`)."""
        block = self._blocks.take(nbytes)
        self._taken.append(block)
        return block

    def end(self, *, reuse: bool) -> None:
        """Give the blocks back: kept for later calls when ``reuse``, else removed.

        A call whose wait was interrupted while its worker still reads or writes
        them must not lend them to another: they are removed (the worker's
        mapping stays valid until it closes it).
        """
        taken, self._taken = self._taken, []
        for block in taken:
            if reuse:
                self._blocks.give(block)
            else:
                _remove(block)


def _remove(block: shared_memory.SharedMemory) -> None:
    """Unmap and remove a block this process created."""
    with contextlib.suppress(BufferError):
        block.close()
    with contextlib.suppress(FileNotFoundError):
        block.unlink()


def _in_shm(rgb: np.ndarray, lease: Lease) -> tuple[str, tuple[int, ...]]:
    """Return (name, shape) of a shared memory copy of ``rgb`` in a block of ``lease``."""
    block = lease.take(rgb.nbytes)
    np.ndarray(rgb.shape, np.uint8, buffer=_view(block))[:] = rgb
    return block.name, tuple(rgb.shape)


#: Most bytes of shared memory the caller keeps for later calls (:class:`Blocks`):
#: a 12 MP photo's block is 36 MB, a 1080p call's two about 11 MB.
KEEP_BYTES = 256 << 20

#: Results whose arrays hold at least this many bytes come back through shared
#: memory (see :func:`_packed`); smaller ones through the pool's pipe.
SHM_RESULT_BYTES = 1 << 20


def _view(shm: shared_memory.SharedMemory) -> memoryview:
    """Return the bytes of an open shared memory block."""
    buf = shm.buf
    assert buf is not None, "the block is closed"
    return buf


def _packed(result: Any, lent: tuple[str, int] | None = None) -> tuple[Any, ...]:
    """Return the worker's result for the pipe, its arrays in shared memory when large.

    A 1080p analysis pickles to 4.2 MB, nearly all of it masks; through the
    pool's pipe that took about 10 ms a call. Pickled with protocol 5, the arrays
    are handed over as buffers instead: they are copied into shared memory (the
    caller copies them out) and the pipe carries the rest, a few tens of
    kilobytes. Into the block the caller lent for it (``lent``: its name and
    size) when they fit: ``("lent", pickle, buffer sizes)``; else into a new
    block the caller removes: ``("shm", pickle, block name, buffer sizes)``;
    ``("pipe", result)`` when its arrays are small.
    """
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    sizes = [r.nbytes for r in raws]
    total = sum(sizes)
    if total < SHM_RESULT_BYTES:
        return ("pipe", result)
    if lent is not None and total <= lent[1]:
        _fill(_view(_attached(lent[0])), raws)
        return ("lent", data, sizes)
    shm = shared_memory.SharedMemory(create=True, size=total)
    try:
        _fill(_view(shm), raws)
    except BaseException:
        _remove(shm)
        raise
    shm.close()  # the caller unlinks it
    return ("shm", data, shm.name, sizes)


def _fill(block: memoryview, raws: list[memoryview]) -> None:
    """Copy ``raws`` one after another into ``block``."""
    at = 0
    for r in raws:
        block[at : at + r.nbytes] = r
        at += r.nbytes


def _unpacked(packed: tuple[Any, ...], lent: shared_memory.SharedMemory | None = None) -> Any:
    """Return the result :func:`_packed` sent (and remove a block the worker created).

    ``lent`` is the block lent for it (read, kept by the caller).
    """
    if packed[0] == "pipe":
        return packed[1]
    if packed[0] == "lent":
        assert lent is not None, "a result in a block that was not lent"
        _, data, sizes = packed
        return _loaded(data, _view(lent), sizes)
    _, data, name, sizes = packed
    shm = shared_memory.SharedMemory(name=name)
    try:
        return _loaded(data, _view(shm), sizes)
    finally:
        _remove(shm)


def _loaded(data: bytes, block: memoryview, sizes: list[int]) -> Any:
    """Unpickle ``data`` with its buffers copied out of ``block`` (owned, writable)."""
    buffers, at = [], 0
    for n in sizes:
        buffers.append(bytearray(block[at : at + n]))
        at += n
    return pickle.loads(data, buffers=buffers)


def _analyze(
    image: tuple[str, Any],
    sides: dict[str, Any],
    kwargs: dict[str, Any],
    lent: tuple[str, int] | None = None,
) -> tuple[Any, ...]:
    """Worker side of one call: the packed :class:`Analysis` (:func:`_packed`)."""
    assert _WORKER is not None, "worker started without its analyser"
    rebuilt = {k: None if v is None else _received(v) for k, v in sides.items()}
    return _packed(_WORKER.analyze(_received(image), **rebuilt, **kwargs), lent)


def _shipped(image: Any, limits: Limits, lease: Lease) -> tuple[str, Any]:
    """Return the picklable form of one image (module docstring); arrays in ``lease``."""
    if isinstance(image, str | os.PathLike):
        return ("value", os.path.abspath(os.fspath(image)))
    if isinstance(image, bytes | bytearray | memoryview):
        return ("value", bytes(image))
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3:
        if image.shape[2] != 3 or image.size == 0:
            return _shipped(load_image(image, limits), limits, lease)  # or its error
        return ("shm", _in_shm(image, lease))
    if isinstance(image, LoadedImage):  # decoded by the caller (the service does)
        rest = (image.format, image.source_mode, image.exif_orientation, image.file_bytes)
        return ("loaded", (_in_shm(image.rgb, lease), rest))
    if callable(getattr(image, "read", None)):
        return ("value", _read_stream(image, limits))
    # a PIL image, another array: decoded here (or refused with its error)
    return _shipped(load_image(image, limits), limits, lease)


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
        # two blocks a call in flight (its photo, its result), a few to spare
        self._blocks = Blocks(keep=2 * n + 2, keep_bytes=KEEP_BYTES)
        # an analyser never closed removes its kept blocks when collected or at exit
        weakref.finalize(self, self._blocks.close)
        # the size of a result block to lend: the largest result seen
        self._result_bytes = SHM_RESULT_BYTES
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
        lease = Lease(self._blocks)
        future = None
        try:
            item = _shipped(image, limits, lease)
            shipped = {
                k: None if v is None else _shipped(v, limits, lease) for k, v in sides.items()
            }
            out = lease.take(self._result_bytes)
            future = pool.submit(_analyze, item, shipped, kwargs, (out.name, out.size))
            try:
                packed = future.result()
            except BrokenProcessPool as exc:
                raise SkinError(
                    "internal_error",
                    f"an analysis worker process died ({exc}); the Analyzer must be recreated",
                ) from None
            if packed[0] == "shm":  # larger than lent: lend that much next time
                self._result_bytes = max(self._result_bytes, sum(packed[3]))
            return _unpacked(packed, out)
        finally:
            # a worker may still use the blocks of a call whose wait was interrupted
            lease.end(reuse=future is None or future.done())

    def close(self) -> None:
        """Stop the workers (waiting for the calls in flight)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self._blocks.close()
