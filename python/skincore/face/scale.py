"""Physical scale of a face from its iris landmarks.

The human iris is close to 11.7 mm across in adults, with little variation
between people (about +-0.5 mm), which makes it the usual ruler in face photos.
FaceMesh v2 gives 5 points per iris (centre, then 4 on the rim): 468-472 for the
subject's right eye, 473-477 for the left.
"""

from __future__ import annotations

import numpy as np

#: Adult horizontal visible iris diameter, millimetres (population mean).
IRIS_DIAMETER_MM = 11.7

_RIGHT_IRIS = (469, 470, 471, 472)
_LEFT_IRIS = (474, 475, 476, 477)


def iris_diameter_px(landmarks: np.ndarray) -> float:
    """Mean iris diameter in image pixels over both eyes.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.

    Returns
    -------
    float
        Diameter in pixels (the mean of the two rim-to-rim distances of each eye).
    """
    p = np.asarray(landmarks, dtype=np.float64)[:, :2]
    ds = []
    for a, b, c, d in (_RIGHT_IRIS, _LEFT_IRIS):
        ds.append(np.linalg.norm(p[a] - p[c]))
        ds.append(np.linalg.norm(p[b] - p[d]))
    return float(np.mean(ds))


def px_per_mm(landmarks: np.ndarray) -> float:
    """Image pixels per millimetre on the face plane, from the iris size."""
    return iris_diameter_px(landmarks) / IRIS_DIAMETER_MM
