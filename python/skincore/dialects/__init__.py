"""Vendor result formats ("dialects"): pure functions of an :class:`Analysis`.

A dialect renders; it never measures. Each module lists the vendor fields that are
not measured yet (``NOT_IMPLEMENTED*``); those fields are absent from its output.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from skincore.analysis import Analysis
from skincore.dialects import ailab, face_field, native, youcam
from skincore.errors import SkinError, as_skin_error

#: Every dialect name accepted by :meth:`Analysis.to_dict` and the CLI.
DIALECTS: tuple[str, ...] = (
    "skincore",
    "ailab-pro",
    "ailab-advanced",
    "face-field",
    "youcam-sd",
    "youcam-hd",
)


def _check(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise SkinError("invalid_argument", f"unknown dialect {dialect!r}; one of {DIALECTS}")


def render(analysis: Analysis, dialect: str, **options: Any) -> dict[str, Any]:
    """Render ``analysis`` in ``dialect``.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    dialect : str
        One of :data:`DIALECTS`.
    **options
        ``ailab-pro``: ``return_maps``, ``return_marks``, ``roi_outline_color``
        (as the Pro request parameters); ``youcam-sd``/``youcam-hd``:
        ``mask_base_url``. Options another dialect does not know raise.

    Returns
    -------
    dict
        JSON-serialisable result in the vendor's format.
    """
    _check(dialect)
    known = {
        "ailab-pro": {"return_maps", "return_marks", "roi_outline_color"},
        "youcam-sd": {"mask_base_url"},
        "youcam-hd": {"mask_base_url"},
    }.get(dialect, set())
    unknown = set(options) - known
    if unknown:
        raise SkinError("invalid_argument", f"{dialect} takes no option {sorted(unknown)}")
    if dialect == "skincore":
        return native.render(analysis)
    if dialect == "ailab-pro":
        return ailab.render_pro(analysis, **options)
    if dialect == "ailab-advanced":
        return ailab.render_advanced(analysis)
    if dialect == "face-field":
        return face_field.render(analysis)
    return youcam.render(analysis, hd=dialect == "youcam-hd", **options)


def render_error(
    err: BaseException, dialect: str, *, request_id: str | None = None
) -> dict[str, Any]:
    """Render a failure in ``dialect``'s error format.

    Parameters
    ----------
    err : BaseException
        The failure: a :class:`SkinError`, or any other exception, which is
        rendered as ``internal_error`` (its type and message in the detail).
    dialect : str
        One of :data:`DIALECTS`.
    request_id : str, optional
        Request id to report; a new one is made when omitted.

    Returns
    -------
    dict
        JSON-serialisable error response.
    """
    _check(dialect)
    err = as_skin_error(err)
    rid = request_id if isinstance(request_id, str) and request_id else uuid.uuid4().hex
    if dialect in ("ailab-pro", "ailab-advanced"):
        return ailab.render_error(err, rid)
    if dialect == "face-field":
        return face_field.render_error(err, rid, int(time.time()))
    if dialect in ("youcam-sd", "youcam-hd"):
        return youcam.render_error(err)
    return native.render_error(err)
