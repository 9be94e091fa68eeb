"""The white of the eyes as the photo's colour reference (white balance).

A camera's automatic white balance moves with the framing: on the same face in the
same light, photographed from 15, 30, 45 and 60 cm, the skin's b* runs from 9 to 18
and its ITA from 67 to 49 degrees, a jump of two ITA classes. The sclera moves with
it (a* -6 to +5, b* -3 to +11 on those photos): it is the one near-white surface
every face photo carries, lit like the skin. Normalising the image so that the
sclera's b* takes a reference value removes most of the camera's cast: on those four
photos the ITA spread falls from 18 to 3 degrees (``benchmarks/eval_white_balance.py``).

The correction is a colour-temperature shift only: linear-RGB gains ``(t, 1, 1/t)``
(red up and blue down, or the reverse), ``t`` chosen so that the sclera's b* becomes
:data:`REFERENCE_B`, the median sclera b* of well-lit faces in the development data
(yellowish: a sclera is not white). The red-green axis is left alone: there the
sclera's own redness (vessels, irritation) would be read as a cast.

The sclera is not a calibrated white (it yellows with age), so the reference trades
the camera's bias for a personal one (sclera b* varies by about +-3.5 between people,
interquartile), the same in every photo of that person: it helps comparing photos of
one face, not faces with each other. It is used only when enough bright sclera is
visible (:data:`MIN_LIGHTNESS`, :data:`MIN_PIXELS`): eyes open, not in shadow; on
about a third of the UTKFace development faces of every race group (32-37 %), three
quarters of the dark-circle photos. Because it is missing on the other faces and is
a personal reference, the tone concern reports the correction and applies it only
on request: applied by default, one face's tone would be corrected and the next
face's not.

Sampling, per eye: the eye opening (the FaceMesh eyelid contour), minus a disc of
1.3 iris radii around the iris centre (iris and limbus), then the brightest
:data:`BRIGHTEST_SHARE` of what remains. Only the directly lit sclera reflects the
light's colour: lashes, lid margins and the part of the sclera the upper lid shades
are darker, and the shaded sclera is lit by light the skin and lids reflect, which
is yellower. Keeping the brightest fifth rather than two fifths cut the spread of
the sclera-balanced ITA over the four distances from 3.0 to 1.9 degrees and made
the sclera usable about equally often in every UTKFace race group. The reference is
the median linear RGB of both eyes' samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from skincore import color, geometry

#: Iris centre and ring points (FaceMesh refined landmarks) per eye.
IRIS = {"right_eye": (468, (469, 470, 471, 472)), "left_eye": (473, (474, 475, 476, 477))}
#: Radius, in iris radii, of the disc around the iris centre left out (iris, limbus).
IRIS_MARGIN = 1.3
#: Share of the remaining eye-opening pixels kept, brightest first.
BRIGHTEST_SHARE = 0.2
#: b* the sclera is brought to: the median b* of the usable scleras (136 of 328 faces
#: sampled from the UTKFace, dark-circle and ACNE04 development photos; 5.2-9.1 by
#: set and race group), ``benchmarks/eval_white_balance.py``.
REFERENCE_B = 7.3
#: Least sclera L* (after the correction) for a usable reference (darker: shadowed,
#: or not sclera).
MIN_LIGHTNESS = 65.0
#: Least sclera pixels sampled (both eyes) for a usable reference: the brightest
#: fifth of 75 eye-opening pixels.
MIN_PIXELS = 15
#: The largest red gain ``t`` (and its inverse) applied; beyond it the cast is
#: not a camera's white balance (coloured light, a misfit) and nothing is applied.
MAX_GAIN = 1.6

#: sRGB (linear) to XYZ, D65 (IEC 61966-2-1); the white is the row sums.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


@dataclass(frozen=True)
class ScleraSample:
    """The sclera of one face as a colour reference.

    Attributes
    ----------
    rgb_linear : tuple of float
        Median linear sRGB (0-1) of the sampled sclera pixels.
    lab : tuple of float
        The same colour in CIELAB (D65).
    n_pixels : int
        Sclera pixels sampled (both eyes).
    """

    rgb_linear: tuple[float, float, float]
    lab: tuple[float, float, float]
    n_pixels: int

    def balanced_lightness(self, target_b: float = REFERENCE_B) -> float:
        """L* of the sample once its b* is ``target_b``.

        The same whatever the camera's cast (a cast is a gain the correction
        undoes), so gating on it does not switch the correction on and off with
        the cast: a bluer photo has a darker-looking sclera.
        """
        t = self.temperature_gain(target_b)
        lin = np.asarray(self.rgb_linear, np.float64) * np.array([t, 1.0, 1.0 / t])
        return float(linear_rgb_to_lab(lin)[0])

    def usable(self, target_b: float = REFERENCE_B) -> bool:
        """Whether the sample is bright and large enough to serve as reference."""
        return self.n_pixels >= MIN_PIXELS and self.balanced_lightness(target_b) >= MIN_LIGHTNESS

    def temperature_gain(self, target_b: float = REFERENCE_B) -> float:
        """Red gain ``t`` (blue ``1/t``, green 1) bringing the sample's b* to ``target_b``.

        b* rises monotonically with ``t`` (more red, less blue: yellower), so ``t`` is
        found by bisection on a log scale, to 1e-6 (in scalar arithmetic: it runs
        once per face).
        """
        r, g, b = self.rgb_linear
        m = _RGB_TO_XYZ / _RGB_TO_XYZ.sum(axis=1, keepdims=True)
        (m10, m11, m12), (m20, m21, m22) = m[1].tolist(), m[2].tolist()
        lo, hi = -math.log(4.0), math.log(4.0)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            t = math.exp(mid)
            fy = _lab_f(m10 * r * t + m11 * g + m12 * b / t)
            fz = _lab_f(m20 * r * t + m21 * g + m22 * b / t)
            lo, hi = (lo, mid) if 200.0 * (fy - fz) > target_b else (mid, hi)
        return math.exp(0.5 * (lo + hi))


def _lab_f(v: float) -> float:
    """Apply CIELAB's companding function to a normalised tristimulus value."""
    return v ** (1.0 / 3.0) if v > (6 / 29) ** 3 else v / (3 * (6 / 29) ** 2) + 4 / 29


