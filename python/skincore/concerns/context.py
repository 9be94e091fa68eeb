"""What every texture concern reads: a grey face crop at a bounded scale, with masks.

Pores, blackheads and wrinkles are measured on the face crop at full resolution,
capped at :data:`MAX_PX_PER_MM` (6 px/mm, 0.17 mm per pixel: every structure the
concerns look for is defined in millimetres and the smallest, a 0.28 mm pore, is
resolved there; a phone close-up at 10-20 px/mm is area-averaged down to it, so
the cost stays bounded and the same face gives the same counts at any
resolution above the cap). The grey image is CIELAB L*/100. Region masks are
the region polygons rasterised on the texture grid itself, AND the skin mask of
the colour work scale (:attr:`skincore.face.regions.RegionMasks.keep`: segmented
skin minus hair, beard and the facial features) resampled once; they are built on
first use. :meth:`TextureContext.rescaled` gives the same face on a coarser grid
(wrinkles and roughness work at 4 px/mm).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar

import numpy as np

from skincore import color, geometry
from skincore._masks import mask255, zero_where
from skincore.face.beard import below_nose
from skincore.face.pose import head_pose
from skincore.face.regions import (
    FAR_NOSE_MM,
    MIRROR,
    NOSE_FOLDS,
    NOSE_OUTLINE,
    NOSE_WING,
    LazyMasks,
    RegionMasks,
    all_points,
    crop_box,
    far_nose_reach,
    lip_chin_band,
    lower_lid_band,
    mouth_corner_band,
    near_wing_reach,
    nose_side_band,
    region_polygons,
)
from skincore.face.scale import px_per_mm

#: Texture grid resolution cap, pixels per millimetre of skin.
MAX_PX_PER_MM = 6.0

_T = TypeVar("_T")
#: The nose tip (pronasale): the nose wings' bands reach out away from it.
_NOSE_TIP = 4


@dataclass(frozen=True)
class TextureContext:
    """The face as texture concerns see it.

    Attributes
    ----------
    gray : numpy.ndarray
        ``(h, w)`` float32 L*/100 of the face crop on the texture grid.
    origin : tuple of int
        (x, y) of the crop in the image.
    scale : float
        Texture pixels per image pixel (<= 1).
    px_per_mm : float
        Texture pixels per millimetre of skin (iris scale).
    masks : Mapping of str to numpy.ndarray
        ``(h, w)`` uint8 skin-only region masks (255 inside) on the texture grid,
        names as in :data:`skincore.face.regions.SKIN_REGIONS`.
    landmarks : numpy.ndarray
        ``(478, 2)`` float32 landmarks in texture-grid pixels.
    keep : numpy.ndarray
        ``(h, w)`` uint8 skin gate on the texture grid (255 = skin).
    lab : numpy.ndarray or None
        ``(h, w, 3)`` float32 CIELAB on the same grid (``gray`` is its L*/100)
        when the maker has it; ``None`` from :func:`build_context` (which
        computes L* alone: no concern reads a* or b* at this scale, the colour
        concerns read ``FaceWork.colour_lab``) and on hand-made contexts.
    polygons : mapping of str to numpy.ndarray or None
        The region polygons in image pixels the masks were rasterised from.
    yaw : float
        Head yaw in degrees (:func:`skincore.face.pose.head_pose`) when the
        maker had the 3-D landmarks, else 0: which nose wing is nearer the camera
        (:meth:`fold_band`).
    hair : numpy.ndarray or None
        ``(h, w)`` uint8, 255 where the segmentation reads hair
        (:attr:`skincore.face.regions.RegionMasks.hair` resampled), when the
        maker had it: :meth:`hair_band`.

    Notes
    -----
    A context memoises what several concerns share (:meth:`memo`, and the
    coarser grids of :meth:`rescaled`); the cache belongs to this object only,
    so concurrent analyses never see each other's intermediates.
    """

    gray: np.ndarray
    origin: tuple[int, int]
    scale: float
    px_per_mm: float
    masks: Mapping[str, np.ndarray]
    landmarks: np.ndarray
    keep: np.ndarray | None = None
    lab: np.ndarray | None = field(default=None, repr=False)
    polygons: Mapping[str, np.ndarray] | None = field(default=None, repr=False)
    yaw: float = 0.0
    hair: np.ndarray | None = field(default=None, repr=False)
    _cache: dict[Any, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def memo(self, key: Any, compute: Callable[[], _T]) -> _T:
        """Return ``compute()`` once per key for this context, cached.

        Parameters
        ----------
        key : hashable
            Names the intermediate (e.g. ``("pore_blobs", params)``).
        compute : callable
            Produces it on first use.

        Returns
        -------
        object
            The cached value.
        """
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def above_nose(self) -> np.ndarray:
        """Return the grid above the nose tip, computed once per context.

        ``(h, w)`` bool, read-only: the complement of
        :func:`skincore.face.beard.below_nose` on this grid.
        """

        def compute() -> np.ndarray:
            above = ~below_nose(self.landmarks, self.gray.shape)
            above.flags.writeable = False
            return above

        return self.memo("above_nose", compute)

    def fold_free(self, margin_mm: float) -> np.ndarray:
        """Return the face skin less a band round the nose folds, once per margin.

        Parameters
        ----------
        margin_mm : float
            Half-width of the band (mm of skin) round each path of
            :data:`skincore.face.regions.NOSE_FOLDS`; 0 or less returns
            ``masks["face"]`` itself.

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` uint8 (255 = skin), read-only.
        """
        face = self.masks["face"]
        if not margin_mm > 0:
            return face

        def compute() -> np.ndarray:
            out = zero_where(face, self.fold_band(margin_mm))
            out.flags.writeable = False
            return out

        return self.memo(("fold_free", float(margin_mm)), compute)

    def fold_band(self, margin_mm: float) -> np.ndarray:
        """Return the band round the nose folds on this grid, once per margin.

        Parameters
        ----------
        margin_mm : float
            Half-width (mm of skin) round each path of
            :data:`skincore.face.regions.NOSE_FOLDS` (rectangles round each
            segment, :func:`fold_bands`); on a turned face the band reaches
            further out beside the near nose wing
            (:func:`skincore.face.regions.near_wing_reach` of :attr:`yaw`).

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False for a margin of 0 or less.
        """
        return self._band(
            ("fold_band", float(margin_mm)),
            lambda: (
                fold_bands(
                    self.landmarks,
                    margin_mm * self.px_per_mm,
                    wing_reach_px(self.yaw, self.px_per_mm),
                )
                if margin_mm > 0
                else []
            ),
            rule="nonzero",
        )

    def far_nose_band(
        self, margin_mm: float, reach_mm: float, path: tuple[int, ...] = NOSE_OUTLINE
    ) -> np.ndarray | None:
        """Return the band along the far nose outline of a turned face, once per size.

        Parameters
        ----------
        margin_mm : float
            Half-width (mm) round each segment of the outline (``path``, the far
            side's).
        reach_mm : float
            How much further (mm) it reaches out beyond the outline at full yaw
            (:data:`skincore.face.regions.FAR_NOSE_MM`); scaled by the ramp of
            :func:`skincore.face.regions.far_nose_reach` for :attr:`yaw`.
        path : tuple of int, optional
            The subject's right outline as landmark indices (mirrored for the
            left): :data:`skincore.face.regions.NOSE_OUTLINE` (default) or
            :data:`skincore.face.regions.FAR_GLABELLA`.

        Returns
        -------
        numpy.ndarray or None
            ``(h, w)`` bool, read-only; None where there is no band (a frontal
            face, or a reach of 0).
        """
        reach = far_reach_px(self.yaw, self.px_per_mm, reach_mm)
        if not (max(reach) > 0 and margin_mm >= 0):
            return None
        return self._band(
            ("far_nose_band", float(margin_mm), float(reach_mm), tuple(path)),
            lambda: far_nose_bands(self.landmarks, margin_mm * self.px_per_mm, reach, path),
            rule="nonzero",
        )

    def lower_lid_bands(self, depth_mm: float) -> np.ndarray:
        """Return the bands below both eyes' lower lids on this grid, once per depth.

        Parameters
        ----------
        depth_mm : float
            How far each band reaches below its lower lid line, mm
            (:func:`skincore.face.regions.lower_lid_band`).

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False for a depth of 0 or less.
        """
        return self._sides_band("lower_lid_bands", lower_lid_band, depth_mm)

    def nose_side_bands(self, half_width_mm: float) -> np.ndarray:
        """Return the bands along both sides of the nose's bridge on this grid, once per width.

        Parameters
        ----------
        half_width_mm : float
            How far each band reaches on either side of its crest, mm
            (:func:`skincore.face.regions.nose_side_band`).

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False for a half-width of 0 or less.
        """
        return self._sides_band("nose_side_bands", nose_side_band, half_width_mm)

    def hair_band(self, margin_mm: float) -> np.ndarray:
        """Return the skin near hair on this grid, once per margin.

        Parameters
        ----------
        margin_mm : float
            Every pixel within this distance (mm) of a :attr:`hair` pixel along
            both axes (a square of that half side) is in the band. The square is
            taken on a grid of about :data:`HAIR_BAND_PX_PER_MM` (cells holding
            any hair, one max filter, resampled back), so the band reaches up to
            about a cell further (under 1 mm; 5.2-5.4 mm is covered, 5.5-5.9 the
            most reached on three test faces): the filter's cost grows with its
            radius, and at 6 px/mm a 5 mm one took 6.6 ms on the grid itself.

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False without :attr:`hair` or for a
            margin of 0 or less.
        """
        return self.memo(
            ("hair_band", float(margin_mm)),
            lambda: hair_band(self.hair, self.gray.shape, margin_mm, self.px_per_mm),
        )

    def mouth_bands(self, chin_mm: float, corner_mm: float) -> np.ndarray:
        """Return the bands under the lower lip and beside both mouth corners, once per size.

        Parameters
        ----------
        chin_mm : float
            How far the band under the lower lip's middle reaches below it, mm
            (:func:`skincore.face.regions.lip_chin_band`); 0 or less: none.
        corner_mm : float
            Radius of the disc beside each mouth corner, mm
            (:func:`skincore.face.regions.mouth_corner_band`); 0 or less: none.

        Returns
        -------
        numpy.ndarray
            ``(h, w)`` bool, read-only; all False when both sizes are 0 or less.
        """

        def compute() -> np.ndarray:
            polygons = mouth_bands(self.landmarks, chin_mm, corner_mm)
            band = geometry.fill_union(polygons, self.gray.shape, threads=1) > 0
            band.flags.writeable = False
            return band

        return self.memo(("mouth_bands", float(chin_mm), float(corner_mm)), compute)

    def _sides_band(
        self, name: str, band: Callable[[np.ndarray, str, float], np.ndarray], size_mm: float
    ) -> np.ndarray:
        """Both sides' ``band(landmarks, side, size_mm)`` polygons rasterised, once per size.

        All False for a size of 0 or less.
        """
        return self._band(
            (name, float(size_mm)),
            lambda: (
                [band(self.landmarks, s, size_mm) for s in ("left", "right")] if size_mm > 0 else []
            ),
        )

    def _band(
        self, key: Any, polygons: Callable[[], list[np.ndarray]], *, rule: str = "evenodd"
    ) -> np.ndarray:
        """Return the polygons ``polygons()`` rasterised on this grid, once per key.

        ``(h, w)`` bool, read-only; all False when there are none.
        """

        def compute() -> np.ndarray:
            band = _fill(polygons(), self.gray.shape, rule)
            band.flags.writeable = False
            return band

        return self.memo(key, compute)

    def to_image(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(N, 2)`` texture-grid points to image pixels (pixel centres)."""
        xy = np.asarray(xy, dtype=np.float64)
        return ((xy + 0.5) / self.scale - 0.5 + np.asarray(self.origin, np.float64)).astype(
            np.float32
        )

    def to_texture(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(N, 2)`` image pixels to texture-grid points."""
        xy = np.asarray(xy, dtype=np.float64)
        return ((xy - np.asarray(self.origin, np.float64) + 0.5) * self.scale - 0.5).astype(
            np.float32
        )

    def rescaled(self, target_px_per_mm: float, *, threads: int = 0) -> TextureContext:
        """Return the same face on a grid of at most ``target_px_per_mm``.

        Returns ``self`` when the grid is not finer than the target (within 5 %).
        The grey image is area-averaged; masks are rasterised anew on the new
        grid from the polygons and the resampled skin gate. The result is
        cached: wrinkles and roughness share one 4 px/mm grid.
        """
        if self.px_per_mm <= target_px_per_mm * 1.05:
            return self
        return self.memo(
            ("rescaled", float(target_px_per_mm)),
            lambda: self._rescaled(target_px_per_mm, threads),
        )

    def _rescaled(self, target_px_per_mm: float, threads: int) -> TextureContext:
        h, w = self.gray.shape
        f = target_px_per_mm / self.px_per_mm
        size = (max(1, round(w * f)), max(1, round(h * f)))
        fx = size[0] / w
        gray = geometry.resize(
            np.ascontiguousarray(self.gray, np.float32), size, method="area", threads=threads
        )
        scale = self.scale * fx
        hair = None if self.hair is None else _resample_mask(self.hair, (size[1], size[0]), threads)
        if self.keep is None or not isinstance(self.masks, LazyMasks):
            # A context whose masks were given by hand: resample those masks.
            return TextureContext(
                gray=gray,
                origin=self.origin,
                scale=scale,
                px_per_mm=self.px_per_mm * fx,
                masks={
                    k: _resample_mask(m, (size[1], size[0]), threads) for k, m in self.masks.items()
                },
                landmarks=((np.asarray(self.landmarks, np.float64) + 0.5) * fx - 0.5).astype(
                    np.float32
                ),
                yaw=self.yaw,
                hair=hair,
            )
        keep = _resample_mask(self.keep, (size[1], size[0]), threads)
        pts_img = self.to_image(self.landmarks)
        return _make(
            gray,
            self.origin,
            scale,
            self.px_per_mm * fx,
            pts_img,
            keep,
            None,
            self.polygons,
            yaw=self.yaw,
            hair=hair,
        )


def fold_bands(
    landmarks: np.ndarray, half_width: float, reach: tuple[float, float] = (0.0, 0.0)
) -> list[np.ndarray]:
    """Rectangles of ``half_width`` round each segment of the nose folds' paths.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in the grid's pixels.
    half_width : float
        Half-width of each rectangle, pixels; each is also extended by it beyond
        both ends, so consecutive segments overlap at their joints.
    reach : tuple of float, optional
        ``(right, left)``: how much further (pixels) the band reaches out from
        each nose wing's outline (:data:`skincore.face.regions.NOSE_WING`) into
        the cheek, away from the nose tip (:func:`skincore.face.regions.near_wing_reach`
        for a turned face); the wing itself keeps ``half_width``.

    Returns
    -------
    list of numpy.ndarray
        ``(4, 2)`` float32 polygons (fill them with the non-zero rule).
    """
    pts = np.asarray(landmarks, np.float64)[:, :2]
    # Every segment at once (the same float64 operations, element by element).
    ends = np.array([(i, j) for path in NOSE_FOLDS for i, j in pairwise(path)], np.intp)
    quads = list(_segment_quads(pts, ends, half_width))
    for seg, extra in _reaching_sides(NOSE_WING, reach):
        quads.extend(_outward_quads(pts, seg, half_width + extra))
    return quads


def far_nose_bands(
    landmarks: np.ndarray,
    half_width: float,
    reach: tuple[float, float],
    path: tuple[int, ...] = NOSE_OUTLINE,
) -> list[np.ndarray]:
    """Rectangles along each nose outline that reaches out (the far one of a turned face).

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in the grid's pixels.
    half_width : float
        Half-width (pixels) of the rectangle round each segment of the outline
        (``path``), extended by it beyond both ends.
    reach : tuple of float
        ``(right, left)``: how much further (pixels) each side's band reaches out
        from its outline, away from the nose tip
        (:func:`skincore.face.regions.far_nose_reach`); a side of 0 has no band.
    path : tuple of int, optional
        The subject's right outline as landmark indices (its mirror is the
        left's): :data:`skincore.face.regions.NOSE_OUTLINE` by default.

    Returns
    -------
    list of numpy.ndarray
        ``(4, 2)`` float32 polygons (fill them with the non-zero rule).
    """
    pts = np.asarray(landmarks, np.float64)[:, :2]
    quads: list[np.ndarray] = []
    for seg, extra in _reaching_sides(path, reach):
        quads.extend(_segment_quads(pts, seg, half_width))
        quads.extend(_outward_quads(pts, seg, half_width + extra))
    return quads


def nose_band(
    landmarks: np.ndarray,
    ppm: float,
    yaw: float,
    shape: tuple[int, int],
    fold_mm: float,
    far_mm: float = 0.0,
    side_mm: float = 0.0,
) -> np.ndarray:
    """Rasterise the bands round the nose on a grid.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in the grid's pixels.
    ppm : float
        The grid's pixels per millimetre.
    yaw : float
        Head yaw, degrees (:func:`landmark_yaw`).
    shape : tuple of int
        ``(h, w)`` of the grid.
    fold_mm : float
        Half-width (mm) of the band round the nose folds (:func:`fold_bands`,
        reaching further out beside the near wing: :func:`wing_reach_px`); 0 or
        less: none.
    far_mm : float, optional
        Reach (mm, at full yaw) of the band along the far nose outline
        (:func:`far_nose_bands`, ``fold_mm`` round it); 0: none.
    side_mm : float, optional
        Half-width (mm) of the band either side of the crest down each side of
        the nose's bridge (:func:`skincore.face.regions.nose_side_band`); 0: none.

    Returns
    -------
    numpy.ndarray
        ``(h, w)`` bool; all False when there is no band.
    """
    quads = fold_bands(landmarks, fold_mm * ppm, wing_reach_px(yaw, ppm)) if fold_mm > 0 else []
    if far_mm > 0:
        reach = far_reach_px(yaw, ppm, far_mm)
        quads += far_nose_bands(landmarks, max(fold_mm, 0.0) * ppm, reach)
    band = _fill(quads, shape, "nonzero")
    if side_mm > 0:  # filled on their own: their winding may oppose the rectangles'
        band |= _fill([nose_side_band(landmarks, s, side_mm) for s in ("left", "right")], shape)
    return band


#: Sampling (px/mm) of the grid :meth:`TextureContext.hair_band` dilates on.
HAIR_BAND_PX_PER_MM = 1.5


def hair_band(
    hair: np.ndarray | None, shape: tuple[int, int], margin_mm: float, px_per_mm: float
) -> np.ndarray:
    """Return the skin near hair on a grid: ``hair`` dilated by the margin (:func:`dilated_square`).

    ``(h, w)`` bool of ``shape``, read-only; all False without ``hair`` or for a
    margin of 0 or less (:meth:`TextureContext.hair_band`,
    :meth:`skincore.concerns.work.FaceWork.colour_hair_band`).
    """
    if hair is None or not margin_mm > 0:
        band = np.zeros(shape, bool)
    else:
        band = dilated_square(hair, margin_mm * px_per_mm, px_per_mm)
    band.flags.writeable = False
    return band


def dilated_square(mask: np.ndarray, radius: float, px_per_mm: float) -> np.ndarray:
    """Dilate ``mask`` (bool, or uint8 0/255) by a square of half side ``radius`` px, at least.

    The result is bool. On a grid ``f = px_per_mm // HAIR_BAND_PX_PER_MM`` times
    coarser when that is 2 or more: a coarse cell holding any of ``mask`` is set
    (its area mean is not 0), the coarse mask is dilated by ``ceil(radius / f)``
    cells and resampled back (bilinear, at half), which covers the square
    dilation and reaches at most about a cell past it.
    """
    h, w = mask.shape
    f = int(px_per_mm // HAIR_BAND_PX_PER_MM)
    if f < 2:
        r = max(1, int(np.ceil(radius)))
        return geometry.max_filter((mask > 0).astype(np.float32), r, threads=1) > 0
    size = (max(1, -(-w // f)), max(1, -(-h // f)))
    src = mask if mask.dtype == np.uint8 else mask255(mask > 0)
    coarse = geometry.resize(src, size, method="area", threads=1) > 0
    r = int(np.ceil(radius / f))
    near = geometry.max_filter(coarse.astype(np.float32), r, threads=1) > 0
    return geometry.resize_mask(mask255(near), (w, h), threads=1) > 0


def mouth_bands(landmarks: np.ndarray, chin_mm: float, corner_mm: float) -> list[np.ndarray]:
    """Polygons of the band under the lower lip and the discs beside the mouth corners.

    Parameters
    ----------
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in the grid's pixels.
    chin_mm : float
        Depth (mm) of :func:`skincore.face.regions.lip_chin_band`; 0 or less: none.
    corner_mm : float
        Radius (mm) of each :func:`skincore.face.regions.mouth_corner_band`; 0 or
        less: none.

    Returns
    -------
    list of numpy.ndarray
        ``(n, 2)`` float32 polygons (fill their union,
        :func:`skincore.geometry.fill_union`: they may overlap).
    """
    out = [lip_chin_band(landmarks, chin_mm)] if chin_mm > 0 else []
    if corner_mm > 0:
        out += [mouth_corner_band(landmarks, s, corner_mm) for s in ("left", "right")]
    return out


def _fill(polygons: list[np.ndarray], shape: tuple[int, int], rule: str = "evenodd") -> np.ndarray:
    """Rasterise the polygons on a grid of ``shape`` (bool); all False when there are none."""
    if not polygons:
        return np.zeros(shape, bool)
    return geometry.fill_polygons(polygons, shape, rule=rule, threads=1) > 0


def _reaching_sides(
    right_path: tuple[int, ...], reach: tuple[float, float]
) -> list[tuple[np.ndarray, float]]:
    """``(segments, reach)`` of each side whose ``reach`` (right, left) is positive.

    The segments are ``(n, 2)`` landmark index pairs along ``right_path`` or its mirror.
    """
    left_path = tuple(MIRROR[i] for i in right_path)
    return [
        (np.array(list(pairwise(path)), np.intp), extra)
        for path, extra in zip((right_path, left_path), reach, strict=True)
        if extra > 0
    ]


def _outward_quads(pts: np.ndarray, seg: np.ndarray, width: float) -> np.ndarray:
    """Rectangles from each segment to ``width`` out, away from the nose tip."""
    return _segment_quads(pts, seg, 0.5 * width, away_from=pts[_NOSE_TIP])


def _segment_quads(
    pts: np.ndarray, ends: np.ndarray, half_width: float, away_from: np.ndarray | None = None
) -> np.ndarray:
    """``(n, 4, 2)`` float32 rectangles round segments ``pts[ends[:, 0]] -> pts[ends[:, 1]]``.

    Each is ``half_width`` either side of its segment and extended by it beyond
    both ends; with ``away_from`` (a point), each is moved ``half_width`` off
    its segment on the side away from that point, so it spans from the segment
    to ``2 half_width`` out. Degenerate (or NaN) segments draw nothing.
    """
    a, b = pts[ends[:, 0]], pts[ends[:, 1]]
    d = b - a
    n = np.hypot(d[:, 0], d[:, 1])
    ok = n > 0
    a, b, d, n = a[ok], b[ok], d[ok], n[ok]
    t = d * (half_width / n)[:, None]
    o = np.stack([-t[:, 1], t[:, 0]], 1)
    if away_from is not None:
        side = np.sign(np.einsum("ij,ij->i", o, 0.5 * (a + b) - away_from))
        shift = o * np.where(side == 0, 1.0, side)[:, None]
        a, b = a + shift, b + shift
    return np.stack([a - t + o, b + t + o, b + t - o, a - t - o], 1).astype(np.float32)


def _resample_mask(mask: np.ndarray, shape: tuple[int, int], threads: int) -> np.ndarray:
    if mask.shape == shape:
        return mask
    # 255 where the bilinear resize is >= 128, else 0 (one pass, no rounded image)
    return geometry.resize_mask(mask, (shape[1], shape[0]), threads=threads)


def _make(
    gray: np.ndarray,
    origin: tuple[int, int],
    scale: float,
    ppm: float,
    landmarks_img: np.ndarray,
    keep: np.ndarray,
    lab: np.ndarray | None = None,
    polygons: Mapping[str, np.ndarray] | None = None,
    *,
    yaw: float = 0.0,
    hair: np.ndarray | None = None,
) -> TextureContext:
    off = np.asarray(origin, np.float64)
    if polygons is None:
        polygons = region_polygons(landmarks_img)
    polys = {
        name: ((np.asarray(p, np.float64) - off + 0.5) * scale - 0.5).astype(np.float32)
        for name, p in polygons.items()
    }
    pts = (np.asarray(landmarks_img, np.float64)[:, :2] - off + 0.5) * scale - 0.5
    return TextureContext(
        gray=np.ascontiguousarray(gray, dtype=np.float32),
        origin=(int(origin[0]), int(origin[1])),
        scale=float(scale),
        px_per_mm=float(ppm),
        masks=LazyMasks(polys, keep),
        landmarks=pts.astype(np.float32),
        keep=keep,
        lab=lab,
        polygons=dict(polygons),
        yaw=float(yaw),
        hair=hair,
    )


def build_context(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    masks: RegionMasks,
    *,
    polygons: Mapping[str, np.ndarray] | None = None,
    crop: tuple[int, int, int, int] | None = None,
    threads: int = 0,
) -> TextureContext:
    """Build the texture grid of one face.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 image.
    landmarks : numpy.ndarray
        ``(478, 2+)`` landmarks in image pixels.
    masks : RegionMasks
        The face's region masks at the colour work scale (its skin gate is used).
    polygons : mapping of str to numpy.ndarray, optional
        Region polygons in image pixels (default: from the landmarks; the
        workspace passes the forehead extended to the hairline).
    crop : tuple of int, optional
        ``(x0, y0, x1, y1)`` of the photo the grid covers: the crop ``masks`` were
        made on (the workspace passes :attr:`FaceWork.crop`). Default: around the
        face outline and every polygon of ``polygons``, as the workspace cuts it.
    threads : int, optional
        Worker threads for the kernels.

    Returns
    -------
    TextureContext
        The grey crop, masks and scale.
    """
    h, w = rgb.shape[:2]
    if crop is None:
        crop = crop_box(landmarks, w, h, extra=None if polygons is None else all_points(polygons))
    x0, y0, x1, y1 = crop
    ppm = px_per_mm(landmarks)
    scale = min(1.0, MAX_PX_PER_MM / ppm) if ppm > 0 else 1.0
    patch = rgb[y0:y1, x0:x1]
    if scale < 1.0:
        size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
        scale = size[0] / patch.shape[1]
        patch = geometry.resize(patch, size, method="area", threads=threads)
    # L*/100 alone (bit for bit rgb_to_lab's L* / 100): no concern reads a* or b*
    # on this grid (the colour concerns read FaceWork.colour_lab).
    gray = color.rgb_to_lightness(patch, divisor=100.0, threads=threads)
    keep = _resample_mask(masks.keep, gray.shape, threads)
    return _make(
        gray,
        (x0, y0),
        scale,
        ppm * scale,
        np.asarray(landmarks)[:, :2],
        keep,
        None,
        polygons,
        yaw=landmark_yaw(landmarks),
        hair=None if masks.hair is None else _resample_mask(masks.hair, gray.shape, threads),
    )


def landmark_yaw(landmarks: np.ndarray) -> float:
    """Head yaw (degrees) of ``(478, 3)`` landmarks; 0 for 2-D or degenerate ones."""
    pts = np.asarray(landmarks)
    if pts.ndim != 2 or pts.shape[1] < 3:
        return 0.0
    try:
        return head_pose(pts[:, :3])[0]
    except ValueError:
        return 0.0


def wing_reach_px(yaw: float, ppm: float) -> tuple[float, float]:
    """:func:`skincore.face.regions.near_wing_reach` in pixels of a grid of ``ppm`` px/mm."""
    right, left = near_wing_reach(yaw)
    return right * ppm, left * ppm


def far_reach_px(yaw: float, ppm: float, reach_mm: float = FAR_NOSE_MM) -> tuple[float, float]:
    """:func:`skincore.face.regions.far_nose_reach` in pixels of a grid of ``ppm`` px/mm.

    Scaled so that full yaw reaches ``reach_mm`` (instead of :data:`FAR_NOSE_MM`).
    """
    k = reach_mm / FAR_NOSE_MM * ppm
    right, left = far_nose_reach(yaw)
    return right * k, left * k
