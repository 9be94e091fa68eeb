"""Perfect Corp YouCam skin analysis formats: ``youcam-sd`` and ``youcam-hd``.

Pure rendering of the task-result envelope (``status`` / ``data.results.output``)
and of ``score_info.json``. YouCam's concerns (wrinkle, pore, texture, ...) appear
in ``output`` only once the engine measures them; until then the list holds what
is measured. Unmeasured concerns are listed in :data:`NOT_IMPLEMENTED_SD` /
:data:`NOT_IMPLEMENTED_HD`, derived from the field tables and the registry.
"""

from __future__ import annotations

from typing import Any

from skincore.analysis import Analysis
from skincore.dialects.fields import not_implemented
from skincore.errors import as_skin_error
from skincore.grading import score_of

NOT_IMPLEMENTED_SD: dict[str, str] = not_implemented("youcam-sd")
"""SD concerns not produced, with why (derived from :data:`skincore.dialects.fields.YOUCAM_SD`)."""

NOT_IMPLEMENTED_HD: dict[str, str] = not_implemented("youcam-hd")
"""HD concerns not produced, with why (derived from the field table)."""


#: YouCam entry -> (SD concern, HD concern), for the concerns rendered, and
#: the HD sub-categories (groups of :data:`skincore.grading.ZONE_GROUPS`). An entry
#: is a skincore concern, or one of the groups of :data:`_FROM_GROUPS`.
_CONCERNS = {
    "pores": ("pore", "hd_pore"),
    "wrinkles": ("wrinkle", "hd_wrinkle"),
    "roughness": ("texture", "hd_texture"),
    "dark_circles": ("dark_circle_v2", "hd_dark_circle"),
    "oiliness": ("oiliness", "hd_oiliness"),
    "redness": ("redness", "hd_redness"),
    "pigmentation": ("age_spot", "hd_age_spot"),
    "acne": ("acne", "hd_acne"),
    "skin_type": ("skin_type", "hd_skin_type"),
    "moisture": ("moisture", "hd_moisture"),
    "radiance": ("radiance", "hd_radiance"),
    "firmness": ("firmness", "hd_firmness"),
    "droopy_upper_eyelid": ("droopy_upper_eyelid", "hd_droopy_upper_eyelid"),
    "droopy_lower_eyelid": ("droopy_lower_eyelid", "hd_droopy_lower_eyelid"),
    "eye_bag": ("eye_bag", "hd_eye_bag"),
    "tear_trough": ("tear_trough", "hd_tear_trough"),
}

#: Entries scored by a group of another concern's scores: entry -> (concern, group).
_FROM_GROUPS = {"eye_bag": ("eye_bags", "eye_bag"), "tear_trough": ("eye_bags", "tear_trough")}

_HD_SUBS = {
    "pores": ("forehead", "nose", "cheek", "whole"),
    "wrinkles": (
        "forehead",
        "glabellar",
        "crowfeet",
        "periocular",
        "nasolabial",
        "marionette",
        "whole",
    ),
    "roughness": ("whole",),
    "dark_circles": ("whole",),
    "oiliness": ("whole",),
    "redness": ("whole",),
    "pigmentation": ("whole",),
    "acne": ("whole",),
    "skin_type": ("whole", "t_zone", "u_zone"),
    "eye_bag": ("whole",),
    "tear_trough": ("whole",),
    "moisture": ("whole",),
    "radiance": ("whole",),
    "firmness": ("whole",),
    "droopy_upper_eyelid": ("whole",),
    "droopy_lower_eyelid": ("whole",),
}

#: HD concerns whose score_info entry is keyed by sub-category (the document's
#: "Subcategories[...]"); the others are one flat entry, as its example shows.
_HD_NESTED = ("pores", "wrinkles", "roughness", "acne", "skin_type")

#: Concerns with one mask (no per-sub-category files) in HD.
_SINGLE_MASK = (
    "roughness",
    "dark_circles",
    "oiliness",
    "redness",
    "pigmentation",
    "acne",
    "eye_bag",
    "moisture",
    "radiance",
    "firmness",
    "droopy_upper_eyelid",
    "droopy_lower_eyelid",
)

#: Pictures the document names without ``_output``.
_PLAIN_MASK = ("skin_type", "tear_trough")


def _entry_scores(analysis: Analysis) -> dict[str, dict[str, Any]]:
    """Return the largest face's scores per YouCam entry (``whole`` and sub-categories)."""
    scores = analysis.faces[0].scores or {}
    out = {k: v for k, v in scores.items() if k in _CONCERNS}
    for entry, (concern, group) in _FROM_GROUPS.items():
        if group in scores.get(concern, {}):
            out[entry] = {"whole": scores[concern][group]}
    g = analysis.faces[0].grades.get("eyelids")
    if g is not None:  # the two droop scores of the eyelid concern's grade
        for entry in ("droopy_upper_eyelid", "droopy_lower_eyelid"):
            if entry in g.extra:
                out[entry] = {"whole": score_of(float(g.extra[entry]))}
    return out


