"""The picture a person looks at to check the detections.

The photo with every face's rough skin tinted, wrinkles drawn as polylines
(deep lines dark green, fine lines light green), pores as blue circles and
blackheads as red circles, in the AILabTools Pro default colours. Pure
rendering: nothing is measured here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from skincore.analysis import Analysis
from skincore.visuals import maps


def render_overlay(analysis: Analysis, image: np.ndarray) -> Image.Image:
    """Draw the texture detections of every face over the analysed photo.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze`.
    image : numpy.ndarray
        The ``(H, W, 3)`` uint8 photo it was made from.

    Returns
    -------
    PIL.Image.Image
        RGB image of the input's size. Concerns that were not measured are
        simply not drawn.

    """
    base = Image.fromarray(np.ascontiguousarray(image)).convert("RGBA")
    c = maps.DEFAULT_COLORS
    layers = (
        maps.rough_area(analysis, color=c["rough_color"], alpha=90),
        maps.texture_enhanced_lines(
            analysis, color=c["wrinkle_color"], fine_color=c["fine_line_color"]
        ),
        maps.texture_enhanced_pores(analysis, color=c["pores_color"]),
        maps.texture_enhanced_blackheads(analysis, color=c["blackhead_color"]),
    )
    for layer in layers:
        if layer is not None:
            base = Image.alpha_composite(base, layer)
    return base.convert("RGB")
