"""Small rendering helpers shared by the dialects (formatting only)."""

from __future__ import annotations

from skincore.analysis import Analysis, Graded, Rect


def r2(x: float) -> float:
    """Round a measured float for output (2 decimals)."""
    return round(float(x), 2)


def r4(x: float) -> float:
    """Round a measured ratio for output (4 decimals)."""
    return round(float(x), 4)


def rect_ltwh(r: Rect) -> dict[str, float]:
    """``{top, left, width, height}`` as the AILab documents order them."""
    return {"top": r2(r.top), "left": r2(r.left), "width": r2(r.width), "height": r2(r.height)}


def graded(g: Graded) -> dict[str, float | int]:
    """``{value, confidence}``."""
    return {"value": int(g.value), "confidence": r2(g.confidence)}


def log_id_int(analysis: Analysis) -> int:
    """Return a numeric log id derived from the request id (face_field uses integers)."""
    return int(analysis.meta.request_id[:13], 16)
