"""The lesion head interface: a caller's detector in place of skincore's (skincore.heads)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import skincore  # noqa: E402
from skincore.errors import SkinError  # noqa: E402
from skincore.heads import HeadDetection, OnnxLesionHead  # noqa: E402

SIZE = 320


def _save(path: Path, nodes: list, inputs: list, outputs: list, inits: list | None = None) -> Path:
    graph = helper.make_graph(nodes, "head", inputs, outputs, initializer=inits or [])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _image_input(layout: str = "nchw", size: int | tuple[int, int] = SIZE):
    w, h = (size, size) if isinstance(size, int) else size
    shape = [1, 3, h, w] if layout == "nchw" else [1, h, w, 3]
    return helper.make_tensor_value_info("images", TensorProto.FLOAT, shape)


def constant_model(path: Path, rows: np.ndarray, layout: str = "nchw", size: int = SIZE) -> Path:
    """A model that ignores its image and outputs ``rows`` (any layout's array)."""
    rows = np.asarray(rows, np.float32)
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(rows.shape))
    node = helper.make_node("Constant", [], ["output0"], value=numpy_helper.from_array(rows))
    return _save(path, [node], [_image_input(layout, size)], [out])


def green_finder(path: Path, layout: str = "nchw", size: tuple[int, int] = (SIZE, SIZE)) -> Path:
    """A model that boxes the greenest input pixel: ``(1, 6)`` detection of class 0.

    Its score map is ``G - (R + B) / 2`` (skin is never greener than it is red);
    the box spans 2 px before to 3 px after the first maximum, score 0.9.
    """
    nodes, inits = [], []
    src = "images"
    if layout == "nhwc":
        nodes.append(helper.make_node("Transpose", ["images"], ["nchw"], perm=[0, 3, 1, 2]))
        src = "nchw"
    w = np.array([-0.5, 1.0, -0.5], np.float32).reshape(1, 3, 1, 1)
    inits += [
        numpy_helper.from_array(w, "w"),
        numpy_helper.from_array(np.array([1, size[0] * size[1]], np.int64), "flat"),
        numpy_helper.from_array(np.array([size[0]], np.int64), "side"),
        numpy_helper.from_array(np.array([-2.0, -2.0, 3.0, 3.0], np.float32), "pad"),
        numpy_helper.from_array(np.array([0.9, 0.0], np.float32), "tail"),
        numpy_helper.from_array(np.array([1, 6], np.int64), "shape"),
    ]
    nodes += [
        helper.make_node("Conv", [src, "w"], ["green"]),
        helper.make_node("Reshape", ["green", "flat"], ["flat_green"]),
        helper.make_node("ArgMax", ["flat_green"], ["idx"], axis=1, keepdims=0),
        helper.make_node("Div", ["idx", "side"], ["row"]),
        helper.make_node("Mod", ["idx", "side"], ["col"]),
        helper.make_node("Concat", ["col", "row", "col", "row"], ["xyxy_i"], axis=0),
        helper.make_node("Cast", ["xyxy_i"], ["xyxy"], to=TensorProto.FLOAT),
        helper.make_node("Add", ["xyxy", "pad"], ["box"]),
        helper.make_node("Concat", ["box", "tail"], ["row6"], axis=0),
        helper.make_node("Reshape", ["row6", "shape"], ["output0"]),
    ]
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6])
    return _save(path, nodes, [_image_input(layout, size)], [out], inits)


