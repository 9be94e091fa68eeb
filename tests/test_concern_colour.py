"""Redness, pigmentation, acne and moles as registered concerns, end to end.

Lesions and a red patch are planted (in optical density, ``tests/synthetic_lesions``)
on a real face photo, the photo is analysed by the public API, and the concerns,
the dialects and the maps must show them where they were planted.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import geometry
from skincore.concerns import acne as A
from skincore.concerns import redness as R
from skincore.concerns.colour_areas import MelaninParams
from skincore.face.regions import EXCLUDED
from skincore.visuals import maps
from synthetic_lesions import RECIPES, Planted, plant, plant_patch

COLOUR = ("redness", "pigmentation", "acne", "moles")


@pytest.fixture(scope="module")
def analyzer():
    return skincore.Analyzer(threads=2, concerns=COLOUR)


@pytest.fixture(scope="module")
def base(analyzer, faces_dir):
    rgb = np.asarray(Image.open(faces_dir / "ccby_london_087.jpg").convert("RGB"))
    return rgb, analyzer.analyze(rgb)


def _cheek_sites(face, n: int, sep_mm: float = 7.0):
    """Points spread over both cheeks' skin, ``sep_mm`` apart."""
    ppm = face.geometry.px_per_mm
    out = []
    for side in ("left_cheek", "right_cheek"):
        poly = face.geometry.regions[side]
        cx, cy = poly.mean(axis=0)
        for dx, dy in ((0, 0), (-1, -1), (1, -1), (-1, 1), (1, 1)):
            out.append((cx + dx * sep_mm * ppm, cy + dy * sep_mm * ppm))
    return out[:n]


def _near(lesions, x, y, tol):
    return [les for les in lesions if abs(les.rect.left + les.rect.width / 2 - x) <= tol
            and abs(les.rect.top + les.rect.height / 2 - y) <= tol]  # fmt: skip


def test_planted_moles_and_spots_are_found_where_planted(analyzer, base):
    rgb, res0 = base
    face0 = res0.faces[0]
    ppm = face0.geometry.px_per_mm
    sites = _cheek_sites(face0, 4)
    kinds = ["mole", "spot", "mole", "spot"]
    planted = [
        Planted(k, x, y, RECIPES[k][0] * ppm) for k, (x, y) in zip(kinds, sites, strict=True)
    ]
    face = analyzer.analyze(plant(rgb, planted)).faces[0]
    # Wiring, not the classifier (tests/test_lesions.py scores kinds): a planted spot
    # must come out as a brown lesion, a spot or (on redder skin) an acne mark.
    marks = [x for x in face.acne.lesions if x.kind == "acne_mark"]
    found = {"mole": face.moles.lesions, "spot": face.pigmentation.spots + marks}
    for p in planted:
        hits = _near(found[p.kind], p.x, p.y, p.radius + ppm)
        assert hits, f"{p.kind} at ({p.x:.0f}, {p.y:.0f}) not found"
        assert 0 < hits[0].confidence < 1
        assert len(hits[0].polygon) >= 3
    assert face.moles.count == len(face.moles.lesions) >= 2


def test_planted_papules_raise_the_acne_count_and_grade(analyzer, base):
    rgb, res0 = base
    face0 = res0.faces[0]
    ppm = face0.geometry.px_per_mm
    sites = _cheek_sites(face0, 8)
    planted = [Planted("papule", x, y, RECIPES["papule"][0] * ppm) for x, y in sites]
    face = analyzer.analyze(plant(rgb, planted)).faces[0]
    acne = face.acne
    active = [les for les in acne.lesions if les.kind in A.ACNE_KINDS]
    recalled = sum(bool(_near(active, p.x, p.y, p.radius + ppm)) for p in planted)
    assert recalled >= 6, recalled
    assert acne.active_count >= face0.acne.active_count + 6
    assert acne.counts == {k: sum(x.kind == k for x in acne.lesions) for k in A.KINDS}
    assert face.grades["acne"].whole.score < face0.grades["acne"].whole.score


