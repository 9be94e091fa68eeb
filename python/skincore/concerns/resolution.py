"""What the photo resolves on the skin, whatever its pixel count.

A face's sampling (px/mm by the iris scale) says how finely the photo *could*
show the skin. An upscaled photo, or one out of focus, samples the skin finely
and shows nothing at that scale: pores measured there read as absent, and a
count of zero looks like flawless skin. This module finds the finest scale at
which the skin's own detail is present, so that the resolution ladder
(``Concern.min_px_per_mm``) can follow what the photo resolves rather than what
it samples.

Measurement
-----------
On the texture grid (:class:`skincore.concerns.context.TextureContext`, L*/100),
in a window round the middle of the forehead and of each cheek, at the skin
farther from the zone's edge than the widest blur reaches, octave bands of
the grid's L*: band ``k`` is ``G(s_{k-1}) - G(s_k)`` with Gaussian sigmas ``s``
of :data:`OCTAVE_SIGMAS_PX` (``G(s_{-1})`` the grid itself), its energy ``e_k``
the RMS over that skin. Skin texture (grain, pores, fine lines, sensor noise)
has about as much energy in one octave as in the next coarser one wherever the
photo resolves it: ``e_0 / e_1`` reads 0.85-1.17 on the ten test faces at
their own resolution, 0.86 and more after JPEG q30, 0.90-2.2 on ACNE04 and
0.94-1.09 on dark-circle photos (``python benchmarks/eval_resolution.py``).
Where the photo has lost that octave (upscaled, defocused) the finer band
falls against the coarser: the test faces shrunk to 0.35 and upscaled back
read 0.60-0.70, blurred by a Gaussian of 1 px 0.70-0.85. An octave with no
detail at all holds only the 8-bit quantisation noise (0.07-0.11 L* in the
finest band on 200-px UTKFace crops upscaled four times), whose ratio says
nothing, so an octave also needs more energy than :data:`DETAIL_FLOOR`
(halved at each coarser octave, as white noise's is); the sharp test faces hold
0.24-1.16 L* there, 0.14-0.64 darkened to 0.15 of their light (light skin at
the levels of dark skin: the texture's L* contrast shrinks, the 8-bit noise's
does not), and every one of them still resolves its grid.

A window resolves octave ``k`` when ``e_k >= MIN_OCTAVE_RATIO * e_{k+1}`` and
``e_k >= DETAIL_FLOOR / 2**k``; the resolved sampling is the grid's px/mm
divided by ``2**k`` for the finest octave that most windows resolve (the
middle of three, the sharper of two; the coarsest tested when none does). Each
window is judged on its own: the photo's resolution is the same over the face,
while the skin is not, and a cheek dominated by texture with no fine grain (a
patch of flaky noise band-passed at 0.35-1.2 mm planted on one cheek:
``e_0 / e_1`` 0.58 pooled over the three windows) must not make the whole
photo read as coarse. One window alone does not set it either: on airbrushed
web photos a single window's finest band can lie just above the floor while
the others hold none. The test is one-sided: only a clear loss of detail lowers
the sampling (:data:`MIN_OCTAVE_RATIO` 0.7 sits below every sharp photo measured and above
the 0.35-and-back copies), so a photo sharpened after upscaling, or noise added
after it, still reads as resolved. A loss of about 2x is not told either: the
test faces shrunk to half and enlarged back read 0.70-0.80 (Gaussian bands are
not sharp, and the photo's own detail up to its old Nyquist frequency reaches
into the finest band); from about 3x on it is.
"""

from __future__ import annotations

import math

import numpy as np

from skincore.concerns.context import TextureContext
from skincore.face.regions import mask_box
from skincore.geometry import gaussian_blur

#: Gaussian sigmas (texture-grid pixels) bounding the octave bands.
OCTAVE_SIGMAS_PX: tuple[float, ...] = (0.7, 1.4, 2.8, 5.6)
#: Least energy ratio of an octave to the next coarser one for it to be resolved.
MIN_OCTAVE_RATIO = 0.7
#: Least RMS (L*/100) of the finest band for it to hold detail (0.13 L*);
#: halved for each coarser octave.
DETAIL_FLOOR = 0.0013
#: Skin the bands are measured on.
ZONES: tuple[str, ...] = ("forehead", "left_cheek", "right_cheek")
#: Side (grid pixels) of the skin window measured in each zone.
PATCH_PX = 96
#: Least number of skin pixels (after erosion) for a measurement.
MIN_PIXELS = 400


