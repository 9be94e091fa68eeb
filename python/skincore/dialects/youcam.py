"""Perfect Corp YouCam skin analysis formats: ``youcam-sd`` and ``youcam-hd``.

Pure rendering of the task-result envelope (``status`` / ``data.results.output``)
and of ``score_info.json``. YouCam's concerns (wrinkle, pore, texture, ...) appear
in ``output`` only once the engine measures them; until then the list holds what
is measured so far, which for the foundation is nothing: YouCam has no skin-tone
concern. Unmeasured concerns are listed in :data:`NOT_IMPLEMENTED_SD` /
:data:`NOT_IMPLEMENTED_HD`.
"""

from __future__ import annotations

from typing import Any

from skincore.analysis import Analysis
from skincore.errors import SkinError

NOT_IMPLEMENTED_SD: tuple[str, ...] = (
    "wrinkle",
    "droopy_upper_eyelid",
    "droopy_lower_eyelid",
    "firmness",
    "acne",
    "moisture",
    "eye_bag",
    "dark_circle_v2",
    "age_spot",
    "radiance",
    "redness",
    "oiliness",
    "pore",
    "texture",
    "tear_trough",
    "skin_type",
    "all",
    "skin_age",
)
NOT_IMPLEMENTED_HD: tuple[str, ...] = tuple(
    "hd_" + n if n not in ("all", "skin_age", "dark_circle_v2") else n
    for n in NOT_IMPLEMENTED_SD
    if n != "dark_circle_v2"
) + ("hd_dark_circle",)


def _outputs(analysis: Analysis, hd: bool) -> list[dict[str, Any]]:
    # No YouCam concern is measured yet; the list grows with the concerns.
    del analysis, hd
    return []


def render(analysis: Analysis, *, hd: bool) -> dict[str, Any]:
    """Render a finished YouCam skin-analysis task."""
    return {
        "status": 200,
        "data": {
            "task_status": "success",
            "results": {"output": _outputs(analysis, hd)},
        },
    }


def render_error(err: SkinError) -> dict[str, Any]:
    """Render a :class:`SkinError` as YouCam's error response."""
    return {"status": err.http_status, "error": err.detail, "error_code": err.spec.youcam_code}