def test_red_patch_is_measured_outlined_and_drawn(analyzer, base):
    rgb, res0 = base
    face0 = res0.faces[0]
    poly = face0.geometry.regions["left_cheek"]
    cx, cy = poly.mean(axis=0)
    radius = 8.0 * face0.geometry.px_per_mm
    img, core = plant_patch(rgb, cx, cy, radius, hb=0.15)
    res = analyzer.analyze(img)
    red = res.faces[0].redness
    assert red.area > face0.redness.area
    assert red.zones["left_cheek"] > face0.redness.zones["left_cheek"] + 0.1
    assert any(
        o[:, 0].min() <= cx <= o[:, 0].max() and o[:, 1].min() <= cy <= o[:, 1].max()
        for o in red.outlines
    )
    shaded = np.asarray(maps.red_area(res))
    r, g, b = shaded[int(cy), int(cx)].astype(int)
    assert r > g + 40 and r > b + 40  # red on the patch ...
    assert tuple(shaded[5, 5]) == (255, 255, 255)  # ... on a white background
    # more red area -> a lower score, the severity never decreasing
    g0, g1 = (R.grade(x, R.Params()) for x in (face0.redness, red))
    assert g1.whole.score < g0.whole.score and g1.whole.severity >= g0.whole.severity


def test_no_lesion_on_the_excluded_features(analyzer, base):
    """Lesions planted on the lips, brows and eyes are not reported; cheek ones are."""
    rgb, res0 = base
    face0 = res0.faces[0]
    ppm = face0.geometry.px_per_mm
    regions = face0.geometry.regions
    planted = [
        Planted("mole", *regions["lips"].mean(axis=0), RECIPES["mole"][0] * ppm),
        Planted("papule", *regions["left_brow"].mean(axis=0), RECIPES["papule"][0] * ppm),
        Planted("spot", *regions["right_brow"].mean(axis=0), RECIPES["spot"][0] * ppm),
        Planted("mole", *_cheek_sites(face0, 1)[0], RECIPES["mole"][0] * ppm),
    ]
    res = analyzer.analyze(plant(rgb, planted))
    face = res.faces[0]
    found = face.acne.lesions + face.moles.lesions + face.pigmentation.spots
    assert _near(face.moles.lesions, planted[-1].x, planted[-1].y, planted[-1].radius + ppm)
    features = np.zeros((res.height, res.width), np.uint8)
    for name in EXCLUDED:
        poly = face.geometry.regions.get(name)
        if poly is not None:
            geometry.fill_polygons([poly.astype(np.float32)], features.shape, out=features)
    for les in found:
        x = int(round(les.rect.left + les.rect.width / 2))
        y = int(round(les.rect.top + les.rect.height / 2))
        assert not features[y, x], (les.kind, x, y)
    for p in planted[:3]:
        assert not _near(found, p.x, p.y, p.radius), p


def test_hayashi_bands_and_monotone_score():
    for n, g in ((0, 0), (5, 0), (6, 1), (20, 1), (21, 2), (50, 2), (51, 3), (300, 3)):
        assert A.hayashi_grade(n) == g
    scores = [A.grade(_acne(n), A.Params()).whole.score for n in range(0, 80, 5)]
    assert all(a >= b for a, b in zip(scores[:-1], scores[1:], strict=True))
    assert scores[0] == 100.0


def _acne(n: int):
    from skincore.analysis import Acne

    return Acne(lesions=[], counts={}, active_count=n, skin_area_cm2=100.0)


