"""Moisture (AILab *water*, YouCam *moisture*): skin that looks dehydrated.

What a photo can and cannot show
--------------------------------
A photo cannot measure the water content of the skin (that takes a
corneometer). What it shows of dry, dehydrated skin is its *look*: a matte
surface (no sheen) with a fine, uneven, flaky texture. This concern reports
that look, under the vendors' names, and nothing more.

What is measured
----------------
On the texture grid, a skin pixel *looks dehydrated* when it is

* rough: in the roughness concern's rough mask (local texture amplitude of the
  0.3-1.2 mm band above its threshold; :mod:`skincore.concerns.roughness`), and
* matte: no shine (:func:`skincore.concerns.oiliness.face_shine`) within
  ``matte_mm`` of it (oil or sweat on the surface is not dry skin).

Per zone (forehead, both cheeks, chin) the dehydrated share of the zone's skin
(the skin roughness measures: :func:`skincore.concerns.roughness.measured_skin`);
over the face the dehydrated share (AILab ``water_area``) and a severity 0-100
(``water_severity``): ``100 * min(1, area / full_area)``. The map shades each
dehydrated pixel by how far its texture exceeds the roughness threshold.

Grading (:func:`grade`)
-----------------------
Score ``100 * exp(-area / score_area)`` (AILab ``water_score``, YouCam
``moisture``), per zone and for the face; severity bands of the face's area
(``area_bands``). Hand-set, documented; no graded moisture data set here.

Limits
------
Beard stubble, peach fuzz and make-up texture read as rough; a moisturiser or
oily skin with flaky patches reads as not dehydrated where it shines. This is
a visual proxy and must not be read as a hydration measurement. Below
roughness's resolution floor (:data:`skincore.concerns.roughness.MIN_PX_PER_MM`)
it is not measured, as roughness is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore import geometry, texture
from skincore.analysis import ROUGH_ZONES, MaskLayer, Moisture
from skincore.concerns import oiliness, roughness
from skincore.concerns.base import Concern
from skincore.face.regions import zone_window
from skincore.grading import ConcernGrade, banded


@dataclass(frozen=True)
class Params:
    """Moisture settings (see the module docstring).

    Attributes
    ----------
    texture : roughness.Params
        The roughness measurement the dehydrated look starts from.
    oil : oiliness.Params
        The shine map that excludes oily skin.
    matte_mm : float
        Skin within this distance of shine is not counted as dehydrated.
    full_area : float
        Dehydrated share at which ``water_severity`` reaches 100.
    area_bands : tuple of float
        Face dehydrated shares from which the severity grade is 1, 2 and 3.
    confidence_spread : float
        Share per logistic unit of the confidence.
    score_area : float
        Dehydrated share at which the score falls by a factor e.
    """

    texture: roughness.Params = field(default_factory=roughness.Params)
    oil: oiliness.Params = field(default_factory=oiliness.Params)
    matte_mm: float = 3.0
    full_area: float = 0.5
    area_bands: tuple[float, float, float] = (0.1, 0.25, 0.5)
    confidence_spread: float = 0.05
    score_area: float = 0.3


def _near_shine(work, params: Params) -> np.ndarray | None:  # noqa: ANN001
    """Colour-grid mask of the skin within ``matte_mm`` of shine (None: no shine).

    The texture grid reads it by nearest cells (both grids start at the crop), in
    :func:`skincore.texture.excess_levels`.
    """
    shine, _ = oiliness.face_shine(work, params.oil)
    if not shine.any():
        return None
    sigma = params.matte_mm * work.colour_px_per_mm / 2.0
    # gaussian_blur(shine, sigma) > 0.02, bit for bit, blurred only near the shine
    return geometry.blur_threshold(shine, [(max(sigma, 0.5), 0.02)], threads=work.threads)


def measure(work, params: Params) -> Moisture | None:  # noqa: ANN001 - FaceWork
    """Dehydrated-looking skin per zone on the texture grid (None without skin)."""
    rough = work.result_of(roughness.CONCERN, params.texture)
    if rough is None:
        return None
    tex = work.texture
    skin = roughness.measured_skin(tex, params.texture) > 0
    n_skin = int(np.count_nonzero(skin))
    if n_skin == 0 or rough.mask.shape != skin.shape:
        return None
    energy = roughness.face_texture_energy(work, params.texture)  # roughness's own map
    # dehydrated: rough and not near shine, shaded by how far the texture exceeds the
    # roughness threshold (1-255), in one pass over the grid
    level, n_dry = texture.excess_levels(
        energy,
        rough.mask,
        params.texture.rough_threshold,
        veto=_near_shine(work, params),
        threads=work.threads,
    )
    dry = level != 0
    zones: dict[str, float] = {}
    for name in ROUGH_ZONES:
        zw = zone_window(tex.masks, name)  # the zone's box: the same counts
        if zw is None:
            continue
        win, zm = zw
        zm &= skin[win]
        nz = int(np.count_nonzero(zm))
        if nz:
            zones[name] = float(np.count_nonzero(dry[win] & zm)) / nz
    area = float(n_dry) / n_skin
    return Moisture(
        area=area,
        severity=float(round(100.0 * min(1.0, area / params.full_area), 2)),
        zones=zones,
        mask=MaskLayer(level, (int(tex.origin[0]), int(tex.origin[1])), float(tex.scale)),
    )


def grade(result: Moisture, params: Params) -> ConcernGrade:
    """Severity grade, confidence and score of the dehydrated share, per zone and face."""
    return banded(
        result.area, result.zones, params.area_bands, params.confidence_spread, params.score_area
    )


CONCERN: Concern = Concern(
    name="moisture",
    summary="dehydrated look: matte skin with rough fine texture (not a hydration measurement)",
    params=Params,
    result=Moisture,
    measure=measure,
    grade=grade,
    # it reads roughness's rough mask: measured where roughness is
    min_px_per_mm=roughness.MIN_PX_PER_MM,
)
