"""The whole slice on real photos: analyze(), dialects, schemas, errors, invariances."""

from __future__ import annotations

import io
import json
from importlib.resources import files

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import DIALECTS, Limits, SkinError, analyze, limits_for

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def sample_rgb(sample_path):
    return np.asarray(Image.open(sample_path).convert("RGB"))


@pytest.fixture(scope="module")
def result(sample_path):
    return analyze(sample_path)


def _schema(dialect: str) -> dict:
    return json.loads((files("skincore") / "dialects" / "schemas" / f"{dialect}.json").read_text())


def test_sample_one_face_with_geometry(result):
    assert len(result.faces) == 1
    f = result.faces[0]
    g = f.geometry
    assert result.width == 1152 and result.height == 1536
    assert 600 < g.face_rect.width < 1000
    assert 0.15 < g.face_ratio < 0.6
    assert abs(g.pose.yaw) < 15 and abs(g.pose.roll) < 10
    assert g.degree == round(g.pose.roll)
    assert g.landmarks.shape == (478, 3)
    assert f.quality.out_of_bound == 0.0
    assert f.quality.warnings == ()
    assert 40 < f.quality.skin_lightness < 90
    assert 0.0 <= f.quality.hair_occlusion < 0.15
    assert result.meta.provider in ("CPUExecutionProvider", "CUDAExecutionProvider")
    assert set(result.meta.timings_ms) >= {"decode", "detect", "landmarks", "regions", "tone"}


def test_sample_tone_is_consistent(result):
    t = result.faces[0].tone
    assert t is not None
    assert t.ita_class == skincore.concerns.tone.ita_class(t.ita)
    assert t.ha_class == skincore.concerns.tone.ha_class(t.ha)
    assert 20 < t.ita < 70  # light skin under indoor light
    assert 20 < t.ha < 80
    assert 0.0 <= t.skin_color.confidence <= 1.0
    assert set(t.region_ita) == {"forehead", "nose", "left_cheek", "right_cheek", "chin"}
    assert t.n_pixels > 50_000


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "skincore"])
def test_dialects_validate_against_their_schema(result, dialect):
    doc = result.to_dict(dialect)
    jsonschema.validate(doc, _schema(dialect))
    json.dumps(doc)


def _keys(doc) -> set[str]:
    out: set[str] = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(k)
            out |= _keys(v)
    elif isinstance(doc, list):
        for v in doc:
            out |= _keys(v)
    return out


def test_pro_and_advanced_carry_the_same_measurements(result):
    pro = result.to_dict("ailab-pro")["result"]
    adv = result.to_dict("ailab-advanced")["result"]
    assert pro["skintone_ita"] == adv["skintone_ita"]
    assert pro["skin_hue_ha"] == adv["skin_hue_ha"]
    assert pro["skin_tone"] == adv["skin_color"]
    t = result.faces[0].tone
    assert pro["skintone_ita"]["ITA"] == round(t.ita, 2)


def test_face_field_location_and_color(result):
    doc = result.to_dict("face-field")
    assert doc["result"]["face_num"] == 1
    face = doc["result"]["face_list"][0]
    b = result.faces[0].geometry.box
    assert face["location"]["left"] == round(b.left, 2)
    # The document's default: only face_token and location.
    assert set(face) == {"face_token", "location"}
    face = result.to_dict("face-field", face_field="color,smooth")["result"]["face_list"][0]
    assert face["skin"]["color"] == result.faces[0].tone.ita_class + 1
    assert set(face) == {"face_token", "location", "skin"}
    with pytest.raises(SkinError) as e:
        result.to_dict("face-field", face_field="color,bogus")
    assert e.value.code == "invalid_argument" and "bogus" in e.value.detail


def test_native_dialect_roundtrips_json(result):
    doc = json.loads(result.to_json("skincore"))
    assert doc["faces"][0]["concerns"]["tone"]["ita_class"] == result.faces[0].tone.ita_class
    assert doc["not_implemented"] == []  # every concern a dialect names exists
    assert "pore_segs_type" in str(doc["not_implemented_fields"]["face-field"])
    assert len(doc["faces"][0]["geometry"]["landmarks"]) == 478
    g = doc["faces"][0]["grades"]["pores"]["zones"]["forehead"]
    assert g["severity"] == result.faces[0].grades["pores"].zones["forehead"].severity