def test_dialect_fields_and_maps(base):
    rgb, res = base
    face = res.faces[0]
    pro = res.to_dict(
        "ailab-pro",
        return_maps="red_area,brown_area,roi_outline_map",
        return_marks="sensitivity_mark,melanin_mark",
        roi_outline_color={"brown_spot_color": "00FFFF"},
    )["result"]
    for key, kind in (("mole", "mole"), ("brown_spot", "spot"), ("acne_mark", "acne_mark")):
        got = pro[key]
        n = sum(x.kind == kind for x in face.moles.lesions + face.acne.lesions
                + face.pigmentation.spots)  # fmt: skip
        assert len(got["rectangle"]) == len(got["confidence"]) == len(got["polygon"]) == n
    assert pro["sensitivity"]["sensitivity_area"] == pytest.approx(face.redness.area, abs=1e-4)
    assert len(pro["sensitivity_mark"]["polygon"]) == len(face.redness.outlines)
    assert 0 <= pro["melanin"]["melanin_concentration"] <= 100
    assert set(pro["melasma"]) == {"value", "confidence"}
    assert pro["score_info"]["acne_score"] == round(face.grades["acne"].whole.score)
    roi = np.asarray(Image.open(io.BytesIO(base64.b64decode(pro["face_maps"]["roi_outline_map"]))))
    if face.pigmentation.spots or face.acne.counts["acne_mark"]:
        # the custom colour is used for spots and marks
        assert np.any((roi[..., 0] == 0) & (roi[..., 1] == 255) & (roi[..., 3] == 255))
    adv = res.to_dict("ailab-advanced", return_rect_confidence=1)["result"]
    assert len(adv["acne"]["confidence"]) == len(adv["acne"]["rectangle"])
    assert "confidence" not in res.to_dict("ailab-advanced")["result"]["mole"]
    with pytest.raises(skincore.SkinError):
        res.to_dict("ailab-advanced", return_rect_confidence=2)
    ff = res.to_dict("face-field", face_field="acnespotmole,skinface,skinquality", image=rgb)
    item = ff["result"]["face_list"][0]
    asm = item["acnespotmole"]
    assert asm["acne_num"] == len(asm["acne_list"]) == len(face.acne.lesions)
    assert all(a["type"] in (0, 1, 2, 3) and a["left"] <= a["right"] for a in asm["acne_list"])
    assert asm["mole_num"] == face.moles.count
    pics = item["skinface"]["skin_health_check_images"]
    assert set(pics) == {"src_pic", "gray_pic", "brown_pic", "red_pic"}
    assert Image.open(io.BytesIO(base64.b64decode(pics["gray_pic"]))).mode == "L"
    sens = item["skinquality"]["skin_sensitive_check"]
    assert sens == [("0", "1", "2", "2")[face.grades["redness"].whole.severity]]


def test_spots_are_not_counted_below_their_sampling(analyzer, base):
    """Under 2 px/mm the small brown spots are lost (42 ACNE04 photos shrunk to
    1.6 px/mm keep 0.73 of them): the spot list and the freckle count are None
    and every dialect leaves them out, while the brown area is still measured;
    from 2 px/mm they are counted."""
    from skincore.concerns import pigmentation as P
    from skincore.visuals.report import _measured

    rgb, res0 = base
    ppm = res0.faces[0].geometry.px_per_mm
    img = Image.fromarray(rgb)
    got = {}
    for target in (1.8, 2.1):
        f = target / ppm
        small = img.resize((round(img.width * f), round(img.height * f)), Image.LANCZOS)
        got[target] = analyzer.analyze(np.asarray(small))
    assert got[1.8].faces[0].geometry.px_per_mm < P.SPOT_MIN_PX_PER_MM
    pig = got[1.8].faces[0].pigmentation
    assert pig.spots is None and pig.freckles is None
    assert 0 <= pig.brown_area <= 1
    assert "freckle" not in got[1.8].faces[0].grades["pigmentation"].extra
    pro = got[1.8].to_dict("ailab-pro")["result"]
    assert "melanin" in pro and "mole" in pro
    assert "brown_spot" not in pro and "freckle" not in pro
    ff = got[1.8].to_dict("face-field", face_field="acnespotmole")["result"]["face_list"][0]
    assert "acne_num" in ff["acnespotmole"] and "speckle_num" not in ff["acnespotmole"]
    assert "not counted" in _measured("pigmentation", pig)[0]
    # YouCam: no age-spot mask drawn where no spot was counted (the brown area's
    # score stays)
    assert "age_spot_output.png" not in maps.youcam_masks(got[1.8], hd=False)
    assert "age_spot_output.png" in maps.youcam_masks(got[2.1], hd=False)
    fine = got[2.1].faces[0]
    assert fine.geometry.px_per_mm >= P.SPOT_MIN_PX_PER_MM
    assert isinstance(fine.pigmentation.spots, list)
    assert isinstance(fine.pigmentation.freckles, int)
    assert "brown_spot" in got[2.1].to_dict("ailab-pro")["result"]


