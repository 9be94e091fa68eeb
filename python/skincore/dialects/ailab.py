"""AILabTools skin analysis formats: ``ailab-pro`` and ``ailab-advanced``.

Pure rendering of :class:`skincore.analysis.Analysis`. AILab analyses one face: the
largest (``faces[0]``). Fields the engine does not measure yet are absent; they are
listed in :data:`NOT_IMPLEMENTED_PRO` and :data:`NOT_IMPLEMENTED_ADVANCED`.
"""

from __future__ import annotations

from typing import Any

from skincore.analysis import Analysis, FaceResult
from skincore.dialects._common import graded, r2, r4, rect_ltwh
from skincore.errors import SkinError

NOT_IMPLEMENTED_PRO: tuple[str, ...] = (
    "left_side_result",
    "right_side_result",
    "image_quality.glasses",
    "skin_type",
    "oily_intensity",
    "water",
    "blackhead",
    "blackhead_count",
    "enlarged_pore_count",
    "pores_forehead",
    "pores_rightcheek",
    "pores_leftcheek",
    "pores_jaw",
    "rough",
    "melanin",
    "melanin_mark",
    "mole",
    "brown_spot",
    "melasma",
    "freckle",
    "acne",
    "acne_pustule",
    "acne_nodule",
    "acne_mark",
    "closed_comedones",
    "sensitivity",
    "sensitivity_mark",
    "skin_age",
    "forehead_wrinkle",
    "crows_feet",
    "eye_finelines",
    "glabella_wrinkle",
    "nasolabial_fold",
    "nasolabial_fold_severity",
    "*_wrinkle_severity",
    "*_crows_feet_severity",
    "*_eye_finelines_severity",
    "*_nasolabial_fold_severity",
    "fine_line",
    "wrinkle_count",
    "*_wrinkle_info",
    "cheekbone_mark",
    "eye_pouch",
    "eye_pouch_severity",
    "*_eye_pouch_rect",
    "*_eye_pouch_rectangle",
    "dark_circle",
    "dark_circle_severity",
    "*_dark_circle_rete",
    "*_dark_circle_pigment",
    "*_dark_circle_structural",
    "dark_circle_mark",
    "wrinkle_mark",
    "dark_circle_outline",
    "score_info",
    "enhanced_bw_info",
    "face_maps",
)

NOT_IMPLEMENTED_ADVANCED: tuple[str, ...] = (
    "skin_age",
    "left_eyelids",
    "right_eyelids",
    "eye_pouch",
    "eye_pouch_severity",
    "dark_circle",
    "forehead_wrinkle",
    "crows_feet",
    "eye_finelines",
    "glabella_wrinkle",
    "nasolabial_fold",
    "nasolabial_fold_severity",
    "skin_type",
    "pores_forehead",
    "pores_left_cheek",
    "pores_right_cheek",
    "pores_jaw",
    "blackhead",
    "acne",
    "mole",
    "closed_comedones",
    "skin_spot",
    "face_maps",
    "sensitivity",
)


def _envelope(analysis: Analysis) -> dict[str, Any]:
    return {
        "request_id": analysis.meta.request_id,
        "log_id": analysis.meta.request_id[:16],
        "error_code": 0,
        "error_code_str": "",
        "error_msg": "",
        "error_detail": {"status_code": 200, "code": "", "code_message": "", "message": ""},
    }


def _tone_fields(face: FaceResult, color_key: str) -> dict[str, Any]:
    tone = face.tone
    if tone is None:
        return {}
    return {
        color_key: graded(tone.skin_color),
        "skintone_ita": {"ITA": r2(tone.ita), "skintone": int(tone.ita_class)},
        "skin_hue_ha": {"HA": r2(tone.ha), "skintone": int(tone.ha_class)},
    }


def render_pro(analysis: Analysis) -> dict[str, Any]:
    """Render the AILabTools *Skin analyze Pro* response."""
    face = analysis.faces[0]
    g = face.geometry
    image_quality: dict[str, Any] = {
        "face_ratio": r4(g.face_ratio),
        "face_orientation": {
            "yaw": r2(g.pose.yaw),
            "pitch": r2(g.pose.pitch),
            "roll": r2(g.pose.roll),
        },
        "face_rect": rect_ltwh(g.face_rect),
    }
    if face.quality.hair_occlusion is not None:
        image_quality["hair_occlusion"] = r4(face.quality.hair_occlusion)
    result: dict[str, Any] = {"image_quality": image_quality}
    result.update(_tone_fields(face, "skin_tone"))
    out = _envelope(analysis)
    out["face_rectangle"] = rect_ltwh(g.box)
    out["result"] = result
    return out


def render_advanced(analysis: Analysis) -> dict[str, Any]:
    """Render the AILabTools *Skin analyze Advanced* response."""
    face = analysis.faces[0]
    out = _envelope(analysis)
    del out["error_detail"]
    out["warning"] = list(face.quality.warnings)
    out["face_rectangle"] = rect_ltwh(face.geometry.box)
    out["result"] = _tone_fields(face, "skin_color")
    return out


def render_error(err: SkinError, request_id: str) -> dict[str, Any]:
    """Render a :class:`SkinError` as AILab's public error fields."""
    spec = err.spec
    return {
        "request_id": request_id,
        "log_id": request_id[:16],
        "error_code": spec.http_status,
        "error_code_str": spec.ailab_code,
        "error_msg": f"{spec.message} - {err.detail}",
        "error_detail": {
            "status_code": spec.http_status,
            "code": spec.ailab_code,
            "code_message": spec.message,
            "message": err.detail,
        },
    }
