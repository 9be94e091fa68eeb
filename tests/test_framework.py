"""The framework: registry subsets, Params, the Analyzer, concurrency, layering."""

from __future__ import annotations

import ast
import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.concerns import pores
from skincore.concerns.registry import REGISTRY

PKG = Path(skincore.__file__).parent


@pytest.fixture(scope="module")
def rgb():
    return np.asarray(Image.open(skincore.sample_path()).convert("RGB"))


@pytest.fixture(scope="module")
def analyzer():
    # Two concern workers: the 8-thread test then also runs each call's concerns
    # on the shared worker while other calls hold it.
    return skincore.Analyzer(threads=2, concern_workers=2)


def _measured(face) -> dict:
    """Every measured number of a face (JSON of the native rendering, minus ids)."""
    doc = skincore.render(skincore.Analysis(1, 1, [face], _META), "skincore")  # type: ignore[arg-type]
    return doc["faces"][0]


_META = skincore.analysis.Meta("0", "cpu", "0", "id", 0, "png", "RGB", 1, None, {})


def test_registry_specs_are_complete():
    for name, spec in REGISTRY.items():
        assert spec.name == name
        p = spec.default_params()
        assert dataclasses.is_dataclass(p) and p.__dataclass_params__.frozen, name
        assert dataclasses.is_dataclass(spec.result), name
        assert callable(spec.measure)
    assert skincore.CONCERNS == tuple(REGISTRY)


def test_subset_runs_only_those_concerns(analyzer, rgb):
    r = analyzer.analyze(rgb, concerns=["tone", "wrinkles"])
    f = r.faces[0]
    assert set(f.concerns) == {"tone", "wrinkles"}
    assert f.pores is None and f.roughness is None and f.tone is not None
    assert set(f.grades) == {"wrinkles"}
    assert r.meta.concerns == ("tone", "wrinkles")
    assert "pores" not in r.meta.timings_ms and "wrinkles" in r.meta.timings_ms
    # The subset measures exactly what the full run measures.
    full = analyzer.analyze(rgb).faces[0]
    assert full.tone == f.tone
    assert [len(z.lines) for z in full.wrinkles.zones.values()] == [
        len(z.lines) for z in f.wrinkles.zones.values()
    ]


def test_unknown_concern_and_bad_params_are_refused(rgb):
    for bad in (["tone", "side_faces"], ["nope"]):
        with pytest.raises(skincore.SkinError) as e:
            skincore.analyze(rgb, concerns=bad)
        assert e.value.code == "invalid_argument" and bad[-1] in e.value.detail
    with pytest.raises(skincore.SkinError) as e:
        skincore.AnalyzerOptions(params={"pores": {"contrast": 0.1}})
    assert e.value.code == "invalid_argument"
    with pytest.raises(skincore.SkinError):
        skincore.AnalyzerOptions(params={"side_faces": pores.Params()})


def test_params_override_changes_the_measurement(analyzer, rgb):
    base = analyzer.analyze(rgb, concerns=["pores"]).faces[0].pores
    strict = skincore.Analyzer(
        threads=2, concerns=("pores",), params={"pores": pores.Params(contrast=0.08)}
    )
    got = strict.analyze(rgb).faces[0].pores
    assert 0 < len(got.blobs) < len(base.blobs)
    assert np.all(got.blobs[:, 3] >= 0.08 - 1e-6)


@pytest.mark.parametrize("bad", [-1, "abc", None, [2], 1.5, True, 10**12, 257])
def test_threads_option_is_checked(bad):
    with pytest.raises(skincore.SkinError) as e:
        skincore.AnalyzerOptions(threads=bad)
    assert e.value.code == "invalid_argument" and "threads" in e.value.detail


def test_options_are_checked():
    with pytest.raises(skincore.SkinError):
        skincore.AnalyzerOptions(provider=5)
    with pytest.raises(skincore.SkinError):
        skincore.AnalyzerOptions(limits="x")
    with pytest.raises(skincore.SkinError):
        skincore.Analyzer(options="x")


