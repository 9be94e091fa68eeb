"""Lesion, sensitivity and melanin concerns on synthetic lesions planted on real skin."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

import synthetic_lesions as S
from skincore import color, geometry
from skincore.concerns.colour_areas import (
    MelaninParams,
    SensitivityParams,
    melanin,
    sensitivity,
)
from skincore.concerns.lesions import (
    ACNE_KINDS,
    KINDS,
    Lesion,
    LesionParams,
    acne_score,
    classify,
    confidence,
    detect_lesions,
)
from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces

# A light and a dark skin tone (the full table over every face is
# benchmarks/eval_lesions_synthetic.py).
FACE_NAMES = ("cc0_selfie_45cm", "ccby_london_062")


@pytest.fixture(scope="module")
def faces():
    return {n: S.load_face(S.FACES / f"{n}.jpg") for n in FACE_NAMES}


@pytest.fixture(scope="module")
def planted_runs(faces):
    runs = {}
    for name, f in faces.items():
        base = detect_lesions(f.rgb, f.lab, f.skin, f.px_per_mm)
        rng = np.random.default_rng(0)
        kinds = [k for k in S.RECIPES for _ in range(4)]
        rng.shuffle(kinds)
        pl = S.place(f, kinds, rng)
        img = S.plant(f.rgb, pl)
        found = detect_lesions(img, color.rgb_to_lab(img), f.skin, f.px_per_mm)
        runs[name] = (f, pl, base, found)
    return runs


def test_planted_lesions_found_with_their_kind(planted_runs):
    total: dict[str, dict[str, int]] = {}
    for f, pl, base, found in planted_runs.values():
        assert len(pl) == 20
        for kind, r in S.score(found, pl, base, f.px_per_mm).items():
            t = total.setdefault(kind, {})
            for k, v in r.items():
                t[k] = t.get(k, 0) + v
    recall = {k: v["recalled"] / v["planted"] for k, v in total.items()}
    precision = {k: v["correct"] / max(v["detections"], 1) for k, v in total.items()}
    # Measured on these two faces (see the benchmark for every face); bounds
    # a little below what the code achieves so that a regression fails.
    assert recall["mole"] >= 0.85 and precision["mole"] >= 0.85
    assert recall["spot"] >= 0.7 and precision["spot"] >= 0.7
    # 0.857 since the skin mask leaves the upper eyelids out (one planted papule fewer
    # among the kept ones); the synthetic evaluation gives 0.95 over 9 faces.
    assert recall["papule"] >= 0.7 and precision["papule"] >= 0.85
    assert recall["acne_mark"] >= 0.6
    assert precision["pustule"] >= 0.9  # pustules are found rarely but never mislabelled


def test_no_lesion_off_skin_or_on_features(planted_runs):
    for f, _, _, found in planted_runs.values():
        assert found
        for d in found:
            x, y = int(round(d.center[0])), int(round(d.center[1]))
            assert f.skin[y, x] > 0, d
            assert not f.excluded[y, x], d


def test_lesion_records(planted_runs):
    f, _, _, found = planted_runs[FACE_NAMES[0]]
    for d in found:
        assert isinstance(d, Lesion) and d.kind in KINDS
        assert 0.0 < d.confidence < 1.0
        x0, y0, x1, y1 = d.bbox
        assert x0 <= d.center[0] <= x1 and y0 <= d.center[1] <= y1
        assert d.polygon.ndim == 2 and d.polygon.shape[1] == 2
        assert d.area_mm2 > 0
        with pytest.raises(dataclasses.FrozenInstanceError):
            d.kind = "mole"  # type: ignore[misc]
    confs = [d.confidence for d in found]
    assert confs == sorted(confs, reverse=True)
    assert len({round(c, 6) for c in confs}) > 1  # never a constant


def _paint_disc(rgb: np.ndarray, x: float, y: float, radius: float, colour) -> np.ndarray:
    """The photo with a disc of one colour, its edge anti-aliased over a pixel."""
    yy, xx = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]]
    w = np.clip(radius + 0.5 - np.hypot(xx - x, yy - y), 0.0, 1.0)[..., None]
    out = rgb * (1.0 - w) + np.asarray(colour, np.float64) * w
    return np.round(out).astype(np.uint8)


@pytest.mark.parametrize("name", FACE_NAMES)
def test_a_bindi_is_paint_not_a_papule(faces, name):
    # A red bindi (kumkum red, 5 mm across) on light and on dark skin: far redder
    # than the skin around it (a* +30 and more), which no inflamed lesion is.
    f = faces[name]
    ppm = f.px_per_mm
    (spot,) = S.place(f, ["papule"], np.random.default_rng(3))
    base = detect_lesions(f.rgb, f.lab, f.skin, ppm)
    img = _paint_disc(f.rgb, spot.x, spot.y, 2.5 * ppm, (170, 25, 45))
    lab = color.rgb_to_lab(img)

    def on_it(found):
        new = S._new(found, base, ppm)
        return [d for d in new if np.hypot(d.center[0] - spot.x, d.center[1] - spot.y) < 3.5 * ppm]

    found = on_it(detect_lesions(img, lab, f.skin, ppm))
    assert not [d for d in found if d.kind in ACNE_KINDS], found
    # on the light face the rule is what keeps it out (without it: a papule, a*
    # +43); on the dark one the other rules already do
    off = on_it(detect_lesions(img, lab, f.skin, ppm, LesionParams(paint_min_da=np.inf)))
    if name == "cc0_selfie_45cm":
        assert [d for d in off if d.kind in ACNE_KINDS and d.features["da"] >= 20.0], off
    # a planted papule at the same place is still one
    papule = S.plant(f.rgb, [spot])
    found = on_it(detect_lesions(papule, color.rgb_to_lab(papule), f.skin, ppm))
    assert [d for d in found if d.kind == "papule"], found


#: The features of a plain red papule (the rules' known-answer tests vary one).
RED_PAPULE = {
    "from_red": True,
    "area_mm2": 7.0,
    "redness": 0.15,
    "melanin": 0.02,
    "dL": -8.0,
    "da": 8.0,
    "pale_tone": 0.0,
    "circularity": 0.9,
}


def test_paint_rule_known_answers():
    p = LesionParams()
    red = RED_PAPULE
    assert classify({**red, "da": 12.0}, p) == "papule"
    assert classify({**red, "da": 19.9}, p) == "papule"
    assert classify({**red, "da": 20.0}, p) is None
    assert classify({**red, "da": 20.0}, LesionParams(paint_min_da=25.0)) == "papule"


def test_cut_shares_known_answers():
    from skincore.concerns.lesion_candidates import cut_shares, region_pixels

    labels = np.zeros((9, 12), np.int32)
    labels[3:6, 2:5] = 1  # a 3x3 square on the skin
    labels[3:6, 7:10] = 2  # a 3x3 square whose right side touches non-skin
    labels[0:2, 0:2] = 3  # a 2x2 square in the grid's corner
    skin = np.ones(labels.shape, bool)
    skin[:, 10:] = False
    got = cut_shares(labels, 3, skin, region_pixels(labels))
    np.testing.assert_array_equal(cut_shares(labels, 3, skin), got)
    # a 3x3 square's border is its 8 outer pixels; 3 of square 2's touch
    # non-skin; 3 of the corner square's 4 touch the grid's edge
    np.testing.assert_allclose(got, [0.0, 3 / 8, 3 / 4])


def test_cut_rule_known_answers():
    p = LesionParams()
    red = RED_PAPULE
    brown = {
        **red,
        "from_red": False,
        "redness": 0.0,
        "melanin": 0.3,
        "dL": -20.0,
        "da": 0.5,
        "area_mm2": 3.0,
    }
    for f, kind in ((red, "papule"), (brown, "mole")):
        assert classify({**f, "cut_share": 0.0}, p) == kind
        assert classify({**f, "cut_share": 0.19}, p) == kind
        assert classify({**f, "cut_share": 0.2}, p) is None
        assert classify({**f, "cut_share": 0.5}, LesionParams(max_cut_share=0.6)) == kind


def test_the_eye_corner_is_not_a_mole():
    # The outer corner of cc0_selfie_45cm's eye (lashes and the lids' dark
    # angle) reached past the eyes' exclusion margin and was a 7.5 mm2 mole, cut
    # by the mask's edge. Of 70 moles found within 0.1 eye distances of an outer
    # eye corner on the development photos, 52 had a fifth of their border or
    # more on the mask's edge.
    from skincore.face.skinmask import to_grid

    rgb = np.asarray(Image.open(S.FACES / "cc0_selfie_45cm.jpg").convert("RGB"))
    pts = find_faces(rgb, max_faces=1)[0][1].points
    w = FaceWork(rgb, pts)
    m = w.colour
    g = to_grid(np.asarray(pts)[:, :2], m.origin, m.scale)
    iod = float(np.linalg.norm(g[33] - g[263]))

    def at_corners(found):
        return [
            d
            for d in found
            if min(np.hypot(*(np.array(d.center) - g[i])) for i in (33, 263)) < 0.1 * iod
        ]

    args = (w.colour_rgb, w.colour_lab, m.masks["face"], w.colour_px_per_mm)
    off = at_corners(detect_lesions(*args, LesionParams(max_cut_share=2.0)))
    assert [d for d in off if d.kind == "mole" and d.features["cut_share"] >= 0.2], off
    assert not at_corners(detect_lesions(*args))


def test_confidence_and_score_definitions():
    assert confidence(1.0) == pytest.approx(0.5)
    assert confidence(2.0) == pytest.approx(0.875)
    assert confidence(4.0) > confidence(2.0)
    p = LesionParams()
    f = dict(
        area_mm2=4.0,
        circularity=0.9,
        dL=-3.0,
        da=4.0,
        da_rel=4.0,
        da_tone=4.0,
        pale_tone=0.0,
        db=0.0,
        redness=0.08,
        melanin=0.0,
        pale_centre=0.0,
        border_sharpness=5.0,
        red_peak=0.08,
        brown_peak=0.0,
        red_z=8.0,
        brown_z=0.0,
        from_red=1.0,
    )
    assert classify(f, p) == "papule"
    assert classify({**f, "pale_tone": 3.0}, p) == "pustule"
    assert classify({**f, "pale_tone": 1.4, "pale_centre": 3.0}, p) == "papule"  # on the rim
    assert classify({**f, "area_mm2": 40.0}, p) == "nodule"
    assert classify({**f, "area_mm2": 40.0, "pale_tone": 2.0}, p) == "nodule"  # >= 5 mm
    # Blood absorbs: a red region much lighter than its ring is no inflamed lesion.
    assert classify({**f, "dL": 6.0}, p) is None
    assert classify({**f, "redness": 0.01, "melanin": 0.05}, p) == "acne_mark"
    brown = {**f, "from_red": 0.0, "redness": 0.0, "melanin": 0.08, "dL": -6.0}
    assert classify(brown, p) == "spot"
    assert classify({**brown, "melanin": 0.4, "dL": -25.0}, p) == "mole"
    assert classify({**brown, "melanin": 0.0}, p) is None
    # Pigment darkens: a brown excess that is not darker is a hue shift.
    assert classify({**brown, "darkening": 0.1}, p) is None
    # Quantisation leaks ~0.1-0.2 of a spot's contrast into haemoglobin: still a spot;
    # a red-brown mark (about half as red as brown) is an acne mark.
    assert classify({**brown, "redness": 0.015}, p) == "spot"
    assert classify({**brown, "redness": 0.04}, p) == "acne_mark"
    # With the contrast maps at the melanin peak, they decide (the region's mean
    # redness is biased low: its pixels are those where brown dominates).
    peak = {**brown, "redness": 0.0, "brown_peak": 0.08}
    assert classify({**peak, "red_at_brown_peak": 0.04}, p) == "acne_mark"
    assert classify({**peak, "red_at_brown_peak": 0.01}, p) == "spot"
    s1 = acne_score(f, p)
    s2 = acne_score({**f, "red_peak": 0.12, "red_z": 12.0}, p)
    assert 0.0 < s1 < s2 < 1.0
    assert acne_score({**f, "da_tone": 8.0}, p) > s1  # redder in a*: more likely acne
    assert set(ACNE_KINDS) < set(KINDS)


def test_sensitivity_tracks_a_red_patch(faces):
    f = faces[FACE_NAMES[0]]
    site = S.patch_site(f, 12.0)
    img, core = S.plant_patch(f.rgb, *site, 12.0 * f.px_per_mm, hb=0.12)
    r0 = sensitivity(f.rgb, f.skin, f.px_per_mm)
    r1 = sensitivity(img, f.skin, f.px_per_mm)
    patch = core & (f.skin > 0)
    inside = np.count_nonzero(patch & (r1.mask > 0)) / np.count_nonzero(patch)
    assert inside == pytest.approx(1.0, abs=0.2)
    assert r1.area_mm2 > r0.area_mm2
    ex = [
        sensitivity(
            S.plant_patch(f.rgb, *site, 12.0 * f.px_per_mm, hb=0.12 * k)[0], f.skin, f.px_per_mm
        ).excess_mean
        for k in (0.5, 1.0, 2.0)
    ]
    assert ex[0] < ex[1] < ex[2]
    assert 0.0 <= r1.intensity <= 100.0 and 0.0 <= r1.area_fraction <= 1.0


def test_patch_site_keeps_off_the_skin_to_avoid(faces):
    f = faces[FACE_NAMES[0]]
    x0, y0 = S.patch_site(f, 12.0)
    yy, xx = np.mgrid[0 : f.skin.shape[0], 0 : f.skin.shape[1]]
    avoid = np.hypot(xx - x0, yy - y0) <= 6.0 * f.px_per_mm
    x1, y1 = S.patch_site(f, 12.0, avoid=avoid)
    # a disc and a margin of one radius: more than 24 mm from the avoided disc of 6 mm
    assert np.hypot(x1 - x0, y1 - y0) > 30.0 * f.px_per_mm
    assert f.skin[round(y1), round(x1)] > 0
    assert S.patch_site(f, 12.0, avoid=np.zeros_like(avoid)) == (x0, y0)


def test_melanin_monotone_in_concentration(faces):
    for f in faces.values():
        site = S.patch_site(f, 12.0)
        conc = [
            melanin(
                S.plant_patch(f.rgb, *site, 12.0 * f.px_per_mm, hb=0.0, mel=m)[0],
                f.skin,
                f.px_per_mm,
            )
            for m in (0.0, 0.05, 0.1)
        ]
        assert conc[0].concentration < conc[1].concentration < conc[2].concentration


def test_blank_skin_has_no_lesions():
    rng = np.random.default_rng(0)
    rgb = np.clip(np.array([200, 150, 125]) + rng.normal(0, 2, (200, 200, 3)), 0, 255)
    rgb = rgb.astype(np.uint8)
    skin = np.full((200, 200), 255, np.uint8)
    assert detect_lesions(rgb, color.rgb_to_lab(rgb), skin, 4.0) == []
    assert detect_lesions(rgb, color.rgb_to_lab(rgb), np.zeros_like(skin), 4.0) == []
    r = sensitivity(rgb, skin, 4.0)
    assert r.area_fraction < 0.01


def _synthetic_face(tone: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A clean skin-coloured face (no lesion) with eyes, brows, lips, nostrils and hair.

    Shading falls off towards the sides (a face's curvature) and texture noise
    covers the skin; the features are cut out of the skin mask as the face
    segmentation does, so the skin ends right beside dark or red features.
    """
    h, w = 300, 240
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    shade = 1.0 - 0.35 * ((xx - w / 2) / (w / 2)) ** 2  # darker towards the face edge
    rng = np.random.default_rng(5)
    rgb = np.array(tone, np.float64)[None, None, :] * shade[..., None]
    rgb += rng.normal(0.0, 2.0, (h, w, 3))
    skin = ((xx - w / 2) / 110) ** 2 + ((yy - h / 2) / 140) ** 2 <= 1.0

    def ellipse(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
        return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0

    features = [
        (ellipse(80, 120, 22, 9), (40, 30, 25)),  # eyes (dark iris and lashes)
        (ellipse(160, 120, 22, 9), (40, 30, 25)),
        (ellipse(80, 98, 26, 5), (50, 35, 25)),  # brows
        (ellipse(160, 98, 26, 5), (50, 35, 25)),
        (ellipse(120, 225, 34, 11), (170, 60, 70)),  # lips
        (ellipse(108, 180, 6, 4), (30, 15, 15)),  # nostrils
        (ellipse(132, 180, 6, 4), (30, 15, 15)),
        (yy < 40 + 0.002 * (xx - w / 2) ** 2, (35, 25, 20)),  # hair over the forehead
    ]
    for m, col in features:
        rgb[m] = np.array(col) + rng.normal(0.0, 3.0, (int(m.sum()), 3))
        skin &= ~m
    return np.clip(rgb, 0, 255).astype(np.uint8), skin.astype(np.uint8) * np.uint8(255)


@pytest.mark.parametrize("tone", [(225, 180, 160), (190, 140, 110), (110, 75, 55)])
def test_no_lesions_on_a_clean_synthetic_face(tone):
    rgb, skin = _synthetic_face(tone)
    assert detect_lesions(rgb, color.rgb_to_lab(rgb), skin, 3.0) == []
    assert melanin(rgb, skin, 3.0).brown_fraction < 0.01
    assert sensitivity(rgb, skin, 3.0).area_fraction < 0.01
    # The same face with one brown spot and one papule: both found, nothing else.
    spot = S.plant(rgb, [S.Planted("spot", 70.0, 165.0, 6.0), S.Planted("papule", 170, 165, 4.5)])
    found = detect_lesions(spot, color.rgb_to_lab(spot), skin, 3.0)
    assert sorted(d.kind for d in found) == ["papule", "spot"]


def test_brown_area_is_hyperpigmented_skin_only(faces):
    for f in faces.values():
        # Ordinary faces: their own tone is not "brown" (it was 0.25-0.70 with a
        # 25th-percentile baseline); 0.019 and 0.108 measured on these two.
        assert melanin(f.rgb, f.skin, f.px_per_mm).brown_fraction < 0.15
        site = S.patch_site(f, 8.0)
        img, core = S.plant_patch(f.rgb, *site, 8.0 * f.px_per_mm, hb=0.0, mel=0.12)
        m = melanin(img, f.skin, f.px_per_mm)
        # The disc's density is 0.12 / (1 + r**8): half (0.06, the threshold) at
        # its rim, 0.10 at 0.8 of its radius.
        yy, xx = np.mgrid[0 : f.skin.shape[0], 0 : f.skin.shape[1]]
        inner = (np.hypot(xx - site[0], yy - site[1]) <= 0.8 * 8.0 * f.px_per_mm) & (f.skin > 0)
        assert np.count_nonzero(inner & (m.mask > 0)) / np.count_nonzero(inner) >= 0.9
        assert np.count_nonzero(core & (m.mask > 0)) >= 0.5 * np.count_nonzero(core & (f.skin > 0))


def _shade(rgb: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Shade ``rgb`` by ``t`` (h, w): each pixel's optical density times ``1 + t``.

    The shaded side of a turned face is lit by light the skin itself reflected,
    which has the skin's colour: its density grows along the skin's own density
    vector (melanin and haemoglobin included), not along grey, so the
    chromophore split leaves part of it in the melanin map, as on real photos.
    """
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    lin = 10.0 ** (np.log10(np.clip(lin, 1e-4, 1.0)) * (1.0 + t[..., None]))
    out = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)


def _ramp(x: np.ndarray, start: float, end: float) -> np.ndarray:
    """Smooth step from 0 at ``start`` to 1 at ``end``."""
    s = np.clip((x - start) / (end - start), 0.0, 1.0)
    return s * s * (3.0 - 2.0 * s)


@pytest.mark.parametrize("tone", [(190, 140, 110), (110, 75, 55)])
def test_smooth_shading_is_not_brown_and_spots_under_it_are(tone):
    """A face-sized skin oval shaded towards one edge (its density doubled there)."""
    h, w, ppm = 540, 420, 3.0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rng = np.random.default_rng(7)
    flat = np.clip(np.array(tone, np.float64) + rng.normal(0.0, 2.0, (h, w, 3)), 0, 255)
    rgb = _shade(flat.astype(np.uint8), _ramp(xx, 0.55 * w, 0.95 * w))
    skin = (((xx - w / 2) / (0.46 * w)) ** 2 + ((yy - h / 2) / (0.46 * h)) ** 2 <= 1.0).astype(
        np.uint8
    ) * np.uint8(255)
    # Against the plain 15 mm mean the shaded edge is brown (what the 3/4 photo showed),
    # unless the brown along the skin's edge is left out; the plane alone removes it too.
    plain = MelaninParams(background_order=0, max_cut_share=2.0)
    assert melanin(rgb, skin, ppm, plain).brown_fraction > 0.10
    for alone in (dict(max_cut_share=0.2), dict(background_order=1)):
        assert melanin(rgb, skin, ppm, dataclasses.replace(plain, **alone)).brown_fraction < 0.002
    assert melanin(rgb, skin, ppm).brown_fraction < 0.002
    # Brown spots (melanin 0.12, 2 mm) on the shading, up to 1 cm from its edge.
    sites = [(300.0, 200.0), (330.0, 270.0), (360.0, 330.0), (380.0, 220.0), (340.0, 380.0)]
    img = S.plant(rgb, [S.Planted("spot", x, y, 2.0 * ppm) for x, y in sites])
    m = melanin(img, skin, ppm)
    for x, y in sites:
        disc = np.hypot(xx - x, yy - y) <= 1.0 * ppm
        assert np.all(m.mask[disc] > 0), (x, y)
    # the spots' own area (0.37 % of the skin; 0.46 % measured), not the shading
    planted = len(sites) * np.pi * (2.0 * ppm) ** 2 / np.count_nonzero(skin)
    assert m.brown_fraction < 2.0 * planted
    found = detect_lesions(img, color.rgb_to_lab(img), skin, ppm)
    assert sorted(d.kind for d in found) == ["spot"] * len(sites)
    for x, y in sites:
        assert _near_one(found, x, y, 2.0 * ppm)


@pytest.mark.parametrize("tone", [(190, 140, 110), (110, 75, 55)])
def test_brown_hugging_the_skins_edge_is_left_out(tone):
    """A brown patch (melanin 0.12, radius 5 mm) against a hole in the skin (an eye
    left out) has 28 % of its border on the skin's edge: it is left out
    (``max_cut_share``, 0.2), as the shadows that lie there are; the same patch
    2 cm from the hole is brown, and with the rule off both are."""
    h, w, ppm = 540, 420, 3.0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rng = np.random.default_rng(3)
    rgb = np.clip(np.array(tone, np.float64) + rng.normal(0.0, 2.0, (h, w, 3)), 0, 255)
    rgb = rgb.astype(np.uint8)
    oval = ((xx - w / 2) / (0.46 * w)) ** 2 + ((yy - h / 2) / (0.46 * h)) ** 2 <= 1.0
    eye = np.hypot((xx - 150.0) / 2.0, yy - 200.0) <= 12.0  # 24 x 8 mm
    skin = (oval & ~eye).astype(np.uint8) * np.uint8(255)
    r = 5.0 * ppm
    by_eye, core_eye = S.plant_patch(rgb, 150.0, 200.0 + 12.0 + 0.6 * r, r, hb=0.0, mel=0.12)
    img, core_far = S.plant_patch(by_eye, 280.0, 330.0, r, hb=0.0, mel=0.12)
    core_eye &= skin > 0
    on = melanin(img, skin, ppm).mask > 0
    off = melanin(img, skin, ppm, MelaninParams(max_cut_share=2.0)).mask > 0
    assert np.count_nonzero(on & core_eye) == 0
    assert np.count_nonzero(off & core_eye) >= 0.85 * np.count_nonzero(core_eye)
    for m in (on, off):
        assert np.count_nonzero(m & core_far) >= 0.85 * np.count_nonzero(core_far)


def _skin_oval(h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    return ((xx - w / 2) / (0.46 * w)) ** 2 + ((yy - h / 2) / (0.46 * h)) ** 2 <= 1.0


@pytest.mark.parametrize("tone", [(225, 180, 160), (190, 140, 110), (110, 75, 55)])
def test_smooth_shading_is_not_red(tone):
    """A face-sized skin oval shaded towards one edge (its density 2.5 times there).

    Light the skin reflected into a shadow has the skin's colour, so the shading
    leaks into the haemoglobin map too: against the plain 15 mm mean the shaded
    edge reads red (3-15 % of the skin, measured); the plane background
    (``SensitivityParams.background_order``, the default) follows it.
    """
    h, w, ppm = 540, 420, 3.0
    xx = np.mgrid[0:h, 0:w][1].astype(np.float64)
    rng = np.random.default_rng(7)
    flat = np.clip(np.array(tone, np.float64) + rng.normal(0.0, 2.0, (h, w, 3)), 0, 255)
    rgb = _shade(flat.astype(np.uint8), 1.5 * _ramp(xx, 0.55 * w, 0.95 * w))
    skin = _skin_oval(h, w).astype(np.uint8) * np.uint8(255)
    plain = SensitivityParams(background_order=0, max_cut_share=2.0, max_outline_share=2.0)
    assert sensitivity(rgb, skin, ppm, plain).area_fraction > 0.025
    plane = dataclasses.replace(plain, background_order=1)
    assert sensitivity(rgb, skin, ppm, plane).area_fraction < 0.002
    assert sensitivity(rgb, skin, ppm).area_fraction < 0.002


@pytest.mark.parametrize("tone", [(225, 180, 160), (110, 75, 55)])
def test_red_hugging_a_feature_or_the_outline_is_left_out(tone):
    """Red patches (haemoglobin 0.12, radius 6 mm) against an eye left out of the
    skin, 2 cm away from it, and against the face's outline, and a red strip
    2.5 mm wide along the outline (a shaded rim). With the eye as the
    ``features``, the patch against it is left out (``max_cut_share``, 0.2: the
    shadows of the eye sockets and the lids' margins read red there), the strip
    too (half its border on the outline, ``max_outline_share`` 0.45), and the
    other two patches are red: a patch against the outline has a third of its
    border there, and a flush reaches the side of the face. Without
    ``features`` every edge counts at 0.2 and the patch on the outline goes
    too; with both rules off all are red."""
    h, w, ppm = 540, 420, 3.0
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rng = np.random.default_rng(3)
    rgb = np.clip(np.array(tone, np.float64) + rng.normal(0.0, 2.0, (h, w, 3)), 0, 255)
    rgb = rgb.astype(np.uint8)
    eye = np.hypot((xx - 150.0) / 2.0, yy - 200.0) <= 12.0  # 24 x 8 mm
    oval = _skin_oval(h, w)
    skin = (oval & ~eye).astype(np.uint8) * np.uint8(255)
    r = 6.0 * ppm
    img, by_eye = S.plant_patch(rgb, 150.0, 200.0 + 12.0 + 0.6 * r, r, hb=0.12)
    img, far = S.plant_patch(img, 280.0, 330.0, r, hb=0.12)
    img, by_outline = S.plant_patch(img, w / 2 + 0.46 * w - 0.6 * r, 270.0, r, hb=0.12)
    # 80 mm of the left outline, 2.5 mm deep (the distance to the edge along x)
    rho = np.hypot((xx - w / 2) / (0.46 * w), (yy - h / 2) / (0.46 * h))
    strip = (rho <= 1.0) & ((1.0 - rho) * 0.46 * w <= 2.5 * ppm) & (xx < w / 2)
    strip &= (yy > 150) & (yy < 390)
    soft = np.clip(np.asarray(geometry.gaussian_blur(strip.astype(np.float32), 1.0)), 0, 1)
    img = S.plant_density(img, soft, hb=0.12)
    cores = [c & (skin > 0) for c in (by_eye, far, by_outline, strip)]

    def red_shares(**kw: object) -> list[float]:
        m = sensitivity(img, skin, ppm, **kw).mask > 0  # type: ignore[arg-type]
        return [np.count_nonzero(m & c) / np.count_nonzero(c) for c in cores]

    eye_only = red_shares(features=eye)
    assert eye_only[0] == 0.0 and min(eye_only[1:3]) > 0.9 and eye_only[3] == 0.0
    every_edge = red_shares()
    assert every_edge[1] > 0.9 and every_edge[0] == every_edge[2] == every_edge[3] == 0.0
    off = SensitivityParams(max_cut_share=2.0, max_outline_share=2.0)
    assert min(red_shares(features=eye, params=off)[:3]) > 0.9
    assert red_shares(features=eye, params=off)[3] > 0.8
    with pytest.raises(ValueError, match="features"):
        sensitivity(img, skin, ppm, features=eye[:-1])


@pytest.mark.parametrize("tone", [(225, 180, 160), (110, 75, 55)])
def test_redness_threshold_rises_with_the_photos_scatter(tone):
    """A haemoglobin mottle (white noise blurred at 2.5 mm, sigma 0.01 or 0.05
    density) over a skin oval, and a red patch (haemoglobin 0.2, radius 6 mm)
    on it. The mottle of a small compressed photo (sigma 0.05, an excess
    scatter of about 0.037 after the 1.5 mm smoothing) crosses the fixed
    threshold: 12 % of the skin read red (measured), 4 % with the threshold at
    two of its sigmas (``noise_factor``), and the patch is still all found. A
    clean photo (sigma 0.01) keeps the fixed threshold and the same area."""
    h, w, ppm = 540, 420, 3.0
    skin = _skin_oval(h, w).astype(np.uint8) * np.uint8(255)
    rng = np.random.default_rng(5)
    rgb = np.clip(np.array(tone, np.float64) + rng.normal(0.0, 2.0, (h, w, 3)), 0, 255)
    rgb = rgb.astype(np.uint8)
    noise = rng.normal(0.0, 1.0, (h, w)).astype(np.float32)
    field = np.asarray(geometry.gaussian_blur(noise, 2.5 * ppm), np.float64)
    field /= field.std()
    fixed = SensitivityParams(noise_factor=0.0)
    clean = S.plant_density(rgb, field, hb=0.01)
    assert sensitivity(clean, skin, ppm).threshold == fixed.threshold
    np.testing.assert_array_equal(
        sensitivity(clean, skin, ppm).mask, sensitivity(clean, skin, ppm, fixed).mask
    )
    mottled = S.plant_density(rgb, field, hb=0.05)
    before = sensitivity(mottled, skin, ppm, fixed)
    after = sensitivity(mottled, skin, ppm)
    assert before.threshold == fixed.threshold and before.area_fraction > 0.08
    assert 0.06 < after.threshold < 0.09
    assert after.area_fraction < 0.5 * before.area_fraction
    img, core = S.plant_patch(mottled, 280.0, 300.0, 6.0 * ppm, hb=0.2)
    patch = core & (skin > 0)
    found = sensitivity(img, skin, ppm).mask > 0
    assert np.count_nonzero(found & patch) / np.count_nonzero(patch) > 0.95


def _near_one(found: list[Lesion], x: float, y: float, tol: float) -> bool:
    return any(np.hypot(d.center[0] - x, d.center[1] - y) <= tol for d in found)


def test_shading_planted_on_a_real_face_is_not_brown(faces):
    """The 45 cm selfie shaded towards its side: the brown area stays near the face's own."""
    f = faces["cc0_selfie_45cm"]
    xs = np.nonzero(f.skin)[1]
    x0, x1 = float(xs.min()), float(xs.max())
    xx = np.arange(f.skin.shape[1], dtype=np.float64)[None, :].repeat(f.skin.shape[0], 0)
    img = _shade(f.rgb, _ramp(xx, x0 + 0.55 * (x1 - x0), x1))
    plain = melanin(f.rgb, f.skin, f.px_per_mm).brown_fraction
    shaded = melanin(img, f.skin, f.px_per_mm).brown_fraction
    old = MelaninParams(background_order=0, max_cut_share=2.0)
    old_plain = melanin(f.rgb, f.skin, f.px_per_mm, old).brown_fraction
    old_shaded = melanin(img, f.skin, f.px_per_mm, old).brown_fraction
    # measured: 1.2 % -> 2.0 %; the plain mean 1.3 % -> 10.0 %
    assert old_shaded - old_plain > 0.05
    assert shaded - plain < 0.015


def test_plane_background_follows_a_linear_field_to_the_edge():
    """The first-order background follows a linear map up to the mask's edge where it rises."""
    from skincore.concerns.colour_areas import _background

    h, w = 120, 150
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    field = (0.3 + 0.002 * xx - 0.001 * yy).astype(np.float32)
    keep = ((xx - 60) / 50) ** 2 + ((yy - 60) / 45) ** 2 <= 1.0
    n = int(np.count_nonzero(keep))
    mean0 = _background([field], keep, n, 30.0, 1)[0]
    plane = _background([field], keep, n, 30.0, 1, slope_ridge=1e-4)[0]
    span = np.ptp(field[keep])
    # where the field rises to the edge the plane follows it; where it falls the
    # background stays at the mean (above the field: no excess either way)
    assert np.max((field - plane)[keep]) < 2e-3 * span
    rising = keep & (field > mean0 + 0.02 * span)
    assert np.count_nonzero(rising) > 0.2 * n
    assert np.max(np.abs(plane - field)[rising]) < 2e-3 * span
    falling = keep & (field < mean0 - 0.02 * span)
    assert np.count_nonzero(falling) > 0.2 * n
    assert np.max(np.abs(plane - mean0)[falling]) < 2e-3 * span
    # the plain mean misses the rising edge by a sizeable part of the ramp
    assert np.max((field - mean0)[keep]) > 0.15 * span


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"background_order": 2}, "background_order"),
        ({"slope_ridge": 0.0}, "slope_ridge"),
        ({"slope_ridge": float("nan")}, "slope_ridge"),
        ({"max_cut_share": 0.0}, "max_cut_share"),
        ({"max_cut_share": float("nan")}, "max_cut_share"),
    ],
)
def test_colour_background_params_are_checked(params, name):
    rgb = np.full((20, 20, 3), 150, np.uint8)
    skin = np.full((20, 20), 255, np.uint8)
    with pytest.raises(ValueError, match=name):
        melanin(rgb, skin, 3.0, MelaninParams(**params))
    with pytest.raises(ValueError, match=name):
        sensitivity(rgb, skin, 3.0, SensitivityParams(**params))


