"""ONNX Runtime sessions for the packaged models.

onnxruntime is an optional dependency chosen by extra: ``skincore[cpu]`` installs
``onnxruntime``, ``skincore[gpu]`` installs ``onnxruntime-gpu``. Both distributions
provide the same ``onnxruntime`` module, so having both installed is an error waiting to
happen (whichever was installed last wins, file by file); :func:`installed_distributions`
detects it and a ``RuntimeWarning`` is issued once.

The execution provider is chosen at run time:

1. ``provider=`` argument of :func:`get_session`, else the ``SKINCORE_PROVIDER``
   environment variable (``cpu``, ``cuda`` or a full ONNX Runtime provider name such as
   ``CUDAExecutionProvider``) forces one; it is an error if that provider is not
   available or the session cannot be created with it.
2. Otherwise ``CUDAExecutionProvider`` when onnxruntime lists it *and* a session
   really runs on it (a CUDA wheel without the CUDA libraries silently falls back to
   CPU, which is detected), else ``CPUExecutionProvider``.

Sessions are cached per (model path, provider, threads).

Sessions are created, and models run, with subnormal floats flushed to zero
(:func:`flushed_denormals`, :func:`run_session`): the age network holds 6,667
subnormal weights (two convolutions), which x86 CPUs multiply in microcode; ONNX
Runtime repacks the weights when it creates a session, and created with
flush-to-zero on, the repacked weights are zero and a run takes 3 ms instead of
16 (one thread). Its outputs were identical either way; flushing at run time
covers activations that decay to subnormals.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from skincore import _core
from skincore.threads import ThreadShare

ORT_MISSING_MESSAGE = (
    "onnxruntime is not installed. Install skincore with exactly one runtime extra: "
    "`pip install skincore[cpu]` (CPU) or `pip install skincore[gpu]` (NVIDIA CUDA)."
)
"""Message of the error raised when the ``onnxruntime`` module cannot be imported."""

PROVIDER_ENV = "SKINCORE_PROVIDER"
"""Environment variable that forces an execution provider (``cpu``, ``cuda``, or a name)."""

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
_ALIASES = {"cpu": CPU, "cuda": CUDA, "gpu": CUDA}

# Distributions that all install the ``onnxruntime`` module.
ORT_DISTRIBUTIONS = (
    "onnxruntime",
    "onnxruntime-gpu",
    "onnxruntime-directml",
    "onnxruntime-openvino",
    "onnxruntime-qnn",
    "onnxruntime-silicon",
)

TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY"
"""Environment variable that keeps onnxruntime from writing telemetry (set to 1 by skincore)."""

_lock = threading.RLock()
_sessions: dict[tuple[str, str, int], Any] = {}
_auto_provider: str | None = None
_warned_conflict = False
_telemetry_off = False


def installed_distributions() -> list[str]:
    """Return the installed distributions that provide the ``onnxruntime`` module.

    Returns
    -------
    list of str
        Distribution names, e.g. ``["onnxruntime"]``. More than one means a broken
        install: the CPU and GPU wheels overwrite each other's files.
    """
    found = []
    for name in ORT_DISTRIBUTIONS:
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found.append(name)
    return found


def _check_conflict() -> None:
    global _warned_conflict
    if _warned_conflict:
        return
    _warned_conflict = True
    found = installed_distributions()
    if len(found) > 1:
        warnings.warn(
            f"several onnxruntime distributions are installed ({', '.join(found)}); they "
            "install the same `onnxruntime` module and overwrite each other. Uninstall all "
            "of them and install one: `pip install skincore[cpu]` or `skincore[gpu]`.",
            RuntimeWarning,
            stacklevel=3,
        )


def _disable_telemetry(module: ModuleType) -> None:
    """Turn onnxruntime's telemetry events off (once; also if it was imported before us)."""
    global _telemetry_off
    if _telemetry_off or os.environ.get(TELEMETRY_ENV) == "0":
        return
    _telemetry_off = True
    off = getattr(module, "disable_telemetry_events", None)
    if off is not None:
        off()


