"""Image input: formats, orientation, colour modes, limits and every error path."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from skincore import Limits, SkinError
from skincore.io import load_image


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    # Smooth content (lossy codecs must be able to keep it) that is not symmetric
    # under any flip or rotation, so orientation errors show.
    yy, xx = np.mgrid[0:240, 0:320].astype(np.float32)
    a = np.empty((240, 320, 3), np.uint8)
    a[..., 0] = np.clip(xx * 0.8, 0, 255)
    a[..., 1] = np.clip(yy * 1.0, 0, 255)
    a[..., 2] = np.clip(128 + 100 * np.sin(xx / 23.0) * np.cos(yy / 31.0), 0, 255)
    return Image.fromarray(a)


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "WEBP"])
def test_lossless_formats_roundtrip(photo, fmt):
    kw = {"lossless": True} if fmt == "WEBP" else {}
    im = load_image(_encode(photo, fmt, **kw))
    assert im.rgb.shape == (240, 320, 3) and im.rgb.dtype == np.uint8
    assert im.rgb.flags.c_contiguous
    np.testing.assert_array_equal(im.rgb, np.asarray(photo))
    assert im.format == fmt


def test_jpeg_close(photo):
    im = load_image(_encode(photo, "JPEG", quality=95))
    assert im.format == "JPEG"
    assert np.abs(im.rgb.astype(int) - np.asarray(photo, int)).mean() < 12


def test_path_and_pil_and_array_agree(tmp_path, photo):
    p = tmp_path / "a.png"
    photo.save(p)
    a = load_image(p).rgb
    np.testing.assert_array_equal(a, load_image(str(p)).rgb)
    np.testing.assert_array_equal(a, load_image(photo).rgb)
    np.testing.assert_array_equal(a, load_image(np.asarray(photo)).rgb)


@pytest.mark.parametrize(
    "orientation,expected_shape",
    [(1, (240, 320)), (3, (240, 320)), (6, (320, 240)), (8, (320, 240))],
)
def test_exif_orientation_applied(photo, orientation, expected_shape):
    exif = Image.Exif()
    exif[0x0112] = orientation
    im = load_image(_encode(photo, "PNG", exif=exif))
    assert im.rgb.shape[:2] == expected_shape
    assert im.exif_orientation == orientation
    src = np.asarray(photo)
    ref = {1: src, 3: src[::-1, ::-1], 6: np.rot90(src, -1), 8: np.rot90(src, 1)}[orientation]
    np.testing.assert_array_equal(im.rgb, ref)


def test_sixteen_bit_grayscale_scaled():
    a = (np.arange(300 * 250, dtype=np.uint32).reshape(250, 300) % 65536).astype(np.uint16)
    img = Image.fromarray(a)
    im = load_image(_encode(img, "PNG"))
    assert im.rgb.shape == (250, 300, 3)
    expected = np.clip(np.rint(a / 257.0), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(im.rgb[:, :, 1], expected)
    assert np.array_equal(im.rgb[:, :, 0], im.rgb[:, :, 2])


def test_alpha_composited_over_white():
    a = np.zeros((220, 220, 4), np.uint8)
    a[..., 0] = 200
    a[:110, :, 3] = 255  # top half opaque red-ish, bottom transparent
    im = load_image(_encode(Image.fromarray(a, "RGBA"), "PNG"))
    assert tuple(im.rgb[10, 10]) == (200, 0, 0)
    assert tuple(im.rgb[200, 10]) == (255, 255, 255)


def test_grayscale_and_cmyk(photo):
    g = load_image(_encode(photo.convert("L"), "PNG")).rgb
    assert np.array_equal(g[..., 0], g[..., 1])
    cmyk = photo.convert("CMYK")
    c = load_image(_encode(cmyk, "JPEG", quality=95))
    assert c.source_mode == "CMYK" and c.rgb.shape == (240, 320, 3)


def test_array_inputs(photo):
    a = np.asarray(photo)
    np.testing.assert_array_equal(load_image(a.astype(np.float32) / 255.0).rgb, a)
    np.testing.assert_array_equal(load_image(a.astype(np.uint16) * 257).rgb, a)
    assert load_image(a[:, :, 0]).rgb.shape == (240, 320, 3)
    with pytest.raises(SkinError) as e:
        load_image(np.full((240, 320, 3), np.nan, np.float32))
    assert e.value.code == "invalid_argument"
    with pytest.raises(SkinError) as e:
        load_image(np.zeros((240, 320, 5), np.uint8))
    assert e.value.code == "invalid_argument"
    with pytest.raises(SkinError) as e:
        load_image(np.zeros((240, 320, 3), np.int64))
    assert e.value.code == "invalid_argument"


@pytest.mark.parametrize("source", [None, 12, 3.5, ["a"], object()])
def test_wrong_type(source):
    with pytest.raises(SkinError) as e:
        load_image(source)
    assert e.value.code == "invalid_argument"


def test_missing_file_and_directory(tmp_path):
    for p in (tmp_path / "nope.jpg", tmp_path):
        with pytest.raises(SkinError) as e:
            load_image(p)
        assert e.value.code == "invalid_argument"


def test_truncated_jpeg(photo):
    data = _encode(photo, "JPEG")
    for cut in (len(data) // 2, 200, 20):
        with pytest.raises(SkinError) as e:
            load_image(data[:cut])
        assert e.value.code == "corrupt_image"


def test_truncated_png(photo):
    data = _encode(photo, "PNG")
    with pytest.raises(SkinError) as e:
        load_image(data[: len(data) - 100])
    assert e.value.code == "corrupt_image"


def test_random_bytes_and_empty():
    rng = np.random.default_rng(7)
    for n in (1, 50, 10_000):
        blob = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        with pytest.raises(SkinError) as e:
            load_image(b"\x00" + blob)
        assert e.value.code == "unsupported_format"
    with pytest.raises(SkinError) as e:
        load_image(b"")
    assert e.value.code == "corrupt_image"


def test_jpeg_magic_with_garbage():
    with pytest.raises(SkinError) as e:
        load_image(b"\xff\xd8\xff" + bytes(range(256)) * 4)
    assert e.value.code == "corrupt_image"


@pytest.mark.parametrize("fmt", ["GIF", "TIFF"])
def test_unsupported_known_formats(photo, fmt):
    with pytest.raises(SkinError) as e:
        load_image(_encode(photo, fmt))
    assert e.value.code == "unsupported_format"
    assert fmt in e.value.detail


def test_heic_roundtrip(photo):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    data = _encode(photo, "HEIF", quality=95)
    im = load_image(data)
    assert im.rgb.shape == (240, 320, 3)
    assert np.abs(im.rgb.astype(int) - np.asarray(photo, int)).mean() < 20


def test_dimension_limits(photo):
    small = photo.resize((150, 300))
    with pytest.raises(SkinError) as e:
        load_image(_encode(small, "PNG"))
    assert e.value.code == "image_too_small"
    with pytest.raises(SkinError) as e:
        load_image(_encode(photo, "PNG"), Limits(max_side=300))
    assert e.value.code == "image_too_large"
    with pytest.raises(SkinError) as e:
        load_image(_encode(photo, "PNG"), Limits(min_short_side=480))
    assert e.value.code == "image_too_small"
    assert load_image(_encode(small, "PNG"), Limits(min_side=100)).width == 150


def test_file_size_limit(tmp_path, photo):
    data = _encode(photo, "PNG")
    with pytest.raises(SkinError) as e:
        load_image(data, Limits(max_file_bytes=len(data) - 1))
    assert e.value.code == "file_too_large"
    p = tmp_path / "x.png"
    p.write_bytes(data)
    with pytest.raises(SkinError) as e:
        load_image(p, Limits(max_file_bytes=100))
    assert e.value.code == "file_too_large"


def test_decompression_bomb_refused_from_header():
    # A 20000x20000 PNG compresses to a few hundred KB; it must be refused from
    # its header without decoding 1.2 GB of pixels.
    import tracemalloc
    import zlib

    w = h = 20000
    raw_row = b"\x00" + b"\x00" * w
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(raw_row) for _ in range(h)) + comp.flush()

    def chunk(tag: bytes, body: bytes) -> bytes:
        import struct

        return (
            struct.pack(">I", len(body))
            + tag
            + body
            + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)
        )

    import struct

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )
    tracemalloc.start()
    with pytest.raises(SkinError) as e:
        load_image(png, Limits(max_file_bytes=None))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert e.value.code == "image_too_large"
    assert peak < 50 * 2**20


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_decoding_gives_pillows_pixels(mode, orientation):
    # YCbCr and greyscale JPEGs are decoded by libjpeg-turbo directly (one strict
    # pass); the pixels must be Pillow's, in every orientation. CMYK goes through
    # Pillow.
    rng = np.random.default_rng(orientation)
    src = (rng.random((240, 320, 3)) * 255).astype(np.uint8)
    src[:100, :30] = 255  # asymmetric, so a wrong flip shows
    im = Image.fromarray(src).convert(mode)
    exif = im.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif, progressive=orientation % 2 == 0)
    data = buf.getvalue()
    ref = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    got = load_image(data)
    assert got.rgb.flags.c_contiguous and got.source_mode == mode
    assert np.array_equal(got.rgb, ref)
