"""AILabTools skin analysis formats: ``ailab-pro`` and ``ailab-advanced``.

Pure rendering of :class:`skincore.analysis.Analysis`. AILab analyses one face: the
largest (``faces[0]``). Fields the engine does not measure yet are absent; they are
listed in :data:`NOT_IMPLEMENTED_PRO` and :data:`NOT_IMPLEMENTED_ADVANCED`.

Names follow the vendor documents, including their spellings
(``pores_leftcheek`` in Pro, ``pores_left_cheek`` in Advanced). Where the Pro
field table and its JSON example disagree, the table wins, except for the
per-zone wrinkle list key, which only the example names
(``<zone>_wrinkle_list`` with ``wrinkle_coord``, ``wrinkle_depth``,
``wrinkle_length``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from skincore.analysis import Analysis, FaceResult, WrinkleZone
from skincore.dialects._common import graded, r2, r4, rect_ltwh
from skincore.errors import as_skin_error

NOT_IMPLEMENTED_PRO: tuple[str, ...] = (
    "left_side_result",
    "right_side_result",
    "image_quality.glasses",
    "skin_type",
    "oily_intensity",
    "water",
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
    "cheekbone_mark",
    "eye_pouch",
    "eye_pouch_severity",
    "left_eye_pouch_rect",
    "right_eye_pouch_rect",
    "left_eye_pouch_rectangle",
    "right_eye_pouch_rectangle",
    "dark_circle",
    "dark_circle_severity",
    "left_dark_circle_rete",
    "right_dark_circle_rete",
    "left_dark_circle_pigment",
    "right_dark_circle_pigment",
    "left_dark_circle_structural",
    "right_dark_circle_structural",
    "dark_circle_mark",
    "dark_circle_outline",
    "score_info.dark_circle_score",
    "score_info.skin_type_score",
    "score_info.oily_intensity_score",
    "score_info.acne_score",
    "score_info.sensitivity_score",
    "score_info.melanin_score",
    "score_info.water_score",
    "score_info.total_score",
    "score_info.dark_circle_type_score",
    "face_maps.red_area",
    "face_maps.brown_area",
    "face_maps.texture_enhanced_oily_area",
    "face_maps.water_area",
    "face_maps.roi_outline_map",
)

NOT_IMPLEMENTED_ADVANCED: tuple[str, ...] = (
    "skin_age",
    "left_eyelids",
    "right_eyelids",
    "eye_pouch",
    "eye_pouch_severity",
    "dark_circle",
    "skin_type",
    "acne",
    "mole",
    "closed_comedones",
    "skin_spot",
    "face_maps",
    "sensitivity",
)

#: Pro ``return_maps`` values the engine can render.
PRO_MAPS = (
    "texture_enhanced_pores",
    "texture_enhanced_blackheads",
    "texture_enhanced_lines",
    "rough_area",
    "texture_enhanced_bw",
)

#: Per wrinkle zone: (info prefix, count key, severity field, wrinkle_mark key,
#: return_marks name).
_WRINKLE_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "forehead": (
        "forehead",
        "forehead_count",
        "forehead_wrinkle_severity",
        "head_wrinkle_outline",
        "forehead_wrinkle_list",
    ),
    "glabella": (
        "glabella",
        "glabella_count",
        "glabella_wrinkle_severity",
        "glabella_wrinkle_outline",
        "glabella_wrinkle_list",
    ),
}
for _side in ("left", "right"):
    _WRINKLE_NAMES.update(
        {
            f"{_side}_crows_feet": (
                f"{_side}_crowsfeet",
                f"{_side}_crowsfeet_count",
                f"{_side}_crows_feet_severity",
                f"{_side}_crowsfeet_wrinkle_outline",
                f"{_side}_crowsfeet_list",
            ),
            f"{_side}_under_eye": (
                f"{_side}_eye",
                f"{_side}_undereye_count",
                f"{_side}_eye_finelines_severity",
                f"{_side}_eye_wrinkle_outline",
                f"{_side}_eye_wrinkle_list",
            ),
            f"{_side}_nasolabial": (
                f"{_side}_nasolabial",
                f"{_side}_nasolabial_count",
                f"{_side}_nasolabial_fold_severity",
                f"{_side}_nasolabial_wrinkle_outline",
                f"{_side}_nasolabial_list",
            ),
            f"{_side}_cheek": (
                f"{_side}_cheek",
                f"{_side}_cheek_count",
                f"{_side}_cheek_wrinkle_severity",
                f"{_side}_cheek_wrinkle_outline",
                f"{_side}_cheek_list",
            ),
            f"{_side}_mouth_corner": (
                f"{_side}_mouth",
                f"{_side}_mouth_count",
                f"{_side}_mouth_wrinkle_severity",
                f"{_side}_mouth_wrinkle_outline",
                f"{_side}_mouth_list",
            ),
        }
    )

#: ``return_marks`` values the engine can render.
PRO_MARKS = ("wrinkle_mark",) + tuple(v[4] for v in _WRINKLE_NAMES.values())

#: Zones counted in Pro ``fine_line`` (the document lists no mouth or nasolabial).
_FINE_LINE_ZONES = (
    "forehead",
    "left_under_eye",
    "right_under_eye",
    "left_cheek",
    "right_cheek",
    "left_crows_feet",
    "right_crows_feet",
    "glabella",
)

#: Presence fields (Pro and Advanced) and the zones that decide them.
_PRESENCE = {
    "forehead_wrinkle": ("forehead",),
    "crows_feet": ("left_crows_feet", "right_crows_feet"),
    "eye_finelines": ("left_under_eye", "right_under_eye"),
    "glabella_wrinkle": ("glabella",),
    "nasolabial_fold": ("left_nasolabial", "right_nasolabial"),
}

_PORE_ZONES_PRO = {
    "forehead": "pores_forehead",
    "left_cheek": "pores_leftcheek",
    "right_cheek": "pores_rightcheek",
    "chin": "pores_jaw",
}
_PORE_ZONES_ADV = {
    "forehead": "pores_forehead",
    "left_cheek": "pores_left_cheek",
    "right_cheek": "pores_right_cheek",
    "chin": "pores_jaw",
}
_ENLARGED_KEYS = {
    "forehead": "forehead",
    "left_cheek": "left_cheek_count",
    "right_cheek": "right_cheek_count",
    "chin": "chin_count",
}


def _envelope(analysis: Analysis) -> dict[str, Any]:
    return {
        "request_id": analysis.meta.request_id,
        "log_id": analysis.meta.request_id[:16],
        "error_code": 0,
        "error_code_str": "",
        "error_msg": "",
        "error_detail": {"status_code": 200, "code": "", "code_message": "", "message": ""},
    }


def _xy(points) -> list[dict[str, float]]:
    return [{"x": r2(x), "y": r2(y)} for x, y in points]


def _tone_fields(face: FaceResult, color_key: str) -> dict[str, Any]:
    tone = face.tone
    if tone is None:
        return {}
    return {
        color_key: graded(tone.skin_color),
        "skintone_ita": {"ITA": r2(tone.ita), "skintone": int(tone.ita_class)},
        "skin_hue_ha": {"HA": r2(tone.ha), "skintone": int(tone.ha_class)},
    }


def _presence(face: FaceResult) -> dict[str, Any]:
    """Wrinkle presence fields from the zones' severities and confidences."""
    if face.wrinkles is None:
        return {}
    out: dict[str, Any] = {}
    zones = face.wrinkles.zones
    for name, members in _PRESENCE.items():
        zs = [zones[m] for m in members if m in zones]
        if not zs:
            continue
        present = [z for z in zs if z.severity >= 1]
        if present:
            conf = max(z.confidence for z in present)
        else:
            conf = min(z.confidence for z in zs)
        out[name] = {"value": int(bool(present)), "confidence": r2(conf)}
        if name == "nasolabial_fold" and present:
            worst = max(present, key=lambda z: (z.severity, z.confidence))
            out["nasolabial_fold_severity"] = {
                "value": int(worst.severity) - 1,
                "confidence": r2(worst.confidence),
            }
    return out


