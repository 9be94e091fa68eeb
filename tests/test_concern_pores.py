"""Pores and blackheads: synthetic ground truth on real skin, invariances, buckets."""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
import pytest
from PIL import Image

from skincore import geometry
from skincore.analysis import PORE_ZONES
from skincore.concerns import pores as P
from skincore.concerns.blackheads import BLACKHEAD_BUCKETS, blackhead_score, measure_blackheads
from skincore.concerns.context import TextureContext
from skincore.concerns.pores import measure_pores
from skincore.grading import severity
from synthetic import (
    PlantedBlob,
    PlantedLine,
    match_points,
    plant_blobs,
    plant_lines,
    segment,
    texture_of,
)


@pytest.fixture(scope="module")
def sample_ctx(sample_path):
    return texture_of(str(sample_path))


def _clean_base(ctx: TextureContext, seed: int) -> np.ndarray:
    """Real skin with its pores removed: a 1 mm Gaussian low-pass plus mild,
    camera-like (slightly correlated) noise of 0.4 L*."""
    rng = np.random.default_rng(seed)
    low = geometry.gaussian_blur(ctx.gray, 1.0 * ctx.px_per_mm)
    noise = rng.standard_normal(ctx.gray.shape).astype(np.float32) * np.float32(0.008)
    noise = geometry.gaussian_blur(noise, 0.7)
    return (low + noise).astype(np.float32)


def _resized(ctx: TextureContext, f: float) -> TextureContext:
    """The same context on a grid ``f`` times as fine (area resampling)."""
    h, w = ctx.gray.shape
    size = (round(w * f), round(h * f))
    k = size[0] / w
    gray = geometry.resize(np.ascontiguousarray(ctx.gray), size, method="area")
    masks = {}
    for name, m in ctx.masks.items():
        up = geometry.resize(m, size, method="bilinear")
        masks[name] = np.where(up >= 128, np.uint8(255), np.uint8(0))
    return dataclasses.replace(
        ctx,
        gray=gray,
        masks=masks,
        scale=ctx.scale * k,
        px_per_mm=ctx.px_per_mm * k,
        landmarks=((ctx.landmarks + 0.5) * k - 0.5).astype(np.float32),
    )


def _slots(mask: np.ndarray, spacing: float, margin: float, rng) -> np.ndarray:
    """Jittered grid points at least ``margin`` px inside ``mask``."""
    inner = geometry.gaussian_blur((mask > 0).astype(np.float32), margin / 2) > 0.999
    h, w = mask.shape
    ys, xs = np.mgrid[spacing / 2 : h : spacing, spacing / 2 : w : spacing]
    pts = np.stack([xs.ravel(), ys.ravel()], 1)
    pts = pts + rng.uniform(-spacing / 8, spacing / 8, pts.shape)
    ix = np.clip(np.rint(pts[:, 0]).astype(int), 0, w - 1)
    iy = np.clip(np.rint(pts[:, 1]).astype(int), 0, h - 1)
    return pts[inner[iy, ix]]