@pytest.mark.parametrize("factor", [-1.0, float("nan"), float("inf")])
def test_sensitivity_noise_factor_is_checked(factor):
    rgb = np.full((20, 20, 3), 150, np.uint8)
    skin = np.full((20, 20), 255, np.uint8)
    with pytest.raises(ValueError, match="noise_factor"):
        sensitivity(rgb, skin, 3.0, SensitivityParams(noise_factor=factor))
    with pytest.raises(ValueError, match="noise_factor"):
        sensitivity(rgb, np.zeros_like(skin), 3.0, SensitivityParams(noise_factor=factor))


@pytest.mark.parametrize("share", [0.0, -1.0, float("nan")])
def test_sensitivity_outline_share_is_checked(share):
    rgb = np.full((20, 20, 3), 150, np.uint8)
    skin = np.full((20, 20), 255, np.uint8)
    with pytest.raises(ValueError, match="max_outline_share"):
        sensitivity(rgb, skin, 3.0, SensitivityParams(max_outline_share=share))


def test_melanin_reports_only_the_report_skin(faces):
    """``report`` leaves the measurement alone and drops what lies outside it: a
    brown patch planted on a cheek is brown with or without a report mask that
    excludes its left half, and with it the left half holds no brown, the right
    half the same brown as without; a mask of another shape is refused."""
    f = faces["cc0_selfie_45cm"]
    site = S.patch_site(f, 10.0)
    rgb = S.plant_patch(f.rgb, *site, 8.0 * f.px_per_mm, hb=0.0, mel=0.12)[0]
    whole = melanin(rgb, f.skin, f.px_per_mm)
    report = f.skin.copy()
    report[:, : int(site[0])] = 0
    part = melanin(rgb, f.skin, f.px_per_mm, report=report)
    right = np.zeros(f.skin.shape, bool)
    right[:, int(site[0]) :] = True
    assert np.count_nonzero(whole.mask[~right]) > 0
    assert not np.any(part.mask[~right])
    assert np.array_equal(part.mask[right], whole.mask[right])
    assert part.brown_fraction == pytest.approx(
        np.count_nonzero(part.mask) / np.count_nonzero(f.skin[right] > 0)
    )
    with pytest.raises(ValueError, match="report"):
        melanin(rgb, f.skin, f.px_per_mm, report=report[1:])


