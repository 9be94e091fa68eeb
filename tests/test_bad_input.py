"""Bad input: every case of the bad-input probe ends in a clear SkinError or a right face.

Faces (non-faces refused, rotated faces found upright, several faces all found,
largest first), argument checks, damaged files, array scaling, PIL images, the
error renderers and ONNX Runtime telemetry. The CLI's file handling is in
``test_cli.py``.
"""

from __future__ import annotations

import io
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

import skincore
from rotation import rot90_points
from skincore import DIALECTS, ERROR_CODES, Limits, SkinError, analyze, limits_for, render_error
from skincore._validate import check_limits, check_max_faces, check_provider, check_threads
from skincore.face import detect_faces
from skincore.face.finder import find_faces, outline_area, tile_rois
from skincore.io import load_image

FIVE = [  # photo, face (detector box) width planted in the composite, largest first
    ("cc0_selfie_45cm.jpg", 520),
    ("ccby_london_062.jpg", 400),
    ("ccby_canada_003f.jpg", 300),
    ("ccby_london_136.jpg", 220),
    ("cc0_darkskin_makeup_3q.jpg", 160),
]


def _load(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return _load(skincore.sample_path())


@pytest.fixture(scope="module")
def sample_jpeg() -> bytes:
    return Path(skincore.sample_path()).read_bytes()


@pytest.fixture(scope="module")
def upright(sample):
    ((_, lm),) = find_faces(sample)
    return lm.points[:, :2].astype(np.float64)


def _code(fn, *args, **kw) -> str:
    with pytest.raises(SkinError) as e:
        fn(*args, **kw)
    return e.value.code


# ---------------------------------------------------------------- faces


def test_cat_is_not_a_face():
    skimage_data = pytest.importorskip("skimage.data")
    cat = skimage_data.chelsea()
    # the detector alone takes the cat's head for a face (score ~0.54) ...
    assert detect_faces(cat, min_score=0.5)
    # ... the landmark model's presence (~0.01) refuses it
    assert find_faces(cat) == []
    assert _code(analyze, cat) == "no_face"


@pytest.mark.parametrize("k", [1, 2, 3])
def test_rotated_face_found_upright(sample, upright, k):
    rotated = np.ascontiguousarray(np.rot90(sample, k))
    found = find_faces(rotated)
    assert len(found) == 1
    _, lm = found[0]
    expected = rot90_points(upright, k, *sample.shape[:2])
    face_w = float(np.ptp(upright[:, 0]))
    err = np.linalg.norm(lm.points[:, :2] - expected, axis=1)
    assert np.median(err) < 0.03 * face_w  # was 0.86 face widths upside down
    assert lm.presence > 0.9
    # the crop the landmarks come from is turned with the face (rot90 turns
    # counter-clockwise on screen: a negative angle, y down)
    assert abs(math.remainder(lm.roi.angle + k * math.pi / 2, 2 * math.pi)) < math.radians(20)


def test_upside_down_face_analysed_like_upright(sample):
    up = analyze(sample).faces[0]
    down = analyze(np.ascontiguousarray(sample[::-1, ::-1])).faces[0]
    assert abs(abs(down.geometry.pose.roll) - 180) < 10
    assert abs(down.tone.ita - up.tone.ita) < 2.0
    assert down.wrinkles is not None and up.wrinkles is not None


def five_faces(faces_dir: Path) -> tuple[np.ndarray, list[int]]:
    """A 3200x1400 photo of five faces, largest left; returns it and each face's centre x."""
    canvas = np.full((1400, 3200, 3), 200, np.uint8)
    x, centres = 20, []
    for name, width in FIVE:
        img = _load(faces_dir / name)
        (box, _), *_ = find_faces(img)
        s = width / box.width
        cx, cy, half = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, 0.9 * box.width
        crop = Image.fromarray(img).crop(
            (int(cx - half), int(cy - 1.2 * half), int(cx + half), int(cy + 1.2 * half))
        )
        crop = crop.resize((round(crop.width * s), round(crop.height * s)), Image.LANCZOS)
        canvas[100 : 100 + crop.height, x : x + crop.width] = np.asarray(crop)
        centres.append(x + crop.width // 2)
        x += crop.width + 40
    return canvas, centres


def test_five_faces_all_found_largest_first(faces_dir):
    canvas, centres = five_faces(faces_dir)
    # the whole-photo letterbox alone (128 px for 3200) misses the small faces and
    # merges neighbours: that was the probe's "4 found"
    assert len(detect_faces(canvas)) < 5
    assert len(tile_rois(1400, 3200, smallest_face_px=80, detector_face_fraction=0.15)) > 1
    found = find_faces(canvas)
    assert len(found) == 5
    areas = [outline_area(lm) for _, lm in found]
    assert areas == sorted(areas, reverse=True)
    xs = [float(lm.points[1, 0]) for _, lm in found]  # nose tips, largest face first
    assert np.allclose(xs, centres, atol=60)
    # asking for fewer faces stops the pyramid early but gives the same largest ones
    two = find_faces(canvas, max_faces=2)
    assert [outline_area(lm) for _, lm in two] == pytest.approx(areas[:2], rel=1e-3)
    with pytest.raises(SkinError) as e:
        analyze(canvas, max_faces=4, multiple_faces="error")
    assert e.value.code == "too_many_faces"
    result = analyze(canvas, max_faces=5)
    assert len(result.faces) == 5
    widths = [f.geometry.face_rect.width for f in result.faces]
    assert widths == sorted(widths, reverse=True)


def test_single_faces_unchanged_by_tiling(faces_dir):
    for name, _ in FIVE:
        assert len(find_faces(_load(faces_dir / name))) == 1, name


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize("bad", [-1, "abc", None, [2], 1.5, True, 10**12, 257, np.float64(2)])
def test_threads_checked(sample_path, bad):
    with pytest.raises(SkinError) as e:
        analyze(sample_path, threads=bad)
    assert e.value.code == "invalid_argument" and "threads" in e.value.detail
    with pytest.raises(SkinError):
        check_threads(bad)


def test_check_functions_accept_good_values():
    assert check_threads(0) == 0 and check_threads(np.int64(4)) == 4 and check_threads(256) == 256
    assert check_max_faces(10) == 10
    assert check_provider(None) is None and check_provider(" CPU ") == "CPU"
    assert check_provider("CUDAExecutionProvider") == "CUDAExecutionProvider"
    assert check_limits(None) == Limits()
    preset = limits_for("youcam-hd")
    assert check_limits(preset) is preset


@pytest.mark.parametrize(
    "kw,name",
    [
        ({"provider": 5}, "provider"),
        ({"provider": "tpu"}, "provider"),
        ({"limits": "x"}, "limits"),
        ({"limits": {"max_side": 100}}, "limits"),
        ({"max_faces": 0}, "max_faces"),
        ({"max_faces": "2"}, "max_faces"),
        ({"multiple_faces": None}, "multiple_faces"),
    ],
)
def test_other_arguments_checked(sample_path, kw, name):
    with pytest.raises(SkinError) as e:
        analyze(sample_path, **kw)
    assert e.value.code == "invalid_argument" and name in e.value.detail


@pytest.mark.parametrize(
    "kw",
    [
        {"max_side": "big"},
        {"min_side": True},
        {"max_file_bytes": -1},
        {"max_pixels": 1.5},
        {"min_face_width_ratio": 1.5},
        {"max_out_of_bound": "0.1"},
        {"min_skin_lightness": float("nan")},
        {"min_short_side": [480]},
        {"max_yaw_deg": -1.0},
        {"max_overexposed": 1.5},
        {"max_pitch_deg": 200},
        {"max_yaw_deg": "30"},
    ],
)
def test_limits_fields_checked(kw):
    (name,) = kw
    with pytest.raises(SkinError) as e:
        Limits(**kw)
    assert e.value.code == "invalid_argument" and f"Limits.{name}" in e.value.detail
    with pytest.raises(SkinError):
        limits_for("youcam-sd", **kw)


def test_head_pose_limits(faces_dir):
    """The three-quarter make-up photo (yaw about 22, pitch about 20 degrees) passes
    AILab's quality-control angles (30 / 40) and is refused with tighter ones, the
    measured angles in the error; the frontal London 087 passes both."""
    from skincore.limits import QUALITY_CONTROL

    turned = _load(faces_dir / "cc0_darkskin_makeup_3q.jpg")
    frontal = _load(faces_dir / "ccby_london_087.jpg")
    an = skincore.Analyzer(threads=2, concerns=("tone",))
    pose = an.analyze(turned).faces[0].geometry.pose
    assert 15 < abs(pose.yaw) < 30 and 10 < abs(pose.pitch) < 40
    assert an.analyze(turned, limits=Limits(**QUALITY_CONTROL)).faces
    with pytest.raises(SkinError) as e:
        an.analyze(turned, limits=Limits(max_yaw_deg=10.0))
    assert e.value.code == "improper_headpose" and "(yaw;" in e.value.detail
    assert e.value.context["yaw"] == pytest.approx(pose.yaw, abs=0.1)
    assert e.value.context["max_yaw_deg"] == 10.0
    with pytest.raises(SkinError) as e:
        an.analyze(turned, limits=Limits(max_pitch_deg=5.0))
    assert e.value.code == "improper_headpose" and "(pitch;" in e.value.detail
    assert an.analyze(frontal, limits=Limits(max_yaw_deg=10.0, max_pitch_deg=10.0)).faces


def test_blown_out_skin_measured_and_refused_under_quality_control(sample):
    """The sample brightened 1.7x (gamma-encoded values, clipped at 255) blows out most
    of the light skin: ``Quality.overexposed`` reports the share of skin with a channel
    at 250 or above (0 on the sample as taken), and AILab's quality-control limits
    refuse it as ``lighting_bright`` with the share in the error."""
    from skincore.limits import QUALITY_CONTROL

    an = skincore.Analyzer(threads=2, concerns=("tone",))
    q0 = an.analyze(sample).faces[0].quality
    assert q0.overexposed == 0.0
    assert an.analyze(sample, limits=Limits(**QUALITY_CONTROL)).faces
    bright = np.clip(sample.astype(np.float32) * 1.7, 0, 255).astype(np.uint8)
    clipped = bright.max(axis=2) >= 250
    q = an.analyze(bright).faces[0].quality
    assert 0.5 < q.overexposed <= 1.0
    # the face's skin is blown out more than the photo as a whole (hair, clothes)
    assert q.overexposed > clipped.mean()
    with pytest.raises(SkinError) as e:
        an.analyze(bright, limits=Limits(**QUALITY_CONTROL))
    assert e.value.code == "lighting_bright"
    assert e.value.context["overexposed"] == pytest.approx(q.overexposed, abs=1e-4)
    assert e.value.context["max_overexposed"] == 0.25
    assert ERROR_CODES["lighting_bright"].ailab_code == "ERROR_POOR_FACE_LIGHTING"


def test_limits_good_values_and_unknowns():
    assert Limits(max_file_bytes=None, min_skin_lightness=None, min_face_width_ratio=1).max_side
    assert _code(limits_for, "acme") == "invalid_argument"
    assert _code(limits_for, "skincore", max_sides=3) == "invalid_argument"
    assert _code(load_image, b"x", "big") == "invalid_argument"


# ---------------------------------------------------------------- paths and PIL images


def test_path_with_nul_byte():
    assert _code(load_image, "photo\x00.jpg") == "invalid_argument"
    assert _code(load_image, Path("a\x00b")) == "invalid_argument"


def test_unreadable_file(tmp_path, monkeypatch, sample_jpeg):
    path = tmp_path / "photo.jpg"
    path.write_bytes(sample_jpeg)
    path.chmod(0)
    if os.geteuid() != 0:  # root reads anything: then fake the refusal
        assert _code(load_image, path) == "invalid_argument"

    def refuse(self, *a, **kw):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SkinError) as e:
        load_image(path)
    assert e.value.code == "invalid_argument" and "Permission denied" in e.value.detail


def test_binary_streams_read_like_the_file(tmp_path, sample_jpeg):
    """An open file or an upload's stream is read from where it stands, like its bytes."""
    path = tmp_path / "photo.jpg"
    path.write_bytes(sample_jpeg)
    want = load_image(sample_jpeg).rgb
    with path.open("rb") as f:
        np.testing.assert_array_equal(load_image(f).rgb, want)
    stream = io.BytesIO(b"prefix" + sample_jpeg)
    stream.seek(6)
    np.testing.assert_array_equal(load_image(stream).rgb, want)
    with path.open("r", encoding="latin-1") as text:
        with pytest.raises(SkinError, match="text mode") as e:
            load_image(text)
        assert e.value.code == "invalid_argument"
    closed = io.BytesIO(sample_jpeg)
    closed.close()
    assert _code(load_image, closed) == "invalid_argument"
    assert _code(load_image, io.BytesIO(b"")) == "corrupt_image"


def test_endless_stream_read_within_the_file_limit():
    """A stream that never ends is cut at max_file_bytes + 1: file_too_large, bounded memory."""

    class Endless:
        asked: list[int] = []

        def read(self, n: int = -1) -> bytes:
            self.asked.append(n)
            return b"\xff" * (n if n >= 0 else 1 << 20)

    src = Endless()
    with pytest.raises(SkinError) as e:
        load_image(src, Limits(max_file_bytes=1000))
    assert e.value.code == "file_too_large" and src.asked == [1001]


def test_truncated_file_opened_by_pil(tmp_path, sample_jpeg):
    path = tmp_path / "cut.jpg"
    path.write_bytes(sample_jpeg[: len(sample_jpeg) // 2])
    with Image.open(path) as im:
        assert _code(analyze, im) == "corrupt_image"


def test_closed_pil_image(sample_path):
    im = Image.open(sample_path)
    im.close()
    assert _code(load_image, im) == "invalid_argument"


def test_premultiplied_and_odd_pil_modes(sample):
    la = Image.fromarray(sample).convert("LA").convert("La")
    got = load_image(la).rgb
    assert got.shape == sample.shape
    np.testing.assert_array_equal(got, load_image(Image.fromarray(sample).convert("L")).rgb)
    rgba = Image.fromarray(sample).convert("RGBA").convert("RGBa")
    np.testing.assert_array_equal(load_image(rgba).rgb, sample)


# ---------------------------------------------------------------- arrays


def test_float_0_255_and_uint16_8bit_scaled_as_pil(sample):
    np.testing.assert_array_equal(load_image(sample.astype(np.float32)).rgb, sample)
    np.testing.assert_array_equal(load_image(sample.astype(np.float64) / 255.0).rgb, sample)
    np.testing.assert_array_equal(load_image(sample.astype(np.uint16)).rgb, sample)
    np.testing.assert_array_equal(load_image(sample.astype(np.uint16) * 257).rgb, sample)
    np.testing.assert_array_equal(load_image(sample.astype(">u2")).rgb, sample)


def test_float_0_255_analysed_like_uint8(sample):
    a = analyze(sample).faces[0].tone
    b = analyze(sample.astype(np.float32)).faces[0].tone
    assert a == b


@pytest.mark.parametrize(
    "arr,why",
    [
        (np.full((300, 300, 3), 256.0, np.float32), "[0, 255]"),
        (np.full((300, 300, 3), -1.0, np.float32), "[0, 255]"),
        (np.full((300, 300, 3), np.inf, np.float64), "inf"),
        (np.zeros((300, 300, 3), np.int32), "dtype"),
        (np.zeros((300, 300, 3), bool), "dtype"),
        (np.zeros((300, 300, 3), np.complex64), "dtype"),
    ],
)
def test_arrays_refused_with_reason(arr, why):
    with pytest.raises(SkinError) as e:
        load_image(arr)
    assert e.value.code == "invalid_argument" and why in e.value.detail


# ---------------------------------------------------------------- damaged files


def _sof_size(jpeg: bytes, width: int, height: int) -> bytes:
    """Rewrite the frame header's size (SOF0/SOF2) of a JPEG."""
    d, i = bytearray(jpeg), 2
    while i < len(d):
        marker, length = d[i + 1], struct.unpack(">H", d[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            d[i + 5 : i + 9] = struct.pack(">HH", height, width)
            return bytes(d)
        i += 2 + length
    raise AssertionError("no SOF marker")


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_header_claims_more_pixels_than_data(sample, progressive):
    buf = io.BytesIO()
    small = Image.fromarray(sample).resize((576, 768))
    small.save(buf, "JPEG", quality=90, progressive=progressive)
    lying = _sof_size(buf.getvalue(), 4000, 4000)
    with Image.open(io.BytesIO(lying)) as im:  # Pillow alone decodes it grey-filled
        im.load()
        assert im.size == (4000, 4000)
    with pytest.raises(SkinError) as e:
        load_image(lying, Limits(max_side=4096))
    assert e.value.code == "corrupt_image"


def test_png_with_flipped_bytes_in_image_data(sample):
    buf = io.BytesIO()
    Image.fromarray(sample).save(buf, "PNG")
    png = bytearray(buf.getvalue())
    png[len(png) // 2] ^= 0x5A
    with pytest.raises(SkinError) as e:
        load_image(bytes(png))
    assert e.value.code == "corrupt_image" and "CRC" in e.value.detail


@pytest.mark.parametrize("seed", range(4))
def test_jpeg_with_random_bytes_in_the_middle(sample_jpeg, seed):
    rng = np.random.default_rng(seed)
    at = len(sample_jpeg) // 2 + int(rng.integers(-10_000, 10_000))
    noise = rng.integers(0, 256, 2048, dtype=np.uint8).tobytes()
    assert _code(load_image, sample_jpeg[:at] + noise + sample_jpeg[at:]) == "corrupt_image"


def test_webp_size_mismatch(sample):
    buf = io.BytesIO()
    Image.fromarray(sample[:400, :400]).save(buf, "WEBP", quality=80)
    data = buf.getvalue()
    assert load_image(data).width == 400
    assert _code(load_image, data[:-100]) == "corrupt_image"
    assert _code(load_image, data + b"\x00" * 64) == "corrupt_image"


def test_mpo_still_accepted(sample):
    buf = io.BytesIO()
    second = Image.fromarray(np.ascontiguousarray(sample[::-1]))
    Image.fromarray(sample).save(buf, "MPO", save_all=True, append_images=[second])
    assert load_image(buf.getvalue()).rgb.shape == sample.shape


# ---------------------------------------------------------------- error rendering


@pytest.mark.parametrize("dialect", DIALECTS)
def test_render_error_accepts_any_exception(dialect):
    doc = render_error(ValueError("x"), dialect, request_id="not-hex!")
    text = str(doc)
    assert "internal" in text.lower() or "PROCESSING_FAILURE" in text
    assert "ValueError: x" in text


def test_ailab_error_msg_not_repeated():
    doc = render_error(SkinError("no_face"), "ailab-pro")
    assert doc["error_msg"] == "No face detected in the image."
    doc = render_error(SkinError("no_face", "3 candidates refused"), "ailab-advanced")
    assert doc["error_msg"] == "No face detected in the image. - 3 candidates refused"


# ---------------------------------------------------------------- telemetry


def test_no_onnxruntime_telemetry_under_home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORT_", "XDG_"))}
    env["HOME"] = str(tmp_path)
    code = (
        "import numpy as np; from skincore.face import detect_faces; "
        "detect_faces(np.zeros((256, 256, 3), np.uint8))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == []
