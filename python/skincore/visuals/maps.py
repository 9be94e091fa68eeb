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
  ``fine_line_color`` 8DFE2A. :func:`red_area` and :func:`brown_area` are JPEGs on a
  white background, the shade of each pixel its excess redness or melanin;
  :func:`roi_outline_map` outlines the acne lesions and brown spots
  (``acne_color`` FE0100 papules, ``acne_pustule_color`` 9F21F6,
  ``acne_nodule_color`` FF00FD, ``closed_comedones_color`` 00FF00,
  ``brown_spot_color`` 7E2A28 for brown spots and acne marks, which the document
  gives no colour of their own).
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
from skincore.face.regions import lower_lid
from skincore.grading.groups import CONCERN_GROUPS, ZONE_GROUPS
from skincore.maps import EnhancedBWInfo
from skincore.visuals.layers import layer_to_image, mask_to_image

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
    "red_area",
    "brown_area",
    "roi_outline_map",
    "lesion_area",
    "skin_health_pictures",
    "skin_type_area",
    "eye_bag_area",
    "water_area",
    "firmness_area",
    "eyelid_lines",
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


def _mask_tint(
    analysis: Analysis,
    layers: list[MaskLayer],
    color: str,
    alpha: int,
) -> Image.Image | None:
    """Tint the union of mask layers (mapped onto the image) on a transparent image.

    ``None`` without a layer (the concern was not measured); the colour is
    checked either way.
    """
    rgb = parse_color(color)
    if not layers:
        return None
    sel = np.zeros((analysis.height, analysis.width), bool)
    for layer in layers:
        sel |= mask_to_image(layer, analysis.width, analysis.height)
    return _tint(sel, rgb, alpha)


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
    red = _mask_tint(analysis, [f.redness.mask for f in analysis.faces if f.redness], "C8102E", 140)
    if red is not None:
        out[f"{prefix}redness_output.png"] = png_bytes(red)
    acne = lesion_area(analysis, ("papule", "pustule", "nodule", "closed_comedone"), color="FE0100")
    if acne is not None and any(f.acne is not None for f in analysis.faces):
        out[f"{prefix}acne_output.png"] = png_bytes(acne)
    for attr, name, color, alpha in (
        ("moisture", "moisture", "2E6EC8", 130),
        ("radiance", "radiance", "5A5A6E", 140),
    ):
        layers = [getattr(f, attr).mask for f in analysis.faces if getattr(f, attr) is not None]
        tinted = _mask_tint(analysis, layers, color, alpha)
        if tinted is not None:
            out[f"{prefix}{name}_output.png"] = png_bytes(tinted)
    lids = eyelid_lines(analysis)
    if lids is not None:
        out[f"{prefix}droopy_upper_eyelid_output.png"] = png_bytes(lids[0])
        out[f"{prefix}droopy_lower_eyelid_output.png"] = png_bytes(lids[1])
    sag = firmness_area(analysis)
    if sag is not None:
        out[f"{prefix}firmness_output.png"] = png_bytes(sag)
    bags = eye_bag_area(analysis)
    if bags is not None:
        out["hd_eye_bag_output.png" if hd else "eye_bag_output.png"] = png_bytes(bags[0])
        out["hd_tear_trough.png" if hd else "tear_trough.png"] = png_bytes(bags[1])
    types = skin_type_area(analysis)
    if types is not None:
        out["hd_skin_type.png" if hd else "skin_type.png"] = png_bytes(types)
    spots = lesion_area(analysis, ("spot",), color="7E2A28")
    # no mask where the spots were not counted (a face under 2 px/mm)
    counted = any(
        f.pigmentation is not None and f.pigmentation.spots is not None for f in analysis.faces
    )
    if spots is not None and counted:
        out[f"{prefix}age_spot_output.png"] = png_bytes(spots)
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
    layers = [f.oiliness.mask for f in analysis.faces if f.oiliness is not None]
    return _mask_tint(analysis, layers, color, alpha)


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
        A name of :data:`skincore.dialects.ailab.PRO_MAPS` but
        ``texture_enhanced_bw`` (see :func:`map_file_name` for the format).
    colors : dict, optional
        Pro ``roi_outline_color`` values overriding :data:`DEFAULT_COLORS`.

    Returns
    -------
    bytes or None
        PNG bytes (JPEG for ``red_area`` and ``brown_area``), or ``None`` when the
        concern behind the map is not measured.
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
    elif name in ("red_area", "brown_area"):
        shaded = red_area(analysis) if name == "red_area" else brown_area(analysis)
        return None if shaded is None else jpeg_bytes(shaded)
    elif name == "water_area":
        img = water_area(analysis)
    elif name == "roi_outline_map":
        img = roi_outline_map(analysis, colors=c)
    else:
        raise ValueError(f"name: unknown map {name!r}")
    return None if img is None else png_bytes(img)


