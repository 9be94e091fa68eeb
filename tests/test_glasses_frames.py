"""Glasses frames are not skin: the frame mask and what the concerns leave out.

The segmentation reads a frame on the face as skin. :func:`frame_mask` finds
dark frame bars on a face with glasses and the face work leaves them out with the
eyes and brows. Ground truth: dark plastic frames painted along the landmarks of
the test faces (``synthetic_glasses``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import skincore
from fitted import fitted_faces
from skincore import geometry
from skincore.concerns.work import FaceWork
from skincore.face.glasses import (
    FRAME_MARGIN_MM,
    FRAME_MAX_PIECES,
    FRAME_MIN_EXTENT_MM,
    FrameSearch,
    find_frame,
    frame_mask,
)
from skincore.face.skinmask import exclusion_mask, segmented_skin, to_grid
from synthetic_glasses import frame_pixels, paint_frames

NAMES = (
    "ccby_london_037",
    "ccby_london_062",
    "ccby_london_087",
    "ccby_london_136",
    "ccby_canada_003f",
    "cc0_selfie_30cm",
    "cc0_darkskin_makeup_3q",
)
DARK_CIRCLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "dark-circles"


@pytest.fixture(scope="module")
def faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return fitted_faces(NAMES)


def _on_grid(work: FaceWork, image_mask: np.ndarray) -> np.ndarray:
    """An image-pixel mask area-sampled onto the work's colour grid (half covered)."""
    x0, y0, x1, y1 = work.crop
    h, w = work.colour_lab.shape[:2]
    sub = np.ascontiguousarray(image_mask[y0:y1, x0:x1].astype(np.uint8) * 255)
    return geometry.resize(sub, (w, h), method="area", threads=1) >= 128


def _search(work: FaceWork, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(skin the search sees, landmarks on the grid) of a work's colour grid."""
    o, s, shape = work.colour.origin, work.colour.scale, work.colour_lab.shape[:2]
    skin = segmented_skin(work.segmentation, o, s, shape) & ~exclusion_mask(lm, o, s, shape)
    return skin, to_grid(lm, o, s)


@pytest.mark.parametrize("name", NAMES)
def test_painted_frames_are_found(faces, name):
    """Recall of the painted frame on skin >= 0.85; >= 0.8 of what is marked lies
    within 1.5 mm of it (the mask is grown by the frame's blurred edge)."""
    rgb, lm = faces[name]
    painted = paint_frames(rgb, lm)
    work = FaceWork(painted, lm)
    skin, pts = _search(work, lm)
    found = frame_mask(work.colour_lab[..., 0], pts, work.colour_px_per_mm, skin, threads=1)
    truth = _on_grid(work, frame_pixels(rgb, lm))
    on_skin = truth & skin
    near = geometry.blur_threshold(truth, [(1.5 * work.colour_px_per_mm / 1.28, 0.1)], threads=1)
    recall = np.count_nonzero(found & on_skin) / np.count_nonzero(on_skin)
    precision = np.count_nonzero(found & near) / max(1, np.count_nonzero(found))
    print(f"{name}: frame recall {recall:.2f}, precision {precision:.2f}")
    assert recall >= 0.85 and precision >= 0.8


@pytest.mark.parametrize("name", NAMES)
def test_bare_faces_have_little_frame(faces, name):
    """Without glasses the search marks at most 1.5 % of the skin (face edges, the
    shading at the inner eye corners); it runs only on faces with glasses."""
    rgb, lm = faces[name]
    work = FaceWork(rgb, lm)
    skin, pts = _search(work, lm)
    found = frame_mask(work.colour_lab[..., 0], pts, work.colour_px_per_mm, skin, threads=1)
    assert np.count_nonzero(found) <= 0.015 * np.count_nonzero(skin)
    # and no glasses, so the work's exclusions are the features' alone
    assert not work.glasses.glasses
    o, s, shape = work.colour.origin, work.colour.scale, work.colour_lab.shape[:2]
    assert np.array_equal(work.colour.excluded > 0, exclusion_mask(lm, o, s, shape))


def test_frames_are_left_out_of_every_concern(faces):
    """On a face wearing painted frames the concerns do not measure the frame: at
    least 90 % of it is out of the skin mask, and rough skin, wrinkle lines, pores
    and lesions stay off it; the photo is flagged ``glasses``."""
    rgb, lm = faces["ccby_london_136"]
    painted = paint_frames(rgb, lm)
    face = skincore.analyze(painted).faces[0]
    assert face.quality.glasses
    frame = frame_pixels(rgb, lm)
    # the frame's core: the painted bars less a margin, so a grid cell on it is frame
    work = FaceWork(painted, lm)
    core = geometry.blur_threshold(frame, [(0.5 * work.px_per_mm / 1.28, 0.9)], threads=1)

    def hits(layer, mask_img: np.ndarray) -> int:
        h, w = layer.mask.shape
        ys, xs = np.nonzero(layer.mask)
        # grid cell centre -> image pixel
        xi = np.rint((xs + 0.5) / layer.scale - 0.5 + layer.origin[0]).astype(int)
        yi = np.rint((ys + 0.5) / layer.scale - 0.5 + layer.origin[1]).astype(int)
        ok = (xi >= 0) & (yi >= 0) & (xi < mask_img.shape[1]) & (yi < mask_img.shape[0])
        return int(np.count_nonzero(mask_img[yi[ok], xi[ok]]))

    r = face.roughness
    rough = skincore.analysis.MaskLayer(r.mask, r.mask_origin, r.mask_scale)
    # the frame's core (mostly on skin): >= 90 % of it is left out of the skin
    assert hits(face.skin, core) <= 0.1 * np.count_nonzero(core)
    assert hits(rough, core) == 0
    near = geometry.blur_threshold(
        frame, [(FRAME_MARGIN_MM * work.px_per_mm / 1.28, 0.1)], threads=1
    )

    def on(xy: np.ndarray) -> np.ndarray:
        p = np.rint(np.asarray(xy, np.float64)).astype(int)
        return near[p[:, 1], p[:, 0]]

    for zone in face.wrinkles.zones.values():
        for line in zone.lines:
            assert on(line.points).mean() < 0.5, line
    pores = face.pores
    if pores is not None and len(pores.blobs):
        assert not on(pores.blobs[:, :2]).any()
    centres = np.array([les.center for les in face.lesions()]).reshape(-1, 2)
    assert not on(centres).any()


def test_frame_mask_rejects_bad_arguments(faces):
    rgb, lm = faces["ccby_london_087"]
    light = np.full((50, 60), 60.0, np.float32)
    with pytest.raises(ValueError, match="lightness and skin"):
        frame_mask(light, lm, 3.0, np.ones((50, 61), bool))
    for ppm in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="px_per_mm"):
            frame_mask(light, lm, ppm, np.ones((50, 60), bool))
    # no skin: nothing to search
    assert not frame_mask(light, lm, 3.0, np.zeros((50, 60), bool)).any()


