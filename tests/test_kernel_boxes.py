"""skincore.boxes.nms: the compiled greedy suppression against the textbook loop
(tests/reference/boxes.py), ties at the threshold, limits, and every error path."""

from __future__ import annotations

import time

import numpy as np
import pytest

from reference.boxes import nms as ref_nms
from skincore import _core
from skincore.boxes import nms


def _random_boxes(rng, n, span=100.0):
    xy = rng.uniform(0, span, (n, 2))
    wh = rng.uniform(2, 30, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


def test_nms_matches_the_plain_loop(rng):
    for _ in range(40):
        n = int(rng.integers(0, 150))
        boxes = _random_boxes(rng, n)
        scores = np.round(rng.uniform(0, 1, n), 2)  # ties too
        classes = rng.integers(-2, 3, n) * 10**12  # any int64 values
        iou = float(rng.uniform(-0.1, 0.9))  # below 0: every overlap-free pair goes too
        keep = None if rng.uniform() < 0.5 else int(rng.integers(0, 20))
        got = nms(boxes, scores, classes, iou, max_keep=keep).tolist()
        assert got == ref_nms(boxes, scores, classes, iou, keep)


def test_nms_keeps_the_best_of_each_overlap():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10]], float)
    scores = np.array([0.5, 0.9, 0.9, 0.5])
    classes = np.array([0, 0, 0, 1])
    assert nms(boxes, scores, classes, 0.45).tolist() == [1, 2, 3]
    assert nms(boxes, scores, classes, 0.99).tolist() == [1, 2, 0, 3]
    assert nms(boxes, scores, classes, 0.45, max_keep=2).tolist() == [1, 2]
    assert nms(boxes, scores, classes, 0.45, max_keep=0).tolist() == []
    # one class: the lower-scored twin of box 0 goes too
    assert nms(boxes, scores, np.zeros(4, int), 0.45).tolist() == [1, 2]


def test_an_iou_equal_to_the_threshold_keeps_the_box():
    # inter 1, union 3: IoU 1/3 exactly as the threshold 1.0 / 3.0
    boxes = np.array([[0.0, 0.0, 2.0, 1.0], [1.0, 0.0, 3.0, 1.0]])
    scores = np.array([0.9, 0.8])
    cls = np.zeros(2, int)
    assert nms(boxes, scores, cls, 1.0 / 3.0).tolist() == [0, 1]
    assert nms(boxes, scores, cls, np.nextafter(1.0 / 3.0, 0.0)).tolist() == [0]
    # touching boxes (no area in common) and empty boxes never suppress
    touching = np.array([[0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 1.0], [5.0, 5.0, 5.0, 5.0]])
    assert nms(touching, [0.9, 0.8, 0.7], [0, 0, 0], 0.0).tolist() == [0, 1, 2]


def test_nms_is_bounded_on_a_yolo_sized_output(rng):
    n = 8400
    boxes = _random_boxes(rng, n, span=640.0)
    scores = rng.uniform(0.25, 1.0, n)
    classes = rng.integers(0, 4, n)
    t = time.perf_counter()
    kept = nms(boxes, scores, classes, 0.45)
    assert time.perf_counter() - t < 2.0  # the Python loop took 40 ms; generous
    assert kept.tolist() == ref_nms(boxes, scores, classes, 0.45)
    top = nms(boxes, scores, classes, 0.45, max_keep=300)
    assert top.tolist() == kept[:300].tolist()


def test_nms_accepts_lists_and_returns_int64():
    got = nms([[0, 0, 1, 1]], [0.5], [3], 0.5)
    assert got.dtype == np.int64 and got.tolist() == [0]
    assert nms(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int), 0.5).tolist() == []
    assert nms([], [], [], 0.5).tolist() == []


@pytest.mark.parametrize(
    "args, name",
    [
        (([[0, 0, 1]], [0.5], [0], 0.5), "boxes"),
        (([[0, 0, 1, 1]], [0.5, 0.4], [0], 0.5), "scores"),
        (([[0, 0, 1, 1]], [0.5], [0, 1], 0.5), "classes"),
        (([[0, 0, 1, 1]], [0.5], [0.5], 0.5), "classes"),
        (([[0, 0, np.nan, 1]], [0.5], [0], 0.5), "boxes"),
        (([[0, 0, 1, 1]], [np.inf], [0], 0.5), "scores"),
        (([[0, 0, 1, 1]], [0.5], [0], float("nan")), "iou"),
        (([[0, 0, 1, 1]], [0.5], [0], "0.5"), "iou"),
        (([[0, 0, 1, 1]], [0.5], [0], True), "iou"),
    ],
)
def test_bad_arguments_name_themselves(args, name):
    with pytest.raises(ValueError, match=name):
        nms(*args)


@pytest.mark.parametrize("keep", [-1, 1.5, True])
def test_bad_max_keep(keep):
    with pytest.raises(ValueError, match="max_keep"):
        nms([[0, 0, 1, 1]], [0.5], [0], 0.5, max_keep=keep)


def test_the_kernel_checks_its_arrays():
    b = np.zeros((3, 4))
    c = np.zeros(3, np.int64)
    for bad_b, bad_c, name in [
        (np.zeros((3, 4), np.float32), c, "boxes"),
        (np.zeros((3, 5)), c, "boxes"),
        (np.zeros((4, 3)).T, c, "boxes"),
        (b, np.zeros(3, np.int32), "classes"),
        (b, np.zeros(2, np.int64), "classes"),
        (b, np.zeros(6, np.int64)[::2], "classes"),
    ]:
        with pytest.raises(ValueError, match=name):
            _core.boxes.greedy_nms(bad_b, bad_c, 0.5)
    assert _core.boxes.greedy_nms(b, c, 0.5, 0).tolist() == []
