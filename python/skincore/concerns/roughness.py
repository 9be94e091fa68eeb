"""Rough skin: local texture energy at the scale of bumps and unevenness.

Roughness is measured on the texture grid (:class:`TextureContext`, CIELAB
L*/100) in three steps, every scale in millimetres of skin (iris scale), so the
result does not depend on the photo's resolution:

1. **Band-pass.** A difference of Gaussians ``G_fine(L) - G_coarse(L)`` with
   ``sigma_fine = FINE_SIGMA_MM`` and ``sigma_coarse = COARSE_SIGMA_MM`` keeps
   structure between roughly 0.5 and 3 mm across: bumps, papules, uneven
   texture. Finer detail (sensor noise, JPEG blocks, the finest pores) and
   coarser shading (the shape of the face under the light) are removed. Both
   blurs are *normalised convolutions* over the face-skin mask
   (``G(L * m) / G(m)``), so eyes, brows, lips, nostrils, hair and the
   background never leak into the skin's texture.
2. **Local energy.** The band-pass is squared and averaged in a Gaussian window
   of ``WINDOW_SIGMA_MM`` (again normalised over the mask); its square root is
   the local RMS texture amplitude ``E`` in L*/100 units.
3. **Direction.** Shading edges (the side of the nose, a nasolabial fold, the
   jaw line under side light) and aligned stubble pass the band-pass too, but
   their gradients all point one way. The isotropy ``i = 2 l2 / (l1 + l2)`` of
   the band-pass's structure tensor over the same window (``l1 >= l2``; 0 for a
   straight edge, about 0.92 for band-passed white noise, median 0.73-0.80 on
   real skin) scales ``E`` by ``sqrt(min(1, i / EDGE_ISOTROPY))``, 0.5: a 15 L*
   shadow edge that read as rough all along reads as smooth, the texture of
   most skin is untouched (the rough area of the ten photos of
   ``shared/faces`` changes by -0.020 to -0.002; the jaw shadow of the make-up photo,
   24 % of its chin, is gone). Curved shadows (around a nostril wing) stay: over
   a 2.5 mm window they point every way (step 4 leaves the nose folds out).
4. **Nose folds, lower lids, the bridge's sides, the mouth's folds, the hair's
   edge and the far glabella.** A band of ``FOLD_MARGIN_MM`` round the
   alar-facial grooves, the subnasale and the philtrum
   (:data:`skincore.face.regions.NOSE_FOLDS`) is left out of the measured skin
   (:func:`measured_skin`), as the eyes and lips are: their shading is curved,
   so step 3 keeps it, and every face of ``shared/faces``
   read a rough rim round both nose wings (its rough area drops by 0 to 0.04
   without it; the packaged sample's from 0.088 to 0.051).
   Below each eye a band ``LOWER_LID_MM`` deep under the lower lid line, from
   5 mm before the inner corner to 5 mm past the outer one
   (:func:`skincore.face.regions.lower_lid_band`), is left out likewise: it
   holds the lower lashes, which reach past the eye's margin into the skin and
   whose ends the 2.5 mm window spread into an arc of rough skin under both eyes
   of nearly every face, and the lid-cheek junction's curved shading. Along each
   side of the nose's bridge, from beside the brow's inner end to below the inner
   eye corner, a band ``NOSE_SIDE_MM`` either side of the crest where the side
   wall turns away from the bridge (:func:`skincore.face.regions.nose_side_band`)
   is left out too: the side wall meets the eye socket's inner wall there, a
   curved shading edge, and frontal faces read a strip of rough skin on both
   sides of the bridge. Under the lower lip's middle a band ``LIP_CHIN_MM``
   deep (:func:`skincore.face.regions.lip_chin_band`: the labiomental groove)
   and a disc of ``MOUTH_CORNER_MM`` beside each mouth corner
   (:func:`skincore.face.regions.mouth_corner_band`: the commissure) are left
   out too: curved shading again, a rough crescent under the lip and a rough
   spot at each corner of nearly every frontal face. So is the skin within
   ``HAIR_MARGIN_MM`` of the hair the segmentation finds
   (:meth:`~skincore.concerns.context.TextureContext.hair_band`): the
   hairline's fine hairs and the strands a fringe or the temples leave on the
   skin read as a rough strip along the hair's edge. On a turned face, so is
   a band along the far side's glabella edge (``FAR_GLABELLA_MM``: the
   glabella turning away into the far eye socket).
5. **Sheen.** A broad specular sheen shows the glints of the skin's
   micro-relief, and on dark skin they stand out by tens of L* against the weak
   diffuse reflection: London 062's shiny mid-forehead and nose tip read 0.33 of
   her forehead as rough, while sheen on the light faces reads smooth. Skin
   whose local level (normalised Gaussian over the skin, sigma
   ``SHEEN_SIGMA_MM``) is at least ``SHEEN_LIFT`` L* above the face's median
   and whose local chroma per L* is below ``SHEEN_CHROMA`` times the face's (a
   specular reflection is white-ish and lowers it; brighter diffuse light keeps
   it) is left out of the statistics, as unmeasured skin, not as smooth skin
   (:func:`sheen_mask`, ``Roughness.sheen`` its share). London 062: forehead
   0.33 -> 0.07 rough, rough area 0.112 -> 0.047, sheen 0.11 of the skin; on
   the other faces of ``shared/faces`` 0-0.13 of the skin is sheen and their
   rough area moves by -0.00 to +0.01 (almost none of their rough skin is in it).
6. **Glints.** Small specular glints are lowered to the skin's level around
   them before the band-pass (:mod:`skincore.concerns.glints`: the shine
   oiliness finds and 1 mm round it take the 1 mm level of the skin outside
   them; a pixel darker than that level, a pore, keeps its value): a glint is
   the light's reflection, not relief, and a nose tip with a few of them read
   as a rough patch centred on them (the PoreNet close-up of ``shared/data``:
   0.014 of its skin rough, all of it round the glints of its nose tip; 0.002
   after). The skin between glints is still measured.
7. **Threshold.** A skin pixel is rough where ``E > ROUGH_THRESHOLD``.

Steps 1-3 run as one compiled pass (:func:`skincore.texture.texture_energy`,
equal bit for bit to their NumPy composition, ``tests/reference/texture.py``)
on a 4 px/mm grid; the map is resampled onto the texture grid once per face
and shared with moisture.

The summary numbers:

- ``area``: rough fraction of the face skin (sheen left out); ``zones``: rough
  fraction of each of :data:`skincore.analysis.ROUGH_ZONES`.
- ``severity`` (0-100, AILab Pro ``rough_severity``): with
  ``S = mean(clip((E - T) / T, 0, 1))`` over the face skin and
  ``T = ROUGH_THRESHOLD`` (each skin pixel contributes 0 at or below the
  threshold, growing linearly to 1 at twice the threshold),
  ``severity = round(100 * min(1, S / SEVERITY_FULL))``: a quarter of the face
  at twice the threshold is fully severe. It is monotone in both the rough area
  and how far the texture exceeds the threshold.
- ``smooth`` (face_field ``skin.smooth``, 1 smoothest .. 4): bands of
  ``severity`` at :data:`SMOOTH_BANDS` (``< 10`` -> 1, ``< 25`` -> 2,
  ``< 50`` -> 3, else 4).
- ``score`` (1-100, higher healthier): ``max(1, 100 - severity)``.

Limits: below :data:`MIN_PX_PER_MM` (1.6 px/mm on the texture grid, a face
under about 230 px wide, or a photo that resolves less: enlarged, out of focus)
the 0.3-1.2 mm band is not in the photo, and what is left of it is the face's
outline and JPEG blocks: the same face reads about half as rough at 1.3 px/mm
and a fifth at 1.0, and a 200-px web crop (1.2 px/mm) read a rough rim along
its jaw and temples. Roughness, and moisture which reads its mask, are then absent
with the reason.

Calibration: on the real photos in ``tests/data/faces`` and the packaged
sample the median face-skin ``E`` is 0.003-0.009 and its 90th percentile
0.006-0.015 (higher with stubble). ``ROUGH_THRESHOLD = 0.012`` sits above the
bulk of clear skin, so a smooth young face reads a small rough area (the
same selfie at 15/30/45/60 cm: 0.008/0.022/0.034/0.026 with every band of step
4) while textured zones (under-eye creases, chin dimpling, beard stubble) and
planted random bumps of 6 L* RMS are marked. ``EDGE_MARGIN_MM`` and
``BAND_CLIP`` were set by looking at the rough masks: without them the eyelids,
nostrils and lip borders dominated.
This is a heuristic estimate of
roughness from a single photo, not a profilometric measurement: strong
directional light exaggerates texture and soft focus hides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skincore import geometry, texture
from skincore._masks import mask255, zero_where
from skincore.analysis import ROUGH_ZONES, Roughness
from skincore.concerns.base import Concern
from skincore.concerns.context import TextureContext
from skincore.concerns.glints import GlintParams, Lowered, lowering
from skincore.concerns.oiliness import Levels, face_levels, local_levels
from skincore.face.beard import BEARDED_SHARE
from skincore.face.regions import FAR_GLABELLA, NOSE_FOLD_MARGIN_MM, mask_box
from skincore.grading import ConcernGrade, Grade, margin_confidence

#: Fine scale of the band-pass, mm (sigma of the Gaussian).
FINE_SIGMA_MM = 0.3

#: Coarse scale of the band-pass, mm (sigma of the Gaussian).
COARSE_SIGMA_MM = 1.2

#: Window of the local RMS, mm (sigma of the Gaussian).
WINDOW_SIGMA_MM = 2.5

#: Local RMS band-pass amplitude (L*/100) above which skin is rough.
ROUGH_THRESHOLD = 0.012
#: Grid on which roughness is measured, pixels per millimetre (coarser grids are
#: used as they are).
WORK_PX_PER_MM = 4.0

#: Sampling below which roughness is not measured (texture px per mm, and what
#: the photo resolves: :attr:`skincore.analysis.Quality.resolved_px_per_mm`).
#: The ten faces of ``shared/faces`` shrunk to a given sampling read a rough area
#: of 0.84-1.29 times their own at 1.8-4 px/mm, 0.77-1.42 at 1.6, 0.57-1.05 at
#: 1.45, 0.39-0.78 at 1.3 and 0.09-0.41 at 1.0: a coarse photo reads smooth (see
#: Limits; ``benchmarks/eval_sampling_floors.py``).
MIN_PX_PER_MM = 1.6

#: Mean clipped excess at which severity reaches 100.
SEVERITY_FULL = 0.25

#: Severity upper bounds of smooth grades 1, 2, 3 (grade 4 above).
SMOOTH_BANDS = (10, 25, 50)

#: Skin closer than this (mm) to the mask's edge (eyes, brows, lips, nostrils,
#: hairline, jaw) is left out: those edges are contrast, not texture.
EDGE_MARGIN_MM = 2.0

#: Half-width (mm) of the band round the nose folds (alar-facial grooves,
#: subnasale, philtrum: :data:`skincore.face.regions.NOSE_FOLDS`) left out of the
#: measured skin, on top of ``EDGE_MARGIN_MM``. Their shading is a curved edge
#: that the isotropy test cannot tell from texture (over a 2.5 mm window it
#: points every way): without the band every face of ``shared/faces`` read a
#: rough rim round both nose wings.
FOLD_MARGIN_MM = NOSE_FOLD_MARGIN_MM

#: Depth (mm below the lower lid line) of the band under each eye left out of the
#: measured skin (:func:`skincore.face.regions.lower_lid_band`: from 5 mm before
#: the inner corner to 5 mm past the outer one), on top of ``EDGE_MARGIN_MM``.
#: It holds the lower lashes (hair, with mascara or liner on them), the lid-cheek
#: junction's curved shading and the canthi. Without it, on the ten photos of
#: ``shared/faces`` and 41 ACNE04 photos, 0.36-0.41 of the skin 4-5 mm below the
#: lower lid read rough, against 0.03-0.06 at 12-20 mm: an arc under both eyes on
#: nearly every face, young ones included (``benchmarks/eval_lower_lid.py``).
LOWER_LID_MM = 5.0

#: Half-width (mm) of the band along each side of the nose's bridge left out of
#: the measured skin (:func:`skincore.face.regions.nose_side_band`: from 6 mm
#: above the inner eye corners' height to 2 mm below the bridge's side point 188),
#: on top of ``EDGE_MARGIN_MM``. There the side wall turns away from the bridge
#: and meets the eye socket's inner wall: a curved shading edge that the isotropy
#: test keeps. Without it, on the nine frontal faces of ``shared/faces``, 0.20-0.38
#: of the skin 7-11 mm from the midline read rough from 10 mm above the inner eye
#: corners to 6 mm below them, against 0-0.05 elsewhere beside the nose: a strip
#: on both sides of the bridge (``benchmarks/eval_nose_sides.py``).
NOSE_SIDE_MM = 2.5

#: Depth (mm below the lower lip's outer edge, from 181 to 405: the mouth's middle
#: half) of the band under the lower lip left out of the measured skin
#: (:func:`skincore.face.regions.lip_chin_band`). It holds the labiomental groove,
#: the hollow between the lip and the chin, shaded under light from above: a
#: curved shading edge that the isotropy test keeps. Without it, on the ten
#: photos of ``shared/faces`` and 44 ACNE04 photos, 0.17-0.27 of the skin 4-10 mm
#: below the lip's middle read rough (up to 0.48 on the ten), against 0.03-0.06
#: from 14 mm down and 0.03-0.11 beside it (``benchmarks/eval_mouth_bands.py``):
#: a rough crescent under the lip of nearly every frontal face.
LIP_CHIN_MM = 12.0

#: Radius (mm) of the disc beside each mouth corner left out of the measured skin
#: (:func:`skincore.face.regions.mouth_corner_band`: it touches the corner and
#: reaches 8 mm out along the line of the corners). The commissure, where the
#: lips' fold turns into the cheek, is curved shading: without it, on the same
#: photos, 0.20-0.29 of the skin 2-7 mm beyond the corners and within 4 mm of
#: their height read rough, against 0.02-0.05 further out
#: (``benchmarks/eval_mouth_bands.py --corners``).
MOUTH_CORNER_MM = 4.0

#: Skin within this distance (mm, along both axes) of the hair the segmentation
#: finds is left out of the measured skin
#: (:meth:`~skincore.concerns.context.TextureContext.hair_band`): the fine hairs
#: of the hairline, and the strands of a fringe or at the temples that the
#: segmentation leaves on the skin, read as rough skin along the hair's edge.
#: Without it, on the ten photos of ``shared/faces`` and the dark-circle photos
#: (no acne; 42 faces measured), 0.14-0.25 of the skin 2-5 mm from the hair read
#: rough, against 0.01-0.03 from 10 mm on, where the skin's other edges (eyes,
#: brows, lips, the face's outline) read 0.07-0.09 at 2-5 mm; with it the first
#: skin measured, 5-10 mm from the hair, reads 0.01-0.03
#: (``benchmarks/eval_hair_margin.py``).
HAIR_MARGIN_MM = 5.0

#: How far (mm) beyond the far side's glabella edge
#: (:data:`skincore.face.regions.FAR_GLABELLA`, brow head to the bridge's top) a
#: turned face's band reaches at full yaw, on top of
#: :data:`FAR_GLABELLA_MARGIN_MM` round it (ramped with yaw as
#: :func:`skincore.face.regions.far_nose_reach`). There the glabella turns away
#: and meets the far eye socket, a curved shading edge the isotropy test keeps:
#: on the faces turned 25 degrees or more of ``shared/faces`` and every third
#: ACNE04 photo (74 faces), 0.13-0.19 of the skin from 1.5 mm inside to 4.5 mm
#: outside that edge read rough (0.11 at 4.5-6 mm), against 0.08-0.09 from 7.5 mm
#: out and 0.03 inside
#: (``benchmarks/eval_far_glabella.py``): a rough strip from the far brow's head
#: down to the bridge.
FAR_GLABELLA_MM = 4.5
#: Half-width (mm) of the band round the far glabella edge (see
#: :data:`FAR_GLABELLA_MM`).
FAR_GLABELLA_MARGIN_MM = 1.5

#: Band-pass values are clipped to +-BAND_CLIP before squaring, so that a few
#: strong edges (an eyelash, a nostril's shadow) cannot make a window rough on
#: their own; spread-out texture is what counts.
BAND_CLIP = 0.03

#: Isotropy of the band-pass below which its energy is scaled down (Params).
EDGE_ISOTROPY = 0.5

#: How the window blurs are computed (:func:`skincore.texture.texture_energy`):
#: "decimated" blurs the 2.5 mm window on a grid int(sigma / 4) times coarser
#: (2x at 4 px/mm), within noise of "exact" on the photos of shared/faces and
#: the sample, and 1.4-1.5x faster for the whole energy (bench_texture.py).
WINDOW = "decimated"

#: Beard share of the face below the nose tip from which roughness is measured
#: above the nose tip only (:data:`skincore.face.beard.BEARDED_SHARE`).
BEARD_SHARE = BEARDED_SHARE

#: Sigma (mm) of the local skin level that finds a sheen (oiliness's, so that
#: both read one set of levels: :func:`skincore.concerns.oiliness.face_levels`).
SHEEN_SIGMA_MM = 4.0

#: L* by which a sheen's local level exceeds the face skin's median.
SHEEN_LIFT = 5.0

#: A sheen's local chroma per L* is below this share of the face skin's
#: (median C* / median L*); 0 turns the sheen test off.
SHEEN_CHROMA = 0.75

#: Smallest fine sigma in texture pixels (below it the blur does nothing).
_MIN_SIGMA_PX = 0.5

#: Minimum mask weight for the normalised convolution to be trusted.
_MIN_WEIGHT = 1e-3


@dataclass(frozen=True)
class Params:
    """Roughness thresholds (defaults: the module constants of the same meaning).

    Attributes
    ----------
    rough_threshold : float
        Local RMS band-pass amplitude (L*/100) above which skin is rough.
    severity_full : float
        Mean clipped excess at which severity reaches 100.
    smooth_bands : tuple of int
        Severity upper bounds of smooth grades 1, 2, 3.
    fine_sigma_mm, coarse_sigma_mm : float
        Band-pass scales (Gaussian sigma, mm).
    window_sigma_mm : float
        Window of the local RMS (mm).
    edge_margin_mm : float
        Skin closer than this to the mask's edge is left out.
    band_clip : float
        Band-pass values are clipped to +-band_clip before squaring.
    work_px_per_mm : float
        Grid on which the energy is computed (finer grids are resampled).
    edge_isotropy : float
        Below this isotropy ``i = 2 l2 / (l1 + l2)`` of the band-pass
        (``l1 >= l2`` the eigenvalues of its structure tensor over the window)
        the energy is scaled by ``sqrt(i / edge_isotropy)``: a shading edge (the
        side of the nose, a nasolabial fold, the jaw line) or aligned stubble is
        a one-directional band (``i`` near 0) and is not roughness; bumps and
        uneven texture point every way (band-passed white noise: ``i`` about
        0.92; the skin of the ten photos of ``shared/faces``: median 0.73-0.80,
        10th percentile 0.47-0.57). 0 turns the test off.
    window : str
        ``"decimated"`` (default) or ``"exact"`` window blurs
        (:func:`skincore.texture.texture_energy`).
    beard_share : float
        A face whose beard mask covers at least this share of its outline below
        the nose tip (:func:`skincore.face.beard.beard_share`) is measured above
        the nose tip only: the stubble the beard mask misses around its patches
        (upper lip, chin, jaw) is hair, and hair reads as rough. ``1.0`` turns
        this off.
    fold_margin_mm : float
        Half-width (mm) of the band round the nose folds that is not measured
        (:meth:`~skincore.concerns.context.TextureContext.fold_free`); 0 keeps it.
    lower_lid_mm : float
        Depth (mm) of the band below each lower lid that is not measured
        (:meth:`~skincore.concerns.context.TextureContext.lower_lid_bands`); 0
        measures it.
    nose_side_mm : float
        Half-width (mm) of the band along each side of the nose's bridge that is
        not measured (:meth:`~skincore.concerns.context.TextureContext.nose_side_bands`);
        0 measures it.
    lip_chin_mm : float
        Depth (mm) of the band under the lower lip's middle that is not measured
        (:func:`skincore.face.regions.lip_chin_band`); 0 measures it.
    mouth_corner_mm : float
        Radius (mm) of the disc beside each mouth corner that is not measured
        (:func:`skincore.face.regions.mouth_corner_band`); 0 measures it.
    hair_margin_mm : float
        Skin this close (mm) to the segmented hair is not measured
        (:meth:`~skincore.concerns.context.TextureContext.hair_band`); 0
        measures it.
    far_glabella_mm, far_glabella_margin_mm : float
        On a turned face, the band along the far side's glabella edge that is
        not measured: ``far_glabella_margin_mm`` round it and ``far_glabella_mm``
        further out at full yaw (:data:`FAR_GLABELLA_MM`); a ``far_glabella_mm``
        of 0 measures it.
    sheen_sigma_mm, sheen_lift, sheen_chroma : float
        The sheen left out of the statistics (:func:`sheen_mask`); a
        ``sheen_chroma`` of 0 measures it.
    glints : skincore.concerns.glints.GlintParams
        The glints lowered to the skin's level before the band-pass
        (:mod:`skincore.concerns.glints`); ``GlintParams(fill_mm=0)`` leaves them.
    """

    rough_threshold: float = ROUGH_THRESHOLD
    severity_full: float = SEVERITY_FULL
    smooth_bands: tuple[int, ...] = SMOOTH_BANDS
    fine_sigma_mm: float = FINE_SIGMA_MM
    coarse_sigma_mm: float = COARSE_SIGMA_MM
    window_sigma_mm: float = WINDOW_SIGMA_MM
    edge_margin_mm: float = EDGE_MARGIN_MM
    band_clip: float = BAND_CLIP
    work_px_per_mm: float = WORK_PX_PER_MM
    edge_isotropy: float = EDGE_ISOTROPY
    window: str = WINDOW
    beard_share: float = BEARD_SHARE
    fold_margin_mm: float = FOLD_MARGIN_MM
    lower_lid_mm: float = LOWER_LID_MM
    nose_side_mm: float = NOSE_SIDE_MM
    lip_chin_mm: float = LIP_CHIN_MM
    mouth_corner_mm: float = MOUTH_CORNER_MM
    hair_margin_mm: float = HAIR_MARGIN_MM
    far_glabella_mm: float = FAR_GLABELLA_MM
    far_glabella_margin_mm: float = FAR_GLABELLA_MARGIN_MM
    sheen_sigma_mm: float = SHEEN_SIGMA_MM
    sheen_lift: float = SHEEN_LIFT
    sheen_chroma: float = SHEEN_CHROMA
    glints: GlintParams = field(default_factory=GlintParams)


def measured_skin(ctx: TextureContext, params: Params) -> np.ndarray:
    """Return the skin roughness measures: the face skin less seven kinds of band.

    The bands: round the nose folds, below the lower lids, along the bridge's
    sides, under the lower lip, beside the mouth corners (the module docstring's
    step 4), along the hair's edge and, on a turned face, along the far side's
    glabella edge.

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid.
    params : Params
        ``fold_margin_mm`` is the half-width of the band round the nose folds,
        ``lower_lid_mm`` the depth of the band below each lower lid,
        ``nose_side_mm`` the half-width of the band along each side of the bridge,
        ``lip_chin_mm`` the depth of the band under the lower lip,
        ``mouth_corner_mm`` the radius of the disc beside each mouth corner,
        ``hair_margin_mm`` the width of the band along the hair (when ``ctx``
        has the hair) and ``far_glabella_mm`` and ``far_glabella_margin_mm`` the
        reach and half-width of the band along the far glabella edge.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` uint8 (255 = skin), read-only.
    """
    skin = ctx.fold_free(params.fold_margin_mm)
    lids, sides = params.lower_lid_mm, params.nose_side_mm
    chin, corners = params.lip_chin_mm, params.mouth_corner_mm
    hair = params.hair_margin_mm if ctx.hair is not None else 0.0
    glabella = (
        ctx.far_nose_band(params.far_glabella_margin_mm, params.far_glabella_mm, FAR_GLABELLA)
        if params.far_glabella_mm > 0
        else None
    )
    if not (lids > 0 or sides > 0 or chin > 0 or corners > 0 or hair > 0 or glabella is not None):
        return skin

    def compute() -> np.ndarray:
        out = skin
        if lids > 0:
            out = zero_where(out, ctx.lower_lid_bands(lids))
        if sides > 0:
            out = zero_where(out, ctx.nose_side_bands(sides))
        if chin > 0 or corners > 0:
            out = zero_where(out, ctx.mouth_bands(chin, corners))
        if hair > 0:
            out = zero_where(out, ctx.hair_band(hair))
        if glabella is not None:
            out = zero_where(out, glabella)
        out.flags.writeable = False
        return out

    key = (
        "roughness_skin",
        params.fold_margin_mm,
        lids,
        sides,
        chin,
        corners,
        hair,
        (params.far_glabella_mm, params.far_glabella_margin_mm) if glabella is not None else None,
    )
    return ctx.memo(key, compute)


def sheen_mask(
    lab: np.ndarray,
    skin: np.ndarray,
    px_per_mm: float,
    params: Params,
    *,
    levels: Levels | None = None,
    reference: tuple[float, float] | None = None,
    threads: int = 0,
) -> np.ndarray:
    """Skin under a broad specular sheen (step 5 of the module docstring).

    With ``Lb`` and ``Cb`` the normalised Gaussian means (sigma
    ``sheen_sigma_mm``) of L* and C*ab over ``skin``, and ``L0``, ``C0`` the
    skin's median L* and chroma: ``Lb - L0 >= sheen_lift`` and
    ``Cb < sheen_chroma * (C0 / L0) * Lb``.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(h, w, 3)`` CIELAB of the face crop (the colour grid holds a* and b*).
    skin : numpy.ndarray
        ``(h, w)`` face skin (nonzero inside): the levels and medians are over it.
    px_per_mm : float
        Resolution of ``lab`` (pixels per millimetre of skin).
    params : Params
        ``sheen_sigma_mm``, ``sheen_lift``, ``sheen_chroma``.
    levels : tuple of numpy.ndarray, optional
        :func:`skincore.concerns.oiliness.local_levels` of ``lab`` over ``skin``
        at ``sheen_sigma_mm`` when already computed (a face's are shared with
        oiliness).
    reference : tuple of float, optional
        ``(L0, C0)`` when already known (a face's robust Lab statistics);
        the medians over ``skin`` when omitted.
    threads : int, optional
        Worker threads of the blurs (results do not depend on it).

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` bool, False off skin (and everywhere when ``sheen_chroma`` is 0).
    """
    on = skin > 0
    if params.sheen_chroma <= 0 or not np.any(on):
        return np.zeros(on.shape, bool)
    if levels is None:
        levels = local_levels(lab, skin, px_per_mm, params.sheen_sigma_mm, threads=threads)
    light, chroma, base_l, base_c = levels
    if reference is None:
        reference = (float(np.median(light[on])), float(np.median(chroma[on])))
    l0, c0 = reference
    if not (np.isfinite(l0) and np.isfinite(c0)) or l0 <= 0:
        return np.zeros(on.shape, bool)
    ratio = np.float32(params.sheen_chroma * c0 / l0)
    return on & (base_l >= np.float32(l0 + params.sheen_lift)) & (base_c < ratio * base_l)


def texture_energy(
    ctx: TextureContext, params: Params | None = None, *, threads: int = 0
) -> np.ndarray:
    """Local RMS of the band-passed lightness over the face skin.

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid; :func:`measured_skin` selects the skin.
    params : Params, optional
        Scales; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the blurs (results do not depend on it).

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` float32 texture amplitude ``E`` in L*/100 units; 0 outside the
        measured skin.
    """
    return _shared_energy(ctx, params or Params(), threads).copy()


def face_texture_energy(work, params: Params) -> np.ndarray:  # noqa: ANN001 - FaceWork
    """:func:`texture_energy` of a face with its glints lowered (step 6), shared.

    The band-pass reads :func:`skincore.concerns.glints.glint_gray` of its grid
    (``params.glints``); with the fill off, or no glint on the face, this is
    :func:`shared_texture_energy`. Read-only and memoised on the face's texture
    grid: roughness and moisture read the same map.
    """
    return _shared_energy(work.texture, params, work.threads, lowering(work, params.glints))


def shared_texture_energy(
    ctx: TextureContext, params: Params | None = None, *, threads: int = 0
) -> np.ndarray:
    """:func:`texture_energy`, read-only and shared: the map memoised on ``ctx``.

    For concerns that only read the energy (moisture): no copy of the map
    roughness already computed. Do not write to it (the memoised map is
    read-only).
    """
    return _shared_energy(ctx, params or Params(), threads)


def _shared_energy(
    ctx: TextureContext, params: Params, threads: int, lowered: Lowered | None = None
) -> np.ndarray:
    # The band (0.3-1.2 mm) and the 2.5 mm window are resolved at
    # WORK_PX_PER_MM; finer grids only cost time. The energy is computed there and
    # resampled back onto the context's grid.
    # Memoised on the context grid too: roughness and moisture read the same map
    # (read-only here; texture_energy hands out copies).
    face = ctx.masks.get("face")
    if face is None or face.shape != ctx.gray.shape:
        return np.zeros(ctx.gray.shape, np.float32)
    face = measured_skin(ctx, params)
    if not np.any(face):
        return np.zeros(ctx.gray.shape, np.float32)

    def compute() -> np.ndarray:
        energy = _energy_on_grid(ctx, face, params, threads, lowered)
        energy.flags.writeable = False
        return energy

    # the lowered image is the face's own (glints.glint_gray): one per face and params
    return ctx.memo(("roughness_energy_grid", params, lowered is not None), compute)


def _energy_on_grid(
    ctx: TextureContext,
    face: np.ndarray,
    params: Params,
    threads: int,
    lowered: Lowered | None = None,
) -> np.ndarray:
    work = ctx.rescaled(params.work_px_per_mm, threads=threads)
    energy = work.memo(
        ("roughness_energy", params, lowered is not None),
        lambda: _energy(work, params, threads, lowered),
    )
    if work is ctx:
        return energy.copy()
    # geometry.resize(..., method="bilinear") and 0 outside the face, in one pass
    return texture.upsample_on(energy, face, threads=threads)


def _energy(
    ctx: TextureContext, params: Params, threads: int, lowered: Lowered | None = None
) -> np.ndarray:
    gray = np.ascontiguousarray(ctx.gray if lowered is None else lowered(ctx), dtype=np.float32)
    face = ctx.masks.get("face")
    if face is None or face.shape != gray.shape:
        return np.zeros(gray.shape, np.float32)
    face = measured_skin(ctx, params)
    if not np.any(face):
        return np.zeros(gray.shape, np.float32)
    ppm = float(ctx.px_per_mm)
    # Edge margin: a Gaussian of sigma r/2 falls to ~0.977 of the interior level
    # at r from a straight edge; the kernel keeps what is at least that deep inside.
    r_edge = params.edge_margin_mm * ppm
    s_fine = max(_MIN_SIGMA_PX, params.fine_sigma_mm * ppm)
    s_coarse = max(2.0 * s_fine, params.coarse_sigma_mm * ppm)
    s_win = max(s_coarse, params.window_sigma_mm * ppm)
    # Steps 1-3 of the module docstring in one compiled pass (equal, bit for bit,
    # to their NumPy composition: tests/reference/texture.py).
    return texture.texture_energy(
        gray,
        face,
        erode_sigma=r_edge / 2.0 if r_edge >= 0.5 else 0.0,
        fine_sigma=s_fine,
        coarse_sigma=s_coarse,
        window_sigma=s_win,
        band_clip=params.band_clip,
        edge_isotropy=max(params.edge_isotropy, 0.0),
        min_weight=_MIN_WEIGHT,
        window=params.window,
        threads=threads,
    )


def _as_mask(m: np.ndarray) -> np.ndarray:
    """Return a mask as uint8 or bool (nonzero inside), without a copy when it is one."""
    return m if m.dtype in (np.uint8, np.bool_) else m > 0


def mean_excess(energy: np.ndarray, skin: np.ndarray, threshold: float = ROUGH_THRESHOLD) -> float:
    """Mean over ``skin`` of ``clip((E - T) / T, 0, 1)`` (0 for an empty mask)."""
    sel = skin if skin.dtype == np.bool_ else skin > 0
    e = energy[sel].astype(np.float64)
    if e.size == 0:
        return 0.0
    # clip((E - T) / T, 0, 1), in place (the same operations, fewer temporaries)
    e -= threshold
    e /= threshold
    np.clip(e, 0.0, 1.0, out=e)
    return float(np.mean(e))


def severity_from_excess(excess: float, full: float = SEVERITY_FULL) -> int:
    """Severity 0-100: ``round(100 * min(1, excess / full))``."""
    return int(round(100.0 * min(1.0, excess / full)))


def severity_from_energy(energy: np.ndarray, skin: np.ndarray) -> int:
    """Severity 0-100 from a texture-energy map (see the module docstring).

    Parameters
    ----------
    energy : numpy.ndarray
        ``(h, w)`` texture amplitude from :func:`texture_energy`.
    skin : numpy.ndarray
        ``(h, w)`` mask of the skin to average over (nonzero inside).

    Returns
    -------
    int
        ``round(100 * min(1, mean(clip((E - T) / T, 0, 1)) / SEVERITY_FULL))``
        over ``skin``; 0 when the mask is empty.
    """
    sel = skin > 0
    if not np.any(sel):
        return 0
    t = ROUGH_THRESHOLD
    excess = np.clip((energy[sel].astype(np.float64) - t) / t, 0.0, 1.0)
    return int(round(100.0 * min(1.0, float(np.mean(excess)) / SEVERITY_FULL)))


def smooth_grade(severity: int, bands: tuple[int, ...] = SMOOTH_BANDS) -> int:
    """face_field ``skin.smooth`` grade (1 smoothest .. 4) of a severity."""
    for g, bound in enumerate(bands, start=1):
        if severity < bound:
            return g
    return len(bands) + 1


def measure_roughness(
    ctx: TextureContext,
    params: Params | None = None,
    *,
    threads: int = 0,
    above_nose_only: bool = False,
    sheen: np.ndarray | None = None,
    energy: np.ndarray | None = None,
) -> Roughness | None:
    """Measure rough skin on one face.

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid (``FaceWork.texture``).
    params : Params, optional
        Thresholds; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the kernels (results do not depend on it).
    above_nose_only : bool, optional
        Measure only the skin above the nose tip (a bearded face, see
        ``Params.beard_share``): the chin zone is left out and the cheeks are
        measured on their upper part.
    sheen : numpy.ndarray, optional
        ``(h, w)`` bool on the texture grid: skin left out of the statistics
        (:func:`sheen_mask`); none when omitted.
    energy : numpy.ndarray, optional
        ``(h, w)`` texture energy on the texture grid when already computed
        (:func:`face_texture_energy`, glints lowered); :func:`shared_texture_energy`
        when omitted.

    Returns
    -------
    Roughness or None
        Rough area, per-zone fractions, mean excess over the threshold and the
        rough mask on the texture grid; None when the face has no skin pixels
        or its grid is coarser than :data:`MIN_PX_PER_MM`.
    """
    params = params or Params()
    if not ctx.px_per_mm >= MIN_PX_PER_MM:
        return None
    face = ctx.masks.get("face")
    if face is None or face.shape != ctx.gray.shape:
        return None
    face = measured_skin(ctx, params)
    upper = ctx.above_nose() if above_nose_only else None
    skin = _as_mask(face) if upper is None else (face > 0) & upper
    n_measured = 0
    if sheen is not None and sheen.shape == face.shape and sheen.any():
        n_measured = int(np.count_nonzero(skin))
        skin = (skin > 0) & ~sheen
    # rough = skin & (energy > threshold), its count and mean_excess(energy, skin)
    # in one compiled pass (equal to that NumPy composition)
    if energy is None or energy.shape != face.shape:
        energy = _shared_energy(ctx, params, threads)
    ex = texture.excess_over(energy, skin, params.rough_threshold, threads=threads)
    if ex.n_skin == 0:
        return None
    rough = ex.over
    zones: dict[str, float] = {}
    for name in ROUGH_ZONES:
        zm = ctx.masks.get(name)
        if zm is None or zm.shape != rough.shape or (upper is not None and name == "chin"):
            continue
        # inside the zone's box (0 outside); uint8 masks (nonzero inside) are
        # counted as they are, without bool copies
        box = mask_box(ctx.masks, name)
        if box is None:
            zones[name] = 0.0
            continue
        x0, y0, x1, y1 = box
        zm = zm[y0:y1, x0:x1]
        zsel = (zm > 0) & (skin[y0:y1, x0:x1] > 0)
        nz = int(np.count_nonzero(zsel))
        hit = np.bitwise_and(rough[y0:y1, x0:x1], zsel)
        zones[name] = float(np.count_nonzero(hit)) / nz if nz else 0.0
    return Roughness(
        area=float(ex.n_over) / ex.n_skin,
        zones=zones,
        excess=ex.excess,
        mask=rough,
        mask_origin=(int(ctx.origin[0]), int(ctx.origin[1])),
        mask_scale=float(ctx.scale),
        above_nose_only=above_nose_only,
        sheen=1.0 - ex.n_skin / n_measured if n_measured else 0.0,
    )


def measure(work, params: Params) -> Roughness | None:  # noqa: ANN001 - FaceWork
    """Concern entry point: :func:`measure_roughness` on the face's texture grid.

    Above the nose tip only when the face is bearded (``Params.beard_share``);
    the sheen (:func:`sheen_mask`, found on the colour grid, which holds a* and
    b*) is left out, and the glints are lowered (:func:`face_texture_energy`).
    None where the photo resolves less than :data:`MIN_PX_PER_MM` on the skin
    (moisture and skin type read this result: the pipeline skips roughness there
    with the reason).
    """
    if not work.resolved_px_per_mm >= MIN_PX_PER_MM:  # at most the grid's sampling
        return None
    bearded = work.beard_share >= params.beard_share
    return measure_roughness(
        work.texture,
        params,
        threads=work.threads,
        above_nose_only=bearded,
        sheen=face_sheen(work, params),
        energy=face_texture_energy(work, params),
    )


def face_sheen(work, params: Params) -> np.ndarray | None:  # noqa: ANN001 - FaceWork
    """Return the face's sheen (:func:`sheen_mask`) on its texture grid, shared.

    Found on the colour grid, which holds a* and b*, with the whole face's robust
    Lab statistics, and resampled as a mask onto the texture grid (both grids cover
    the same crop, :attr:`FaceWork.crop`). Memoised on the texture grid per
    parameters: roughness leaves this skin out of its statistics, and wrinkles
    hold the short lines traced in it to a longer minimum
    (``wrinkles.Params.sheen_min_length_mm``). Read-only. ``None`` when
    ``params.sheen_chroma`` is 0 or the face has no sheen.
    """
    if not params.sheen_chroma > 0:
        return None
    tex = work.texture
    key = ("sheen", params.sheen_sigma_mm, params.sheen_lift, params.sheen_chroma)

    def compute() -> np.ndarray | None:
        stats = work.face_stats  # the whole face's robust Lab statistics (shared)
        found = sheen_mask(
            work.colour_lab,
            work.colour.masks["face"],
            work.colour_px_per_mm,
            params,
            levels=face_levels(work, params.sheen_sigma_mm),
            reference=(stats.L_median_all, float(np.hypot(stats.a_median, stats.b_median))),
            threads=work.threads,
        )
        if not found.any():
            return None
        sheen = (
            geometry.resize_mask(
                mask255(found), (tex.gray.shape[1], tex.gray.shape[0]), threads=work.threads
            )
            > 0
        )
        sheen.flags.writeable = False
        return sheen

    return tex.memo(key, compute)


def grade(result: Roughness, params: Params) -> ConcernGrade:
    """Severity 0-100 (AILab ``rough_severity``), smooth grade 1-4, score.

    ``severity = round(100 * min(1, excess / severity_full))``; score
    ``max(1, 100 - severity)``; confidence of the smooth grade: a logistic of
    the severity's distance to the nearest smooth band edge in units of 5
    severity points. ``extra["smooth"]`` is face_field's ``skin.smooth``.
    """
    sev = severity_from_excess(result.excess, params.severity_full)
    smooth = smooth_grade(sev, params.smooth_bands)
    edge = min(params.smooth_bands, key=lambda b: abs(sev - b))
    whole = Grade(
        severity=sev,
        confidence=margin_confidence(float(sev), float(edge), 5.0),
        score=float(max(1, 100 - sev)),
    )
    return ConcernGrade(whole=whole, extra={"smooth": smooth})


CONCERN: Concern = Concern(
    name="roughness",
    summary="rough skin: local texture energy 0.3-1.2 mm, rough area per zone",
    params=Params,
    result=Roughness,
    measure=measure,
    grade=grade,
    min_px_per_mm=MIN_PX_PER_MM,
)