def _bars_in_band(work: FaceWork, lm: np.ndarray, count: int) -> np.ndarray:
    """A flat L* 60 grid with ``count`` separate dark bars (7 x 1 mm, 30 L* darker)
    in the frame search's band: a row 0.2 iod below the eye line, then a row 0.25
    iod above it (the band reaches 0.28 below and 0.30 above)."""
    shape = work.colour_lab.shape[:2]
    ppm = work.colour_px_per_mm
    pts = to_grid(lm, work.colour.origin, work.colour.scale)
    light = np.full(shape, 60.0, np.float32)
    iod = float(np.linalg.norm(pts[33] - pts[263]))
    mid = (pts[33] + pts[263]) / 2
    length, gap, thick = round(7 * ppm), round(5 * ppm), max(1, round(ppm))
    starts = np.arange(mid[0] - 0.7 * iod, mid[0] + 0.7 * iod - length, length + gap)
    spots = [(int(x), int(round(mid[1] + f * iod))) for f in (0.2, -0.25) for x in starts]
    assert count <= len(spots)
    for x, y in spots[:count]:
        light[y : y + thick, x : x + length] = 30.0
    return light


def test_find_frame_counts_its_pieces(faces):
    """Each separate dark bar at least FRAME_MIN_EXTENT_MM long in the band is one
    piece; more than FRAME_MAX_PIECES are creases, not a frame."""
    rgb, lm = faces["cc0_selfie_30cm"]
    work = FaceWork(rgb, lm)
    pts = to_grid(lm, work.colour.origin, work.colour.scale)
    ppm = work.colour_px_per_mm
    skin = np.ones(work.colour_lab.shape[:2], bool)
    assert FRAME_MIN_EXTENT_MM < 7.0
    for count in (0, 3, FRAME_MAX_PIECES, FRAME_MAX_PIECES + 1):
        found = find_frame(_bars_in_band(work, lm, count), pts, ppm, skin, threads=1)
        assert found.pieces == count
        assert found.creases is (count > FRAME_MAX_PIECES)
        assert bool(found.mask.any()) is (count > 0)
        light = _bars_in_band(work, lm, count)
        assert np.array_equal(found.mask, frame_mask(light, pts, ppm, skin))
    assert not FrameSearch(np.zeros((2, 2), bool), FRAME_MAX_PIECES).creases
    assert FrameSearch(np.zeros((2, 2), bool), FRAME_MAX_PIECES + 1).creases


def test_painted_frames_are_worn_and_left_out(faces):
    """Painted frames: the cues read glasses, the search finds a few pieces (a frame),
    the face wears glasses and the frame is left out with the facial features."""
    for name in ("ccby_london_062", "cc0_selfie_30cm"):
        rgb, lm = faces[name]
        work = FaceWork(paint_frames(rgb, lm), lm)
        assert work.glasses.glasses
        assert work.frame is not None and 1 <= work.frame.pieces <= FRAME_MAX_PIECES
        assert work.wears_glasses
        excluded = work.colour.excluded > 0
        assert np.array_equal(excluded, work.colour_parts[1] | work.frame.mask)
        # on the bare face no frame is searched
        bare = FaceWork(rgb, lm)
        assert bare.frame is None and not bare.wears_glasses


@pytest.mark.skipif(not DARK_CIRCLES.is_dir(), reason="needs ../shared/data/dark-circles")
def test_lined_face_is_not_read_as_wearing_glasses():
    """Dark-circle photo img221: a heavily lined face whose creases pass the bridge
    and rim cues. The frame search finds many creases (31 pieces), so the face
    is not read as wearing glasses and its furrows stay skin."""
    from PIL import Image

    from skincore.face.finder import find_faces

    path = next(DARK_CIRCLES.rglob("img221_jpg*.jpg"))
    rgb = np.asarray(Image.open(path).convert("RGB"))
    lm = find_faces(rgb, max_faces=1)[0][1].points
    work = FaceWork(rgb, lm)
    assert work.glasses.glasses  # the cues alone
    assert work.frame is not None and work.frame.pieces > FRAME_MAX_PIECES
    assert not work.wears_glasses
    assert np.array_equal(work.colour.excluded > 0, work.colour_parts[1])
    face = skincore.analyze(rgb).faces[0]
    assert face.quality.glasses is False
