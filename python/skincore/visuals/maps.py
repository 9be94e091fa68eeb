"""Result maps: pictures of what the concerns measured, as the vendors return them.

Every function here *renders* an :class:`~skincore.analysis.Analysis`; nothing is
measured. A map whose concern was not measured (``None`` on every face) is not
produced: the function returns ``None`` and the caller leaves the field absent.
All faces of the analysis are drawn.

- AILabTools Pro ``face_maps``: :func:`texture_enhanced_pores`,
  :func:`texture_enhanced_blackheads`, :func:`texture_enhanced_lines` and
  :func:`rough_area` are transparent RGBA images of the original size, to be
  stacked on the photo; :func:`texture_enhanced_bw` is the JPEG crop with its
  ``enhanced_bw_info``. Colours follow ``roi_outline_color``: 6 hexadecimal
  digits ``RRGGBB`` (case-insensitive), defaults ``pores_color`` 0000FF,
  ``blackhead_color`` FF0000, ``wrinkle_color`` 6E9900 (deep lines),
  ``fine_line_color`` 8DFE2A.
- YouCam: :func:`youcam_masks` gives the mask PNGs (alpha blends over the photo)
  under the file names of the result ZIP.
"""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image, ImageDraw

from skincore import maps as _maps
from skincore.analysis import Analysis, MaskLayer
from skincore.grading.groups import CONCERN_GROUPS, ZONE_GROUPS
from skincore.maps import EnhancedBWInfo
from skincore.visuals.layers import mask_to_image

__all__ = [
    "DEFAULT_COLORS",
    "parse_color",
    "png_bytes",
    "rough_area",
    "texture_enhanced_blackheads",
    "texture_enhanced_bw",
    "texture_enhanced_lines",
    "texture_enhanced_pores",
    "youcam_masks",
    "dark_circle_area",
    "oily_area",
]

#: ``roi_outline_color`` defaults of AILabTools Pro (every documented key), plus
#: skincore's rough-area tint.
DEFAULT_COLORS = {
    "pores_color": "0000FF",
    "blackhead_color": "FF0000",
    "wrinkle_color": "6E9900",
    "fine_line_color": "8DFE2A",
    "closed_comedones_color": "00FF00",
    "acne_pustule_color": "9F21F6",
    "acne_nodule_color": "FF00FD",
    "acne_color": "FE0100",
    "brown_spot_color": "7E2A28",
    "rough_color": "FF8C00",
}

#: Alpha of the rough-area tint (semi-transparent, 0-255).
ROUGH_ALPHA = 128

#: Margin added on every side of ``face_rect`` for the enhanced B/W crop, as a
#: fraction of the rect's longer side.
BW_MARGIN = 0.08

#: Longest side of the enhanced B/W image; larger crops are scaled down.
BW_MAX_SIDE = 1600

#: JPEG quality of the enhanced B/W image.
BW_JPEG_QUALITY = 90

_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")

#: YouCam HD wrinkle mask sub-zones and the wrinkle zones each one draws.
YOUCAM_WRINKLE_ZONES = {g: ZONE_GROUPS[g] for g in CONCERN_GROUPS["wrinkles"]}

#: YouCam HD pore mask sub-zones and the face regions each one draws.
YOUCAM_PORE_ZONES = {g: ZONE_GROUPS[g] for g in CONCERN_GROUPS["pores"]}