def mask_name(group: str, sub: str, *, hd: bool) -> str:
    """Return the YouCam mask file name of a concern (and HD sub-category)."""
    if group in _PLAIN_MASK:  # one picture, named without "_output" in the document
        return f"hd_{group}.png" if hd else f"{group}.png"
    if not hd:
        return f"{_CONCERNS[group][0]}_output.png"
    if group in _SINGLE_MASK:
        return f"{_CONCERNS[group][1]}_output.png"
    return f"{_CONCERNS[group][1]}_output_{'all' if sub == 'whole' else sub}.png"


def score_info(analysis: Analysis, *, hd: bool) -> dict[str, Any]:
    """Return ``score_info.json`` of the result ZIP (largest face), measured fields only."""
    scores = _entry_scores(analysis)
    info: dict[str, Any] = {}
    age = _skin_age(analysis)
    if age is not None:
        info["skin_age"] = age
    labels = skin_type_labels(analysis)
    for group, (sd_name, hd_name) in _CONCERNS.items():
        g = scores.get(group)
        if not g:
            continue

        def entry(sub: str, group: str = group, g: dict = g) -> dict[str, Any]:
            out: dict[str, Any] = {
                "raw_score": g[sub].raw,
                "ui_score": g[sub].ui,
                "output_mask_name": mask_name(group, sub, hd=hd),
            }
            if group == "skin_type" and sub in labels:
                out["skin_type"] = labels[sub]
            return out

        if group in _HD_NESTED and (hd or group == "skin_type"):
            info[hd_name if hd else sd_name] = {
                sub: entry(sub) for sub in _HD_SUBS[group] if sub in g
            }
        else:
            info[hd_name if hd else sd_name] = entry("whole")
    total = analysis.faces[0].total_score
    if total is not None:
        info["all"] = {"score": total.raw}
    return info


#: YouCam skin-type names of skincore's face types and zone calls.
_TYPE_LABELS = {
    "oily": "Oily",
    "dry": "Dry",
    "normal": "Normal",
    "neutral": "Normal",
    "combination": "Combination",
}


def skin_type_labels(analysis: Analysis) -> dict[str, str]:
    """YouCam skin-type names for ``whole``, ``t_zone`` and ``u_zone`` of the largest face.

    The document's types add "Redness" ("Redness" alone for normal skin, else
    "<type> & Redness") when the redness concern grades the face moderate or worse.
    """
    face = analysis.faces[0]
    st = face.skin_type
    if st is None:
        return {}
    rg = face.grades.get("redness")
    red = rg is not None and rg.whole.severity >= 2

    def name(kind: str) -> str:
        base = _TYPE_LABELS[kind]
        if not red:
            return base
        return "Redness" if base == "Normal" else f"{base} & Redness"

    out = {"whole": name(st.kind)}
    for zone in ("t_zone", "u_zone"):
        if zone in st.zones:
            out[zone] = name(st.zones[zone].call)
    return out


def _skin_age(analysis: Analysis) -> int | None:
    age = analysis.faces[0].skin_age
    return None if age is None else int(round(age.age))


def _outputs(analysis: Analysis, hd: bool, mask_base_url: str | None) -> list[dict[str, Any]]:
    scores = _entry_scores(analysis)
    out: list[dict[str, Any]] = []
    age = _skin_age(analysis)
    if age is not None:
        # The document shows skin_age only in score_info.json (an integer); the task
        # output carries it as skincore's {"type": "skin_age", "value": <years>}.
        out.append({"type": "skin_age", "value": age})
    for group, names in _CONCERNS.items():
        g = scores.get(group)
        if not g:
            continue
        item: dict[str, Any] = {
            "type": names[1] if hd else names[0],
            "ui_score": g["whole"].ui,
            "raw_score": g["whole"].raw,
        }
        if group == "skin_type":
            item["value"] = skin_type_labels(analysis).get("whole")
        if mask_base_url is not None:
            subs = [s for s in _HD_SUBS[group] if s in g] if hd else ["whole"]
            files = dict.fromkeys(mask_name(group, s, hd=hd) for s in subs)
            item["mask_urls"] = [f"{mask_base_url.rstrip('/')}/{f}" for f in files]
        out.append(item)
    total = analysis.faces[0].total_score
    if total is not None:
        out.append({"type": "all", "score": total.raw})
    return out


def render(analysis: Analysis, *, hd: bool, mask_base_url: str | None = None) -> dict[str, Any]:
    """Render a finished YouCam skin-analysis task.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis (the largest face is reported).
    hd : bool
        HD concern names (``hd_pore``...) instead of SD.
    mask_base_url : str, optional
        Where the mask PNGs are served; ``mask_urls`` are given only with it.
    """
    return {
        "status": 200,
        "data": {
            "task_status": "success",
            "results": {"output": _outputs(analysis, hd, mask_base_url)},
        },
    }


def render_error(err: BaseException) -> dict[str, Any]:
    """Render a failure as YouCam's error response (non-SkinErrors: ``internal_error``)."""
    err = as_skin_error(err)
    return {"status": err.http_status, "error": err.detail, "error_code": err.spec.youcam_code}
