"""Rendering an analysis in a dialect: validate the request options, draw, reshape.

:func:`render` is what :meth:`skincore.Analysis.to_dict` calls. It checks the
vendor request options (unknown map or mark names are ``invalid_argument``
naming them; documented names that are not measured yet are reported in the
response, never dropped silently), asks :mod:`skincore.visuals` for the requested
map images, and hands everything to the dialect module, which only renames and
reshapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skincore import analysis as _analysis
from skincore.analysis import Analysis
from skincore.dialects import ailab, check_dialect, face_field, native, youcam
from skincore.errors import SkinError

_OPTIONS: dict[str, frozenset[str]] = {
    "skincore": frozenset({"masks"}),
    "ailab-pro": frozenset(
        {"return_maps", "return_marks", "roi_outline_color", "image", "return_side_results"}
    ),
    "ailab-advanced": frozenset({"return_maps", "return_rect_confidence"}),
    "face-field": frozenset({"face_field", "image"}),
    "youcam-sd": frozenset({"mask_base_url"}),
    "youcam-hd": frozenset({"mask_base_url"}),
}


def _names(value: object, option: str) -> list[str]:
    """Return a comma-separated string or a sequence of strings as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise SkinError(
        "invalid_argument",
        f"{option}: expected a comma-separated string or a list of strings, got {value!r}",
    )


def _split(
    names: list[str], measured: Sequence[str], documented: Sequence[str], option: str
) -> tuple[list[str], list[str]]:
    unknown = [n for n in names if n not in documented]
    if unknown:
        raise SkinError(
            "invalid_argument",
            f"{option}: unknown values {unknown}; documented: {list(documented)}",
            unknown=unknown,
        )
    ok = [n for n in dict.fromkeys(names) if n in measured]
    later = [n for n in dict.fromkeys(names) if n not in measured]
    return ok, later


def _colors(value: object) -> dict[str, str]:
    from skincore.visuals.maps import DEFAULT_COLORS, parse_color

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SkinError(
            "invalid_argument", f"roi_outline_color: expected an object of colours, got {value!r}"
        )
    out: dict[str, str] = {}
    for key, col in value.items():
        if key not in DEFAULT_COLORS:
            raise SkinError(
                "invalid_argument",
                f"roi_outline_color: unknown key {key!r}; known: {list(DEFAULT_COLORS)}",
            )
        try:
            parse_color(col)
        except ValueError:
            raise SkinError(
                "invalid_argument",
                f"roi_outline_color.{key}: expected 6 hexadecimal digits RRGGBB, got {col!r}",
            ) from None
        out[str(key)] = str(col)
    return out


def _check_image(analysis: Analysis, image: object) -> np.ndarray | None:
    """Check the ``image`` option: the analysed photo as an RGB array, or ``None``."""
    if image is not None and (
        not isinstance(image, np.ndarray)
        or image.shape != (analysis.height, analysis.width, 3)
        or image.dtype != np.uint8
    ):
        raise SkinError(
            "invalid_argument",
            f"image: expected the analysed photo as a ({analysis.height}, {analysis.width}, 3) "
            "uint8 array",
        )
    return image