def _wrinkle_info(zone: WrinkleZone, prefix: str, with_list: bool) -> dict[str, Any]:
    info: dict[str, Any] = {
        "wrinkle_score": int(zone.score),
        "wrinkle_severity_level": int(zone.severity),
        "wrinkle_norm_length": r4(zone.norm_length),
        "wrinkle_norm_depth": r4(zone.norm_depth),
        "wrinkle_pixel_density": r4(zone.pixel_density),
        "wrinkle_area_ratio": r4(zone.area_ratio),
        "wrinkle_deep_ratio": r4(zone.deep_ratio),
        "wrinkle_deep_num": int(zone.deep_count),
        "wrinkle_shallow_num": int(zone.shallow_count),
    }
    if with_list:
        info[f"{prefix}_wrinkle_list"] = [
            {
                "wrinkle_coord": _xy(ln.points),
                "wrinkle_depth": r4(ln.depth),
                "wrinkle_length": r2(ln.length_px),
            }
            for ln in zone.lines
        ]
    return info


def _wrinkle_fields(face: FaceResult, marks: Sequence[str]) -> dict[str, Any]:
    if face.wrinkles is None:
        return {}
    zones = face.wrinkles.zones
    out: dict[str, Any] = {}
    fine: dict[str, int] = {}
    deep: dict[str, int] = {}
    outlines: dict[str, Any] = {}
    for zone_name, (prefix, count_key, sev_key, mark_key, list_name) in _WRINKLE_NAMES.items():
        z = zones.get(zone_name)
        if z is None:
            continue
        out[sev_key] = {"value": int(z.severity)}
        deep[count_key] = int(z.deep_count)
        if zone_name in _FINE_LINE_ZONES:
            fine[count_key] = int(z.shallow_count)
        out[f"{prefix}_wrinkle_info"] = _wrinkle_info(z, prefix, list_name in marks)
        outlines[mark_key] = [_xy(o) for o in z.outlines]
    out["fine_line"] = fine
    out["wrinkle_count"] = deep
    if "wrinkle_mark" in marks:
        out["wrinkle_mark"] = outlines
    return out


