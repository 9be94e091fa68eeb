"""Tone-fair lesion measurements: pale centres against the rim, peaks, cores, marks."""

from __future__ import annotations

import numpy as np
import pytest

import synthetic_lesions as S
from skincore import color
from skincore.concerns.lesion_candidates import (
    _at_peak,
    _core_areas,
    _cut_red,
    _disc_max,
    _rim_mean,
    _tighten,
    _weighted_centres,
    region_pixels,
)
from skincore.concerns.lesion_rules import faded_to_mark
from skincore.concerns.lesions import LesionParams, classify, detect_lesions

LIGHT, DARK = "cc0_selfie_45cm", "ccby_london_062"  # skin L* about 72 and 31


@pytest.fixture(scope="module")
def pustule_recall():
    """Recall of 16 planted pustules per face (two draws of 8), as the benchmark scores it."""
    out = {}
    for name in (LIGHT, DARK):
        f = S.load_face(S.FACES / f"{name}.jpg")
        base = detect_lesions(f.rgb, f.lab, f.skin, f.px_per_mm)
        hit = n = 0
        for seed in (100, 101):
            pl = S.place(f, ["pustule"] * 8, np.random.default_rng(seed))
            img = S.plant(f.rgb, pl)
            found = detect_lesions(img, color.rgb_to_lab(img), f.skin, f.px_per_mm)
            r = S.score(found, pl, base, f.px_per_mm)["pustule"]
            hit, n = hit + r["recalled"], n + r["planted"]
            assert r["correct"] == r["detections"]  # nothing else called a pustule there
        out[name] = hit / n
    return out


def test_pustules_found_on_dark_skin_too(pustule_recall):
    # The same planted pustule gives about half the a* step on skin of L* 31 as
    # on L* 72: with the a* contrast alone (the ACNE04 score before the tone
    # gain and the pale-centre rule) 3 of 16 were found on the dark face, 14
    # on the light one; then 10 and 14 with the head read at the plain
    # centroid's pixel; now 11 and 16 (the head: lightest point near the
    # contrast-weighted centre; a sure head on a nodule-sized region).
    assert pustule_recall[LIGHT] >= 0.9
    assert pustule_recall[DARK] >= 0.65


def test_red_brown_marks_found_on_dark_skin():
    # 8 planted acne marks x 12 draws on each dark face (skin L* 50 and 31). The
    # mark's red contrast (about 0.028) is under the red seed there (raised to
    # 0.026-0.030 by the map's noise), so the mark must be found on the brown map.
    # Measured: 136 of 192 (0.71; 037 70/96, 062 66/96). With 3 draws the share
    # moved by 10 points with the placements alone (the skin reaching the
    # hairline moved them: 38 -> 33 of 48 for the same detector).
    hit = n = 0
    for name in ("ccby_london_037", DARK):
        f = S.load_face(S.FACES / f"{name}.jpg")
        base = detect_lesions(f.rgb, f.lab, f.skin, f.px_per_mm)
        for seed in range(100, 112):
            pl = S.place(f, ["acne_mark"] * 8, np.random.default_rng(seed))
            img = S.plant(f.rgb, pl)
            found = detect_lesions(img, color.rgb_to_lab(img), f.skin, f.px_per_mm)
            r = S.score(found, pl, base, f.px_per_mm)["acne_mark"]
            hit, n = hit + r["recalled"], n + r["planted"]
    assert hit / n >= 0.65


class _Chan:
    def __init__(self, inside: float, core: float) -> None:
        self.inside = np.array([inside])
        self.core = np.array([core])


class _Geom:
    def __init__(self, area: float, n_core: float) -> None:
        self.area = np.array([area])
        self.n_core = np.array([n_core])


def test_rim_mean_leaves_the_core_out():
    # 40 px inside with mean 52, of which 10 core px at 60: the rim's 30 px are at 49.333.
    assert _rim_mean(_Chan(52.0, 60.0), _Geom(40, 10), 0) == pytest.approx(148.0 / 3.0)
    # No rim (all core) or no core value: the region's mean.
    assert _rim_mean(_Chan(52.0, 60.0), _Geom(10, 10), 0) == 52.0
    assert _rim_mean(_Chan(52.0, float("nan")), _Geom(40, 0), 0) == 52.0


def test_at_peak_reads_one_map_where_the_other_peaks():
    labels = np.zeros((5, 6), np.int32)
    labels[1:3, 1:3] = 1
    labels[3, 4:6] = 2
    key = np.zeros((5, 6), np.float32)
    val = np.arange(30, dtype=np.float32).reshape(5, 6)
    key[2, 1] = 5.0  # label 1 peaks at (2, 1)
    key[3, 5] = 1.0  # label 2 peaks at (3, 5)
    out = _at_peak(labels, 3, key, val)  # label 3 absent
    assert out[0] == val[2, 1] and out[1] == val[3, 5]
    assert np.isnan(out[2])


