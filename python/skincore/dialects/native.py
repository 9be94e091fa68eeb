"""The ``skincore`` dialect: every measured value, in skincore's own names.

Pure rendering of the dataclasses in :mod:`skincore.analysis` (the RGB image is
not serialised; landmarks and polygons are rounded to 0.01 px).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from skincore.analysis import Analysis
from skincore.errors import as_skin_error

#: Concerns the engine does not measure yet (absent from every dialect).
NOT_IMPLEMENTED: tuple[str, ...] = (
    "glasses",
    "oiliness",
    "moisture",
    "pigmentation",
    "redness",
    "sensitivity",
    "acne",
    "moles",
    "spots",
    "dark_circles",
    "eye_bags",
    "eyelids",
    "skin_age",
    "skin_type",
    "side_face_jawline",
    "total_score",
)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return np.round(value.astype(np.float64), 2).tolist()
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def render(analysis: Analysis) -> dict[str, Any]:
    """Render the native skincore result."""
    return {
        "width": analysis.width,
        "height": analysis.height,
        "faces": [_plain(f) for f in analysis.faces],
        "meta": _plain(analysis.meta),
        "not_implemented": list(NOT_IMPLEMENTED),
    }


def render_error(err: BaseException) -> dict[str, Any]:
    """Render a failure natively (non-SkinErrors: ``internal_error``)."""
    err = as_skin_error(err)
    return {
        "error": {
            "code": err.code,
            "message": err.spec.message,
            "detail": err.detail,
            "context": _plain(err.context),
        }
    }
