"""Vendor result formats ("dialects"): pure functions of an :class:`Analysis`.

A dialect renames and reshapes; it never measures or draws. Request options are
validated and pictures drawn by :func:`skincore.render.render` before a dialect
runs. Each dialect's documented fields and the concern that fills them are in
:mod:`skincore.dialects.fields`; the fields not produced are derived from it.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

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


def check_dialect(dialect: object) -> str:
    """Return ``dialect`` if known, else raise ``SkinError("invalid_argument")``."""
    if not isinstance(dialect, str) or dialect not in DIALECTS:
        raise SkinError("invalid_argument", f"unknown dialect {dialect!r}; one of {DIALECTS}")
    return dialect


def render_error(
    err: BaseException, dialect: str, *, request_id: str | None = None
) -> dict[str, Any]:
    """Render a failure in ``dialect``'s error format.

    Parameters
    ----------
    err : BaseException
        The failure; anything that is not a :class:`SkinError` is reported as
        ``internal_error``.
    dialect : str
        One of :data:`DIALECTS`.
    request_id : str, optional
        Request id to report; a new one is made when omitted.

    Returns
    -------
    dict
        JSON-serialisable error response.
    """
    check_dialect(dialect)
    err = as_skin_error(err)
    rid = request_id if isinstance(request_id, str) and request_id else uuid.uuid4().hex
    if dialect in ("ailab-pro", "ailab-advanced"):
        return ailab.render_error(err, rid)
    if dialect == "face-field":
        return face_field.render_error(err, rid, int(time.time()))
    if dialect in ("youcam-sd", "youcam-hd"):
        return youcam.render_error(err)
    return native.render_error(err)


__all__ = ["DIALECTS", "check_dialect", "render_error"]