def test_youcam_masks_and_scores(base):
    _, res = base
    sd = res.to_dict("youcam-sd")
    types = {o["type"] for o in sd["data"]["results"]["output"]}
    assert {"redness", "age_spot", "acne"} <= types
    files = maps.youcam_masks(res, hd=True)
    for name in ("hd_redness_output.png", "hd_acne_output.png", "hd_age_spot_output.png"):
        img = Image.open(io.BytesIO(files[name]))
        assert img.size == (res.width, res.height) and img.mode == "RGBA"


#: Pigmentation's detection with the edge-cut rule off (``MelaninParams.max_cut_share``).
NO_EDGE_CUT = MelaninParams(max_cut_share=2.0)


def _edge_cut_covers(work, band_off, brown_in_band: np.ndarray, band: np.ndarray) -> None:
    """The edge-cut rule alone (``band_off``: the band measured) leaves at most 15 %
    of the band's brown: the shading there hugs the skin's edge (measured:
    687 -> 0, 969 -> 32, 520 -> 62 and 1,000 -> 0 pixels in the four bands)."""
    from skincore.concerns import pigmentation as P

    alone = P.measure(work, band_off).mask.mask > 0
    assert np.count_nonzero(alone & band) <= 0.15 * np.count_nonzero(brown_in_band)


def test_the_shadow_under_the_nose_wings_is_not_brown(sample_path):
    """On the packaged sample (a selfie at 15 cm) the shadow under each nose wing
    reads as a brown crescent unless the band round the nose folds is left out
    (``fold_margin_mm=0`` keeps it); the brown skin elsewhere stays."""
    from skincore.concerns import pigmentation as P
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces

    rgb = np.asarray(Image.open(sample_path).convert("RGB"))
    work = FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points)
    kept = P.measure(work, P.Params(fold_margin_mm=0.0, detection=NO_EDGE_CUT)).mask.mask > 0
    cut = P.measure(work, P.Params(detection=NO_EDGE_CUT)).mask.mask > 0
    band = (work.colour_fold_free(P.Params().fold_margin_mm) == 0) & (work.colour.masks["face"] > 0)
    assert np.count_nonzero(kept & band) >= 300
    assert not np.any(cut & band)
    away = ~geometry.blur_threshold(band, [(3.0 * work.colour_px_per_mm / 1.28, 0.1)], threads=1)
    same = np.count_nonzero((kept == cut) & away) / np.count_nonzero(away)
    assert same >= 0.99
    _edge_cut_covers(work, P.Params(fold_margin_mm=0.0), kept & band, band)


def test_the_sides_of_the_nose_bridge_are_not_brown(sample_path):
    """On the packaged sample (frontal) the shading of each side wall of the nose's
    bridge read as a brown strip beside the inner eye corner unless the band either
    side of its crest is left out (``nose_side_mm=0`` keeps it)."""
    from skincore.concerns import pigmentation as P
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces

    rgb = np.asarray(Image.open(sample_path).convert("RGB"))
    work = FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points)
    kept = P.measure(work, P.Params(nose_side_mm=0.0, detection=NO_EDGE_CUT)).mask.mask > 0
    cut = P.measure(work, P.Params(detection=NO_EDGE_CUT)).mask.mask > 0
    band = work.colour_nose_band(0.0, 0.0, P.NOSE_SIDE_MM) & (work.colour.masks["face"] > 0)
    assert np.count_nonzero(kept & band) >= 0.2 * np.count_nonzero(band)
    assert not np.any(cut & band)
    _edge_cut_covers(work, P.Params(nose_side_mm=0.0), kept & band, band)


def test_the_hairline_is_not_brown(faces_dir):
    """London 136's hair is swept up: the fine hairs and the shadow along her
    hairline read as a brown strip unless the band along the segmented hair is
    left out of what is reported (``hair_margin_mm=0`` keeps it); the band is
    still measured, so the brown elsewhere does not move."""
    from skincore.concerns import pigmentation as P
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces

    rgb = np.asarray(Image.open(faces_dir / "ccby_london_136.jpg").convert("RGB"))
    work = FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points)
    kept = P.measure(work, P.Params(hair_margin_mm=0.0, detection=NO_EDGE_CUT)).mask.mask > 0
    cut = P.measure(work, P.Params(detection=NO_EDGE_CUT)).mask.mask > 0
    band = work.colour_hair_band(P.HAIR_MARGIN_MM) & (work.colour.masks["face"] > 0)
    assert np.count_nonzero(kept & band) >= 300
    assert not np.any(cut & band)
    assert np.array_equal(kept & ~band, cut)
    _edge_cut_covers(work, P.Params(hair_margin_mm=0.0), kept & band, band)
    hair = work.colour.hair > 0
    assert hair.any() and not np.any(band & hair)  # the band is skin beside the hair
    r = round(P.HAIR_MARGIN_MM * work.colour_px_per_mm)
    near = geometry.max_filter(hair.astype(np.float32), r, threads=1) > 0
    assert np.all(work.colour_hair_band(P.HAIR_MARGIN_MM)[near])  # at least the square


