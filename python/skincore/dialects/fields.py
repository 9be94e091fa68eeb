"""Field tables: which concern fills each documented vendor field.

Every dialect has one table, from the fields its vendor document lists (dotted
paths in the response, ``[]`` for list items) to the source that fills them:
a registered concern name (:data:`skincore.concerns.registry.REGISTRY`), or one
of :data:`ALWAYS` (geometry, quality, the envelope: measured for every face), or
a concern that does not exist yet. A field is *implemented* when its source is
in :data:`ALWAYS` or in the registry; the "not implemented" list of a dialect is
derived from its table, never typed by hand (:func:`not_implemented`). Fields
with a reason in :data:`WONT_MEASURE` cannot be measured honestly from a photo.
"""

from __future__ import annotations

from skincore.concerns.registry import REGISTRY

#: Sources measured on every face (``total_score``: the mean of the graded
#: concerns' scores, present whenever one concern is graded).
ALWAYS = frozenset({"envelope", "geometry", "quality", "image", "total_score"})

#: Sources measured only when the request brings what they need, with what that is
#: (implemented; the tests check them with such requests).
ON_REQUEST: dict[str, str] = {
    "side_faces": "left_side_image / right_side_image with return_side_results=jawline_info",
}

#: Sources that no concern can honestly fill, with the reason.
WONT_MEASURE: dict[str, str] = {
    "pore_types": "pore and blackhead *types* cannot be told apart from a photo's pixels",
}

#: Fields the documents return only when another field's ``value`` is 1: field ->
#: that field (checked by the tests).
CONDITIONAL: dict[str, str] = {
    "result.nasolabial_fold_severity": "result.nasolabial_fold",
    "result.eye_pouch_severity": "result.eye_pouch",
}

_WRINKLE_ZONES_PRO = (
    "forehead",
    "glabella",
    "left_crowsfeet",
    "right_crowsfeet",
    "left_eye",
    "right_eye",
    "left_nasolabial",
    "right_nasolabial",
    "left_cheek",
    "right_cheek",
    "left_mouth",
    "right_mouth",
)
_WRINKLE_SEVERITY_PRO = (
    "forehead_wrinkle_severity",
    "glabella_wrinkle_severity",
    "left_crows_feet_severity",
    "right_crows_feet_severity",
    "left_eye_finelines_severity",
    "right_eye_finelines_severity",
    "left_nasolabial_fold_severity",
    "right_nasolabial_fold_severity",
    "left_cheek_wrinkle_severity",
    "right_cheek_wrinkle_severity",
    "left_mouth_wrinkle_severity",
    "right_mouth_wrinkle_severity",
)

