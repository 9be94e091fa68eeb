"""Whether a detected blob stands out of the skin texture around it.

Pore-size blob detection (:mod:`skincore.concerns.pores`) finds every local dark
minimum of the difference-of-Gaussians (DoG) scale space above a depth floor. On
real skin most of them are texture: camera and JPEG noise, the micro-relief of the
skin, the grain of powder or foundation, stubble. Three measurable properties tell
a pore from them, and this module computes each:

* **Local significance** (:func:`local_noise`, :func:`sample_noise`): the robust
  spread of the DoG layer a blob was found in, over the skin of a tile of a few
  millimetres around it, measured on the layer's side opposite to the blobs
  (bright for pores): ``median(|D|) / 0.6745`` over the tile's pixels where ``D``
  has the other sign (the standard deviation of a zero-mean Gaussian with that
  median absolute value). Texture of no preferred polarity has the same spread
  on both sides, and the pores of the tile, however many, do not raise it. A
  pore is a dip several such spreads deep; powder grain and skin micro-texture
  are a field of dips and bumps of about one spread, whatever their absolute
  contrast, so they stay below.
* **Shape** (:func:`elongation`): the ratio of the two principal curvatures
  (Hessian eigenvalues) of the image blurred at the blob's own scale and an
  octave above, at its centre. A pore is a compact, roughly round depression
  (ratio near 1 at any blur); a stubble hair, a crease or the edge of a shadow is
  a trough (one curvature near 0, ratio large, or a saddle), and a short hair
  shows its length once blurred to its own size. The test is the one SIFT uses
  to reject edge responses (Lowe 2004), with a tighter limit.
* **Polarity balance** (:func:`decoy_threshold`): texture of no preferred polarity
  gives as many bright blobs as dark ones at any significance, pores only dark
  ones. Bright blobs found with the same tests are therefore decoys: they estimate
  how many of the dark ones at a given significance are texture (the
  target-decoy estimate of the false discovery rate, Elias & Gygi 2007), and the
  significance threshold is raised until the decoys are a small share.

References
----------
Lowe, D. G. (2004). Distinctive image features from scale-invariant keypoints.
*International Journal of Computer Vision* 60(2), 91-110.

Elias, J. E., & Gygi, S. P. (2007). Target-decoy search strategy for increased
confidence in large-scale protein identifications by mass spectrometry. *Nature
Methods* 4(3), 207-214.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from skincore import blobs, geometry
from skincore.median import median

#: Layers between a blob's scale and the coarser one its shape is also tested at
#: (scale ratio 1.4: two layers are about an octave).
_ELONGATION_OCTAVE = 2
#: Sigmas tried by :func:`fit_sigma` (log-spaced).
_FIT_STEPS = 64
#: ``median(|x|)`` of a zero-mean Gaussian divided by its standard deviation.
_MEDIAN_ABS_TO_STD = 0.6744897501960817
#: A tile's spread is measured when at least this share of it is skin (on the
#: side opposite to the blobs: half of it for symmetric texture).
_MIN_TILE_SKIN = 0.2
#: Least number of texture blobs from which a photo's blur is measured.
_MIN_TEXTURE_BLOBS = 20
#: Most texture blobs fitted for it (a regular subsample).
_TEXTURE_SAMPLES = 400
#: Fitted sigmas below this fraction of the finest blur scale are not sizes
#: (:meth:`BlobLayers.texture_sigma` leaves them out).
_IDENTIFIABLE = 0.5
#: Tiles of at least twice this side are sampled every other pixel.
_MIN_TILE_SIDE = 8
#: The scale space is exact within this many pixels of the skin: a candidate is on
#: the skin, its rounded centre within 1 px of it and the Hessian reads 1 px around.
_SUPPORT_MARGIN = 3


class _Scratch(threading.local):
    """One reusable float32 buffer per thread for the scale spaces of :class:`BlobLayers`.

    A face's scale space is about 30 MB. Fresh memory of that size is paid for at
    first touch (page faults, the kernel zeroing it, huge-page compaction), which
    costs as much as computing it and varies from call to call; a thread keeps the
    largest buffer it has used and hands it to the next scale space built while it
    is free (a second one alive at the same time gets its own memory).
    """

    def __init__(self) -> None:
        self.free: np.ndarray | None = None

    def take(self, n: int) -> np.ndarray:
        buf = self.free
        if buf is None or buf.size < n:
            return np.empty(n, np.float32)
        self.free = None
        return buf

    def give(self, buf: np.ndarray) -> None:
        if self.free is None or self.free.size < buf.size:
            self.free = buf


_SCRATCH = _Scratch()


def _as_mask8(mask: np.ndarray) -> np.ndarray:
    """Return a mask as the kernels take it (uint8, nonzero = in): a bool mask's bytes."""
    m = np.asarray(mask)
    if m.dtype == np.bool_ and m.ndim == 2 and m.strides[1] == 1:
        return m.view(np.uint8)
    return np.where(m, np.uint8(255), np.uint8(0))


