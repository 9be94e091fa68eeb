"""Kernel benchmarks for pytest-benchmark: skincore vs the fastest peer, same test.

Run: ``PYTHONPATH=python pytest benchmarks/ --benchmark-only`` (see conftest.py for
sizes and threads; ``--benchmark-autosave`` then ``--benchmark-compare`` to compare
runs). The ``bench_*.py`` scripts print the same comparisons as tables.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench_blobs import SIGMAS as BLOB_SIGMAS
from bench_blobs import THRESHOLD, cv_dog, skin_image
from bench_boxes import scene as box_scene
from bench_color import face_like_rgb
from bench_contours import cv_polygons, make_mask
from bench_geometry import np_tile_median
from bench_ridges import SIGMAS as RIDGE_SIGMAS
from bench_ridges import frangi_cv2
from bench_ridges import test_image as ridge_image
from bench_texture import ENERGY_KW, cv_blur, face_grid
from conftest import SIZES, THREADS
from reference import texture as ref_texture  # tests/ is on the path (bench_texture)
from skincore import blobs, color, contours, geometry, ridges
from skincore.boxes import nms
from skincore.texture import texture_energy

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(autouse=True)
def _cv_threads(request):
    t = request.node.callspec.params.get("t", 1) if hasattr(request.node, "callspec") else 1
    cv2.setNumThreads(t)
    yield


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_rgb_to_lab(compare, n, t):
    rgb = face_like_rgb(n, np.random.default_rng(0))
    f01 = rgb.astype(np.float32) / 255
    out = np.empty(rgb.shape, np.float32)
    compare(
        f"rgb_to_lab {n} t={t}",
        lambda: color.rgb_to_lab(rgb, out=out, threads=t),
        "cv2.cvtColor float (pre-scaled)",
        lambda: cv2.cvtColor(f01, cv2.COLOR_RGB2Lab),
    )


@pytest.mark.parametrize("sigma", [2.0, 8.0])
@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_gaussian_blur(compare, n, t, sigma):
    img = np.random.default_rng(0).random((n, n), dtype=np.float32)
    out = np.empty_like(img)
    k = 2 * int(4 * sigma + 0.5) + 1
    compare(
        f"gaussian_blur {n} s={sigma:g} t={t}",
        lambda: geometry.gaussian_blur(img, sigma, out=out, threads=t),
        "cv2.GaussianBlur",
        lambda: cv2.GaussianBlur(img, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_blobs_detect(compare, n, t):
    img = skin_image(n)
    compare(
        f"blobs.detect {n} t={t}",
        lambda: blobs.detect(img, sigmas=BLOB_SIGMAS, threshold=THRESHOLD, threads=t),
        "cv2 DoG + dilate maxima",
        lambda: cv_dog(img, BLOB_SIGMAS, THRESHOLD),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_blobs_both_polarities(compare, n, t):
    img = skin_image(n)

    def kept():
        _, layers = blobs.scale_space(img, BLOB_SIGMAS, threads=t)
        for pol in ("dark", "bright"):
            blobs.detect_layers(layers, None, BLOB_SIGMAS, pol, THRESHOLD, threads=t)

    compare(
        f"blobs.scale_space + 2x detect_layers {n} t={t}",
        kept,
        "2x cv2 DoG + dilate maxima",
        lambda: (cv_dog(img, BLOB_SIGMAS, THRESHOLD), cv_dog(-img, BLOB_SIGMAS, THRESHOLD)),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_tile_median(compare, n, t):
    src = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    mask = src < 0
    compare(
        f"tile_median {n} tile=8 t={t}",
        lambda: geometry.tile_median(src, mask, 8, threads=t),
        "NumPy per-tile sort",
        lambda: np_tile_median(src, mask, 8),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_frangi(compare, n, t):
    img = ridge_image(n)
    compare(
        f"ridges.frangi {n} t={t}",
        lambda: ridges.frangi(img, RIDGE_SIGMAS, threads=t),
        "cv2 Hessian + NumPy vesselness",
        lambda: frangi_cv2(img),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_contours_polygons(compare, n, t):
    mask = make_mask(n)
    compare(
        f"contours.polygons {n} t={t}",
        lambda: contours.polygons(mask, epsilon=1.0, threads=t),
        "cv2.findContours + approxPolyDP",
        lambda: cv_polygons(mask, 1.0),
    )


@pytest.mark.parametrize("t", THREADS)
@pytest.mark.parametrize("n", SIZES)
def test_contours_label(compare, n, t):
    mask = make_mask(n)
    compare(
        f"contours.label {n} t={t}",
        lambda: contours.label(mask, threads=t),
        "cv2.connectedComponentsWithStats",
        lambda: cv2.connectedComponentsWithStats(mask, connectivity=8),
    )


@pytest.mark.parametrize("t", THREADS)
def test_texture_energy(compare, t):
    # The roughness grid of a 1080p portrait (721x518 at 4 px/mm); the peer is the
    # same NumPy composition over cv2.GaussianBlur (tests/reference/texture.py).
    gray, face = face_grid()
    compare(
        f"texture_energy 518x721 t={t}",
        lambda: texture_energy(gray, face, threads=t, **ENERGY_KW),
        "numpy + cv2.GaussianBlur",
        lambda: ref_texture.texture_energy(gray, face, blur=cv_blur, **ENERGY_KW),
    )


@pytest.mark.parametrize("kind", ["scattered", "clustered"])
def test_nms(compare, kind):
    # 8,400 proposals of a 640x640 YOLO output, 4 classes (bench_boxes.py)
    boxes, scores, classes = box_scene(kind, 8400, np.random.default_rng(0))
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
    s32, c32 = scores.astype(np.float32), classes.astype(np.int32)
    compare(
        f"boxes.nms 8400 {kind}",
        lambda: nms(boxes, scores, classes, 0.45),
        "cv2.dnn.NMSBoxesBatched",
        lambda: cv2.dnn.NMSBoxesBatched(xywh, s32, c32, 0.0, 0.45),
    )