def _plant(ctx: TextureContext, base: np.ndarray, n_pores: int | None, n_black: int, seed: int):
    """Plant pores on every pore zone and blackheads on the nose.

    Sizes and depths are in mm and L*/100 (depth = contrast x local skin L).
    Pores: radius 0.28-0.5 mm, depth 0.055-0.12 (nose pores 0.05-0.06, below the
    blackhead depth); blackheads: radius 0.2-0.35 mm, depth 0.13-0.25.
    """
    rng = np.random.default_rng(seed)
    ppm = ctx.px_per_mm
    spacing = 3.0 * ppm
    pores, blacks = [], []
    for zone in PORE_ZONES:
        pts = _slots(ctx.masks[zone], spacing, 1.5 * ppm, rng)
        rng.shuffle(pts)
        if zone == "nose":
            nb = min(n_black, len(pts) // 2)
            for x, y in pts[:nb]:
                sig = rng.uniform(0.2, 0.35) / math.sqrt(2) * ppm
                depth = rng.uniform(0.13, 0.25)
                blacks.append(PlantedBlob(x, y, sig, depth / base[int(y), int(x)]))
            pts = pts[nb:]
        for x, y in pts:
            sig = rng.uniform(0.28, 0.5) / math.sqrt(2) * ppm
            depth = rng.uniform(0.05, 0.06) if zone == "nose" else rng.uniform(0.055, 0.12)
            pores.append(PlantedBlob(x, y, sig, depth / base[int(y), int(x)]))
    if n_pores is not None:
        idx = rng.choice(len(pores), size=n_pores, replace=False)
        pores = [pores[i] for i in sorted(idx)]
    gray = plant_blobs(base, pores + blacks)
    return dataclasses.replace(ctx, gray=gray), pores, blacks


def _truth_xy(ctx: TextureContext, planted: list[PlantedBlob]) -> np.ndarray:
    return ctx.to_image(np.array([[b.x, b.y] for b in planted]).reshape(-1, 2))


def _prf(found: np.ndarray, truth: np.ndarray, radius: float):
    tp, mt, err = match_points(found[:, :2], truth, radius)
    return tp / max(len(found), 1), mt / max(len(truth), 1), err


@pytest.mark.parametrize("factor", [1.0, 0.75])
def test_planted_pores_and_blackheads_on_real_skin(sample_ctx, factor):
    ctx = sample_ctx if factor == 1.0 else _resized(sample_ctx, factor)
    assert ctx.px_per_mm >= P.MIN_PX_PER_MM
    base = _clean_base(ctx, 7)
    # the cleaned skin itself holds no pores and no blackheads
    clean = dataclasses.replace(ctx, gray=base)
    assert len(measure_pores(clean).blobs) <= 2
    assert measure_blackheads(clean).count == 0

    planted, pores, blacks = _plant(ctx, base, None, 25, seed=3)
    assert len(pores) > 300 and len(blacks) == 25
    got_p = measure_pores(planted)
    got_b = measure_blackheads(planted)
    radius = 0.25 * ctx.px_per_mm / ctx.scale  # 0.25 mm in image pixels
    prec_p, rec_p, err_p = _prf(got_p.blobs, _truth_xy(ctx, pores), radius)
    prec_b, rec_b, err_b = _prf(got_b.blobs, _truth_xy(ctx, blacks), radius)
    print(
        f"factor {factor}: pores P={prec_p:.3f} R={rec_p:.3f} err={err_p:.3f}px "
        f"(n={len(pores)}, found {len(got_p.blobs)}); blackheads P={prec_b:.3f} "
        f"R={rec_b:.3f} err={err_b:.3f}px (n={len(blacks)}, found {got_b.count})"
    )
    assert rec_p >= 0.9 and prec_p >= 0.9 and err_p < 1.0
    assert rec_b >= 0.9 and prec_b >= 0.9 and err_b < 1.0
    # per-zone counts add up to the blobs, and blackheads are not nose pores
    assert sum(z.count for z in got_p.zones.values()) == len(got_p.blobs)
    bx = got_b.blobs[:, :2]
    d = np.hypot(*(got_p.blobs[:, None, :2] - bx[None]).transpose(2, 0, 1))
    assert d.size == 0 or d.min() > 0
    # radius of matched pores ~ planted (image px), within 25 % where sigma >= 1 px
    t = _truth_xy(ctx, pores)
    rt = np.array([b.sigma for b in pores]) * math.sqrt(2) / ctx.scale
    j = np.argmin(np.hypot(*(got_p.blobs[:, None, :2] - t[None]).transpose(2, 0, 1)), axis=1)
    big = np.array([pores[k].sigma for k in j]) >= 1.0
    rel = got_p.blobs[big, 2] / rt[j[big]]
    assert np.median(np.abs(rel - 1)) < 0.25


def test_counts_follow_planted_counts(sample_ctx):
    base = _clean_base(sample_ctx, 11)
    counts = []
    for n in (50, 100, 200):
        planted, pores, _ = _plant(sample_ctx, base, n, 0, seed=5)
        got = measure_pores(planted)
        counts.append(len(got.blobs))
        assert abs(len(got.blobs) - n) <= 0.1 * n, (n, len(got.blobs))
    assert counts[0] < counts[1] < counts[2]


def _flat_ctx(ppm: float = 6.0, noise: float = 0.005, seed: int = 1) -> TextureContext:
    rng = np.random.default_rng(seed)
    gray = (0.7 + noise * rng.standard_normal((300, 320))).astype(np.float32)
    full = np.full(gray.shape, 255, np.uint8)
    return TextureContext(
        gray=gray,
        origin=(10, 20),
        scale=1.0,
        px_per_mm=ppm,
        masks={z: full for z in PORE_ZONES},
        landmarks=np.zeros((478, 2), np.float32),
    )


def test_flat_skin_has_no_pores_or_blackheads():
    ctx = _flat_ctx()
    p = measure_pores(ctx)
    assert p is not None and len(p.blobs) == 0
    g = P.grade(p, P.Params())
    assert all(z.count == 0 for z in p.zones.values())
    assert all(z.severity == 0 for z in g.zones.values())
    assert g.zones["forehead"].score == 100.0 and g.whole.score == 100.0
    assert measure_blackheads(ctx).count == 0


def test_single_pore_zone_fields_and_image_coordinates():
    ctx = _flat_ctx(noise=0.0)
    half = np.zeros(ctx.gray.shape, np.uint8)
    half[:, :160] = 255
    masks = {z: np.zeros_like(half) for z in PORE_ZONES}
    masks["left_cheek"] = half
    masks["nose"] = 255 - half
    ctx = dataclasses.replace(ctx, masks=masks, scale=0.5)
    sig = 0.45 / math.sqrt(2) * ctx.px_per_mm  # enlarged (0.45 mm radius)
    gray = plant_blobs(
        ctx.gray,
        [
            PlantedBlob(80.3, 150.6, sig, 0.1),  # cheek pore
            PlantedBlob(240.0, 100.0, 0.3 / math.sqrt(2) * ctx.px_per_mm, 0.3),  # blackhead
        ],
    )
    ctx = dataclasses.replace(ctx, gray=gray)
    p, b = measure_pores(ctx), measure_blackheads(ctx)
    assert set(p.zones) == {"left_cheek", "nose"}
    z = p.zones["left_cheek"]
    assert (z.count, z.enlarged_count) == (1, 1)
    assert z.area_px == 160 * 300 * 4  # image pixels: texture pixels / scale**2
    assert z.density_per_cm2 == pytest.approx(1 / (160 * 300 / 36 / 100))
    disk = math.pi * (sig * math.sqrt(2)) ** 2 / (160 * 300)
    assert z.enlarged_area == pytest.approx(disk, rel=0.25)
    assert p.zones["nose"].count == 0 and b.count == 1
    x, y, r, c = p.blobs[0]
    assert (x, y) == pytest.approx(
        ((80.3 + 0.5) / 0.5 - 0.5 + 10, (150.6 + 0.5) / 0.5 - 0.5 + 20), abs=0.4
    )
    assert r == pytest.approx(sig * math.sqrt(2) / 0.5, rel=0.15)
    assert c == pytest.approx(0.07, rel=0.15)  # depth 0.1 x L 0.7
    assert p.px_per_mm == pytest.approx(12.0)
    assert b.blobs[0, 3] == pytest.approx(0.21, rel=0.2)


def test_threads_and_repeat_do_not_change_results(sample_ctx):
    a = measure_pores(dataclasses.replace(sample_ctx), threads=1)
    b = measure_pores(dataclasses.replace(sample_ctx), threads=2)
    np.testing.assert_array_equal(a.blobs, b.blobs)
    assert a.zones == b.zones


def test_low_resolution_and_no_skin_give_none(sample_ctx):
    low = dataclasses.replace(sample_ctx, px_per_mm=P.MIN_PX_PER_MM * 0.98)
    assert measure_pores(low) is None and measure_blackheads(low) is None
    empty = {k: np.zeros_like(v) for k, v in sample_ctx.masks.items()}
    none = dataclasses.replace(sample_ctx, masks=empty)
    assert measure_pores(none) is None and measure_blackheads(none) is None
    ok = dataclasses.replace(sample_ctx, px_per_mm=P.MIN_PX_PER_MM)
    assert measure_pores(ok) is not None


@pytest.mark.parametrize(
    ("bounds", "zone"),
    [
        ((100, 200, 400), "forehead"),
        ((100, 200, 400), "nose"),
        ((80, 180, 280), "left_cheek"),
        ((80, 180, 280), "right_cheek"),
        ((50, 100, 150), "chin"),
    ],
)
def test_pore_severity_buckets(bounds, zone):
    assert P.PORE_BUCKETS[zone] == bounds
    assert severity(0, bounds) == 0
    for level, b in enumerate(bounds):
        assert severity(b, bounds) == level
        assert severity(b + 1, bounds) == level + 1
    assert severity(10**6, bounds) == 3


def test_blackhead_severity_buckets():
    assert BLACKHEAD_BUCKETS == (45, 90, 150)
    got = [severity(n, BLACKHEAD_BUCKETS) for n in (0, 45, 46, 90, 91, 150, 151)]
    assert got == [0, 0, 1, 1, 2, 2, 3]
    with pytest.raises(ValueError, match="count"):
        severity(-1, BLACKHEAD_BUCKETS)


def test_scores_are_monotone_and_bounded():
    assert P.pore_score(0.0, 0.0) == 100.0
    assert blackhead_score(0) == 100.0
    dens = [P.pore_score(d, 0.0) for d in (0, 2, 5, 10, 30, 100)]
    area = [P.pore_score(3.0, a) for a in (0, 0.01, 0.05, 0.2, 1.0)]
    bh = [blackhead_score(n) for n in (0, 10, 45, 90, 150, 1000)]
    for seq in (dens, area, bh):
        assert all(a > b for a, b in zip(seq[:-1], seq[1:], strict=True)) or seq[-1] == 1.0
        assert all(1.0 <= s <= 100.0 for s in seq)
        assert seq == sorted(seq, reverse=True)


def test_stable_on_real_photo_across_resolution_and_jpeg(sample_path):
    im = Image.open(sample_path).convert("RGB")
    w, h = im.size
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    variants = {
        "full": np.asarray(im),
        "x0.75": np.asarray(im.resize((round(w * 0.75), round(h * 0.75)), Image.LANCZOS)),
        "q85": buf.getvalue(),
    }
    res = {}
    for name, img in variants.items():
        ctx = texture_of(img)
        res[name] = (measure_pores(ctx), measure_blackheads(ctx))
    print({k: (len(p.blobs), b.count) for k, (p, b) in res.items()})
    p0, b0 = res["full"]
    assert len(p0.blobs) >= 50  # the sample shows pores
    for name in ("x0.75", "q85"):
        p, b = res[name]
        # x0.75 puts the face at 4.2 px/mm, next to the 4 px/mm floor: the faintest
        # fine pores fall below resolution (measured: 357 -> 303).
        assert abs(len(p.blobs) - len(p0.blobs)) <= 0.2 * len(p0.blobs), name
        assert abs(b.count - b0.count) <= max(3, 0.15 * b0.count), name
        # blobs in image coordinates: the same pores land in the same places
        scale = w / variants["x0.75"].shape[1] if name == "x0.75" else 1.0
        tp, _, err = match_points(p.blobs[:, :2] * scale, p0.blobs[:, :2], 3.0)
        assert tp >= 0.6 * min(len(p.blobs), len(p0.blobs)), (name, tp)


def test_resolution_ladder_enlarged_only_below_4_px_per_mm(faces_dir):
    """A 550-px face (3.4-3.6 px/mm): enlarged pores only, no count buckets."""
    import skincore

    an = skincore.Analyzer(threads=2, concerns=("pores", "blackheads"))
    r = an.analyze(faces_dir / "ccby_london_087.jpg")
    f = r.faces[0]
    assert 3.4 <= f.geometry.px_per_mm < 4.0
    p = f.pores
    assert p is not None and not p.fine_resolved
    assert p.detection_limit_mm > P.PORE_MIN_RADIUS_MM  # the finest pores are not resolved
    for z in p.zones.values():
        assert z.count == z.enlarged_count
    r_mm = p.blobs[:, 2] / p.px_per_mm
    assert np.all(r_mm >= P.ENLARGED_RADIUS_MM * 0.99)
    assert "pores" not in f.grades and f.blackheads is None and "blackheads" in f.skipped
    # the reason names the face size that would be measured: width x 4.0 / px_per_mm
    need = math.ceil(f.geometry.face_rect.width * 4.0 / f.geometry.px_per_mm)
    why = f.skipped["blackheads"]
    assert "needs >= 4.0 px/mm" in why and f"needs {need} px or more" in why
    pro = r.to_dict("ailab-pro")["result"]
    assert "enlarged_pore_count" in pro and "pores_forehead" not in pro
    assert "pores_score" not in pro.get("score_info", {})


def _patch(ctx: TextureContext, rows: tuple[float, float]) -> np.ndarray:
    """Bool mask of the pore-zone skin between two fractions of the face height."""
    union = np.zeros(ctx.gray.shape, bool)
    for z in PORE_ZONES:
        union |= ctx.masks[z] > 0
    ys = np.flatnonzero(union.any(axis=1))
    top, bot = ys[0], ys[-1]
    band = np.zeros_like(union)
    band[int(top + rows[0] * (bot - top)) : int(top + rows[1] * (bot - top))] = True
    return union & band


def _pores_outside(ctx, base, patch, seed):
    """Pores (radius 0.3-0.5 mm, depth 0.06-0.12) on a 3 mm grid away from ``patch``."""
    rng = np.random.default_rng(seed)
    ppm = ctx.px_per_mm
    away = geometry.gaussian_blur(patch.astype(np.float32), 1.0 * ppm) < 1e-3
    out = []
    for zone in PORE_ZONES:
        for x, y in _slots(ctx.masks[zone], 3.0 * ppm, 1.5 * ppm, rng):
            if away[int(y), int(x)]:
                sig = rng.uniform(0.3, 0.5) / math.sqrt(2) * ppm
                out.append(PlantedBlob(x, y, sig, rng.uniform(0.06, 0.12) / base[int(y), int(x)]))
    return out


def _inside(found_xy: np.ndarray, ctx: TextureContext, patch: np.ndarray) -> int:
    t = ctx.to_texture(found_xy)
    ix = np.clip(np.rint(t[:, 0]).astype(int), 0, patch.shape[1] - 1)
    iy = np.clip(np.rint(t[:, 1]).astype(int), 0, patch.shape[0] - 1)
    return int(np.count_nonzero(patch[iy, ix]))


def test_powder_grain_is_not_pores(sample_ctx):
    """A patch of powder grain (a near-regular field of tiny dots, half darker and
    half lighter than the skin, as dark as pores) gives no pores; pores on bare skin
    next to it are still found. A zone-wide noise floor fails this: the patch is
    half of the forehead and of one cheek, and its grain passes the floor the bare
    half sets."""
    ctx = sample_ctx
    ppm = ctx.px_per_mm
    base = _clean_base(ctx, 21)
    rng = np.random.default_rng(22)
    # half of the face, from the hairline to the cheeks, as on the make-up photo
    patch = _patch(ctx, (0.0, 0.6))
    patch[:, patch.shape[1] // 2 :] = False
    grain = []
    step = 0.45 * ppm
    h, w = base.shape
    for y in np.arange(step / 2, h, step):
        for x in np.arange(step / 2, w, step):
            x1, y1 = x + rng.uniform(-0.15, 0.15) * step, y + rng.uniform(-0.15, 0.15) * step
            if patch[int(y1), int(x1)]:
                c = rng.uniform(0.12, 0.2) * rng.choice([-1.0, 1.0])
                grain.append(PlantedBlob(x1, y1, 0.15 * ppm, c))
    pores = _pores_outside(ctx, base, patch, 23)
    assert len(grain) > 2000 and len(pores) > 150
    gray = plant_blobs(plant_blobs(base, grain), pores)
    got = measure_pores(dataclasses.replace(ctx, gray=gray))
    n_in = _inside(got.blobs[:, :2], ctx, patch)
    area_cm2 = np.count_nonzero(patch) / ppm**2 / 100
    prec, rec, _ = _prf(got.blobs, _truth_xy(ctx, pores), 0.25 * ppm / ctx.scale)
    print(
        f"grain: {len(grain)} dots, {n_in} pores in the patch ({n_in / area_cm2:.2f}/cm2); "
        f"bare skin P={prec:.3f} R={rec:.3f}"
    )
    assert n_in / area_cm2 <= 0.5
    assert rec >= 0.9 and prec >= 0.9


def test_stubble_is_not_pores(sample_ctx):
    """Stubble (short dark hairs, 1.5-2.5 mm long, roughly aligned) is not counted as
    pores: a hair is a trough, not a compact dip, whatever its contrast.

    Three plantings together (one draw of ~290 hairs moves the share by about
    two points)."""
    ctx = sample_ctx
    ppm = ctx.px_per_mm
    patch = _patch(ctx, (0.7, 1.0))  # the lower face
    n_hairs = n_in = 0
    for k in range(3):
        base = _clean_base(ctx, 31 + k)
        rng = np.random.default_rng(32 + k)
        hairs = []
        for x, y in _slots(patch.astype(np.uint8) * 255, 1.5 * ppm, 0.5 * ppm, rng):
            ang = math.radians(100 + rng.uniform(-25, 25))
            half = rng.uniform(0.75, 1.25) * ppm
            dx, dy = half * math.cos(ang), half * math.sin(ang)
            pts = segment(x - dx, y - dy, x + dx, y + dy)
            hairs.append(PlantedLine(pts, 0.1 * ppm, rng.uniform(0.25, 0.4)))
        pores = _pores_outside(ctx, base, patch, 33 + k)
        assert len(hairs) > 100 and len(pores) > 150
        gray = plant_blobs(plant_lines(base, hairs), pores)
        got = measure_pores(dataclasses.replace(ctx, gray=gray))
        n_hairs += len(hairs)
        n_in += _inside(got.blobs[:, :2], ctx, patch)
        prec, rec, _ = _prf(got.blobs, _truth_xy(ctx, pores), 0.25 * ppm / ctx.scale)
        print(f"stubble {k}: {len(hairs)} hairs; bare skin P={prec:.3f} R={rec:.3f}")
        assert rec >= 0.9 and prec >= 0.9
    print(f"stubble: {n_hairs} hairs, {n_in} pores among them")
    assert n_in <= 0.05 * n_hairs


#: Enlarged pores planted at 3.4 px/mm, per sigma (px): ("recall", least recall)
#: within the pore range, ("counted", largest share counted) beyond it.
_AT_3_4 = {
    1.0: ("recall", 0.9),
    1.1: ("recall", 0.9),
    1.2: ("recall", 0.9),
    1.4: ("counted", 0.2),
    1.6: ("counted", 0.02),
    1.8: ("counted", 0.02),
}


@pytest.mark.parametrize("sigma_px", sorted(_AT_3_4))
def test_planted_pores_at_3_4_px_per_mm(sample_ctx, sigma_px):
    """Pores planted at 3.4 px/mm (the AILab 400 px face box), sigma 1.0-1.8 px,
    12-25 % dips, on the cleaned sample skin resampled to that scale.

    Only enlarged pores are reported there. The radius is ``sqrt(2) sigma``: 0.42 mm
    at 1.0 px, 0.5 mm (the pore maximum) at 1.2 px, 0.75 mm at 1.8 px. Measured
    recall (precision 1.0 throughout): 0.99 at 1.0 px, 1.0 at 1.1 px, 0.99 at
    1.2 px. Blobs of 0.58-0.75 mm are not pores (moles, spots) and are not counted
    as pores: 9 % of the 0.58 mm ones are (the radius fit scatters across the
    0.5 mm limit plus 5 %), 0.3 % of the 0.67 mm ones, none at 0.75 mm.
    """
    ctx = _resized(sample_ctx, P.MIN_PX_PER_MM / sample_ctx.px_per_mm)
    assert ctx.px_per_mm == pytest.approx(P.MIN_PX_PER_MM, rel=0.01)
    base = _clean_base(ctx, 41)
    rng = np.random.default_rng(42)
    planted = []
    for zone in PORE_ZONES:
        for x, y in _slots(ctx.masks[zone], 3.0 * ctx.px_per_mm, 1.5 * ctx.px_per_mm, rng):
            planted.append(PlantedBlob(x, y, sigma_px, rng.uniform(0.12, 0.25)))
    got = measure_pores(dataclasses.replace(ctx, gray=plant_blobs(base, planted)))
    assert got is not None and not got.fine_resolved
    prec, rec, _ = _prf(got.blobs, _truth_xy(ctx, planted), 0.25 * ctx.px_per_mm / ctx.scale)
    r_mm = math.sqrt(2) * sigma_px / ctx.px_per_mm
    print(
        f"3.4 px/mm sigma {sigma_px} px (radius {r_mm:.2f} mm): n={len(planted)} "
        f"found {len(got.blobs)} P={prec:.3f} R={rec:.3f}"
    )
    kind, bound = _AT_3_4[sigma_px]
    if kind == "recall":
        assert rec >= bound and prec >= 0.9
    else:
        assert len(got.blobs) <= bound * len(planted)