def test_core_area_is_the_half_peak_disc_not_the_halo():
    # A Gaussian bump of haemoglobin (sigma 4 px) over a wide faint halo, labelled out
    # to the halo: the core (excess over the ring >= half the peak) is the disc of
    # radius sigma * sqrt(2 ln 2) = 4.71 px, about 70 px, whatever the labelled extent.
    yy, xx = np.mgrid[0:61, 0:61]
    r2 = (yy - 30.0) ** 2 + (xx - 30.0) ** 2
    hb = (0.2 * np.exp(-r2 / 32.0) + 0.01 * np.exp(-r2 / 800.0)).astype(np.float32)
    labels = (r2 <= 15**2).astype(np.int32)
    core = _core_areas(labels, 1, hb, np.array([0.0]), 0.5, 1)
    assert core[0] == pytest.approx(np.pi * 4.71**2, rel=0.12)
    assert core[0] < 0.2 * labels.sum()


def _red(**kw: float) -> dict[str, float]:
    f = dict(
        area_mm2=30.0,
        core_area_mm2=4.0,
        circularity=0.9,
        dL=-3.0,
        redness=0.08,
        melanin=0.0,
        pale_centre=0.0,
        pale_tone=0.0,
        from_red=1.0,
    )
    f.update(kw)
    return f


def test_nodule_by_its_core_or_its_whole_region():
    p = LesionParams(nodule_by_core=True)
    assert classify(_red(), p) == "papule"  # 6.2 mm with its halo, a 2.3 mm core
    assert classify(_red(core_area_mm2=25.0), p) == "nodule"  # a 5.6 mm core
    assert classify(_red(pale_tone=2.0), p) == "pustule"
    assert classify(_red(), LesionParams()) == "papule"  # default: by the core
    assert classify(_red(), LesionParams(nodule_by_core=False)) == "nodule"  # the whole region


def test_a_faded_red_candidate_is_a_mark_unless_its_darkness_is_shade():
    p = LesionParams()
    # Red-brown (melanin like its redness), as dark as its chromophores explain.
    mark = _red(redness=0.05, melanin=0.045, darkening=1.5, shade=0.0)
    assert faded_to_mark(mark, p)
    assert not faded_to_mark({**mark, "shade": 0.15}, p)  # a fold's shadow
    assert not faded_to_mark({**mark, "melanin": 0.01}, p)  # red only
    assert not faded_to_mark({**mark, "darkening": 0.1}, p)  # not darker: no pigment


def test_tighten_cuts_only_oversized_or_elongated_regions():
    p = LesionParams()
    resp = np.zeros((40, 60), np.float32)
    yy, xx = np.mgrid[0:40, 0:60]
    resp[:] = np.exp(-((xx - 15.0) ** 2 + (yy - 20.0) ** 2) / 50.0)  # a peak on a plateau
    resp[5:35, 2:30] = np.maximum(resp[5:35, 2:30], 0.55)
    local_max = np.full_like(resp, 1.0)
    cand = np.zeros((40, 60), bool)
    cand[5:35, 2:30] = True  # 840 px: over max_px below
    cand[10:14, 45:49] = True  # 16 px, round: untouched
    labels = np.zeros((40, 60), np.int32)
    labels[5:35, 2:30] = 1
    labels[10:14, 45:49] = 2
    out = _tighten(cand, labels, resp, local_max, 400.0, p)
    assert out is not None
    assert np.array_equal(out[:, 40:], cand[:, 40:])
    big = out[:, :40]
    assert big.any() and np.all(resp[:, :40][big] >= p.tight_fraction)
    assert np.count_nonzero(big) < 100
    # Nothing oversized or elongated: nothing to do.
    assert _tighten(cand, labels, resp, local_max, 1000.0, p) is None
    bar = np.zeros((40, 60), np.int32)
    bar[20, 5:35] = 1  # 1 x 30: elongation 30 > max_elongation
    assert _tighten(bar > 0, bar, resp, local_max, 1000.0, p) is not None