PRO: dict[str, str] = {
    "request_id": "envelope",
    "log_id": "envelope",
    "error_code": "envelope",
    "error_code_str": "envelope",
    "error_msg": "envelope",
    "error_detail": "envelope",
    "face_rectangle": "geometry",
    "result.image_quality.face_ratio": "geometry",
    "result.image_quality.face_orientation": "geometry",
    "result.image_quality.face_rect": "geometry",
    "result.image_quality.hair_occlusion": "quality",
    "result.image_quality.glasses": "quality",
    "result.skin_tone": "tone",
    "result.skintone_ita": "tone",
    "result.skin_hue_ha": "tone",
    "result.blackhead": "blackheads",
    "result.blackhead_count": "blackheads",
    "result.enlarged_pore_count": "pores",
    "result.pores_forehead": "pores",
    "result.pores_leftcheek": "pores",
    "result.pores_rightcheek": "pores",
    "result.pores_jaw": "pores",
    "result.rough": "roughness",
    "result.forehead_wrinkle": "wrinkles",
    "result.crows_feet": "wrinkles",
    "result.eye_finelines": "wrinkles",
    "result.glabella_wrinkle": "wrinkles",
    "result.nasolabial_fold": "wrinkles",
    "result.nasolabial_fold_severity": "wrinkles",
    "result.fine_line": "wrinkles",
    "result.wrinkle_count": "wrinkles",
    "result.wrinkle_mark": "wrinkles",
    **{f"result.{k}": "wrinkles" for k in _WRINKLE_SEVERITY_PRO},
    **{f"result.{z}_wrinkle_info": "wrinkles" for z in _WRINKLE_ZONES_PRO},
    "result.score_info.wrinkle_score": "wrinkles",
    "result.score_info.pores_score": "pores",
    "result.score_info.pores_type_score": "pores",
    "result.score_info.blackhead_score": "blackheads",
    "result.score_info.rough_score": "roughness",
    "result.score_info.dark_circle_score": "dark_circles",
    "result.score_info.dark_circle_type_score": "dark_circles",
    "result.score_info.skin_type_score": "skin_type",
    "result.score_info.oily_intensity_score": "oiliness",
    "result.score_info.acne_score": "acne",
    "result.score_info.sensitivity_score": "redness",
    "result.score_info.melanin_score": "pigmentation",
    "result.score_info.water_score": "moisture",
    "result.score_info.total_score": "total_score",
    "result.face_maps.texture_enhanced_pores": "pores",
    "result.face_maps.texture_enhanced_blackheads": "blackheads",
    "result.face_maps.texture_enhanced_lines": "wrinkles",
    "result.face_maps.rough_area": "roughness",
    "result.face_maps.texture_enhanced_bw": "image",
    "result.enhanced_bw_info": "image",
    "result.face_maps.red_area": "redness",
    "result.face_maps.brown_area": "pigmentation",
    "result.face_maps.texture_enhanced_oily_area": "oiliness",
    "result.face_maps.water_area": "moisture",
    "result.face_maps.roi_outline_map": "acne",
    "left_side_result": "side_faces",
    "right_side_result": "side_faces",
    "result.skin_type": "skin_type",
    "result.oily_intensity": "oiliness",
    "result.water": "moisture",
    "result.melanin": "pigmentation",
    "result.melanin_mark": "pigmentation",
    "result.mole": "moles",
    "result.brown_spot": "pigmentation",
    "result.melasma": "pigmentation",
    "result.freckle": "pigmentation",
    "result.acne": "acne",
    "result.acne_pustule": "acne",
    "result.acne_nodule": "acne",
    "result.acne_mark": "acne",
    "result.closed_comedones": "acne",
    "result.sensitivity": "redness",
    "result.sensitivity_mark": "redness",
    "result.skin_age": "skin_age",
    "result.cheekbone_mark": "geometry",
    "result.eye_pouch": "eye_bags",
    "result.eye_pouch_severity": "eye_bags",
    "result.left_eye_pouch_rect": "eye_bags",
    "result.right_eye_pouch_rect": "eye_bags",
    "result.dark_circle": "dark_circles",
    "result.dark_circle_severity": "dark_circles",
    "result.left_dark_circle_rete": "dark_circles",
    "result.right_dark_circle_rete": "dark_circles",
    "result.left_dark_circle_pigment": "dark_circles",
    "result.right_dark_circle_pigment": "dark_circles",
    "result.left_dark_circle_structural": "dark_circles",
    "result.right_dark_circle_structural": "dark_circles",
    "result.dark_circle_mark": "dark_circles",
    "result.dark_circle_outline": "dark_circles",
}

ADVANCED: dict[str, str] = {
    "request_id": "envelope",
    "log_id": "envelope",
    "error_code": "envelope",
    "error_code_str": "envelope",
    "error_msg": "envelope",
    "warning": "quality",
    "face_rectangle": "geometry",
    "result.skin_color": "tone",
    "result.skintone_ita": "tone",
    "result.skin_hue_ha": "tone",
    "result.pores_forehead": "pores",
    "result.pores_left_cheek": "pores",
    "result.pores_right_cheek": "pores",
    "result.pores_jaw": "pores",
    "result.blackhead": "blackheads",
    "result.forehead_wrinkle": "wrinkles",
    "result.crows_feet": "wrinkles",
    "result.eye_finelines": "wrinkles",
    "result.glabella_wrinkle": "wrinkles",
    "result.nasolabial_fold": "wrinkles",
    "result.nasolabial_fold_severity": "wrinkles",
    "result.skin_age": "skin_age",
    "result.left_eyelids": "eyelids",
    "result.right_eyelids": "eyelids",
    "result.eye_pouch": "eye_bags",
    "result.eye_pouch_severity": "eye_bags",
    "result.dark_circle": "dark_circles",
    "result.skin_type": "skin_type",
    "result.acne": "acne",
    "result.mole": "moles",
    "result.closed_comedones": "acne",
    "result.skin_spot": "pigmentation",
    "result.sensitivity": "redness",
    "result.face_maps.red_area": "redness",
}