def local_noise(
    resp: np.ndarray, mask: np.ndarray, tile_px: int, *, threads: int = 0
) -> np.ndarray:
    """Robust local spread of the opposite side of a DoG layer, one value per tile.

    Parameters
    ----------
    resp : numpy.ndarray
        ``(H, W)`` float32 DoG layer of the blobs' polarity (blobs respond
        positively); only its negative values are measured.
    mask : numpy.ndarray
        ``(H, W)`` bool, the skin to measure over.
    tile_px : int
        Tile side in pixels, >= 2.
    threads : int, optional
        Kernel threads (0 = the pool); results do not depend on it.

    Returns
    -------
    numpy.ndarray
        ``(ceil(H / tile_px), ceil(W / tile_px))`` float32 spread,
        ``median(-resp) / 0.6745`` over the tile's skin where ``resp < 0``
        (every other pixel of every other row for tiles of 16 px or more)
        (texture of no preferred polarity has the same spread on both sides;
        the blobs themselves, however many, are on the positive side and do not
        raise it), smoothed over one tile
        (normalised convolution) so that tiles with little or no skin take the
        value of their neighbours; tiles far from any skin take the median of all
        measured tiles (0 where no tile has skin).
    """
    return local_noise_layers([resp], mask, tile_px, threads=threads)[0]


def local_noise_layers(
    resps: Sequence[np.ndarray], mask: np.ndarray, tile_px: int, *, threads: int = 0
) -> list[np.ndarray]:
    """:func:`local_noise` of several DoG layers of one grid, one map per layer.

    Each map equals :func:`local_noise` of its layer; the layers' tile maps are
    smoothed together (:func:`skincore.geometry.gaussian_blur_planes`) and a
    layer's fallback (the median of its measured tiles) is computed only when one
    of its tiles is far from every measured one.

    Parameters
    ----------
    resps : sequence of numpy.ndarray
        ``(H, W)`` float32 DoG layers of one shape (blobs respond positively).
    mask, tile_px, threads
        As :func:`local_noise`.

    Returns
    -------
    list of numpy.ndarray
        One ``(ceil(H / tile_px), ceil(W / tile_px))`` float32 map per layer.
    """
    if tile_px < 2:
        raise ValueError("tile_px: must be >= 2")
    # every other pixel and row when tiles are large: the same median, 4x cheaper
    step = 2 if tile_px >= 2 * _MIN_TILE_SIDE and tile_px % 2 == 0 else 1
    t = tile_px // step
    out: list[np.ndarray | None] = []
    measured: list[tuple[int, np.ndarray, np.ndarray]] = []  # (index, med, valid)
    for k, resp in enumerate(resps):
        med, n = geometry.tile_median(
            resp, mask, tile_px, step=step, below=0.0, negate=True, threads=threads
        )
        valid = n >= _MIN_TILE_SKIN * 0.5 * t * t
        if not valid.any():
            out.append(np.zeros(med.shape, np.float32))
            continue
        out.append(None)
        med = np.where(valid, med / _MEDIAN_ABS_TO_STD, 0.0).astype(np.float32)
        measured.append((k, med, valid))
    if measured:
        planes: list[np.ndarray] = []
        for _, med, valid in measured:
            wgt = valid.astype(np.float32)
            planes += [med * wgt, wgt]
        blurred = geometry.gaussian_blur_planes(planes, 1.0, threads=threads)
        for j, (k, med, valid) in enumerate(measured):
            num, den = blurred[2 * j], blurred[2 * j + 1]
            near = den > 1e-3
            spread = num / np.maximum(den, 1e-3)
            if not near.all():  # tiles far from any measured one: the median of all
                spread = np.where(near, spread, np.float32(median(med[valid])))
            out[k] = spread.astype(np.float32)
    return [m for m in out if m is not None]


