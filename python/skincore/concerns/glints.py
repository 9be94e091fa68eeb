"""Specular glints lowered to the skin's level: the texture concerns' view of shiny skin.

A glint is the light's own reflection on the crest of the skin's micro-relief, a
pore's rim or a drop of sebum: a small white spot many L* brighter than the skin
round it. It is not relief. Roughness's band-pass and the wrinkles' ridge filter
read the dark gaps between glints as texture and as lines (a nose tip with a
dozen glints read as a rough patch centred on them; London 062's shiny forehead
and glabella read short "wrinkles" between its glints).

The glints are the shine :mod:`skincore.concerns.oiliness` finds on the colour
grid (at least 6 L* above the 4 mm skin level and 15 % less saturated: a
specular reflection takes the light's colour), with :attr:`GlintParams.margin_mm`
round them (their bright fringe reaches past the shine's pixels). On a texture
grid, each of their pixels takes ``min(L, B)``: ``B`` is the normalised Gaussian
mean (sigma :attr:`GlintParams.fill_mm`) of L* over the face skin outside them.
A pixel darker than that level (a pore, a line's valley) keeps its value, and
the skin between glints is still measured; a broad sheen, where no skin outside
the glints is near, is left as it is (roughness leaves it out of its statistics).
:func:`glint_gray` computes this once per face and grid: roughness and wrinkles
share their 4 px/mm grid and read the same lowered image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from skincore import geometry
from skincore._masks import mask255
from skincore.concerns import oiliness
from skincore.concerns.context import TextureContext

#: Margin (mm) round the shine's pixels (colour grid, 0.35-0.4 mm each) that is
#: lowered too: a glint's bright fringe reaches past them.
MARGIN_MM = 1.0

#: Sigma (mm) of the skin level a glint is lowered to; 0 turns the fill off.
FILL_MM = 1.0

#: A face's image of one of its texture grids, glints lowered (:func:`lowering`).
Lowered = Callable[[TextureContext], np.ndarray]

#: Normalised-convolution weight below which no level is known (kept as it is).
_MIN_WEIGHT = 1e-3


@dataclass(frozen=True)
class GlintParams:
    """How glints are found and lowered (defaults: the module constants).

    Attributes
    ----------
    margin_mm : float
        Margin round the shine's pixels that is lowered too (a square of that
        half side on the grid).
    fill_mm : float
        Sigma of the skin level the glints are lowered to; 0 leaves them.
    shine : skincore.concerns.oiliness.Params
        Thresholds of the shine whose pixels are the glints (oiliness's own by
        default, so both read one shine map).
    """

    margin_mm: float = MARGIN_MM
    fill_mm: float = FILL_MM
    shine: oiliness.Params = field(default_factory=oiliness.Params)


def fill_glints(
    gray: np.ndarray,
    skin: np.ndarray,
    glints: np.ndarray,
    px_per_mm: float,
    params: GlintParams,
    *,
    threads: int = 0,
) -> np.ndarray:
    """Lower glints to the skin's level around them on one grid.

    With ``g`` the glints grown by ``margin_mm`` (a square of that half side, on
    ``skin``) and ``B`` the normalised Gaussian mean (sigma ``fill_mm``) of
    ``gray`` over the skin outside ``g``: ``gray`` becomes ``min(gray, B)`` on
    ``g`` where the skin around gives ``B`` (a weight above 1e-3; ``B`` is
    computed on a grid about 2 pixels per sigma coarser,
    :func:`skincore.geometry.wide_gaussian_blur`), and is kept elsewhere.

    Parameters
    ----------
    gray : numpy.ndarray
        ``(h, w)`` float32 L*/100.
    skin : numpy.ndarray
        ``(h, w)`` face skin (nonzero inside).
    glints : numpy.ndarray
        ``(h, w)`` bool, the glints' pixels on the same grid.
    px_per_mm : float
        Grid pixels per millimetre of skin.
    params : GlintParams
        ``margin_mm`` and ``fill_mm`` (0: ``gray`` is returned).
    threads : int, optional
        Worker threads of the kernels (results do not depend on it).

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` float32: ``gray`` itself when nothing is lowered, else a copy.
    """
    on = skin > 0
    g = glints & on
    if params.fill_mm <= 0 or not g.any():
        return gray
    radius = int(round(params.margin_mm * px_per_mm))
    if radius > 0:  # grown by a square max filter (a single pixel stays)
        grown = geometry.max_filter(g.astype(np.float32), radius, threads=threads)
        g = (grown > 0) & on
    sigma = max(0.5, params.fill_mm * px_per_mm)
    rows, cols = np.flatnonzero(g.any(axis=1)), np.flatnonzero(g.any(axis=0))
    pad = int(np.ceil(4.0 * sigma)) + 1  # the window round the glints holds their kernels
    y0, y1 = max(0, int(rows[0]) - pad), min(g.shape[0], int(rows[-1]) + pad + 1)
    x0, x1 = max(0, int(cols[0]) - pad), min(g.shape[1], int(cols[-1]) + pad + 1)
    gw = g[y0:y1, x0:x1]
    keep = (on[y0:y1, x0:x1] & ~gw).astype(np.float32)
    win = np.ascontiguousarray(gray[y0:y1, x0:x1], dtype=np.float32)
    # +inf where no skin is within reach: min() keeps those pixels
    level = geometry.wide_gaussian_blur(
        win,
        sigma,
        weight=keep,
        factor=max(1, int(sigma / 2.0)),
        min_weight=_MIN_WEIGHT,
        fill=np.inf,
        threads=threads,
    )
    out = np.array(gray, dtype=np.float32, copy=True)
    part = out[y0:y1, x0:x1]
    part[gw] = np.minimum(win[gw], level[gw])
    return out


def glint_gray(work, grid: TextureContext, params: GlintParams) -> np.ndarray:  # noqa: ANN001
    """``grid.gray`` with the face's glints lowered (:func:`fill_glints`), shared.

    Parameters
    ----------
    work : FaceWork
        The face (its colour grid's shine, :func:`skincore.concerns.oiliness.face_shine`).
    grid : TextureContext
        One of the face's texture grids (``work.texture`` or a grid of its
        :meth:`~skincore.concerns.context.TextureContext.rescaled`): both cover
        the same crop, so the shine is resampled onto it as a mask.
    params : GlintParams
        How glints are found and lowered.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` float32, read-only, memoised on ``grid``; ``grid.gray`` itself
        when the fill is off or the face shows no glint.
    """
    gray = grid.gray
    if params.fill_mm <= 0:
        return gray
    shine, _ = oiliness.face_shine(work, params.shine)
    if not shine.any():
        return gray

    def compute() -> np.ndarray:
        h, w = gray.shape
        on_grid = geometry.resize_mask(mask255(shine), (w, h), threads=work.threads) > 0
        src = np.ascontiguousarray(gray, dtype=np.float32)
        out = fill_glints(
            src, grid.masks["face"], on_grid, float(grid.px_per_mm), params, threads=work.threads
        )
        if out is not src:  # a copy of its own (never the grid's image)
            out.flags.writeable = False
        return out

    return grid.memo(("glint_gray", params), compute)


def lowering(work, params: GlintParams) -> Lowered | None:  # noqa: ANN001 - FaceWork
    """Return the face's :func:`glint_gray` of a grid, or None when nothing is lowered.

    None when the fill is off or the face shows no glint: the texture concerns
    then read their grid's own image (and share its memoised maps).
    """
    if params.fill_mm <= 0 or not oiliness.face_shine(work, params.shine)[0].any():
        return None
    return partial(glint_gray, work, params=params)
