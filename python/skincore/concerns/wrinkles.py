"""Wrinkles: dark ridges traced per face zone (a heuristic measurement).

Method
------
On the texture grid of :class:`~skincore.concerns.context.TextureContext` (grey
L*/100), area-averaged down to :data:`WORK_PX_PER_MM` (4 px/mm) when finer, so
that the same face at two resolutions gives the same lines (measured: the
sample photo at full size and at x0.75 gives equal counts within 15 %):

1. **Ridge filter.** One multi-scale Frangi pass (:func:`skincore.ridges.frangi`,
   dark ridges, sigma^2-normalised Hessian, edge suppression ``edge_beta=0.5``)
   over the bounding box of all wrinkle zones, with the scales chosen in
   millimetres (:data:`SIGMAS_MM`: lines about 0.3-2 mm wide on the skin); the
   nasolabial zones get a second pass with broader scales
   (:data:`FOLD_SIGMAS_MM`) because a nasolabial fold is a broad shading, not a
   crease. ``gamma`` is fixed (:data:`GAMMA`), so the response is an absolute
   function of a line's contrast, comparable between photos: for a line of
   Gaussian cross-section darkening the skin by a fraction ``c`` the
   scale-normalised strength is about ``0.38 * c * L`` (at most; less for
   lines finer than the finest scale), and the response is about
   ``1 - exp(-strength**2 / (2 * GAMMA**2))``. (Cost: each zone's box is
   filtered alone and only on its mask (step 2), with :data:`LOW` as the
   filter's ``response_floor``: the tracer reads nothing else, so the lines are
   those of one unmasked pass over all zones.)
2. **Zone masks.** Each zone's skin mask is closed (holes smaller than about
   :data:`CLOSE_MM` filled, so that a dark crease the skin classifier dropped
   does not cut the line) and eroded by :data:`EDGE_MM` so the borders of eyes,
   brows, lips, nostrils and hair, which the filter sees as ridges or edges, are
   not traced.
3. **Tracing.** Hysteresis on the response (:data:`HIGH` seeds, :data:`LOW`
   continues), thinning, linking of gaps up to 0.5 mm, lines shorter than
   :data:`MIN_LENGTH_MM` dropped (pores and skin texture are shorter), inside
   each zone separately: a line is reported in the zone it was traced in only.
   Each open line is shortened by half its width at both ends (the filter
   response spreads past a line's end). Orientation prior: forehead lines
   tilted more than :data:`FOREHEAD_MAX_TILT_DEG` from horizontal are dropped
   (on the repository's photos this removed most shine-speckle ridges of a
   shiny forehead, 42 -> 13 lines, while planted horizontal lines are all
   kept), and forehead lines shorter than :data:`FOREHEAD_MIN_LENGTH_MM` after
   the end trim are dropped (forehead furrows are centimetres long; shorter
   pieces there were specular speckle, powder grain or pore rows); no prior
   elsewhere (glabella lines run both ways). In the nasolabial
   and cheek zones a line with at least half its points within
   :data:`FOLD_MARGIN_MM` of the nose folds
   (:data:`skincore.face.regions.NOSE_FOLDS`) is the alar crease round a nose
   wing, a fold every face has, and is dropped; on a turned face, so is a line
   in any zone with half its points in the band along the far side's nose
   outline, reaching :data:`FAR_NOSE_MM` out beyond it (the nose's silhouette
   against the cheek it hides). A crow's-feet line must run
   within :data:`CROWS_FEET_MAX_ANGLE_DEG` of the radius from the eye's outer
   corner (the fan crow's feet make; hair strands over the temple and the face's
   contour shading run across it). A line with at least half its
   points in the face's specular sheen must be :data:`SHEEN_MIN_LENGTH_MM` long
   (see Limits). Hair strands: the steep forehead pieces ending within
   :data:`STRAND_HAIR_MM` of the hairline, and every line continuing them in
   any zone, are dropped (:mod:`skincore.concerns.strands`; this step reads
   the lines of all zones, so every zone is traced before any is measured).
   A forehead line with :data:`HAIR_EDGE_SHARE` of its points within
   :data:`HAIR_EDGE_MM` below the zone's top runs along the hair's edge (a
   fringe's edge, a hairline's wisps) and is dropped; elsewhere a line with as
   many of its points within :data:`HAIR_NEAR_MM` of the segmented hair lies on
   the hair's fringe (a temple's wisps, side hair over the cheek) and is
   dropped. An under-eye line at
   least :data:`LID_LINE_MIN_MM` long with :data:`LID_EDGE_SHARE` of its points
   within :data:`LID_EDGE_MM` below the lower lid line runs along the lid (its
   margin's shading, the lashes) and is dropped. A line whose direction turns
   through more than :data:`MAX_TURN_DEG` along it (a loose hair's curl, the
   tracer's ring or hook round a papule or a glint) is not a crease and is
   dropped.
4. **Measures.** Per line: polyline in image pixels, length (image px and mm),
   mean / max response (``depth``), width (``2 * sigma`` of the strongest
   scale, image px) and ``deep = depth >= DEEP_THRESHOLD``. Per zone, the
   fields of AILab Pro ``*_wrinkle_info`` (see :class:`WrinkleZone`), each line's
   footprint outline (the polyline buffered by its half width, rasterised and
   contoured with :mod:`skincore.contours`), and a 0-100 score.

Units and thresholds
--------------------
``depth`` is the Frangi response in [0, 1] with the fixed ``gamma``; it is not
a physical depth but a monotone function of the line's darkening. Measured on
planted lines (Gaussian cross-section sigma 0.18-0.45 mm, skin L* ~ 75): 5 %
darkening gives ~0.2, 6 % ~0.3, 8 % ~0.45, 10 % ~0.6, 15 % ~0.75-0.9, 20 %
~0.8-0.95. :data:`DEEP_THRESHOLD` (0.5) thus puts the boundary near 9-10 %
darkening: lines darkening the skin by >= 15 % (sigma >= 0.27 mm) are deep, by
<= 6 % fine (the tests check both, at two resolutions). Hysteresis
:data:`HIGH` (0.2) ~ 5 % darkening seeds a line, :data:`LOW` continues it;
real skin texture (pores, grain) stays mostly below :data:`HIGH` and shorter
than :data:`MIN_LENGTH_MM`. The contrast is relative (multiplicative), but the
response is on absolute L*: on darker skin the same relative darkening gives a
lower depth. Scores are heuristic: the zone's *wrinkle load*
``sum(length_mm * depth) / sqrt(area_mm2)`` is mapped to a score
``100 * exp(-load / SCORE_LOAD)`` and to severity bands
(:data:`SEVERITY_BANDS`). Both constants are set by hand (on the repository's
photos the overall score ranges 88-100); they are not fitted to clinical
grades. The overall score is the zones' scores weighted by zone area.

Limits
------
Below :data:`MIN_PX_PER_MM` (2.5 px/mm, a face under about 350 px wide) the
finest scale would be well under one pixel and the result is ``None``.
Shiny skin: dark gaps between specular speckles were traced as short lines;
the small glints are now lowered to the skin's level before the filter
(:mod:`skincore.concerns.glints`, the image roughness reads: London 062's
forehead 10 -> 8 lines, her glabella 4 -> 3, London 136's forehead 4 -> 2,
the two it lost lying on the hair's edge and a glint). A broad sheen's glints
are too dense for that fill to find the skin's level between them, so a line
with at least half its points in the face's sheen (the skin roughness leaves
out, :func:`skincore.concerns.roughness.face_sheen`) is reported only from
:data:`SHEEN_MIN_LENGTH_MM` (10 mm): London 062's upper forehead lost five
pieces of 5.2-5.6 mm, the oily cheek of ACNE04 ``levle2_136`` 14, while a
crease crossing a sheen (17 mm on London 136's forehead) stays; a real short
line in a sheen is lost (four short pieces of furrows on a deeply lined, shiny
forehead). Stubble and beard edges in the cheeks are traced as lines. Lines
finer than about 0.2 mm, or lower in contrast than about 4 %, are not found;
strong directional light deepens every line and flat frontal light hides them;
hair, stubble and make-up edges inside a zone can be traced as lines (across
the crow's-feet fan, continuing a strand out of the hairline, or along the
hair's edge, they are not reported; a strand lying on the cheek or running
across a fringe's edge at less than the forehead's tilt limit is, unless it
curls through more than :data:`MAX_TURN_DEG`); moles are suppressed by the
filter's blob term but large dark spots can leave short ridges at their rims.
A line crossing two zones is split at the zone border.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from skincore import contours, geometry, ridges
from skincore.analysis import WRINKLE_ZONES, WrinkleLine, Wrinkles, WrinkleZone
from skincore.concerns.base import Concern
from skincore.concerns.context import TextureContext
from skincore.concerns.glints import GlintParams, Lowered, lowering
from skincore.concerns.roughness import Params as RoughnessParams
from skincore.concerns.roughness import face_sheen
from skincore.concerns.strands import hair_strands
from skincore.face.beard import BEARDED_SHARE
from skincore.face.regions import FAR_NOSE_MM as _FAR_NOSE_MM
from skincore.face.regions import NOSE_FOLD_MARGIN_MM, LazyMasks, mask_count
from skincore.grading import ConcernGrade, Grade, margin_confidence, whole_grade

__all__ = [
    "CONCERN",
    "DEEP_THRESHOLD",
    "GAMMA",
    "HIGH",
    "LOW",
    "MIN_PX_PER_MM",
    "Params",
    "grade",
    "measure_wrinkles",
]

#: Frangi scales (Gaussian sigma, millimetres on the skin) for every zone.
SIGMAS_MM = (0.18, 0.27, 0.4, 0.6)
#: Extra, broader scales for the nasolabial folds.
FOLD_SIGMAS_MM = (0.18, 0.27, 0.4, 0.6, 0.9, 1.3)
#: Smallest sigma in texture pixels (finer ones only see noise).
MIN_SIGMA_PX = 1.0
#: Fixed Frangi structure sensitivity (grey levels L*/100, sigma^2-normalised).
GAMMA = 0.02
#: Hysteresis thresholds on the response.
HIGH = 0.2
LOW = 0.085
#: Response from which a line is deep.
DEEP_THRESHOLD = 0.5
#: Shortest reported line, millimetres.
MIN_LENGTH_MM = 2.5
#: Each open line is shortened at both ends by this fraction of its width: the
#: response of a line's dark cap, and the tracer's end extension, reach about
#: one scale sigma (half the width estimate) past the real end.
END_TRIM = 0.5
#: Largest linked gap, millimetres.
MAX_GAP_MM = 0.5
#: Hole filling and edge erosion of the zone masks, millimetres.
CLOSE_MM = 1.0
EDGE_MM = 0.6
#: Orientation prior: forehead lines are kept only within this angle of the
#: horizontal (expression lines run across the forehead; shine speckle, hair
#: and vessels give ridges in every direction).
FOREHEAD_MAX_TILT_DEG = 35.0
#: Shortest forehead line, millimetres. Forehead lines are furrows across the
#: forehead, centimetres long; traced pieces of 2.5-5 mm there were the gaps
#: between specular speckles on a shiny forehead, powder grain or pore rows (34
#: "lines" on the young London 062, 9 on the make-up photo, 4-8 on the selfies;
#: 4, 0 and 0-1 from this length).
FOREHEAD_MIN_LENGTH_MM = 5.0
#: Radial prior of the crow's feet: a line there is kept only when its direction
#: lies within this angle of the radius from the eye's outer corner (FaceMesh
#: points 263 / 33) to the line's middle. Crow's feet fan out from the corner; a
#: line across the fan was a hair strand falling over the temple (ACNE04
#: ``levle2_136``: 10 of its 21 right crow's-feet lines; a dark-circle photo's
#: temple: 6 of 10) or the shading of the face's contour near the ear; real
#: crow's feet on the photos looked at lie within 62 degrees (the curved lower
#: branches of London 136's). 90 turns this off.
CROWS_FEET_MAX_ANGLE_DEG = 65.0
#: Shortest line, millimetres, with at least half its points in a specular sheen
#: (:func:`skincore.concerns.roughness.face_sheen`, the skin roughness leaves
#: out). The glints of a broad sheen are too dense for the glint fill to find
#: the skin's level between them, and the dark gaps between them were traced as
#: pieces of 2-8 mm (London 062's shiny upper forehead: 5 pieces of 5.2-5.6 mm;
#: the oily cheek of ACNE04 ``levle2_136``: 14); a crease crossing a sheen stays long (a
#: 17 mm forehead crease of London 136). 0 turns this off.
SHEEN_MIN_LENGTH_MM = 10.0
#: Hair strands (:mod:`skincore.concerns.strands`): a forehead line tilted beyond
#: the forehead prior that ends within this distance (mm) of the hairline seeds a
#: strand, and every line that continues one is a strand, not a wrinkle (London
#: 087: a strand from her parting traced as a 10.9 mm glabella line; ACNE04
#: ``levle1_309``: a loose hair as a 41.8 mm forehead arc). 0 turns this off.
STRAND_HAIR_MM = 6.0
#: A line continues a strand when one of its ends lies within this distance (mm)
#: of it (across the gap between the forehead and glabella zones, up to 4.3 mm
#: on London 087) ...
STRAND_GAP_MM = 5.0
#: ... running within this angle (degrees) of it there.
STRAND_MAX_ANGLE_DEG = 35.0
#: A forehead line with at least :data:`HAIR_EDGE_SHARE` of its points within
#: this distance (mm) below the zone's top (the hairline the segmentation finds,
#: or the fringe's lower edge) runs along the hair's edge: the edge of a fringe,
#: a hairline's wisps or a headband, not a furrow (ACNE04 ``levle1_309``: a
#: fringe's edge as a 26 mm line; ``levle1_226``: the strands of a fringe lying
#: on the forehead; London 062: the edge of the shine under her hairline as a
#: 10.8 mm line). At 3 mm a piece of a furrow under a notch of the hair at the
#: temple went too. Where the top is the photo's own top edge (a forehead cut by
#: the frame) the rule does not apply. 0 turns this off.
HAIR_EDGE_MM = 2.0
#: ... the share of its points that must lie there.
HAIR_EDGE_SHARE = 0.75
#: A line outside the forehead with at least :data:`HAIR_EDGE_SHARE` of its
#: points within this distance (mm) of the hair the segmentation finds
#: (:meth:`~skincore.concerns.context.TextureContext.hair_band`, which reaches
#: up to about 1 mm further) lies on the hair's fringe, not on skin: the fine
#: hairs and wisps of a temple's hairline and the strands of side hair falling
#: over the crow's feet and the cheek, thinner than the segmentation resolves
#: (ACNE04 ``levle0_168``: seven short lines along the near temple's hairline).
#: On the forehead the hair-edge rule above applies instead (a furrow of a
#: receding hairline, dark-circle ``img221``, lies within 3 mm of the hair).
#: 0 turns this off.
HAIR_NEAR_MM = 3.0
#: An under-eye line at least :data:`LID_LINE_MIN_MM` long with at least
#: :data:`LID_EDGE_SHARE` of its points within this distance (mm) below the lower
#: lid line (:func:`skincore.face.regions.lower_lid_band`) runs along the lid: the
#: shading of its margin, the lower lashes, or the lower edge of a pretarsal roll,
#: not a wrinkle. Of the 163 under-eye lines of the ten faces of
#: ``shared/faces``, every fifth ACNE04 photo and every third dark-circle photo,
#: three were such lines, each looked at: an infant's two lid-margin shadows of
#: 16 and 21 mm read as deep lines (dark-circle ``img180``) and a young face's
#: pretarsal roll (ACNE04 ``levle0_145``, 13 mm). Short lines there stay (London
#: 136's crepey lower lids, 2-3 mm; an old man's lower-lid wrinkles of 8 and 11 mm,
#: dark-circle ``img221``, which a minimum of 8 mm dropped). 0 turns this off.
LID_EDGE_MM = 5.0
#: ... the length (mm) from which it applies (about 0.4 of an eye's width: the
#: margin's shading runs along most of the lid) ...
LID_LINE_MIN_MM = 12.0
#: ... and the share of its points that must lie in the band.
LID_EDGE_SHARE = 0.75
#: A line whose direction turns through more than this many degrees along its
#: length (the range of its direction, read over chords of :data:`TURN_CHORD_MM`
#: every :data:`TURN_STEP_MM`) is not a crease: creases follow the skin's folds
#: and bend gently (the lines of the ten faces of ``shared/faces`` turn 84 degrees
#: at most, their 25 mm nasolabial fold 39), while a loose hair curls and the
#: tracer rings a papule or a glint. Of the 5,238 lines of the 34 photos of
#: ``tools/result_values.py``, ACNE04's 300 and every second dark-circle photo
#: (``benchmarks/eval_wrinkle_strands.py --rule turns --every-acne 1
#: --every-dark 2``), the 75 that turn more than 90 degrees (42 faces), looked
#: at in crops, were hooks and rings round papules, glints and pores, loose
#: hairs (ACNE04 ``levle0_253``: a hair lying in a loop on the forehead, 93 mm),
#: brow and lash hair, the lower lid's margin (27 mm on a dark-circle photo) and
#: a jaw's edge under a misplaced mesh (56 mm); below 80 degrees real creases
#: begin (a 39 mm nasolabial fold turns 69). 0 turns this off.
MAX_TURN_DEG = 90.0
#: Sampling step (mm) along a line for its turn ...
TURN_STEP_MM = 1.0
#: ... and the chord (mm) its direction is read over: the tracer's pixel steps
#: and a width's wobble do not turn it.
TURN_CHORD_MM = 2.0
#: A zone whose measured skin covers less than this share of its polygon (hidden by
#: hair or a hand, the far side of a turned face, eaten by the margins round the
#: lips and eyes) is not measured: absent, not read as smooth skin. On the 34
#: photos of ``tools/result_values.py`` every zone keeps 0.39 or more except four:
#: the make-up photo's far mouth corner (0.01) and far crow's feet (0.27), and an
#: ACNE04 face's crow's feet under her hair (0.16) and a mouth corner (0.19),
#: which read scores of 93-100 with confidences of 0.71-0.95 from what little
#: skin they kept. The share :mod:`skincore.concerns.skin_type` also asks of its zones.
MIN_SKIN_SHARE = 0.3
#: A line with at least half its points within this distance (mm) of the nose
#: folds (:data:`skincore.face.regions.NOSE_FOLDS`: the grooves round the nose
#: wings) is the alar crease, not a wrinkle, and is dropped.
FOLD_MARGIN_MM = NOSE_FOLD_MARGIN_MM
#: On a turned face, a line with at least half its points in the band along the
#: far side's nose outline (:data:`FOLD_MARGIN_MM` round it and this much further
#: out at full yaw, :func:`skincore.face.regions.far_nose_reach`) is the nose's
#: silhouette against the cheek, not a wrinkle, and is dropped.
FAR_NOSE_MM = _FAR_NOSE_MM
#: Wrinkles are traced on a grid of at most this many px per mm: finer sampling
#: is area-averaged down to it, so that the same face photographed closer or at
#: a higher resolution gives the same lines (and the cost stays bounded).
WORK_PX_PER_MM = 4.0
#: Resolution below which wrinkles are not measured (texture px per mm).
MIN_PX_PER_MM = 2.5
#: Load scale of the score: ``score = 100 * exp(-load / SCORE_LOAD)``.
SCORE_LOAD = 1.5
#: Upper load bounds of severity 0, 1, 2 (above the last: 3).
SEVERITY_BANDS = (0.15, 0.6, 1.5)
#: Spread of the load used for the presence confidence (logistic around the first
#: band): about the load that a few faint 3 mm lines add to a cheek-sized zone.
PRESENCE_SPREAD = 0.05

#: Beard share below the nose tip from which the face is traced above the nose tip
#: only (:data:`skincore.face.beard.BEARDED_SHARE`).
BEARD_SHARE = BEARDED_SHARE


@dataclass(frozen=True)
class Params:
    """Wrinkle thresholds; every default is the module constant of the same meaning.

    Attributes
    ----------
    sigmas_mm, fold_sigmas_mm : tuple of float
        Frangi scales for every zone / the nasolabial folds (mm).
    gamma : float
        Fixed Frangi structure sensitivity.
    high, low : float
        Hysteresis thresholds on the response.
    deep_threshold : float
        Response from which a line is deep.
    min_length_mm, max_gap_mm : float
        Shortest reported line; largest linked gap.
    forehead_max_tilt_deg : float
        Orientation prior on the forehead.
    forehead_min_length_mm : float
        Shortest line reported on the forehead (after the end trim).
    work_px_per_mm : float
        Tracing grid resolution cap.
    score_load : float
        Load scale of the score ``100 * exp(-load / score_load)``.
    severity_bands : tuple of float
        Upper load bounds of severity 0, 1, 2.
    presence_spread : float
        Load spread of the presence confidence.
    beard_share : float
        A face whose beard mask covers at least this share of its outline below
        the nose tip (:func:`skincore.face.beard.beard_share`) is traced above the
        nose tip only, and zones keeping less than a quarter of their skin there
        are left out: stubble the beard mask misses reads as fine lines. ``1.0`` turns this
        off.
    fold_margin_mm : float
        Lines in the nasolabial and cheek zones with at least half their points
        within this distance (mm) of the nose folds are dropped (the alar crease);
        0 keeps them.
    far_nose_mm : float
        How far beyond the far side's nose outline of a turned face the band
        reaches at full yaw (:data:`FAR_NOSE_MM`): lines of any zone with at
        least half their points in it are dropped; 0 keeps them.
    glints : skincore.concerns.glints.GlintParams
        The specular glints lowered to the skin's level before the filter
        (:mod:`skincore.concerns.glints`); ``GlintParams(fill_mm=0)`` leaves them.
    crows_feet_max_angle_deg : float
        Largest angle between a crow's-feet line's direction and the radius from
        the eye's outer corner to its middle; 90 keeps every line.
    sheen_min_length_mm : float
        Shortest line (after the end trim) with at least half its points in the
        face's specular sheen (the sheen of roughness's default parameters,
        :func:`skincore.concerns.roughness.face_sheen`); 0 turns this off.
    strand_hair_mm, strand_gap_mm, strand_max_angle_deg : float
        Hair strands (:func:`skincore.concerns.strands.hair_strands`): steep
        forehead lines ending within ``strand_hair_mm`` of the hairline, and the
        lines continuing them (an end within ``strand_gap_mm``, within
        ``strand_max_angle_deg``), are dropped; ``strand_hair_mm=0`` keeps them.
    hair_edge_mm, hair_edge_share : float
        A forehead line with at least ``hair_edge_share`` of its points within
        ``hair_edge_mm`` below the zone's top (the hairline, or a fringe's lower
        edge; not the photo's top edge) runs along the hair's edge and is
        dropped; ``hair_edge_mm=0`` keeps it.
    hair_near_mm : float
        A line outside the forehead with at least ``hair_edge_share`` of its
        points within ``hair_near_mm`` of the segmented hair (the band of
        :meth:`~skincore.concerns.context.TextureContext.hair_band`) lies on the
        hair's fringe and is dropped; 0 keeps it.
    lid_edge_mm, lid_line_min_mm, lid_edge_share : float
        An under-eye line at least ``lid_line_min_mm`` long with at least
        ``lid_edge_share`` of its points within ``lid_edge_mm`` below the lower
        lid line runs along the lid (its margin's shading, the lashes) and is
        dropped; ``lid_edge_mm=0`` keeps it.
    max_turn_deg : float
        A line whose direction turns through more than this (degrees) along it
        (:func:`_turn_deg`) is a curled hair or a ring round a bump, not a crease,
        and is dropped; 0 keeps it.
    min_skin_share : float
        A zone whose skin mask covers less than this share of its polygon is not
        measured (absent from the result); 0 measures every zone with skin.
    """

    sigmas_mm: tuple[float, ...] = SIGMAS_MM
    fold_sigmas_mm: tuple[float, ...] = FOLD_SIGMAS_MM
    gamma: float = GAMMA
    high: float = HIGH
    low: float = LOW
    deep_threshold: float = DEEP_THRESHOLD
    min_length_mm: float = MIN_LENGTH_MM
    max_gap_mm: float = MAX_GAP_MM
    forehead_max_tilt_deg: float = FOREHEAD_MAX_TILT_DEG
    forehead_min_length_mm: float = FOREHEAD_MIN_LENGTH_MM
    work_px_per_mm: float = WORK_PX_PER_MM
    score_load: float = SCORE_LOAD
    severity_bands: tuple[float, ...] = SEVERITY_BANDS
    presence_spread: float = PRESENCE_SPREAD
    beard_share: float = BEARD_SHARE
    fold_margin_mm: float = FOLD_MARGIN_MM
    far_nose_mm: float = FAR_NOSE_MM
    glints: GlintParams = field(default_factory=GlintParams)
    crows_feet_max_angle_deg: float = CROWS_FEET_MAX_ANGLE_DEG
    sheen_min_length_mm: float = SHEEN_MIN_LENGTH_MM
    strand_hair_mm: float = STRAND_HAIR_MM
    strand_gap_mm: float = STRAND_GAP_MM
    strand_max_angle_deg: float = STRAND_MAX_ANGLE_DEG
    hair_edge_mm: float = HAIR_EDGE_MM
    hair_edge_share: float = HAIR_EDGE_SHARE
    hair_near_mm: float = HAIR_NEAR_MM
    lid_edge_mm: float = LID_EDGE_MM
    lid_line_min_mm: float = LID_LINE_MIN_MM
    lid_edge_share: float = LID_EDGE_SHARE
    max_turn_deg: float = MAX_TURN_DEG
    min_skin_share: float = MIN_SKIN_SHARE


_DEFAULT = Params()
#: The sheen wrinkles read: roughness's, with its default parameters (shared).
_SHEEN = RoughnessParams()

_FOLD_ZONES = ("left_nasolabial", "right_nasolabial")
#: The eye corner each crow's-feet zone fans out from (FaceMesh outer eye corners).
_FAN_CENTRE = {"left_crows_feet": 263, "right_crows_feet": 33}
#: The zones whose lines along the lower lid are dropped (:data:`LID_EDGE_MM`).
_UNDER_EYES = ("left_under_eye", "right_under_eye")
#: Zones that reach the nose wings, where the alar crease can be traced.
_NEAR_NOSE = (*_FOLD_ZONES, "left_cheek", "right_cheek")


class _Window(NamedTuple):
    """A zone mask stored on a window of the grid (0 everywhere else)."""

    mask: np.ndarray  # (h, w) bool
    x0: int
    y0: int

    def cut(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Return the grid's mask on ``[y0, y1) x [x0, x1)`` (a view inside the window)."""
        h, w = self.mask.shape
        ax0, ay0 = x0 - self.x0, y0 - self.y0
        ax1, ay1 = x1 - self.x0, y1 - self.y0
        if ax0 >= 0 and ay0 >= 0 and ax1 <= w and ay1 <= h:
            return self.mask[ay0:ay1, ax0:ax1]
        out = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        ix0, iy0, ix1, iy1 = max(ax0, 0), max(ay0, 0), min(ax1, w), min(ay1, h)
        if ix1 > ix0 and iy1 > iy0:
            out[iy0 - ay0 : iy1 - ay0, ix0 - ax0 : ix1 - ax0] = self.mask[iy0:iy1, ix0:ix1]
        return out


def _zone_pad(ppm: float) -> int:
    """Reach of the zone morphology (:func:`_zone_steps`) in pixels, plus 2."""
    return int(math.ceil(4 * max(CLOSE_MM * ppm / 2, EDGE_MM * ppm))) + 2


def _zone_mask(
    mask: np.ndarray,
    ppm: float,
    threads: int,
    origin: tuple[int, int] = (0, 0),
    grid: tuple[int, int] | None = None,
) -> tuple[_Window, tuple[int, int, int, int] | None]:
    """Close small holes, then erode the border (blur-and-threshold morphology).

    Works on the mask's bounding box padded by the blur reach, so the cost is the
    zone's, not the face's. ``mask`` is the grid's mask or a window of it at
    ``origin`` (x0, y0) that holds the mask's bounding box padded by
    :func:`_zone_pad` within the grid of shape ``grid``
    (:meth:`LazyMasks.window`). Returns the result on that padded window and its
    bounding box in grid pixels (:func:`_bbox`, found in the window: the mask is
    empty outside it). One zone of :func:`_zone_masks`.
    """
    return _zone_masks([(mask, origin, grid)], ppm, threads)[0]


def _zone_masks(
    zones: list[tuple[np.ndarray, tuple[int, int], tuple[int, int] | None]],
    ppm: float,
    threads: int,
) -> list[tuple[_Window, tuple[int, int, int, int] | None]]:
    """:func:`_zone_mask` of several ``(mask, origin, grid)``, the morphology in one call.

    The padded windows are blurred and thresholded together
    (:func:`skincore.geometry.blur_threshold_masks`: each exactly as alone, the
    zones spread over the threads).
    """
    pad = _zone_pad(ppm)
    crops: list[tuple[np.ndarray, int, int] | None] = []
    for mask, (ox, oy), grid in zones:
        box = _bbox(mask)
        if box is None:
            crops.append(None)
            continue
        gh, gw = grid if grid is not None else mask.shape
        # the padded box in grid pixels, then in the window's
        x0, y0 = max(0, box[0] + ox - pad) - ox, max(0, box[1] + oy - pad) - oy
        x1, y1 = min(gw, box[2] + ox + pad) - ox, min(gh, box[3] + oy + pad) - oy
        crops.append((mask[y0:y1, x0:x1], x0 + ox, y0 + oy))
    todo = [c[0] for c in crops if c is not None]
    # each result's box comes back with it (what _bbox of it would give)
    inner = np.zeros((len(todo), 4), np.int64)
    done = iter(
        zip(
            geometry.blur_threshold_masks(todo, _zone_steps(ppm), threads=threads, boxes=inner),
            inner.tolist(),
            strict=True,
        )
    )
    out: list[tuple[_Window, tuple[int, int, int, int] | None]] = []
    for c in crops:
        if c is None:
            out.append((_Window(np.zeros((0, 0), dtype=bool), 0, 0), None))
            continue
        (win, (ix0, iy0, ix1, iy1)), x0, y0 = next(done), c[1], c[2]
        if ix0 >= ix1:
            out.append((_Window(win, x0, y0), None))
        else:
            out.append((_Window(win, x0, y0), (ix0 + x0, iy0 + y0, ix1 + x0, iy1 + y0)))
    return out


def _zone_steps(ppm: float) -> list[tuple[float, float]]:
    # Blurred indicator at distance d outside a straight edge is Phi(-d/s):
    # > 0.1 dilates by 1.28 s, then > 0.9 erodes back by 1.28 s (closing); a last
    # > 0.9 erodes the border. Sigmas of at least 0.3 px.
    steps: list[tuple[float, float]] = []
    r_close = CLOSE_MM * ppm / 2
    if r_close >= 0.5:
        s = max(r_close / 1.28, 0.3)
        steps += [(s, 0.1), (s, 0.9)]
    r_edge = EDGE_MM * ppm
    if r_edge >= 0.5:
        steps.append((max(r_edge / 1.28, 0.3), 0.9))
    return steps


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    # max over uint8 rows is cheaper than any(); the columns are searched only
    # within the rows found.
    m = mask.view(np.uint8) if mask.dtype == np.bool_ else mask
    rows = np.flatnonzero(m.max(axis=1))
    if rows.size == 0:
        return None
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(m[y0:y1].max(axis=0))
    return int(cols[0]), y0, int(cols[-1]) + 1, y1


def _union_box(
    boxes: list[tuple[int, int, int, int]], pad: int, shape: tuple[int, int]
) -> tuple[int, int, int, int]:
    x0 = max(0, min(b[0] for b in boxes) - pad)
    y0 = max(0, min(b[1] for b in boxes) - pad)
    x1 = min(shape[1], max(b[2] for b in boxes) + pad)
    y1 = min(shape[0], max(b[3] for b in boxes) + pad)
    return x0, y0, x1, y1


def _sigmas(mm: tuple[float, ...], ppm: float) -> list[float]:
    out: list[float] = []
    for s in mm:
        px = max(MIN_SIGMA_PX, s * ppm)
        if not out or px > out[-1] * 1.15:
            out.append(px)
    return out


def _footprints(lines: list[tuple[np.ndarray, float]]) -> list[np.ndarray]:
    """Polygons of polylines buffered by their half widths on both sides, all at once.

    ``lines`` holds ``(points, half_width)``. For a polyline ``p`` of ``k >= 2``
    points: the normals of ``numpy.gradient`` along the points (central differences
    / 2 inside, one-sided at the ends; a zero tangent taken as length 1) scaled by
    the half width, ``p + off``, a cap half a width past the last point along the
    last segment, ``(p - off)`` reversed, and a cap before the first point:
    ``2k + 2`` vertices. ``(0, 2)`` for fewer than 2 points. Every line's values are
    computed element by element over the concatenated points (the same float64
    operations as one line at a time).
    """
    out: list[np.ndarray] = [np.zeros((0, 2)) for _ in lines]
    use = [i for i, (p, _) in enumerate(lines) if len(p) >= 2]
    if not use:
        return out
    pts = [np.asarray(lines[i][0], np.float64) for i in use]
    k = np.array([len(q) for q in pts])
    end = np.cumsum(k)
    start = end - k
    p = np.concatenate(pts)
    line = np.repeat(np.arange(len(use)), k)
    j = np.arange(len(p))
    nxt = np.minimum(j + 1, end[line] - 1)
    prv = np.maximum(j - 1, start[line])
    d = p[nxt] - p[prv]
    inner = (j > start[line]) & (j < end[line] - 1)
    d[inner] /= 2.0
    n = np.hypot(d[:, 0], d[:, 1])
    n[n == 0] = 1.0
    nrm = np.empty_like(p)
    nrm[:, 0] = -d[:, 1] / n
    nrm[:, 1] = d[:, 0] / n
    hw = np.array([lines[i][1] for i in use], np.float64)
    off = hw[line][:, None] * nrm
    # caps: half a width along the first and last segments, beyond the ends
    e0 = p[start] - p[start + 1]
    e1 = p[end - 1] - p[end - 2]
    t0 = e0 / np.maximum(np.hypot(e0[:, 0], e0[:, 1]), 1e-9)[:, None]
    t1 = e1 / np.maximum(np.hypot(e1[:, 0], e1[:, 1]), 1e-9)[:, None]
    # each line's 2k + 2 vertices at 2 * start + 2 * index in one array
    base = 2 * start + 2 * np.arange(len(use))
    local = j - start[line]
    poly = np.empty((2 * len(p) + 2 * len(use), 2))
    poly[base[line] + local] = p + off
    poly[base + k] = p[end - 1] + hw[:, None] * t1
    poly[base[line] + 2 * k[line] - local] = p - off
    poly[base + 2 * k + 1] = p[start] + hw[:, None] * t0
    for i, b, kk in zip(use, base, k, strict=True):
        out[i] = poly[b : b + 2 * kk + 2]
    return out


def _outlines(
    lines: list[tuple[np.ndarray, float]], ctx: TextureContext, threads: int
) -> list[np.ndarray]:
    """Contours (image pixels) of the lines' footprints, each rasterised on its own box.

    ``lines`` holds each line's points and width on the texture grid; one
    :func:`skincore.contours.polygon_outlines` call fills every footprint (non-zero
    rule) on its box and keeps its longest contour (simplified by 0.7 px); an empty
    ``(0, 2)`` outline where a footprint covers no pixel.
    """
    if not lines:
        return []
    polys = _footprints([(p, max(0.75, 0.5 * w)) for p, w in lines])
    found = contours.polygon_outlines(polys, epsilon=0.7, rule="nonzero", threads=threads)
    # one mapping to image pixels for all of them (element by element: the same values)
    ends = np.cumsum([len(f) for f in found])[:-1]
    return np.split(ctx.to_image(np.concatenate(found).astype(np.float64)), ends)


def _trim(p: np.ndarray, cut: float) -> np.ndarray:
    """Remove ``cut`` px of arc length from each end of a polyline (interpolated)."""
    if cut <= 0 or len(p) < 2:
        return p
    d = p[1:] - p[:-1]
    s = np.empty(len(p))
    s[0] = 0.0
    np.cumsum(np.hypot(d[:, 0], d[:, 1]), out=s[1:])
    total = s[-1]
    if total <= 2 * cut + 1.0:
        return p
    inner = s[(s > cut) & (s < total - cut)]
    t = np.empty(len(inner) + 2)
    t[0], t[1:-1], t[-1] = cut, inner, total - cut
    out = np.empty((len(t), 2))
    out[:, 0] = np.interp(t, s, p[:, 0])
    out[:, 1] = np.interp(t, s, p[:, 1])
    return out


def _polyline_length(p: np.ndarray) -> float:
    if len(p) < 2:
        return 0.0
    d = np.diff(p.astype(np.float64), axis=0)
    return float(np.hypot(d[:, 0], d[:, 1]).sum())


def _turn_deg(p: np.ndarray, ppm: float) -> float:
    """How far (degrees) a polyline's direction turns along it.

    The range of its unwrapped direction over chords of :data:`TURN_CHORD_MM`,
    sampled every :data:`TURN_STEP_MM` by arc length: 0 for a line with fewer
    than three chords (under about 4 mm), about 180 for a U-turn, 360 or more
    for a ring.

    Parameters
    ----------
    p : numpy.ndarray
        ``(N, 2)`` points ``(x, y)`` along the line, in grid pixels.
    ppm : float
        Grid pixels per millimetre.

    Returns
    -------
    float
        The turn in degrees, >= 0.
    """
    if len(p) < 2:
        return 0.0
    s = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))))
    step = TURN_STEP_MM * ppm
    t = np.arange(0.0, s[-1] + 1e-9 * step, step)
    k = max(1, round(TURN_CHORD_MM / TURN_STEP_MM))
    if len(t) < k + 3:
        return 0.0
    x, y = np.interp(t, s, p[:, 0]), np.interp(t, s, p[:, 1])
    a = np.unwrap(np.arctan2(y[k:] - y[:-k], x[k:] - x[:-k]))
    return math.degrees(float(a.max() - a.min()))


