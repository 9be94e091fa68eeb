"""Face segmentation head: per-pixel skin, hair and clothes probabilities on the face crop.

The model (``skincore.models.FACE_SEGMENTATION``) is the MIT-licensed skin/clothes/hair
PAN network (MobileNetV3-small encoder) re-exported for a 256x256 input by
``tools/export_face_segmentation.py`` (same weights). It runs on an axis-aligned
square crop around the face and gives three independent sigmoid scores per pixel:

``skin``
    facial and body skin (lips and the eye openings score low).
``hair``
    scalp hair and fringe; beards only in part (most beards and all stubble read as
    skin: :mod:`skincore.face.beard` measures them from the image).
``clothes``
    garments; kept because the model gives it, of little use on the face itself.

Nothing else (eyes, glasses, background) is a class of the model.

Grid convention
---------------
A map of :class:`FaceSegmentation` is a grid whose pixel edges line up with image
pixel edges at ``origin``: an image point ``p`` (pixel centres at integers, as for the
landmarks) lies at grid coordinate ``g = (p - origin + 0.5) * scale - 0.5`` (grid
pixel centres at integers). This is the convention of
:func:`skincore.face.regions.build_masks`, so a map resampled with
:meth:`FaceSegmentation.resample` onto that grid's ``(origin, scale, shape)`` lines
up with its masks.

Preprocessing (exactly)
-----------------------
1. Crop: the square of side ``S = round(CROP_FACTOR * max(w, h))`` image pixels
   centred on the box that holds the face oval and the forehead extended to its
   anatomical maximum (:func:`forehead_cap_points`); ``w, h`` are that box's sides.
   The top-left corner is rounded to an integer pixel. Pixels outside the image
   take the ImageNet mean colour (124, 116, 104), which normalises to about 0.
2. Area-average resize of the uint8 RGB crop to 256x256 (:func:`skincore.geometry.resize`,
   ``method="area"``), so ``scale = 256 / S``. Crops wider than 1023 px are first
   box-averaged by the integer ``k = S // 512`` (``S`` rounded up to a multiple of
   ``k``, blocks aligned on the crop corner, only blocks wholly inside the image
   averaged), which keeps the cost flat for 12 MP photos.
3. ``x = (rgb / 255 - mean) / std`` per channel with the ImageNet mean
   (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), float32, NCHW 1x3x256x256.
4. The output 1x3x256x256 (skin, clothes, hair after a sigmoid) is stored as float32
   maps in [0, 1]. The run is deterministic (same input, same provider, same result).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from skincore import geometry
from skincore._checks import check_rgb8
from skincore.runtime import get_session, run_session

#: Side of the model input (pixels).
INPUT_SIZE = 256
#: Crop side as a multiple of the larger side of the face box (oval + forehead cap).
#: Tighter crops give the hairline more model pixels: on the 12 hand-marked hairline
#: points (London 062, 087, 136, selfie 30 cm) the hair=0.5 crossing lies a median 16 px
#: from the mark at 1.5, 8.5 px at 1.3, 4.5 px at 1.15 and 3.5 px at 1.0; 1.15 keeps
#: some hair and background around the face for context.
CROP_FACTOR = 1.15
#: Maximum forehead height added above the mesh's top ring, as a multiple of the
#: midline brow-to-top-ring height (:func:`forehead_height`). On the four test faces
#: whose hairline was marked by hand (London 062, 087, 136, selfie 30 cm) the hairline
#: lies 0.67-0.99 of that height above point 10; 1.2 leaves a margin for high
#: hairlines, and the segmentation stops the extension at the hair in every other case.
FOREHEAD_CAP = 1.2
#: Output channel order of the model.
CHANNELS = ("skin", "clothes", "hair")

_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
_STD = np.array([0.229, 0.224, 0.225], np.float32)
_PAD_RGB = np.round(_MEAN * 255).astype(np.uint8)

#: Mesh indices of the forehead's top (the face oval's top ring, subject right to left).
TOP_RING = (54, 103, 67, 109, 10, 338, 297, 332, 284)
#: Mesh indices of the upper edge of both eyebrows, inner halves (near the midline).
BROW_TOP = (66, 107, 336, 296)
_FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
    377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67,
    109,
)  # fmt: skip


@dataclass(frozen=True)
class FaceSegmentation:
    """Per-pixel class probabilities on a square, axis-aligned grid around one face.

    Attributes
    ----------
    skin, hair, clothes : numpy.ndarray
        ``(n, n)`` float32 probabilities in [0, 1] (independent sigmoids, not a softmax).
    origin : tuple of float
        (x, y) image pixel whose top-left corner is the grid's top-left corner.
    scale : float
        Grid pixels per image pixel.
    up : tuple of float
        Unit vector (x, y) in the image pointing from the chin to the forehead,
        perpendicular to the eye line (used to extend the forehead).
    forehead_cap : float
        Largest forehead extension above the top ring, in image pixels.
    """

    skin: np.ndarray
    hair: np.ndarray
    clothes: np.ndarray
    origin: tuple[float, float]
    scale: float
    up: tuple[float, float]
    forehead_cap: float

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the maps."""
        return (int(self.skin.shape[0]), int(self.skin.shape[1]))

    def map(self, name: str) -> np.ndarray:
        """Return the map called ``name`` (one of :data:`CHANNELS`)."""
        if name not in CHANNELS:
            raise KeyError(f"no map {name!r}; the maps are {CHANNELS}")
        return np.asarray(getattr(self, name))

    def to_grid(self, image_xy: np.ndarray) -> np.ndarray:
        """Map image points (pixel centres at integers) to grid coordinates."""
        p = np.asarray(image_xy, np.float64)[..., :2]
        return (p - np.asarray(self.origin) + 0.5) * self.scale - 0.5

    def sample(self, name: str, image_xy: np.ndarray) -> np.ndarray:
        """Bilinear value of a map at image points ``(..., 2)``; 0 outside the grid."""
        g = self.to_grid(image_xy)
        return _bilinear(self.map(name), g[..., 0], g[..., 1])

    def resample(
        self,
        name: str,
        origin: tuple[float, float],
        scale: float,
        shape: tuple[int, int],
    ) -> np.ndarray:
        """Resample a map onto another grid of the same image.

        Parameters
        ----------
        name : str
            One of :data:`CHANNELS`.
        origin : tuple of float
            (x, y) of the target grid in image pixels (same convention as :attr:`origin`).
        scale : float
            Target grid pixels per image pixel.
        shape : tuple of int
            (rows, cols) of the target grid.

        Returns
        -------
        numpy.ndarray
            ``shape`` float32, bilinear, 0 outside this segmentation's grid.
        """
        return resample_map(self.map(name), self.origin, self.scale, origin, scale, shape)