def linear_rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB values ``(..., 3)`` in [0, 1], float64."""
    xyz = np.asarray(rgb, np.float64) @ _RGB_TO_XYZ.T / _RGB_TO_XYZ.sum(axis=1)
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def _eye_pixels(
    rgb: np.ndarray, polygon: np.ndarray, points: np.ndarray, iris: tuple
) -> np.ndarray:
    """``(n, 3)`` uint8 pixels of one eye opening outside the iris disc."""
    h, w = rgb.shape[:2]
    x0, y0 = np.floor(polygon.min(axis=0)).astype(int)
    x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.zeros((0, 3), np.uint8)
    local = (polygon - [x0, y0]).astype(np.float32)
    inside = geometry.fill_polygons([local], (y1 - y0, x1 - x0), threads=1).astype(bool)
    centre, ring = iris
    c = points[centre, :2]
    radius = float(np.mean(np.linalg.norm(points[list(ring), :2] - c, axis=1)))
    yy, xx = np.mgrid[y0:y1, x0:x1]
    inside &= (xx + 0.5 - c[0]) ** 2 + (yy + 0.5 - c[1]) ** 2 > (IRIS_MARGIN * radius) ** 2
    return rgb[y0:y1, x0:x1][inside]


def sample_sclera(
    rgb: np.ndarray, points: np.ndarray, polygons: dict[str, np.ndarray]
) -> ScleraSample | None:
    """Sample the whites of both eyes.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    points : numpy.ndarray
        ``(478, 2 or 3)`` FaceMesh landmarks with the iris points, image pixels.
    polygons : dict of str to numpy.ndarray
        Region polygons in image pixels with ``left_eye`` and ``right_eye``.

    Returns
    -------
    ScleraSample or None
        ``None`` when no eye-opening pixel lies outside the iris discs (eyes closed
        or out of the photo).
    """
    pts = np.asarray(points, np.float64)
    pixels = [
        _eye_pixels(rgb, np.asarray(polygons[name], np.float64)[:, :2], pts, iris)
        for name, iris in IRIS.items()
        if name in polygons
    ]
    px = np.concatenate(pixels) if pixels else np.zeros((0, 3), np.uint8)
    if len(px) == 0:
        return None
    lum = px.astype(np.int32).sum(axis=1)
    keep = max(1, int(round(BRIGHTEST_SHARE * len(px))))
    bright = px[np.argsort(-lum, kind="stable")[:keep]]
    lin = np.median(color.srgb_to_linear(bright), axis=0)
    lab = linear_rgb_to_lab(lin)
    return ScleraSample(
        rgb_linear=(float(lin[0]), float(lin[1]), float(lin[2])),
        lab=(float(lab[0]), float(lab[1]), float(lab[2])),
        n_pixels=int(keep),
    )


def balance_lut(gains: tuple[float, float, float]) -> np.ndarray:
    """``(3, 256)`` uint8 lookup tables applying linear gains to sRGB values.

    Parameters
    ----------
    gains : tuple of float
        Per-channel gains on linear sRGB.

    Returns
    -------
    numpy.ndarray
        ``lut[c, v]``: channel ``c`` value ``v`` after the gain (clipped to 255).
    """
    lin = color.srgb_to_linear(np.arange(256))[None, :] * np.asarray(gains, np.float64)[:, None]
    lin = np.clip(lin, 0.0, 1.0)
    enc = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.round(enc * 255.0), 0, 255).astype(np.uint8)


def apply_balance(
    rgb: np.ndarray, gains: tuple[float, float, float], *, threads: int = 1
) -> np.ndarray:
    """Return ``rgb`` (uint8, ``(..., 3)``) with linear per-channel gains applied.

    ``threads``: kernel threads for a ``(H, W, 3)`` image (no effect on the values).
    """
    lut = balance_lut(gains)
    if rgb.ndim == 3 and rgb.dtype == np.uint8 and rgb.strides[1:] == (3, 1):
        return color.apply_channel_luts(rgb, lut, threads=threads)  # one compiled pass
    out = np.empty_like(rgb)
    for c in range(3):  # "clip": uint8 indices are always in range, and no buffering
        np.take(lut[c], rgb[..., c], out=out[..., c], mode="clip")
    return out