def _severity(load: float, bands: tuple[float, ...] = SEVERITY_BANDS) -> int:
    for i, hi in enumerate(bands):
        if load < hi:
            return i
    return len(bands)


def _score(load: float, scale: float = SCORE_LOAD) -> int:
    return int(round(100.0 * math.exp(-load / scale)))


def _share_in(points: np.ndarray, band: np.ndarray) -> float:
    """Return the share of a line's points (``band``'s pixels) that lie in ``band`` (0 for none)."""
    inside, total = _points_in(points, band)
    return inside / total if total else 0.0


def _points_in(points: np.ndarray, band: np.ndarray) -> tuple[int, int]:
    """Return how many of a line's points (``band``'s pixels) lie in ``band``, and of how many."""
    xy = np.rint(np.asarray(points, np.float64)).astype(np.intp)
    h, w = band.shape
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
    return int(np.count_nonzero(band[xy[inside, 1], xy[inside, 0]])), len(xy)


def _mostly_in(points: np.ndarray, band: np.ndarray) -> bool:
    """Whether at least half of a line's points (``band``'s pixels) lie in it."""
    return _share_in(points, band) >= 0.5


def _across_fan(points: np.ndarray, centre: np.ndarray, max_angle_deg: float) -> bool:
    """Whether a line runs across a fan of lines from ``centre``.

    True when the line's principal direction is more than ``max_angle_deg`` off the
    radius from ``centre`` to its middle (all in one grid's pixels); never from
    90 degrees.
    """
    if max_angle_deg >= 90.0:
        return False
    p = np.asarray(points, np.float64)
    mid = p.mean(axis=0)
    radius = mid - np.asarray(centre, np.float64)[:2]
    norm = float(np.hypot(*radius))
    if len(p) < 2 or norm == 0.0:
        return False
    direction = np.linalg.svd(p - mid, full_matrices=False)[2][0]
    cos = abs(float(direction @ radius)) / norm
    return cos < math.cos(math.radians(max_angle_deg))