def _bilinear(m: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``m`` at grid coordinates; 0 beyond half a pixel outside."""
    h, w = m.shape
    return _bilinear_at(lambda yy, xx: m[yy, xx], h, w, gx, gy)


def _bilinear_at(
    at: Callable[[np.ndarray, np.ndarray], np.ndarray],
    h: int,
    w: int,
    gx: np.ndarray,
    gy: np.ndarray,
) -> np.ndarray:
    """:func:`_bilinear` of an ``(h, w)`` map read through ``at(rows, cols)``.

    Only the four pixels round each sample are read, so a map that is costly to
    compute whole (the luminance of a photo) is computed where it is sampled.
    """
    gx = np.asarray(gx, np.float64)
    gy = np.asarray(gy, np.float64)
    inside = (gx >= -0.5) & (gx <= w - 0.5) & (gy >= -0.5) & (gy <= h - 0.5)
    x = np.clip(gx, 0, w - 1)
    y = np.clip(gy, 0, h - 1)
    x0 = np.minimum(np.floor(x).astype(np.intp), w - 2 if w > 1 else 0)
    y0 = np.minimum(np.floor(y).astype(np.intp), h - 2 if h > 1 else 0)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    fx = (x - x0).astype(np.float32)
    fy = (y - y0).astype(np.float32)
    top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx
    bot = at(y1, x0) * (1 - fx) + at(y1, x1) * fx
    out = top * (1 - fy) + bot * fy
    return np.where(inside, out, np.float32(0)).astype(np.float32)


def luminance_at(rgb: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Bilinear samples of a photo's luminance ``0.299 R + 0.587 G + 0.114 B`` (float32).

    The luminance is computed only at the pixels the samples read (see
    :func:`_bilinear_at`); samples outside the photo are 0.
    """
    h, w = rgb.shape[:2]

    def lum(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        px = rgb[yy, xx].astype(np.float32)
        return px[..., 0] * 0.299 + px[..., 1] * 0.587 + px[..., 2] * 0.114

    return _bilinear_at(lum, h, w, gx, gy)


def resample_map(
    m: np.ndarray,
    src_origin: tuple[float, float],
    src_scale: float,
    origin: tuple[float, float],
    scale: float,
    shape: tuple[int, int],
    *,
    threads: int = 1,
) -> np.ndarray:
    """Resample a map from one image grid to another (bilinear, separable).

    Parameters
    ----------
    m : numpy.ndarray
        ``(h, w)`` float32 map on the source grid.
    src_origin, src_scale : tuple of float, float
        Source grid (see the module's grid convention).
    origin, scale, shape : tuple of float, float, tuple of int
        Target grid origin (image pixels), grid pixels per image pixel, (rows, cols).
    threads : int, default 1
        Kernel threads (the result does not depend on them).

    Returns
    -------
    numpy.ndarray
        ``shape`` float32; 0 where the target lies outside the source grid.
    """
    rows, cols = int(shape[0]), int(shape[1])
    if rows < 0 or cols < 0 or not scale > 0 or not src_scale > 0:
        raise ValueError("shape must be non-negative and scales positive")
    # target pixel centre j -> image coordinate -> source grid coordinate
    jx = np.arange(cols, dtype=np.float64)
    jy = np.arange(rows, dtype=np.float64)
    px = (jx + 0.5) / scale - 0.5 + origin[0]
    py = (jy + 0.5) / scale - 0.5 + origin[1]
    gx = (px - src_origin[0] + 0.5) * src_scale - 0.5
    gy = (py - src_origin[1] + 0.5) * src_scale - 0.5
    mm = np.asarray(m, np.float32)
    out = np.zeros((rows, cols), np.float32)
    if out.size == 0:
        return out
    # separable bilinear, rows first, 0 beyond half a pixel outside (the C++ kernel)
    return geometry.sample_separable(np.ascontiguousarray(mm), gx, gy, out=out, threads=threads)


def _check_landmarks(landmarks: np.ndarray) -> np.ndarray:
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < 468 or pts.shape[1] < 2:
        raise ValueError(f"landmarks: expected (478, 2+) FaceMesh points, got {pts.shape}")
    if not np.isfinite(pts[:, :2]).all():
        raise ValueError("landmarks: not all finite")
    return pts[:, :2]


def face_up(landmarks: np.ndarray) -> np.ndarray:
    """Return the unit vector (x, y) from chin to forehead, perpendicular to the eye line."""
    pts = _check_landmarks(landmarks)
    eye = pts[263] - pts[33]  # subject's left outer corner minus right outer corner
    n = np.array([eye[1], -eye[0]])
    n /= max(float(np.hypot(*n)), 1e-9)
    if np.dot(n, pts[10] - pts[152]) < 0:  # point 10 is above the chin
        n = -n
    return n


def forehead_height(landmarks: np.ndarray) -> float:
    """Return the midline height of the mesh forehead, in image pixels.

    Point 10 (top of the mesh) minus the mean of the inner brow tops
    (:data:`BROW_TOP`), projected on :func:`face_up`.
    """
    pts = _check_landmarks(landmarks)
    up = face_up(pts)
    brow = pts[list(BROW_TOP)] @ up
    return float(max(pts[10] @ up - brow.mean(), 0.0))


def forehead_cap_points(landmarks: np.ndarray, cap: float = FOREHEAD_CAP) -> np.ndarray:
    """Top-ring points moved up by ``cap`` x :func:`forehead_height` (``(9, 2)`` float64)."""
    pts = _check_landmarks(landmarks)
    return pts[list(TOP_RING)] + cap * forehead_height(pts) * face_up(pts)


def crop_square(landmarks: np.ndarray, factor: float | None = None) -> tuple[int, int, int]:
    """Return the segmentation crop ``(x0, y0, side)`` in image pixels (may leave the image).

    Parameters
    ----------
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points in image pixels.
    factor : float, optional
        Side as a multiple of the larger side of the box around the face oval and the
        capped forehead; default :data:`CROP_FACTOR`.

    Returns
    -------
    tuple of int
        Top-left corner and side of the square.
    """
    pts = _check_landmarks(landmarks)
    factor = CROP_FACTOR if factor is None else float(factor)
    box = np.concatenate([pts[list(_FACE_OVAL)], forehead_cap_points(pts)])
    lo, hi = box.min(0), box.max(0)
    side = max(int(round(factor * float(max(hi - lo)))), 8)
    c = (lo + hi) / 2
    return int(np.floor(c[0] - side / 2 + 0.5)), int(np.floor(c[1] - side / 2 + 0.5)), side


def _padded(side: int) -> np.ndarray:
    """Return a ``side`` x ``side`` RGB array of the pad colour (filled row-wise)."""
    out = np.empty((side, side, 3), np.uint8)
    out[:] = np.tile(_PAD_RGB, (side, 1))
    return out


def _crop_padded(rgb: np.ndarray, x0: int, y0: int, side: int) -> np.ndarray:
    """Return the square ``[x0, x0 + side)^2`` of ``rgb``, padded with the mean colour."""
    h, w = rgb.shape[:2]
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    if xa == x0 and ya == y0 and xb == x0 + side and yb == y0 + side:
        return rgb[ya:yb, xa:xb]
    out = _padded(side)
    if xb > xa and yb > ya:
        out[ya - y0 : yb - y0, xa - x0 : xb - x0] = rgb[ya:yb, xa:xb]
    return out


def _packed(a: np.ndarray) -> np.ndarray:
    """Return ``a`` when its pixels are packed within rows (what resize reads), else a copy.

    A crop of a C-contiguous photo is such a row-strided view: resizing it directly
    gives the same result as resizing a contiguous copy, without the copy.
    """
    item = a.itemsize
    packed = a.strides[-1] == item and (a.ndim < 3 or a.strides[-2] == a.shape[-1] * item)
    if packed and a.strides[0] > 0:
        return a
    return np.ascontiguousarray(a)


def _reduced_crop(rgb: np.ndarray, x0: int, y0: int, side: int, threads: int):
    """Crop, box-reduce by an integer ``k`` and pad; return ``(side/k)^2`` pixels and ``k``.

    ``k = max(1, side // 512)`` and ``side`` a multiple of ``k``, so the padded array
    never holds more than 1023^2 pixels whatever the photo's size. Blocks are aligned
    on ``(x0, y0)``; only blocks that lie wholly inside the image are averaged (an
    image-border strip narrower than ``k`` pixels is replaced by the pad colour).
    """
    k = max(1, side // (2 * INPUT_SIZE))
    if k == 1:
        return _packed(_crop_padded(rgb, x0, y0, side)), 1
    h, w = rgb.shape[:2]
    n = side // k
    ia, ja = max(0, -(x0 // k) if x0 < 0 else 0), max(0, -(y0 // k) if y0 < 0 else 0)
    ib, jb = min(n, (w - x0) // k), min(n, (h - y0) // k)
    out = _padded(n)
    if ib > ia and jb > ja:
        region = rgb[y0 + k * ja : y0 + k * jb, x0 + k * ia : x0 + k * ib]
        out[ja:jb, ia:ib] = geometry.resize(region, (ib - ia, jb - ja), threads=threads)
    return out, k


def preprocess(rgb: np.ndarray, landmarks: np.ndarray, *, threads: int = 0):
    """Model input tensor and its grid for one face (steps 1-3 of the module docstring).

    Returns
    -------
    tensor : numpy.ndarray
        1x3x256x256 float32.
    origin : tuple of float
        Crop corner (x0, y0) in image pixels.
    scale : float
        ``256 / side``.
    """
    check_rgb8(rgb)
    x0, y0, side = crop_square(landmarks)
    k = max(1, side // (2 * INPUT_SIZE))
    side = k * -(-side // k)
    crop, k = _reduced_crop(rgb, x0, y0, side, threads)
    small = geometry.resize(crop, (INPUT_SIZE, INPUT_SIZE), method="area", threads=threads)
    # channels first from the start: the same float32 operations per element as
    # normalising (H, W, 3) then transposing, without broadcasting over a last axis of 3
    x = small.transpose(2, 0, 1).astype(np.float32, order="C")
    x *= np.float32(1.0 / 255.0)
    x -= _MEAN[:, None, None]
    x /= _STD[:, None, None]
    tensor = x[None]
    return tensor, (float(x0), float(y0)), INPUT_SIZE / side


def segment_face(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    *,
    session: object | None = None,
    provider: str | None = None,
    threads: int = 0,
) -> FaceSegmentation:
    """Segment skin, hair and clothes around one face.

    Parameters
    ----------
    rgb : numpy.ndarray
        (H, W, 3) uint8 RGB photo.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points of the face in image pixels.
    session : onnxruntime.InferenceSession, optional
        A session of :data:`skincore.models.FACE_SEGMENTATION`; default: the cached one
        from :func:`skincore.runtime.get_session`.
    provider : str, optional
        Execution provider when ``session`` is not given.
    threads : int, default 0
        Intra-op threads of the session (0 = ONNX Runtime's choice) and of the resize.

    Returns
    -------
    FaceSegmentation
        256x256 maps on the crop grid; see the module docstring for the preprocessing.

    Raises
    ------
    ValueError
        If ``rgb`` or ``landmarks`` has the wrong type or shape.
    """
    pts = _check_landmarks(landmarks)
    tensor, origin, scale = preprocess(rgb, pts, threads=threads)
    if session is None:
        from skincore.models import FACE_SEGMENTATION

        session = get_session(FACE_SEGMENTATION, provider=provider, threads=threads)
    return from_output(run_model(session, tensor), pts, origin, scale)


def run_model(session: object, tensor: np.ndarray) -> np.ndarray:
    """Run the segmentation model on a :func:`preprocess` tensor (step 4's raw output).

    Parameters
    ----------
    session : onnxruntime.InferenceSession
        A session of :data:`skincore.models.FACE_SEGMENTATION`.
    tensor : numpy.ndarray
        1x3x256x256 float32 from :func:`preprocess`.

    Returns
    -------
    numpy.ndarray
        1x3x256x256 float32 (skin, clothes, hair after a sigmoid).
    """
    sess: Any = session
    name = sess.get_inputs()[0].name
    (out,) = run_session(sess, None, {name: tensor})
    return np.asarray(out)


def from_output(
    out: np.ndarray, landmarks: np.ndarray, origin: tuple[float, float], scale: float
) -> FaceSegmentation:
    """Make the :class:`FaceSegmentation` of one face from :func:`run_model`'s output.

    Parameters
    ----------
    out : numpy.ndarray
        The model's 1x3x256x256 output for the face's :func:`preprocess` tensor.
    landmarks : numpy.ndarray
        (478, 2+) FaceMesh points of the face in image pixels.
    origin, scale : tuple of float, float
        The crop corner and scale :func:`preprocess` returned with the tensor.

    Returns
    -------
    FaceSegmentation
        As :func:`segment_face` returns it.
    """
    pts = _check_landmarks(landmarks)
    maps = np.asarray(out, np.float32)[0]
    up = face_up(pts)
    return FaceSegmentation(
        skin=np.ascontiguousarray(maps[0]),
        clothes=np.ascontiguousarray(maps[1]),
        hair=np.ascontiguousarray(maps[2]),
        origin=origin,
        scale=float(scale),
        up=(float(up[0]), float(up[1])),
        forehead_cap=FOREHEAD_CAP * forehead_height(pts),
    )
