"""Beard and stubble mask: a documented image measurement on the lower face.

The segmentation model reads most beards and all stubble as skin (on London 037, a
short full beard, it keeps 83 % of the chin and 91-100 % of the mouth corners as skin;
its hair channel covers 2 %), so beard is measured from the image: hair gives the
lower face a fine, strong luminance texture that bare skin, a red patch or a brown
spot do not have. With this mask, 11 % of those zones stay skin.

Measurement
-----------
1. The box around the candidate zones (step 4) and the cheekbones, plus 0.15 iod,
   on :mod:`skincore.face.hair_texture`'s grid (the outer-eye-corner distance
   ``iod`` is :data:`~skincore.face.hair_texture.GRID_IOD` pixels), in its log
   luminance, so that a hair darkening skin by a given factor gives the same
   contrast on dark and on light skin.
2. Its band-pass ``B = G_0.7(Y) - G_1.6(Y)`` (Gaussian sigmas in grid pixels) and
   texture energy ``E = G_4(B^2)``.
3. Reference energy ``E_ref`` = median of ``E`` over the cheekbone polygons (skin that
   is rarely bearded).
4. Candidates: the chin, mouth-corner, nasolabial and cheek polygons, below the nose
   tip (landmark 1), where the model sees skin or hair (``skin + hair >= 0.5``, not
   background) at least ~2 sigma of the energy blur away from the background (the
   jaw line against it), or as far inside the face oval (the model hesitates between
   skin and hair on a dense beard), away from the lips and nostrils.
5. Beard where ``E >= max(REL_GAIN * E_ref, ABS_FLOOR)``, then a majority smoothing
   (Gaussian of the binary map, sigma :data:`MAJORITY_SIGMA`, >= 0.5), keeping only
   connected patches of at least :data:`MIN_AREA` iod^2 (single spots, moles and
   creases are smaller).

Thresholds were set on the ten photos of ``../shared/faces`` (one bearded man,
London 037) and are a heuristic: blond or grey stubble on pale skin gives little
contrast and is under-detected; very rough or acne-covered chins may read as beard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skincore import contours, geometry
from skincore._checks import check_rgb8
from skincore.face.hair_texture import GRID_IOD, texture_energy
from skincore.face.regions import RegionMasks, region_polygons
from skincore.face.segmentation import (
    FaceSegmentation,
    _check_landmarks,
    face_up,
    resample_map,
)
from skincore.face.skinmask import exclusion_mask, to_grid
from skincore.median import median

#: Beard share of the face below the nose tip (:func:`beard_share`) from which the
#: texture concerns treat the lower face as bearded and measure above the nose tip
#: only (the bearded man of ``shared/faces``: 0.23; the others 0).
BEARDED_SHARE = 0.1
#: Energy threshold relative to the cheekbones' median.
REL_GAIN = 4.0
#: Sigma (grid pixels) of the majority smoothing: hits narrower than ~2 sigma (the
#: alar creases, the chin crease) vanish, a beard's large area stays.
MAJORITY_SIGMA = 6.0
#: Smallest beard patch, in squared inter-ocular distances (an isolated brown spot
#: or mole gives a textured ring much smaller than this; a beard or stubble field is
#: many times larger).
MIN_AREA = 0.02
#: Absolute energy floor (a band-pass RMS of 2 % of the luminance).
ABS_FLOOR = 4.0
_CANDIDATES = (
    "chin",
    "left_mouth_corner",
    "right_mouth_corner",
    "left_nasolabial",
    "right_nasolabial",
    "left_cheek",
    "right_cheek",
)


def beard_mask(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    seg: FaceSegmentation,
    origin: tuple[float, float],
    scale: float,
    shape: tuple[int, int],
) -> np.ndarray:
    """Beard and stubble on a grid (bool), measured as in the module docstring.

    ``beard_texture(rgb, landmarks).mask(seg, origin, scale, shape)``: the image
    measurement (:func:`beard_texture`) does not need the segmentation, so a caller
    may compute it while the segmentation model runs.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    seg : FaceSegmentation
        Segmentation of the face.
    origin, scale, shape : tuple of float, float, tuple of int
        Target grid (see :mod:`skincore.face.segmentation`).

    Returns
    -------
    numpy.ndarray
        ``shape`` bool, True on beard.
    """
    return beard_texture(rgb, landmarks).mask(seg, origin, scale, shape)


@dataclass(frozen=True)
class BeardTexture:
    """The image half of the beard measurement (steps 1-4 without the segmentation).

    Attributes
    ----------
    origin : tuple of float
        (x, y) of the measuring grid in image pixels.
    scale : float
        Measuring-grid pixels per image pixel.
    energy : numpy.ndarray
        ``(h, w)`` float32 texture energy ``E`` (step 2).
    reference : numpy.ndarray
        ``(h, w)`` bool cheekbone polygons (step 3).
    oval_interior : numpy.ndarray
        ``(h, w)`` bool, well inside the face oval (step 4).
    features : numpy.ndarray
        ``(h, w)`` bool, lips, nostrils, eyes and brows with a 0.05 iod margin.
    candidates : numpy.ndarray
        ``(h, w)`` bool candidate polygons below the nose tip (step 4, before the
        segmentation's head interior and the features are removed).
    """

    origin: tuple[float, float]
    scale: float
    energy: np.ndarray
    reference: np.ndarray
    oval_interior: np.ndarray
    features: np.ndarray
    candidates: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the measuring grid."""
        return (int(self.energy.shape[0]), int(self.energy.shape[1]))

    def mask(
        self,
        seg: FaceSegmentation,
        origin: tuple[float, float],
        scale: float,
        shape: tuple[int, int],
        *,
        threads: int = 1,
    ) -> np.ndarray:
        """Finish the measurement with the segmentation (steps 3-5); see :func:`beard_mask`.

        Parameters
        ----------
        seg : FaceSegmentation
            Segmentation of the face.
        origin, scale, shape : tuple of float, float, tuple of int
            Target grid (see :mod:`skincore.face.segmentation`).
        threads : int, default 1
            Kernel threads (the result does not depend on them).

        Returns
        -------
        numpy.ndarray
            ``shape`` bool, True on beard.
        """
        grid = self.shape
        none = np.zeros(shape, bool)
        # inside the head: where the model sees skin or hair (not background), eroded so
        # that the edge against the background gives no texture
        face = (seg.skin + seg.hair).clip(0, 1)
        face_g = (
            resample_map(
                face, seg.origin, seg.scale, self.origin, self.scale, grid, threads=threads
            )
            >= 0.5
        )
        interior = geometry.gaussian_blur(face_g.astype(np.float32), 5.0, threads=threads) >= 0.98
        # ... or well inside the face oval (where the model hesitates on a dense beard)
        interior |= self.oval_interior
        usable = interior & ~self.features
        ref_px = self.energy[self.reference & usable]
        if ref_px.size < 20:
            return none
        ref = median(ref_px)
        cand = self.candidates & usable
        hit = cand & (self.energy >= max(REL_GAIN * ref, ABS_FLOOR))
        if not hit.any():  # the majority smoothing of nothing is nothing
            return none
        hit_f = hit.astype(np.float32)
        smooth = geometry.gaussian_blur(hit_f, MAJORITY_SIGMA, threads=threads) >= 0.5
        smooth &= cand
        labels, stats = contours.label(smooth.astype(np.uint8), threads=threads)
        big = np.flatnonzero(stats.area >= MIN_AREA * GRID_IOD**2) + 1
        if big.size == 0:
            return none
        beard_g = np.isin(labels, big).astype(np.float32)
        back = resample_map(beard_g, self.origin, self.scale, origin, scale, shape, threads=threads)
        return back >= 0.5


def beard_texture(rgb: np.ndarray, landmarks: np.ndarray) -> BeardTexture:
    """Measure the image half of :func:`beard_mask` (no segmentation needed).

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.

    Returns
    -------
    BeardTexture
        The measuring grid's energy and zones; :meth:`BeardTexture.mask` finishes.
    """
    check_rgb8(rgb)
    pts = _check_landmarks(landmarks)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    polys = region_polygons(pts, (*_CANDIDATES, "left_cheekbone", "right_cheekbone", "face_oval"))
    # the measuring grid covers the candidate zones and the cheekbones, plus a margin
    # of 0.15 iod, at GRID_IOD pixels per iod (outside the image: pad colour)
    box = np.concatenate([polys[z] for z in (*_CANDIDATES, "left_cheekbone", "right_cheekbone")])
    tex = texture_energy(rgb, box, iod, margin=0.15, sigma=4.0)
    energy, grid_o, s = tex.energy, tex.origin, tex.scale
    nh, nw = energy.shape
    grid = (nh, nw)

    def fill(names: tuple[str, ...]) -> np.ndarray:
        m = geometry.fill_union([to_grid(polys[n], grid_o, s) for n in names], grid, threads=1)
        return m > 0

    oval = fill(("face_oval",)).astype(np.float32)
    up = face_up(pts)
    yy, xx = np.ogrid[0:nh, 0:nw]
    tip = to_grid(pts[1], grid_o, s).astype(np.float64)
    below = (xx - tip[0]) * up[0] + (yy - tip[1]) * up[1] < 0
    return BeardTexture(
        origin=grid_o,
        scale=float(s),
        energy=energy,
        reference=fill(("left_cheekbone", "right_cheekbone")),
        oval_interior=geometry.gaussian_blur(oval, 5.0, threads=1) >= 0.98,
        features=exclusion_mask(pts, grid_o, s, grid, margin=0.05),
        candidates=fill(_CANDIDATES) & below,
    )


def below_nose(landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of a grid below the nose tip, across the face (bool).

    ``landmarks`` are FaceMesh points in the grid's pixels. The line runs through
    the nose tip (point 1) along the eye line (:func:`face_up` is its normal), so
    it follows a tilted head.
    """
    pts = _check_landmarks(landmarks)
    up = face_up(pts)
    yy, xx = np.ogrid[0 : shape[0], 0 : shape[1]]
    return (xx + 0.5 - pts[1, 0]) * up[0] + (yy + 0.5 - pts[1, 1]) * up[1] < 0


def beard_share(masks: RegionMasks, landmarks: np.ndarray) -> float:
    """Share of the face outline below the nose tip that the beard mask covers.

    On the masks' grid (``masks.beard``, ``masks.masks["face_polygon"]``,
    :func:`below_nose`). On the ten photos of ``../shared/faces`` it is 0.23 for
    the bearded man (London 037) and 0 for the others; on 299 UTKFace faces
    (200 px photos, where little stubble is resolved) 0 for every woman.

    Parameters
    ----------
    masks : RegionMasks
        A face's region masks (e.g. ``FaceWork.colour``).
    landmarks : numpy.ndarray
        ``(478, 2+)`` FaceMesh points in image pixels.

    Returns
    -------
    float
        In [0, 1]; 0 without a beard mask.
    """
    if masks.beard is None or not masks.beard.any():
        return 0.0  # no beard pixel: the share is 0 whatever the outline below the nose
    grid = to_grid(_check_landmarks(landmarks), masks.origin, masks.scale)
    lower = (masks.masks["face_polygon"] > 0) & below_nose(grid, masks.shape)
    n = int(np.count_nonzero(lower))
    return int(np.count_nonzero(lower & (masks.beard > 0))) / n if n else 0.0