#: AILab maps drawn on a white background and encoded as JPEG (the Advanced
#: document: "jpeg images for base64").
JPEG_MAPS = ("red_area", "brown_area")


def map_file_name(name: str) -> str:
    """File name of a Pro map written by the CLI (``.jpg`` for the JPEG maps)."""
    return f"{name}.jpg" if name in JPEG_MAPS or name == "texture_enhanced_bw" else f"{name}.png"


def jpeg_bytes(img: Image.Image, quality: int = 90) -> bytes:
    """Encode an RGB or greyscale image as JPEG."""
    buf = io.BytesIO()
    img.convert("L" if img.mode == "L" else "RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _shaded(
    analysis: Analysis, layers: list[MaskLayer], rgb: tuple[int, int, int]
) -> Image.Image | None:
    """White image, each pixel of the layers blended towards ``rgb`` by its level."""
    if not layers:
        return None
    level = np.zeros((analysis.height, analysis.width), np.uint8)
    for layer in layers:
        np.maximum(level, layer_to_image(layer, analysis.width, analysis.height), out=level)
    # A set pixel is at least a quarter of the way to the colour, so a faint
    # area is still visible; the rest of the way follows its level.
    t = np.where(level > 0, 0.25 + 0.75 * (level.astype(np.float32) / 255.0), 0.0)[..., None]
    white = np.float32(255.0)
    arr = white + (np.asarray(rgb, np.float32) - white) * t
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")


def red_area(analysis: Analysis, *, color: str = "C8102E") -> Image.Image | None:
    """Red skin on a white background, shaded by its excess redness.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of the strongest redness.

    Returns
    -------
    PIL.Image.Image or None
        RGB of the original image size; None when redness was not measured.
    """
    rgb = parse_color(color)
    return _shaded(analysis, [f.redness.level for f in analysis.faces if f.redness], rgb)


def brown_area(analysis: Analysis, *, color: str = "6B3A1E") -> Image.Image | None:
    """Hyperpigmented skin on a white background, shaded by its melanin excess.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    color : str, optional
        ``RRGGBB`` of the strongest pigmentation.

    Returns
    -------
    PIL.Image.Image or None
        RGB of the original image size; None when pigmentation was not measured.
    """
    rgb = parse_color(color)
    return _shaded(analysis, [f.pigmentation.level for f in analysis.faces if f.pigmentation], rgb)


#: ``roi_outline_color`` key of each outlined lesion kind.
ROI_COLOR_KEYS = {
    "papule": "acne_color",
    "pustule": "acne_pustule_color",
    "nodule": "acne_nodule_color",
    "closed_comedone": "closed_comedones_color",
    "acne_mark": "brown_spot_color",
    "spot": "brown_spot_color",
}


def _roi_lesions(analysis: Analysis, kinds: tuple[str, ...] | None = None) -> list:
    found = [x for f in analysis.faces for x in f.lesions()]
    return [x for x in found if x.kind in ROI_COLOR_KEYS and (kinds is None or x.kind in kinds)]


def roi_outline_map(
    analysis: Analysis, *, colors: dict[str, str] | None = None
) -> Image.Image | None:
    """Outlines of the acne lesions and brown spots on a transparent image.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    colors : dict, optional
        ``roi_outline_color`` values overriding :data:`DEFAULT_COLORS`.

    Returns
    -------
    PIL.Image.Image or None
        RGBA of the original image size; None when neither acne nor
        pigmentation was measured.
    """
    c = {**DEFAULT_COLORS, **(colors or {})}
    if all(f.acne is None and f.pigmentation is None for f in analysis.faces):
        return None
    img = _blank(analysis)
    draw = ImageDraw.Draw(img)
    width = _line_width(analysis)
    for les in _roi_lesions(analysis):
        rgba = (*parse_color(c[ROI_COLOR_KEYS[les.kind]]), 255)
        pts = [(float(x), float(y)) for x, y in les.polygon]
        if len(pts) >= 3:
            draw.polygon(pts, outline=rgba, width=width)
        else:
            r = les.rect
            draw.rectangle((r.left, r.top, r.right, r.bottom), outline=rgba, width=width)
    return img


