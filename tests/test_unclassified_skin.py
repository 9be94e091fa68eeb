"""Skin the segmentation leaves unclassified (acne-covered, inflamed) is taken back.

Ground truth: the segmentation of a real test face with a disc of its cheek made
unclassified (skin, hair and clothes all 0 there, as the model reads a severely
acne-covered cheek), the photo's colour there made inflamed, or not skin at all.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from fitted import fitted_faces
from skincore.concerns.work import FaceWork
from skincore.face import unclassified as U
from skincore.face.regions import region_polygons
from skincore.face.skinmask import exclusion_mask, segmented_skin, skin_share
from skincore.face.unclassified import unclassified_skin

ACNE04 = Path(__file__).resolve().parents[2] / "shared" / "data" / "acne04-dev"
NAMES = ("cc0_selfie_30cm", "ccby_london_062", "ccby_london_087")


@pytest.fixture(scope="module")
def faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return fitted_faces(NAMES)


def _disc(shape: tuple[int, int], centre: np.ndarray, radius: float) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return np.hypot(xx - centre[0], yy - centre[1]) <= radius


def _setup(work: FaceWork, lm: np.ndarray, radius_mm: float = 8.0):
    """The work's grid with a disc on the left cheek the model leaves unclassified."""
    seg = work.segmentation
    origin, scale = work.crop[:2], work.colour_scale
    shape = work.colour_lab.shape[:2]
    ppm = work.colour_px_per_mm
    centre_img = region_polygons(lm)["left_cheek"].mean(axis=0)[:2]
    # the disc on the segmentation's grid
    c_seg = (centre_img - np.asarray(seg.origin) + 0.5) * seg.scale - 0.5
    r_seg = radius_mm * ppm / scale * seg.scale
    hole = _disc(seg.skin.shape, c_seg, r_seg)
    blank = dataclasses.replace(
        seg,
        skin=np.where(hole, 0.0, seg.skin).astype(np.float32),
        hair=np.where(hole, 0.0, seg.hair).astype(np.float32),
        clothes=np.where(hole, 0.0, seg.clothes).astype(np.float32),
    )
    c_grid = (centre_img - np.asarray(origin) + 0.5) * scale - 0.5
    disc = _disc(shape, c_grid, radius_mm * ppm)
    skin = segmented_skin(blank, origin, scale, shape)
    excluded = exclusion_mask(lm, origin, scale, shape)
    return blank, origin, scale, ppm, skin, excluded, disc


@pytest.mark.parametrize("name", NAMES)
def test_inflamed_unclassified_skin_is_taken_back(faces, name):
    """A disc the model leaves unclassified whose colour is the skin's made redder
    (a* +12, L* -4: inflamed) is taken back (>= 90 % of it); nothing outside the
    disc changes against the unmodified colour."""
    rgb, lm = faces[name]
    work = FaceWork(rgb, lm)
    blank, origin, scale, ppm, skin, excluded, disc = _setup(work, lm, 14.0)
    lab = work.colour_lab.copy()
    lab[..., 1] = np.where(disc, lab[..., 1] + 12.0, lab[..., 1])
    lab[..., 0] = np.where(disc, lab[..., 0] - 4.0, lab[..., 0])
    got = unclassified_skin(blank, lab, lm, origin, scale, ppm, skin, excluded, threads=1)
    target = disc & _inside(lm, origin, scale, ppm, disc.shape) & ~skin & ~excluded
    assert np.count_nonzero(target) > 500
    assert np.count_nonzero(got & target) >= 0.9 * np.count_nonzero(target)
    plain = unclassified_skin(
        blank, work.colour_lab, lm, origin, scale, ppm, skin, excluded, threads=1
    )
    assert not (got & ~disc & ~plain).any()
    assert not (got & (skin | excluded)).any()


def _inside(lm, origin, scale, ppm, shape) -> np.ndarray:
    """The outline's part at least EDGE_MM inside it, on the grid."""
    from skincore import geometry
    from skincore.face.regions import FACE_OVAL
    from skincore.face.skinmask import to_grid

    oval = to_grid(lm[list(FACE_OVAL)], origin, scale)
    return geometry.fill_polygons([U._inset(oval, U.EDGE_MM * ppm)], shape) > 0