def ort() -> ModuleType:
    """Import and return the ``onnxruntime`` module.

    Returns
    -------
    module
        ``onnxruntime``.

    Raises
    ------
    RuntimeError
        With :data:`ORT_MISSING_MESSAGE` if onnxruntime is not importable.
    """
    # onnxruntime's telemetry (1DS) writes a device id and an event database under
    # ~/.cache/Microsoft/DeveloperTools/.onnxruntime as soon as it is imported, unless
    # this variable is set first; a caller's own setting is kept.
    os.environ.setdefault(TELEMETRY_ENV, "1")
    try:
        import onnxruntime
    except ImportError as exc:
        raise RuntimeError(ORT_MISSING_MESSAGE) from exc
    _check_conflict()
    _disable_telemetry(onnxruntime)
    return onnxruntime


def onnxruntime_version() -> str:
    """Return the version of the imported onnxruntime (for the analysis metadata).

    Returns
    -------
    str
        ``onnxruntime.__version__``.
    """
    return str(ort().__version__)


def normalize_provider(name: str) -> str:
    """Map ``cpu``/``cuda``/``gpu`` (any case) or a full provider name to the full name.

    Parameters
    ----------
    name : str
        Alias or ONNX Runtime provider name.

    Returns
    -------
    str
        The ONNX Runtime provider name, e.g. ``"CPUExecutionProvider"``.
    """
    key = name.strip()
    return _ALIASES.get(key.lower(), key)


def _session_options(threads: int, memory_arena: bool = True) -> Any:
    rt = ort()
    so = rt.SessionOptions()
    so.enable_cpu_mem_arena = bool(memory_arena)
    so.intra_op_num_threads = int(threads)
    so.inter_op_num_threads = 1
    so.execution_mode = rt.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = rt.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    # The intra-op workers flush subnormals to zero as run_session makes the
    # calling thread do (ONNX Runtime sets it on its own threads only).
    so.add_session_config_entry("session.set_denormal_as_zero", "1")
    # The intra-op workers busy-wait between the operators of a run and stop as the
    # run returns. Without busy-waiting each operator wakes them from sleep: on 2
    # cores the mesh model took 6.6-6.8 ms with two threads, more than its 4.6 with
    # one; spinning within the run, 3.4-3.7 (segmentation 7.1 -> 5.0, age 1.6 -> 1.3,
    # detector 0.95 -> 0.67; ``python benchmarks/bench_runtime.py``). ONNX Runtime's
    # default also spins after a run (30 ms of CPU in the next 200 ms), taking
    # cores from the C++ kernels that run next and from a service's other calls.
    so.add_session_config_entry("session.intra_op.allow_spinning", "1")
    so.add_session_config_entry("session.force_spinning_stop", "1")
    return so


@contextlib.contextmanager
def flushed_denormals() -> Iterator[None]:
    """Flush subnormal floats to zero on the calling thread within the block.

    The thread's floating-point control word is put back on leaving, also on an
    error. Only the calling thread is affected (each thread has its own word).
    """
    word = _core.flush_denormals()
    try:
        yield
    finally:
        _core.restore_float_control(word)


def run_session(
    session: Any, output_names: Sequence[str] | None, feed: Mapping[str, Any]
) -> list[Any]:
    """``session.run(output_names, feed)`` with subnormals flushed to zero.

    Parameters
    ----------
    session : onnxruntime.InferenceSession or SharedSession
        The session to run.
    output_names : sequence of str or None
        Outputs to return (None: all).
    feed : mapping of str to numpy.ndarray
        Inputs by name.

    Returns
    -------
    list of numpy.ndarray
        The outputs, in the order asked for.
    """
    with flushed_denormals():
        return list(session.run(output_names, dict(feed)))