def lesion_area(
    analysis: Analysis, kinds: tuple[str, ...], *, color: str, alpha: int = 170
) -> Image.Image | None:
    """Fill the outlines of the given lesion kinds on a transparent image (YouCam masks).

    Returns ``None`` when neither acne nor pigmentation was measured.
    """
    rgb = parse_color(color)
    if all(f.acne is None and f.pigmentation is None for f in analysis.faces):
        return None
    img = _blank(analysis)
    draw = ImageDraw.Draw(img)
    for les in _roi_lesions(analysis, kinds):
        pts = [(float(x), float(y)) for x, y in les.polygon]
        if len(pts) >= 3:
            draw.polygon(pts, fill=(*rgb, alpha))
        else:
            r = les.rect
            draw.ellipse((r.left, r.top, r.right, r.bottom), fill=(*rgb, alpha))
    return img


def skin_health_pictures(analysis: Analysis, image: np.ndarray) -> dict[int, dict[str, bytes]]:
    """face_field ``skinface`` pictures per face: the face crop as photo, grey, brown, red.

    Parameters
    ----------
    analysis : Analysis
        The analysis to render.
    image : numpy.ndarray
        The analysed RGB photo.

    Returns
    -------
    dict of int to dict of str to bytes
        Face index -> JPEGs ``src_pic`` (the crop), ``gray_pic`` (its luminance),
        and, where measured, ``brown_pic`` and ``red_pic`` (the crops of
        :func:`brown_area` and :func:`red_area`).
    """
    red = red_area(analysis)
    brown = brown_area(analysis)
    out: dict[int, dict[str, bytes]] = {}
    for f in analysis.faces:
        r = f.geometry.face_rect
        m = 0.1 * max(r.width, r.height)
        box = (
            max(0, int(r.left - m)),
            max(0, int(r.top - m)),
            min(analysis.width, int(np.ceil(r.right + m))),
            min(analysis.height, int(np.ceil(r.bottom + m))),
        )
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        crop = Image.fromarray(np.ascontiguousarray(image)).crop(box)
        pics = {"src_pic": jpeg_bytes(crop), "gray_pic": jpeg_bytes(crop.convert("L"))}
        if brown is not None and f.pigmentation is not None:
            pics["brown_pic"] = jpeg_bytes(brown.crop(box))
        if red is not None and f.redness is not None:
            pics["red_pic"] = jpeg_bytes(red.crop(box))
        out[f.index] = pics
    return out


#: Tint of the zones called oily and dry in :func:`skin_type_area`.
SKIN_TYPE_COLORS = {"oily": "FFC300", "dry": "4FA3E0"}


def skin_type_area(analysis: Analysis, *, alpha: int = 120) -> Image.Image | None:
    """Tint the skin of the zones the skin-type concern calls oily (amber) or dry (blue).

    Returns ``None`` when skin type was not measured; neutral zones stay clear.
    """
    if all(f.skin_type is None for f in analysis.faces):
        return None
    arr = np.zeros((analysis.height, analysis.width, 4), np.uint8)
    for f in analysis.faces:
        if f.skin_type is None:
            continue
        zones = Image.new("L", (analysis.width, analysis.height), 0)
        draw = ImageDraw.Draw(zones)
        codes = {"oily": 1, "dry": 2}
        for zone, z in f.skin_type.zones.items():
            if zone in ("t_zone", "u_zone"):
                continue  # pools of the zones drawn
            poly = f.geometry.regions.get(zone)
            if z.call in codes and poly is not None and len(poly) >= 3:
                draw.polygon([(float(x), float(y)) for x, y in poly], fill=codes[z.call])
        code = np.asarray(zones)
        if f.skin is not None:  # the zones' skin only: not beard, eyes or lips
            code = np.where(mask_to_image(f.skin, analysis.width, analysis.height), code, 0)
        for call, c in codes.items():
            arr[code == c] = (*parse_color(SKIN_TYPE_COLORS[call]), alpha)
    return Image.fromarray(arr, "RGBA")