def test_unknown_dialect(result):
    with pytest.raises(SkinError) as e:
        result.to_dict("acme")
    assert e.value.code == "invalid_argument"


def test_darker_skin_has_lower_ita(result, faces_dir):
    dark = analyze(faces_dir / "ccby_london_062.jpg").faces[0].tone
    assert dark.ita < result.faces[0].tone.ita - 20
    assert dark.ita_class >= 4


def test_two_faces_largest_first(sample_rgb, faces_dir):
    other = np.asarray(Image.open(faces_dir / "cc0_selfie_45cm.jpg").convert("RGB"))
    h = max(sample_rgb.shape[0], other.shape[0])
    canvas = np.full((h, sample_rgb.shape[1] + other.shape[1], 3), 255, np.uint8)
    canvas[: sample_rgb.shape[0], : sample_rgb.shape[1]] = sample_rgb
    canvas[: other.shape[0], sample_rgb.shape[1] :] = other
    both = analyze(canvas, max_faces=2)
    assert len(both.faces) == 2
    w0, w1 = (f.geometry.box.width for f in both.faces)
    assert w0 > w1
    doc = both.to_dict("face-field")
    assert doc["result"]["face_num"] == 2
    jsonschema.validate(doc, _schema("face-field"))
    assert len(analyze(canvas, max_faces=1).faces) == 1
    with pytest.raises(SkinError) as e:
        analyze(canvas, max_faces=1, multiple_faces="error")
    assert e.value.code == "too_many_faces"


def test_no_face(rng):
    noise = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    with pytest.raises(SkinError) as e:
        analyze(noise)
    assert e.value.code == "no_face"
    with pytest.raises(SkinError) as e:
        analyze(np.full((480, 640, 3), 128, np.uint8))
    assert e.value.code == "no_face"
    # the detail says what a photo must show
    assert "whole face" in e.value.detail and "close-ups" in e.value.detail


def test_face_too_small_for_youcam(faces_dir):
    path = faces_dir / "cc0_selfie_60cm.jpg"
    assert len(analyze(path).faces) == 1
    with pytest.raises(SkinError) as e:
        analyze(path, limits=limits_for("youcam-sd"))
    assert e.value.code == "face_too_small"
    with pytest.raises(SkinError) as e:
        analyze(path, limits=Limits(min_face_px=5000))
    assert e.value.code == "face_too_small"


def test_face_out_of_bound(sample_rgb):
    cut = np.ascontiguousarray(sample_rgb[:, 420:])  # the subject's right half is cut off
    with pytest.raises(SkinError) as e:
        analyze(cut)
    assert e.value.code in ("face_out_of_bound", "no_face")
    if e.value.code == "face_out_of_bound":
        assert e.value.context["out_of_bound"] > 0.1


def test_lighting_dark(sample_rgb):
    dark = (sample_rgb.astype(np.float32) * 0.12).astype(np.uint8)
    with pytest.raises(SkinError) as e:
        analyze(dark)
    assert e.value.code in ("lighting_dark", "no_face")
    dim = (sample_rgb.astype(np.float32) * 0.2).astype(np.uint8)
    with pytest.raises(SkinError) as e:
        analyze(dim)
    assert e.value.code == "lighting_dark"
    assert e.value.context["skin_lightness"] < 20
    assert analyze(dim, limits=Limits(min_skin_lightness=None)).faces[0].tone.ita_class == 6