def _trace_zone(
    ctx: TextureContext,
    fr: ridges.FrangiResult | None,
    origin: tuple[int, int],
    zmask: _Window,
    zbox: tuple[int, int, int, int] | None,
    threads: int,
    params: Params = _DEFAULT,
) -> list[ridges.Ridge]:
    """Trace the lines of one zone on its Frangi responses (points in its box)."""
    if zbox is None or fr is None:
        return []
    ppm = ctx.px_per_mm
    ox, oy = origin
    bx0, by0, bx1, by1 = zbox
    # fr maps start at `origin`; cut the zone's box out of them.
    sy = slice(by0 - oy, by1 - oy)
    sx = slice(bx0 - ox, bx1 - ox)
    width = fr.strength_scale
    assert width is not None  # frangi's maps=("strength_scale",)
    # row-strided views: the kernels read strided rows (no copies)
    return ridges.trace(
        fr.response[sy, sx],
        low=params.low,
        high=params.high,
        scale=width[sy, sx],
        orientation=fr.orientation[sy, sx],
        mask=zmask.cut(bx0, by0, bx1, by1),
        min_length=params.min_length_mm * ppm,
        max_gap=max(1.5, params.max_gap_mm * ppm),
        spur_length=max(4.0, params.min_length_mm * ppm / 2),
        threads=threads,
    )


