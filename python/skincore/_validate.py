"""Checks of the public analysis arguments: bad values raise ``SkinError("invalid_argument")``.

Used by :func:`skincore.analyze` (and meant for every public entry point that takes
the same options), so a caller gets one exception type with a stable code and a
message naming the argument, never a ``TypeError`` from deep inside a kernel or an
ONNX Runtime error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skincore import _checks
from skincore.errors import SkinError
from skincore.limits import Limits

#: Largest ``threads`` accepted: far above any machine's core count, far below a
#: number that would make a thread pool allocate without bound.
MAX_THREADS = _checks.MAX_THREADS

#: Largest ``max_faces``: face_field's documented maximum.
MAX_FACES = 10

#: Provider aliases; full ONNX Runtime names (``*ExecutionProvider``) are also accepted.
PROVIDER_ALIASES = ("cpu", "cuda", "gpu")


def _is_int(value: Any) -> bool:
    return not isinstance(value, bool | np.bool_) and isinstance(value, int | np.integer)


def _int_in(value: Any, lo: int, hi: int, name: str, hint: str = "") -> int:
    """Return ``value`` as an int in ``lo..hi``; else ``invalid_argument`` naming it."""
    if not _is_int(value) or not lo <= int(value) <= hi:
        raise SkinError(
            "invalid_argument",
            f"{name} must be an int in {lo}..{hi}{hint}; got {value!r}",
            argument=name,
        )
    return int(value)


def check_int_in(value: Any, lo: int, hi: int, name: str) -> int:
    """Return ``value`` as an int in ``lo..hi``.

    Parameters
    ----------
    value : Any
        The argument as given.
    lo, hi : int
        Bounds, inclusive.
    name : str
        Argument name for the message.

    Returns
    -------
    int
        The value.

    Raises
    ------
    SkinError
        ``invalid_argument`` unless an int (not bool) in ``lo..hi``.
    """
    return _int_in(value, lo, hi, name)


def check_threads(value: Any, name: str = "threads") -> int:
    """Return ``value`` as an int in ``0..MAX_THREADS`` (0 = all cores).

    Parameters
    ----------
    value : Any
        The argument as given.
    name : str, optional
        Argument name for the message.

    Returns
    -------
    int
        The thread count.

    Raises
    ------
    SkinError
        ``invalid_argument`` for a bool, float, string, None, sequence, or an int
        outside ``0..MAX_THREADS``.
    """
    return _int_in(value, 0, MAX_THREADS, name, " (0 = all cores)")


def check_max_faces(value: Any, name: str = "max_faces") -> int:
    """Return ``value`` as an int in ``1..MAX_FACES``.

    Parameters
    ----------
    value : Any
        The argument as given.
    name : str, optional
        Argument name for the message.

    Returns
    -------
    int
        The face count.

    Raises
    ------
    SkinError
        ``invalid_argument`` unless an int (not bool) in ``1..MAX_FACES``.
    """
    return _int_in(value, 1, MAX_FACES, name)


def check_provider(value: Any, name: str = "provider") -> str | None:
    """Return a provider request: None (automatic), an alias or a full provider name.

    Parameters
    ----------
    value : Any
        ``None``, ``"cpu"``, ``"cuda"``, ``"gpu"`` (any case) or an ONNX Runtime
        provider name such as ``"CUDAExecutionProvider"``.
    name : str, optional
        Argument name for the message.

    Returns
    -------
    str or None
        The value, stripped; whether that provider is available is checked when
        sessions are created (``runtime_unavailable``).

    Raises
    ------
    SkinError
        ``invalid_argument`` for any other value.
    """
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip()
        if key.lower() in PROVIDER_ALIASES or (
            key.endswith("ExecutionProvider") and key.isidentifier()
        ):
            return key
    raise SkinError(
        "invalid_argument",
        f"{name} must be None, one of {PROVIDER_ALIASES} or an ONNX Runtime provider name "
        f"(e.g. 'CUDAExecutionProvider'); got {value!r}",
        argument=name,
    )


def check_limits(value: Any, name: str = "limits") -> Limits:
    """Return ``value`` as :class:`Limits` (None gives the defaults).

    Parameters
    ----------
    value : Any
        ``None`` or a :class:`skincore.Limits`.
    name : str, optional
        Argument name for the message.

    Returns
    -------
    Limits
        The limits to apply.

    Raises
    ------
    SkinError
        ``invalid_argument`` for anything else.
    """
    if value is None:
        return Limits()
    if isinstance(value, Limits):
        return value
    raise SkinError(
        "invalid_argument",
        f"{name} must be a skincore.Limits (see skincore.limits_for); got {type(value).__name__}",
        argument=name,
    )


def check_choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    """Return ``value`` if it is one of ``choices``.

    Parameters
    ----------
    value : Any
        The argument as given.
    choices : tuple of str
        Accepted values.
    name : str
        Argument name for the message.

    Returns
    -------
    str
        The value.

    Raises
    ------
    SkinError
        ``invalid_argument`` otherwise.
    """
    if isinstance(value, str) and value in choices:
        return value
    raise SkinError(
        "invalid_argument", f"{name} must be one of {choices}; got {value!r}", argument=name
    )