def sample_noise(
    noise: np.ndarray, tile_px: int, xy: np.ndarray, layer: np.ndarray | None = None
) -> np.ndarray:
    """Bilinear value of a tile map (:func:`local_noise`) at pixel positions.

    Parameters
    ----------
    noise : numpy.ndarray
        ``(ty, tx)`` tile map, or ``(L, ty, tx)`` maps of one shape with ``layer``.
    tile_px : int
        Its tile side in pixels.
    xy : numpy.ndarray
        ``(N, 2)`` pixel positions (x, y).
    layer : numpy.ndarray, optional
        ``(N,)`` index into the first axis of a stack of maps: each position is
        sampled on its own map (the same values as one call per map).

    Returns
    -------
    numpy.ndarray
        ``(N,)`` float64, tile centres at ``(i + 0.5) * tile_px - 0.5``, clamped at
        the border tiles.
    """
    if layer is not None:
        stack = np.asarray(noise, np.float64)
        ty, tx = stack.shape[1:]
        li = np.asarray(layer, np.intp)
        return _bilinear(lambda j, i: stack[li, j, i], ty, tx, tile_px, xy)
    ty, tx = noise.shape
    n = noise.astype(np.float64)
    return _bilinear(lambda j, i: n[j, i], ty, tx, tile_px, xy)


def _bilinear(
    at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ty: int,
    tx: int,
    tile_px: int,
    xy: np.ndarray,
) -> np.ndarray:
    """:func:`sample_noise` of a ``(ty, tx)`` map read through ``at(rows, cols)``."""
    u = np.clip((xy[:, 0] + 0.5) / tile_px - 0.5, 0.0, tx - 1.0)
    v = np.clip((xy[:, 1] + 0.5) / tile_px - 0.5, 0.0, ty - 1.0)
    i0 = np.minimum(np.floor(u).astype(np.intp), max(tx - 2, 0))
    j0 = np.minimum(np.floor(v).astype(np.intp), max(ty - 2, 0))
    i1 = np.minimum(i0 + 1, tx - 1)
    j1 = np.minimum(j0 + 1, ty - 1)
    fu, fv = u - i0, v - j0
    top = at(j0, i0) * (1 - fu) + at(j0, i1) * fu
    bot = at(j1, i0) * (1 - fu) + at(j1, i1) * fu
    return top * (1 - fv) + bot * fv


def elongation(
    blurred: np.ndarray,
    xy: np.ndarray,
    polarity: str = "dark",
    layer: np.ndarray | None = None,
) -> np.ndarray:
    """Ratio of the principal curvatures of a blurred image at blob centres.

    Parameters
    ----------
    blurred : numpy.ndarray
        ``(H, W)`` image blurred at the blobs' scale, or ``(L, H, W)`` images with
        ``layer``.
    xy : numpy.ndarray
        ``(N, 2)`` blob centres (x, y), pixels; rounded to the nearest pixel.
    polarity : {"dark", "bright"}, optional
        A dark blob is a minimum (both curvatures positive), a bright one a maximum.
    layer : numpy.ndarray, optional
        ``(N,)`` index into the first axis of a stack of images: each centre is
        read on its own image (the same values as one call per image).

    Returns
    -------
    numpy.ndarray
        ``(N,)`` float64 ``lambda_max / lambda_min`` of the Hessian (central
        differences), >= 1; ``inf`` where the point is not an extremum of the
        blob's polarity (a saddle, a trough or a ridge: both curvatures must have
        the blob's sign).
    """
    h, w = blurred.shape[-2:]
    out = np.full(len(xy), np.inf)
    if len(xy) == 0 or h < 3 or w < 3:
        return out
    x = np.clip(np.rint(xy[:, 0]).astype(np.intp), 1, w - 2)
    y = np.clip(np.rint(xy[:, 1]).astype(np.intp), 1, h - 2)
    li = None if layer is None else np.asarray(layer, np.intp)

    def b(dy: int, dx: int) -> np.ndarray:
        if li is None:
            return blurred[y + dy, x + dx].astype(np.float64)
        return blurred[li, y + dy, x + dx].astype(np.float64)

    sgn = 1.0 if polarity == "dark" else -1.0
    hxx = sgn * (b(0, 1) - 2 * b(0, 0) + b(0, -1))
    hyy = sgn * (b(1, 0) - 2 * b(0, 0) + b(-1, 0))
    hxy = sgn * (b(1, 1) - b(1, -1) - b(-1, 1) + b(-1, -1)) / 4.0
    half_tr = (hxx + hyy) / 2.0
    disc = np.sqrt(((hxx - hyy) / 2.0) ** 2 + hxy**2)
    lo, hi = half_tr - disc, half_tr + disc
    ok = lo > 0
    out[ok] = hi[ok] / lo[ok]
    return out