@pytest.mark.parametrize(
    "name", ["cc0_selfie_45cm", "ccby_london_062", "ccby_london_136", "ccby_canada_003f"]
)
def test_brown_patch_on_a_cheek_is_brown(name):
    """A brown patch (melanin 0.12, radius 8 mm) in the middle of each cheek is brown.

    The cheeks are lighter than the 15 mm background around them (cheekbone
    highlight against the shaded sides of the face and nose): judged against that
    background a patch there read 0-18 % brown; judged against the skin right
    around it, 91-100 %.
    """
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces
    from skincore.geometry import gaussian_blur

    f = S.load_face(S.FACES / f"{name}.jpg")
    rgb = np.asarray(Image.open(S.FACES / f"{name}.jpg").convert("RGB"))
    work = FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points)
    depth = gaussian_blur((f.skin > 0).astype(np.float32), 8.0 * f.px_per_mm)
    yy, xx = np.mgrid[0 : f.skin.shape[0], 0 : f.skin.shape[1]]
    for zone in ("left_cheek", "right_cheek"):
        y, x = np.unravel_index(int(np.argmax(depth * (work.colour.masks[zone] > 0))), depth.shape)
        img, _ = S.plant_patch(f.rgb, float(x), float(y), 8.0 * f.px_per_mm, hb=0.0, mel=0.12)
        m = melanin(img, f.skin, f.px_per_mm)
        inner = (np.hypot(xx - x, yy - y) <= 0.8 * 8.0 * f.px_per_mm) & (f.skin > 0)
        kept = np.count_nonzero(inner & (m.mask > 0)) / np.count_nonzero(inner)
        assert kept >= 0.85, (zone, kept)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"rgb": np.zeros((8, 8, 3), np.float32)}, "rgb"),
        ({"lab": np.zeros((8, 8, 3), np.float64)}, "lab"),
        ({"skin": np.zeros((8, 7), np.uint8)}, "skin"),
        ({"skin": np.zeros((8, 8), np.int32)}, "skin"),
        ({"px_per_mm": 0.0}, "px_per_mm"),
        ({"px_per_mm": float("nan")}, "px_per_mm"),
        ({"px_per_mm": "4"}, "px_per_mm"),
    ],
)
def test_errors_name_the_argument(kwargs, name):
    args = {
        "rgb": np.zeros((8, 8, 3), np.uint8),
        "lab": np.zeros((8, 8, 3), np.float32),
        "skin": np.zeros((8, 8), np.uint8),
        "px_per_mm": 4.0,
        **kwargs,
    }
    with pytest.raises(ValueError, match=name):
        detect_lesions(**args)
    if name != "lab":
        with pytest.raises(ValueError, match=name):
            sensitivity(args["rgb"], args["skin"], args["px_per_mm"])


