"""The ``skincore`` dialect: every measured value, in skincore's own names.

Pure rendering of the dataclasses in :mod:`skincore.analysis`: landmarks and
polygons rounded to 0.01 px, other floats to 4 decimals. Per-pixel masks (the
rough-skin mask) are not written as nested lists: by default they are omitted
(``--out`` writes them as PNG files), or encoded on request with
``masks="rle"`` (row-major run lengths of the 0/255 mask, first run = zeros) or
``masks="png"`` (base64 PNG). The native JSON of a 12 MP photo stays well under
1 MB.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from typing import Any

import numpy as np

from skincore.analysis import Analysis
from skincore.dialects.fields import TABLES, missing_concerns, not_implemented
from skincore.errors import SkinError, as_skin_error

#: Accepted values of the ``masks`` option.
MASK_FORMATS = ("omit", "rle", "png")


def rle(mask: np.ndarray) -> dict[str, Any]:
    """Run-length encode a 2-D mask (nonzero = set), row-major, first run = unset.

    Parameters
    ----------
    mask : numpy.ndarray
        ``(h, w)`` mask.

    Returns
    -------
    dict
        ``{"shape": [h, w], "runs": [...]}``; the runs alternate unset/set and
        add up to ``h * w``.
    """
    flat = (np.asarray(mask) > 0).ravel()
    if flat.size == 0:
        return {"shape": list(mask.shape), "runs": []}
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat[0]:
        runs = [0, *runs]
    return {"shape": list(mask.shape), "runs": runs}


def _png_b64(mask: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.where(np.asarray(mask) > 0, np.uint8(255), np.uint8(0))).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _finite_or_none(x: Any) -> Any:
    if isinstance(x, list):
        return [_finite_or_none(y) for y in x]
    return x if np.isfinite(x) else None


def _plain(value: Any, masks: str) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if f.name == "mask" and isinstance(v, np.ndarray):
                if masks == "rle":
                    out[f.name] = rle(v)
                elif masks == "png":
                    out[f.name] = _png_b64(v)
                continue
            out[f.name] = _plain(v, masks)
        return out
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            v = np.round(value.astype(np.float64), 2)
            if not np.isfinite(v).all():  # JSON has no NaN: unmeasured entries are null
                return [_finite_or_none(x) for x in v.tolist()]
            return v.tolist()
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v, masks) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, masks) for v in value]
    if isinstance(value, np.generic):
        return _plain(value.item(), masks)
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    return value


def render(analysis: Analysis, *, masks: str = "omit") -> dict[str, Any]:
    """Render the native skincore result.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    masks : {"omit", "rle", "png"}, optional
        How per-pixel masks are written (see the module docstring).

    Raises
    ------
    SkinError
        ``invalid_argument`` for an unknown ``masks`` value.
    """
    if masks not in MASK_FORMATS:
        raise SkinError("invalid_argument", f"masks: expected one of {MASK_FORMATS}, got {masks!r}")
    faces = []
    for f in analysis.faces:
        faces.append(
            {
                "index": f.index,
                "geometry": _plain(f.geometry, masks),
                "quality": _plain(f.quality, masks),
                "concerns": _plain(f.concerns, masks),
                "grades": _plain(f.grades, masks),
                "scores": _plain(f.scores, masks),
                "total_score": _plain(f.total_score, masks),
                "skipped": dict(f.skipped),
            }
        )
    return {
        "width": analysis.width,
        "height": analysis.height,
        "faces": faces,
        "meta": _plain(analysis.meta, masks),
        "not_implemented": list(missing_concerns()),
        "not_implemented_fields": {d: not_implemented(d) for d in TABLES},
    }


def render_error(err: BaseException) -> dict[str, Any]:
    """Render a failure natively (non-SkinErrors: ``internal_error``)."""
    err = as_skin_error(err)
    return {
        "error": {
            "code": err.code,
            "message": err.spec.message,
            "detail": err.detail,
            "context": _plain(err.context, "omit"),
        }
    }