def eye_bag_area(
    analysis: Analysis, *, color: str = "8C6BB1", alpha: int = 130
) -> tuple[Image.Image, Image.Image] | None:
    """Draw the eye bags (filled, lid to groove) and the tear troughs (the inner groove).

    Returns
    -------
    tuple of PIL.Image.Image or None
        (bags, troughs), RGBA of the original size; ``None`` when eye bags were
        not measured. Only eyes graded with a bag (a trough) are drawn.
    """
    rgb = parse_color(color)
    if all(f.eye_bags is None for f in analysis.faces):
        return None
    bags, troughs = _blank(analysis), _blank(analysis)
    db, dt = ImageDraw.Draw(bags), ImageDraw.Draw(troughs)
    width = 2 * _line_width(analysis)
    for f in analysis.faces:
        g = f.grades.get("eye_bags")
        if f.eye_bags is None or g is None:
            continue
        nose_x = float(np.mean(f.geometry.regions["nose"][:, 0]))
        for side in ("left", "right"):
            eye = getattr(f.eye_bags, side)
            if eye is None or len(eye.outline) < 4:
                continue
            pts = [(float(x), float(y)) for x, y in eye.outline]
            if g.zones[f"{side}_eye_bag"].severity >= 1:
                db.polygon(pts, fill=(*rgb, alpha))
            if g.zones[f"{side}_tear_trough"].severity >= 1:
                n = len(pts) // 2
                groove = pts[n:][::-1]  # the lower edge, in column order
                if abs(groove[-1][0] - nose_x) < abs(groove[0][0] - nose_x):
                    groove = groove[::-1]  # start at the nose
                inner = groove[: max(2, len(groove) // 3)]
                dt.line(inner, fill=(*rgb, 220), width=width)
    return bags, troughs


def water_area(analysis: Analysis, *, color: str = "1F4E9C") -> Image.Image | None:
    """Dehydrated-looking skin on a white background, darker blue where drier-looking.

    Returns
    -------
    PIL.Image.Image or None
        RGB PNG content of the original size (AILab ``water_area``); None when
        moisture was not measured.
    """
    return _shaded(
        analysis, [f.moisture.mask for f in analysis.faces if f.moisture], parse_color(color)
    )


def firmness_area(
    analysis: Analysis, *, color: str = "C2185B", alpha: int = 200
) -> Image.Image | None:
    """Draw the nasolabial and marionette lines the firmness concern read.

    Returns ``None`` when firmness was not measured.
    """
    if all(f.firmness is None for f in analysis.faces):
        return None
    img = _blank(analysis)
    rgb = parse_color(color)
    width = _line_width(analysis) * 2
    draw = ImageDraw.Draw(img)
    for f in analysis.faces:
        if f.firmness is None or f.wrinkles is None:
            continue
        for zone in f.firmness.zones:
            z = f.wrinkles.zones.get(zone)
            for line in z.lines if z is not None else ():
                pts = [(float(x), float(y)) for x, y in line.points]
                if len(pts) >= 2:
                    draw.line(pts, fill=(*rgb, alpha), width=width)
    return img


def eyelid_lines(
    analysis: Analysis, *, color: str = "00A3A3", alpha: int = 220
) -> tuple[Image.Image, Image.Image] | None:
    """Draw the upper-lid creases found and the lower lid margins (YouCam eyelid masks).

    Returns
    -------
    tuple of PIL.Image.Image or None
        (upper, lower) RGBA of the original size; ``None`` when eyelids were not
        measured.
    """
    if all(f.eyelids is None for f in analysis.faces):
        return None
    rgb = parse_color(color)
    width = 2 * _line_width(analysis)
    upper, lower = _blank(analysis), _blank(analysis)
    du, dl = ImageDraw.Draw(upper), ImageDraw.Draw(lower)
    for f in analysis.faces:
        if f.eyelids is None:
            continue
        for side in ("left", "right"):
            eye = getattr(f.eyelids, side)
            if eye is None:
                continue
            crease = [(float(x), float(y)) for x, y in np.asarray(eye.crease_line).reshape(-1, 2)]
            if len(crease) >= 2:
                du.line(crease, fill=(*rgb, alpha), width=width)
            poly = f.geometry.regions.get(f"{side}_eye")
            if poly is not None and len(poly) >= 4:
                lx, ly = lower_lid(poly)
                dl.line(
                    list(zip(lx.tolist(), ly.tolist(), strict=True)),
                    fill=(*rgb, alpha),
                    width=width,
                )
    return upper, lower
