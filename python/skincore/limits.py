"""Input limits: file size, image dimensions, face size.

The defaults follow the strictest common ground of the vendor documents
(AILabTools: larger than 200x200 and smaller than 4096x4096); each dialect has a
preset with the numbers its vendor document states (:func:`limits_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from numbers import Integral, Real
from typing import Any

from skincore.errors import SkinError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Limits checked before and after decoding an image.

    Attributes
    ----------
    max_file_bytes : int or None
        Largest encoded file accepted (``file_too_large``).
    min_side : int
        Smallest accepted width and height in pixels (``image_too_small``).
    min_short_side : int or None
        Smallest accepted short side (YouCam SD 480, HD 1080).
    max_side : int
        Largest accepted width or height (``image_too_large``).
    max_pixels : int
        Largest accepted pixel count; checked from the file header before any
        pixel is decoded, so decompression bombs are refused without allocating.
    min_face_px : int
        Smallest face box width in pixels that the landmark model can be trusted
        with (``face_too_small``).
    min_face_width_ratio : float or None
        Smallest face width as a fraction of the image width (YouCam: 0.6).
    max_out_of_bound : float
        Largest fraction of the face outline allowed outside the image
        (``face_out_of_bound``).
    min_skin_lightness : float or None
        Median L* of the facial skin below which the photo is refused as too
        dark (``lighting_dark``); ``None`` disables the check.
    min_skin_share : float or None
        Smallest share of the face outline (less eyes, brows, lips and nostrils)
        that the segmentation finds to be skin. Below it the landmark mesh lies on
        something that is not a face (a profile or a cheek close-up the mesh was
        forced onto) or a face too blurred to segment, and nothing measured on it
        would mean anything: ``no_face``, with the share in the error's context.
        Of 451 development photos with a mesh (UTKFace, dark circles, ACNE04, the
        test faces), 4 kept under 0.1 (a profile, two faces too blurred to
        segment, one half outside the photo), the next lowest 0.38; ``None``
        disables the check.
    min_face_confirmation : float or None
        Least score the face detector gives the crop the landmark mesh defines
        (centred on the mesh, upright by its eye line; see
        :mod:`skincore.face.confirm`). The landmark model fits a mesh to whatever
        it is shown and stays confident on a cheek close-up or a profile, with
        the eyes on the cheek and the mouth on an ear; the detector, an
        independent model, then sees no face where the mesh says one is:
        ``no_face``, with the score in the error's context. Real faces scored
        0.70 and more on the development photos (1,326 UTKFace faces of every
        skin tone, 49 dark-circle and test photos, the same upside down, 179
        ACNE04 photos); meshes forced onto ACNE04 close-ups and profiles
        0.44-0.74, five of seven below the default 0.65. ``None`` disables the
        check.
    min_eye_contrast : float or None
        Least contrast of the mesh's eyes against its cheeks
        (:func:`skincore.face.eye_contrast.eye_contrast`: in a box along each
        eye's corner line, the darkest tenth of L* below the cheeks' median, or
        the L* spread there, on the scale of the skin's lightness). A real eye is
        never plain skin: its iris, pupil, lashes or a glasses frame are dark, its
        sclera light. A mesh forced onto a cheek close-up or a profile puts its
        eyes on skin: ``no_face``, with the contrast in the error's context. See
        the module for the figures on the development photos. ``None`` disables
        the check.
    max_overexposed : float or None
        Largest share of the face's skin blown out by the light (``Quality.
        overexposed``) before the face is refused (``lighting_bright``). ``None``
        (the default) accepts any; AILab's ``face_quality_control=1`` asks for at
        most 0.25 (:data:`QUALITY_CONTROL`): on 258 development photos (ACNE04,
        dark circles, UTKFace, the test faces) the share runs 0-0.42, above 0.25 on
        4 (a washed-out portrait, a flash-lit forehead, two flash glares on oily
        skin).
    max_blur_mm : float or None
        Widest edge of the iris (``Quality.blur_mm``, mm) before the face is
        refused as blurred (``blurred_image``). ``None`` (the default) accepts any;
        AILab's ``face_quality_control=1`` asks for at most 0.8
        (:data:`QUALITY_CONTROL`; ``benchmarks/eval_sharpness.py``): of 80
        development photos with an open eye (every third of ACNE04 and of the
        dark-circle set) 1 reads more, of 56 UTKFace 200-px crops (1.0-1.3
        px/mm, below any vendor's minimum) 39. A face whose limbus cannot be read
        (closed eyes) is not judged.
    max_yaw_deg, max_pitch_deg : float or None
        Largest head turn (left/right) and tilt (up/down), degrees, from the
        landmarks' pose (``FaceGeometry.pose``), beyond which the face is refused
        (``improper_headpose``). ``None`` (the default) accepts any pose the mesh
        fits; AILab's ``face_quality_control=1`` asks for 30 and 40, the angles its
        document recommends (:data:`QUALITY_CONTROL`).
    min_colour_spread : float or None
        Least spread of the face's pixels between their R, G and B values
        (:func:`skincore.face.greyscale.colour_spread`: the 99th percentile over
        the face oval of ``(max - min) / (max + 16)``, so that the exposure does
        not change it). A greyscale photo's channels are equal, and
        every colour measurement on it would mean nothing: ``greyscale_image``,
        with the spread in the error's context. See the module for the figures
        on the development photos. ``None`` disables the check.
    """

    max_file_bytes: int | None = 20 * MiB
    min_side: int = 200
    min_short_side: int | None = None
    max_side: int = 4096
    max_pixels: int = 4096 * 4096
    min_face_px: int = 96
    min_face_width_ratio: float | None = None
    max_out_of_bound: float = 0.10
    min_skin_lightness: float | None = 20.0
    min_skin_share: float | None = 0.2
    min_face_confirmation: float | None = 0.65
    min_eye_contrast: float | None = 0.1
    min_colour_spread: float | None = 0.12
    max_overexposed: float | None = None
    max_blur_mm: float | None = None
    max_yaw_deg: float | None = None
    max_pitch_deg: float | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_field(f.name, getattr(self, f.name))