def decoy_threshold(target: np.ndarray, decoy: np.ndarray, floor: float, fdr: float) -> float:
    """Smallest significance at which decoys are at most ``fdr`` of the targets.

    Parameters
    ----------
    target : numpy.ndarray
        Significance of the dark candidates.
    decoy : numpy.ndarray
        Significance of the bright candidates found with the same tests.
    floor : float
        The threshold is never below this.
    fdr : float
        Largest accepted ``#decoys / #targets`` above the threshold, in (0, 1].

    Returns
    -------
    float
        The threshold: the smallest ``t >= floor`` among ``floor`` and the target
        significances with ``#(decoy >= t) <= fdr * #(target >= t)``; ``inf`` when
        none has (no target is then accepted).
    """
    if not (math.isfinite(fdr) and 0.0 < fdr <= 1.0):
        raise ValueError("fdr: must be in (0, 1]")
    cand = np.unique(np.concatenate([[floor], target[target >= floor]]))
    t_sorted = np.sort(target)
    d_sorted = np.sort(decoy)
    n_t = len(t_sorted) - np.searchsorted(t_sorted, cand, side="left")
    n_d = len(d_sorted) - np.searchsorted(d_sorted, cand, side="left")
    ok = (n_t > 0) & (n_d <= fdr * n_t)
    return float(cand[np.argmax(ok)]) if ok.any() else math.inf


