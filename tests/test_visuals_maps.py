from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from PIL import Image

from skincore.analysis import (
    Analysis,
    Blackheads,
    FaceGeometry,
    FaceResult,
    Meta,
    Pores,
    Pose,
    Quality,
    Rect,
    Roughness,
    WrinkleLine,
    Wrinkles,
    WrinkleZone,
)
from skincore.maps import to_enhanced
from skincore.visuals import maps as M
from skincore.visuals.overlay import render_overlay

W, H = 240, 200


def _meta() -> Meta:
    return Meta("0", "cpu", "0", "id", 0, "png", "RGB", 1, None, {})


def _geometry(regions=None) -> FaceGeometry:
    return FaceGeometry(
        box=Rect(40, 30, 160, 150),
        face_rect=Rect(50, 40, 140, 140),
        score=1.0,
        presence=1.0,
        pose=Pose(0, 0, 0),
        degree=0,
        face_ratio=0.3,
        landmarks=np.zeros((478, 3), np.float32),
        regions=regions or {},
    )


def _line(points, width, deep) -> WrinkleLine:
    p = np.asarray(points, np.float32)
    return WrinkleLine(p, 10.0, 2.0, 0.5, 0.6, width, deep)


def _zone(lines) -> WrinkleZone:
    return WrinkleZone(tuple(lines), 0.3, 0.1, 0.5, 0.01, 0.01, 0.5, 1, 1, (), 100)