def _create(model: Path, provider: str, threads: int, memory_arena: bool = True) -> Any:
    rt = ort()
    providers = [provider] if provider == CPU else [provider, CPU]
    # Created with flush-to-zero on, the weights ONNX Runtime repacks lose their
    # subnormals (the age network's made every run 5x slower). ONNX Runtime also
    # sets flush-to-zero for good on the thread creating the first session with
    # set_denormal_as_zero: the caller's thread is put back as it was.
    word = _core.flush_denormals()
    try:
        sess = rt.InferenceSession(
            str(model), sess_options=_session_options(threads, memory_arena), providers=providers
        )
    finally:
        _core.restore_float_control(word)
    if sess.get_providers()[0] != provider:
        raise RuntimeError(f"onnxruntime could not create a session on {provider}")
    return sess


def create_session(
    model: str | Path, *, provider: str | None = None, threads: int = 0, memory_arena: bool = True
) -> Any:
    """Create a new (uncached) ``onnxruntime.InferenceSession`` owned by the caller.

    Parameters
    ----------
    model : str or Path
        Path of the ``.onnx`` file.
    provider : str, optional
        As for :func:`get_session`.
    threads : int, default 0
        Intra-op threads (0 = ONNX Runtime's default).
    memory_arena : bool, default True
        Keep ONNX Runtime's CPU memory arena (activation buffers kept between
        runs). Without it a session holds less memory between runs, at about the
        same speed for skincore's models.

    Returns
    -------
    onnxruntime.InferenceSession
        A session used only by its creator (an :class:`skincore.Analyzer`).
    """
    path = Path(model).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    return _create(path, active_provider(provider), int(threads), memory_arena)