@pytest.fixture(scope="module")
def sample(sample_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The packaged sample's pixels and its landmarks (built-in analyser)."""
    rgb = skincore.load_image(sample_path).rgb
    res = skincore.Analyzer(threads=1, concerns=("tone",)).analyze(rgb)
    return rgb, np.asarray(res.faces[0].geometry.landmarks)


def _face_work(rgb: np.ndarray, lm: np.ndarray):
    from skincore.concerns.work import FaceWork

    return FaceWork(rgb, lm, threads=1)


@pytest.mark.parametrize(
    ("layout", "region", "size"),
    [
        ("nchw", "face", (SIZE, SIZE)),  # padded left and right (the face is taller)
        ("nhwc", "face", (SIZE, SIZE)),
        ("nchw", "face", (160, 320)),  # padded above and below
        ("nchw", "photo", (SIZE, 200)),
    ],
)
def test_a_painted_spot_comes_back_where_it_was_painted(tmp_path, sample, layout, region, size):
    """End to end: the model finds a green square in its letterboxed input; the
    lesion skincore reports must lie on that square in the photo (whatever the
    layout, the crop, the input's shape and the padding)."""
    rgb, lm = sample
    cx, cy = (int(round(v)) for v in lm[50, :2])  # the subject's right cheek
    painted = rgb.copy()
    painted[cy - 8 : cy + 8, cx - 8 : cx + 8] = (0, 255, 0)
    model = green_finder(tmp_path / "g.onnx", layout, size)
    head = OnnxLesionHead(model, classes=("papule",), input_size=size, layout=layout, region=region)
    res = skincore.Analyzer(threads=1, lesion_head=head, concerns=("acne",)).analyze(painted)
    found = res.faces[0].concerns["acne"].lesions
    assert len(found) == 1
    r = found[0].rect
    # the square's centre is inside the box, and the box is a few input pixels wide
    assert r.left < cx < r.right and r.top < cy < r.bottom, (r, cx, cy)
    assert abs((r.left + r.right) / 2 - cx) < 8 and abs((r.top + r.bottom) / 2 - cy) < 8
    assert found[0].kind == "papule" and found[0].confidence == pytest.approx(0.9)
    assert found[0].contrast == {}  # skincore does not measure what it did not detect
    ppm = res.faces[0].geometry.px_per_mm
    assert found[0].area_mm2 == pytest.approx(np.pi / 4 * r.width * r.height / ppm**2, rel=1e-5)


def _input_box(work, x: float, y: float, half: float) -> list[float]:
    """The input-pixel box of a photo box centred at (x, y), from the letterbox's
    own arithmetic (crop, scale to fit, centred padding), written out here."""
    x0, y0, x1, y1 = work.crop
    s = min(SIZE / (x1 - x0), SIZE / (y1 - y0))
    rw, rh = round((x1 - x0) * s), round((y1 - y0) * s)
    px, py = (SIZE - rw) // 2, (SIZE - rh) // 2
    sx, sy = rw / (x1 - x0), rh / (y1 - y0)
    return [
        (x - half - x0) * sx + px,
        (y - half - y0) * sy + py,
        (x + half - x0) * sx + px,
        (y + half - y0) * sy + py,
    ]


def test_detections_off_the_skin_or_unmapped_or_weak_are_dropped(tmp_path, sample):
    rgb, lm = sample
    work = _face_work(rgb, lm)
    cheek, other_cheek, iris = lm[50, :2], lm[280, :2], lm[468, :2]
    rows = [
        [*_input_box(work, *cheek, 6), 0.8, 0],  # kept: papule on the cheek
        [*_input_box(work, *other_cheek, 6), 0.7, 2],  # kept: a mole
        [*_input_box(work, *iris, 6), 0.95, 0],  # on the eye: not skin
        [*_input_box(work, *other_cheek, 4), 0.9, 1],  # class mapped to None
        [*_input_box(work, *cheek, 3), 0.1, 0],  # under min_confidence
        [1.0, 1.0, 4.0, 4.0, 0.9, 0],  # in the letterbox padding / off the face
    ]
    head = OnnxLesionHead(
        constant_model(tmp_path / "c.onnx", rows), classes=("papule", None, "mole"), input_size=SIZE
    )
    res = skincore.Analyzer(threads=1, lesion_head=head, concerns=("acne", "moles")).analyze(rgb)
    face = res.faces[0]
    acne = face.concerns["acne"]
    assert acne.counts["papule"] == 1 and acne.active_count == 1
    (papule,) = acne.lesions
    assert papule.confidence == pytest.approx(0.8)
    assert abs(papule.rect.left + papule.rect.width / 2 - cheek[0]) < 0.01
    assert abs(papule.rect.top + papule.rect.height / 2 - cheek[1]) < 0.01
    assert papule.rect.width == pytest.approx(12.0, abs=0.01)
    moles = face.concerns["moles"]
    assert moles.count == 1 and [m.kind for m in moles.lesions] == ["mole"]
    assert res.meta.heads == {"lesions": head.name}
    assert "c.onnx" in head.name and "sha256" in head.name


def test_counts_grade_and_every_dialect_follow_the_head(tmp_path, sample):
    """Seven papules on the cheeks: Hayashi grade 1 (6-20), and the AILab Pro
    acne list carries the head's boxes and scores."""
    rgb, lm = sample
    work = _face_work(rgb, lm)
    points = [lm[i, :2] for i in (50, 280, 205, 425, 187, 411, 118)]
    scores = [0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6]
    rows = [[*_input_box(work, x, y, 5), s, 0] for (x, y), s in zip(points, scores, strict=True)]
    head = OnnxLesionHead(
        constant_model(tmp_path / "c.onnx", rows), classes=("papule",), input_size=SIZE
    )
    an = skincore.Analyzer(threads=1, lesion_head=head, concerns=("acne", "moles", "pigmentation"))
    res = an.analyze(rgb)
    face = res.faces[0]
    assert face.concerns["acne"].active_count == 7
    assert face.grades["acne"].whole.severity == 1
    assert face.concerns["pigmentation"].spots == []  # the head found no spots
    pro = res.to_dict("ailab-pro")["result"]["acne"]
    assert len(pro["rectangle"]) == 7
    assert sorted(pro["confidence"], reverse=True) == pytest.approx(scores)
    native = json.loads(json.dumps(res.to_dict("skincore")))
    assert native["meta"]["heads"] == {"lesions": head.name}


def test_without_a_head_meta_says_so(sample):
    rgb, _ = sample
    res = skincore.Analyzer(threads=1, concerns=("tone",)).analyze(rgb)
    assert res.meta.heads == {}


class _PythonHead:
    """A head in plain Python (any object with ``name`` and ``detect``)."""

    name = "python-head"

    def __init__(self, boxes: list[tuple[float, float, float, float]]) -> None:
        self.boxes = boxes

    def detect(self, work) -> list[HeadDetection]:  # noqa: ANN001
        return [HeadDetection("pustule", b, 0.5) for b in self.boxes]


def test_a_python_head_needs_no_model(sample):
    rgb, lm = sample
    x, y = lm[280, :2]
    res = skincore.Analyzer(
        threads=1, lesion_head=_PythonHead([(x - 4, y - 4, x + 4, y + 4)]), concerns=("acne",)
    ).analyze(rgb)
    (les,) = res.faces[0].concerns["acne"].lesions
    assert les.kind == "pustule" and les.rect.left == pytest.approx(x - 4)
    assert les.polygon.shape == (24, 2)
    # the outline is the ellipse inscribed in the box
    assert np.allclose(
        np.hypot((les.polygon[:, 0] - x) / 4, (les.polygon[:, 1] - y) / 4), 1.0, atol=1e-4
    )
    assert res.meta.heads == {"lesions": "python-head"}


def test_yolo_layouts_are_decoded_with_per_class_suppression(tmp_path):
    """YOLOv8 ``(1, 4 + C, N)`` and YOLOv5 ``(1, N, 5 + C)`` give the same boxes:
    two overlapping boxes of one class keep the better, another class's overlap
    stays, a weak candidate goes."""
    cands = [  # cx, cy, w, h, score of class 0, score of class 1
        (100, 100, 10, 10, 0.9, 0.1),
        (101, 101, 10, 10, 0.8, 0.1),  # IoU 0.68 with the first, same class: suppressed
        (101, 100, 10, 10, 0.1, 0.7),  # class 1 overlapping: kept
        (200, 200, 10, 10, 0.2, 0.1),  # under min_confidence
    ]
    c = np.array(cands, np.float32)
    v8 = c.T[None]  # (1, 6, 4)
    v5 = np.concatenate([c[:, :4], np.ones((4, 1), np.float32), c[:, 4:]], axis=1)[None]
    got = []
    for name, rows in (("yolov8", v8), ("yolov5", v5)):
        head = OnnxLesionHead(
            constant_model(tmp_path / f"{name}.onnx", rows), classes=("papule", "mole"), output=name
        )
        boxes, scores, cls = head._decode(rows)
        got.append((boxes.round(3).tolist(), scores.round(3).tolist(), cls.tolist()))
    assert got[0] == got[1]
    boxes, scores, cls = got[0]
    assert scores == [0.9, 0.7] and cls == [0, 1]
    assert boxes[0] == [95.0, 95.0, 105.0, 105.0]


def test_head_errors_have_a_stable_code(tmp_path, sample):
    rgb, _ = sample
    good = constant_model(tmp_path / "c.onnx", np.zeros((0, 6)))
    bad = [
        dict(model=tmp_path / "missing.onnx", classes=("papule",)),
        dict(model=good, classes=()),
        dict(model=good, classes=("pimple",)),
        dict(model=good, classes=("papule",), output="ssd"),
        dict(model=good, classes=("papule",), input_size=3),
        dict(model=good, classes=("papule",), layout="chw"),
        dict(model=good, classes=("papule",), region="cheek"),
        dict(model=good, classes=("papule",), std=(1.0, 0.0, 1.0)),
        dict(model=good, classes=("papule",), min_confidence=1.5),
        dict(model=good, classes=("papule",), pad_value=300),
    ]
    for kw in bad:
        with pytest.raises(SkinError) as err:
            OnnxLesionHead(**kw)
        assert err.value.code == "invalid_argument", kw
        assert "lesion_head" in str(err.value)
    # not a head at all
    with pytest.raises(SkinError) as err:
        skincore.Analyzer(lesion_head="acne.onnx")
    assert err.value.code == "invalid_argument"
    # a file that is no ONNX model fails when the analyser is made, not per photo
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(SkinError) as err:
        skincore.Analyzer(lesion_head=OnnxLesionHead(junk, classes=("papule",)))
    assert err.value.code == "invalid_argument" and "cannot load" in str(err.value)
    # an input size the model does not take
    with pytest.raises(SkinError) as err:
        skincore.Analyzer(lesion_head=OnnxLesionHead(good, classes=("papule",), input_size=640))
    assert err.value.code == "invalid_argument" and "input" in str(err.value)
    # an output the layout does not describe: a clear error at analysis time
    odd = constant_model(tmp_path / "odd.onnx", np.zeros((1, 7), np.float32))
    an = skincore.Analyzer(
        threads=1,
        concerns=("acne",),
        lesion_head=OnnxLesionHead(odd, classes=("papule",), input_size=SIZE),
    )
    with pytest.raises(SkinError) as err:
        an.analyze(rgb)
    assert err.value.code == "invalid_argument" and "(N, 6)" in str(err.value)

    # a Python head returning something else
    class Wrong:
        name = "wrong"

        def detect(self, work):  # noqa: ANN001, ANN202
            return [(0, 0, 1, 1)]

    with pytest.raises(SkinError) as err:
        skincore.Analyzer(threads=1, concerns=("acne",), lesion_head=Wrong()).analyze(rgb)
    assert err.value.code == "invalid_argument" and "HeadDetection" in str(err.value)


def test_from_json_reads_the_model_beside_it_and_rejects_unknown_keys(tmp_path):
    constant_model(tmp_path / "c.onnx", np.zeros((0, 6)))
    spec = tmp_path / "head.json"
    spec.write_text(
        json.dumps(
            {
                "model": "c.onnx",
                "classes": ["papule", None],
                "input_size": [320, 320],
                "mean": [0, 0, 0],
            }
        )
    )
    head = OnnxLesionHead.from_json(spec)
    assert head.model == str((tmp_path / "c.onnx").resolve())
    assert head.classes == ("papule", None) and head.input_size == (320, 320)
    assert pickle.loads(pickle.dumps(head)) == head  # for Analyzer(processes=N)
    spec.write_text(json.dumps({"model": "c.onnx", "classes": ["papule"], "iou": 0.5}))
    with pytest.raises(SkinError) as err:
        OnnxLesionHead.from_json(spec)
    assert err.value.code == "invalid_argument" and "iou" in str(err.value)
    spec.write_text("{")
    with pytest.raises(SkinError) as err:
        OnnxLesionHead.from_json(spec)
    assert err.value.code == "invalid_argument"


def test_cli_lesion_head(tmp_path, sample_path, capsys):
    from skincore.cli import main

    constant_model(tmp_path / "c.onnx", np.zeros((0, 6)))
    (tmp_path / "head.json").write_text(
        json.dumps({"model": "c.onnx", "classes": ["papule"], "input_size": SIZE})
    )
    rc = main(
        [
            "analyze",
            str(sample_path),
            "--concerns",
            "acne",
            "--compact",
            "--lesion-head",
            str(tmp_path / "head.json"),
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert doc["meta"]["heads"]["lesions"].startswith("OnnxLesionHead(c.onnx")
    assert doc["faces"][0]["concerns"]["acne"]["active_count"] == 0
    rc = main(
        ["analyze", str(sample_path), "--compact", "--lesion-head", str(tmp_path / "none.json")]
    )
    assert rc != 0
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "invalid_argument"


def test_threads_share_one_head(tmp_path, sample):
    """Concurrent calls on one analyser with a head give the sequential result."""
    from concurrent.futures import ThreadPoolExecutor

    rgb, lm = sample
    x, y = lm[50, :2]
    painted = rgb.copy()
    painted[int(y) - 8 : int(y) + 8, int(x) - 8 : int(x) + 8] = (0, 255, 0)
    head = OnnxLesionHead(green_finder(tmp_path / "g.onnx"), classes=("papule",), input_size=SIZE)
    an = skincore.Analyzer(threads=2, lesion_head=head, concerns=("acne",))
    one = an.analyze(painted).faces[0].concerns["acne"].lesions[0].rect
    with ThreadPoolExecutor(4) as pool:
        rects = [
            r.faces[0].concerns["acne"].lesions[0].rect for r in pool.map(an.analyze, [painted] * 4)
        ]
    assert all(r == one for r in rects)


def test_region_photo_letterboxes_the_whole_photo(tmp_path, sample):
    """``region="photo"`` shows the model every pixel (a corner painted green is
    in its input, at the padding's edge); ``"face"`` only the face crop."""
    rgb, lm = sample
    painted = rgb.copy()
    painted[:40, :40] = (0, 255, 0)
    work = _face_work(painted, lm)
    model = constant_model(tmp_path / "c.onnx", np.zeros((0, 6)))
    h, w = rgb.shape[:2]
    for region in ("photo", "face"):
        head = OnnxLesionHead(model, classes=("papule",), input_size=SIZE, region=region)
        x, origin, scale = head.letterbox(work)
        assert x.shape == (1, 3, SIZE, SIZE) and x.dtype == np.float32
        px, py = -origin[0] * scale[0], -origin[1] * scale[1]  # the padding (photo: crop at 0)
        corner = x[0, :, int(py) + 2, int(px) + 2]
        if region == "photo":
            assert scale[0] == pytest.approx(min(SIZE / w, SIZE / h), rel=0.01)
            np.testing.assert_allclose(corner, [0.0, 1.0, 0.0], atol=1e-6)
            assert x[0, 0, 0, 0] == pytest.approx(114 / 255)  # the grey padding
        else:
            assert not np.allclose(corner, [0.0, 1.0, 0.0])


def test_a_yolo_output_full_of_candidates_is_bounded(tmp_path):
    """8,400 candidates above the threshold (a YOLOv8 640 grid): at most
    MAX_DETECTIONS come back, in bounded time."""
    import time

    from skincore.heads import MAX_DETECTIONS

    n = 8400
    cx = (np.arange(n) % 120) * 5.0 + 2.5
    cy = (np.arange(n) // 120) * 5.0 + 2.5
    rows = np.stack([cx, cy, np.full(n, 4.0), np.full(n, 4.0), np.full(n, 0.9)], 0)[None]
    head = OnnxLesionHead(
        constant_model(tmp_path / "c.onnx", rows.astype(np.float32)),
        classes=("papule",),
        output="yolov8",
    )
    t = time.perf_counter()
    boxes, scores, cls = head._decode(rows)
    assert time.perf_counter() - t < 5.0
    assert len(boxes) == MAX_DETECTIONS and (scores == 0.9).all()