def _square(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


PORES = np.array([[60, 60, 4, 0.1], [120, 60, 3, 0.1], [100, 120, 5, 0.1]], np.float32)
BLACKHEADS = np.array([[150, 100, 3, 0.2]], np.float32)
DEEP = [(60, 150), (120, 150)]
FINE = [(150, 40), (150, 90)]


def _face(index=0, shift=0.0, rough=True) -> FaceResult:
    regions = {
        "forehead": _square(40, 40, 140, 80) + shift,
        "nose": _square(90, 100, 110, 140) + shift,
        "left_cheek": _square(30, 100, 80, 140) + shift,
        "right_cheek": _square(130, 100, 180, 140) + shift,
    }
    mask = np.zeros((20, 30), np.uint8)
    mask[5:10, 10:20] = 255  # texture grid at scale 0.5 -> image 20..40 x 10..20 + origin
    concerns = {
        "pores": Pores({}, PORES + np.array([shift, shift, 0, 0], np.float32), 5.0, 0.1, 0.28),
        "blackheads": Blackheads(1, 1.0, BLACKHEADS + np.array([shift, shift, 0, 0], np.float32)),
        "wrinkles": Wrinkles(
            {
                "forehead": _zone([_line(np.add(FINE, shift), 2.0, False)]),
                "left_nasolabial": _zone([_line(np.add(DEEP, shift), 4.0, True)]),
            },
            0.3,
        ),
        "roughness": Roughness(0.1, {}, 0.02, mask, (100, 150), 0.5) if rough else None,
    }
    return FaceResult(
        index=index,
        geometry=_geometry(regions),
        quality=Quality(60.0, None, 0.0),
        concerns=concerns,
    )


PHOTO = np.full((H, W, 3), 170, np.uint8)


def _analysis(faces=None) -> Analysis:
    return Analysis(W, H, [_face()] if faces is None else faces, _meta())


def _alpha(img):
    return np.asarray(img)[..., 3]


def _ring_alpha(img, x, y, r):
    a = _alpha(img)
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    xs = np.round(x + r * np.cos(t)).astype(int)
    ys = np.round(y + r * np.sin(t)).astype(int)
    # the outline is 1 px wide: take the most opaque pixel of each sample's 3x3
    pad = np.pad(a, 1)
    return np.array([pad[yy : yy + 3, xx : xx + 3].max() for xx, yy in zip(xs, ys, strict=True)])


def test_parse_color():
    assert M.parse_color("0000FF") == (0, 0, 255)
    assert M.parse_color("8dfe2a") == (0x8D, 0xFE, 0x2A)
    for bad in ("00FF", "#0000FF", "GGGGGG", "0000FF0", "", None, 255, " 0000FF"):
        with pytest.raises(ValueError):
            M.parse_color(bad)


def test_pores_map_pixels():
    img = M.texture_enhanced_pores(_analysis())
    assert img.mode == "RGBA" and img.size == (W, H)
    arr = np.asarray(img)
    for x, y, r, _ in PORES:
        ring = _ring_alpha(img, x, y, r)
        assert np.all(ring == 255), (x, y, ring)
        assert arr[int(y), int(x), 3] == 0  # an outline, not a disk
    on = arr[..., 3] > 0
    assert np.all(arr[on][:, :3] == (0, 0, 255))
    # transparent away from the pores
    far = np.ones((H, W), bool)
    yy, xx = np.mgrid[:H, :W]
    for x, y, r, _ in PORES:
        far &= np.hypot(xx - x, yy - y) > r + 3
    assert not np.any(on & far)


def test_custom_color_and_blackheads():
    img = M.texture_enhanced_pores(_analysis(), color="00ff00")
    arr = np.asarray(img)
    assert np.all(arr[arr[..., 3] > 0][:, :3] == (0, 255, 0))
    bh = M.texture_enhanced_blackheads(_analysis())
    x, y, r, _ = BLACKHEADS[0]
    assert np.all(_ring_alpha(bh, x, y, r) == 255)
    barr = np.asarray(bh)
    assert np.all(barr[barr[..., 3] > 0][:, :3] == (255, 0, 0))
    with pytest.raises(ValueError):
        M.texture_enhanced_blackheads(_analysis(), color="red")


def test_lines_map():
    img = M.texture_enhanced_lines(_analysis())
    arr = np.asarray(img)
    assert img.size == (W, H)
    for x in range(62, 119, 4):  # deep line y=150, width 4
        assert tuple(arr[150, x]) == (0x6E, 0x99, 0x00, 255)
    for y in range(42, 89, 4):  # fine line x=150, width 2
        assert tuple(arr[y, 150][:3]) == (0x8D, 0xFE, 0x2A) and arr[y, 150, 3] == 255
    assert arr[100, 60, 3] == 0 and arr[10, 10, 3] == 0
    assert np.count_nonzero(arr[..., 3]) < 0.05 * W * H
    # deep line is wider than the fine one
    assert np.count_nonzero(arr[140:160, 90, 3]) > np.count_nonzero(arr[65, 140:160, 3])


def test_rough_area_maps_mask_back():
    img = M.rough_area(_analysis())
    a = _alpha(img)
    # mask rows 5..9, cols 10..19 at scale 0.5 from origin (100, 150)
    # -> image x 120..139, y 160..169
    expect = np.zeros((H, W), bool)
    expect[160:170, 120:140] = True
    np.testing.assert_array_equal(a > 0, expect)
    assert np.all(a[expect] == M.ROUGH_ALPHA)
    with pytest.raises(ValueError):
        M.rough_area(_analysis(), alpha=0)


def test_none_concerns_give_none():
    f = _face()
    f.concerns = {}
    a = _analysis([f])
    assert M.texture_enhanced_pores(a) is None
    assert M.texture_enhanced_blackheads(a) is None
    assert M.texture_enhanced_lines(a) is None
    assert M.rough_area(a) is None
    assert M.youcam_masks(a, hd=True) == {}
    assert M.youcam_masks(a, hd=False) == {}
    assert M.texture_enhanced_bw(_analysis([]), PHOTO) is None


def test_multiple_faces_all_drawn():
    a = _analysis([_face(0), _face(1, shift=30.0, rough=False)])
    img = M.texture_enhanced_pores(a)
    for x, y, r, _ in PORES:
        assert np.all(_ring_alpha(img, x, y, r) == 255)
        assert np.all(_ring_alpha(img, x + 30, y + 30, r) == 255)
    # one face without roughness still draws the other's
    assert np.count_nonzero(_alpha(M.rough_area(a))) == 200


def test_enhanced_bw_round_trip():
    rng = np.random.default_rng(3)
    img = np.full((H, W, 3), 170, np.uint8)
    img += rng.integers(0, 6, img.shape, dtype=np.uint8)
    yy, xx = np.mgrid[:H, :W]
    px, py = 100.0, 120.0
    img[np.hypot(xx - px, yy - py) <= 3] = 40  # a dark pore
    a = Analysis(W, H, [_face()], _meta())
    jpg, info = M.texture_enhanced_bw(a, img)
    bw = np.asarray(Image.open(io.BytesIO(jpg)))
    assert bw.ndim == 2
    assert bw.shape == (round(info.height * info.ratio), round(info.width * info.ratio))
    m = M.BW_MARGIN * 140
    assert info.left == pytest.approx(50 - m) and info.top == pytest.approx(40 - m)
    ex, ey = to_enhanced([px, py], info)
    # the dark spot of the enhanced image is the pore, where the mapping says
    dy, dx = np.nonzero(bw < 60)
    assert len(dx) > 0
    assert np.hypot(dx.mean() - ex, dy.mean() - ey) <= 1.0
    assert bw[int(round(ey)), int(round(ex))] < 60


def test_youcam_mask_names_and_content():
    a = _analysis()
    sd = M.youcam_masks(a, hd=False)
    assert set(sd) == {"pore_output.png", "wrinkle_output.png", "texture_output.png"}
    hd = M.youcam_masks(a, hd=True)
    assert set(hd) == {
        "hd_pore_output_all.png",
        "hd_pore_output_forehead.png",
        "hd_pore_output_nose.png",
        "hd_pore_output_cheek.png",
        "hd_wrinkle_output_all.png",
        "hd_wrinkle_output_forehead.png",
        "hd_wrinkle_output_glabellar.png",
        "hd_wrinkle_output_crowfeet.png",
        "hd_wrinkle_output_periocular.png",
        "hd_wrinkle_output_nasolabial.png",
        "hd_wrinkle_output_marionette.png",
        "hd_texture_output.png",
    }
    dec = {k: Image.open(io.BytesIO(v)) for k, v in hd.items()}
    for k, im in dec.items():
        assert im.format == "PNG" and im.mode == "RGBA" and im.size == (W, H), k
    # forehead pores (60,60), (120,60) in the forehead square; (100,120) on the nose
    fh = dec["hd_pore_output_forehead.png"]
    assert np.all(_ring_alpha(fh, 60, 60, 4) == 255)
    assert np.all(_ring_alpha(fh, 100, 120, 5) == 0)
    nose = dec["hd_pore_output_nose.png"]
    assert np.all(_ring_alpha(nose, 100, 120, 5) == 255)
    assert np.all(_ring_alpha(nose, 60, 60, 4) == 0)
    assert not np.any(_alpha(dec["hd_pore_output_cheek.png"]))
    # the nasolabial line is in its mask and not in the forehead one
    nl = _alpha(dec["hd_wrinkle_output_nasolabial.png"])
    fw = _alpha(dec["hd_wrinkle_output_forehead.png"])
    assert nl[150, 90] == 255 and fw[150, 90] == 0
    assert fw[60, 150] == 255 and nl[60, 150] == 0
    assert not np.any(_alpha(dec["hd_wrinkle_output_glabellar.png"]))
    np.testing.assert_array_equal(_alpha(dec["hd_texture_output.png"]), _alpha(M.rough_area(a)))
    assert M.png_bytes(dec["hd_texture_output.png"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_overlay_draws_on_photo():
    a = _analysis()
    img = render_overlay(a, PHOTO)
    assert img.mode == "RGB" and img.size == (W, H)
    arr = np.asarray(img).astype(int)
    assert tuple(arr[10, 10]) == (170, 170, 170)  # untouched photo
    x, y, r, _ = PORES[0]
    assert tuple(arr[int(y), int(x + r)]) == (0, 0, 255)
    assert tuple(arr[150, 90]) == (0x6E, 0x99, 0x00)
    assert arr[165, 130, 0] > 170 and arr[165, 130, 2] < 170  # orange tint


def test_sample_maps(sample_path, tmp_path):
    """The real sample: maps from its own roughness plus planted detections."""
    import skincore
    from skincore.concerns.roughness import measure_roughness
    from skincore.pipeline import texture_context

    rgb = skincore.load_image(str(sample_path)).rgb
    a = skincore.analyze(rgb, threads=2)
    rough = measure_roughness(texture_context(a, rgb, threads=2), threads=2)
    face = dataclasses.replace(a.faces[0], concerns={**a.faces[0].concerns, "roughness": rough})
    a2 = dataclasses.replace(a, faces=[face])
    img = M.rough_area(a2)
    assert img.size == (a.width, a.height)
    n = np.count_nonzero(_alpha(img))
    expect = np.count_nonzero(rough.mask) / rough.mask_scale**2
    assert n == pytest.approx(expect, rel=0.05)
    over = render_overlay(a2, rgb)
    assert over.size == (a.width, a.height)