def _window_sums(ctx: TextureContext, threads: int) -> list[tuple[np.ndarray, int]]:
    """Per zone window: the octave bands' sums of squares and the skin pixel count.

    Windows with no skin far enough inside are left out.
    """
    reach = int(math.ceil(3.0 * OCTAVE_SIGMAS_PX[-1]))
    half = PATCH_PX // 2 + reach
    h, w = ctx.gray.shape
    out: list[tuple[np.ndarray, int]] = []
    for name in ZONES:
        m = ctx.masks.get(name)
        if m is None:
            continue
        box = mask_box(ctx.masks, name)
        if box is None:
            continue
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        wy0, wy1 = max(0, cy - half), min(h, cy + half)
        wx0, wx1 = max(0, cx - half), min(w, cx + half)
        skin = m[wy0:wy1, wx0:wx1] > 0
        inner = gaussian_blur(
            skin.astype(np.float32), OCTAVE_SIGMAS_PX[-1], threads=threads
        ) >= np.float32(0.999)
        if not inner.any():
            continue
        gray = np.ascontiguousarray(ctx.gray[wy0:wy1, wx0:wx1], np.float32)
        levels = [gray[inner]]
        levels += [gaussian_blur(gray, s, threads=threads)[inner] for s in OCTAVE_SIGMAS_PX]
        sums = np.array(
            [
                float(np.sum(np.square(levels[k] - levels[k + 1], dtype=np.float64)))
                for k in range(len(OCTAVE_SIGMAS_PX))
            ]
        )
        out.append((sums, int(levels[0].size)))
    return out


def octave_energies(ctx: TextureContext, *, threads: int = 0) -> np.ndarray | None:
    """RMS of each octave band of the grid's L*/100 over the forehead and cheeks.

    Measured on a window of :data:`PATCH_PX` grid pixels (plus the widest blur's
    reach) round the middle of the box of each of :data:`ZONES`, at its skin pixels
    farther than that reach from the zone's edge: a few thousand pixels tell the
    spectrum's shape as well as the whole face, at a fraction of the blurs. The
    windows' pixels are pooled; :func:`window_energies` gives each window's own.

    Parameters
    ----------
    ctx : TextureContext
        The face's texture grid.
    threads : int, optional
        Worker threads for the blurs (0 = the pool).

    Returns
    -------
    numpy.ndarray or None
        ``len(OCTAVE_SIGMAS_PX)`` energies, finest first; ``None`` when fewer
        than :data:`MIN_PIXELS` skin pixels are measurable.
    """
    windows = _window_sums(ctx, threads)
    n = sum(k for _, k in windows)
    if n < MIN_PIXELS:
        return None
    return np.sqrt(sum(s for s, _ in windows) / n)


def window_energies(ctx: TextureContext, *, threads: int = 0) -> np.ndarray:
    """Octave energies of each zone window with at least :data:`MIN_PIXELS` skin pixels.

    Parameters
    ----------
    ctx, threads
        As :func:`octave_energies`.

    Returns
    -------
    numpy.ndarray
        ``(windows, len(OCTAVE_SIGMAS_PX))``, finest octave first; no rows when
        no window holds enough skin.
    """
    rows = [np.sqrt(s / k) for s, k in _window_sums(ctx, threads) if k >= MIN_PIXELS]
    return np.array(rows, np.float64).reshape(len(rows), len(OCTAVE_SIGMAS_PX))


def resolved_octave(energies: np.ndarray) -> int:
    """Index of the finest octave the photo resolves (see the module docstring).

    ``len(energies) - 1`` (the coarsest tested) when no finer one passes.
    """
    e = np.asarray(energies, np.float64)
    for k in range(len(e) - 1):
        if e[k] >= MIN_OCTAVE_RATIO * e[k + 1] and e[k] >= DETAIL_FLOOR / 2**k:
            return k
    return len(e) - 1


def resolved_px_per_mm(ctx: TextureContext, *, threads: int = 0) -> float:
    """Return the sampling (px/mm) the photo's skin detail supports, at most the grid's.

    Parameters
    ----------
    ctx, threads
        As :func:`octave_energies`.

    Returns
    -------
    float
        ``ctx.px_per_mm / 2**k`` for the finest octave ``k`` that most zone
        windows resolve (:func:`window_energies`: the middle of three, the
        sharper of two); the grid's own px/mm when no window holds enough skin
        to tell.
    """
    e = window_energies(ctx, threads=threads)
    if not len(e):
        return float(ctx.px_per_mm)
    octaves = sorted(resolved_octave(row) for row in e)
    return float(ctx.px_per_mm) / 2.0 ** octaves[(len(octaves) - 1) // 2]
