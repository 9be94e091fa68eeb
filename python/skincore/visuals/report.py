"""One self-contained HTML page a person would rather read than JSON.

The page embeds the photo and one transparent layer per measured concern
(base64 PNG/JPEG, no external file, no script from elsewhere): checkboxes show or
hide each layer over the photo. Beside it, every measured concern's scores with a
plain-language explanation of what the number measures and its limits, and the
list of what is not measured. It opens from disk in any browser, without a server.
Pure rendering: nothing is measured here.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from skincore.analysis import Analysis
from skincore.concerns.context import MAX_PX_PER_MM
from skincore.dialects.fields import WONT_MEASURE, missing_concerns
from skincore.visuals import maps
from skincore.visuals.regions import render_regions

#: What each score measures, and its limits, in plain words.
EXPLANATIONS: dict[str, str] = {
    "tone": (
        "Skin colour in CIELAB over the skin the segmentation found. The ITA angle "
        "(higher = lighter) and the hue angle (higher = more yellow) are what the "
        "vendors classify. Colour depends on the light: compare photos taken under "
        "the same light."
    ),
    "pores": (
        "Dark dots 0.56-1 mm across counted per zone and per square centimetre; "
        "'enlarged' from 0.7 mm. Make-up fills pores, hard side light deepens them; "
        "below about 4 pixels per millimetre on the face pores are not measured."
    ),
    "blackheads": (
        "Compact, very dark dots on the nose (at least twice a pore's contrast). A "
        "photo cannot tell a blackhead from a dark pore with certainty."
    ),
    "wrinkles": (
        "Dark lines traced per zone: their length in mm and their contrast (deep "
        "lines darken the skin by about 10 % or more). Frontal flat light hides lines, "
        "side light deepens them."
    ),
    "roughness": (
        "Uneven texture at the 0.5-3 mm scale (bumps, dimpling). Strong directional "
        "light exaggerates it; soft focus hides it. Shiny skin is not measured: the "
        "glints of a sheen would read as texture, most on dark skin."
    ),
    "dark_circles": (
        "How much darker, and in which colour direction, the skin under each eye is "
        "than the cheek just below: browner (pigmented), bluer or redder (vascular) "
        "or only darker (shadow). Overhead light reads as shadow."
    ),
    "oiliness": (
        "Shine: skin brighter than the skin around it and whiter (a specular "
        "reflection), as a share of each zone. It measures reflection, not sebum: "
        "a flash makes every face shinier, powder removes shine."
    ),
    "eyelids": (
        "Upper-lid crease (single, parallel or scalloped double eyelid) from the "
        "lightness above the lid, and how low the lids sit (pupil-to-lid distances "
        "from the landmarks). Eye make-up and hooding folds can read as a crease; "
        "gaze and head tilt move the lids."
    ),
    "firmness": (
        "Firmness as the sagging a face-on photo shows: how long and deep the folds "
        "from the nose to the mouth and from the mouth corners down are. Elasticity "
        "itself, jowls and the jawline are not measured."
    ),
    "radiance": (
        "Radiance as evenness: how much the skin's lightness varies around its "
        "local level (blotches, dull patches), and the share of dull skin. Glow "
        "and translucency are not measured; side light makes any face uneven."
    ),
    "moisture": (
        "Skin that looks dehydrated: matte (no shine nearby) with a rough, fine "
        "texture. A photo cannot measure water in the skin; this is its look only, "
        "and stubble or make-up texture can read as dry."
    ),
    "eye_bags": (
        "Eye bags and tear troughs from the shading under each eye: a bright bulge "
        "over a darker groove, measured as the groove's depth in lightness. It needs "
        "light from the front or above; a side light or a flash can hide or fake "
        "relief."
    ),
    "skin_type": (
        "Skin type from what a photo shows: shine (oil and sweat reflect light) and "
        "matte, rough texture, per zone. Oily T-zone and cheeks: oily; oily T-zone "
        "only: combination; matte and rough cheeks: dry. Light decides shine (a "
        "flash makes any face oilier); a photo cannot measure hydration."
    ),
    "redness": (
        "Red skin: where the haemoglobin estimated from the colour (shading removed) "
        "stands above the face's own least red skin, as a share of the skin and an "
        "intensity. Warm light and flushing read as redness; it shows erythema, not "
        "how reactive the skin is."
    ),
    "pigmentation": (
        "Brown skin and brown spots: where the melanin estimated from the colour stands "
        "above the face's own baseline. An even tan or a dark skin is not counted as "
        "pigmented; a shadow can be. Melasma and freckles are told apart by size only."
    ),
    "acne": (
        "Acne lesions found by their colour against the skin around them (red bumps, "
        "pale-centred pustules, large nodules, small whiteheads, flat red-brown marks), "
        "and the acne grade from their count (0-5 mild, 6-20 moderate, 21-50 severe, "
        "more very severe). A flat mark and a raised papule look alike in one photo; "
        "on public acne photos it finds about half of the lesions dermatologists "
        "marked, and about half of what it finds was not marked."
    ),
    "moles": (
        "Dark, compact spots of a few millimetres. Listed, not graded; this is not a "
        "skin-cancer check."
    ),
    "skin_age": (
        "Apparent age from a face-age network (about 6 years mean error on a public "
        "face set; people over 70 read 8-10 years younger). It is not a clinical skin age."
    ),
}

#: Layers shown when the page opens (the others one click away: all at once is
#: more colour than face).
SHOWN_LAYERS = ("pores", "wrinkles", "acne")

_LAYER_NAMES = {
    "regions": "measured skin and zones",
    "pores": "pores",
    "blackheads": "blackheads",
    "wrinkles": "wrinkles",
    "roughness": "rough skin",
    "dark_circles": "dark circles",
    "oiliness": "shine",
    "eye_bags": "eye bags",
    "moisture": "dry-looking skin",
    "skin_type": "oily / dry zones",
    "redness": "red skin",
    "pigmentation": "brown skin",
    "acne": "acne and spots",
}


def _b64(img: Image.Image, fmt: str = "PNG", **kw: object) -> str:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def _white_to_alpha(img: Image.Image | None) -> Image.Image | None:
    """Turn a white-background map into an overlay: white transparent, colour opaque."""
    if img is None:
        return None
    rgb = np.asarray(img.convert("RGB"))
    alpha = (255 - rgb.min(axis=2)).astype(np.uint8)
    alpha = np.where(alpha > 8, np.minimum(255, alpha.astype(np.int32) * 2), 0).astype(np.uint8)
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def _layers(analysis: Analysis, image: np.ndarray) -> dict[str, Image.Image]:
    c = maps.DEFAULT_COLORS
    layers: dict[str, Image.Image | None] = {
        "pores": maps.texture_enhanced_pores(analysis, color=c["pores_color"]),
        "blackheads": maps.texture_enhanced_blackheads(analysis, color=c["blackhead_color"]),
        "wrinkles": maps.texture_enhanced_lines(
            analysis, color=c["wrinkle_color"], fine_color=c["fine_line_color"]
        ),
        "roughness": maps.rough_area(analysis, color=c["rough_color"], alpha=110),
        "dark_circles": maps.dark_circle_area(analysis),
        "oiliness": maps.oily_area(analysis),
        "eye_bags": (maps.eye_bag_area(analysis) or (None,))[0],
        "moisture": _white_to_alpha(maps.water_area(analysis)),
        "skin_type": maps.skin_type_area(analysis),
        "redness": _white_to_alpha(maps.red_area(analysis)),
        "pigmentation": _white_to_alpha(maps.brown_area(analysis)),
        "acne": maps.roi_outline_map(analysis),
    }
    regions = render_regions(analysis, image).convert("RGBA")
    regions.putalpha(150)
    out = {"regions": regions}
    out.update({k: v for k, v in layers.items() if v is not None})
    return out


#: Longer side of a map thumbnail, pixels.
THUMB_SIDE = 320


def _face_box(analysis: Analysis, scale: float, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Return the shown face's box grown by half its size on the scaled photo (PIL box)."""
    r = analysis.faces[0].geometry.face_rect
    mx, my = 0.5 * r.width, 0.5 * r.height
    x0, y0 = max(0, int((r.left - mx) * scale)), max(0, int((r.top - my) * scale))
    x1 = min(size[0], int(np.ceil((r.left + r.width + mx) * scale)))
    y1 = min(size[1], int(np.ceil((r.top + r.height + my) * scale)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return (0, 0, size[0], size[1])
    return (x0, y0, x1, y1)


def _backdrop(photo: Image.Image) -> Image.Image:
    """Return the photo faded to a light grey, the thumbnails' ground.

    A map drawn alone on white shows a few specks with nothing to place them;
    over the faded face a person sees where they lie.
    """
    small = photo.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    grey = small.convert("L").point(lambda v: 150 + v * 105 // 255)
    return grey.convert("RGB")


def _thumb(backdrop: Image.Image, layer: Image.Image) -> Image.Image:
    """Return a layer drawn over the faded photo at the thumbnail's size."""
    top = layer.convert("RGBA").resize(backdrop.size, Image.Resampling.BOX)
    out = backdrop.convert("RGBA")
    out.alpha_composite(top)
    return out.convert("RGB")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.1f}"
    return html.escape(str(v))


def _sharpness(blur_mm: float) -> str:
    """Put the photo's sharpness on the face in words (``Quality.blur_mm``)."""
    if not math.isfinite(blur_mm):
        return "sharpness not measured (no open eye)"
    word = "sharp" if blur_mm <= 0.4 else "soft" if blur_mm <= 0.8 else "blurred"
    return f"{word}: the iris's edge is {blur_mm:.2f} mm wide (sharp photos 0.2-0.4)"


def _resolved(resolved: float, px_per_mm: float) -> str:
    """Say, when it is so, that the photo resolves less than it samples."""
    if not (math.isfinite(resolved) and resolved < min(px_per_mm, MAX_PX_PER_MM) - 1e-6):
        return ""
    return (
        f" (but the skin shows detail only down to about {resolved:.1f}: the photo is"
        " enlarged, soft or retouched)"
    )


def _pct(share: float) -> str:
    """Write a share of [0, 1] as a percentage (one decimal below 10 %)."""
    if not math.isfinite(share):
        return "not measured"
    v = 100.0 * share
    return f"{v:.1f} %" if v < 10 else f"{v:.0f} %"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _eyes(result: object, fmt: Callable[[Any], str]) -> str:
    sides = [(s, getattr(result, s, None)) for s in ("left", "right")]
    return "; ".join(f"{s} eye {fmt(e)}" for s, e in sides if e is not None)


def _measured(name: str, result: Any) -> list[str]:
    """Put the concern's own measurements in words (what its score is made from).

    Each concern's headline figures as the native result holds them; nothing is
    computed here but sums and counts of them.
    """
    if name == "tone":
        return [f"ITA {_fmt(result.ita)}°, hue {_fmt(result.ha)}°"]
    if name == "skin_age":
        return [f"{_fmt(result.age)} years (spread {_fmt(result.spread)})"]
    if name == "pores":
        zones = result.zones.values()
        cm2 = sum(z.area_cm2 for z in zones)
        n, big = sum(z.count for z in zones), sum(z.enlarged_count for z in zones)
        if not cm2:
            return []
        lim = f"{2 * result.enlarged_radius_mm:.1f}"
        if result.fine_resolved:
            return [
                f"{_plural(n, 'pore')} ({big} enlarged, from {lim} mm across) on "
                f"{cm2:.0f} cm² of skin: {n / cm2:.1f} per cm²"
            ]
        return [
            f"{_plural(big, 'enlarged pore')} (from {lim} mm across) on {cm2:.0f} cm² of "
            f"skin: {big / cm2:.2f} per cm²; finer pores are below this photo's "
            f"resolution ({result.px_per_mm:.1f} pixels per mm on the face) and are not "
            "counted"
        ]
    if name == "blackheads":
        return [f"{_plural(result.count, 'blackhead')} on the nose"]
    if name == "wrinkles":
        zones = result.zones.values()
        lines = sum(z.deep_count + z.shallow_count for z in zones)
        deep = sum(z.deep_count for z in zones)
        return [f"{_plural(lines, 'line')} traced ({deep} deep) in {len(result.zones)} zones"]
    if name in ("roughness", "moisture", "oiliness"):
        what = {"roughness": "rough", "moisture": "dry-looking", "oiliness": "shiny"}[name]
        bits = [f"{what} skin: {_pct(result.area)} of the skin"]
        if name == "roughness" and getattr(result, "sheen", 0.0) >= 0.005:
            bits.append(f"{round(100 * result.sheen)} % of the skin is shiny and not measured")
        return bits
    if name == "dark_circles":
        return [
            _eyes(
                result,
                lambda e: (
                    f"{-e.delta_L:.1f} L* darker than the cheek (ΔE {e.delta_E:.1f})"
                    if e.delta_L < 0
                    else "not darker than the cheek"
                ),
            )
        ]
    if name == "eye_bags":
        return [
            _eyes(
                result,
                lambda e: (
                    f"groove {e.depth:.1f} L* deep{', a bag' if e.fat else ''}"
                    if e.depth > 0
                    else "no groove"
                ),
            )
        ]
    if name == "eyelids":
        return [
            _eyes(
                result,
                lambda e: (
                    ("crease" if e.crease else "no crease")
                    + f", upper lid {e.mrd1_mm:.1f} mm above the pupil"
                ),
            )
        ]
    if name == "skin_type":
        return [f"{result.kind} (confidence {result.confidence:.2f})"]
    if name == "radiance":
        return [
            f"lightness varies {result.unevenness:.1f} L* around its local level; "
            f"dull skin {_pct(result.dull_area)}"
        ]
    if name == "redness":
        return [
            f"red skin: {_pct(result.area)} of the skin ({result.area_mm2 / 100:.1f} cm²), "
            f"intensity {result.intensity:.0f} of 100"
        ]
    if name == "pigmentation":
        return [
            f"brown skin: {_pct(result.brown_area)} of the skin "
            f"({result.brown_area_mm2 / 100:.1f} cm²); "
            + (
                _plural(len(result.spots), "brown spot")
                if result.spots is not None
                else "brown spots not counted (the photo is too coarse for the small ones)"
            )
            + (f"; {_plural(result.freckles, 'freckle')}" if result.freckles else "")
        ]
    if name == "acne":
        active = {k: c for k, c in result.counts.items() if k != "acne_mark" and c}
        kinds = ", ".join(_plural(c, k.replace("_", " ")) for k, c in active.items())
        marks = result.counts.get("acne_mark", 0)
        return [
            _plural(result.active_count, "active lesion")
            + (f" ({kinds})" if kinds else "")
            + (f" and {_plural(marks, 'acne mark')}" if marks else "")
            + f" on {result.skin_area_cm2:.0f} cm² of skin"
        ]
    if name == "moles":
        return [_plural(result.count, "mole") + " found"]
    return []


def _concern_rows(analysis: Analysis) -> str:
    face = analysis.faces[0]
    rows: list[str] = []
    for name, result in face.concerns.items():
        if result is None:
            continue
        bits: list[str] = []
        scores = face.scores.get(name)
        if scores:
            bits.append(
                "score "
                + ", ".join(f"{g} {_fmt(s.raw)}" for g, s in scores.items())
                + " <small>(1-100, higher is healthier)</small>"
            )
        bits.extend(b for b in _measured(name, result) if b)
        if getattr(result, "above_nose_only", False):
            bits.append(
                "measured above the nose tip only: a beard covers the lower face, and "
                "stubble would read as texture"
            )
        g = face.grades.get(name)
        if g is not None and g.zones:
            bits.append(
                "severity per zone: "
                + ", ".join(f"{z.replace('_', ' ')} {zg.severity}" for z, zg in g.zones.items())
            )
        rows.append(
            f'<li data-concern="{html.escape(name)}"><h3>{html.escape(name.replace("_", " "))}</h3>'
            f"<p>{'; '.join(bits)}</p>"
            f"<p class=why>{html.escape(EXPLANATIONS.get(name, ''))}</p></li>"
        )
    for name, why in face.skipped.items():
        title = html.escape(name.replace("_", " "))
        rows.append(
            f'<li data-concern="{html.escape(name)}" class=skipped><h3>{title}</h3>'
            f"<p>not measured: {html.escape(why)}</p></li>"
        )
    return "\n".join(rows)


def render_report(analysis: Analysis, image: np.ndarray, *, max_side: int = 1400) -> str:
    """Render the HTML report of the largest face.

    Parameters
    ----------
    analysis : Analysis
        A result of :func:`skincore.analyze` with at least one face.
    image : numpy.ndarray
        The ``(H, W, 3)`` uint8 photo it was made from.
    max_side : int, optional
        The photo and its layers are scaled so their longer side is at most this.

    Returns
    -------
    str
        A complete HTML document (UTF-8), every picture embedded.
    """
    photo = Image.fromarray(np.ascontiguousarray(image), "RGB")
    layers = _layers(analysis, image)
    scale = min(1.0, max_side / max(photo.size))
    size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
    if scale < 1.0:
        photo = photo.resize(size, Image.Resampling.LANCZOS)
        layers = {k: v.resize(size, Image.Resampling.BILINEAR) for k, v in layers.items()}
    imgs = "\n".join(
        f'<img class=layer id="layer-{k}" alt="{html.escape(_LAYER_NAMES[k])}" '
        f'src="{_b64(v)}"{"" if k in SHOWN_LAYERS else " hidden"}>'
        for k, v in layers.items()
    )
    toggles = "\n".join(
        f'<label><input type=checkbox data-layer="{k}"{" checked" if k in SHOWN_LAYERS else ""}> '
        f"{html.escape(_LAYER_NAMES[k])}</label>"
        for k in layers
    )
    box = _face_box(analysis, scale, photo.size)
    backdrop = _backdrop(photo.crop(box))
    thumbs = "\n".join(
        f'<figure><img src="{_b64(_thumb(backdrop, v.crop(box)), "JPEG", quality=85)}" '
        f'alt="{html.escape(_LAYER_NAMES[k])}">'
        f"<figcaption>{html.escape(_LAYER_NAMES[k])}</figcaption></figure>"
        for k, v in layers.items()
    )
    missing = "".join(
        f"<li class=skipped><h3>Not measured yet</h3><p>{html.escape(m.replace('_', ' '))}</p></li>"
        for m in missing_concerns()
    ) + "".join(
        f"<li class=skipped><h3>Not measured: {html.escape(k.replace('_', ' '))}</h3>"
        f"<p>{html.escape(why)}</p></li>"
        for k, why in WONT_MEASURE.items()
    )
    face = analysis.faces[0]
    q = face.quality
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>skincore report</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222; }}
main {{ display: flex; flex-wrap: wrap; gap: 2em; }}
#photo {{ position: relative; width: {size[0]}px; max-width: 100%; }}
#photo img {{ width: 100%; display: block; }}
#photo img.layer {{ position: absolute; left: 0; top: 0; }}
#photo img[hidden] {{ display: none; }}
#controls label {{ margin-right: 1em; white-space: nowrap; }}
ul#concerns {{ list-style: none; padding: 0; max-width: 40em; }}
ul#concerns li {{ border-top: 1px solid #ddd; padding: .4em 0; }}
ul#concerns h3 {{ margin: .2em 0; text-transform: capitalize; }}
.why {{ color: #555; font-size: 90%; }}
.skipped {{ color: #888; }}
#thumbs figure {{ display: inline-block; width: 240px; margin: .3em; }}
#thumbs img {{ width: 100%; background: #eee; }}
</style></head><body>
<h1>Skin analysis</h1>
<p>{analysis.width}x{analysis.height} px photo, {len(analysis.faces)} face(s); the largest
is shown. Pose yaw {face.geometry.pose.yaw:.0f}°, pitch {face.geometry.pose.pitch:.0f}°;
{face.geometry.px_per_mm:.1f} pixels per millimetre on the face{
        _resolved(q.resolved_px_per_mm, face.geometry.px_per_mm)
    }; hair over the face
{100 * (q.hair_occlusion or 0.0):.0f} %; glasses {"yes" if q.glasses else "no"};
{_sharpness(q.blur_mm)}; skin blown out by the light {_pct(q.overexposed)}.
Every number below is an image measurement with a stated rule, not a diagnosis.</p>
<div id=controls>{toggles}</div>
<main>
<div id=photo><img id=base alt="the photo" src="{_b64(photo, "JPEG", quality=88)}">
{imgs}</div>
<ul id=concerns>
{_concern_rows(analysis)}
{missing}
</ul>
</main>
<h2>Maps</h2>
<div id=thumbs>{thumbs}</div>
<p><small>skincore {html.escape(analysis.meta.skincore_version)}; nothing left this
machine.</small></p>
<script>
for (const box of document.querySelectorAll('#controls input')) {{
  box.addEventListener('change', () => {{
    document.getElementById('layer-' + box.dataset.layer).hidden = !box.checked;
  }});
}}
</script>
</body></html>
"""
