"""FaceWork set-up: the faster composition gives what the public functions give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitted import fitted_faces
from skincore.concerns.work import FaceWork
from skincore.face.beard import beard_mask, beard_texture
from skincore.face.segmentation import segment_face
from skincore.face.skinmask import exclusion_mask, segmented_skin, skin_keep
from skincore.face.unclassified import unclassified_skin

pytest.importorskip("onnxruntime")

FACES = Path(__file__).parent / "data" / "faces"
# a bearded face and a bare one
NAMES = ("ccby_london_037", "cc0_selfie_45cm")


@pytest.fixture(scope="module")
def faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return fitted_faces(NAMES)


def _same_segmentation(a, b) -> None:
    for name in ("skin", "hair", "clothes"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert (a.origin, a.scale, a.up, a.forehead_cap) == (b.origin, b.scale, b.up, b.forehead_cap)


@pytest.mark.parametrize("name", NAMES)
def test_colour_masks_equal_the_public_functions(faces, name):
    rgb, lm = faces[name]
    work = FaceWork(rgb, lm)
    got = work.colour
    seg = segment_face(rgb, lm)
    _same_segmentation(work.segmentation, seg)
    origin, scale, shape = work.crop[:2], work.colour_scale, work.colour_lab.shape[:2]
    beard = beard_mask(rgb, lm, seg, origin, scale, shape)
    excluded = exclusion_mask(lm, origin, scale, shape)
    model = segmented_skin(seg, origin, scale, shape)
    # the model's skin and what it left unclassified that is skin
    fill = unclassified_skin(
        seg, work.colour_lab, lm, origin, scale, work.colour_px_per_mm, model, excluded
    )
    skin = model | fill
    keep = skin_keep(seg, lm, origin, scale, shape, beard=beard, skin=skin, excluded=excluded)
    np.testing.assert_array_equal(got.keep, keep)
    np.testing.assert_array_equal(got.beard > 0, beard)
    np.testing.assert_array_equal(got.excluded > 0, excluded)
    np.testing.assert_array_equal(got.skin > 0, skin)
    np.testing.assert_array_equal(work.colour_unclassified, fill)
    assert set(np.unique(got.keep)) <= {0, 255}
    # the bearded face has a beard, the bare one none
    assert beard.any() == (name == "ccby_london_037")


def test_skin_keep_with_given_parts_equals_computed(faces):
    rgb, lm = faces["ccby_london_037"]
    seg = segment_face(rgb, lm)
    origin, scale, shape = (100, 150), 0.5, (300, 280)
    skin = segmented_skin(seg, origin, scale, shape)
    excluded = exclusion_mask(lm, origin, scale, shape)
    beard = beard_texture(rgb, lm).mask(seg, origin, scale, shape)
    want = skin_keep(seg, lm, origin, scale, shape, beard=beard)
    got = skin_keep(seg, lm, origin, scale, shape, beard=beard, skin=skin, excluded=excluded)
    np.testing.assert_array_equal(got, want)
    # the parts are used: no skin given, nothing kept
    none = skin_keep(seg, lm, origin, scale, shape, skin=np.zeros(shape, bool))
    assert not none.any()


def test_region_polygons_subset_equals_the_full_set(faces):
    from skincore.face.regions import EXCLUDED, region_polygons

    _, lm = faces["cc0_selfie_45cm"]
    full = region_polygons(lm)
    sub = region_polygons(lm, EXCLUDED)
    assert list(sub) == list(EXCLUDED)
    for name, poly in sub.items():
        np.testing.assert_array_equal(poly, full[name])
        assert poly.dtype == np.float32
    with pytest.raises(KeyError):
        region_polygons(lm, ["no_such_region"])


@pytest.mark.parametrize("sigma", [0.6, 1.8, 4.0])
def test_blur_above_equals_the_whole_image_blur(sigma):
    from skincore import geometry
    from skincore.face.skinmask import _blur_above

    rng = np.random.default_rng(7)
    for shape, box in (
        ((90, 70), (30, 40, 20, 35)),  # inside, far from the borders
        ((90, 70), (0, 6, 60, 70)),  # touching the top and right borders
        ((40, 33), (0, 40, 0, 33)),  # everywhere
        ((25, 90), (12, 13, 3, 4)),  # a single pixel's row
    ):
        mask = np.zeros(shape, bool)
        y0, y1, x0, x1 = box
        mask[y0:y1, x0:x1] = rng.random((y1 - y0, x1 - x0)) > 0.7
        blurred = geometry.gaussian_blur(mask.astype(np.float32), sigma, threads=1)
        for level in (0.0, 0.02, 0.5):
            np.testing.assert_array_equal(_blur_above(mask, sigma, level), blurred > level)
    assert not _blur_above(np.zeros((9, 9), bool), sigma, 0.0).any()


def test_crops_are_read_in_place_and_layouts_agree(faces):
    from skincore.face.segmentation import _packed

    a = np.zeros((10, 12, 3), np.uint8)
    assert np.shares_memory(_packed(a[2:5, 3:9]), a)  # row-strided view: no copy
    for odd in (a[:, ::2], a[::-1], np.asfortranarray(a)):
        got = _packed(odd)
        assert got.flags.c_contiguous and not np.shares_memory(got, a)
    rgb, lm = faces["ccby_london_037"]
    seg = segment_face(rgb, lm)
    grid = ((200, 300), 0.5, (300, 300))
    want = beard_mask(rgb, lm, seg, *grid)
    assert want.any()
    fortran = np.asfortranarray(rgb)  # pixels not packed: copied, same answer
    np.testing.assert_array_equal(beard_mask(fortran, lm, seg, *grid), want)
    _same_segmentation(segment_face(fortran, lm), seg)