#: Per field: (integer?, may be None?, smallest, largest).
_FIELD_RULES: dict[str, tuple[bool, bool, float, float]] = {
    "max_file_bytes": (True, True, 1, float("inf")),
    "min_side": (True, False, 1, float("inf")),
    "min_short_side": (True, True, 1, float("inf")),
    "max_side": (True, False, 1, float("inf")),
    "max_pixels": (True, False, 1, float("inf")),
    "min_face_px": (True, False, 1, float("inf")),
    "min_face_width_ratio": (False, True, 0.0, 1.0),
    "max_out_of_bound": (False, False, 0.0, 1.0),
    "min_skin_lightness": (False, True, 0.0, 100.0),
    "min_skin_share": (False, True, 0.0, 1.0),
    "min_face_confirmation": (False, True, 0.0, 1.0),
    "min_eye_contrast": (False, True, 0.0, float("inf")),
    "min_colour_spread": (False, True, 0.0, 1.0),
    "max_overexposed": (False, True, 0.0, 1.0),
    "max_blur_mm": (False, True, 0.0, float("inf")),
    "max_yaw_deg": (False, True, 0.0, 180.0),
    "max_pitch_deg": (False, True, 0.0, 180.0),
}

#: The limits AILab Advanced's ``face_quality_control=1`` adds to its preset: the
#: head angles its document recommends (yaw within +-30, pitch within +-40 degrees),
#: at most a quarter of the skin blown out by the light, and an iris edge at most
#: 0.8 mm wide (blur). The other factors it names (back light, occluded features)
#: are not judged beyond the checks every analysis makes.
QUALITY_CONTROL: dict[str, float] = {
    "max_yaw_deg": 30.0,
    "max_pitch_deg": 40.0,
    "max_overexposed": 0.25,
    "max_blur_mm": 0.8,
}


def _check_field(name: str, value: object) -> None:
    """Raise ``SkinError("invalid_argument")`` unless ``value`` suits the field ``name``."""
    integer, optional, lo, hi = _FIELD_RULES[name]
    if value is None and optional:
        return
    kind = Integral if integer else Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok and not lo <= value <= hi:  # type: ignore[operator]
        ok = False
    if not ok:
        what = "an int" if integer else "a number"
        span = f">= {lo}" if hi == float("inf") else f"in [{lo}, {hi}]"
        raise SkinError(
            "invalid_argument",
            f"Limits.{name} must be {what} {span}{' or None' if optional else ''}; got {value!r}",
            argument=f"Limits.{name}",
        )


_PRESETS: dict[str, Limits] = {
    "skincore": Limits(),
    "ailab-pro": Limits(max_file_bytes=8 * MiB),
    "ailab-advanced": Limits(max_file_bytes=5 * MiB),
    "face-field": Limits(max_file_bytes=8 * MiB, max_side=1920, max_pixels=1920 * 1920),
    "youcam-sd": Limits(max_file_bytes=10 * MiB, min_short_side=480, min_face_width_ratio=0.6),
    "youcam-hd": Limits(max_file_bytes=10 * MiB, min_short_side=1080, min_face_width_ratio=0.6),
}


def limits_for(dialect: str, **overrides: Any) -> Limits:
    """Return the input limits a vendor document states for ``dialect``.

    Parameters
    ----------
    dialect : str
        A dialect name (see :data:`skincore.dialects.DIALECTS`) or ``"skincore"``.
    **overrides
        Fields of :class:`Limits` to change.

    Returns
    -------
    Limits
        The preset with the overrides applied.

    Raises
    ------
    SkinError
        ``invalid_argument`` for an unknown dialect, field or field value.
    """
    try:
        base = _PRESETS[dialect]
    except KeyError:
        raise SkinError(
            "invalid_argument", f"unknown dialect {dialect!r}; known: {sorted(_PRESETS)}"
        ) from None
    if not overrides:
        return base
    try:
        return replace(base, **overrides)
    except TypeError as exc:  # an unknown field name
        raise SkinError("invalid_argument", f"limits_for: {exc}") from None