FACE_FIELD: dict[str, str] = {
    "error_code": "envelope",
    "error_msg": "envelope",
    "log_id": "envelope",
    "timestamp": "envelope",
    "cached": "envelope",
    "result.face_num": "geometry",
    "result.face_list[].face_token": "geometry",
    "result.face_list[].location": "geometry",
    "result.face_list[].skin.color": "tone",
    "result.face_list[].skin.smooth": "roughness",
    "result.face_list[].wrinkle": "wrinkles",
    "result.face_list[].blackheadpore.poly": "pores",
    "result.face_list[].blackheadpore.circles": "pores",
    "result.face_list[].blackheadpore.pore_num": "pores",
    "result.face_list[].blackheadpore.blackhead_num": "blackheads",
    "result.face_list[].blackheadpore.pore_segs_type": "pore_types",
    "result.face_list[].blackheadpore.blackhead_segs_type": "pore_types",
    "result.face_list[].acnespotmole.acne_num": "acne",
    "result.face_list[].acnespotmole.acne_list": "acne",
    "result.face_list[].acnespotmole.speckle_num": "pigmentation",
    "result.face_list[].acnespotmole.speckle_list": "pigmentation",
    "result.face_list[].acnespotmole.mole_num": "moles",
    "result.face_list[].acnespotmole.mole_list": "moles",
    "result.face_list[].eyesattr": "dark_circles",
    "result.face_list[].eyesattr.eye_bags_left": "eye_bags",
    "result.face_list[].eyesattr.eye_bags_right": "eye_bags",
    "result.face_list[].skinface.skin_health_check_images.src_pic": "image",
    "result.face_list[].skinface.skin_health_check_images.gray_pic": "image",
    "result.face_list[].skinface.skin_health_check_images.brown_pic": "pigmentation",
    "result.face_list[].skinface.skin_health_check_images.red_pic": "redness",
    "result.face_list[].skinquality.skin_dryoil_check": "skin_type",
    "result.face_list[].skinquality.skin_sensitive_check": "redness",
}

#: YouCam SD concern (``dst_actions`` / ``output[].type``) -> skincore concern.
YOUCAM_SD: dict[str, str] = {
    "wrinkle": "wrinkles",
    "pore": "pores",
    "texture": "roughness",
    "droopy_upper_eyelid": "eyelids",
    "droopy_lower_eyelid": "eyelids",
    "firmness": "firmness",
    "acne": "acne",
    "moisture": "moisture",
    "eye_bag": "eye_bags",
    "dark_circle_v2": "dark_circles",
    "age_spot": "pigmentation",
    "radiance": "radiance",
    "redness": "redness",
    "oiliness": "oiliness",
    "tear_trough": "eye_bags",
    "skin_type": "skin_type",
    "all": "total_score",
    "skin_age": "skin_age",
}

#: YouCam HD concern -> skincore concern.
YOUCAM_HD: dict[str, str] = {
    ("hd_dark_circle" if k == "dark_circle_v2" else k if k in ("all", "skin_age") else f"hd_{k}"): v
    for k, v in YOUCAM_SD.items()
}

#: Every dialect's table.
TABLES: dict[str, dict[str, str]] = {
    "ailab-pro": PRO,
    "ailab-advanced": ADVANCED,
    "face-field": FACE_FIELD,
    "youcam-sd": YOUCAM_SD,
    "youcam-hd": YOUCAM_HD,
}


def implemented(source: str) -> bool:
    """Whether a field source is measured by this build of skincore."""
    return source in ALWAYS or source in REGISTRY or source in ON_REQUEST


def not_implemented(dialect: str) -> dict[str, str]:
    """Return the documented fields of ``dialect`` that skincore does not produce, with why.

    Parameters
    ----------
    dialect : str
        A dialect with a table (:data:`TABLES`).

    Returns
    -------
    dict of str to str
        Field path -> reason, derived from the table and the registry.
    """
    out: dict[str, str] = {}
    for path, source in TABLES[dialect].items():
        if implemented(source):
            continue
        out[path] = WONT_MEASURE.get(source, f"the {source!r} concern is not implemented yet")
    return out


def missing_concerns() -> tuple[str, ...]:
    """Every concern named by a dialect table that the registry lacks, sorted."""
    names = {s for t in TABLES.values() for s in t.values()}
    return tuple(sorted(n for n in names if not implemented(n) and n not in WONT_MEASURE))
