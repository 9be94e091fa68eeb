"""What the photo resolves on the skin (Quality.resolved_px_per_mm) and the ladder it drives.

Known answers on synthetic textures (white noise keeps every octave; the same
noise upscaled or blurred loses the finest; a flat field holds only quantisation
noise), the real test faces (sharp: nothing lowered; shrunk and upscaled back:
lowered), and the pipeline: an upscaled photo skips pores, blackheads and
wrinkles with the reason, and pores count enlarged pores only where the photo
resolves less than fine pores need.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore.concerns import pores, resolution
from skincore.concerns.resolution import (
    DETAIL_FLOOR,
    MIN_OCTAVE_RATIO,
    OCTAVE_SIGMAS_PX,
    octave_energies,
    resolved_octave,
    resolved_px_per_mm,
)
from skincore.concerns.work import FaceWork
from skincore.face.finder import find_faces
from synthetic import darkened

FACES = Path(__file__).parent / "data" / "faces"
SIZE = 256


def _ctx(gray: np.ndarray, ppm: float = 5.0, mask: np.ndarray | None = None) -> SimpleNamespace:
    """A texture grid stand-in: L*/100, the three zones' masks and the sampling."""
    m = np.full(gray.shape, 255, np.uint8) if mask is None else mask
    masks = {z: m for z in resolution.ZONES}
    return SimpleNamespace(gray=gray.astype(np.float32), masks=masks, px_per_mm=ppm)


def _quantised(level: np.ndarray) -> np.ndarray:
    """L*/100 through an 8-bit photo: about 0.4 L* a grey level."""
    return np.round(level * 255.0) / 255.0


def _noise(rng: np.random.Generator, size: int = SIZE, sd: float = 0.01) -> np.ndarray:
    return 0.6 + sd * rng.standard_normal((size, size))


def _upscaled(small: np.ndarray, factor: int) -> np.ndarray:
    img = Image.fromarray(small.astype(np.float32), mode="F")
    big = img.resize((small.shape[1] * factor, small.shape[0] * factor), Image.Resampling.BICUBIC)
    return np.asarray(big, np.float64)


def test_white_noise_resolves_the_grid():
    rng = np.random.default_rng(0)
    ctx = _ctx(_quantised(_noise(rng)))
    e = octave_energies(ctx)
    assert e is not None and e.shape == (len(OCTAVE_SIGMAS_PX),)
    # white noise: the finest octave holds the most, each coarser one less
    assert np.all(np.diff(e) < 0)
    assert resolved_octave(e) == 0
    assert resolved_px_per_mm(ctx) == pytest.approx(5.0)


