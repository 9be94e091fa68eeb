"""Debug overlay of the face regions: the skin the concerns measured, and where.

Green tint: the whole-face skin mask the concerns used (stored in the analysis,
not recomputed). Red tint: pixels inside the face region left out of it (eyes,
brows, lips, nostrils with their margins, and what the skin gate rejected: hair,
beard, glasses, deep shadows). Outlines: every region polygon, labelled; the
whole face as its region's polygon (``face_hull``, the outline ring's convex
hull: on a turned face the ring itself is concave).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from skincore import geometry
from skincore.analysis import Analysis
from skincore.face.regions import FACE_HULL, polygon_area
from skincore.visuals.layers import mask_to_image

_PALETTE = [
    (230, 25, 75),
    (60, 180, 75),
    (255, 225, 25),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (250, 190, 212),
    (0, 128, 128),
    (220, 190, 255),
    (170, 110, 40),
    (255, 250, 200),
    (128, 0, 0),
]


def render_regions(analysis: Analysis, image: np.ndarray) -> Image.Image:
    """Draw every face's regions and the skin mask its concerns used.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze`.
    image : numpy.ndarray
        The ``(H, W, 3)`` uint8 photo it was made from.

    Returns
    -------
    PIL.Image.Image
        RGB image of the input's size.
    """
    h, w = image.shape[:2]
    out = image.astype(np.float32).copy()
    for face in analysis.faces:
        if face.skin is None:
            continue
        used = mask_to_image(face.skin, w, h)
        regions = face.geometry.regions
        outline = regions.get(FACE_HULL, regions["face_oval"])
        inside = geometry.fill_polygons([outline], (h, w)) > 0
        out[used] = 0.65 * out[used] + 0.35 * np.array([0, 255, 0], np.float32)
        rejected = inside & ~used
        out[rejected] = 0.5 * out[rejected] + 0.5 * np.array([255, 0, 0], np.float32)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    width = max(1, round(max(w, h) / 700))
    for face in analysis.faces:
        # the whole face is drawn as its region's polygon (the hull), not the ring
        drawn = {k: v for k, v in face.geometry.regions.items() if k != "face_oval"}
        if FACE_HULL not in drawn:
            drawn["face_oval"] = face.geometry.regions["face_oval"]
        for i, (name, poly) in enumerate(sorted(drawn.items())):
            if polygon_area(poly) < 1.0:
                continue  # an empty region (an open eye's lash band): nothing to show
            col = _PALETTE[i % len(_PALETTE)]
            pts = [(float(x), float(y)) for x, y in poly]
            draw.line(pts + [pts[0]], fill=col, width=width)
            cx, cy = np.mean(poly, axis=0)
            draw.text((float(cx) - 3 * len(name), float(cy)), name, fill=col)
    return img