class SharedSession:
    """A packaged model's sessions for one analyser: wide alone, narrow when shared.

    ONNX Runtime fixes a session's intra-op threads when it is created. An
    analyser's session gets its whole thread budget, which a call alone uses; when
    the calls in flight leave each one thread (see
    :class:`skincore.threads.ThreadShare`), a run instead goes to a one-thread
    session of the same model, created on the first such run, so concurrent runs
    do not all wait for the same intra-op workers. The one-thread session runs
    without ONNX Runtime's memory arena, so it holds little memory between runs.
    Both sessions give the same outputs. Each is created on its first run (the
    wide one at once with ``eager``): a model that only ever runs while the budget
    is divided (the segmentation, on the analyser's side worker) never holds a
    wide session. Other attributes (``get_inputs()``, ...) are those of a session
    already created, the wide one by preference, else of :meth:`session`'s.

    Parameters
    ----------
    model : str or Path
        Path of the ``.onnx`` file.
    provider : str, optional
        As for :func:`get_session`; on a GPU provider there is one session.
    threads : int
        Intra-op threads of the wide session (0 = ONNX Runtime's default).
    share : ThreadShare
        The analyser's share of threads among its calls in flight.
    eager : bool, default True
        Create the wide session now (errors surface here), else on its first run.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        provider: str | None,
        threads: int,
        share: ThreadShare,
        eager: bool = True,
    ) -> None:
        path = Path(model).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"model file not found: {path}")
        self._model = model
        self._provider = provider
        self._threads = int(threads)
        self._share = share
        self._single = self._threads == 1 or active_provider(provider) != CPU
        self._wide: Any = None
        self._narrow: Any = None
        self._lock = threading.Lock()
        if eager:
            _ = self.wide

    @property
    def wide(self) -> Any:
        """The session with the whole thread budget (created on first use)."""
        if self._wide is None:
            with self._lock:
                if self._wide is None:
                    self._wide = create_session(
                        self._model, provider=self._provider, threads=self._threads
                    )
        return self._wide

    def session(self) -> Any:
        """Return the session a run starting now should use."""
        share = self._share
        if self._single or share.in_flight <= 1 or share.threads() > 1:
            return self.wide
        if self._narrow is None:
            with self._lock:
                if self._narrow is None:
                    self._narrow = create_session(
                        self._model, provider=self._provider, threads=1, memory_arena=False
                    )
        return self._narrow

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        """``InferenceSession.run`` on :meth:`session`."""
        return self.session().run(output_names, input_feed, run_options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not a session attribute (and no recursion)
            raise AttributeError(name)
        made = self._wide if self._wide is not None else self._narrow
        return getattr(made if made is not None else self.session(), name)


def _probe_model() -> Path:
    from skincore.models import FACE_DETECTOR

    return FACE_DETECTOR


def _requested(provider: str | None) -> str | None:
    if provider is None:
        provider = os.environ.get(PROVIDER_ENV) or None
    return normalize_provider(provider) if provider else None


def active_provider(provider: str | None = None) -> str:
    """Return the execution provider sessions run on.

    Parameters
    ----------
    provider : str, optional
        Forced provider (alias or full name); default: ``SKINCORE_PROVIDER`` or automatic.

    Returns
    -------
    str
        E.g. ``"CPUExecutionProvider"`` or ``"CUDAExecutionProvider"``.

    Raises
    ------
    RuntimeError
        If onnxruntime is missing, or a forced provider is not available.
    """
    global _auto_provider
    rt = ort()
    forced = _requested(provider)
    available = rt.get_available_providers()
    if forced is not None:
        if forced not in available:
            raise RuntimeError(
                f"execution provider {forced!r} requested (argument or ${PROVIDER_ENV}) is "
                f"not available; onnxruntime {rt.__version__} offers {available}"
            )
        return forced
    with _lock:
        if _auto_provider is None:
            choice = CPU
            if CUDA in available:
                try:
                    _sessions[(str(_probe_model()), CUDA, 0)] = _create(_probe_model(), CUDA, 0)
                    choice = CUDA
                except Exception:  # noqa: BLE001 - any failure means: use the CPU
                    choice = CPU
            _auto_provider = choice
        return _auto_provider


def get_session(model: str | Path, *, provider: str | None = None, threads: int = 0) -> Any:
    """Return a cached ``onnxruntime.InferenceSession`` for a model file.

    Parameters
    ----------
    model : str or Path
        Path of the ``.onnx`` file (e.g. :data:`skincore.models.FACE_DETECTOR`).
    provider : str, optional
        Force an execution provider (``"cpu"``, ``"cuda"`` or a full name); default:
        ``SKINCORE_PROVIDER`` if set, else CUDA when it works, else CPU.
    threads : int, default 0
        Intra-op threads; 0 lets ONNX Runtime choose (one per physical core).

    Returns
    -------
    onnxruntime.InferenceSession
        A session, shared by all callers asking for the same (model, provider, threads).

    Raises
    ------
    RuntimeError
        If onnxruntime is missing or the provider cannot be used.
    ValueError
        If ``threads`` is negative.
    FileNotFoundError
        If the model file does not exist.
    """
    if int(threads) < 0:
        raise ValueError(f"threads must be >= 0, got {threads}")
    path = Path(model).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    prov = active_provider(provider)
    key = (str(path), prov, int(threads))
    with _lock:
        sess = _sessions.get(key)
        if sess is None:
            sess = _create(path, prov, int(threads))
            _sessions[key] = sess
        return sess


def runtime_info(provider: str | None = None) -> dict[str, str]:
    """Return ``{"onnxruntime": version, "provider": name}`` for the analysis metadata.

    Parameters
    ----------
    provider : str, optional
        As for :func:`active_provider`.

    Returns
    -------
    dict
        Version and provider strings.
    """
    return {"onnxruntime": onnxruntime_version(), "provider": active_provider(provider)}


def clear_cache() -> None:
    """Drop cached sessions and the automatic provider choice (tests, provider changes)."""
    global _auto_provider
    with _lock:
        _sessions.clear()
        _auto_provider = None