def test_face_without_segmented_skin_is_no_face(sample_rgb, monkeypatch):
    """A mesh whose outline the segmentation does not read as skin is not measured."""
    import dataclasses

    from skincore.concerns import work as work_mod
    from skincore.face.skinmask import skin_share

    real = work_mod.from_output  # where FaceWork makes its segmentation

    def no_skin(*args, **kwargs):
        # Skin left only in one 16-px block in seven, spread over the grid.
        seg = real(*args, **kwargs)
        yy, xx = np.indices(seg.skin.shape)
        keep = (yy // 16 + xx // 16) % 7 == 0
        return dataclasses.replace(seg, skin=np.where(keep, seg.skin, 0).astype(seg.skin.dtype))

    face = work_mod.FaceWork(sample_rgb, skincore.face.find_faces(sample_rgb)[0][1].points)
    assert skin_share(face.colour) > 0.9  # a real face keeps nearly all its outline
    monkeypatch.setattr(work_mod, "from_output", no_skin)
    with pytest.raises(SkinError) as e:
        analyze(sample_rgb, concerns=["tone"])
    assert e.value.code == "no_face" and "skin" in e.value.detail
    assert e.value.context["skin_share"] < 0.2 and e.value.context["min_skin_share"] == 0.2
    # The check can be switched off (then the face is measured on what is left).
    r = analyze(sample_rgb, concerns=["tone"], limits=Limits(min_skin_share=None))
    assert len(r.faces) == 1


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.2", True])
def test_min_skin_share_is_checked(bad):
    with pytest.raises(SkinError) as e:
        Limits(min_skin_share=bad)
    assert e.value.code == "invalid_argument" and "min_skin_share" in e.value.detail


def test_invalid_arguments(sample_path):
    for bad in (0, 11, -1, 2.0, True):
        with pytest.raises(SkinError) as e:
            analyze(sample_path, max_faces=bad)
        assert e.value.code == "invalid_argument"
    with pytest.raises(SkinError) as e:
        analyze(sample_path, multiple_faces="all")
    assert e.value.code == "invalid_argument"


def test_hair_occlusion_measures_painted_fringe(result, sample_rgb):
    from skincore.face.regions import region_polygons

    # the mesh's forehead (below the hairline), not the extended one
    poly = region_polygons(result.faces[0].geometry.landmarks)["forehead"]
    y0, y1 = poly[:, 1].min(), poly[:, 1].max()
    fringe = sample_rgb.copy()
    cut = int(y0 + 0.5 * (y1 - y0))
    fringe[:cut] = np.array([38, 28, 22], np.uint8)  # dark brown hair above the cut
    occl = analyze(fringe).faces[0].quality.hair_occlusion
    base = result.faces[0].quality.hair_occlusion
    # hair_occlusion is the share of the face above the eye line covered: the
    # fringe covers half of the forehead polygon, a smaller share of that.
    assert base < 0.1
    assert occl > base + 0.05
    assert occl < 0.9


def test_resolution_and_jpeg_invariance(result, sample_rgb):
    t0 = result.faces[0].tone
    small = np.asarray(Image.fromarray(sample_rgb).resize((864, 1152), Image.LANCZOS))
    t1 = analyze(small).faces[0].tone
    buf = io.BytesIO()
    Image.fromarray(sample_rgb).save(buf, "JPEG", quality=85)
    t2 = analyze(buf.getvalue()).faces[0].tone
    for t in (t1, t2):
        assert abs(t.ita - t0.ita) < 2.0
        assert abs(t.ha - t0.ha) < 2.0
        assert abs(t.L - t0.L) < 1.5


def test_threads_do_not_change_results(sample_rgb):
    a = analyze(sample_rgb, threads=1).faces[0]
    b = analyze(sample_rgb, threads=2).faces[0]
    assert a.tone == b.tone
    assert a.quality == b.quality


def test_landmark_mirror_table_on_real_face(result):
    from skincore.face.regions import MIRROR

    p = result.faces[0].geometry.landmarks[:468, :2].astype(np.float64)
    mid = p[[10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 152]].mean(axis=0)
    eye = p[263] - p[33]
    ang = np.arctan2(eye[1], eye[0])
    rot = np.array([[np.cos(-ang), -np.sin(-ang)], [np.sin(-ang), np.cos(-ang)]])
    q = (p - mid) @ rot.T
    reflected = q * np.array([-1.0, 1.0])
    err = np.linalg.norm(reflected - q[list(MIRROR[:468])], axis=1)
    face_w = np.ptp(q[:, 0])
    assert np.median(err) < 0.02 * face_w


def test_pro_maps_and_marks(result):
    import base64

    from skincore.dialects.ailab import PRO_MAPS, PRO_MARKS

    rgb = np.asarray(Image.open(skincore.sample_path()).convert("RGB"))
    doc = result.to_dict(
        "ailab-pro", return_maps=list(PRO_MAPS), return_marks=list(PRO_MARKS), image=rgb
    )
    jsonschema.validate(doc, _schema("ailab-pro"))
    maps = doc["result"]["face_maps"]
    assert "texture_enhanced_pores" in maps and "texture_enhanced_bw" in maps
    png = Image.open(io.BytesIO(base64.b64decode(maps["texture_enhanced_pores"])))
    assert png.size == (result.width, result.height) and png.mode == "RGBA"
    info = doc["result"]["enhanced_bw_info"]
    bw = Image.open(io.BytesIO(base64.b64decode(maps["texture_enhanced_bw"])))
    rect = info["enhanced_bw_rect"]
    assert abs(bw.size[0] - rect["width"] * info["ratio"]) <= 2
    # Documented but unmeasured names are reported, unknown ones refused by name.
    # A map whose concern did not run is reported, not dropped.
    tone_only = skincore.analyze(skincore.sample_path(), concerns=["tone"])
    water = tone_only.to_dict("ailab-pro", return_maps=["water_area"])
    assert "face_maps" not in water["result"]
    assert water["skincore_notice"] == {"maps_not_measured": ["water_area"]}
    adv = result.to_dict("ailab-advanced", return_maps="red_area")
    assert "skincore_notice" not in adv
    red = Image.open(io.BytesIO(base64.b64decode(adv["result"]["face_maps"]["red_area"])))
    assert red.format == "JPEG" and red.size == (result.width, result.height)
    for dialect, maps in (("ailab-advanced", ["rough_area"]), ("ailab-pro", ["bogus", "red_area"])):
        with pytest.raises(SkinError) as e:
            result.to_dict(dialect, return_maps=maps)
        assert e.value.code == "invalid_argument" and maps[0] in e.value.detail
    with pytest.raises(SkinError) as e:
        result.to_dict("ailab-pro", return_marks=[1])
    assert e.value.code == "invalid_argument"
    with pytest.raises(SkinError) as e:
        result.to_dict("ailab-pro", roi_outline_color={"pores_color": "12345G"})
    assert e.value.code == "invalid_argument" and "pores_color" in e.value.detail
    with pytest.raises(SkinError) as e:
        result.to_dict("ailab-pro", return_maps=["texture_enhanced_bw"])
    assert e.value.code == "invalid_argument" and "image=" in e.value.detail


def test_texture_concerns_on_sample(result):
    f = result.faces[0]
    assert f.pores is not None and f.blackheads is not None and f.roughness is not None
    assert sum(z.count for z in f.pores.zones.values()) == len(f.pores.blobs)
    for z in f.grades["pores"].zones.values():
        assert 0.0 < z.confidence <= 1.0
    assert set(f.scores) >= {"pores", "blackheads", "roughness"}
    doc = result.to_dict("youcam-hd")
    types = {o["type"] for o in doc["data"]["results"]["output"]}
    assert {"hd_pore", "hd_texture"} <= types
    ff = result.to_dict("face-field", face_field="blackheadpore,smooth")["result"]["face_list"][0]
    assert ff["blackheadpore"]["pore_num"] == len(f.pores.blobs)
    assert ff["skin"]["smooth"] == f.grades["roughness"].extra["smooth"]


def test_runtime_missing_is_a_skin_error(monkeypatch, sample_path):
    from skincore import runtime

    def missing():
        raise RuntimeError(runtime.ORT_MISSING_MESSAGE)

    monkeypatch.setattr(runtime, "ort", missing)
    with pytest.raises(SkinError) as e:
        skincore.Analyzer()
    assert e.value.code == "runtime_unavailable"
    assert "skincore[cpu]" in e.value.detail


def test_forced_unavailable_provider(sample_path):
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("CUDA is available here")
    with pytest.raises(SkinError) as e:
        analyze(sample_path, provider="cuda")
    assert e.value.code in ("runtime_unavailable",)


def test_cheekbone_mark_outlines_the_cheek_apples(result):
    doc = result.to_dict("ailab-pro", return_marks="cheekbone_mark")["result"]
    face = result.faces[0]
    r = face.geometry.face_rect
    marks = doc["cheekbone_mark"]
    assert set(marks) == {"left_cheekbone_mark", "right_cheekbone_mark"}
    centres = {}
    for key, pts in marks.items():
        assert len(pts) >= 3
        assert all(r.left <= p["x"] <= r.right and r.top <= p["y"] <= r.bottom for p in pts)
        centres[key] = np.mean([p["x"] for p in pts])
    # the subject's left apple appears on the image's right in a non-mirrored photo
    assert centres["left_cheekbone_mark"] > centres["right_cheekbone_mark"]
    assert "cheekbone_mark" not in result.to_dict("ailab-pro")["result"]
