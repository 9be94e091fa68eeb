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
from collections.abc import Mapping, Sequence
from typing import Any

from skincore.analysis import Analysis, FaceResult, Lesion, WrinkleZone
from skincore.dialects._common import graded, r2, r4, rect_ltwh
from skincore.dialects.fields import not_implemented
from skincore.errors import as_skin_error
from skincore.grading import ZONE_GROUPS, ConcernGrade, Grade

NOT_IMPLEMENTED_PRO: dict[str, str] = not_implemented("ailab-pro")
"""Pro fields not produced, with why (derived from :data:`skincore.dialects.fields.PRO`)."""

NOT_IMPLEMENTED_ADVANCED: dict[str, str] = not_implemented("ailab-advanced")
"""Advanced fields not produced, with why (derived from the field table)."""

#: Pro ``return_maps`` values the engine can render.
PRO_MAPS = (
    "texture_enhanced_pores",
    "texture_enhanced_blackheads",
    "texture_enhanced_lines",
    "rough_area",
    "texture_enhanced_bw",
    "texture_enhanced_oily_area",
    "red_area",
    "brown_area",
    "roi_outline_map",
    "water_area",
)

#: Every ``return_maps`` value the Pro document lists.
PRO_MAPS_DOCUMENTED = PRO_MAPS

#: ``return_maps`` values Advanced can render.
ADVANCED_MAPS = ("red_area",)

#: Every ``return_maps`` value the Advanced document lists.
ADVANCED_MAPS_DOCUMENTED = ("red_area",)

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
PRO_MARKS = (
    ("wrinkle_mark",)
    + tuple(v[4] for v in _WRINKLE_NAMES.values())
    + ("dark_circle_outline", "melanin_mark", "sensitivity_mark", "cheekbone_mark")
)

#: Pro ``return_side_results`` values.
SIDE_RESULTS = ("jawline_info",)

#: Every ``return_marks`` value the Pro document lists.
PRO_MARKS_DOCUMENTED = PRO_MARKS

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

#: Presence fields (Pro and Advanced) and the zone group that decides them.
_PRESENCE = {
    "forehead_wrinkle": ZONE_GROUPS["forehead"],
    "crows_feet": ZONE_GROUPS["crowfeet"],
    "eye_finelines": ZONE_GROUPS["periocular"],
    "glabella_wrinkle": ZONE_GROUPS["glabellar"],
    "nasolabial_fold": ZONE_GROUPS["nasolabial"],
}


def _grades(face: FaceResult, concern: str) -> ConcernGrade | None:
    return face.grades.get(concern)


def _vc(g: Grade) -> dict[str, Any]:
    return {"value": int(g.severity), "confidence": r2(g.confidence)}


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
    g = _grades(face, "wrinkles")
    if g is None:
        return {}
    out: dict[str, Any] = {}
    zones = g.zones
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