def _steep(name: str, r: ridges.Ridge, params: Params) -> bool:
    """Tell whether a line is on the forehead and tilted beyond its orientation prior."""
    return name == "forehead" and abs(r.orientation) > math.radians(params.forehead_max_tilt_deg)


def _zone_top(forehead: _Window, width: int) -> np.ndarray:
    """Return the forehead zone's top row in each grid column (``inf`` without forehead)."""
    m = forehead.mask
    cols = m.any(axis=0)
    top = np.full(width, np.inf)  # columns without forehead: never near the hairline
    xs = np.arange(forehead.x0, forehead.x0 + m.shape[1])
    inside = (xs >= 0) & (xs < width)
    top[xs[inside]] = np.where(cols, forehead.y0 + m.argmax(axis=0), np.inf)[inside]
    return top


def _hair_edges(
    lines: list[np.ndarray], top: np.ndarray, ppm: float, frame_top: float, params: Params
) -> set[int]:
    """Return the indices of the forehead lines along the hair's edge (:data:`HAIR_EDGE_MM`).

    ``lines`` are the lines' points on the grid, ``top`` the zone's top row per
    column (:func:`_zone_top`) and ``frame_top`` the grid row of the photo's first
    row: a top within half a millimetre of it is the frame's edge, not hair's.
    """
    if not params.hair_edge_mm > 0:
        return set()
    hair_top = np.where(top > frame_top + 0.5 * ppm, top, np.inf)
    out = set()
    for i, pts in enumerate(lines):
        if len(pts) == 0:
            continue
        ix = np.clip(np.rint(pts[:, 0]).astype(np.intp), 0, top.size - 1)
        edge = hair_top[ix]  # inf: no forehead, or the frame's edge, in that column
        near = np.isfinite(edge) & (pts[:, 1] - edge < params.hair_edge_mm * ppm)
        if np.mean(near) >= params.hair_edge_share:
            out.add(i)
    return out