def fit_sigma(responses: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
    """Sigma of the Gaussian dip that best explains a blob's DoG responses.

    A Gaussian dip of sigma ``b`` and depth ``c`` blurred at scale ``s`` has the
    centre value ``c b**2 / (b**2 + s**2)``, so its scale-normalised DoG layer
    ``i`` (blur scales ``s_i < s_{i+1}``) responds at the centre with
    ``c * 2 s_i s_{i+1} / (s_{i+1}**2 - s_i**2) * (b**2 / (b**2 + s_i**2) -
    b**2 / (b**2 + s_{i+1}**2))``. The fit is least squares over all layers in
    ``c`` (closed form) and ``b`` (a log-spaced search): a continuous size, where
    the detector's scale is one of a few layers.

    Parameters
    ----------
    responses : numpy.ndarray
        ``(N, K - 1)`` DoG responses of ``N`` blobs at their centres, blob polarity
        positive.
    sigmas : numpy.ndarray
        The ``K`` blur scales of the layers, pixels.

    Returns
    -------
    numpy.ndarray
        ``(N,)`` float64 fitted sigma, pixels, within ``[sigmas[0] / 4, 1.5 *
        sigmas[-1]]`` (a log-spaced grid of :data:`_FIT_STEPS`, refined by a
        parabola through the best step and its neighbours).
    """
    s = np.asarray(sigmas, np.float64)
    grid = np.exp(np.linspace(np.log(s[0] / 4.0), np.log(1.5 * s[-1]), _FIT_STEPS))
    norm = 2.0 * s[:-1] * s[1:] / (s[1:] ** 2 - s[:-1] ** 2)
    b2 = grid[:, None] ** 2
    model = norm[None, :] * (b2 / (b2 + s[None, :-1] ** 2) - b2 / (b2 + s[None, 1:] ** 2))
    d = np.asarray(responses, np.float64)
    if len(d) == 0:
        return np.zeros(0)
    mm = (model**2).sum(axis=1)
    c = (d @ model.T) / mm[None, :]
    # residual = |d|^2 - c^2 |m|^2 for the least-squares c: maximise c^2 |m|^2 (c > 0)
    # over the grid, then a parabola through the best step and its neighbours
    score = c * c * mm[None, :] * (c > 0)
    best = np.clip(np.argmax(score, axis=1), 1, len(grid) - 2)
    rows = np.arange(len(d))
    lo, mid, hi = score[rows, best - 1], score[rows, best], score[rows, best + 1]
    curv = lo - 2.0 * mid + hi
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.where(curv < 0, 0.5 * (lo - hi) / curv, 0.0)
    log_g = np.log(grid)
    step = log_g[1] - log_g[0]
    return np.exp(log_g[best] + np.clip(off, -1.0, 1.0) * step)


class BlobLayers:
    """The DoG layers of one grid, for blob candidates of either polarity.

    Parameters
    ----------
    gray : numpy.ndarray
        ``(H, W)`` float32 image.
    skin : numpy.ndarray
        ``(H, W)`` bool: where blobs are searched and texture is measured.
    sigmas : numpy.ndarray
        Blur scales (:func:`skincore.blobs.scale_sigmas`).
    tile_px : int
        Tile side for :func:`local_noise`.
    threads : int, optional
        Kernel threads.

    Notes
    -----
    A bright layer is the dark one negated, so candidates of both polarities
    (pores and their texture decoys) share one set of layers and maps. The layers
    are exact within a few pixels of ``skin`` (0 farther away) and live in
    reusable per-thread memory as long as this object does.
    """

    def __init__(
        self,
        gray: np.ndarray,
        skin: np.ndarray,
        sigmas: np.ndarray,
        *,
        tile_px: int,
        threads: int = 0,
    ) -> None:
        self.gray, self.skin, self.sigmas, self.tile, self.threads = (
            gray,
            skin,
            np.asarray(sigmas, np.float64),
            tile_px,
            threads,
        )
        q = float(self.sigmas[1] / self.sigmas[0])
        self.gain = (2.0 + q + 1.0 / q) / 2.0  # response of a dip at its scale -> depth
        self.detection_sigmas = blobs.detection_sigmas(self.sigmas)
        # G(s_k) * gray incrementally (G(s_{k+1}) = G(sqrt(s_{k+1}^2 - s_k^2)) * G(s_k)),
        # and the dark-polarity layers: the detector's own scale space, built once
        # and searched for both polarities (blobs.detect_layers). Everything read
        # from it lies within _SUPPORT_MARGIN px of the skin (candidates and their
        # 3x3 neighbours, the texture under the skin, the Hessian at a rounded
        # centre): it is computed there only (0 elsewhere), with the same values.
        # (the kernels read any nonzero byte as skin: a bool mask's own bytes)
        self._mask8 = _as_mask8(skin)
        # the layers live in this thread's scratch memory, returned when this
        # object goes (self.dog and blurred() are valid as long as it lives)
        k, (h, w) = len(self.sigmas), np.shape(gray)
        buf = _SCRATCH.take((2 * k - 1) * h * w)
        weakref.finalize(self, _SCRATCH.give, buf)
        out = (
            buf[: k * h * w].reshape(k, h, w),
            buf[k * h * w : (2 * k - 1) * h * w].reshape(k - 1, h, w),
        )
        # (the layers' own finiteness test, made as they are written, spares the
        # searches theirs: a second pass over the layers' memory)
        self._blur, self.dog, self._finite = blobs.scale_space_checked(
            gray,
            self.sigmas,
            support=self._mask8,
            margin=_SUPPORT_MARGIN,
            out=out,
            threads=threads,
        )
        self._noise: dict[tuple[int, str], np.ndarray] = {}

    def texture_sigma(
        self,
        polarity: str,
        *,
        contrast: float,
        max_sigma: float,
        avoid: np.ndarray | None = None,
    ) -> float | None:
        """Median fitted sigma of the blobs of one polarity up to ``max_sigma``.

        Blobs of the polarity pores do not have are the photo's texture; their
        median size is its blur (optics, demosaicing, JPEG, resampling). They
        are searched in the central half of the grid, or in all of it when that
        holds fewer than ``4 * _MIN_TEXTURE_BLOBS``. At most
        :data:`_TEXTURE_SAMPLES` blobs (a regular subsample) are fitted; fits
        below :data:`_IDENTIFIABLE` times the finest blur scale are points, not
        sizes, and are left out (JPEG ringing and noise specks: with them a JPEG
        q70 copy of the 15 cm selfie read 0.65 px of blur for 1.19). ``None``
        with fewer than :data:`_MIN_TEXTURE_BLOBS` blobs.

        ``avoid`` (``(N, 3)`` x, y, radius) are the blobs found of the other
        polarity: the skin between dark blobs responds as bright blobs of their
        scale, not of the photo's blur, so texture blobs within three sigma of
        one (``3 / sqrt(2)`` radii) are left out.
        """
        # texture blobs are small: the layers up to max_sigma (and one above, for
        # the scale maximum) suffice, and cost less than the whole scale space;
        # a few hundred are enough, so the central half (a quarter of the area)
        # of the skin's box is searched first
        top = int(np.searchsorted(self.detection_sigmas, max_sigma)) + 2
        sig = self.sigmas[: max(3, top + 1)]
        h, w = self.gray.shape
        found = np.zeros((0, 4), np.float32)
        for frac in (0.5, 1.0):
            y0, y1 = int(h * (1 - frac) / 2), int(math.ceil(h * (1 + frac) / 2))
            x0, x1 = int(w * (1 - frac) / 2), int(math.ceil(w * (1 + frac) / 2))
            if (y0, y1, x0, x1) == (0, h, 0, w):
                # the whole grid: the kept layers are this search's own
                found = blobs.detect_layers(
                    self.dog[: len(sig) - 1],
                    self._mask8,
                    sig,
                    polarity,
                    contrast / self.gain,
                    overlap=0.5,
                    threads=self.threads,
                    finite=self._finite,
                )
            else:
                found = blobs.detect(
                    self.gray[y0:y1, x0:x1],
                    self._mask8[y0:y1, x0:x1],
                    sig,
                    polarity,
                    contrast / self.gain,
                    overlap=0.5,
                    threads=self.threads,
                )
                found[:, 0] += x0
                found[:, 1] += y0
            if len(found) >= 4 * _MIN_TEXTURE_BLOBS:
                break
        if avoid is not None and len(avoid) and len(found):
            # the pixel of each texture blob against every avoided disk (pairwise:
            # a few hundred by a few dozen)
            h, w = (int(v) for v in np.shape(self.gray)[:2])
            ax, ay, ar = np.asarray(avoid, np.float64).reshape(-1, 3).T
            rr = 3.0 * ar / math.sqrt(2.0)
            ix = np.clip(np.rint(found[:, 0]).astype(np.intp), 0, w - 1)
            iy = np.clip(np.rint(found[:, 1]).astype(np.intp), 0, h - 1)
            d2 = (ix[:, None] - ax[None, :]) ** 2 + (iy[:, None] - ay[None, :]) ** 2
            found = found[~(d2 <= (rr * rr)[None, :]).any(axis=1)]
        if len(found) > _TEXTURE_SAMPLES:
            found = found[:: len(found) // _TEXTURE_SAMPLES]
        sig = self._fit(found.astype(np.float64), polarity)
        # a fit below half the finest blur scale says "a point", not a size: the
        # layers cannot tell such blobs apart (their responses fall as 1 / s**2
        # whatever their size) and the fit lands anywhere down to its grid's floor
        sig = sig[(sig >= _IDENTIFIABLE * self.sigmas[0]) & (sig <= max_sigma)]
        return median(sig) if len(sig) >= _MIN_TEXTURE_BLOBS else None

    def _fit(self, found: np.ndarray, polarity: str) -> np.ndarray:
        if len(found) == 0:
            return np.zeros(0)
        h, w = self.gray.shape
        ix = np.clip(np.rint(found[:, 0]).astype(np.intp), 0, w - 1)
        iy = np.clip(np.rint(found[:, 1]).astype(np.intp), 0, h - 1)
        sign = 1.0 if polarity == "dark" else -1.0
        resp = np.stack([sign * d[iy, ix] for d in self.dog], axis=1)
        return fit_sigma(resp, self.sigmas)

    def noise(self, i: int, polarity: str) -> np.ndarray:
        """Tile map of layer ``i``'s spread opposite to ``polarity``, in depth units."""
        return self.noises([i], polarity)[0]

    def noises(self, layers: Sequence[int], polarity: str) -> list[np.ndarray]:
        """:meth:`noise` of several layers (those not computed yet in one batch)."""
        todo = [int(i) for i in dict.fromkeys(layers) if (int(i), polarity) not in self._noise]
        if todo:
            resps = [self.dog[i] if polarity == "dark" else -self.dog[i] for i in todo]
            maps = local_noise_layers(resps, self.skin, self.tile, threads=self.threads)
            for i, spread in zip(todo, maps, strict=True):
                self._noise[(i, polarity)] = spread * np.float32(self.gain)
        return [self._noise[(int(i), polarity)] for i in layers]

    def blurred(self, i: int) -> np.ndarray:
        """Return the image blurred at the finer blur scale of layer ``i``."""
        return self._blur[i]

    def candidates(
        self,
        polarity: str,
        *,
        contrast: float,
        max_radius: float,
        max_elongation: float,
        significance: bool = True,
        min_significance: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Compact blobs of one polarity, their fitted size and significance.

        Parameters
        ----------
        polarity : {"dark", "bright"}
            Blob polarity.
        contrast : float
            Least depth (intensity units of ``gray``).
        max_radius : float
            Largest detector radius kept, pixels.
        max_elongation : float
            Largest principal-curvature ratio (:func:`elongation`); ``inf`` skips
            the shape test.
        significance : bool, optional
            Measure the significance (``False``: zeros, and no texture maps).
        min_significance : float, optional
            Drop blobs below this significance (before their size is fitted).

        Returns
        -------
        blobs : numpy.ndarray
            ``(N, 4)`` float64 x, y, radius (``sqrt(2)`` x :func:`fit_sigma`), depth.
        significance : numpy.ndarray
            ``(N,)`` depth over the local spread of the blob's layer.
        """
        found = blobs.detect_layers(
            self.dog,
            self._mask8,
            self.sigmas,
            polarity,
            contrast / self.gain,
            overlap=0.5,
            threads=self.threads,
            finite=self._finite,
        ).astype(np.float64)
        found[:, 3] *= self.gain
        found = found[found[:, 2] <= max_radius]
        log_s = np.log(np.maximum(found[:, 2], 1e-9) / math.sqrt(2.0))
        layer = np.argmin(np.abs(log_s[:, None] - np.log(self.detection_sigmas)[None, :]), axis=1)
        signif = np.zeros(len(found))
        if significance and len(found):
            # every blob on its own layer's tile map, in one gather over their stack
            used, at = np.unique(layer, return_inverse=True)
            maps = np.stack(self.noises([int(i) for i in used], polarity))
            spread = sample_noise(maps, self.tile, found[:, :2], layer=at)
            signif = found[:, 3] / np.maximum(spread, 1e-6)
        keep = signif >= min_significance
        found, signif, layer = found[keep], signif[keep], layer[keep]
        if math.isfinite(max_elongation):
            # the blob's own scale and one octave above: a pore stays round when
            # blurred, a hair or a crease shows its length (each blob read on its
            # own blurred images, all in one gather over the stack)
            coarse = np.minimum(layer + _ELONGATION_OCTAVE, len(self.detection_sigmas) - 1)
            xy = found[:, :2]
            elong = np.maximum(
                elongation(self._blur, xy, polarity, layer=layer),
                elongation(self._blur, xy, polarity, layer=coarse),
            )
            compact = elong <= max_elongation
            found, signif = found[compact], signif[compact]
        found[:, 2] = math.sqrt(2.0) * self._fit(found, polarity)
        return found, signif
