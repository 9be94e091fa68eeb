"""Skin type: oily, dry, normal or combination, per zone and for the face.

What is measured
----------------
A photo shows two things about the skin's oil and water balance: *shine* (sebum
and sweat reflect the light specularly) and *texture* (dry skin looks matte and
flaky). Per zone (forehead, nose, both cheeks, chin, and the pooled T- and
U-zones; a zone less than ``min_skin_share`` skin, e.g. a bearded chin, is not
judged) this concern reads

* the shine share of the zone's skin, from the oiliness concern's shine map
  (:func:`skincore.concerns.oiliness.face_shine`, the same pixels the
  ``oiliness`` fields report), and
* the rough share of the zone's skin, from the roughness concern
  (:mod:`skincore.concerns.roughness`; absent where the photo is too coarse for
  it, then no zone is called dry).

A zone is *oily* when its shine share is at least ``oily_shine``; *dry* when it
is matte (shine under ``dry_max_shine``) and rough on at least ``dry_rough`` of
its skin; *neutral* otherwise. The face is *oily* when both the T-zone and the
U-zone (cheeks, chin) are oily, *combination* when only the T-zone is, *dry*
when the U-zone is dry and the T-zone is not oily, else *normal*.

Confidence of each decision: a logistic of the deciding share's distance to its
threshold (:func:`skincore.grading.margin_confidence`, ``confidence_spread``); a
type that needs two decisions takes the smaller. Score (AILab
``skin_type_score``, YouCam ``raw_score``): ``100 * exp(-(o + d))`` with ``o`` the
T/U shine above ``oily_shine`` in units of ``score_shine`` and ``d`` the rough share
above ``dry_rough`` in units of ``score_rough``: 100 for a balanced face, lower
the oilier or drier it looks.

Limits
------
Thresholds set by hand on the repository's photos (no labelled skin-type data
set here). Light decides shine: a flash makes every face oilier, diffuse light
and powder drier. A photo cannot measure hydration; "dry" here means matte and
rough-textured, and beard stubble reads as rough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from skincore.analysis import SkinType, SkinTypeZone
from skincore.concerns import oiliness, roughness
from skincore.concerns.base import Concern
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Per-zone calls and the face's type, in AILab's codes (0 oily, 1 dry, 2 neutral
#: / normal, 3 combination).
TYPES = ("oily", "dry", "normal", "combination")

#: Zones classified (face_field ``skin_dryoil_check`` order first) and what
#: T- and U-zone pool.
ZONES = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
POOLS = {"t_zone": ("forehead", "nose"), "u_zone": ("left_cheek", "right_cheek", "chin")}


@dataclass(frozen=True)
class Params:
    """Skin-type settings (see the module docstring).

    Attributes
    ----------
    oil : oiliness.Params
        The shine map's settings (the oiliness concern's by default).
    texture : roughness.Params
        The roughness measurement's settings.
    oily_shine : float
        Shine share from which a zone is oily.
    dry_max_shine, dry_rough : float
        A zone is dry when its shine share is under ``dry_max_shine`` and its
        rough share at least ``dry_rough``.
    confidence_spread : float
        Share per logistic unit of the confidences.
    score_shine, score_rough : float
        Scales of the score's fall-off beyond the thresholds.
    min_skin_share : float
        A zone is called only when at least this share of its polygon is skin
        (a chin under a beard is not judged).
    """

    oil: oiliness.Params = field(default_factory=oiliness.Params)
    texture: roughness.Params = field(default_factory=roughness.Params)
    oily_shine: float = 0.03
    dry_max_shine: float = 0.005
    dry_rough: float = 0.25
    confidence_spread: float = 0.01
    score_shine: float = 0.05
    score_rough: float = 0.25
    min_skin_share: float = 0.3


def _rough_zones(work, params: Params) -> dict[str, float] | None:  # noqa: ANN001 - FaceWork
    """Rough share per zone, or None where the photo is too coarse for roughness.

    (Roughness returns None under its own floor: :data:`roughness.MIN_PX_PER_MM`.)
    """
    result = work.result_of(roughness.CONCERN, params.texture)
    if result is None:
        return None
    zones = dict(result.zones)
    rough = result.mask > 0
    # the nose is not a roughness zone: measure it on the same mask
    tex = work.texture
    nose = tex.masks["nose"] > 0
    if rough.shape == nose.shape and nose.any():
        zones["nose"] = float(np.count_nonzero(rough & nose)) / int(np.count_nonzero(nose))
    return zones


def _zone_call(shine: float, rough: float | None, p: Params) -> tuple[str, float]:
    """(``oily`` / ``dry`` / ``neutral``, confidence) of one zone."""
    if shine >= p.oily_shine:
        return "oily", margin_confidence(shine, p.oily_shine, p.confidence_spread)
    oily_conf = margin_confidence(shine, p.oily_shine, p.confidence_spread)
    if rough is not None and shine < p.dry_max_shine and rough >= p.dry_rough:
        return "dry", min(
            margin_confidence(shine, p.dry_max_shine, p.confidence_spread),
            margin_confidence(rough, p.dry_rough, p.confidence_spread),
        )
    if rough is None:
        return "neutral", oily_conf
    dry_conf = max(
        margin_confidence(shine, p.dry_max_shine, p.confidence_spread)
        if shine >= p.dry_max_shine
        else 0.0,
        margin_confidence(rough, p.dry_rough, p.confidence_spread),
    )
    return "neutral", min(oily_conf, dry_conf)


def measure(work, params: Params) -> SkinType | None:  # noqa: ANN001 - FaceWork
    """Per-zone oily / dry / neutral calls and the face's type."""
    cm = work.colour
    if not np.any(cm.masks["face"]):
        return None
    shine, _ = oiliness.face_shine(work, params.oil)
    rough = _rough_zones(work, params)
    zones: dict[str, SkinTypeZone] = {}
    masks = {z: cm.masks[z] > 0 for z in ZONES}
    usable = {
        z: np.count_nonzero(masks[z])
        >= params.min_skin_share * max(1, int(np.count_nonzero(cm.masks[f"{z}_polygon"])))
        for z in ZONES
    }
    for name, members in {**{z: (z,) for z in ZONES}, **POOLS}.items():
        members = tuple(m for m in members if usable[m])
        sel = np.zeros(shine.shape, bool)
        for m in members:
            sel |= masks[m]
        n = int(np.count_nonzero(sel))
        if n == 0:
            continue
        s = float(np.count_nonzero(shine & sel)) / n
        r = None
        if rough is not None and all(m in rough for m in members):
            r = float(np.mean([rough[m] for m in members]))
        call, conf = _zone_call(s, r, params)
        zones[name] = SkinTypeZone(call=call, shine=s, rough=r, confidence=conf, area_px=n)
    t, u = zones.get("t_zone"), zones.get("u_zone")
    if t is None or u is None:
        return None
    if t.call == "oily" and u.call == "oily":
        kind, conf = "oily", min(t.confidence, u.confidence)
    elif t.call == "oily":
        kind, conf = "combination", min(t.confidence, u.confidence)
    elif u.call == "dry":
        kind, conf = "dry", min(t.confidence, u.confidence)
    else:
        kind, conf = "normal", min(t.confidence, u.confidence)
    return SkinType(kind=kind, confidence=conf, zones=zones)