def _along_lid(points: np.ndarray, length_mm: float, band: np.ndarray, params: Params) -> bool:
    """Whether an under-eye line runs along the lower lid (:data:`LID_EDGE_MM`).

    ``points`` are the line's points on the grid, ``length_mm`` its length after
    the end trim (as reported) and ``band`` the bands below both lower lids on
    the grid (:meth:`TextureContext.lower_lid_bands`).
    """
    if len(points) == 0 or length_mm < params.lid_line_min_mm:
        return False
    hits, n = _points_in(points, band)
    return bool(hits >= params.lid_edge_share * n)


def _strands(
    traced: dict[str, list[ridges.Ridge]],
    points: dict[str, list[np.ndarray]],
    top: np.ndarray | None,
    ppm: float,
    params: Params,
) -> dict[str, set[int]]:
    """Return, per zone, the indices of its traced lines that are hair strands.

    ``points`` holds each traced line's points on the grid (:func:`_grid_points`),
    ``top`` the forehead zone's top row per column (:func:`_zone_top`).
    """
    if top is None or not params.strand_hair_mm > 0:
        return {}
    keys = [(z, i) for z, rs in traced.items() for i in range(len(rs))]
    lines = [points[z][i] for z, i in keys]
    steep = [_steep(z, traced[z][i], params) for z, i in keys]
    found = hair_strands(
        lines,
        steep,
        top,
        ppm,
        hair_mm=params.strand_hair_mm,
        gap_mm=params.strand_gap_mm,
        max_angle_deg=params.strand_max_angle_deg,
    )
    out: dict[str, set[int]] = {}
    for k in found:
        z, i = keys[k]
        out.setdefault(z, set()).add(i)
    return out


