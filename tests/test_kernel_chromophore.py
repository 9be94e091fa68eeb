from __future__ import annotations

import numpy as np
import pytest

from reference import chromophore as ref
from skincore import chromophore as CH


def skin_rgb(rng, h, w):
    base = np.array([200, 150, 125], float)
    return np.clip(base + rng.normal(0, 25, (h, w, 3)), 0, 255).round().astype(np.uint8)


def assert_ref(rgb, threads=0):
    mel, hb = CH.chromophore_maps(rgb, threads=threads)
    rm, rh = ref.chromophore_maps(rgb)
    np.testing.assert_allclose(mel, rm, rtol=0, atol=2e-5)
    np.testing.assert_allclose(hb, rh, rtol=0, atol=2e-5)
    return mel, hb


@pytest.mark.parametrize("w", [64, 65, 71])
def test_matches_reference_odd_widths(w):
    assert_ref(skin_rgb(np.random.default_rng(w), 37, w))


@pytest.mark.parametrize("shape", [(1, 53), (53, 1)])
def test_matches_reference_thin(shape):
    assert_ref(skin_rgb(np.random.default_rng(1), *shape))


def test_all_colours_match_reference():
    v = np.arange(0, 256, 3, dtype=np.uint8)
    r, g, b = np.meshgrid(v, v, v, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 86, 3)
    assert_ref(np.ascontiguousarray(rgb))


def test_empty():
    mel, hb = CH.chromophore_maps(np.zeros((0, 5, 3), np.uint8))
    assert mel.shape == (0, 5) and hb.shape == (0, 5)


def test_row_strided_input():
    big = skin_rgb(np.random.default_rng(2), 60, 90)
    crop = big[5:50, 7:80]
    assert not crop.flags.c_contiguous
    mel, hb = assert_ref(crop)
    m2, h2 = CH.chromophore_maps(np.ascontiguousarray(crop))
    assert np.array_equal(mel, m2) and np.array_equal(hb, h2)


def test_threads_bit_identical():
    rgb = skin_rgb(np.random.default_rng(3), 301, 257)
    outs = [CH.chromophore_maps(rgb, threads=t) for t in (1, 2, 7)]
    for m, h in outs[1:]:
        assert np.array_equal(m, outs[0][0]) and np.array_equal(h, outs[0][1])


def test_known_answers():
    # Neutral grey: no chromophore at any intensity (shading removed).
    grey = np.stack([np.arange(1, 256, dtype=np.uint8)] * 3, -1)[None]
    mel, hb = CH.chromophore_maps(np.ascontiguousarray(grey))
    assert np.abs(mel).max() < 1e-5 and np.abs(hb).max() < 1e-5
    # A colour whose density is exactly c_m * s_mel + c_h * s_hb + s * 1 decodes
    # to (c_m, c_h) for any shading s: pick densities, invert the EOTF.
    table = ref.density_table()
    for cm, ch, s in [(0.3, 0.2, 0.1), (0.5, 0.1, 0.3), (0.2, 0.5, 0.0)]:
        d = cm * ref.MELANIN + ch * ref.HEMOGLOBIN + s
        rgb = np.array([[[int(np.argmin(np.abs(table - x))) for x in d]]], np.uint8)
        m, h = CH.chromophore_maps(rgb)
        # 8-bit quantisation of the density: about 0.01 at these levels.
        assert m[0, 0] == pytest.approx(cm, abs=0.03)
        assert h[0, 0] == pytest.approx(ch, abs=0.03)


def test_shading_invariance_and_direction():
    skin = np.array([224, 172, 150], float)
    rgbs = np.array([[np.clip(skin * k, 0, 255).round() for k in (0.5, 0.7, 1.0)]], np.uint8)
    mel, hb = CH.chromophore_maps(rgbs)
    assert np.ptp(mel) < 0.02 and np.ptp(hb) < 0.02
    # Redder skin: more haemoglobin, about the same melanin; browner: more melanin.
    test = np.array([[[224, 172, 150], [214, 140, 130], [180, 130, 100]]], np.uint8)
    mel, hb = CH.chromophore_maps(test)
    assert hb[0, 1] > hb[0, 0] + 0.1 and abs(mel[0, 1] - mel[0, 0]) < 0.05
    assert mel[0, 2] > mel[0, 0] + 0.05


def test_outputs_written_in_place():
    rgb = skin_rgb(np.random.default_rng(4), 8, 9)
    mel = np.zeros((8, 9), np.float32)
    hb = np.zeros((8, 9), np.float32)
    m, h = CH.chromophore_maps(rgb, melanin=mel, hemoglobin=hb)
    assert m is mel and h is hb and np.abs(mel).sum() > 0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"rgb": np.zeros((4, 4, 3), np.float32)}, "rgb"),
        ({"rgb": np.zeros((4, 4), np.uint8)}, "rgb"),
        ({"rgb": [[1, 2, 3]]}, "rgb"),
        ({"melanin": np.zeros((4, 5), np.float32)}, "melanin"),
        ({"hemoglobin": np.zeros((4, 4), np.float64)}, "hemoglobin"),
        ({"threads": -1}, "threads"),
        ({"threads": True}, "threads"),
    ],
)
def test_errors_name_the_argument(kwargs, name):
    args = {"rgb": np.zeros((4, 4, 3), np.uint8), **kwargs}
    rgb = args.pop("rgb")
    with pytest.raises(ValueError, match=name):
        CH.chromophore_maps(rgb, **args)


def test_outputs_must_not_overlap():
    rgb = np.zeros((4, 4, 3), np.uint8)
    buf = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match="hemoglobin"):
        CH.chromophore_maps(rgb, melanin=buf, hemoglobin=buf)
    ro = np.zeros((4, 4), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="melanin"):
        CH.chromophore_maps(rgb, melanin=ro)


def test_binding_validates_directly():
    from skincore import _core

    rgb = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="hemoglobin"):
        _core.chromophore.chromophore_maps(
            rgb, np.zeros((4, 4), np.float32), np.zeros((3, 4), np.float32), 1
        )
    with pytest.raises(ValueError, match="threads"):
        _core.chromophore.chromophore_maps(
            rgb, np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32), -2
        )