def test_a_little_unclassified_skin_is_the_models_soft_edge(faces):
    """Less than MIN_SHARE of the outline's inner part (a small disc, the strip
    along the face's edge) is not taken back: ordinary faces stay as the model
    reads them."""
    rgb, lm = faces["cc0_selfie_30cm"]
    work = FaceWork(rgb, lm)
    blank, origin, scale, ppm, skin, excluded, disc = _setup(work, lm, 5.0)
    inner = _inside(lm, origin, scale, ppm, disc.shape) & ~excluded
    assert np.count_nonzero(disc & inner) < U.MIN_SHARE * np.count_nonzero(inner)
    lab = work.colour_lab.copy()
    lab[..., 1] = np.where(disc, lab[..., 1] + 12.0, lab[..., 1])
    assert not unclassified_skin(blank, lab, lm, origin, scale, ppm, skin, excluded).any()
    assert not work.colour_unclassified.any()


@pytest.mark.parametrize(
    "colour",
    [(5.0, 0.0, 0.0), (96.0, 0.0, 1.0), (60.0, -20.0, 10.0), (55.0, 5.0, -30.0)],
    ids=["black", "white", "green", "blue"],
)
def test_unclassified_pixels_not_coloured_as_skin_stay_out(faces, colour):
    """Black corners, white lettering, a green or blue object: not skin (the same
    disc keeping the photo's skin colour is taken back)."""
    rgb, lm = faces["cc0_selfie_30cm"]
    work = FaceWork(rgb, lm)
    blank, origin, scale, ppm, skin, excluded, disc = _setup(work, lm, 14.0)
    as_is = unclassified_skin(blank, work.colour_lab, lm, origin, scale, ppm, skin, excluded)
    assert np.count_nonzero(as_is & disc) >= 0.5 * np.count_nonzero(disc)
    lab = work.colour_lab.copy()
    lab[disc] = np.asarray(colour, np.float32)
    got = unclassified_skin(blank, lab, lm, origin, scale, ppm, skin, excluded, threads=1)
    assert not (got & disc).any()