def score(shine: float, rough: float | None, params: Params) -> float:
    """1-100: 100 for balanced skin, lower the more shine or roughness past the thresholds."""
    o = max(0.0, shine - params.oily_shine) / params.score_shine
    d = 0.0 if rough is None else max(0.0, rough - params.dry_rough) / params.score_rough
    return round(max(1.0, 100.0 * math.exp(-(o + d))), 1)


def grade(result: SkinType, params: Params) -> ConcernGrade:
    """Type code (AILab 0-3) with its confidence; a score per zone and for the face."""
    zones = {
        name: Grade(
            severity={"oily": 0, "dry": 1, "neutral": 2}[z.call],
            confidence=z.confidence,
            score=score(z.shine, z.rough, params),
        )
        for name, z in result.zones.items()
    }
    whole_score = min(zones["t_zone"].score, zones["u_zone"].score)
    whole = Grade(
        severity=TYPES.index(result.kind), confidence=result.confidence, score=whole_score
    )
    return ConcernGrade(
        whole=whole, zones=zones, weights={n: float(z.area_px) for n, z in result.zones.items()}
    )


CONCERN: Concern = Concern(
    name="skin_type",
    summary="skin type (oily, dry, normal, combination) from shine and texture per zone",
    params=Params,
    result=SkinType,
    measure=measure,
    grade=grade,
)
