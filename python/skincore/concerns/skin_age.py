"""Skin age: the apparent age of the face, from an age network.

The measurement is :func:`skincore.concerns.age_head.estimate_age`: dlib-models'
CC0 age predictor, fine-tuned by skincore on the UTKFace development split
(non-commercial research data), on a 64x64 chip aligned by five FaceMesh points,
averaged over the chip and its mirror image (see that module for the figures:
cross-validated MAE 5.98 years, short of the 5.5-year target). It reports apparent
age, not a clinical skin age.
"""

from __future__ import annotations

from dataclasses import dataclass

from skincore.concerns.age_head import AgeEstimate, estimate_age
from skincore.concerns.base import Concern
from skincore.models import AGE


@dataclass(frozen=True)
class Params:
    """Skin-age settings.

    Attributes
    ----------
    flip : bool
        Average the network's distributions of the chip and its mirror image.
    """

    flip: bool = True


def measure(work, params: Params) -> AgeEstimate:  # noqa: ANN001 - FaceWork
    """Estimate the face's apparent age with the analyser's age session."""
    return estimate_age(
        work.rgb, work.landmarks, session=work.session(AGE), threads=work.threads, flip=params.flip
    )


CONCERN: Concern = Concern(
    name="skin_age",
    summary="apparent age (years) from a CC0 age network, calibrated on UTKFace dev",
    params=Params,
    result=AgeEstimate,
    measure=measure,
    photo_only=True,
)