def _enough_skin(ctx: TextureContext, zone: str, skin: int, params: Params) -> bool:
    """Whether ``skin`` pixels of ``zone`` are enough to measure it.

    At least ``params.min_skin_share`` of its polygon on the grid; True where the
    masks hold no polygon to compare with.
    """
    if not params.min_skin_share > 0:
        return True
    try:
        polygon = mask_count(ctx.masks, f"{zone}_polygon")
    except KeyError:
        return True
    return polygon == 0 or skin >= params.min_skin_share * polygon


def _grid_points(
    traced: list[ridges.Ridge], zbox: tuple[int, int, int, int] | None
) -> list[np.ndarray]:
    """Return each traced line's points on the grid (the tracer's are in the zone's box)."""
    if zbox is None:
        return []
    return [r.points.astype(np.float64) + (zbox[0], zbox[1]) for r in traced]


def _measure_zone(
    ctx: TextureContext,
    name: str,
    traced: list[ridges.Ridge],
    points: list[np.ndarray],
    skin_px: int,
    area_px: int,
    params: Params = _DEFAULT,
    in_sheen: Callable[[np.ndarray], bool] | None = None,
    strands: set[int] | frozenset[int] = frozenset(),
) -> tuple[WrinkleZone, list[tuple[np.ndarray, float]]]:
    """Measure one zone: its lines and statistics, and each line's points and width.

    ``traced`` are the zone's lines (:func:`_trace_zone`) and ``points`` their
    points on the grid (:func:`_grid_points`); those whose index is in
    ``strands`` are hair strands and dropped.
    The zone's ``outlines`` are left empty: :func:`measure_wrinkles` outlines the
    lines of every zone in one :func:`_outlines` call. ``in_sheen`` tells whether
    a line (image pixels) lies mostly in a sheen, where it must be at least
    ``params.sheen_min_length_mm`` long.
    """
    ppm = ctx.px_per_mm
    lines: list[WrinkleLine] = []
    footprints: list[tuple[np.ndarray, float]] = []
    skeleton_px = 0
    if traced:
        band = ctx.fold_band(params.fold_margin_mm) if name in _NEAR_NOSE else None
        far_nose = (
            ctx.far_nose_band(params.fold_margin_mm, params.far_nose_mm)
            if params.far_nose_mm > 0
            else None
        )
        lids = (
            ctx.lower_lid_bands(params.lid_edge_mm)
            if name in _UNDER_EYES and params.lid_edge_mm > 0
            else None
        )
        fan = (
            ctx.landmarks[_FAN_CENTRE[name], :2]  # in the grid's pixels
            if name in _FAN_CENTRE and params.crows_feet_max_angle_deg < 90.0
            else None
        )
        for i, r in enumerate(traced):
            if _steep(name, r, params) or i in strands:
                continue
            pts_tex = points[i]
            if band is not None and _mostly_in(pts_tex, band):
                continue
            if far_nose is not None and _mostly_in(pts_tex, far_nose):
                continue
            if fan is not None and _across_fan(pts_tex, fan, params.crows_feet_max_angle_deg):
                continue
            width_tex = r.mean_width if math.isfinite(r.mean_width) else 2.0 * MIN_SIGMA_PX
            if not r.closed:
                pts_tex = _trim(pts_tex, END_TRIM * width_tex)
            length_mm = _polyline_length(pts_tex) / ppm
            if name == "forehead" and length_mm < params.forehead_min_length_mm:
                continue
            if params.max_turn_deg > 0 and _turn_deg(pts_tex, ppm) > params.max_turn_deg:
                continue
            if lids is not None and _along_lid(pts_tex, length_mm, lids, params):
                continue
            pts_img = ctx.to_image(pts_tex)
            if (
                in_sheen is not None
                and length_mm < params.sheen_min_length_mm
                and in_sheen(pts_img)
            ):
                continue
            depth = float(r.mean_depth)
            lines.append(
                WrinkleLine(
                    points=pts_img,
                    length_px=_polyline_length(pts_img),
                    length_mm=length_mm,
                    depth=depth,
                    max_depth=float(r.max_depth),
                    width_px=float(width_tex) / ctx.scale,
                    deep=depth >= params.deep_threshold,
                )
            )
            footprints.append((pts_tex, width_tex))
            skeleton_px += r.n_pixels
    area_tex = max(skin_px, 1)
    side = math.sqrt(area_tex)  # texture px
    total_len_tex = sum(ln.length_mm for ln in lines) * ppm
    deep_len_tex = sum(ln.length_mm for ln in lines if ln.deep) * ppm
    norm_depth = (
        sum(ln.depth * ln.length_mm for ln in lines) / sum(ln.length_mm for ln in lines)
        if lines
        else 0.0
    )
    covered = sum(ln.length_mm * ppm * ln.width_px * ctx.scale for ln in lines)
    load = sum(ln.length_mm * ln.depth for ln in lines) / (side / ppm)
    zone = WrinkleZone(
        lines=tuple(lines),
        load=float(load),
        norm_length=total_len_tex / side,
        norm_depth=float(norm_depth),
        pixel_density=skeleton_px / area_tex,
        area_ratio=min(1.0, covered / area_tex),
        deep_ratio=deep_len_tex / total_len_tex if total_len_tex > 0 else 0.0,
        deep_count=sum(1 for ln in lines if ln.deep),
        shallow_count=sum(1 for ln in lines if not ln.deep),
        outlines=(),
        area_px=area_px,
    )
    return zone, footprints


