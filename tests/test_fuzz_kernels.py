"""Property-based fuzz of every kernel wrapper's arguments (Hypothesis).

Each call gets random shapes (empty, 1xN, Nx1, odd widths), dtypes, strided and
non-contiguous views, NaN/inf pixels, odd scalars (NaN, inf, negative, tiny,
huge) and odd ``threads``. The property: the call returns a result of the
documented shape and dtype, or raises ValueError/TypeError whose message names
one of the function's arguments. Never a crash, a hang or another exception.

The CI run is short (``SKINCORE_FUZZ_EXAMPLES``, default 60 examples per
wrapper); a long run: ``SKINCORE_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz_kernels.py``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from reference.boxes import nms as ref_nms  # noqa: E402
from skincore import blobs, color, contours, geometry, maps, ridges  # noqa: E402
from skincore.boxes import nms  # noqa: E402

EXAMPLES = int(os.environ.get("SKINCORE_FUZZ_EXAMPLES", "60"))
settings.register_profile(
    "skincore-fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 200,  # the CI run is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("skincore-fuzz")

# ------------------------------------------------------------------ strategies

ODD_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e-9, 0.5, 1.0, 2.0, 3.7, 64.0, 256.0, 1e6]),
)
THREADS = st.one_of(
    st.sampled_from([0, 1, 2, 7, 256]),
    st.sampled_from([-1, 257, 10**6, 1.5, True, None, "2"]),
)
SIDES = st.sampled_from([0, 1, 2, 3, 5, 8, 13, 31, 32, 33])


@st.composite
def images(
    draw: st.DrawFn,
    dtypes: tuple[Any, ...] = (np.float32,),
    channels: tuple[int | None, ...] = (None,),
    nonfinite: bool = True,
) -> np.ndarray:
    """An image of a random shape, dtype and layout (mostly the expected ones)."""
    h, w = draw(SIDES), draw(SIDES)
    ch = draw(st.sampled_from(channels))
    dt = draw(st.sampled_from(dtypes)) if draw(st.integers(0, 9)) else np.float64
    shape = (h, w) if ch is None else (h, w, ch)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if np.dtype(dt) == np.bool_:
        a = rng.random(shape) > 0.5
    elif np.issubdtype(dt, np.integer):
        a = rng.integers(0, 256, shape).astype(dt)
    else:
        a = rng.random(shape).astype(dt)
        if nonfinite and a.size and draw(st.integers(0, 4)) == 0:
            a.flat[draw(st.integers(0, a.size - 1))] = draw(
                st.sampled_from([np.nan, np.inf, -np.inf])
            )
    layout = draw(st.sampled_from(["c", "c", "c", "rows", "cols", "fortran", "crop"]))
    if layout == "rows":  # row-strided: accepted
        big = np.zeros((2 * h + 1,) + shape[1:], a.dtype)
        big[::2][:h] = a
        a = big[::2][:h]
    elif layout == "cols":  # pixels not packed: refused
        big = np.zeros((h, 2 * w) + shape[2:], a.dtype)
        big[:, ::2] = a
        a = big[:, ::2]
    elif layout == "fortran":
        a = np.asfortranarray(a)
    elif layout == "crop" and h > 1 and w > 1:
        a = a[1:, 1:]
    return a


def expect(fn: Callable[..., Any], names: set[str], *args: Any, **kw: Any) -> Any:
    """Call fn; a ValueError/TypeError must name one of ``names``. None if raised."""
    try:
        return fn(*args, **kw)
    except (ValueError, TypeError) as e:
        msg = str(e)
        assert any(n in msg for n in names), f"{fn.__name__}: error names no argument: {msg!r}"
        return None


def threads_ok(t: object) -> bool:
    return isinstance(t, int) and not isinstance(t, bool) and 0 <= t <= 256


# ---------------------------------------------------------------------- colour


@FUZZ
@given(rgb=images(dtypes=(np.uint8, np.float32), channels=(3, 3, 4, None)), threads=THREADS)
def test_fuzz_rgb_to_lab(rgb, threads):
    out = expect(color.rgb_to_lab, {"rgb", "threads", "out"}, rgb, threads=threads)
    if out is not None:
        assert out.shape == rgb.shape and out.dtype == np.float32 and threads_ok(threads)
        assert np.isfinite(out).all()


@FUZZ
@given(
    rgb=images(dtypes=(np.uint8, np.float32), channels=(3, 3, 4, None)),
    divisor=st.sampled_from([1.0, 100.0, 0.0, -1.0, np.nan, np.inf]),
    threads=THREADS,
)
def test_fuzz_rgb_to_lightness(rgb, divisor, threads):
    out = expect(
        color.rgb_to_lightness, {"rgb", "threads", "divisor"}, rgb, divisor=divisor, threads=threads
    )
    if out is not None:
        assert out.shape == rgb.shape[:2] and out.dtype == np.float32 and threads_ok(threads)
        assert np.isfinite(out).all() and divisor > 0


@FUZZ
@given(lab=images(channels=(3, 3, 2)), threads=THREADS)
def test_fuzz_ita_map(lab, threads):
    out = expect(color.ita_map, {"lab", "threads", "out"}, lab, threads=threads)
    if out is not None:
        assert out.shape == lab.shape[:2] and out.dtype == np.float32
        assert (np.isnan(out) | (np.abs(out) <= 90)).all()


@FUZZ
@given(lab=images(channels=(3, 3, 2)), threads=THREADS)
def test_fuzz_lightness_chroma(lab, threads):
    out = expect(color.lightness_chroma, {"lab", "threads"}, lab, threads=threads)
    if out is not None:
        light, chroma = out
        assert light.shape == chroma.shape == lab.shape[:2] and threads_ok(threads)
        with np.errstate(all="ignore"):
            want = np.hypot(lab[..., 1], lab[..., 2], dtype=np.float32)
        np.testing.assert_array_equal(chroma, want)


@FUZZ
@given(rgb=images(dtypes=(np.uint8, np.float32), channels=(3, 3, 4, None)), threads=THREADS,
       lut_shape=st.sampled_from([(3, 256), (3, 256), (256, 3), (3, 255)]))  # fmt: skip
def test_fuzz_apply_channel_luts(rgb, threads, lut_shape):
    luts = (np.arange(np.prod(lut_shape)) % 251).astype(np.uint8).reshape(lut_shape)
    out = expect(color.apply_channel_luts, {"rgb", "luts", "threads"}, rgb, luts, threads=threads)
    if out is not None:
        assert out.shape == rgb.shape and out.dtype == np.uint8 and threads_ok(threads)
        for c in range(3):
            np.testing.assert_array_equal(out[..., c], luts[c][rgb[..., c]])


@FUZZ
@given(lab=images(channels=(3,)), mdt=st.sampled_from([np.bool_, np.uint8, np.float32]),
       k=ODD_FLOATS, threads=THREADS)  # fmt: skip
def test_fuzz_lab_stats(lab, mdt, k, threads):
    mask = (np.arange(lab.shape[0] * lab.shape[1]).reshape(lab.shape[:2]) % 3 == 0).astype(mdt)
    st_ = expect(color.lab_stats, {"lab", "mask", "k", "threads"}, lab, mask, k=k, threads=threads)
    if st_ is not None:
        assert st_.n_mask == st_.n_invalid + st_.n_shadow + st_.n_highlight + st_.n_used


@FUZZ
@given(a=ODD_FLOATS, b=ODD_FLOATS)
def test_fuzz_angles(a, b):
    for f in (color.ita_degrees, color.ha_degrees):
        v = expect(f, {"L", "a", "b"}, a, b)
        assert v is None or math.isnan(v) or -360 <= v <= 360


# -------------------------------------------------------------------- geometry


@FUZZ
@given(img=images(), sigma=ODD_FLOATS, truncate=ODD_FLOATS, threads=THREADS)
def test_fuzz_gaussian_blur(img, sigma, truncate, threads):
    names = {"image", "src", "dst", "sigma", "truncate", "threads"}
    out = expect(geometry.gaussian_blur, names, img, sigma, truncate=truncate, threads=threads)
    if out is not None:
        assert out.shape == img.shape and out.dtype == np.float32
        if img.size and np.isfinite(img).all():
            assert np.isfinite(out).all()
            assert out.min() >= img.min() - 1e-5 and out.max() <= img.max() + 1e-5


@FUZZ
@given(img=images(dtypes=(np.uint8, np.float32), channels=(None, 3, 2)),
       size=st.tuples(st.sampled_from([0, 1, 2, 7, 40, 2**20, -1]),
                      st.sampled_from([0, 1, 3, 33, 2**15, 2**20 + 1])),
       method=st.sampled_from(["area", "bilinear", "nearest"]), threads=THREADS)  # fmt: skip
def test_fuzz_resize(img, size, method, threads):
    names = {"image", "size", "method", "threads", "out", "src", "dst"}
    out = expect(geometry.resize, names, img, size, method=method, threads=threads)
    if out is not None:
        assert out.shape[:2] == (size[1], size[0]) and out.dtype == img.dtype


@st.composite
def polygon_lists(draw: st.DrawFn) -> list[np.ndarray]:
    n = draw(st.integers(0, 4))
    out = []
    for _ in range(n):
        k = draw(st.integers(0, 7))
        pts = draw(st.lists(st.tuples(ODD_FLOATS, ODD_FLOATS), min_size=k, max_size=k))
        out.append(np.array(pts, np.float64).reshape(-1, 2))
    return out


@FUZZ
@given(polys=polygon_lists(), shape=st.tuples(SIDES, SIDES),
       value=st.sampled_from([0, 7, 255, 256, -1]),
       rule=st.sampled_from(["evenodd", "nonzero", "odd"]), threads=THREADS)  # fmt: skip
def test_fuzz_fill_polygons(polys, shape, value, rule, threads):
    names = {"polygons", "shape", "value", "rule", "threads", "out"}
    out = expect(geometry.fill_polygons, names, polys, shape, value=value, rule=rule,
                 threads=threads)  # fmt: skip
    if out is not None:
        assert out.shape == shape and out.dtype == np.uint8
        assert set(np.unique(out)) <= {0, value}


# ----------------------------------------------------------------------- blobs


@FUZZ
@given(gray=images(), sigmas=st.lists(ODD_FLOATS, min_size=0, max_size=5),
       polarity=st.sampled_from(["dark", "bright", "grey"]), threshold=ODD_FLOATS,
       overlap=ODD_FLOATS, truncate=ODD_FLOATS, threads=THREADS,
       with_mask=st.booleans())  # fmt: skip
def test_fuzz_blobs_detect(gray, sigmas, polarity, threshold, overlap, truncate, threads,
                           with_mask):  # fmt: skip
    mask = (np.indices(gray.shape[:2]).sum(0) % 2).astype(np.uint8) if with_mask else None
    names = {"gray", "mask", "sigmas", "polarity", "threshold", "overlap", "truncate", "threads"}
    if not sigmas:
        sigmas = [1.0, 2.0]
    else:
        sigmas = sorted(s for s in sigmas if not math.isnan(s)) or [1.0, 2.0]
    out = expect(blobs.detect, names, gray, mask, sigmas, polarity, threshold,
                 overlap=overlap, truncate=truncate, threads=threads)  # fmt: skip
    if out is not None:
        assert out.ndim == 2 and out.shape[1] == 4 and out.dtype == np.float32
        assert np.isfinite(out).all()


@FUZZ
@given(gray=images(), sa=ODD_FLOATS, sb=ODD_FLOATS, truncate=ODD_FLOATS, threads=THREADS)
def test_fuzz_dog_response(gray, sa, sb, truncate, threads):
    names = {"gray", "sigma", "polarity", "truncate", "threads", "out"}
    out = expect(blobs.dog_response, names, gray, sa, sb, truncate=truncate, threads=threads)
    if out is not None:
        assert out.shape == gray.shape and out.dtype == np.float32


@FUZZ
@given(a=ODD_FLOATS, b=ODD_FLOATS, r=ODD_FLOATS)
def test_fuzz_scale_sigmas(a, b, r):
    out = expect(blobs.scale_sigmas, {"min_sigma", "max_sigma", "ratio"}, a, b, r)
    if out is not None:
        assert out.ndim == 1 and np.all(np.diff(out) > 0)


# ---------------------------------------------------------------------- ridges


@FUZZ
@given(gray=images(), sigmas=st.lists(ODD_FLOATS, min_size=0, max_size=3),
       beta=ODD_FLOATS, gamma=st.one_of(st.none(), ODD_FLOATS),
       edge_beta=st.one_of(st.none(), ODD_FLOATS), black=st.booleans(),
       threads=THREADS)  # fmt: skip
def test_fuzz_frangi(gray, sigmas, beta, gamma, edge_beta, black, threads):
    names = {"gray", "sigmas", "alpha", "beta", "gamma", "edge_beta", "mask", "threads"}
    sig = [min(abs(s), 4.0) if math.isfinite(s) else s for s in sigmas]  # keep it quick
    res = expect(ridges.frangi, names, gray, sig, beta=beta, gamma=gamma, edge_beta=edge_beta,
                 black_ridges=black, threads=threads)  # fmt: skip
    if res is not None:
        assert res.response.shape == gray.shape
        assert np.isfinite(res.response).all() and (res.response >= 0).all()


@FUZZ
@given(resp=images(), low=ODD_FLOATS, high=ODD_FLOATS, max_gap=ODD_FLOATS, angle=ODD_FLOATS,
       min_length=ODD_FLOATS, spur=ODD_FLOATS, smooth=st.sampled_from([0, 1, 2, 64, 65, -1, 1.5]),
       threads=THREADS)  # fmt: skip
def test_fuzz_trace(resp, low, high, max_gap, angle, min_length, spur, smooth, threads):
    names = {"response", "low", "high", "min_length", "max_gap", "max_angle_deg", "spur_length",
             "smooth", "threads", "mask", "scale", "orientation", "depth"}  # fmt: skip
    out = expect(ridges.trace, names, resp, low=low, high=high, max_gap=max_gap,
                 max_angle_deg=angle, min_length=min_length, spur_length=spur, smooth=smooth,
                 threads=threads, scale=resp if resp.ndim == 2 else None)  # fmt: skip
    if out is not None:
        for r in out:
            assert r.points.ndim == 2 and r.points.shape[1] == 2 and r.length >= min_length
    sk = expect(ridges.hysteresis_skeleton, names, resp, low=low, high=high, threads=threads)
    if sk is not None:
        assert sk.shape == resp.shape and sk.dtype == np.bool_


# -------------------------------------------------------------------- contours


@FUZZ
@given(mask=images(dtypes=(np.bool_, np.uint8, np.int32, np.float32)),
       conn=st.sampled_from([4, 8, 6, True]), eps=ODD_FLOATS,
       min_area=st.sampled_from([0, 1, 5, -1, 1.5]), threads=THREADS)  # fmt: skip
def test_fuzz_contours(mask, conn, eps, min_area, threads):
    names = {"mask", "mask_or_labels", "labels", "connectivity", "threads", "epsilon",
             "min_area"}  # fmt: skip
    lab = expect(contours.label, names, mask, connectivity=conn, threads=threads)
    if lab is not None:
        assert lab[0].shape == mask.shape[:2]
    cs = expect(contours.find_contours, names, mask, connectivity=conn, threads=threads)
    if cs is not None:
        for c in cs:
            assert c.ndim == 2 and c.shape[1] == 2
    ps = expect(contours.polygons, names, mask, epsilon=eps, min_area=min_area,
                connectivity=conn, threads=threads)  # fmt: skip
    if ps is not None:
        for p in ps:
            assert p.ndim == 2 and p.shape[1] == 2


@FUZZ
@given(pts=st.lists(st.tuples(ODD_FLOATS, ODD_FLOATS), max_size=12), eps=ODD_FLOATS,
       closed=st.booleans())  # fmt: skip
def test_fuzz_simplify(pts, eps, closed):
    a = np.array(pts, np.float64).reshape(-1, 2)
    out = expect(contours.simplify, {"polyline", "epsilon", "closed"}, a, eps, closed=closed)
    if out is not None:
        assert out.ndim == 2 and out.shape[1] == 2 and len(out) <= len(a)


# ----------------------------------------------------------------------- boxes


@FUZZ
@given(rows=st.lists(st.tuples(ODD_FLOATS, ODD_FLOATS, ODD_FLOATS, ODD_FLOATS, ODD_FLOATS,
                               st.integers(-3, 3)), max_size=24),
       iou=st.one_of(ODD_FLOATS, st.sampled_from([-0.5, 0.3, "x", None, True])),
       keep=st.one_of(st.none(), st.integers(-2, 30), st.sampled_from([1.5, True])))  # fmt: skip
def test_fuzz_nms(rows, iou, keep):
    boxes = np.array([r[:4] for r in rows], np.float64).reshape(-1, 4)
    scores = np.array([r[4] for r in rows], np.float64)
    classes = np.array([r[5] for r in rows], np.int64)
    out = expect(nms, {"boxes", "scores", "iou", "max_keep"}, boxes, scores, classes, iou, keep)
    if out is None:
        return
    # finite inputs: the textbook loop's indices
    kept = ref_nms(boxes, scores, classes, iou, keep)
    assert out.dtype == np.int64 and out.tolist() == kept


# ------------------------------------------------------------------------ maps


@FUZZ
@given(img=images(dtypes=(np.uint8, np.float32), channels=(None, 3, 4)),
       box=st.tuples(ODD_FLOATS, ODD_FLOATS, ODD_FLOATS, ODD_FLOATS),
       ratio=st.one_of(st.none(), ODD_FLOATS), sigma=ODD_FLOATS, gain=ODD_FLOATS,
       eps=ODD_FLOATS, threads=THREADS)  # fmt: skip
def test_fuzz_enhanced_bw(img, box, ratio, sigma, gain, eps, threads):
    names = {"image", "box", "ratio", "out_size", "sigma", "gain", "eps", "threads"}
    if ratio is not None and math.isfinite(ratio):
        ratio = min(abs(ratio), 4.0)  # keep outputs small
    sigma = min(abs(sigma), 16.0) if math.isfinite(sigma) else sigma
    res = expect(maps.enhanced_bw, names, img, box, ratio=ratio, sigma=sigma, gain=gain, eps=eps,
                 threads=threads)  # fmt: skip
    if res is not None:
        out, info = res
        assert out.dtype == np.uint8 and out.ndim == 2 and info.ratio > 0
        back = maps.from_enhanced(maps.to_enhanced(np.array([[info.left, info.top]]), info), info)
        assert np.allclose(back, [[info.left, info.top]])