def _pore_fields(face: FaceResult, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if face.pores is not None:
        z = face.pores.zones
        for zone_name, key in names.items():
            if zone_name in z:
                out[key] = {
                    "value": int(z[zone_name].severity),
                    "confidence": r2(z[zone_name].confidence),
                }
    if face.blackheads is not None:
        out["blackhead"] = {
            "value": int(face.blackheads.severity),
            "confidence": r2(face.blackheads.confidence),
        }
    return out


def _rough(face: FaceResult) -> dict[str, Any]:
    r = face.roughness
    if r is None:
        return {}
    rough: dict[str, Any] = {"rough_severity": int(r.severity), "rough_area": r4(r.area)}
    for zone, key in (
        ("forehead", "rough_forehead"),
        ("right_cheek", "rough_rightcheek"),
        ("left_cheek", "rough_leftcheek"),
        ("chin", "rough_jaw"),
    ):
        if zone in r.zones:
            rough[key] = {"area": r4(r.zones[zone])}
    return {"rough": rough}


def _score_info(face: FaceResult) -> dict[str, Any]:
    s = face.scores or {}
    info: dict[str, Any] = {}
    for group, key in (
        ("wrinkle", "wrinkle_score"),
        ("pore", "pores_score"),
        ("blackhead", "blackhead_score"),
        ("texture", "rough_score"),
    ):
        if group in s:
            info[key] = int(round(s[group]["whole"].raw))
    if face.pores is not None:
        z = face.pores.zones
        per = {
            f"pores_{k.split('_')[-1]}_score": int(round(z[zone].score))
            for zone, k in _PORE_ZONES_PRO.items()
            if zone in z
        }
        info["pores_type_score"] = per
    return {"score_info": info} if info else {}


def _maps(
    analysis: Analysis, names: Sequence[str], colors: dict[str, str] | None
) -> dict[str, Any]:
    if not names:
        return {}
    from skincore.visuals import maps as vmaps

    out: dict[str, Any] = {}
    face_maps: dict[str, str] = {}
    for name in names:
        if name not in PRO_MAPS:
            continue
        if name == "texture_enhanced_bw":
            got = vmaps.texture_enhanced_bw(analysis)
            if got is None:
                continue
            data, info = got
            out["enhanced_bw_info"] = {
                "enhanced_bw_rect": {
                    "width": r2(info.width),
                    "height": r2(info.height),
                    "left": r2(info.left),
                    "top": r2(info.top),
                },
                "ratio": r4(info.ratio),
            }
        else:
            data = vmaps.render_pro_map(analysis, name, colors)
            if data is None:
                continue
        face_maps[name] = base64.b64encode(data).decode("ascii")
    if face_maps:
        out["face_maps"] = face_maps
    return out


def render_pro(
    analysis: Analysis,
    *,
    return_maps: Sequence[str] = (),
    return_marks: Sequence[str] = (),
    roi_outline_color: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Render the AILabTools *Skin analyze Pro* response.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    return_maps : sequence of str, optional
        Pro ``return_maps`` values (see :data:`PRO_MAPS`); others are ignored.
    return_marks : sequence of str, optional
        Pro ``return_marks`` values (see :data:`PRO_MARKS`).
    roi_outline_color : dict, optional
        Pro ``roi_outline_color`` (``pores_color``, ``blackhead_color``,
        ``wrinkle_color``, ``fine_line_color`` as 6-digit hex).
    """
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
    if face.blackheads is not None:
        result["blackhead_count"] = int(face.blackheads.count)
    if face.pores is not None:
        z = face.pores.zones
        result["enlarged_pore_count"] = {
            key: {"count": int(z[zone].enlarged_count), "area": r4(z[zone].enlarged_area)}
            for zone, key in _ENLARGED_KEYS.items()
            if zone in z
        }
    result.update(_pore_fields(face, _PORE_ZONES_PRO))
    result.update(_rough(face))
    result.update(_presence(face))
    result.update(_wrinkle_fields(face, return_marks))
    result.update(_score_info(face))
    result.update(_maps(analysis, return_maps, roi_outline_color))
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
    result = _tone_fields(face, "skin_color")
    if face.pores is not None:
        for zone, key in _PORE_ZONES_ADV.items():
            z = face.pores.zones.get(zone)
            if z is not None:
                result[key] = {"value": int(z.severity >= 1), "confidence": r2(z.confidence)}
    if face.blackheads is not None:
        result["blackhead"] = {
            "value": int(face.blackheads.severity),
            "confidence": r2(face.blackheads.confidence),
        }
    result.update(_presence(face))
    out["result"] = result
    return out


def render_error(err: BaseException, request_id: str) -> dict[str, Any]:
    """Render a failure as AILab's public error fields (non-SkinErrors: ``internal_error``)."""
    err = as_skin_error(err)
    spec = err.spec
    return {
        "request_id": request_id,
        "log_id": request_id[:16],
        "error_code": spec.http_status,
        "error_code_str": spec.ailab_code,
        "error_msg": spec.message
        if err.detail == spec.message
        else f"{spec.message} - {err.detail}",
        "error_detail": {
            "status_code": spec.http_status,
            "code": spec.ailab_code,
            "code_message": spec.message,
            "message": err.detail,
        },
    }