def test_weighted_centre_follows_the_contrast_not_the_fringe():
    labels = np.zeros((9, 12), np.int32)
    labels[2:7, 1:11] = 1  # 5 x 10 region, plain centroid x = 5.5
    resp = np.full((9, 12), 0.02, np.float32)
    resp[4, 3] = 0.10  # the lesion's peak
    resp[3:6, 2:5] = np.maximum(resp[3:6, 2:5], 0.06)
    labels[0, 0:2] = 2  # uniform response: the plain centroid
    c = _weighted_centres(labels, 2, resp)
    # weights 0.04 on 8 px around x = 3, 0.08 at x = 3: centre (3, 4) exactly
    assert c[0] == pytest.approx([3.0, 4.0])
    assert c[1] == pytest.approx([0.5, 0.0])
    # the values at the labelled pixels, as detect_lesions hands them, give the same
    pix = region_pixels(labels)
    same = _weighted_centres(labels, 2, None, pix, values=resp[pix.yy, pix.xx])
    np.testing.assert_array_equal(same, c)
    with pytest.raises(ValueError, match="resp"):
        _weighted_centres(labels, 2, None, pix)


def test_disc_max_reads_the_lightest_point_near_the_centre():
    img = np.zeros((20, 20), np.float32)
    img[10, 12] = 5.0  # 2 px right of the centre
    img[10, 16] = 9.0  # 6 px right: outside a radius of 3
    assert _disc_max(img, np.array([10.0, 10.0]), 3.0) == 5.0
    assert _disc_max(img, np.array([10.0, 10.0]), 6.0) == 9.0
    assert _disc_max(img, np.array([12.2, 9.8]), 0.0) == 5.0  # its own pixel


def test_a_nodule_sized_red_region_with_a_sure_head_is_a_pustule():
    p = LesionParams(nodule_by_core=False)  # sized with the halo
    assert classify(_red(pale_tone=2.0), p) == "nodule"  # 6.2 mm, no sure head
    assert classify(_red(pale_tone=p.pustule_sure_pale), p) == "pustule"
    assert classify(_red(pale_tone=p.pustule_sure_pale - 0.1), p) == "nodule"
    p = LesionParams()  # sized by the core: a 5.6 mm core
    assert classify(_red(core_area_mm2=25.0, pale_tone=2.0), p) == "nodule"
    assert classify(_red(core_area_mm2=25.0, pale_tone=p.pustule_sure_pale), p) == "pustule"


def _det(kind: str, x: float, y: float) -> object:
    from skincore.concerns.lesions import Lesion

    return Lesion(kind, (x, y), (x - 1, y - 1, x + 1, y + 1), np.zeros((0, 2)), 1.0, 0.5, {})


def test_confusion_names_what_each_error_was():
    ppm = 2.0
    planted = [
        S.Planted("spot", 10.0, 10.0, 4.0),  # found as a mark: missed, and a false mark on a spot
        S.Planted("mole", 50.0, 10.0, 3.0),  # found: no error
        S.Planted("papule", 90.0, 10.0, 3.0),  # nothing there
    ]
    found = [
        _det("acne_mark", 11.0, 10.0),
        _det("mole", 50.0, 11.0),
        _det("spot", 30.0, 40.0),  # on no planted lesion
        _det("spot", 70.0, 40.0),  # the photo's own (in the baseline): not counted
    ]
    base = [_det("spot", 70.5, 40.0)]
    missed, false = S.confusion(found, planted, base, ppm)
    assert sorted(missed) == [("papule", "-"), ("spot", "acne_mark")]
    assert sorted(false) == [("acne_mark", "spot"), ("spot", "none")]


def test_spots_must_stand_out_of_the_melanin_noise_on_every_side():
    # The benchmark's draws (4 lesions of each kind per draw) on the darkest
    # face: with the fixed side-contrast floor alone (side_noise_factor 0),
    # natural shadows beside the nose, under the eyes and at the hairline come
    # out as false spots (51 over 24 draws); measured against the melanin
    # map's noise, fewer than half as many (20), at a cost of at most a few
    # planted spots (80 -> 78 of 96) and no mole. The light face (its map is
    # 2.7x quieter) is unchanged. Counted over 24 draws: one draw's count moves
    # with the landmarks' rounding (the detector's graph rewrite moved 6 draws'
    # false spots from 14 to 9 without the rule).
    import dataclasses

    counts = {}
    for factor in (0.0, LesionParams().side_noise_factor):
        p = dataclasses.replace(LesionParams(), side_noise_factor=factor)
        for name, draws in ((LIGHT, 6), (DARK, 24)):
            f = S.load_face(S.FACES / f"{name}.jpg")
            base = detect_lesions(f.rgb, f.lab, f.skin, f.px_per_mm, p)
            tot = {"spot": [0, 0, 0], "mole": [0, 0, 0]}
            for seed in range(draws):
                rng = np.random.default_rng(seed)
                kinds = [k for k in S.RECIPES for _ in range(4)]
                rng.shuffle(kinds)
                pl = S.place(f, kinds, rng)
                img = S.plant(f.rgb, pl)
                found = detect_lesions(img, color.rgb_to_lab(img), f.skin, f.px_per_mm, p)
                for kind, r in S.score(found, pl, base, f.px_per_mm).items():
                    if kind in tot:
                        t = tot[kind]
                        t[0] += r["recalled"]
                        t[1] += r["detections"] - r["correct"]
                        t[2] += r["planted"]
            counts[factor, name] = tot
    strict, loose = counts[LesionParams().side_noise_factor, DARK], counts[0.0, DARK]
    assert loose["spot"][1] >= 30, loose
    assert strict["spot"][1] <= loose["spot"][1] / 2, (strict, loose)
    assert strict["spot"][0] >= loose["spot"][0] - 4, (strict, loose)
    assert strict["mole"][0] == loose["mole"][0] >= strict["mole"][2] - 2
    assert counts[0.0, LIGHT] == counts[LesionParams().side_noise_factor, LIGHT]