def test_the_far_nose_silhouette_is_not_brown(faces_dir):
    """The make-up photo is turned 22 degrees to her right: the shading down the far
    side of her nose read as a strip of brown skin unless the band along the far
    nose outline is left out (``far_nose_mm=0`` keeps it)."""
    from skincore.concerns import pigmentation as P
    from skincore.concerns.work import FaceWork
    from skincore.face.finder import find_faces

    rgb = np.asarray(Image.open(faces_dir / "cc0_darkskin_makeup_3q.jpg").convert("RGB"))
    work = FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points)
    kept = P.measure(work, P.Params(far_nose_mm=0.0, detection=NO_EDGE_CUT)).mask.mask > 0
    cut = P.measure(work, P.Params(detection=NO_EDGE_CUT)).mask.mask > 0
    p = P.Params()
    band = work.colour_nose_band(
        p.fold_margin_mm, p.far_nose_mm, p.nose_side_mm
    ) & ~work.colour_nose_band(p.fold_margin_mm, 0.0, p.nose_side_mm)  # the far band alone
    assert np.count_nonzero(band & (work.colour.masks["face"] > 0)) > 0
    assert np.count_nonzero(kept & band) >= 0.3 * np.count_nonzero(band)
    assert not np.any(cut & band)
    _edge_cut_covers(work, P.Params(far_nose_mm=0.0), kept & band, band)


def test_no_lesion_on_the_nose_folds(base):
    """Lesions planted in the crease round each nose wing (1.5 mm out from the mesh's
    wing outline, 49-48) and on the philtrum are dropped with the band round the
    nose folds (``LesionParams.fold_margin_mm``: the crease's shading gave lesions of
    every kind there), and reported when it is 0; cheek ones are reported either way."""
    from skincore.concerns import acne, moles, pigmentation
    from skincore.concerns.lesions import LesionParams
    from skincore.face.regions import MIRROR

    rgb, res0 = base
    face0 = res0.faces[0]
    ppm = face0.geometry.px_per_mm
    lm = np.asarray(face0.geometry.landmarks, np.float64)[:, :2]
    sites = []
    for a, b in ((49, 48), (MIRROR[49], MIRROR[48])):
        mid = (lm[a] + lm[b]) / 2
        out = mid - lm[4]  # away from the nose tip
        sites.append(mid + 1.5 * ppm * out / np.hypot(*out))
    sites.append((lm[2] + lm[164]) / 2)  # the philtrum, below the subnasale

    def at(kinds, where):
        return [
            Planted(k, x, y, RECIPES[k][0] * ppm) for k, (x, y) in zip(kinds, where, strict=True)
        ]

    planted = at(("papule", "mole", "papule"), sites)
    cheek = at(("papule", "mole"), _cheek_sites(face0, 2))
    img = plant(rgb, planted + cheek)

    def found(fold_margin_mm):
        lp = LesionParams(fold_margin_mm=fold_margin_mm)
        an = skincore.Analyzer(
            threads=2,
            concerns=COLOUR,
            params={
                "acne": acne.Params(lesions=lp),
                "moles": moles.Params(lesions=lp),
                "pigmentation": pigmentation.Params(lesions=lp),
            },
        )
        face = an.analyze(img).faces[0]
        lesions = face.acne.lesions + face.moles.lesions + face.pigmentation.spots
        return [bool(_near(lesions, p.x, p.y, p.radius + ppm)) for p in planted + cheek]

    default, off = found(LesionParams().fold_margin_mm), found(0.0)
    assert default == [False, False, False, True, True], default
    assert sum(off[:3]) >= 2 and off[3:] == [True, True], off