def parse_color(value: str) -> tuple[int, int, int]:
    """Parse a ``roi_outline_color`` value.

    Parameters
    ----------
    value : str
        Six hexadecimal digits ``RRGGBB``, any case, nothing else.

    Returns
    -------
    tuple of int
        ``(r, g, b)`` in 0-255.

    Raises
    ------
    ValueError
        If ``value`` is not a string of exactly six hexadecimal digits.
    """
    if not isinstance(value, str) or not _HEX6.fullmatch(value):
        raise ValueError(f"color: expected 6 hexadecimal digits RRGGBB, got {value!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def png_bytes(img: Image.Image) -> bytes:
    """Encode an image as PNG.

    Parameters
    ----------
    img : PIL.Image.Image
        Any mode PNG can hold (RGBA keeps its alpha).

    Returns
    -------
    bytes
        The PNG file.
    """
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _line_width(analysis: Analysis) -> int:
    """Outline width that stays visible on large photos."""
    return max(1, round(max(analysis.width, analysis.height) / 800))


def _blank(analysis: Analysis) -> Image.Image:
    return Image.new("RGBA", (analysis.width, analysis.height), (0, 0, 0, 0))


def _draw_circles(
    draw: ImageDraw.ImageDraw, blobs: np.ndarray, rgba: tuple[int, int, int, int], width: int
) -> None:
    for x, y, r in np.asarray(blobs, np.float64).reshape(-1, 4)[:, :3]:
        rr = max(float(r), 1.5)
        draw.ellipse((x - rr, y - rr, x + rr, y + rr), outline=rgba, width=width)


def _blob_map(analysis: Analysis, attr: str, color: str) -> Image.Image | None:
    rgb = parse_color(color)
    results = [getattr(f, attr) for f in analysis.faces]
    if all(r is None for r in results):
        return None
    img = _blank(analysis)
    draw = ImageDraw.Draw(img)
    width = _line_width(analysis)
    for r in results:
        if r is not None:
            _draw_circles(draw, r.blobs, (*rgb, 255), width)
    return img


def texture_enhanced_pores(analysis: Analysis, *, color: str = "0000FF") -> Image.Image | None:
    """Pores as circle outlines of their radius on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` (``roi_outline_color.pores_color``).

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when pores were not measured.

    Raises
    ------
    ValueError
        On a malformed ``color``.
    """
    return _blob_map(analysis, "pores", color)


def texture_enhanced_blackheads(analysis: Analysis, *, color: str = "FF0000") -> Image.Image | None:
    """Blackheads as circle outlines of their radius on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` (``roi_outline_color.blackhead_color``).

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when blackheads were not measured.

    Raises
    ------
    ValueError
        On a malformed ``color``.
    """
    return _blob_map(analysis, "blackheads", color)


def _draw_lines(
    img: Image.Image,
    analysis: Analysis,
    zones: tuple[str, ...] | None,
    deep_rgb: tuple[int, int, int],
    fine_rgb: tuple[int, int, int],
) -> None:
    draw = ImageDraw.Draw(img)
    for face in analysis.faces:
        if face.wrinkles is None:
            continue
        for name, zone in face.wrinkles.zones.items():
            if zones is not None and name not in zones:
                continue
            for line in zone.lines:
                pts = [(float(x), float(y)) for x, y in np.asarray(line.points)[:, :2]]
                if not pts:
                    continue
                rgba = (*(deep_rgb if line.deep else fine_rgb), 255)
                width = max(1, round(float(line.width_px)))
                if len(pts) == 1:
                    x, y = pts[0]
                    h = width / 2
                    draw.ellipse((x - h, y - h, x + h, y + h), fill=rgba)
                else:
                    draw.line(pts, fill=rgba, width=width, joint="curve")


def texture_enhanced_lines(
    analysis: Analysis, *, color: str = "6E9900", fine_color: str = "8DFE2A"
) -> Image.Image | None:
    """Wrinkles as polylines of their width on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of deep lines (``roi_outline_color.wrinkle_color``).
    fine_color : str, optional
        ``RRGGBB`` of fine lines (``roi_outline_color.fine_line_color``).

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when wrinkles were not measured.

    Raises
    ------
    ValueError
        On a malformed colour.
    """
    deep, fine = parse_color(color), parse_color(fine_color)
    if all(f.wrinkles is None for f in analysis.faces):
        return None
    img = _blank(analysis)
    _draw_lines(img, analysis, None, deep, fine)
    return img


def rough_mask_image(analysis: Analysis) -> np.ndarray | None:
    """Map the faces' rough masks back onto the image grid.

    Each image pixel takes the value of the mask pixel it falls in:
    ``i = floor((x - origin_x + 0.5) * scale)`` (likewise in y).

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.

    Returns
    -------
    numpy.ndarray or None
        ``(height, width)`` bool, True where some face's skin is rough; None when
        roughness was not measured.
    """
    results = [f.roughness for f in analysis.faces]
    if all(r is None for r in results):
        return None
    out = np.zeros((analysis.height, analysis.width), bool)
    for r in results:
        if r is not None:
            layer = MaskLayer(r.mask, r.mask_origin, r.mask_scale)
            out |= mask_to_image(layer, analysis.width, analysis.height)
    return out


def rough_area(
    analysis: Analysis, *, color: str = "FF8C00", alpha: int = ROUGH_ALPHA
) -> Image.Image | None:
    """Rough skin as a semi-transparent tint on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of the tint.
    alpha : int, optional
        Opacity of the tint, 1-255.

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when roughness was not measured.

    Raises
    ------
    ValueError
        On a malformed ``color`` or ``alpha``.
    """
    rgb = parse_color(color)
    if isinstance(alpha, bool) or not isinstance(alpha, int) or not 1 <= alpha <= 255:
        raise ValueError(f"alpha: expected an int in 1..255, got {alpha!r}")
    mask = rough_mask_image(analysis)
    return None if mask is None else _tint(mask, rgb, alpha)


def _tint(mask: np.ndarray, rgb: tuple[int, int, int], alpha: int) -> Image.Image:
    """Return a transparent RGBA image with ``rgb`` at ``alpha`` where ``mask`` is set."""
    arr = np.zeros((*mask.shape, 4), np.uint8)
    arr[mask] = (*rgb, alpha)
    return Image.fromarray(arr, "RGBA")


def texture_enhanced_bw(
    analysis: Analysis, image: np.ndarray, *, threads: int = 0
) -> tuple[bytes, EnhancedBWInfo] | None:
    """Render the enhanced black-and-white crop of the first face (AILab Pro).

    The crop is the face's ``face_rect`` grown by :data:`BW_MARGIN` of its longer
    side on every side (clipped to the image), scaled so its longer side is at
    most :data:`BW_MAX_SIDE`, and enhanced by :func:`skincore.maps.enhanced_bw`.
    A point ``(x, y)`` of the photo is at ``((x - left) * ratio, (y - top) *
    ratio)`` in the JPEG.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    image : numpy.ndarray
        The ``(H, W, 3)`` uint8 photo it was made from.
    threads : int, optional
        Worker threads for the kernel.

    Returns
    -------
    tuple of (bytes, EnhancedBWInfo) or None
        The JPEG and its placement; None without a face.
    """
    if not analysis.faces:
        return None
    fr = analysis.faces[0].geometry.face_rect
    m = BW_MARGIN * max(fr.width, fr.height)
    box = (fr.left - m, fr.top - m, fr.width + 2 * m, fr.height + 2 * m)
    left, top = max(0.0, box[0]), max(0.0, box[1])
    right = min(float(analysis.width), box[0] + box[2])
    bottom = min(float(analysis.height), box[1] + box[3])
    ratio = min(1.0, BW_MAX_SIDE / max(right - left, bottom - top, 1.0))
    enhanced, info = _maps.enhanced_bw(image, box, ratio=ratio, threads=threads)
    buf = io.BytesIO()
    Image.fromarray(enhanced, "L").save(buf, format="JPEG", quality=BW_JPEG_QUALITY)
    return buf.getvalue(), info


def _inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon test for ``(N, 2)`` points."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, np.float64).reshape(-1, 2)
    inside = np.zeros(len(pts), bool)
    if len(poly) < 3 or len(pts) == 0:
        return inside
    x, y = pts[:, 0], pts[:, 1]
    xa, ya = poly[:, 0], poly[:, 1]
    xb, yb = np.roll(xa, -1), np.roll(ya, -1)
    for ax, ay, bx, by in zip(xa, ya, xb, yb, strict=True):
        if ay == by:
            continue
        crosses = (ay <= y) != (by <= y)
        xc = ax + (y - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (x < xc)
    return inside


def _pores_in(analysis: Analysis, regions: tuple[str, ...] | None) -> list[np.ndarray]:
    out = []
    for face in analysis.faces:
        if face.pores is None:
            continue
        blobs = np.asarray(face.pores.blobs, np.float64).reshape(-1, 4)
        if regions is not None:
            keep = np.zeros(len(blobs), bool)
            for name in regions:
                poly = face.geometry.regions.get(name)
                if poly is not None:
                    keep |= _inside(blobs[:, :2], poly)
            blobs = blobs[keep]
        out.append(blobs)
    return out


def youcam_masks(analysis: Analysis, *, hd: bool) -> dict[str, bytes]:
    """YouCam result-ZIP mask PNGs for the measured concerns.

    SD: ``pore_output.png``, ``wrinkle_output.png``, ``texture_output.png``.
    HD: ``hd_pore_output_{all,forehead,nose,cheek}.png``,
    ``hd_wrinkle_output_{all,forehead,glabellar,crowfeet,periocular,nasolabial,
    marionette}.png`` (glabellar = glabella, crowfeet = crow's feet, periocular =
    under-eye, marionette = mouth corners) and ``hd_texture_output.png``
    (texture = roughness). A concern that was not measured gives no file.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    hd : bool
        HD file set (True) or SD (False).

    Returns
    -------
    dict of str to bytes
        File name to PNG (RGBA, original size, transparent where nothing was
        found; blend with its alpha).
    """
    out: dict[str, bytes] = {}
    width = _line_width(analysis)
    pore_rgba = (*parse_color(DEFAULT_COLORS["pores_color"]), 255)
    deep = parse_color(DEFAULT_COLORS["wrinkle_color"])
    fine = parse_color(DEFAULT_COLORS["fine_line_color"])
    prefix = "hd_" if hd else ""

    if any(f.pores is not None for f in analysis.faces):
        sets: dict[str, tuple[str, ...] | None] = {"all": None}
        if hd:
            sets.update(YOUCAM_PORE_ZONES)
        for key, regions in sets.items():
            img = _blank(analysis)
            draw = ImageDraw.Draw(img)
            for blobs in _pores_in(analysis, regions):
                _draw_circles(draw, blobs, pore_rgba, width)
            name = f"hd_pore_output_{key}.png" if hd else "pore_output.png"
            out[name] = png_bytes(img)

    if any(f.wrinkles is not None for f in analysis.faces):
        zsets: dict[str, tuple[str, ...] | None] = {"all": None}
        if hd:
            zsets.update(YOUCAM_WRINKLE_ZONES)
        for key, zones in zsets.items():
            img = _blank(analysis)
            _draw_lines(img, analysis, zones, deep, fine)
            name = f"hd_wrinkle_output_{key}.png" if hd else "wrinkle_output.png"
            out[name] = png_bytes(img)

    rough = rough_area(analysis)
    if rough is not None:
        out[f"{prefix}texture_output.png"] = png_bytes(rough)
    circles = dark_circle_area(analysis)
    if circles is not None:
        out["hd_dark_circle_output.png" if hd else "dark_circle_v2_output.png"] = png_bytes(circles)
    oil = oily_area(analysis)
    if oil is not None:
        out["hd_oiliness_output.png" if hd else "oiliness_output.png"] = png_bytes(oil)
    return out


def oily_area(analysis: Analysis, *, color: str = "FFD700", alpha: int = 160) -> Image.Image | None:
    """Draw the shine pixels (specular highlights) as a tint on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of the tint.
    alpha : int, optional
        Opacity, 1-255.

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when oiliness was not measured.
    """
    rgb = parse_color(color)
    layers = [f.oiliness.mask for f in analysis.faces if f.oiliness is not None]
    if not layers:
        return None
    shine = np.zeros((analysis.height, analysis.width), bool)
    for layer in layers:
        shine |= mask_to_image(layer, analysis.width, analysis.height)
    return _tint(shine, rgb, alpha)


def dark_circle_area(
    analysis: Analysis, *, color: str = "5B3A8C", alpha: int = 110
) -> Image.Image | None:
    """Draw the darkened under-eye areas (their outlines, filled) on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of the fill.
    alpha : int, optional
        Opacity of the fill, 1-255.

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when dark circles were not measured.
    """
    rgb = parse_color(color)
    faces = [f.dark_circles for f in analysis.faces]
    if all(d is None for d in faces):
        return None
    img = _blank(analysis)
    draw = ImageDraw.Draw(img)
    for d in faces:
        for eye in (d.left, d.right) if d is not None else ():
            if eye is not None and len(eye.outline) >= 3:
                pts = [(float(x), float(y)) for x, y in eye.outline]
                draw.polygon(pts, fill=(*rgb, alpha))
    return img


def render_pro_map(
    analysis: Analysis, name: str, colors: dict[str, str] | None = None
) -> bytes | None:
    """Render one AILab Pro ``return_maps`` PNG by name.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    name : str
        ``texture_enhanced_pores``, ``texture_enhanced_blackheads``,
        ``texture_enhanced_lines`` or ``rough_area``.
    colors : dict, optional
        Pro ``roi_outline_color`` values overriding :data:`DEFAULT_COLORS`.

    Returns
    -------
    bytes or None
        PNG bytes, or ``None`` when the concern behind the map is not measured.
    """
    c = {**DEFAULT_COLORS, **(colors or {})}
    if name == "texture_enhanced_pores":
        img = texture_enhanced_pores(analysis, color=c["pores_color"])
    elif name == "texture_enhanced_blackheads":
        img = texture_enhanced_blackheads(analysis, color=c["blackhead_color"])
    elif name == "texture_enhanced_lines":
        img = texture_enhanced_lines(
            analysis, color=c["wrinkle_color"], fine_color=c["fine_line_color"]
        )
    elif name == "rough_area":
        img = rough_area(analysis)
    elif name == "texture_enhanced_oily_area":
        img = oily_area(analysis)
    else:
        raise ValueError(f"name: unknown map {name!r}")
    return None if img is None else png_bytes(img)
