"""Does the photo hold colour? How far the face's pixels spread between R, G and B.

Every colour concern (tone and ITA, redness, brown spots, dark circles' type,
acne's red lesions) and the segmentation model itself read the skin's colour. A
greyscale photo has none: its skin reads a* = b* = 0, and a measurement on it
(redness 0, a tone with no hue, skin the segmentation cannot find) would look
measured and mean nothing. Such a face is refused instead.

:func:`colour_spread` is the 99th percentile, over the face oval's pixels (a
regular subsample of at most 4,096, :func:`skincore.face.sampling.region_pixels`),
of each pixel's relative channel spread::

    (max(R, G, B) - min(R, G, B)) / (max(R, G, B) + 16)

A greyscale photo stored as RGB has equal channels, up to the colour noise of
its JPEG coding; a colour photo of a face has lips, skin and irises whose
channels differ by a good share of their value, however pale, overexposed or
dark the skin. Relative to the pixel's level, the spread does not fall with the
exposure: a colour photo too dark to measure stays colour here (and is refused
as ``lighting_dark`` by the skin's lightness); the ``+ 16`` keeps the JPEG noise
of a print's darkest pixels from reading as colour.

The cheeks' chroma, the first measure tried, does not separate the two: the
pale, overexposed skin of some colour photos reads as neutral as a greyscale
print (median ``C*ab`` 2.6-5.1 against 0-3.6), while their lips and background
spread 66-102 grey levels.

On the development photos (``python benchmarks/eval_greyscale.py``): UTKFace's
41 black-and-white photos measure 0.08 and less, the colour photos of every set
0.23 and more (a desaturated portrait 0.24); between them lie three tinted
UTKFace prints (a blue-tinted scan, a tinted vintage portrait, a faintly tinted
print, 0.16-0.19), measured as colour.
:class:`skincore.limits.Limits` ``min_colour_spread`` (0.12) is the threshold
below which ``analyze()`` refuses the face as ``greyscale_image``. A
sepia-toned print has the tone's colour and is not refused.
"""

from __future__ import annotations

import math

import numpy as np

from skincore.face.regions import FACE_OVAL
from skincore.face.sampling import region_pixels

#: Percentile of the face's channel spreads that is reported (a few coloured
#: pixels of a sticker or a frame do not make a greyscale photo colour, the
#: lips of a colour one cover more than 1 %).
PERCENTILE = 99.0

#: Grey levels added to a pixel's largest channel before dividing its spread by
#: it, so that a print's darkest pixels, where JPEG noise of a level or two is a
#: large share, do not read as colour.
DARK_OFFSET = 16.0


def colour_spread(rgb: np.ndarray, landmarks: np.ndarray) -> float:
    """99th percentile of the face's pixels' relative channel spread (module docstring).

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 photo.
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.

    Returns
    -------
    float
        In [0, 1); NaN when no pixel of the face oval lies in the photo
        (nothing to judge by).
    """
    oval = np.asarray(landmarks, np.float64)[list(FACE_OVAL), :2]
    px = region_pixels(rgb, oval)[:, 0, :]
    if px.shape[0] == 0:
        return math.nan
    top = px.max(axis=1).astype(np.float32)
    spread = (top - px.min(axis=1)) / (top + np.float32(DARK_OFFSET))
    return float(np.percentile(spread, PERCENTILE))