def render(analysis: Analysis, dialect: str, **options: Any) -> dict[str, Any]:
    """Render ``analysis`` in ``dialect``.

    Parameters
    ----------
    analysis : Analysis
        A finished analysis.
    dialect : str
        One of :data:`skincore.DIALECTS`.
    **options
        ``skincore``: ``masks`` ("omit", "rle", "png"). ``ailab-pro``:
        ``return_maps``, ``return_marks`` (lists or comma-separated strings),
        ``roi_outline_color`` (dict of ``RRGGBB``), ``image`` (the RGB photo,
        needed for ``texture_enhanced_bw``). ``ailab-advanced``:
        ``return_maps``, ``return_rect_confidence`` (0 or 1). ``face-field``:
        ``face_field``, ``image`` (the RGB photo, for the ``skinface`` pictures). ``youcam-sd/hd``:
        ``mask_base_url``.

    Returns
    -------
    dict
        JSON-serialisable result in the vendor's format.

    Raises
    ------
    SkinError
        ``invalid_argument`` for an unknown dialect, an option the dialect does
        not take, unknown map or mark names, a malformed colour, or a map that
        needs ``image=`` without it.
    """
    check_dialect(dialect)
    unknown = set(options) - _OPTIONS[dialect]
    if unknown:
        raise SkinError("invalid_argument", f"{dialect} takes no option {sorted(unknown)}")
    if not analysis.faces:
        raise SkinError("no_face")
    if dialect == "skincore":
        return native.render(analysis, masks=options.get("masks", "omit"))
    if dialect == "ailab-advanced":
        from skincore.visuals import maps as vmaps

        names = _names(options.get("return_maps"), "return_maps")
        wanted, later = _split(
            names, ailab.ADVANCED_MAPS, ailab.ADVANCED_MAPS_DOCUMENTED, "return_maps"
        )
        drawn = {n: d for n in wanted if (d := vmaps.render_pro_map(analysis, n)) is not None}
        later += [n for n in wanted if n not in drawn]  # its concern did not run
        flag = options.get("return_rect_confidence", 0)
        if flag not in (0, 1, False, True):
            raise SkinError(
                "invalid_argument", f"return_rect_confidence: expected 0 or 1, got {flag!r}"
            )
        return ailab.render_advanced(
            analysis, maps=drawn, rect_confidence=bool(flag), unmeasured_maps=later
        )
    if dialect == "face-field":
        image = _check_image(analysis, options.get("image"))
        pics = {}
        if image is not None:
            from skincore.visuals import maps as vmaps

            pics = vmaps.skin_health_pictures(analysis, image)
        return face_field.render(analysis, face_field=options.get("face_field"), pictures=pics)
    if dialect in ("youcam-sd", "youcam-hd"):
        url = options.get("mask_base_url")
        if url is not None and not isinstance(url, str):
            raise SkinError("invalid_argument", f"mask_base_url: expected a string, got {url!r}")
        return youcam.render(analysis, hd=dialect == "youcam-hd", mask_base_url=url)
    return _render_pro(analysis, options)


def _render_pro(analysis: Analysis, options: Mapping[str, Any]) -> dict[str, Any]:
    from skincore.visuals import maps as vmaps

    maps, later_maps = _split(
        _names(options.get("return_maps"), "return_maps"),
        ailab.PRO_MAPS,
        ailab.PRO_MAPS_DOCUMENTED,
        "return_maps",
    )
    marks, later_marks = _split(
        _names(options.get("return_marks"), "return_marks"),
        ailab.PRO_MARKS,
        ailab.PRO_MARKS_DOCUMENTED,
        "return_marks",
    )
    colors = _colors(options.get("roi_outline_color"))
    image = _check_image(analysis, options.get("image"))
    drawn: dict[str, bytes] = {}
    bw_info = None
    for name in maps:
        if name == "texture_enhanced_bw":
            if image is None:
                raise SkinError(
                    "invalid_argument",
                    "return_maps: texture_enhanced_bw needs the photo: pass image=<RGB array>",
                )
            got = vmaps.texture_enhanced_bw(analysis, image)
            if got is None:
                continue
            drawn[name], bw_info = got
            continue
        data = vmaps.render_pro_map(analysis, name, colors)
        if data is not None:
            drawn[name] = data
        else:  # the concern behind it did not run (a subset): say so, do not drop it
            later_maps.append(name)
    sides, _ = _split(
        _names(options.get("return_side_results"), "return_side_results"),
        ailab.SIDE_RESULTS,
        ailab.SIDE_RESULTS,
        "return_side_results",
    )
    if sides and not analysis.sides:
        raise SkinError(
            "invalid_argument",
            "return_side_results: jawline_info needs left_side_image and/or right_side_image",
        )
    return ailab.render_pro(
        analysis,
        return_marks=marks,
        side_results=bool(sides),
        maps=drawn,
        bw_info=bw_info,
        unmeasured_maps=later_maps,
        unmeasured_marks=later_marks,
    )


_analysis.set_renderer(render)