def measure_wrinkles(
    ctx: TextureContext,
    params: Params | None = None,
    *,
    threads: int = 0,
    lowered: Lowered | None = None,
    sheen: np.ndarray | None = None,
) -> Wrinkles | None:
    """Trace wrinkles in every zone of :data:`~skincore.analysis.WRINKLE_ZONES`.

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid and region masks.
    params : Params, optional
        Thresholds; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the kernels (0 = all); results do not depend on it.
    lowered : callable, optional
        The image to trace on the tracing grid instead of its ``gray``: the
        face's glint-lowered image (:func:`skincore.concerns.glints.glint_gray`).
    sheen : numpy.ndarray, optional
        ``ctx``'s grid, nonzero under a specular sheen
        (:func:`skincore.concerns.roughness.face_sheen`): a line with at least half
        its points there is reported only from ``params.sheen_min_length_mm``.

    Returns
    -------
    Wrinkles or None
        Lines and statistics per zone (zones without a mask, or whose mask
        covers less than ``params.min_skin_share`` of the zone's polygon, are
        absent), or
        ``None`` when the skin is sampled more coarsely than
        :data:`MIN_PX_PER_MM` or no wrinkle zone has skin.
    """
    params = params or _DEFAULT
    ppm = float(ctx.px_per_mm)
    if not ppm >= MIN_PX_PER_MM:
        return None
    # One count per mask and grid (a zone is present where its count is > 0).
    # (counted in each polygon's box: the masks are 0 outside it)
    count = {z: mask_count(ctx.masks, z) for z in WRINKLE_ZONES if z in ctx.masks}
    names = [z for z, n in count.items() if n > 0 and _enough_skin(ctx, z, n, params)]
    if not names:
        return None
    area_img = {z: int(round(count[z] / (ctx.scale * ctx.scale))) for z in names}
    in_sheen: Callable[[np.ndarray], bool] | None = None
    if sheen is not None and params.sheen_min_length_mm > 0:
        src, sheen_grid = ctx, sheen

        def in_sheen(points_img: np.ndarray) -> bool:
            return _mostly_in(src.to_texture(points_img), sheen_grid)

    ctx = ctx.rescaled(params.work_px_per_mm, threads=threads)
    ppm = float(ctx.px_per_mm)
    shape = ctx.gray.shape
    # each zone's mask on its polygon's box grown by the morphology's reach (rasterised
    # there only: the masks are 0 outside the box)
    pad = _zone_pad(ppm)
    lazy = ctx.masks if isinstance(ctx.masks, LazyMasks) else None
    windows: dict[str, tuple[np.ndarray, int, int]] = {}
    for z in names:
        win = (ctx.masks[z], 0, 0) if lazy is None else lazy.window(z, pad)
        windows[z] = win if win is not None else (np.zeros((0, 0), np.uint8), 0, 0)
    skin_count = {z: int(np.count_nonzero(windows[z][0])) for z in names}
    names = [z for z in names if skin_count[z] > 0]
    zboxed = dict(
        zip(
            names,
            _zone_masks([(windows[z][0], windows[z][1:], shape) for z in names], ppm, threads),
            strict=True,
        )
    )
    zmasks = {z: m for z, (m, _) in zboxed.items()}
    zboxes = {z: b for z, (_, b) in zboxed.items()}
    gray = (ctx.gray if lowered is None else lowered(ctx)).astype(np.float32, copy=False)

    def run(
        zones: list[str], sig_mm: tuple[float, ...]
    ) -> dict[str, tuple[ridges.FrangiResult | None, tuple[int, int]]]:
        # The responses are those of one Frangi run over the zones' union box (its
        # borders reflect). Each zone reads them only inside its own box, so each
        # zone's box is filtered alone, grown by the filter's reach (Gaussian radius
        # + the 1-px difference stencil) and clipped to that union box: every value
        # read is bit-identical, and the pixels between the zones are not filtered.
        sig = _sigmas(sig_mm, ppm)
        boxes = {z: b for z in zones if (b := zboxes[z]) is not None}
        ux0, uy0, ux1, uy1 = _union_box(
            list(boxes.values()) or [(0, 0, 1, 1)], int(math.ceil(3 * sig[-1])), shape
        )
        reach = int(4.0 * sig[-1] + 0.5) + 2

        def frangi(
            x0: int, y0: int, x1: int, y1: int, mask: _Window | None = None
        ) -> ridges.FrangiResult:
            return ridges.frangi(
                gray[y0:y1, x0:x1],
                sig,
                black_ridges=True,
                gamma=params.gamma,
                edge_beta=0.5,
                mask=None if mask is None else mask.cut(x0, y0, x1, y1),
                # trace reads the maps only where the response >= low
                response_floor=params.low,
                # _measure_zone reads response, orientation and strength_scale only
                maps=("strength_scale",),
                threads=threads,
            )

        if params.gamma is None or not params.gamma > 0:
            # an automatic gamma is a maximum over the filtered box: keep one box
            whole = frangi(ux0, uy0, ux1, uy1)
            return {z: (whole, (ux0, uy0)) for z in zones}
        out: dict[str, tuple[ridges.FrangiResult | None, tuple[int, int]]] = {}
        for z in zones:
            if z not in boxes:
                out[z] = (None, (ux0, uy0))  # nothing left of the zone to trace
                continue
            bx0, by0, bx1, by1 = boxes[z]
            x0, y0 = max(ux0, bx0 - reach), max(uy0, by0 - reach)
            x1, y1 = min(ux1, bx1 + reach), min(uy1, by1 + reach)
            # Only the zone's mask is traced (trace reads the maps nowhere else):
            # the filter skips the rest of the box.
            out[z] = (frangi(x0, y0, x1, y1, zmasks[z]), (x0, y0))
        return out

    plain = [z for z in names if z not in _FOLD_ZONES]
    folds = [z for z in names if z in _FOLD_ZONES]
    results: dict[str, tuple[ridges.FrangiResult | None, tuple[int, int]]] = {}
    if plain:
        results.update(run(plain, params.sigmas_mm))
    if folds:
        results.update(run(folds, params.fold_sigmas_mm))
    traced = {
        z: _trace_zone(ctx, *results[z], zmasks[z], zboxes[z], threads, params) for z in names
    }
    points = {z: _grid_points(traced[z], zboxes[z]) for z in names}
    forehead = zmasks.get("forehead")
    top = None if forehead is None else _zone_top(forehead, shape[1])
    dropped = _strands(traced, points, top, ppm, params)
    if top is not None and "forehead" in points:
        # the grid row of the photo's first row (negative when the crop starts below it)
        frame_top = (0.5 - ctx.origin[1]) * ctx.scale - 0.5
        edges = _hair_edges(points["forehead"], top, ppm, frame_top, params)
        dropped["forehead"] = dropped.get("forehead", set()) | edges
    if params.hair_near_mm > 0 and ctx.hair is not None:
        near = ctx.hair_band(params.hair_near_mm)
        for z in names:
            if z == "forehead":
                continue
            on_hair = {
                i for i, p in enumerate(points[z]) if _share_in(p, near) >= params.hair_edge_share
            }
            if on_hair:
                dropped[z] = dropped.get(z, set()) | on_hair
    zones: dict[str, WrinkleZone] = {}
    footprints: list[tuple[np.ndarray, float]] = []
    for z in names:
        zones[z], lines = _measure_zone(
            ctx,
            z,
            traced[z],
            points[z],
            skin_count[z],
            area_img[z],
            params,
            in_sheen,
            dropped.get(z, frozenset()),
        )
        footprints += lines
    # every line's outline in one pass, then handed back to its zone in line order
    outlines = iter(_outlines(footprints, ctx, threads))
    for z, zone in zones.items():
        if zone.lines:
            got = tuple(next(outlines) for _ in zone.lines)
            zones[z] = dataclasses.replace(zone, outlines=got)
    return Wrinkles(zones=zones, deep_threshold=params.deep_threshold)