def test_only_well_inside_the_face_outline(faces):
    """Unclassified skin-coloured pixels outside the outline, or within EDGE_MM of
    its edge (the background beside a turned face), are not taken back."""
    rgb, lm = faces["cc0_selfie_30cm"]
    work = FaceWork(rgb, lm)
    seg = work.segmentation
    origin, scale = work.crop[:2], work.colour_scale
    shape = work.colour_lab.shape[:2]
    ppm = work.colour_px_per_mm
    nothing = dataclasses.replace(
        seg,
        skin=np.zeros_like(seg.skin),
        hair=np.zeros_like(seg.hair),
        clothes=np.zeros_like(seg.clothes),
    )
    real_skin = segmented_skin(seg, origin, scale, shape)  # the colour reference
    excluded = exclusion_mask(lm, origin, scale, shape)
    # the whole grid coloured as the face's median skin, the model seeing nothing
    med = np.median(work.colour_lab[real_skin & ~excluded], axis=0)
    lab = np.broadcast_to(med.astype(np.float32), work.colour_lab.shape).copy()
    got = unclassified_skin(nothing, lab, lm, origin, scale, ppm, real_skin & False, excluded)
    assert not got.any()  # no reference skin at all: nothing is taken back
    # the model's skin kept on the left half of the grid only: the right half is
    # unclassified and coloured as skin
    half = real_skin.copy()
    half[:, shape[1] // 2 :] = False
    got = unclassified_skin(nothing, lab, lm, origin, scale, ppm, half, excluded)
    from skincore import geometry
    from skincore.face.regions import FACE_OVAL
    from skincore.face.skinmask import to_grid

    poly = to_grid(lm[list(FACE_OVAL)], origin, scale)
    oval = geometry.fill_polygons([poly.astype(np.float32)], shape) > 0
    assert got.any()
    assert not (got & ~oval).any()
    # every pixel taken back lies EDGE_MM or more inside the outline (to a pixel)
    ys, xs = np.nonzero(got)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    a, b = poly, np.roll(poly, -1, axis=0)
    ab = b - a
    t = np.clip(
        ((pts[:, None, :] - a[None]) * ab[None]).sum(-1) / (ab * ab).sum(-1)[None], 0.0, 1.0
    )
    nearest = a[None] + t[..., None] * ab[None]
    dist = np.hypot(*(pts[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1)
    assert dist.min() >= U.EDGE_MM * ppm - 1.0


def test_rejects_bad_arguments(faces):
    rgb, lm = faces["cc0_selfie_30cm"]
    work = FaceWork(rgb, lm)
    seg, lab = work.segmentation, work.colour_lab
    origin, scale, ppm = work.crop[:2], work.colour_scale, work.colour_px_per_mm
    ok = np.zeros(lab.shape[:2], bool)
    with pytest.raises(ValueError, match="lab"):
        unclassified_skin(seg, lab[..., 0], lm, origin, scale, ppm, ok, ok)
    with pytest.raises(ValueError, match="skin and excluded"):
        unclassified_skin(seg, lab, lm, origin, scale, ppm, ok[1:], ok)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="px_per_mm"):
            unclassified_skin(seg, lab, lm, origin, scale, bad, ok, ok)


def test_work_masks_add_it_and_the_face_check_does_not(faces):
    """FaceWork's colour skin is the model's plus what it left unclassified; the
    face check's skin share (analyze()'s no_face) reads the model's alone."""
    rgb, lm = faces["ccby_london_087"]
    work = FaceWork(rgb, lm)
    model, excluded = work.colour_segmented
    fill = work.colour_unclassified
    skin, excluded2 = work.colour_parts
    assert np.array_equal(skin, model | fill)
    assert np.array_equal(excluded, excluded2)
    assert not (fill & model).any()
    share = skin_share(work.colour, without=fill)
    outline = (work.colour.masks["face_polygon"] > 0) & (work.colour.excluded == 0)
    kept = outline & (work.colour.masks["face"] > 0) & ~fill
    assert share == pytest.approx(np.count_nonzero(kept) / np.count_nonzero(outline))
    # an ordinary face: the model classifies almost all of it
    assert np.count_nonzero(fill & outline) <= 0.03 * np.count_nonzero(outline)


@pytest.mark.skipif(not ACNE04.is_dir(), reason="needs ../shared/data/acne04-dev")
def test_severe_acne_cheek_is_skin():
    """ACNE04 levle3_127: the model reads about half of her acne-covered cheek as
    no class; with the pixels taken back at least 85 % of the outline is skin."""
    from PIL import Image

    from skincore.face.finder import find_faces

    path = next(ACNE04.glob("levle3_127_jpg*.jpg"))
    rgb = np.asarray(Image.open(path).convert("RGB"))
    lm = find_faces(rgb, max_faces=1)[0][1].points
    work = FaceWork(rgb, lm)
    fill = work.colour_unclassified
    outline = (work.colour.masks["face_polygon"] > 0) & (work.colour.excluded == 0)
    model_share = skin_share(work.colour, without=fill)
    share = skin_share(work.colour)
    assert model_share < 0.6
    assert share >= 0.85
    assert np.count_nonzero(fill & outline) >= 0.3 * np.count_nonzero(outline)


def test_inset_known_answers():
    """The outline moved inwards: a square by 2 either way round, a degenerate
    input unchanged."""
    sq = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float64)
    want = np.array([[2, 2], [8, 2], [8, 8], [2, 8]], np.float32)
    np.testing.assert_allclose(U._inset(sq, 2.0), want, atol=1e-5)
    np.testing.assert_allclose(U._inset(sq[::-1], 2.0), want[::-1], atol=1e-5)
    np.testing.assert_array_equal(U._inset(sq, 0.0), sq.astype(np.float32))
    np.testing.assert_array_equal(U._inset(sq[:2], 1.0), sq[:2].astype(np.float32))
