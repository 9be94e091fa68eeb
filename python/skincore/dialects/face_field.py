"""The ``face-field`` format: multi-face ``face_list`` with ``location`` and skin fields.

Pure rendering. Faces are listed largest first, as many as ``max_faces`` asked
for. Unmeasured fields are absent and listed in :data:`NOT_IMPLEMENTED`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from skincore.analysis import Analysis, FaceResult
from skincore.dialects._common import log_id_int, r2
from skincore.errors import SkinError

NOT_IMPLEMENTED: tuple[str, ...] = (
    "skin.smooth",
    "acnespotmole",
    "wrinkle",
    "eyesattr",
    "blackheadpore",
    "skinface",
    "skinquality",
)


def _face_token(analysis: Analysis, face: FaceResult) -> str:
    b = face.geometry.box
    key = f"{analysis.meta.request_id}:{face.index}:{b.left:.1f}:{b.top:.1f}"
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def _face(analysis: Analysis, face: FaceResult) -> dict[str, Any]:
    b = face.geometry.box
    item: dict[str, Any] = {
        "face_token": _face_token(analysis, face),
        "location": {
            "left": r2(b.left),
            "top": r2(b.top),
            "width": r2(b.width),
            "height": r2(b.height),
            "degree": int(face.geometry.degree),
        },
    }
    if face.tone is not None and face.tone.ita_class <= 5:
        # color is graded 1-6, lighter first: the six ITA classes in order.
        item["skin"] = {"color": int(face.tone.ita_class) + 1}
    return item


def render(analysis: Analysis) -> dict[str, Any]:
    """Render the face_field skin analysis response."""
    return {
        "error_code": 0,
        "error_msg": "SUCCESS",
        "log_id": log_id_int(analysis),
        "timestamp": int(analysis.meta.created_unix),
        "cached": 0,
        "result": {
            "face_num": len(analysis.faces),
            "face_list": [_face(analysis, f) for f in analysis.faces],
        },
    }


def render_error(err: SkinError, request_id: str, created_unix: int) -> dict[str, Any]:
    """Render a :class:`SkinError` as face_field's error response."""
    return {
        "error_code": err.http_status,
        "error_msg": f"{err.code}: {err.detail}",
        "log_id": int(request_id[:13], 16),
        "timestamp": int(created_unix),
        "cached": 0,
        "result": None,
    }