def measure(work, params: Params) -> Wrinkles | None:  # noqa: ANN001 - FaceWork
    """Concern entry point: :func:`measure_wrinkles` on the face's texture grid.

    Traced on the glint-lowered image (``Params.glints``), which roughness reads too;
    short lines in the face's sheen (the skin roughness leaves out, with its
    default parameters) are dropped (``Params.sheen_min_length_mm``).

    On a bearded face (``Params.beard_share``) the zone masks keep only the skin
    above the nose tip, and zones left with less than a quarter of their skin
    (nasolabial folds, mouth corners; the cheeks keep their upper half) are not
    reported (:attr:`Wrinkles.above_nose_only`).
    """
    ctx = work.texture
    lowered = lowering(work, params.glints)
    sheen = face_sheen(work, _SHEEN) if params.sheen_min_length_mm > 0 else None
    if work.beard_share < params.beard_share:
        return measure_wrinkles(ctx, params, threads=work.threads, lowered=lowered, sheen=sheen)
    upper = ctx.above_nose()
    masks = dict(ctx.masks)
    dropped = set()
    for name in WRINKLE_ZONES:
        m = masks.get(name)
        if m is None:
            continue
        n = int(np.count_nonzero(m))
        kept = np.where(upper, m, np.uint8(0))
        if n == 0 or np.count_nonzero(kept) < 0.25 * n:
            dropped.add(name)
        masks[name] = kept
    res = measure_wrinkles(
        dataclasses.replace(ctx, masks=masks),
        params,
        threads=work.threads,
        lowered=lowered,
        sheen=sheen,
    )
    if res is None:
        return None
    zones = {k: v for k, v in res.zones.items() if k not in dropped}
    return Wrinkles(zones=zones, deep_threshold=res.deep_threshold, above_nose_only=True)


def grade(result: Wrinkles, params: Params) -> ConcernGrade:
    """Severity bands and scores of the wrinkle load per zone.

    Zone severity: the load's band (:data:`SEVERITY_BANDS`); confidence: a
    logistic of the load's distance to the first band (the presence decision
    ``severity >= 1``) in units of ``presence_spread``; score
    ``100 * exp(-load / score_load)``. Whole face: the area-weighted mean score,
    the worst zone's severity and confidence.
    """
    zones = {
        name: Grade(
            severity=_severity(z.load, params.severity_bands),
            confidence=margin_confidence(z.load, params.severity_bands[0], params.presence_spread),
            score=float(_score(z.load, params.score_load)),
        )
        for name, z in result.zones.items()
    }
    weights = {name: float(z.area_px) for name, z in result.zones.items()}
    whole = whole_grade(zones, weights, digits=None, least_confident=False)
    return ConcernGrade(whole=whole, zones=zones, weights=weights)


CONCERN: Concern = Concern(
    name="wrinkles",
    summary="wrinkles traced per zone (lines with length mm and depth, load per zone)",
    params=Params,
    result=Wrinkles,
    measure=measure,
    min_px_per_mm=MIN_PX_PER_MM,
    grade=grade,
)