def _wrinkle_info(zone: WrinkleZone, g: Grade, prefix: str, with_list: bool) -> dict[str, Any]:
    info: dict[str, Any] = {
        "wrinkle_score": int(round(g.score)),
        "wrinkle_severity_level": int(g.severity),
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
    g = _grades(face, "wrinkles")
    if face.wrinkles is None or g is None:
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
        out[sev_key] = {"value": int(g.zones[zone_name].severity)}
        deep[count_key] = int(z.deep_count)
        if zone_name in _FINE_LINE_ZONES:
            fine[count_key] = int(z.shallow_count)
        out[f"{prefix}_wrinkle_info"] = _wrinkle_info(
            z, g.zones[zone_name], prefix, list_name in marks
        )
        outlines[mark_key] = [_xy(o) for o in z.outlines]
    out["fine_line"] = fine
    out["wrinkle_count"] = deep
    if "wrinkle_mark" in marks:
        out["wrinkle_mark"] = outlines
    return out


def _pore_fields(face: FaceResult, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pg = _grades(face, "pores")
    if pg is not None:
        for zone_name, key in names.items():
            if zone_name in pg.zones:
                out[key] = _vc(pg.zones[zone_name])
    bg = _grades(face, "blackheads")
    if bg is not None:
        out["blackhead"] = _vc(bg.whole)
    return out


def _rough(face: FaceResult) -> dict[str, Any]:
    r = face.roughness
    g = _grades(face, "roughness")
    if r is None or g is None:
        return {}
    rough: dict[str, Any] = {"rough_severity": int(g.whole.severity), "rough_area": r4(r.area)}
    for zone, key in (
        ("forehead", "rough_forehead"),
        ("right_cheek", "rough_rightcheek"),
        ("left_cheek", "rough_leftcheek"),
        ("chin", "rough_jaw"),
    ):
        if zone in r.zones:
            rough[key] = {"area": r4(r.zones[zone])}
    return {"rough": rough}


#: Pro per-eye dark-circle fields by skincore type (1 pigmented, 2 vascular, 3 shadow).
_DARK_CIRCLE_KINDS = {1: "pigment", 2: "rete", 3: "structural"}


def _dark_circles(face: FaceResult, marks: Sequence[str], *, pro: bool) -> dict[str, Any]:
    dc = face.dark_circles
    g = _grades(face, "dark_circles")
    if dc is None or g is None:
        return {}
    out: dict[str, Any] = {
        "dark_circle": {"value": int(g.extra["type"]), "confidence": r2(g.whole.confidence)}
    }
    if not pro:
        return out
    if g.extra["type"] != 0:
        out["dark_circle_severity"] = {
            "value": max(0, int(g.whole.severity) - 1),
            "confidence": r2(g.whole.confidence),
        }
    rects: dict[str, Any] = {}
    outlines: dict[str, Any] = {}
    for side in ("left", "right"):
        eye = getattr(dc, side)
        zg = g.zones.get(f"{side}_under_eye")
        if eye is None or zg is None:
            continue
        kind = int(g.extra[f"{side}_type"])
        for t, name in _DARK_CIRCLE_KINDS.items():
            out[f"{side}_dark_circle_{name}"] = {"value": int(zg.severity) if kind == t else 0}
        rects[f"{side}_eye_rect"] = rect_ltwh(eye.rect)
        outlines[f"{side}_dark_circle_outline"] = _xy(eye.outline)
    out["dark_circle_mark"] = rects
    if "dark_circle_outline" in marks:
        out["dark_circle_outline"] = outlines
    return out


#: Pro ``oily_intensity`` keys by skincore zone.
_OIL_KEYS = {
    "t_zone": "t_zone",
    "left_cheek": "left_cheek",
    "right_cheek": "right_cheek",
    "chin": "chin_area",
}


def _oiliness(face: FaceResult) -> dict[str, Any]:
    oil = face.oiliness
    g = _grades(face, "oiliness")
    if oil is None or g is None:
        return {}
    return {
        "oily_intensity": {
            key: {"area": r4(oil.zones[zone].area), "intensity": int(g.zones[zone].severity)}
            for zone, key in _OIL_KEYS.items()
            if zone in oil.zones
        }
    }


def _skin_age(face: FaceResult) -> dict[str, Any]:
    age = face.skin_age
    if age is None:
        return {}
    return {"skin_age": {"value": int(min(99, max(0, round(age.age))))}}


#: Pro lesion fields by skincore lesion kind.
_PRO_LESIONS = {
    "papule": "acne",
    "pustule": "acne_pustule",
    "nodule": "acne_nodule",
    "acne_mark": "acne_mark",
    "closed_comedone": "closed_comedones",
    "mole": "mole",
    "spot": "brown_spot",
}

#: Advanced lesion fields by skincore lesion kinds (Advanced's ``acne`` is every
#: inflamed kind: it has no pustule or nodule field).
_ADV_LESIONS = {
    "acne": ("papule", "pustule", "nodule"),
    "closed_comedones": ("closed_comedone",),
    "mole": ("mole",),
    "skin_spot": ("spot",),
}


def _lesions_by_kind(face: FaceResult) -> dict[str, list[Lesion]]:
    """Lesions of the measured concerns, by kind (a concern not run adds none)."""
    out: dict[str, list[Lesion]] = {}
    for les in face.lesions():
        out.setdefault(les.kind, []).append(les)
    return out


def _lesion_box(les: Sequence[Lesion], *, polygons: bool, confidence: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"rectangle": [rect_ltwh(x.rect) for x in les]}
    if confidence:
        out["confidence"] = [r2(x.confidence) for x in les]
    if polygons:
        out["polygon"] = [_xy(x.polygon) for x in les]
    return out


def _lesion_fields(face: FaceResult) -> dict[str, Any]:
    """Pro lesion lists (acne family, moles, brown spots), melasma and freckles."""
    by_kind = _lesions_by_kind(face)
    out: dict[str, Any] = {}
    present = {
        "acne": face.acne is not None,
        "moles": face.moles is not None,
        # brown spots are not counted on a photo too coarse for them
        "pigmentation": face.pigmentation is not None and face.pigmentation.spots is not None,
    }
    for kind, key in _PRO_LESIONS.items():
        source = "moles" if kind == "mole" else "pigmentation" if kind == "spot" else "acne"
        if present[source]:
            out[key] = _lesion_box(by_kind.get(kind, []), polygons=True, confidence=True)
    g = _grades(face, "pigmentation")
    if g is not None:
        for key in ("melasma", "freckle"):
            if key not in g.extra:  # freckles: spots not counted
                continue
            out[key] = {
                "value": int(g.extra[key]),
                "confidence": r2(g.extra[f"{key}_confidence"]),
            }
    return out


def _colour_fields(face: FaceResult, marks: Sequence[str], *, pro: bool) -> dict[str, Any]:
    """``sensitivity`` (Pro, Advanced), ``melanin`` and the marks (Pro)."""
    out: dict[str, Any] = {}
    red = face.redness
    if red is not None:
        out["sensitivity"] = {
            "sensitivity_area": r4(red.area),
            "sensitivity_intensity": r2(red.intensity),
        }
        if pro and "sensitivity_mark" in marks:
            out["sensitivity_mark"] = {"polygon": [_xy(p) for p in red.outlines]}
    pig = face.pigmentation
    if pro and pig is not None:
        melanin: dict[str, Any] = {
            "brown_area": r4(pig.brown_area),
            "melanin_concentration": r2(pig.intensity),
        }
        for zone, key in (
            ("forehead", "brown_forehead"),
            ("left_cheek", "brown_leftcheek"),
            ("right_cheek", "brown_rightcheek"),
        ):
            if zone in pig.zones:
                melanin[key] = r4(pig.zones[zone])
        out["melanin"] = melanin
        if "melanin_mark" in marks:
            out["melanin_mark"] = {"polygon": [_xy(p) for p in pig.outlines]}
    return out


def _eye_bags(face: FaceResult, *, pro: bool) -> dict[str, Any]:
    """``eye_pouch`` (and its severity when 1), Pro's per-eye boxes."""
    g = _grades(face, "eye_bags")
    bags = face.eye_bags
    if g is None or bags is None:
        return {}
    sev = int(g.whole.severity)
    out: dict[str, Any] = {
        "eye_pouch": {"value": int(sev >= 1), "confidence": r2(g.whole.confidence)}
    }
    if sev >= 1:
        # Pro/Advanced: 0 mild, 1 moderate, 2 severe
        out["eye_pouch_severity"] = {"value": sev - 1, "confidence": r2(g.whole.confidence)}
    if pro:
        for side in ("left", "right"):
            eye = getattr(bags, side)
            if eye is not None:
                out[f"{side}_eye_pouch_rect"] = rect_ltwh(eye.rect)
    return out


def _eyelids(face: FaceResult) -> dict[str, Any]:
    """Advanced ``left_eyelids`` / ``right_eyelids``: 0 single, 1 parallel, 2 scalloped."""
    g = _grades(face, "eyelids")
    if g is None:
        return {}
    return {
        f"{side}_eyelids": {
            "value": int(g.extra[f"{side}_type"]),
            "confidence": r2(g.extra[f"{side}_type_confidence"]),
        }
        for side in ("left", "right")
        if f"{side}_type" in g.extra
    }


def _water(face: FaceResult) -> dict[str, Any]:
    m = face.moisture
    if m is None:
        return {}
    water: dict[str, Any] = {"water_severity": r2(m.severity), "water_area": r4(m.area)}
    for zone, key in (
        ("forehead", "water_forehead"),
        ("left_cheek", "water_leftcheek"),
        ("right_cheek", "water_rightcheek"),
    ):
        if zone in m.zones:
            water[key] = {"area": r4(m.zones[zone])}
    return {"water": water}


def _skin_type(face: FaceResult) -> dict[str, Any]:
    """``skin_type``: AILab's code (0 oily, 1 dry, 2 neutral, 3 combination) and details.

    Each class of ``details`` carries the confidence of the face's classification
    (the document's example gives one confidence to all four).
    """
    g = _grades(face, "skin_type")
    if g is None:
        return {}
    code = int(g.whole.severity)
    conf = r2(g.whole.confidence)
    return {
        "skin_type": {
            "skin_type": code,
            "details": {str(k): {"value": int(k == code), "confidence": conf} for k in range(4)},
        }
    }


def _score_info(face: FaceResult) -> dict[str, Any]:
    s = face.scores or {}
    info: dict[str, Any] = {}
    for concern, key in (
        ("wrinkles", "wrinkle_score"),
        ("pores", "pores_score"),
        ("blackheads", "blackhead_score"),
        ("roughness", "rough_score"),
        ("oiliness", "oily_intensity_score"),
        ("acne", "acne_score"),
        ("redness", "sensitivity_score"),
        ("pigmentation", "melanin_score"),
        ("skin_type", "skin_type_score"),
        ("moisture", "water_score"),
    ):
        if concern in s:
            info[key] = int(round(s[concern]["whole"].raw))
    if face.total_score is not None:
        info["total_score"] = int(round(face.total_score.raw))
    dg = _grades(face, "dark_circles")
    if dg is not None:
        info["dark_circle_score"] = int(round(dg.whole.score))
        info["dark_circle_type_score"] = {
            f"{side}_dark_circle_score": int(round(dg.zones[f"{side}_under_eye"].score))
            for side in ("left", "right")
            if f"{side}_under_eye" in dg.zones
        }
    pg = _grades(face, "pores")
    if pg is not None:
        info["pores_type_score"] = {
            f"pores_{k.split('_')[-1]}_score": int(round(pg.zones[zone].score))
            for zone, k in _PORE_ZONES_PRO.items()
            if zone in pg.zones
        }
    return {"score_info": info} if info else {}


def _maps(maps: Mapping[str, bytes], bw_info: Any) -> dict[str, Any]:
    """``face_maps`` (base64) and ``enhanced_bw_info`` from maps drawn by the caller."""
    out: dict[str, Any] = {}
    if bw_info is not None and "texture_enhanced_bw" in maps:
        out["enhanced_bw_info"] = {
            "enhanced_bw_rect": {
                "width": r2(bw_info.width),
                "height": r2(bw_info.height),
                "left": r2(bw_info.left),
                "top": r2(bw_info.top),
            },
            "ratio": r4(bw_info.ratio),
        }
    if maps:
        out["face_maps"] = {k: base64.b64encode(v).decode("ascii") for k, v in maps.items()}
    return out


def _side_results(analysis: Analysis) -> dict[str, Any]:
    """``left_side_result`` / ``right_side_result`` of the side photos given.

    The angle and the marks only with quality 1, as the document says.
    """
    out: dict[str, Any] = {}
    for side, s in analysis.sides.items():
        res: dict[str, Any] = {f"{side}_jawline_quality": int(s.quality)}
        if s.quality == 1 and s.angle is not None:
            res[f"{side}_jawline_angle"] = r2(s.angle)
            res[f"{side}_jawline_mark"] = _xy(s.mark)
        out[f"{side}_side_result"] = res
    return out


def _notice(unmeasured_maps: Sequence[str], unmeasured_marks: Sequence[str]) -> dict[str, Any]:
    notice: dict[str, Any] = {}
    if unmeasured_maps:
        notice["maps_not_measured"] = list(unmeasured_maps)
    if unmeasured_marks:
        notice["marks_not_measured"] = list(unmeasured_marks)
    return {"skincore_notice": notice} if notice else {}


def render_pro(
    analysis: Analysis,
    *,
    return_marks: Sequence[str] = (),
    maps: Mapping[str, bytes] | None = None,
    bw_info: Any = None,
    unmeasured_maps: Sequence[str] = (),
    unmeasured_marks: Sequence[str] = (),
    side_results: bool = False,
) -> dict[str, Any]:
    """Render the AILabTools *Skin analyze Pro* response.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    return_marks : sequence of str, optional
        Validated Pro ``return_marks`` values (see :data:`PRO_MARKS`).
    maps : mapping of str to bytes, optional
        The requested ``return_maps`` images, already drawn by
        :mod:`skincore.visuals` (PNG/JPEG bytes by name).
    bw_info : EnhancedBWInfo, optional
        Placement of ``texture_enhanced_bw``.
    unmeasured_maps, unmeasured_marks : sequence of str, optional
        Documented names that were asked for but are not measured yet; reported
        under ``skincore_notice`` instead of being dropped silently.
    side_results : bool, optional
        ``return_side_results=jawline_info``: add the side photos' results.
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
    if face.quality.glasses is not None:
        image_quality["glasses"] = int(face.quality.glasses)
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
    result.update(_dark_circles(face, return_marks, pro=True))
    result.update(_eye_bags(face, pro=True))
    result.update(_oiliness(face))
    if "cheekbone_mark" in return_marks:
        # The cheek "apples": the mesh's cheekbone regions (below the eyes, over the
        # malar fat pads), as outlines.
        result["cheekbone_mark"] = {
            f"{side}_cheekbone_mark": _xy(face.geometry.regions[f"{side}_cheekbone"])
            for side in ("left", "right")
            if f"{side}_cheekbone" in face.geometry.regions
        }
    result.update(_skin_type(face))
    result.update(_water(face))
    result.update(_colour_fields(face, return_marks, pro=True))
    result.update(_lesion_fields(face))
    result.update(_skin_age(face))
    result.update(_score_info(face))
    result.update(_maps(maps or {}, bw_info))
    out = _envelope(analysis)
    out["face_rectangle"] = rect_ltwh(g.box)
    if side_results:
        out.update(_side_results(analysis))
    out["result"] = result
    out.update(_notice(unmeasured_maps, unmeasured_marks))
    return out


def render_advanced(
    analysis: Analysis,
    *,
    maps: Mapping[str, bytes] | None = None,
    rect_confidence: bool = False,
    unmeasured_maps: Sequence[str] = (),
) -> dict[str, Any]:
    """Render the AILabTools *Skin analyze Advanced* response.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    maps : mapping of str to bytes, optional
        The requested ``return_maps`` images (``red_area``), already drawn.
    rect_confidence : bool, optional
        ``return_rect_confidence=1``: add each lesion box's confidence.
    unmeasured_maps : sequence of str, optional
        Documented ``return_maps`` values asked for but not measured yet
        (reported under ``skincore_notice``).
    """
    face = analysis.faces[0]
    out = _envelope(analysis)
    del out["error_detail"]
    out["warning"] = list(face.quality.warnings)
    out["face_rectangle"] = rect_ltwh(face.geometry.box)
    result = _tone_fields(face, "skin_color")
    pg = _grades(face, "pores")
    if pg is not None:
        for zone, key in _PORE_ZONES_ADV.items():
            z = pg.zones.get(zone)
            if z is not None:
                result[key] = {"value": int(z.severity >= 1), "confidence": r2(z.confidence)}
    bg = _grades(face, "blackheads")
    if bg is not None:
        result["blackhead"] = _vc(bg.whole)
    result.update(_presence(face))
    result.update(_dark_circles(face, (), pro=False))
    result.update(_eye_bags(face, pro=False))
    result.update(_eyelids(face))
    result.update(_skin_age(face))
    by_kind = _lesions_by_kind(face)
    for key, kinds in _ADV_LESIONS.items():
        source = {"mole": face.moles, "skin_spot": face.pigmentation}.get(key, face.acne)
        if source is not None:
            found = sorted(
                (x for k in kinds for x in by_kind.get(k, [])), key=lambda x: -x.confidence
            )
            result[key] = _lesion_box(found, polygons=False, confidence=rect_confidence)
    result.update(_skin_type(face))
    result.update(_colour_fields(face, (), pro=False))
    if maps:
        result["face_maps"] = {k: base64.b64encode(v).decode("ascii") for k, v in maps.items()}
    out["result"] = result
    out.update(_notice(unmeasured_maps, ()))
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