@pytest.mark.parametrize(("factor", "octave"), [(2, 0), (3, 1), (4, 2)])
def test_upscaled_noise_loses_its_finest_octaves(factor, octave):
    """Noise upscaled 3x (4x) has no detail in its finest one (two) octaves: the
    sampling it resolves is the grid's halved (quartered). Upscaled 2x, the
    noise's own detail up to its Nyquist fills the finest band's lower edge
    (Gaussian bands are not sharp): a loss of 2x is not told."""
    rng = np.random.default_rng(1)
    ctx = _ctx(_quantised(_upscaled(_noise(rng, SIZE // factor), factor)))
    assert resolved_octave(octave_energies(ctx)) == octave
    assert resolved_px_per_mm(ctx) == pytest.approx(5.0 / 2**octave)


def test_blurred_noise_is_not_resolved_at_the_pixel():
    from skincore.geometry import gaussian_blur

    rng = np.random.default_rng(2)
    sharp = _noise(rng, sd=0.03).astype(np.float32)
    soft = _ctx(_quantised(gaussian_blur(sharp, 2.0)))
    assert resolved_octave(octave_energies(soft)) >= 1
    assert resolved_px_per_mm(soft) <= 2.5


def test_a_flat_field_holds_only_quantisation_noise():
    """Smooth shading through 8 bits holds nothing but quantisation noise, below
    the detail floor in the finest octaves whatever their ratios: it resolves at
    most a quarter of the grid's sampling."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    ramp = 0.55 + 0.1 * (xx + 0.5 * yy) / SIZE
    e = octave_energies(_ctx(_quantised(ramp)))
    assert e[0] < DETAIL_FLOOR and e[1] < DETAIL_FLOOR / 2
    assert resolved_octave(e) >= 2


def test_resolved_octave_known_answers():
    f = DETAIL_FLOOR
    assert resolved_octave(np.array([2 * f, 2 * f, 2 * f, 2 * f])) == 0
    # the finest band just at the ratio limit passes, just under it fails
    assert resolved_octave(np.array([MIN_OCTAVE_RATIO * 4 * f, 4 * f, 4 * f, 4 * f])) == 0
    assert resolved_octave(np.array([0.99 * MIN_OCTAVE_RATIO * 4 * f, 4 * f, 4 * f, 4 * f])) == 1
    # a band below its floor fails whatever its ratio (the floor halves per octave)
    assert resolved_octave(np.array([0.9 * f, 0.5 * f, 0.4 * f, 0.3 * f])) == 1
    assert resolved_octave(np.array([0.9 * f, 0.45 * f, 0.2 * f, 0.1 * f])) == 3


def test_most_windows_set_the_sampling():
    """The photo's resolution is one over the face, its skin's texture is not: a
    forehead and a cheek of white noise beside a cheek of strong noise upscaled 3x
    (no detail in its finest octave) resolve the grid, though pooled the energies
    read the one cheek's loss. With two windows upscaled the loss is told."""
    rng = np.random.default_rng(4)
    sharp = _quantised(_noise(rng))
    soft = _quantised(_upscaled(_noise(rng, -(-SIZE // 3), sd=0.1), 3))[:SIZE, :SIZE]
    gray = np.concatenate([sharp, soft], axis=1)
    left = np.zeros(gray.shape, np.uint8)
    left[:, :SIZE] = 255
    right = np.zeros(gray.shape, np.uint8)
    right[:, SIZE:] = 255
    ctx = SimpleNamespace(
        gray=gray.astype(np.float32),
        masks={"forehead": left, "left_cheek": left, "right_cheek": right},
        px_per_mm=5.0,
    )
    rows = resolution.window_energies(ctx)
    assert rows.shape == (3, len(OCTAVE_SIGMAS_PX))
    assert [resolved_octave(r) for r in rows] == [0, 0, 1]
    assert resolved_octave(octave_energies(ctx)) == 1  # pooled: the soft cheek dominates
    assert resolved_px_per_mm(ctx) == pytest.approx(5.0)
    ctx.masks["left_cheek"] = right
    assert resolved_px_per_mm(ctx) == pytest.approx(5.0 / 2)
    # with two windows the sharper counts
    del ctx.masks["right_cheek"]
    assert resolved_px_per_mm(ctx) == pytest.approx(5.0)


def test_too_little_skin_keeps_the_grid_sampling():
    rng = np.random.default_rng(3)
    gray = _quantised(_upscaled(_noise(rng, SIZE // 4), 4))
    mask = np.zeros(gray.shape, np.uint8)
    mask[100:130, 100:130] = 255  # nothing lies 17 px inside it
    ctx = _ctx(gray, mask=mask)
    assert octave_energies(ctx) is None
    assert resolution.window_energies(ctx).shape == (0, len(OCTAVE_SIGMAS_PX))
    assert resolved_px_per_mm(ctx) == 5.0
    none = _ctx(gray, mask=np.zeros(gray.shape, np.uint8))
    assert octave_energies(none) is None


def _texture(img: Image.Image) -> object:
    rgb = np.asarray(img.convert("RGB"))
    return FaceWork(rgb, find_faces(rgb, max_faces=1)[0][1].points).texture


@pytest.mark.parametrize("path", sorted(FACES.glob("*.jpg")), ids=lambda p: p.stem)
def test_real_faces_resolve_their_grid_and_lose_it_upscaled(path):
    """Every test face (2.5-6 px/mm, every skin tone) resolves its own sampling,
    also darkened to 0.15 of its light (its texture loses L* contrast, the 8-bit
    noise floor does not: light skin at dark skin's levels); shrunk to 0.35 and
    upscaled back to its size it resolves at most half of it."""
    img = Image.open(path).convert("RGB")
    ctx = _texture(img)
    assert resolved_px_per_mm(ctx) == pytest.approx(ctx.px_per_mm)
    dark = _texture(darkened(img, 0.15))
    assert resolved_px_per_mm(dark) == pytest.approx(dark.px_per_mm)
    size = (round(img.width * 0.35), round(img.height * 0.35))
    small = img.resize(size, Image.Resampling.LANCZOS)
    up = _texture(small.resize(img.size, Image.Resampling.BICUBIC))
    assert resolved_px_per_mm(up) <= 0.5 * up.px_per_mm + 1e-9


@pytest.fixture(scope="module")
def sample() -> Image.Image:
    return Image.open(skincore.sample_path()).convert("RGB")


def test_upscaled_photo_skips_what_it_cannot_show(sample):
    """The sample shrunk to a quarter and enlarged back: sampled as finely as the
    original, it shows nothing finer than about a millimetre, so pores, blackheads
    and wrinkles are not measured (a count of zero would read as flawless skin)
    and each says why; the original measures them."""
    sharp = skincore.analyze(np.asarray(sample)).faces[0]
    assert sharp.quality.resolved_px_per_mm == pytest.approx(
        min(sharp.geometry.px_per_mm, 6.0), rel=1e-3
    )
    assert {"pores", "blackheads", "wrinkles"} <= set(sharp.concerns)
    small = sample.resize((sample.width // 4, sample.height // 4), Image.Resampling.LANCZOS)
    up = np.asarray(small.resize(sample.size, Image.Resampling.BICUBIC))
    face = skincore.analyze(up).faces[0]
    q = face.quality
    assert q.resolved_px_per_mm <= 0.25 * min(face.geometry.px_per_mm, 6.0) + 1e-6
    # roughness (1.6 px/mm) and moisture, which reads its mask, too: it resolves 1.5
    for name in ("pores", "blackheads", "wrinkles", "firmness", "roughness", "moisture"):
        assert name not in face.concerns
        why = face.skipped[name]
        assert "resolves about" in why and f"{name} needs >=" in why
    assert "oiliness" in face.concerns  # no minimum: measured as before
    # brown spots are not counted either (2 px/mm), the brown area is measured
    assert face.concerns["pigmentation"].spots is None
    assert isinstance(sharp.concerns["pigmentation"].spots, list)


def test_resolution_is_not_measured_when_no_concern_needs_it(sample):
    face = skincore.analyze(np.asarray(sample), concerns=["tone", "redness"]).faces[0]
    assert math.isnan(face.quality.resolved_px_per_mm)
    # pigmentation reads it (its spots are counted where the photo resolves them)
    face = skincore.analyze(np.asarray(sample), concerns=["pigmentation"]).faces[0]
    assert face.quality.resolved_px_per_mm == pytest.approx(
        min(face.geometry.px_per_mm, 6.0), rel=1e-3
    )


def test_pores_count_enlarged_only_below_the_fine_resolution(sample):
    """A grid sampled finely enough for fine pores but resolving less reports the
    enlarged pores only, ungraded, with the detection limit of what it resolves."""
    ctx = _texture(sample)
    assert ctx.px_per_mm >= pores.FINE_PX_PER_MM
    full = pores.measure_pores(ctx)
    same = pores.measure_pores(ctx, resolved_px_per_mm=ctx.px_per_mm)
    assert full.zones == same.zones and full.fine_resolved
    assert full.detection_limit_mm == same.detection_limit_mm
    soft = pores.measure_pores(ctx, resolved_px_per_mm=3.6)
    assert not soft.fine_resolved and pores.grade(soft, pores.Params()) is None
    assert soft.detection_limit_mm > full.detection_limit_mm
    assert soft.zones.keys() == full.zones.keys()
    for z in soft.zones.values():
        assert z.count == z.enlarged_count
