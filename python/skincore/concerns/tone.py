"""Skin tone: CIELAB statistics, ITA and hue angle with the vendors' class tables.

Measured on the whole-face skin mask (face outline minus eyes, brows, lips and
nostrils) after excluding specular highlights and shadows (see
:func:`skincore.color.lab_stats`). Colour depends on the light: the vendor
documents recommend a flash photo, and so do we. The camera's white balance is read
from the whites of the eyes (:mod:`skincore.face.sclera`) and reported with the skin
colour it implies (``Params.white_balance``).

The five-class ``skin_color`` is not a separate model: it is derived from the ITA
(a heuristic mapping, documented in the README), with a confidence equal to the
fraction of face regions whose own ITA falls in the same class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from skincore import color
from skincore.analysis import Graded, SkinTone, WhiteBalance
from skincore.color import ha_degrees, ita_degrees
from skincore.concerns.base import Concern
from skincore.errors import SkinError
from skincore.face import sclera

#: ITA class boundaries (degrees), from the AILab Pro/Advanced tables:
#: 0 very light (56, 90), 1 light (43, 56], 2 intermediate (36, 43], 3 tan (20, 36],
#: 4 brown (10, 20], 5 dark (-90, 10], 6 anything else (abnormal).
ITA_BOUNDS = (56.0, 43.0, 36.0, 20.0, 10.0)

#: L* range in which colour is trusted; outside it the tone is "abnormal".
TRUSTED_L = (20.0, 95.0)

#: Regions whose own ITA votes for the skin_color confidence.
VOTING_REGIONS = ("forehead", "nose", "left_cheek", "right_cheek", "chin")

#: ``Params.white_balance`` modes.
WHITE_BALANCE_MODES = ("report", "apply", "none")


@dataclass(frozen=True)
class Params:
    """Skin-tone settings.

    Attributes
    ----------
    trusted_l : tuple of float
        Median skin L* range in which colour is trusted (else "abnormal").
    voting_regions : tuple of str
        Regions whose own ITA votes for the skin_color confidence.
    min_region_pixels : int
        Skin pixels a region needs to vote.
    white_balance : {"report", "apply", "none"}
        The camera's colour cast read from the whites of the eyes
        (:mod:`skincore.face.sclera`): ``"report"`` measures it and the skin
        colour without it in ``SkinTone.white_balance`` and leaves the tone as
        captured (comparable with the vendors' values); ``"apply"`` also gives the
        corrected values as the tone (same face, different cameras or distances:
        comparable ITA); ``"none"`` skips it.
    reference_b : float
        The b* the sclera is brought to (:data:`skincore.face.sclera.REFERENCE_B`).
    """

    trusted_l: tuple[float, float] = TRUSTED_L
    voting_regions: tuple[str, ...] = VOTING_REGIONS
    min_region_pixels: int = 50
    white_balance: str = "report"
    reference_b: float = sclera.REFERENCE_B

    def __post_init__(self) -> None:
        """Refuse an unknown ``white_balance`` mode."""
        if self.white_balance not in WHITE_BALANCE_MODES:
            raise SkinError(
                "invalid_argument",
                f"tone white_balance must be one of {', '.join(WHITE_BALANCE_MODES)}; "
                f"got {self.white_balance!r}",
            )


def ita_class(ita: float) -> int:
    """ITA degrees to the vendor's 7-class skintone (6 = abnormal)."""
    if not math.isfinite(ita) or not -90.0 < ita < 90.0:
        return 6
    if ita > 56.0:
        return 0
    if ita > 43.0:
        return 1
    if ita > 36.0:
        return 2
    if ita > 20.0:
        return 3
    if ita > 10.0:
        return 4
    return 5


def ha_class(ha: float) -> int:
    """Hue angle degrees to the vendor's 4-class hue (3 = abnormal).

    The vendor table reads 49 < HA <= 90 yellowish, 46 <= HA < 49 neutral,
    10 <= HA < 46 reddish; it leaves HA = 49 in no class, which we treat as
    neutral.
    """
    if not math.isfinite(ha):
        return 3
    if 49.0 < ha <= 90.0:
        return 0
    if 46.0 <= ha <= 49.0:
        return 1
    if 10.0 <= ha < 46.0:
        return 2
    return 3


def skin_color_class(ita: float) -> int:
    """Five-class skin colour (0 transparent white ... 4 dark) from the ITA.

    0 = ITA class 0, 1 = class 1, 2 = class 2, 3 = classes 3-4 (tan, brown),
    4 = class 5 (dark). Abnormal ITA maps to the nearest end.
    """
    c = ita_class(ita)
    if c == 6:
        return 0 if math.isfinite(ita) and ita >= 90.0 else 4
    return (0, 1, 2, 3, 3, 4)[c]


def measure_tone(
    lab: np.ndarray,
    skin_mask: np.ndarray,
    region_masks: Mapping[str, np.ndarray],
    *,
    stats: color.LabStats | None = None,
    params: Params | None = None,
    threads: int = 0,
) -> SkinTone | None:
    """Measure skin tone over ``skin_mask``.

    Parameters
    ----------
    lab : numpy.ndarray
        ``(H, W, 3)`` float32 CIELAB (a crop around the face is enough).
    skin_mask : numpy.ndarray
        ``(H, W)`` uint8 whole-face skin mask on the same grid.
    region_masks : dict of str to numpy.ndarray
        Region masks on the same grid; those named in :data:`VOTING_REGIONS`
        vote for the confidence.
    stats : LabStats, optional
        :func:`skincore.color.lab_stats` of ``lab`` over ``skin_mask`` when the
        caller already has it.
    params : Params, optional
        Settings; the documented defaults when omitted.
    threads : int, optional
        Worker threads for the colour kernels.

    Returns
    -------
    SkinTone or None
        ``None`` when the mask holds no usable skin pixel.
    """
    params = params or Params()
    if stats is None:
        stats = color.lab_stats(lab, skin_mask, threads=threads)
    if stats.n_used == 0:
        return None
    L, a, b = float(stats.L_mean), float(stats.a_mean), float(stats.b_mean)
    ita = ita_degrees(L, b)
    ha = ha_degrees(a, b)
    trusted = params.trusted_l[0] <= float(stats.L_median) <= params.trusted_l[1]
    ita_c = ita_class(ita) if trusted else 6
    ha_c = ha_class(ha) if trusted else 3
    sc = skin_color_class(ita)
    region_ita: dict[str, float] = {}
    for name in params.voting_regions:
        m = region_masks.get(name)
        if m is None:
            continue
        rs = color.lab_stats(lab, m, threads=threads)
        if rs.n_used >= params.min_region_pixels:
            region_ita[name] = round(ita_degrees(float(rs.L_mean), float(rs.b_mean)), 3)
    votes = [skin_color_class(v) == sc for v in region_ita.values()]
    confidence = float(np.mean(votes)) if votes else 0.0
    return SkinTone(
        L=L,
        a=a,
        b=b,
        ita=ita,
        ita_class=ita_c,
        ha=ha,
        ha_class=ha_c,
        skin_color=Graded(sc, confidence),
        region_ita=region_ita,
        n_pixels=int(stats.n_used),
    )


#: Rows the face's pixels are laid out in for the per-pixel kernels (so that their
#: threads share them; one row runs on one thread).
_GATHER_ROWS = 64


def _balanced_lab(
    rgb: np.ndarray, mask: np.ndarray, gains: tuple[float, float, float], threads: int
) -> np.ndarray:
    """``(1, n, 3)`` CIELAB of the ``n`` masked pixels (row-major order) after ``gains``.

    The pixels are gathered, balanced as they are (:func:`skincore.color.masked_channel_luts`
    with :func:`skincore.face.sclera.balance_lut`), into :data:`_GATHER_ROWS` rows
    (zero-padded; the padding's Lab is never read) for the conversion, which is per
    pixel, then viewed as one row again: the values, and their order, of the
    conversion of the gathered row.
    """
    n = int(np.count_nonzero(mask))
    cols = max(1, -(-n // _GATHER_ROWS))
    px = np.zeros((_GATHER_ROWS * cols, 3), np.uint8)
    color.masked_channel_luts(rgb, mask, sclera.balance_lut(gains), out=px[:n], threads=threads)
    lab = color.rgb_to_lab(px.reshape(_GATHER_ROWS, cols, 3), threads=threads)
    return lab.reshape(-1, 3)[:n].reshape(1, n, 3)


def measure(work, params: Params) -> SkinTone | None:  # noqa: ANN001 - FaceWork
    """Concern entry point: :func:`measure_tone` on the colour work grid.

    With ``params.white_balance`` other than ``"none"``, the sclera's cast is
    measured and the tone re-measured on the corrected colour grid; ``"apply"``
    returns that corrected tone (when the sclera is usable).
    """
    masks = work.colour.masks
    tone = measure_tone(
        work.colour_lab,
        masks["face"],
        masks,
        stats=work.face_stats,
        params=params,
        threads=work.threads,
    )
    if tone is None or params.white_balance == "none":
        return tone
    sample = sclera.sample_sclera(work.rgb, work.landmarks, work.polygons)
    gain, reason = None, ""
    if sample is None:
        reason = "no sclera visible (eyes closed or outside the photo)"
    elif not sample.usable(params.reference_b):
        reason = (
            f"the sclera is too dark or too small to serve as white reference "
            f"(L* {sample.balanced_lightness(params.reference_b):.0f} balanced, "
            f"{sample.n_pixels} px; needs L* >= {sclera.MIN_LIGHTNESS:.0f} and "
            f"{sclera.MIN_PIXELS} px)"
        )
    else:
        gain = sample.temperature_gain(params.reference_b)
        if not 1 / sclera.MAX_GAIN <= gain <= sclera.MAX_GAIN:
            reason = f"the cast (red gain {gain:.2f}) is beyond a camera's white balance"
            gain = None
    balanced: SkinTone | None = None
    skin_lab: tuple[float, float, float] | None = None
    if gain is not None:
        gains = (gain, 1.0, 1.0 / gain)
        if params.white_balance == "apply":  # the whole tone, region votes included
            lab = color.rgb_to_lab(
                sclera.apply_balance(work.colour_rgb, gains), threads=work.threads
            )
            balanced = measure_tone(lab, masks["face"], masks, params=params, threads=work.threads)
            if balanced is not None:
                skin_lab = (balanced.L, balanced.a, balanced.b)
        else:  # "report": the face's colour only, on its own pixels
            lab = _balanced_lab(work.colour_rgb, masks["face"], gains, work.threads)
            st = color.lab_stats(lab, np.ones(lab.shape[:2], np.uint8), threads=work.threads)
            if st.n_used:
                skin_lab = (float(st.L_mean), float(st.a_mean), float(st.b_mean))
    wb = WhiteBalance(
        sclera_lab=None if sample is None else tuple(round(v, 3) for v in sample.lab),  # type: ignore[arg-type]
        sclera_pixels=0 if sample is None else sample.n_pixels,
        reference_b=float(params.reference_b),
        gain=None if gain is None else round(gain, 4),
        skin_lab=skin_lab,
        skin_ita=None if skin_lab is None else ita_degrees(skin_lab[0], skin_lab[2]),
        applied=balanced is not None,
        reason=reason if skin_lab is None else "",
    )
    chosen = balanced if wb.applied and balanced is not None else tone
    return replace(chosen, white_balance=wb)


CONCERN: Concern = Concern(
    name="tone",
    summary="skin colour: robust CIELAB, ITA and hue angle with the vendor classes",
    params=Params,
    result=SkinTone,
    measure=measure,
)