def test_one_analyzer_from_eight_threads_matches_sequential(analyzer, rgb):
    small = np.asarray(Image.fromarray(rgb).resize((576, 768), Image.LANCZOS))
    inputs = [rgb if i % 2 == 0 else small for i in range(8)]
    expected = [_measured(analyzer.analyze(x).faces[0]) for x in inputs[:2]]
    got: list = [None] * 8
    errors: list = []

    def run(i):
        try:
            got[i] = _measured(analyzer.analyze(inputs[i]).faces[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(8):
        assert got[i] == expected[i % 2], i


def _face_work(rgb):
    from skincore.concerns.work import FaceWork
    from skincore.face import find_faces

    (_, lm), *_ = find_faces(rgb)
    return FaceWork(rgb, lm.points)


def test_face_work_memo_computes_once_under_concurrent_callers(rgb):
    work = _face_work(rgb)
    calls = []

    def compute():
        calls.append(1)
        threading.Event().wait(0.05)
        return object()

    got: list = [None] * 8
    threads = [
        threading.Thread(target=lambda i=i: got.__setitem__(i, work.memo("k", compute)))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert all(g is got[0] for g in got)


def test_grids_hold_the_forehead_up_to_the_hairline(rgb):
    """The colour and texture grids' crop encloses the forehead extended to the
    hairline: on the sample (hair held back by a band) the hairline lies a third
    of the forehead above the mesh's top ring, and a crop of the face outline
    alone cut the forehead's skin there (a straight edge across regions.png)."""
    from skincore.face.regions import FACE_OVAL, crop_box

    work = _face_work(rgb)
    forehead = work.polygons["forehead"]
    x0, y0, x1, y1 = work.crop
    assert y0 < forehead[:, 1].min() and x0 <= forehead[:, 0].min()
    assert x1 > forehead[:, 0].max() and y1 > work.landmarks[list(FACE_OVAL), 1].max()
    # skin measured above the outline's own crop: a sizeable part of the forehead
    outline_top = crop_box(work.landmarks, rgb.shape[1], rgb.shape[0])[1]
    masks = work.colour
    rows = (outline_top - masks.origin[1] + 0.5) * masks.scale - 0.5
    fh = masks.masks["forehead"] > 0
    above = np.count_nonzero(fh[: int(np.floor(rows))])
    assert above >= 0.15 * np.count_nonzero(fh)  # 0.23 measured; 0 with the old crop
    # the texture grid is cut the same way (its keep mask is the colour grid's)
    tex = work.texture
    assert tex.origin == tuple(work.crop[:2])


def test_grids_hold_every_zone_of_a_turned_face(rgb):
    """On a turned face the far cheek bulges past the mesh's outline ring (the ring
    runs round the side of the head, behind it): ACNE04 ``levle0_39``'s left cheek
    reached 45 px beyond the ring. The grids' crop encloses every region polygon;
    a crop of the ring cut that cheek along a straight edge the wrinkle filter
    traced as a 26 mm line."""
    from skincore.face.regions import FACE_OVAL, crop_box

    work = _face_work(rgb)
    polys = dict(work.polygons)
    ring = work.landmarks[list(FACE_OVAL), :2]
    cheek = polys["left_cheek"].copy()
    side = 1.0 if cheek[:, 0].mean() > ring[:, 0].mean() else -1.0
    # push the cheek's outer vertices 20 px past the ring's crop (its margin
    # included), still inside the photo
    rx0, _, rx1, _ = crop_box(work.landmarks, rgb.shape[1], rgb.shape[0])
    reach = rx1 + 20.0 if side > 0 else rx0 - 20.0
    assert 0 < reach < rgb.shape[1] - 1
    outer = np.argsort(side * cheek[:, 0])[-3:]
    cheek[outer, 0] = reach
    polys["left_cheek"] = cheek
    work = _face_work(rgb)  # a fresh workspace, its polygons the ones above
    assert work.memo(("shared", "polygons"), lambda: polys) is polys
    x0, y0, x1, y1 = work.crop
    assert x0 <= cheek[:, 0].min() and x1 > cheek[:, 0].max()
    assert y0 <= cheek[:, 1].min() and y1 > cheek[:, 1].max()
    # so does the texture grid, the same crop
    tex = work.texture
    assert tex.origin == tuple(work.crop[:2])
    assert tex.gray.shape[1] == round((x1 - x0) * tex.scale)


def test_shared_attributes_lock_per_face_not_per_class(rgb):
    # functools.cached_property (Python 3.11) holds one lock per attribute for all
    # instances: one face's slow attribute would block every other face's.
    from skincore.concerns.work import FaceWork, _shared

    release = threading.Event()
    entered = threading.Event()

    class Slow(FaceWork):
        @_shared
        def slow(self) -> int:
            """Block the first face until released."""
            if self.threads == 1:
                entered.set()
                assert release.wait(10)
            return self.threads

    (_, lm), *_ = skincore.face.find_faces(rgb)
    first, second = Slow(rgb, lm.points, threads=1), Slow(rgb, lm.points, threads=2)
    t = threading.Thread(target=lambda: first.slow)
    t.start()
    assert entered.wait(10)
    got: list = []
    other = threading.Thread(target=lambda: got.append(second.slow))
    other.start()
    other.join(5)
    blocked = other.is_alive()
    release.set()
    t.join()
    other.join()
    assert not blocked, "the second face waited for the first face's attribute"
    assert got == [2]
    assert first.slow == 1
    assert Slow.slow.__doc__ == "Block the first face until released."


def test_no_module_level_cache_in_concerns():
    for path in (PKG / "concerns").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Global | ast.Nonlocal):
                raise AssertionError(path)
            for sub in ast.walk(node):
                if isinstance(sub, ast.Global):
                    raise AssertionError(f"{path.name}: 'global' statement")


def _imports(path: Path) -> set[str]:
    mod = "skincore." + ".".join(path.relative_to(PKG).with_suffix("").parts)
    mod = mod.removesuffix(".__init__")
    pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("skincore")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if not name.startswith("skincore"):
                continue
            out.add(name)
            for a in node.names:  # "from skincore.x import y" may import module y
                out.add(f"{name}.{a.name}")
    return out


def test_no_import_cycles():
    modules = {}
    for path in PKG.rglob("*.py"):
        if "server" in path.parts:
            continue
        mod = "skincore." + ".".join(path.relative_to(PKG).with_suffix("").parts)
        modules[mod.removesuffix(".__init__")] = path
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    # A package's __init__ is imported before its submodules anyway: ignore the
    # edges from a submodule to its own parent packages.
    for m in graph:
        graph[m] = {i for i in graph[m] if not m.startswith(i + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError(" -> ".join(stack[stack.index(n) :] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_dialects_and_concerns_are_layered():
    for path in (PKG / "dialects").glob("*.py"):
        imps = _imports(path)
        assert not any(i.startswith("skincore.visuals") for i in imps), path.name
        assert not any(
            i.startswith(("skincore.color", "skincore.blobs", "skincore.ridges")) for i in imps
        ), path.name
    for path in (PKG / "concerns").glob("*.py"):
        assert not any(i.startswith("skincore.dialects") for i in _imports(path)), path.name
    assert not any(f.name == "image" for f in dataclasses.fields(skincore.Analysis))


def test_native_json_of_a_12mp_photo_is_small(analyzer, rgb):
    big = np.asarray(Image.fromarray(rgb).resize((3024, 4032), Image.BICUBIC))
    r = analyzer.analyze(big)
    doc = json.dumps(r.to_dict("skincore"))
    assert len(doc) <= 1_000_000, len(doc)
    rle = r.to_dict("skincore", masks="rle")["faces"][0]["concerns"]["roughness"]["mask"]
    mask = r.faces[0].roughness.mask
    assert sum(rle["runs"]) == mask.size and rle["shape"] == list(mask.shape)
    # decode and compare
    flat = np.zeros(mask.size, bool)
    pos, val = 0, False
    for n in rle["runs"]:
        flat[pos : pos + n] = val
        pos, val = pos + n, not val
    np.testing.assert_array_equal(flat.reshape(mask.shape), mask > 0)


def test_regions_picture_shows_the_stored_skin_mask(analyzer, rgb):
    from skincore.visuals.layers import mask_to_image
    from skincore.visuals.regions import render_regions

    r = analyzer.analyze(rgb)
    img = np.asarray(render_regions(r, rgb)).astype(int)
    used = mask_to_image(r.faces[0].skin, r.width, r.height)
    g = img[..., 1] - rgb[..., 1].astype(int)
    # green tint exactly where the stored mask is set (away from outline strokes)
    assert np.mean(g[used] > 0) > 0.95
    assert np.mean(g[~used] > 0) < 0.05


def test_regions_picture_leaves_out_empty_regions(analyzer, rgb, monkeypatch):
    """An open eye's lash band is an empty polygon: no outline, no label drawn for it."""
    from PIL import ImageDraw

    from skincore.visuals.regions import render_regions

    r = analyzer.analyze(rgb)
    labels: list[str] = []
    text = ImageDraw.ImageDraw.text
    monkeypatch.setattr(
        ImageDraw.ImageDraw,
        "text",
        lambda self, xy, s, *a, **kw: (labels.append(s), text(self, xy, s, *a, **kw))[1],
    )
    render_regions(r, rgb)
    assert "forehead" in labels and "left_eye" in labels
    assert "left_lashes" not in labels and "right_lashes" not in labels


def test_total_score_is_the_mean_of_the_concern_scores():
    from skincore.grading import Score, total_score

    def s(raw):
        return {"whole": Score(raw, 0), "forehead": Score(1.0, 0)}

    assert total_score({}) is None
    got = total_score({"pores": s(80.0), "wrinkles": s(60.0), "acne": s(40.0)})
    assert got.raw == 60.0  # groups do not count, each concern once
    worse = total_score({"pores": s(80.0), "wrinkles": s(50.0), "acne": s(40.0)})
    assert worse.raw < got.raw and worse.ui <= got.ui


def test_total_score_in_the_dialects(analyzer, rgb):
    res = analyzer.analyze(rgb)
    face = res.faces[0]
    raws = [v["whole"].raw for v in face.scores.values()]
    assert face.total_score.raw == pytest.approx(sum(raws) / len(raws), abs=0.01)
    pro = res.to_dict("ailab-pro")["result"]["score_info"]
    assert pro["total_score"] == round(face.total_score.raw)
    out = res.to_dict("youcam-sd")["data"]["results"]["output"]
    assert {"type": "all", "score": face.total_score.raw} in out


def test_a_mesh_with_implausible_proportions_is_no_face(rgb):
    """Eye corners far apart for the iris scale (a mesh forced onto a close-up)."""
    from skincore.face import detect_faces, fit_landmarks
    from skincore.limits import Limits
    from skincore.pipeline import MAX_CANTHI_MM, check_face

    box = detect_faces(rgb, max_faces=1)[0]
    pts = np.asarray(fit_landmarks(rgb, box).points, np.float64).copy()
    h, w = rgb.shape[:2]
    check_face(pts, box, w, h, Limits())  # the real face passes
    iris = list(range(468, 478))
    for centre, ring in ((468, iris[1:5]), (473, iris[6:10])):
        pts[ring, :2] = pts[centre, :2] + 0.6 * (pts[ring, :2] - pts[centre, :2])
    check_face(pts, box, w, h, Limits())  # a misleading iris alone (a squint) is not refused
    # ... tipped back as well (people look down) ...
    c = pts[:, :3].mean(axis=0)
    t = np.radians(35.0)
    rot = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    tipped = pts.copy()
    tipped[:, :3] = (pts[:, :3] - c) @ rot.T + c
    check_face(tipped, box, w, h, Limits())
    # ... and on its side as well (rolled in the photo, then tipped): a mesh forced
    # onto something else
    r = np.radians(85.0)
    spin = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    phantom = pts.copy()
    phantom[:, :3] = ((pts[:, :3] - c) @ spin.T) @ rot.T + c
    with pytest.raises(skincore.SkinError) as e:
        check_face(phantom, box, w, h, Limits(max_out_of_bound=1.0))
    assert e.value.code == "no_face" and e.value.context["canthi_mm"] > MAX_CANTHI_MM


def test_concurrent_calls_divide_the_kernel_threads(rgb, monkeypatch):
    from skincore import color

    an = skincore.Analyzer(threads=2, concerns=("tone",))
    seen: list[int] = []
    lab = color.rgb_to_lab

    def spy(img, *, threads=0):
        seen.append(threads)
        return lab(img, threads=threads)

    monkeypatch.setattr(color, "rgb_to_lab", spy)
    alone = an.analyze(rgb)
    assert seen and set(seen) == {2}
    # ONNX Runtime runs on the two-thread sessions; no one-thread copy exists yet.
    assert an._landmarks._narrow is None and an._detector._narrow is None
    seen.clear()
    with an._share.call():  # another call in flight
        shared = an.analyze(rgb)
    assert seen and set(seen) == {1}
    assert an._landmarks._narrow is not None and an._detector._narrow is not None
    assert an._landmarks.session() is an._landmarks.wide  # alone again
    assert _measured(shared.faces[0]) == _measured(alone.faces[0])


def test_one_thread_analyzer_has_one_session_per_model(rgb):
    an = skincore.Analyzer(threads=1, concerns=("tone",))
    with an._share.call():
        an.analyze(rgb)
    assert an._landmarks._narrow is None  # already one thread: nothing to narrow


def test_onnx_stays_wide_while_the_share_leaves_a_call_several_threads(rgb):
    an = skincore.Analyzer(threads=4, concerns=("tone",))
    with an._share.call():  # two calls in flight: two threads each
        an.analyze(rgb)
    assert an._landmarks._narrow is None
    with an._share.call(), an._share.call(), an._share.call():  # four: one each
        an.analyze(rgb)
    assert an._landmarks._narrow is not None


def _segment_threads(monkeypatch) -> list[str]:
    """Names of the threads that run a face's segmentation model from now on."""
    from skincore.concerns import work
    from skincore.face import segmentation

    names: list[str] = []
    run = segmentation.run_model

    def spy(session, tensor):
        names.append(threading.current_thread().name)
        return run(session, tensor)

    monkeypatch.setattr(segmentation, "run_model", spy)
    monkeypatch.setattr(work, "run_model", spy)  # FaceWork's
    return names


def test_segmentation_runs_on_the_side_worker_with_the_same_results(rgb, monkeypatch):
    from skincore.models import FACE_SEGMENTATION

    names = _segment_threads(monkeypatch)
    one = skincore.Analyzer(threads=1).analyze(rgb)
    assert names == [threading.current_thread().name]  # one thread: no side worker
    names.clear()
    an = skincore.Analyzer(threads=2)
    two = an.analyze(rgb)
    assert len(names) == 1 and names[0].startswith("skincore-side")
    assert an._landmarks._narrow is None and an._detector._narrow is None
    # the model ran only on the side worker's one-thread session: no wide one was made
    segmentation = an.session(FACE_SEGMENTATION)
    assert segmentation._wide is None and segmentation._narrow is not None
    assert _measured(two.faces[0]) == _measured(one.faces[0])
    # the side worker busy with another call's job: the call segments its face itself
    release = threading.Event()
    busy = an._side.try_submit(lambda: release.wait(10))
    assert busy is not None
    try:
        names.clear()
        inline = an.analyze(rgb)
        assert names == [threading.current_thread().name]
    finally:
        release.set()
        busy.result()
    assert _measured(inline.faces[0]) == _measured(one.faces[0])


def test_photo_only_concerns_read_no_segmentation_and_no_grid(rgb, monkeypatch):
    from skincore.concerns import work as work_mod
    from skincore.concerns.work import FaceWork

    def refuse(*args, **kwargs):
        raise AssertionError("a photo_only concern asked for the segmentation")

    monkeypatch.setattr(work_mod, "preprocess", refuse)  # every segmentation starts here
    monkeypatch.setattr(FaceWork, "prefetch", refuse)
    photo_only = [spec for spec in REGISTRY.values() if spec.photo_only]
    assert {"eyelids", "skin_age"} <= {spec.name for spec in photo_only}
    work = _face_work(rgb)
    for spec in photo_only:
        assert work.result_of(spec, spec.default_params()) is not None, spec.name
    # nothing but the concerns' own results was computed on the workspace
    assert all(key[0] == "result" for key in work._memo), list(work._memo)


def test_an_early_concern_error_is_raised_in_registry_order(rgb):
    from skincore.concerns.base import Concern
    from skincore.concerns.work import FaceWork
    from skincore.face import find_faces
    from skincore.limits import Limits
    from skincore.pipeline import Clock, measure_face
    from skincore.threads import SideWorker, ThreadShare

    def fail(message):
        def measure(work, params):
            raise ValueError(message)

        return measure

    specs = [
        REGISTRY["tone"],
        Concern("late", "x", dict, object, fail("late")),
        Concern("early", "x", dict, object, fail("early"), photo_only=True),
    ]
    (box, lm), *_ = find_faces(rgb)
    side = SideWorker()
    for worker in (None, side):  # measured in order, or the photo_only one first
        with pytest.raises(ValueError, match="^late$"):
            measure_face(
                0,
                rgb,
                box,
                lm,
                limits=Limits(),
                concerns=specs,
                params={"tone": REGISTRY["tone"].default_params(), "late": {}, "early": {}},
                threads=ThreadShare(2),
                clock=Clock(),
                side=worker,
            )
    # the side worker is free again: the call waited for its job
    assert side.try_submit(lambda: 1) is not None
    work = FaceWork(rgb, lm.points, threads=2)
    assert work.prefetch(side) is False  # a plain thread count: no side job
    assert ("shared", "segmentation") not in work._memo