def test_cut_red_keeps_other_regions_and_labels_the_cores_last():
    p = LesionParams()
    yy, xx = np.mgrid[0:40, 0:60]
    red = np.exp(-((xx - 15.0) ** 2 + (yy - 20.0) ** 2) / 50.0).astype(np.float32)
    red[5:35, 2:30] = np.maximum(red[5:35, 2:30], 0.55)  # a peak on a broad red area
    red[10:14, 45:49] = 0.8  # a small region, labelled first
    red_max = np.full_like(red, 1.0)
    labels = np.zeros((40, 60), np.int32)
    labels[10:14, 45:49] = 1
    labels[5:35, 2:30] = 2  # 840 px: over max_px
    out, kept, given_up = _cut_red(labels, red, red_max, 400.0, 0.5, 3, p, 1)
    assert kept == 1 and given_up is not None
    assert np.array_equal(out == 1, labels == 1)  # untouched
    core = out == 2
    assert int(out.max()) == 2 and core[20, 15]
    assert np.all(red[core] >= p.tight_fraction) and np.count_nonzero(core) < 100
    # every pixel of the cut region is either its core or given up
    assert np.array_equal(core | given_up, labels == 2) and not (core & given_up).any()
    # nothing over-large: the labels come back as they were
    same, k, none = _cut_red(labels, red, red_max, 1000.0, 0.5, 3, p, 1)
    assert same is labels and k == 2 and none is None


def test_marks_inside_a_broad_red_area_are_found_as_its_cut_cores():
    # A faint diffuse red patch (haemoglobin 0.03, radius 6 mm) with 4 acne
    # marks 3 mm from its centre (4 rotations): without the cut the marks and
    # the patch make one red region over max_area_mm2, dropped whole. Measured
    # with / without the cut: 8/16 vs 6, 8 vs 0, 10 vs 5 (the light selfie,
    # Canada 003f, the dark London 037); no false mark either way.
    import dataclasses

    on = LesionParams()
    off = dataclasses.replace(on, cut_red=False)
    hits = {True: 0, False: 0}
    for name in (LIGHT, "ccby_canada_003f", "ccby_london_037"):
        f = S.load_face(S.FACES / f"{name}.jpg")
        ppm = f.px_per_mm
        cx, cy = S.patch_site(f, 12.0)
        patched, _ = S.plant_patch(f.rgb, cx, cy, 6.0 * ppm, hb=0.03)
        for p in (on, off):
            base = detect_lesions(patched, color.rgb_to_lab(patched), f.skin, ppm, p)
            for rot in range(4):
                a = rot * np.pi / 8 + np.arange(4) * np.pi / 2
                pl = [
                    S.Planted(
                        "acne_mark", cx + 3 * ppm * np.cos(t), cy + 3 * ppm * np.sin(t), 2 * ppm
                    )
                    for t in a
                ]
                img = S.plant(patched, pl)
                found = detect_lesions(img, color.rgb_to_lab(img), f.skin, ppm, p)
                r = S.score(found, pl, base, ppm)["acne_mark"]
                assert r["correct"] == r["detections"]
                hits[p.cut_red] += r["recalled"]
    assert hits[True] >= hits[False] + 10


def test_cutting_red_areas_adds_no_detection_on_the_unplanted_faces():
    # The cut cores may only be marks whose darkness their chromophores
    # explain: without that, a nodule at a mouth corner, a mark on a crease of
    # the 60 cm selfie and a 56 mm2 one on London 062's eye shadow appeared.
    import dataclasses

    off = dataclasses.replace(LesionParams(), cut_red=False)
    for path in sorted(S.FACES.glob("*.jpg")):
        f = S.load_face(path)
        got = [
            [
                (d.kind, d.center, d.area_mm2)
                for d in detect_lesions(f.rgb, f.lab, f.skin, f.px_per_mm, p)
            ]
            for p in (LesionParams(), off)
        ]
        assert got[0] == got[1], f.name
