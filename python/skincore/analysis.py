"""The typed result of an analysis: one object, rendered by every dialect.

The engine measures once into these dataclasses; ``Analysis.to_dict(dialect)``
renders them in a vendor's format without computing anything new. Coordinates are
pixels of the upright input image (EXIF orientation applied), x to the right, y
down. ``left``/``right`` in region and concern names are the **subject's** left and
right (the subject's left cheek appears on the image's right side in a
non-mirrored photo), as in the vendor documents' examples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Names of the registered concerns (installed by :mod:`skincore.concerns.registry`,
#: so that this module imports nothing of skincore's).
_CONCERN_NAMES: set[str] = set()

#: The renderer :meth:`Analysis.to_dict` calls (installed by :mod:`skincore.render`).
_RENDERER: Callable[..., dict[str, Any]] | None = None


def register_concern_names(names: Iterable[str]) -> None:
    """Make ``face.<name>`` read a concern's result (called by the registry)."""
    _CONCERN_NAMES.update(names)


def set_renderer(fn: Callable[..., dict[str, Any]]) -> None:
    """Install the function :meth:`Analysis.to_dict` renders with."""
    global _RENDERER
    _RENDERER = fn


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box in image pixels."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """X of the right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """Y of the bottom edge."""
        return self.top + self.height

    @classmethod
    def from_points(cls, pts: np.ndarray) -> Rect:
        """Return the bounding box of ``(N, 2+)`` points."""
        x0, y0 = float(np.min(pts[:, 0])), float(np.min(pts[:, 1]))
        x1, y1 = float(np.max(pts[:, 0])), float(np.max(pts[:, 1]))
        return cls(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees.

    ``yaw`` > 0: the subject turns towards the image's right (their left);
    ``pitch`` > 0: the subject looks up; ``roll`` > 0: the face is rotated
    clockwise in the image (the eye line descends to the image's right).
    """

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True)
class FaceGeometry:
    """Where a face is and how it is turned.

    Attributes
    ----------
    box : Rect
        The face detector's box.
    face_rect : Rect
        The tight box of the landmark face outline (AILab ``face_rect``).
    score : float
        Detector confidence in [0, 1].
    presence : float
        Landmark model's face-presence probability in [0, 1].
    confirmation : float
        The face detector's score in the crop the landmarks define, in [0, 1]
        (:mod:`skincore.face.confirm`; ``Limits.min_face_confirmation``); NaN
        when it was not run.
    eye_contrast : float
        How far the landmarks' eyes stand out of the cheek skin, on the skin's
        lightness scale (:mod:`skincore.face.eye_contrast`;
        ``Limits.min_eye_contrast``): real faces 0.18 and more; NaN when no eye
        or cheek lies in the photo, or it was not measured (side photos).
    pose : Pose
        Yaw, pitch, roll in degrees.
    degree : int
        Clockwise rotation of the face box from vertical, [-180, 180]
        (face_field ``location.degree``): the rounded roll.
    face_ratio : float
        Face outline area over image area.
    landmarks : numpy.ndarray
        ``(478, 3)`` float32 FaceMesh points (x, y in image pixels, z in the same
        scale, smaller = nearer the camera).
    regions : dict of str to numpy.ndarray
        Region polygons, ``(K, 2)`` float32 (x, y) each; see
        :mod:`skincore.face.regions`.
    px_per_mm : float
        Image pixels per millimetre on the face (iris, 11.7 mm across).
    """

    box: Rect
    face_rect: Rect
    score: float
    presence: float
    pose: Pose
    degree: int
    face_ratio: float
    landmarks: np.ndarray = field(repr=False)
    regions: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    px_per_mm: float = float("nan")
    confirmation: float = float("nan")
    eye_contrast: float = float("nan")


@dataclass(frozen=True)
class Quality:
    """Photo quality measured on the face.

    Attributes
    ----------
    skin_lightness : float
        Median L* of the whole-face skin (robust, see :mod:`skincore.color`).
    hair_occlusion : float or None
        Share of the face (the face outline above the eye line, eyes and brows
        left out) not seen as uncovered skin by the segmentation: fringe, hair
        or anything covering the forehead, in [0, 1].
    out_of_bound : float
        Fraction of the face outline that lies outside the image.
    warnings : tuple of str
        ``"imporper_headpose"`` (sic: AILab's spelling, which its clients match)
        when |yaw|, |pitch| or |roll| exceeds 45 degrees (AILab's rule).
    glasses : bool or None
        Glasses on the face (a heuristic, see :mod:`skincore.face.glasses`: a
        sharp dark bar across the nose bridge, rims beside or below both eyes,
        and a frame, not many creases, found round the eyes).
    colour_spread : float
        How far the face's pixels spread between R, G and B, relative to their
        level (:mod:`skincore.face.greyscale`; ``Limits.min_colour_spread``):
        greyscale photos 0.08 and less, colour photos 0.23 and more; measured
        whether or not the limit is set, NaN when no pixel of the face oval
        lies in the photo.
    overexposed : float
        Share of the face's skin blown out by the light: a channel at
        :data:`skincore.pipeline.CLIPPED_LEVEL` (250) or above on the colour grid
        (``Limits.max_overexposed``). Red saturates first on skin, so redness and
        the skin's colour are under-read there. NaN when there is no skin.
    blur_mm : float
        How sharp the photo is on the face: the Gaussian width of the iris's
        edge, in mm (:mod:`skincore.face.sharpness`; ``Limits.max_blur_mm``):
        about 0.2 on a sharp photo, 0.35 typical, above 0.8 too soft to show any
        texture finer than a millimetre, whatever the pixel count. NaN when no
        open eye shows its limbus (closed eyes, light irises).
    resolved_px_per_mm : float
        The sampling (px/mm) the photo's skin detail supports, at most the
        texture grid's (:mod:`skincore.concerns.resolution`): lower than the
        face's own sampling on an upscaled, defocused or smoothed photo, and
        concerns that need more (``Concern.min_px_per_mm``) are skipped with the
        reason. NaN when no requested concern needs a minimum sampling the face
        reaches or reads it (pigmentation counts brown spots from 2 px/mm).
    """

    skin_lightness: float
    hair_occlusion: float | None
    out_of_bound: float
    warnings: tuple[str, ...] = ()
    glasses: bool | None = None
    colour_spread: float = float("nan")
    overexposed: float = float("nan")
    blur_mm: float = float("nan")
    resolved_px_per_mm: float = float("nan")


@dataclass(frozen=True)
class Graded:
    """A class label with the confidence the engine has in it."""

    value: int
    confidence: float


@dataclass(frozen=True)
class WhiteBalance:
    """The photo's colour cast read from the whites of the eyes (see ``face.sclera``).

    Attributes
    ----------
    sclera_lab : tuple of float or None
        Median CIELAB of the sampled sclera; ``None`` when none is visible.
    sclera_pixels : int
        Sclera pixels sampled (both eyes).
    reference_b : float
        The b* the sclera is brought to.
    gain : float or None
        Linear red gain ``t`` of the correction (blue ``1/t``, green 1): above 1
        the photo was too blue (cold), below 1 too yellow (warm). ``None`` when
        the sclera is not usable (``reason`` says why).
    skin_lab : tuple of float or None
        The whole-face skin's robust mean CIELAB after the correction.
    skin_ita : float or None
        Its ITA, degrees.
    applied : bool
        Whether the tone's L*, a*, b*, ITA and classes are the corrected ones
        (``tone.Params(white_balance="apply")``).
    reason : str
        Why no correction was computed; empty when it was.
    """

    sclera_lab: tuple[float, float, float] | None
    sclera_pixels: int
    reference_b: float
    gain: float | None
    skin_lab: tuple[float, float, float] | None
    skin_ita: float | None
    applied: bool
    reason: str


@dataclass(frozen=True)
class SkinTone:
    """Skin colour measured in CIELAB over the face's skin.

    Attributes
    ----------
    L, a, b : float
        Robust mean CIELAB (D65) of the whole-face skin.
    ita : float
        Individual Typology Angle, degrees: atan((L* - 50) / b*).
    ita_class : int
        0-5 by the vendor table (very light ... dark), 6 = abnormal (light too
        dark or overexposed for colour to be trusted).
    ha : float
        Hue angle, degrees: atan(b* / a*).
    ha_class : int
        0 yellowish, 1 neutral, 2 reddish, 3 abnormal.
    skin_color : Graded
        Five-class skin colour (0 transparent white, 1 white, 2 natural,
        3 wheat, 4 dark) derived from the ITA; confidence is the fraction of
        the face regions whose own ITA falls in the same class.
    region_ita : dict of str to float
        ITA per face region, the evidence behind the confidence.
    n_pixels : int
        Skin pixels used after excluding specular highlights and shadows.
    white_balance : WhiteBalance or None
        The camera's colour cast read from the sclera and the skin colour
        without it; ``None`` with ``tone.Params(white_balance="none")``.
    """

    L: float
    a: float
    b: float
    ita: float
    ita_class: int
    ha: float
    ha_class: int
    skin_color: Graded
    region_ita: dict[str, float]
    n_pixels: int
    white_balance: WhiteBalance | None = None


#: Zones where pores are counted (``chin`` is the vendors' ``jaw``).
PORE_ZONES = ("forehead", "nose", "left_cheek", "right_cheek", "chin")

#: Zones where wrinkles are traced, as the AILab Pro document lists them.
WRINKLE_ZONES = (
    "forehead",
    "glabella",
    "left_crows_feet",
    "right_crows_feet",
    "left_under_eye",
    "right_under_eye",
    "left_nasolabial",
    "right_nasolabial",
    "left_cheek",
    "right_cheek",
    "left_mouth_corner",
    "right_mouth_corner",
)

#: Zones where roughness is measured (``chin`` is the vendors' ``jaw``).
ROUGH_ZONES = ("forehead", "left_cheek", "right_cheek", "chin")


@dataclass(frozen=True)
class PoreZone:
    """Pores in one zone.

    Attributes
    ----------
    count : int
        Visible pores detected (dark blobs within the pore size range).
    enlarged_count : int
        Pores whose radius is at least ``Pores.enlarged_radius_mm``.
    enlarged_area : float
        Fraction of the zone's skin area covered by enlarged pores' disks, [0, 1].
    area_px : int
        Skin area of the zone in image pixels.
    area_cm2 : float
        Skin area of the zone in square centimetres (iris scale).
    density_per_cm2 : float
        ``count`` per square centimetre of skin (scale from the iris, see
        ``Pores.px_per_mm``).
    enlarged_density_per_cm2 : float
        ``enlarged_count`` per square centimetre.
    """

    count: int
    enlarged_count: int
    enlarged_area: float
    area_px: int
    area_cm2: float
    density_per_cm2: float
    enlarged_density_per_cm2: float


@dataclass(frozen=True)
class Pores:
    """Pores over the face.

    Attributes
    ----------
    zones : dict of str to PoreZone
        Keys from :data:`PORE_ZONES`.
    blobs : numpy.ndarray
        ``(N, 4)`` float32 x, y, radius (image pixels), contrast of every pore.
    px_per_mm : float
        Image pixels per millimetre on the face, from the iris diameter
        (11.7 mm, a population constant).
    enlarged_radius_mm : float
        Radius from which a pore counts as enlarged.
    detection_limit_mm : float
        Smallest pore radius this photo resolves (the finest detection scale, at
        the sampling the photo resolves: ``Quality.resolved_px_per_mm``).
    fine_resolved : bool
        False between 3.4 and 4 px/mm (sampled, or resolved on an upscaled or
        soft photo): the finest pores are below resolution and
        only enlarged pores are counted (``count`` = ``enlarged_count``); no count
        severities or scores are graded then.
    """

    zones: dict[str, PoreZone]
    blobs: np.ndarray = field(repr=False)
    px_per_mm: float
    enlarged_radius_mm: float
    detection_limit_mm: float
    fine_resolved: bool = True


@dataclass(frozen=True)
class Blackheads:
    """Blackheads on the nose zone.

    Attributes
    ----------
    count : int
        Blackheads detected (small, very dark blobs on the nose).
    density_per_cm2 : float
        ``count`` per square centimetre of nose skin.
    blobs : numpy.ndarray
        ``(N, 4)`` float32 x, y, radius (image pixels), contrast.
    """

    count: int
    density_per_cm2: float
    blobs: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class WrinkleLine:
    """One traced wrinkle.

    Attributes
    ----------
    points : numpy.ndarray
        ``(K, 2)`` float32 polyline in image pixels.
    length_px : float
        Polyline length in pixels.
    length_mm : float
        Length in millimetres (iris scale).
    depth : float
        Mean ridge strength along the line (Frangi response, [0, 1]).
    max_depth : float
        Maximum ridge strength along the line.
    width_px : float
        Estimated width in pixels.
    deep : bool
        ``depth >= Wrinkles.deep_threshold``.
    """

    points: np.ndarray = field(repr=False)
    length_px: float
    length_mm: float
    depth: float
    max_depth: float
    width_px: float
    deep: bool


@dataclass(frozen=True)
class WrinkleZone:
    """Wrinkles in one zone (the fields of AILab Pro ``*_wrinkle_info``).

    Attributes
    ----------
    lines : tuple of WrinkleLine
        Every traced wrinkle of the zone.
    load : float
        Wrinkle load ``sum(length_mm * depth) / sqrt(zone area mm2)``: what the
        grading maps to severity and score.
    norm_length : float
        Total line length over the zone's size (sqrt of its area).
    norm_depth : float
        Length-weighted mean depth, [0, 1].
    pixel_density : float
        Skeleton pixels per zone pixel.
    area_ratio : float
        Area covered by the lines (length x width) over the zone area, [0, 1].
    deep_ratio : float
        Length of deep lines over total length, [0, 1].
    deep_count, shallow_count : int
        Lines at or above / below the depth threshold.
    outlines : tuple of numpy.ndarray
        Contour polygon of each line's footprint (``wrinkle_mark``).
    area_px : int
        Skin area of the zone in image pixels.
    """

    lines: tuple[WrinkleLine, ...]
    load: float
    norm_length: float
    norm_depth: float
    pixel_density: float
    area_ratio: float
    deep_ratio: float
    deep_count: int
    shallow_count: int
    outlines: tuple[np.ndarray, ...] = field(repr=False)
    area_px: int


@dataclass(frozen=True)
class Wrinkles:
    """Wrinkles over the face.

    Attributes
    ----------
    zones : dict of str to WrinkleZone
        Keys from :data:`WRINKLE_ZONES`; a zone whose skin covers less than
        ``Params.min_skin_share`` of its polygon (hidden by hair, the far side of
        a turned face) is absent, not read as smooth.
    deep_threshold : float
        Depth (ridge strength) from which a line counts as deep rather than a
        fine line.
    above_nose_only : bool
        True on a bearded face: only skin above the nose tip was traced (stubble
        reads as fine lines), and zones lying below it (nasolabial folds, mouth
        corners) are absent.
    """

    zones: dict[str, WrinkleZone]
    deep_threshold: float
    above_nose_only: bool = False


@dataclass(frozen=True)
class Roughness:
    """Rough (uneven-textured) skin.

    Attributes
    ----------
    area : float
        Fraction of the face's skin that is rough, [0, 1].
    zones : dict of str to float
        Rough fraction per zone of :data:`ROUGH_ZONES`.
    excess : float
        Mean over the face skin of ``clip((E - T) / T, 0, 1)``: how far the
        local texture amplitude ``E`` exceeds the threshold ``T`` (0 = nowhere,
        1 = everywhere at twice the threshold or more).
    mask : numpy.ndarray
        ``(h, w)`` uint8 rough-skin mask on the face crop (255 = rough).
    mask_origin : tuple of int
        (x, y) of ``mask`` in the image.
    mask_scale : float
        Mask pixels per image pixel.
    above_nose_only : bool
        True on a bearded face: only the skin above the nose tip was measured
        (stubble reads as rough), and ``zones`` has no chin.
    sheen : float
        Share of the measured face skin left out as a specular sheen, whose
        glints read as rough on dark skin (:func:`skincore.concerns.roughness.sheen_mask`);
        ``area``, ``zones`` and ``excess`` are over the rest.
    """

    area: float
    zones: dict[str, float]
    excess: float
    mask: np.ndarray = field(repr=False)
    mask_origin: tuple[int, int]
    mask_scale: float
    above_nose_only: bool = False
    sheen: float = 0.0


@dataclass(frozen=True)
class DarkCircleEye:
    """Under-eye colour of one eye against the cheek skin just below it.

    Attributes
    ----------
    delta_L, delta_a, delta_b : float
        Median CIELAB of the under-eye skin minus that of the cheekbone skin on
        the same side (``delta_L < 0``: darker).
    delta_E : float
        CIE76 colour difference of the two medians.
    dark_fraction : float
        Share of the under-eye skin darker than the reference by the outline
        threshold, [0, 1].
    rect : Rect
        Box of the under-eye region in image pixels.
    outline : numpy.ndarray
        ``(K, 2)`` float32 outline of the largest darkened area (image pixels);
        empty when nothing is darker than the threshold.
    n_pixels : int
        Under-eye pixels measured (colour grid).
    """

    delta_L: float
    delta_a: float
    delta_b: float
    delta_E: float
    dark_fraction: float
    rect: Rect
    outline: np.ndarray = field(repr=False)
    n_pixels: int


@dataclass(frozen=True)
class DarkCircles:
    """Both eyes (the subject's left and right); an eye without skin is ``None``."""

    left: DarkCircleEye | None
    right: DarkCircleEye | None


@dataclass(frozen=True)
class MaskLayer:
    """A per-pixel mask on a crop grid of the photo.

    Attributes
    ----------
    mask : numpy.ndarray
        ``(h, w)`` uint8, 255 inside.
    origin : tuple of int
        (x, y) of the grid's top-left corner in the image.
    scale : float
        Grid pixels per image pixel: image pixel ``(x, y)`` falls in grid cell
        ``floor((x - origin_x + 0.5) * scale)`` (likewise in y).
    """

    mask: np.ndarray = field(repr=False)
    origin: tuple[int, int]
    scale: float


@dataclass(frozen=True)
class OilZone:
    """Shine in one zone.

    Attributes
    ----------
    area : float
        Share of the zone's skin that is shine, [0, 1].
    intensity : float
        Mean L* excess of the shine pixels over the local skin level.
    area_px : int
        The zone's skin pixels on the colour grid.
    """

    area: float
    intensity: float
    area_px: int


@dataclass(frozen=True)
class Oiliness:
    """Specular shine over the face.

    Attributes
    ----------
    area : float
        Share of the face skin that is shine, [0, 1].
    zones : dict of str to OilZone
        T-zone, cheeks, chin.
    mask : MaskLayer
        The shine pixels (colour grid).
    """

    area: float
    zones: dict[str, OilZone]
    mask: MaskLayer = field(repr=False)


@dataclass(frozen=True)
class EyeBag:
    """The relief under one eye (see :mod:`skincore.concerns.eye_bags`).

    Attributes
    ----------
    depth : float
        Groove depth of the under-eye lightness profile, L* (0: no valley).
    trough_depth : float
        The same on the inner third of the eye (the tear trough).
    fat : bool
        A bulge over a groove across the eye (a bag) was found.
    groove_mm : float or None
        Distance of the groove below the lid margin, mm (None: no valley).
    outline : numpy.ndarray
        ``(K, 2)`` outline of the bag, from the lid to the groove (image pixels;
        to the end of the searched band where there is no groove).
    rect : Rect
        Its box.
    lines : int
        Vertical lines measured.
    """

    depth: float
    trough_depth: float
    fat: bool
    groove_mm: float | None
    outline: np.ndarray = field(repr=False)
    rect: Rect
    lines: int


@dataclass(frozen=True)
class EyeBags:
    """Both eyes (the subject's left and right); an eye not measurable is ``None``."""

    left: EyeBag | None
    right: EyeBag | None


@dataclass(frozen=True)
class Firmness:
    """Sagging signs (see :mod:`skincore.concerns.firmness`).

    Attributes
    ----------
    sag_load : float
        Mean wrinkle load of the nasolabial and mouth-corner zones measured.
    zones : dict of str to float
        Wrinkle load of each of those zones.
    """

    sag_load: float
    zones: dict[str, float]


@dataclass(frozen=True)
class Radiance:
    """Lightness evenness of the skin (see :mod:`skincore.concerns.radiance`).

    Attributes
    ----------
    unevenness : float
        Robust spread of L* around its local level over the skin, L*.
    dull_area : float
        Share of the skin markedly darker than its local level, [0, 1].
    mask : MaskLayer
        The dull skin (colour grid).
    """

    unevenness: float
    dull_area: float
    mask: MaskLayer = field(repr=False)


@dataclass(frozen=True)
class Moisture:
    """Skin that looks dehydrated: matte and rough (see :mod:`skincore.concerns.moisture`).

    Attributes
    ----------
    area : float
        Dehydrated-looking share of the face skin, [0, 1].
    severity : float
        0-100, from the area.
    zones : dict of str to float
        Dehydrated-looking share per zone of :data:`ROUGH_ZONES`.
    mask : MaskLayer
        Texture grid; 0 elsewhere, 1-255 on dehydrated-looking skin by how far its
        texture exceeds the roughness threshold.
    """

    area: float
    severity: float
    zones: dict[str, float]
    mask: MaskLayer = field(repr=False)


@dataclass(frozen=True)
class Eyelid:
    """The upper-lid crease and the lids' position of one eye.

    See :mod:`skincore.concerns.eyelids`.

    Attributes
    ----------
    crease : bool
        A crease runs across the upper lid (a double eyelid).
    crease_mm : tuple of (float or None)
        Height of the crease above the upper lid margin at the inner, middle and
        outer thirds of the eye, mm (None: no crease in that third).
    crease_depth : tuple of float
        Its prominence in each third, L* (how much darker than the lid skin on
        both sides of it).
    crease_line : numpy.ndarray
        ``(K, 2)`` points along the crease found (a few per third), image pixels
        (empty without a crease).
    mrd1_mm : float
        Pupil centre to the upper lid margin, mm (margin-reflex distance 1).
    mrd2_mm : float
        Pupil centre to the lower lid margin, mm.
    scleral_show_mm : float
        Lower lid margin below the iris's lower edge, mm (negative: it covers it).
    brow_mm : float
        Upper lid margin to the brow's lower edge above the pupil, mm.
    opening_mm : float
        Height of the eye opening through the pupil, ``mrd1_mm + mrd2_mm``.
    lines : int
        Vertical lines sampled across the lid.
    """

    crease: bool
    crease_mm: tuple[float | None, float | None, float | None]
    crease_depth: tuple[float, float, float]
    crease_line: np.ndarray = field(repr=False)
    mrd1_mm: float
    mrd2_mm: float
    scleral_show_mm: float
    brow_mm: float
    opening_mm: float
    lines: int


@dataclass(frozen=True)
class Eyelids:
    """Both eyes (the subject's left and right); an eye not measurable is ``None``."""

    left: Eyelid | None
    right: Eyelid | None


@dataclass(frozen=True)
class SkinTypeZone:
    """The oil / dryness call of one zone.

    Attributes
    ----------
    call : str
        ``oily``, ``dry`` or ``neutral``.
    shine : float
        Shine share of the zone's skin, [0, 1].
    rough : float or None
        Rough share of the zone's skin (None where roughness was not measurable).
    confidence : float
        Confidence of the call, [0, 1].
    area_px : int
        The zone's skin pixels (colour grid).
    """

    call: str
    shine: float
    rough: float | None
    confidence: float
    area_px: int


@dataclass(frozen=True)
class SkinType:
    """Skin type of the face: ``oily``, ``dry``, ``normal`` or ``combination``.

    Attributes
    ----------
    kind : str
        The face's type.
    confidence : float
        Confidence of the type, [0, 1].
    zones : dict of str to SkinTypeZone
        Forehead, nose, cheeks, chin, and the pooled ``t_zone`` and ``u_zone``.
    """

    kind: str
    confidence: float
    zones: dict[str, SkinTypeZone]


@dataclass(frozen=True)
class Lesion:
    """One detected skin lesion (acne family, mole, brown spot), in image pixels.

    Attributes
    ----------
    kind : str
        ``papule``, ``pustule``, ``nodule``, ``closed_comedone``, ``acne_mark``,
        ``mole`` or ``spot``.
    rect : Rect
        Bounding box.
    polygon : numpy.ndarray
        ``(K, 2)`` float32 outline.
    area_mm2 : float
        Area on the face.
    confidence : float
        In (0, 1); derivation in :mod:`skincore.concerns.lesions`.
    contrast : dict of str to float
        Contrast to the surrounding skin: ``dL``, ``da``, ``db`` (CIELAB),
        ``redness`` and ``melanin`` (optical-density units).
    """

    kind: str
    rect: Rect
    polygon: np.ndarray = field(repr=False)
    area_mm2: float
    confidence: float
    contrast: dict[str, float] = field(repr=False)


@dataclass(frozen=True)
class Acne:
    """Acne lesions over the face skin.

    Attributes
    ----------
    lesions : list of Lesion
        Papules, pustules, nodules, closed comedones and acne marks, most
        confident first.
    counts : dict of str to int
        Lesions per kind (every acne kind, zeros included).
    active_count : int
        Papules + pustules + nodules + closed comedones (what acne grades count).
    skin_area_cm2 : float
        Skin searched.
    """

    lesions: list[Lesion] = field(repr=False)
    counts: dict[str, int]
    active_count: int
    skin_area_cm2: float


@dataclass(frozen=True)
class Moles:
    """Moles (dark, compact lesions) over the face skin."""

    lesions: list[Lesion] = field(repr=False)
    count: int


@dataclass(frozen=True)
class Pigmentation:
    """Melanin: hyperpigmented (brown) skin, brown spots, melasma and freckle evidence.

    Attributes
    ----------
    brown_area : float
        Share of the face skin that is hyperpigmented, [0, 1].
    brown_area_mm2 : float
        The same area in mm².
    intensity : float
        Mean melanin excess of the brown skin over the face's baseline, 0-100
        of the concern's ``full_scale``.
    concentration : float
        Mean melanin optical density over the skin (relative units; white
        balance shifts it).
    zones : dict of str to float
        Brown share of each zone's skin (forehead, cheeks, ...).
    spots : list of Lesion or None
        Flat brown spots (kind ``spot``); None where the face is sampled or
        resolved under ``pigmentation.SPOT_MIN_PX_PER_MM`` (2 px/mm), where the
        smaller spots are lost.
    outlines : list of numpy.ndarray
        ``(K, 2)`` outlines of the brown areas (image pixels), largest first.
    melasma : float
        Largest brown patch on a cheek or the forehead, mm² (melasma evidence).
    freckles : int or None
        Small brown spots (freckle evidence): area under ``freckle_max_mm2``;
        None where ``spots`` is.
    freckle_max_mm2 : float
        The size that tells a freckle from a larger (age) spot.
    mask : MaskLayer
        The brown skin (colour grid).
    level : MaskLayer
        Shade of the brown skin, 1-255 of the melanin excess scale (0 elsewhere).
    """

    brown_area: float
    brown_area_mm2: float
    intensity: float
    concentration: float
    zones: dict[str, float]
    spots: list[Lesion] | None = field(repr=False)
    outlines: list[np.ndarray] = field(repr=False)
    melasma: float
    freckles: int | None
    freckle_max_mm2: float
    mask: MaskLayer = field(repr=False)
    level: MaskLayer = field(repr=False)


@dataclass(frozen=True)
class Redness:
    """Diffuse redness (sensitivity) over the face skin.

    Attributes
    ----------
    area : float
        Share of the face skin that is red, [0, 1].
    area_mm2 : float
        The same area in mm².
    intensity : float
        Mean excess redness of the red skin, 0-100 of ``full_scale``.
    zones : dict of str to float
        Red share of each zone's skin.
    threshold : float
        The haemoglobin excess over the background (optical density) that
        red skin had to reach on this photo: the fixed threshold, raised on
        noisy photos to a multiple of the excess's own scatter (see
        :class:`skincore.concerns.colour_areas.SensitivityParams`).
    outlines : list of numpy.ndarray
        ``(K, 2)`` outlines of the red areas (image pixels), largest first.
    mask : MaskLayer
        The red skin (colour grid).
    level : MaskLayer
        Shade of the red skin, 1-255 of the redness excess scale (0 elsewhere).
    """

    area: float
    area_mm2: float
    intensity: float
    zones: dict[str, float]
    threshold: float
    outlines: list[np.ndarray] = field(repr=False)
    mask: MaskLayer = field(repr=False)
    level: MaskLayer = field(repr=False)


@dataclass
class FaceResult:
    """Everything measured on one face.

    Attributes
    ----------
    index : int
        Position in :attr:`Analysis.faces` (0 = largest).
    geometry : FaceGeometry
        Where the face is and how it is turned.
    quality : Quality
        Photo quality measured on the face.
    concerns : dict of str to object
        Result of every concern that ran, by registry name (``None`` when the
        concern found nothing to measure); also readable as attributes
        (``face.pores``; a concern that did not run reads as ``None``).
    grades : dict of str to ConcernGrade
        Severities, confidences and scores of the graded concerns
        (:mod:`skincore.grading`).
    scores : dict of str to dict of str to Score
        Whole-face and vendor-group scores per graded concern.
    skipped : dict of str to str
        Concerns that were asked for but not measured on this face, with why
        (e.g. below their resolution).
    skin : MaskLayer or None
        The whole-face skin mask the concerns used (colour grid), for pictures.
    total_score : Score or None
        Mean of the graded concerns' whole-face scores
        (:func:`skincore.grading.total_score`).
    """

    index: int
    geometry: FaceGeometry
    quality: Quality
    concerns: dict[str, Any] = field(default_factory=dict)
    grades: dict[str, Any] = field(default_factory=dict, repr=False)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    skipped: dict[str, str] = field(default_factory=dict)
    skin: MaskLayer | None = field(default=None, repr=False)
    total_score: Any = None

    def lesions(self) -> list[Lesion]:
        """Every lesion the measured lesion concerns found: acne, moles, brown spots."""
        out: list[Lesion] = []
        for found in (
            self.acne.lesions if self.acne is not None else [],
            self.moles.lesions if self.moles is not None else [],
            (self.pigmentation.spots or []) if self.pigmentation is not None else [],
        ):
            out += found
        return out

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: concern results by name.
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _CONCERN_NAMES:
            return self.__dict__.get("concerns", {}).get(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@dataclass(frozen=True)
class Meta:
    """How the analysis was made.

    ``heads`` names the caller's heads that replaced a built-in measurement
    (:mod:`skincore.heads`), e.g. ``{"lesions": "OnnxLesionHead(acne.onnx, sha256
    ...)"}``; empty when every measurement is skincore's.
    """

    skincore_version: str
    provider: str
    onnxruntime_version: str
    request_id: str
    created_unix: int
    image_format: str
    source_mode: str
    exif_orientation: int
    file_bytes: int | None
    timings_ms: dict[str, float]
    concerns: tuple[str, ...] = ()
    threads: int = 0
    heads: dict[str, str] = field(default_factory=dict)


@dataclass
class Analysis:
    """The result of :func:`skincore.analyze`.

    Attributes
    ----------
    width, height : int
        Size of the upright input image.
    faces : list of FaceResult
        Largest face first.
    meta : Meta
        Versions, execution provider, timings, concerns run.
    sides : dict of str to SideFace
        The side photos given with the main one (``"left"``, ``"right"``):
        quality and jawline (:mod:`skincore.face.side`).

    Notes
    -----
    An analysis holds no image: pictures are drawn by :mod:`skincore.visuals`
    from the analysis and the photo the caller keeps.
    """

    width: int
    height: int
    faces: list[FaceResult]
    meta: Meta
    sides: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, dialect: str = "skincore", **options: Any) -> dict[str, Any]:
        """Render in a vendor's result format.

        Parameters
        ----------
        dialect : str
            ``"skincore"`` (everything, native), ``"ailab-pro"``,
            ``"ailab-advanced"``, ``"face-field"``, ``"youcam-sd"`` or
            ``"youcam-hd"``.
        **options
            Dialect options, e.g. ``return_maps=["texture_enhanced_pores"]``
            for ``ailab-pro`` (see :func:`skincore.dialects.render`); maps that
            need the photo's pixels take ``image=`` (the RGB array).

        Returns
        -------
        dict
            JSON-serialisable.
        """
        # skincore/__init__ imports skincore.render, which installs the renderer.
        assert _RENDERER is not None, "skincore.render was not imported"
        return _RENDERER(self, dialect, **options)

    def to_json(self, dialect: str = "skincore", *, indent: int | None = 2, **options: Any) -> str:
        """Render as a JSON string (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(dialect, **options), indent=indent, ensure_ascii=False)
