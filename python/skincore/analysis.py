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
from dataclasses import dataclass, field
from typing import Any

import numpy as np


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


@dataclass(frozen=True)
class Quality:
    """Photo quality measured on the face.

    Attributes
    ----------
    skin_lightness : float
        Median L* of the whole-face skin (robust, see :mod:`skincore.color`).
    hair_occlusion : float or None
        Fraction of the forehead region covered by hair (pixels whose colour is
        far from the face's own cheek skin and darker), in [0, 1].
    out_of_bound : float
        Fraction of the face outline that lies outside the image.
    warnings : tuple of str
        ``"improper_headpose"`` when |yaw|, |pitch| or |roll| exceeds 45 degrees
        (AILab's rule).
    """

    skin_lightness: float
    hair_occlusion: float | None
    out_of_bound: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graded:
    """A class label with the confidence the engine has in it."""

    value: int
    confidence: float


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


@dataclass
class FaceResult:
    """Everything measured on one face."""

    index: int
    geometry: FaceGeometry
    quality: Quality
    tone: SkinTone | None = None


@dataclass(frozen=True)
class Meta:
    """How the analysis was made."""

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
        Versions, execution provider, timings.
    image : numpy.ndarray or None
        The decoded RGB image, kept for visuals (not serialised).
    """

    width: int
    height: int
    faces: list[FaceResult]
    meta: Meta
    image: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self, dialect: str = "skincore") -> dict[str, Any]:
        """Render in a vendor's result format.

        Parameters
        ----------
        dialect : str
            ``"skincore"`` (everything, native), ``"ailab-pro"``,
            ``"ailab-advanced"``, ``"face-field"``, ``"youcam-sd"`` or
            ``"youcam-hd"``.

        Returns
        -------
        dict
            JSON-serialisable.
        """
        from skincore.dialects import render

        return render(self, dialect)

    def to_json(self, dialect: str = "skincore", *, indent: int | None = 2) -> str:
        """Render as a JSON string (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(dialect), indent=indent, ensure_ascii=False)
