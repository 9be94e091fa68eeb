"""Debug overlay of the face regions: what the engine measured where.

Green tint: skin pixels used by the concerns. Red tint: pixels inside the face
outline that the skin gate rejected (hair, beard, glasses, shadows, eyes, brows,
lips, nostrils). Outlines: every region polygon, labelled.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from skincore import color, geometry
from skincore.analysis import Analysis
from skincore.face.regions import build_masks, crop_box

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


def render_regions(analysis: Analysis, *, threads: int = 0) -> Image.Image:
    """Draw every face's regions and skin gate over the analysed image.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze` (it keeps the decoded image).
    threads : int, optional
        Worker threads for the colour kernels.

    Returns
    -------
    PIL.Image.Image
        RGB image of the input's size.
    """
    if analysis.image is None:
        raise ValueError("analysis holds no image")
    rgb = analysis.image
    out = rgb.astype(np.float32).copy()
    h, w = rgb.shape[:2]
    for face in analysis.faces:
        pts = face.geometry.landmarks
        x0, y0, x1, y1 = crop_box(pts, w, h)
        lab = color.rgb_to_lab(rgb[y0:y1, x0:x1], threads=threads)
        masks = build_masks(lab, pts, (x0, y0), scale=1.0, threads=threads)
        inside = masks.masks["face_polygon"] > 0
        used = masks.masks["face"] > 0
        sub = out[y0:y1, x0:x1]
        sub[used] = 0.65 * sub[used] + 0.35 * np.array([0, 255, 0], np.float32)
        rejected = inside & ~used
        sub[rejected] = 0.5 * sub[rejected] + 0.5 * np.array([255, 0, 0], np.float32)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    width = max(1, round(max(w, h) / 700))
    for face in analysis.faces:
        for i, (name, poly) in enumerate(sorted(face.geometry.regions.items())):
            col = _PALETTE[i % len(_PALETTE)]
            pts = [(float(x), float(y)) for x, y in poly]
            draw.line(pts + [pts[0]], fill=col, width=width)
            cx, cy = np.mean(poly, axis=0)
            draw.text((float(cx) - 3 * len(name), float(cy)), name, fill=col)
    return img


def fill_mask(polygon: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Rasterise one polygon (convenience for callers drawing their own overlays)."""
    return geometry.fill_polygons([polygon], shape)
