"""White balance from the sclera (face.sclera) and its use by the tone concern."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import color
from skincore.concerns import tone
from skincore.concerns.work import FaceWork
from skincore.face import find_faces, sclera


def _tone_analyzer(mode: str) -> skincore.Analyzer:
    params = {"tone": tone.Params(white_balance=mode)}
    return skincore.Analyzer(skincore.AnalyzerOptions(concerns=("tone",), params=params))


@pytest.fixture(scope="module")
def analyzers():
    return {m: _tone_analyzer(m) for m in tone.WHITE_BALANCE_MODES}


@pytest.fixture(scope="module")
def selfie(faces_dir):
    return np.asarray(Image.open(faces_dir / "cc0_selfie_45cm.jpg").convert("RGB"))


def _cast(rgb: np.ndarray, t: float) -> np.ndarray:
    """The photo as a camera with another white balance would give it."""
    return sclera.apply_balance(rgb, (t, 1.0, 1.0 / t))


def test_linear_rgb_to_lab_matches_the_kernel():
    rgb8 = np.random.default_rng(1).integers(0, 256, (1, 500, 3), dtype=np.uint8)
    lin = color.srgb_to_linear(rgb8)
    np.testing.assert_allclose(sclera.linear_rgb_to_lab(lin), color.rgb_to_lab(rgb8), atol=0.02)


def test_balance_lut_identity_and_direction():
    lut = sclera.balance_lut((1.0, 1.0, 1.0))
    assert np.array_equal(lut, np.tile(np.arange(256, dtype=np.uint8), (3, 1)))
    warm = sclera.balance_lut((1.2, 1.0, 1 / 1.2))
    assert np.all(warm[0] >= lut[0]) and np.all(warm[2] <= lut[2])
    assert warm[0, 255] == 255  # clipped, not wrapped


def test_temperature_gain_reaches_the_reference():
    sample = sclera.ScleraSample((0.5, 0.55, 0.7), (0.0, 0.0, 0.0), 100)
    for target in (0.0, 9.0, 15.0):
        t = sample.temperature_gain(target)
        lab = sclera.linear_rgb_to_lab(np.array([0.5 * t, 0.55, 0.7 / t]))
        assert lab[2] == pytest.approx(target, abs=1e-4)


def test_sclera_sample_is_bright_and_tracks_a_cast(selfie):
    (_, lm), *_ = find_faces(selfie)
    work = FaceWork(selfie, lm.points)
    base = sclera.sample_sclera(selfie, lm.points, work.polygons)
    assert base is not None and base.usable()
    assert base.lab[0] > 70  # the white of the eye, not lids or iris
    for t in (0.8, 1.25):
        cast = sclera.sample_sclera(_cast(selfie, t), lm.points, work.polygons)
        assert cast is not None
        # The correction undoes the camera's gain: t_cast * t = t_base.
        assert cast.temperature_gain() * t == pytest.approx(base.temperature_gain(), rel=0.03)


def test_apply_makes_the_tone_invariant_to_a_camera_cast(analyzers, selfie):
    apply, report = analyzers["apply"], analyzers["report"]
    base = apply.analyze(selfie).faces[0].concerns["tone"]
    assert base.white_balance.applied
    for t in (0.8, 1.25):
        raw = report.analyze(_cast(selfie, t)).faces[0].concerns["tone"]
        fixed = apply.analyze(_cast(selfie, t)).faces[0].concerns["tone"]
        assert abs(raw.ita - report.analyze(selfie).faces[0].concerns["tone"].ita) > 4
        assert fixed.ita == pytest.approx(base.ita, abs=1.0)
        assert raw.white_balance.skin_ita == pytest.approx(fixed.ita, abs=1e-3)


def test_same_face_at_three_distances_reads_the_same_tone(analyzers, faces_dir):
    def itas(mode):
        return [
            analyzers[mode]
            .analyze(faces_dir / f"cc0_selfie_{d}cm.jpg")
            .faces[0]
            .concerns["tone"]
            .ita
            for d in (30, 45, 60)
        ]

    raw, fixed = itas("report"), itas("apply")
    assert np.ptp(raw) > 10  # the camera's white balance moved with the framing
    assert np.ptp(fixed) < 2.5


def test_modes_report_and_none(analyzers, selfie):
    report = analyzers["report"].analyze(selfie).faces[0].concerns["tone"]
    none = analyzers["none"].analyze(selfie).faces[0].concerns["tone"]
    assert none.white_balance is None
    assert not report.white_balance.applied and report.white_balance.gain is not None
    assert report.ita == pytest.approx(none.ita)  # "report" leaves the tone as captured
    assert report.white_balance.skin_ita != pytest.approx(report.ita, abs=0.5)


def test_a_shadowed_sclera_is_not_used(analyzers, selfie):
    (_, lm), *_ = find_faces(selfie)
    polys = FaceWork(selfie, lm.points).polygons
    dark = selfie.copy()
    for name in ("left_eye", "right_eye"):
        x0, y0 = np.floor(polys[name][:, :2].min(0)).astype(int) - 2
        x1, y1 = np.ceil(polys[name][:, :2].max(0)).astype(int) + 2
        dark[y0:y1, x0:x1] //= 3
    got = analyzers["apply"].analyze(dark).faces[0].concerns["tone"]
    plain = analyzers["none"].analyze(dark).faces[0].concerns["tone"]
    assert not got.white_balance.applied and got.white_balance.gain is None
    assert "too dark" in got.white_balance.reason
    assert got.ita == pytest.approx(plain.ita)


def test_unknown_mode_is_refused():
    with pytest.raises(skincore.SkinError) as err:
        tone.Params(white_balance="auto")
    assert err.value.code == "invalid_argument"


def test_gate_does_not_depend_on_the_cast():
    # A bluer photo has a darker-looking sclera; the gate reads it after the
    # correction, so a cast does not switch the correction on or off.
    lin = np.array([0.42, 0.45, 0.47])
    base = sclera.ScleraSample(tuple(lin), tuple(sclera.linear_rgb_to_lab(lin)), 100)
    for t in (0.8, 1.25):
        c = lin * np.array([t, 1.0, 1.0 / t])
        cast = sclera.ScleraSample(tuple(c), tuple(sclera.linear_rgb_to_lab(c)), 100)
        assert cast.balanced_lightness() == pytest.approx(base.balanced_lightness(), abs=1e-4)
        assert cast.usable() == base.usable()
    blue = lin * np.array([0.8, 1.0, 1.25])
    assert sclera.linear_rgb_to_lab(blue)[0] < sclera.linear_rgb_to_lab(lin)[0]


@pytest.mark.parametrize("threads", [1, 2, 7])
def test_balanced_face_lab_equals_the_one_row_conversion(rng, threads):
    # the report's skin colour: masked pixels gathered into rows for the threads,
    # then one row again, equal bit for bit to converting the gathered row
    rgb = rng.integers(0, 256, (37, 45, 3), dtype=np.uint8)
    mask = (rng.random((37, 45)) < 0.6).astype(np.uint8) * np.uint8(255)
    gains = (1.13, 1.0, 1.0 / 1.13)
    got = tone._balanced_lab(rgb, mask, gains, threads)
    px = rgb[mask > 0].reshape(1, -1, 3)  # row-major order
    want = color.rgb_to_lab(sclera.apply_balance(px, gains), threads=1)
    assert got.shape == want.shape == (1, int(np.count_nonzero(mask)), 3)
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(want, color.rgb_to_lab(px, threads=1))  # the gains were applied
    one = color.lab_stats(got, np.ones(got.shape[:2], np.uint8), threads=threads)
    ref = color.lab_stats(want, np.ones(want.shape[:2], np.uint8), threads=1)
    assert one == ref
    empty = tone._balanced_lab(rgb, np.zeros((37, 45), np.uint8), gains, threads)
    assert empty.shape == (1, 0, 3)
