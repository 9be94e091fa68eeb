"""The picture a person looks at to check the detections.

The photo with every face's rough skin tinted, wrinkles drawn as polylines
(deep lines dark green, fine lines light green), pores as blue circles and
blackheads as red circles, in the AILabTools Pro default colours. Pure
rendering: nothing is measured here.
"""

from __future__ import annotations

from PIL import Image

from skincore.analysis import Analysis
from skincore.visuals import maps


def render_overlay(analysis: Analysis) -> Image.Image:
    """Draw the texture detections of every face over the analysed photo.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze` (it keeps the decoded image).

    Returns
    -------
    PIL.Image.Image
        RGB image of the input's size. Concerns that were not measured are
        simply not drawn.

    Raises
    ------
    ValueError
        If the analysis holds no image.
    """
    if analysis.image is None:
        raise ValueError("analysis holds no image")
    base = Image.fromarray(analysis.image).convert("RGBA")
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
