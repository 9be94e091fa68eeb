"""Moles: dark, compact lesions of the face skin.

The ``mole`` kind of the face's shared lesion detection
(:func:`skincore.concerns.colour_lesions.face_lesions`): a lesion much darker
than its ring of skin (or with a strong melanin contrast on dark skin), compact
and at most a few millimetres wide (thresholds on
:class:`skincore.concerns.lesions.LesionParams`). Each has a box, an outline and
a confidence from its contrast margin. No grade: vendors report moles as a
list, and a mole is not a severity. Not a melanoma screening: size, shape and
colour rules of dermoscopy need a close-up, not a face photo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skincore.analysis import Moles
from skincore.concerns.base import Concern
from skincore.concerns.colour_lesions import face_lesions
from skincore.concerns.lesions import LesionParams


@dataclass(frozen=True)
class Params:
    """Mole settings.

    Attributes
    ----------
    lesions : LesionParams
        The shared lesion detection.
    """

    lesions: LesionParams = field(default_factory=LesionParams)


def measure(work, params: Params) -> Moles:  # noqa: ANN001 - FaceWork
    """Moles of the face."""
    found = [les for les in face_lesions(work, params.lesions) if les.kind == "mole"]
    return Moles(lesions=found, count=len(found))


CONCERN: Concern = Concern(
    name="moles",
    summary="moles (dark, compact lesions): boxes, outlines, confidences",
    params=Params,
    result=Moles,
    measure=measure,
)
