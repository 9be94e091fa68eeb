"""The ``face-field`` format: multi-face ``face_list`` with ``location`` and skin fields.

Pure rendering. Faces are listed largest first, as many as ``max_faces`` asked
for. Unmeasured fields are absent and listed in :data:`NOT_IMPLEMENTED`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from skincore.analysis import Analysis, FaceResult, Lesion
from skincore.dialects._common import log_id_int, r2
from skincore.dialects.fields import not_implemented
from skincore.errors import SkinError, as_skin_error

NOT_IMPLEMENTED: dict[str, str] = not_implemented("face-field")
"""face_field fields not produced, with why (derived from the field table)."""

#: ``face_field`` request values (the document's list) and the keys each adds.
FACE_FIELDS: dict[str, tuple[str, ...]] = {
    "color": ("skin.color",),
    "smooth": ("skin.smooth",),
    "acnespotmole": ("acnespotmole",),
    "wrinkle": ("wrinkle",),
    "eyesattr": ("eyesattr",),
    "blackheadpore": ("blackheadpore",),
    "skinface": ("skinface",),
    "skinquality": ("skinquality",),
}


def parse_face_field(value: str | Sequence[str] | None) -> frozenset[str]:
    """Parse the ``face_field`` request option (comma-separated, any order).

    Raises
    ------
    SkinError
        ``invalid_argument`` naming unknown values.
    """
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip() for v in items if str(v).strip()]
    unknown = [n for n in names if n not in FACE_FIELDS]
    if unknown:
        raise SkinError(
            "invalid_argument",
            f"face_field: unknown values {unknown}; known: {list(FACE_FIELDS)}",
        )
    return frozenset(names)


#: face_field wrinkle types by zone (cheek lines have no face_field type).
WRINKLE_TYPES = {
    "forehead": 1,
    "glabella": 2,
    "left_under_eye": 3,
    "right_under_eye": 3,
    "left_crows_feet": 4,
    "right_crows_feet": 4,
    "left_nasolabial": 5,
    "right_nasolabial": 5,
    "left_mouth_corner": 6,
    "right_mouth_corner": 6,
}

#: Zones whose pores face_field reports (``class_id`` 1); blackheads are on the nose.
_PORE_POLY_ZONES = ("forehead", "left_cheek", "right_cheek", "chin", "nose")


def _face_token(analysis: Analysis, face: FaceResult) -> str:
    b = face.geometry.box
    key = f"{analysis.meta.request_id}:{face.index}:{b.left:.1f}:{b.top:.1f}"
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


#: face_field ``acne_list`` types (0 whitehead, 1 acne mark, 2 pustule, 3 nodule) by
#: skincore kind. The document has no papule type: papules share 2 with pustules
#: (inflamed lesions); closed comedones are whiteheads.
ACNE_TYPES = {"closed_comedone": 0, "acne_mark": 1, "papule": 2, "pustule": 2, "nodule": 3}

#: face_field ``speckle_list`` types used: 1 freckle (spots smaller than the
#: pigmentation concern's ``freckle_max_mm2``), 3 age spot (larger). Chloasma (0)
#: is a patch, reported by Pro's ``melasma``; sunburn (2) is not told apart.
SPECKLE_FRECKLE, SPECKLE_AGE_SPOT = 1, 3


def _box(les: Lesion) -> dict[str, float]:
    r = les.rect
    return {
        "score": r2(les.confidence),
        "left": r2(r.left),
        "top": r2(r.top),
        "right": r2(r.right),
        "bottom": r2(r.bottom),
    }


def _acnespotmole(face: FaceResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if face.acne is not None:
        acne = [{"type": ACNE_TYPES[x.kind], **_box(x)} for x in face.acne.lesions]
        out["acne_num"] = len(acne)
        out["acne_list"] = acne
    if face.pigmentation is not None and face.pigmentation.spots is not None:
        small = face.pigmentation.freckle_max_mm2
        spots = [
            {"type": SPECKLE_FRECKLE if x.area_mm2 < small else SPECKLE_AGE_SPOT, **_box(x)}
            for x in face.pigmentation.spots
        ]
        out["speckle_num"] = len(spots)
        out["speckle_list"] = spots
    if face.moles is not None:
        out["mole_num"] = int(face.moles.count)
        out["mole_list"] = [_box(x) for x in face.moles.lesions]
    return out


#: ``skin_dryoil_check`` zones in the document's order and the codes of the calls.
DRYOIL_ZONES = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
DRYOIL_CODES = {"dry": "0", "neutral": "1", "oily": "2"}

#: ``skin_sensitive_check`` code ("0" tolerant, "1" neutral, "2" sensitive) by
#: redness severity 0-3.
SENSITIVE_CODES = ("0", "1", "2", "2")


def _face(
    analysis: Analysis,
    face: FaceResult,
    fields: frozenset[str],
    pictures: Mapping[str, bytes],
) -> dict[str, Any]:
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
    skin: dict[str, int] = {}
    if "color" in fields and face.tone is not None and face.tone.ita_class <= 5:
        # color is graded 1-6, lighter first: the six ITA classes in order.
        skin["color"] = int(face.tone.ita_class) + 1
    rg = face.grades.get("roughness")
    if "smooth" in fields and rg is not None:
        skin["smooth"] = int(rg.extra["smooth"])
    if skin:
        item["skin"] = skin
    if "wrinkle" in fields and face.wrinkles is not None:
        types: list[int] = []
        data: list[list[dict[str, float]]] = []
        for zone_name, zone in face.wrinkles.zones.items():
            t = WRINKLE_TYPES.get(zone_name)
            if t is None:
                continue
            for line in zone.lines:
                types.append(t)
                data.append([{"x": r2(x), "y": r2(y)} for x, y in line.points])
        item["wrinkle"] = {"wrinkle_num": len(types), "wrinkle_types": types, "wrinkle_data": data}
    if "eyesattr" in fields and (face.dark_circles is not None or face.eye_bags is not None):
        item["eyesattr"] = _eyesattr(face)
    bp = _blackheadpore(face) if "blackheadpore" in fields else {}
    if bp:
        item["blackheadpore"] = bp
    asm = _acnespotmole(face) if "acnespotmole" in fields else {}
    if asm:
        item["acnespotmole"] = asm
    if "skinface" in fields and pictures:
        item["skinface"] = {
            "skin_health_check_images": {
                k: base64.b64encode(v).decode("ascii") for k, v in pictures.items()
            }
        }
    quality: dict[str, list[str]] = {}
    st = face.skin_type
    if st is not None and all(z in st.zones for z in DRYOIL_ZONES):
        quality["skin_dryoil_check"] = [DRYOIL_CODES[st.zones[z].call] for z in DRYOIL_ZONES]
    rg = face.grades.get("redness")
    if rg is not None:
        quality["skin_sensitive_check"] = [SENSITIVE_CODES[rg.whole.severity]]
    if "skinquality" in fields and quality:
        item["skinquality"] = quality
    return item


#: face_field's dark-circle type codes (0 pigment, 1 shadow, 2 vascular) by
#: skincore's (1 pigmented, 2 vascular, 3 shadow).
FACE_FIELD_TYPES = {1: 0, 3: 1, 2: 2}


def _eyesattr(face: FaceResult) -> dict[str, Any]:
    """Dark-circle and eye-bag types (face_field codes) and outlines."""
    out: dict[str, Any] = {}
    dc, g = face.dark_circles, face.grades.get("dark_circles")
    for side in ("left", "right"):
        eye = getattr(dc, side) if dc is not None and g is not None else None
        if eye is None:
            continue
        t = int(g.extra[f"{side}_type"]) if g is not None else 0
        if t:
            out[f"dark_circle_{side}_type"] = FACE_FIELD_TYPES[t]
            out[f"dark_circle_{side}"] = [{"x": r2(x), "y": r2(y)} for x, y in eye.outline]
        else:
            out[f"dark_circle_{side}"] = []
    bags, bg = face.eye_bags, face.grades.get("eye_bags")
    for side in ("left", "right"):
        bag = getattr(bags, side) if bags is not None and bg is not None else None
        if bag is None:
            continue
        # 1 fat, 2 tear groove, 3 mixed (0: none)
        t = int(bg.extra[f"{side}_type"]) if bg is not None else 0
        if t:
            out[f"eye_bags_{side}_type"] = [t]
            out[f"eye_bags_{side}"] = [{"x": r2(x), "y": r2(y)} for x, y in bag.outline]
        else:
            out[f"eye_bags_{side}"] = []
    return out


def _circles(blobs) -> list[dict[str, float]]:
    return [{"x": r2(x), "y": r2(y), "r": r2(r)} for x, y, r, _ in blobs]


def _poly(face: FaceResult, zone: str, class_id: int, score: float) -> dict[str, Any] | None:
    poly = face.geometry.regions.get(zone)
    if poly is None or len(poly) < 3:
        return None
    return {
        "class_id": class_id,
        "score": r2(score),
        "left": r2(poly[:, 0].min()),
        "right": r2(poly[:, 0].max()),
        "top": r2(poly[:, 1].min()),
        "bottom": r2(poly[:, 1].max()),
        "point": [{"x": r2(x), "y": r2(y)} for x, y in poly],
    }


def _blackheadpore(face: FaceResult) -> dict[str, Any]:
    if face.pores is None and face.blackheads is None:
        return {}
    out: dict[str, Any] = {}
    polys: list[dict[str, Any]] = []
    circles: dict[str, list[dict[str, float]]] = {}
    bg = face.grades.get("blackheads")
    if face.blackheads is not None and bg is not None:
        circles["blackhead"] = _circles(face.blackheads.blobs)
        out["blackhead_num"] = int(face.blackheads.count)
        if face.blackheads.count:
            p = _poly(face, "nose", 0, bg.whole.confidence)
            if p:
                polys.append(p)
    pg = face.grades.get("pores")
    if face.pores is not None and pg is not None:
        circles["pore"] = _circles(face.pores.blobs)
        out["pore_num"] = int(len(face.pores.blobs))
        for zone in _PORE_POLY_ZONES:
            z = face.pores.zones.get(zone)
            if z is not None and z.count:
                p = _poly(face, zone, 1, pg.zones[zone].confidence)
                if p:
                    polys.append(p)
    out["poly"] = polys
    out["circles"] = [circles]
    return out


def render(
    analysis: Analysis,
    *,
    face_field: str | Sequence[str] | None = None,
    pictures: Mapping[int, Mapping[str, bytes]] | None = None,
) -> dict[str, Any]:
    """Render the face_field skin analysis response.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    face_field : str or sequence of str, optional
        The request's ``face_field`` (comma-separated names of
        :data:`FACE_FIELDS`). By default only ``face_token`` and ``location``
        are returned, as the document says.
    pictures : mapping, optional
        Face index -> ``skinface`` JPEGs by name (``src_pic``, ``gray_pic``,
        ``brown_pic``, ``red_pic``), drawn by :mod:`skincore.visuals`; without
        them ``skinface`` is absent.
    """
    pics = pictures or {}
    fields = parse_face_field(face_field)
    return {
        "error_code": 0,
        "error_msg": "SUCCESS",
        "log_id": log_id_int(analysis),
        "timestamp": int(analysis.meta.created_unix),
        "cached": 0,
        "result": {
            "face_num": len(analysis.faces),
            "face_list": [
                _face(analysis, f, fields, pics.get(f.index, {})) for f in analysis.faces
            ],
        },
    }


def render_error(err: BaseException, request_id: str, created_unix: int) -> dict[str, Any]:
    """Render a failure as face_field's error response (non-SkinErrors: ``internal_error``)."""
    err = as_skin_error(err)
    try:
        log_id = int(request_id[:13], 16)
    except ValueError:  # a caller's request id that is not hexadecimal
        log_id = int(hashlib.sha256(request_id.encode("utf-8", "replace")).hexdigest()[:13], 16)
    return {
        "error_code": err.http_status,
        "error_msg": f"{err.code}: {err.detail}",
        "log_id": log_id,
        "timestamp": int(created_unix),
        "cached": 0,
        "result": None,
    }