def test_median3_is_the_exact_median():
    from skincore.concerns.lesion_candidates import median3

    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (23, 31, 3)).astype(np.uint8)
    h, w = a.shape[:2]
    pad = np.pad(a, ((1, 1), (1, 1), (0, 0)), mode="edge")
    stack = np.stack([pad[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], -1)
    assert np.array_equal(median3(a), np.median(stack, axis=-1).astype(np.uint8))


@pytest.mark.parametrize("r", [1, 2, 3, 4, 7, 9, 16])
def test_max_filter_is_the_exact_square_max(r):
    # The peak and extent search of candidates() uses geometry.max_filter.
    from skincore.geometry import max_filter

    rng = np.random.default_rng(r)
    for shape in [(1, 1), (1, 9), (7, 1), (23, 31)]:
        a = rng.normal(size=shape).astype(np.float32)
        pad = np.pad(a, r, constant_values=-np.inf)
        h, w = shape
        want = np.max(
            [pad[dy : dy + h, dx : dx + w] for dy in range(2 * r + 1) for dx in range(2 * r + 1)],
            axis=0,
        )
        assert np.array_equal(max_filter(a, r), want)


def test_elongation_of_known_shapes():
    from skincore.concerns.lesion_candidates import _elongations

    labels = np.zeros((60, 60), np.int32)
    yy, xx = np.mgrid[0:60, 0:60]
    labels[(yy - 15) ** 2 + (xx - 15) ** 2 <= 64] = 1  # disc
    labels[40, 5:15] = 2  # 1 x 10 bar
    labels[((yy - 45) / 5.0) ** 2 + ((xx - 40) / 10.0) ** 2 <= 1] = 3  # 2:1 ellipse
    e = _elongations(labels, 4)  # label 4 absent
    assert e[0] == pytest.approx(1.0, abs=0.02)
    assert e[1] == pytest.approx(10.0, rel=1e-9)
    assert e[2] == pytest.approx(2.0, rel=0.05)
    assert np.isfinite(e[3])


def test_detections_identical_for_any_thread_count(planted_runs):
    f, pl, _, _ = planted_runs[FACE_NAMES[1]]
    img = S.plant(f.rgb, pl)
    lab = color.rgb_to_lab(img)
    runs = [detect_lesions(img, lab, f.skin, f.px_per_mm, threads=t) for t in (1, 2, 3)]
    assert len(runs[0]) > 0
    for other in runs[1:]:
        assert other == runs[0]
        assert all(
            np.array_equal(a.polygon, b.polygon) for a, b in zip(other, runs[0], strict=True)
        )


@pytest.mark.parametrize("n_blobs", [3, 60])
def test_split_by_peaks_windows_and_lookup_agree(monkeypatch, n_blobs):
    # Few peak regions are labelled through their bounding boxes, many through one
    # lookup pass over the image: both give the same labels, split or not.
    from skincore import geometry
    from skincore.concerns import lesion_candidates as L

    rng = np.random.default_rng(n_blobs)
    h, w = 120, 150
    resp = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(n_blobs):
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(1.0, 6.0)
        resp += np.float32(rng.uniform(0.5, 1.0)) * np.exp(
            -((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r)
        ).astype(np.float32)
    cand = resp > 0.2
    peak_max = geometry.max_filter(resp, 2, threads=1)
    got = L._split_by_peaks(cand, resp, 0.3, 2, 1, peak_max)
    for limit in (0, 10**6):  # the lookup pass, the windows
        monkeypatch.setattr(L, "_SPLIT_WINDOWS_MAX", limit)
        other = L._split_by_peaks(cand, resp, 0.3, 2, 1, peak_max)
        np.testing.assert_array_equal(got[0], other[0])
        np.testing.assert_array_equal(got[1], other[1])
    labels, peaks = got
    assert labels.max() == len(peaks) >= 2
    assert np.all(labels[peaks[:, 0], peaks[:, 1]] == np.arange(1, len(peaks) + 1))
    assert np.array_equal(labels > 0, cand & (labels > 0)) and not np.any(labels[~cand])
