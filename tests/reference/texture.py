"""NumPy reference of skincore.texture: texture_energy, upsample_on, excess_over.

The composition roughness computed before the fused kernel, step for step in
float32. ``blur`` is a parameter: with the kernel's own Gaussian
(:func:`skincore.geometry.gaussian_blur`) the result must equal the kernel's bit
for bit; with the pure-NumPy :func:`reference.geometry.gaussian_blur` it must
agree to float32 rounding. ``window``, when given, replaces the masked window
blurs (the kernel's ``window="decimated"``): ``window(values, m, sigma)`` is the
normalised blur of ``values`` over ``m`` (e.g.
:func:`skincore.geometry.wide_gaussian_blur` with ``weight=m``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Blur = Callable[[np.ndarray, float], np.ndarray]
MaskedBlur = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def _masked(values: np.ndarray, m: np.ndarray, wblur: np.ndarray, s: float, blur: Blur, mw: float):
    num = blur(np.ascontiguousarray(values * m, dtype=np.float32), s).astype(np.float32)
    out = np.zeros_like(num)
    np.divide(num, wblur, out=out, where=wblur > mw)
    return out


def texture_energy(
    gray: np.ndarray,
    face: np.ndarray,
    *,
    erode_sigma: float,
    fine_sigma: float,
    coarse_sigma: float,
    window_sigma: float,
    band_clip: float,
    edge_isotropy: float,
    min_weight: float = 1e-3,
    blur: Blur,
    window: MaskedBlur | None = None,
) -> np.ndarray:
    gray = np.asarray(gray, np.float32)
    m = (face > 0).astype(np.float32)
    if erode_sigma > 0:
        b = blur(m, erode_sigma).astype(np.float32)
        m = ((b >= 0.977) & (m > 0)).astype(np.float32)
    if not np.any(m):
        return np.zeros(gray.shape, np.float32)
    w_fine = blur(m, fine_sigma).astype(np.float32)
    w_coarse = blur(m, coarse_sigma).astype(np.float32)
    w_win = blur(m, window_sigma).astype(np.float32)

    def win(values: np.ndarray) -> np.ndarray:
        if window is None:
            return _masked(values, m, w_win, window_sigma, blur, min_weight)
        return window(np.ascontiguousarray(values, dtype=np.float32), m, window_sigma)

    fine = _masked(gray, m, w_fine, fine_sigma, blur, min_weight)
    coarse = _masked(gray, m, w_coarse, coarse_sigma, blur, min_weight)
    band = np.clip(fine - coarse, -band_clip, band_clip)
    e2 = win(band * band)
    energy = np.sqrt(np.maximum(e2, 0.0))
    if edge_isotropy > 0:
        if min(band.shape) >= 2:
            gy, gx = np.gradient(band)
        else:  # numpy.gradient needs two samples per axis; the kernel uses 0 there
            gy = np.gradient(band, axis=0) if band.shape[0] >= 2 else np.zeros_like(band)
            gx = np.gradient(band, axis=1) if band.shape[1] >= 2 else np.zeros_like(band)
        jxx = win(gx * gx)
        jyy = win(gy * gy)
        jxy = win(gx * gy)
        tr = jxx + jyy
        disc = np.sqrt(np.maximum((jxx - jyy) ** 2 + 4.0 * jxy * jxy, 0.0))
        iso = np.zeros_like(tr)
        np.divide(tr - disc, tr, out=iso, where=tr > 1e-12)
        iso = np.clip(iso, 0.0, 1.0)
        energy *= np.sqrt(np.minimum(iso / np.float32(edge_isotropy), 1.0))
    energy *= m
    return energy.astype(np.float32)


def upsample_on(src: np.ndarray, mask: np.ndarray, resize: Callable[..., np.ndarray]) -> np.ndarray:
    """``resize(src, (W, H))`` (bilinear), 0 where ``mask`` is 0: roughness' two steps.

    ``resize`` is :func:`skincore.geometry.resize` with ``method="bilinear"`` (the
    kernel must equal it bit for bit) or :func:`reference.geometry.resize`.
    """
    h, w = mask.shape
    out = np.asarray(resize(np.ascontiguousarray(src, np.float32), (w, h)), np.float32).copy()
    np.copyto(out, 0.0, where=mask == 0)
    return out


def excess_over(energy: np.ndarray, skin: np.ndarray, threshold: float):
    """``(over, n_skin, n_over, excess)`` as roughness computed them in NumPy."""
    sel = skin > 0
    rough = sel & (energy > threshold)  # float32 comparison (a Python float is weak)
    e = energy[sel].astype(np.float64)
    e -= threshold
    e /= threshold
    np.clip(e, 0.0, 1.0, out=e)
    excess = float(np.mean(e)) if e.size else 0.0
    over = np.where(rough, np.uint8(255), np.uint8(0))
    return over, int(np.count_nonzero(sel)), int(np.count_nonzero(rough)), excess


def excess_levels(energy: np.ndarray, keep: np.ndarray, threshold: float, veto=None):
    """Moisture's shading: NumPy float32 arithmetic on the kept, unvetoed pixels."""
    h, w = energy.shape
    on = np.asarray(keep) != 0
    if veto is not None:
        vh, vw = veto.shape
        rows = np.minimum(((np.arange(h) + 0.5) * vh / h).astype(np.intp), vh - 1)
        cols = np.minimum(((np.arange(w) + 0.5) * vw / w).astype(np.intp), vw - 1)
        on &= ~(np.asarray(veto) != 0)[rows[:, None], cols]
    level = np.zeros((h, w), np.uint8)
    t = float(threshold)
    level[on] = np.rint(1 + 254 * np.clip((energy[on] - t) / t, 0.0, 1.0)).astype(np.uint8)
    return level, int(np.count_nonzero(on))
