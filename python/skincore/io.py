"""Image input: decode, EXIF orientation, colour modes, limits.

Accepts a path, encoded bytes, a PIL image or an RGB ndarray and returns a
contiguous ``(H, W, 3)`` uint8 RGB array. Every failure raises
:class:`skincore.SkinError` with a stable code; nothing is decoded before the
header's dimensions have been checked against :class:`skincore.Limits`.

Decoding is strict: a damaged file is refused (``corrupt_image``), never analysed
with grey or shifted pixels.

- Pillow's truncated-image tolerance stays off.
- JPEG: decoded by libjpeg-turbo (``simplejpeg``) with warnings raised as errors.
  libjpeg recovers from a scan that ends early (a header that claims more pixels
  than the data holds), from extraneous bytes and from bad Huffman codes by
  filling grey, and Pillow drops those warnings; here they are ``corrupt_image``.
  YCbCr and greyscale JPEGs are decoded in that one strict pass (the same pixels
  as Pillow's, in less than half its time); others (CMYK) are checked by a strict
  pass at 1/8 scale (the entropy decoding, where damage shows, is complete at any
  scale) and then decoded by Pillow.
- PNG: the CRC-32 of every chunk is checked (Pillow does not check the image data's
  chunks), and the chunks must end with ``IEND``.
- WebP: the RIFF size must match the data. The VP8/VP8L bitstream carries no
  checksum; damage there that libwebp cannot detect decodes as damaged pixels.

Arrays follow the rules of Pillow's modes: ``uint16`` values are divided by 257
when any exceeds 255 (else they are 8-bit values), floats are multiplied by 255
when all lie in [0, 1] and taken as 0..255 values otherwise; floats above 255 or
below 0, NaN and inf are refused.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simplejpeg
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from skincore._validate import check_limits
from skincore.errors import SkinError
from skincore.limits import Limits

ImageFile.LOAD_TRUNCATED_IMAGES = False

#: Formats decoded (PIL format names). MPO is what many phones write for JPEG.
SUPPORTED_FORMATS = ("JPEG", "MPO", "PNG", "BMP", "WEBP", "HEIF")

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo, upright, as RGB.

    Attributes
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8, C-contiguous, EXIF orientation applied.
    format : str
        Container format (``"JPEG"``, ``"PNG"``, ..., or ``"array"``).
    source_mode : str
        The PIL mode before conversion (``"RGB"``, ``"I;16"``, ``"CMYK"``, ...).
    exif_orientation : int
        The EXIF orientation tag that was applied (1 = none).
    file_bytes : int or None
        Size of the encoded input, when there was one.
    """

    rgb: np.ndarray
    format: str
    source_mode: str
    exif_orientation: int
    file_bytes: int | None

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.rgb.shape[0])


def _sniff(head: bytes) -> str | None:
    """Name the container from its magic bytes, or None if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"BM"):
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"hevx",
        b"mif1",
        b"msf1",
        b"heim",
        b"heis",
    ):
        return "HEIF"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "AVIF"
    return None


def _check_dims(width: int, height: int, limits: Limits) -> None:
    if width < limits.min_side or height < limits.min_side:
        raise SkinError(
            "image_too_small",
            f"image is {width}x{height}; both sides must be >= {limits.min_side}",
            width=width,
            height=height,
            min_side=limits.min_side,
        )
    if limits.min_short_side is not None and min(width, height) < limits.min_short_side:
        raise SkinError(
            "image_too_small",
            f"short side {min(width, height)} < {limits.min_short_side}",
            width=width,
            height=height,
            min_short_side=limits.min_short_side,
        )
    if width > limits.max_side or height > limits.max_side:
        raise SkinError(
            "image_too_large",
            f"image is {width}x{height}; both sides must be <= {limits.max_side}",
            width=width,
            height=height,
            max_side=limits.max_side,
        )
    if width * height > limits.max_pixels:
        raise SkinError(
            "image_too_large",
            f"{width * height} pixels > {limits.max_pixels}",
            width=width,
            height=height,
            max_pixels=limits.max_pixels,
        )


def _registered_formats() -> list[str]:
    """List the supported formats this Pillow can open (some open MPO as JPEG)."""
    Image.init()
    return [f for f in SUPPORTED_FORMATS if f in Image.OPEN]


def _heif_available() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Convert any PIL mode to uint8 RGB: 16-bit scaled, alpha over white."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(img, dtype=np.float64)
        scale = 257.0 if a.size and a.max() > 255 else 1.0
        g = np.clip(np.rint(a / scale), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[:, :, None], 3, axis=2))
    if mode == "F":
        a = np.asarray(img, dtype=np.float64)
        scale = 255.0 if a.size and np.nanmax(a) <= 1.0 else 1.0
        g = np.clip(np.rint(np.nan_to_num(a) * scale), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(g[:, :, None], 3, axis=2))
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.ascontiguousarray(np.asarray(Image.alpha_composite(white, rgba).convert("RGB")))
    if mode in ("La", "RGBa"):  # premultiplied alpha: un-premultiply, then over white
        return _to_rgb(img.convert("LA" if mode == "La" else "RGBA"))
    if mode != "RGB":
        try:
            img = img.convert("RGB")
        except ValueError as exc:  # e.g. LAB, HSV: no conversion to RGB in Pillow
            raise SkinError(
                "unsupported_format", f"images of PIL mode {mode!r} are not supported: {exc}"
            ) from None
    return np.ascontiguousarray(np.asarray(img))


def _array_to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale an image array to uint8 by the rules of Pillow's ``I;16`` and ``F`` modes."""
    kind, size = arr.dtype.kind, arr.dtype.itemsize
    if kind == "u" and size == 1:
        return arr
    if kind == "u" and size == 2:
        # As for 16-bit PNGs: 16-bit values are divided by 257; an array whose
        # values all fit in 8 bits holds 8-bit values (scaling it would give black).
        scale = 257.0 if arr.size and int(arr.max()) > 255 else 1.0
        return np.rint(arr / scale).astype(np.uint8)
    if kind == "f" and size in (2, 4, 8):
        if not np.all(np.isfinite(arr)):
            raise SkinError("invalid_argument", "float image contains NaN or inf")
        lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        if lo < 0.0 or hi > 255.0:
            raise SkinError(
                "invalid_argument",
                f"float image values must lie in [0, 1] (scaled by 255) or in [0, 255]; "
                f"got [{lo:g}, {hi:g}]",
            )
        scale = 255.0 if hi <= 1.0 else 1.0
        return np.clip(np.rint(arr.astype(np.float64) * scale), 0, 255).astype(np.uint8)
    raise SkinError(
        "invalid_argument",
        f"array dtype must be uint8, uint16 or float ([0, 1] or [0, 255]); got {arr.dtype}",
    )


def _from_array(arr: np.ndarray, limits: Limits) -> LoadedImage:
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise SkinError(
            "invalid_argument",
            f"array image must be (H, W), (H, W, 3) or (H, W, 4); got {arr.shape}",
        )
    _check_dims(int(arr.shape[1]), int(arr.shape[0]), limits)
    a = _array_to_uint8(arr)
    if a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    elif a.shape[2] == 4:
        alpha = a[:, :, 3:4].astype(np.float32) / 255.0
        a = np.rint(a[:, :, :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return LoadedImage(np.ascontiguousarray(a), "array", f"array[{arr.dtype}]", 1, None)


def _decode(data: bytes, limits: Limits) -> LoadedImage:
    if limits.max_file_bytes is not None and len(data) > limits.max_file_bytes:
        raise SkinError(
            "file_too_large",
            f"{len(data)} bytes > {limits.max_file_bytes}",
            file_bytes=len(data),
            max_file_bytes=limits.max_file_bytes,
        )
    if len(data) == 0:
        raise SkinError("corrupt_image", "empty file")
    kind = _sniff(data[:16])
    if kind is None:
        raise SkinError("unsupported_format", "not a JPEG, PNG, BMP, WebP or HEIC file")
    if kind == "HEIF" and not _heif_available():
        raise SkinError(
            "unsupported_format", "HEIC needs the optional decoder: pip install 'skincore[heic]'"
        )
    if kind not in SUPPORTED_FORMATS:
        raise SkinError("unsupported_format", f"{kind} images are not supported")
    _check_structure(kind, data)
    try:
        img = Image.open(io.BytesIO(data), formats=_registered_formats())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SkinError("image_too_large", str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise SkinError("corrupt_image", f"cannot read the {kind} header: {exc}") from None
    with img:
        # Orientation 5-8 swaps the axes; limits apply to the upright image.
        orientation = _exif_orientation(img)
        w, h = img.size
        if orientation in (5, 6, 7, 8):
            w, h = h, w
        _check_dims(w, h, limits)
        source_mode = img.mode
        if kind == "JPEG" and img.format in ("JPEG", "MPO"):
            if img.mode in ("RGB", "L"):
                rgb = _orient(_decode_jpeg(data, img.mode), orientation)
                return LoadedImage(rgb, img.format, source_mode, orientation, len(data))
            _check_jpeg_data(data)  # CMYK and others: checked here, decoded by Pillow
        try:
            img.load()
            upright = ImageOps.exif_transpose(img) if orientation != 1 else img
            rgb = _to_rgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise SkinError("image_too_large", str(exc)) from None
        except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError) as exc:
            raise SkinError("corrupt_image", f"cannot decode the {kind} data: {exc}") from None
        fmt = img.format or kind
    return LoadedImage(rgb, fmt, source_mode, orientation, len(data))


def _check_structure(kind: str, data: bytes) -> None:
    """Refuse damage the decoders would let through (see the module docstring)."""
    if kind == "PNG":
        _check_png_chunks(data)
    elif kind == "WEBP":
        riff = struct.unpack("<I", data[4:8])[0] + 8 if len(data) >= 8 else 0
        if riff != len(data) and riff + 1 != len(data):  # odd sizes may carry a pad byte
            raise SkinError(
                "corrupt_image",
                f"the WebP RIFF header says {riff} bytes; the file has {len(data)}",
            )


def _check_png_chunks(data: bytes) -> None:
    """Check every PNG chunk's length and CRC-32 up to ``IEND``."""
    pos, n = 8, len(data)
    while True:
        if pos + 12 > n:
            raise SkinError("corrupt_image", "the PNG data ends before its IEND chunk")
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        end = pos + 12 + length
        if end > n:
            raise SkinError(
                "corrupt_image", f"a PNG chunk at byte {pos} runs past the end of the file"
            )
        ctype = data[pos + 4 : pos + 8]
        crc = struct.unpack(">I", data[end - 4 : end])[0]
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            name = ctype.decode("latin-1")
            raise SkinError(
                "corrupt_image", f"PNG chunk {name!r} at byte {pos} fails its CRC check"
            )
        if ctype == b"IEND":
            return
        pos = end


def _check_jpeg_data(data: bytes) -> None:
    """Decode the JPEG's entropy-coded data with libjpeg warnings as errors."""
    try:
        simplejpeg.decode_jpeg(data, colorspace="GRAY", min_factor=8, strict=True)
    except (ValueError, RuntimeError) as exc:
        raise SkinError("corrupt_image", f"damaged JPEG data: {exc}") from None


def _decode_jpeg(data: bytes, mode: str) -> np.ndarray:
    """Decode a YCbCr or greyscale JPEG strictly with libjpeg-turbo, as uint8 RGB.

    One pass does both the strict check (libjpeg warnings as errors, see the module
    docstring) and the decoding, with libjpeg's default (accurate) DCT and fancy
    upsampling, as Pillow decodes: the same pixels, in less than half Pillow's time.
    """
    try:
        if mode == "L":
            g = simplejpeg.decode_jpeg(data, colorspace="GRAY", strict=True)
            return np.ascontiguousarray(np.repeat(g.reshape(g.shape[0], g.shape[1], 1), 3, axis=2))
        return simplejpeg.decode_jpeg(data, colorspace="RGB", strict=True)
    except (ValueError, RuntimeError) as exc:
        raise SkinError("corrupt_image", f"damaged JPEG data: {exc}") from None


def _orient(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) to an ``(H, W, 3)`` array, as ``exif_transpose``."""
    if orientation in (5, 6, 7, 8):
        rgb = rgb.transpose(1, 0, 2)  # 5: transpose; then 6, 7, 8 from it
    out = {
        1: rgb,
        2: rgb[:, ::-1],
        3: rgb[::-1, ::-1],
        4: rgb[::-1],
        5: rgb,
        6: rgb[:, ::-1],
        7: rgb[::-1, ::-1],
        8: rgb[::-1],
    }[orientation]
    return np.ascontiguousarray(out)


def _exif_orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not make the photo unreadable
        return 1
    return int(value) if isinstance(value, int) and 1 <= value <= 8 else 1


def _from_pil(source: Image.Image, limits: Limits) -> LoadedImage:
    """Convert an already opened PIL image (pixels loaded now, strictly)."""
    try:
        _check_dims(source.width, source.height, limits)
        orientation = _exif_orientation(source)
        source.load()  # a lazily opened file: damage shows here
        upright = ImageOps.exif_transpose(source) if orientation != 1 else source
        _check_dims(upright.width, upright.height, limits)
        return LoadedImage(_to_rgb(upright), source.format or "PIL", source.mode, orientation, None)
    except SkinError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SkinError("image_too_large", str(exc)) from None
    except ValueError as exc:
        if "closed" in str(exc):
            raise SkinError("invalid_argument", "the PIL image is closed") from None
        raise SkinError("corrupt_image", f"cannot read the PIL image: {exc}") from None
    except (OSError, SyntaxError, EOFError, struct.error, IndexError) as exc:
        raise SkinError("corrupt_image", f"cannot read the PIL image: {exc}") from None


def _read_file(source: str | os.PathLike, limits: Limits) -> bytes:
    """Read a photo file, refusing what is not a readable regular file within limits."""
    try:
        path = Path(source)
        name = repr(str(path))
        size = path.stat().st_size
        if not path.is_file():
            raise SkinError("invalid_argument", f"{name} is not a file")
        if limits.max_file_bytes is not None and size > limits.max_file_bytes:
            raise SkinError(
                "file_too_large",
                f"{size} bytes > {limits.max_file_bytes}",
                file_bytes=size,
                max_file_bytes=limits.max_file_bytes,
            )
        with path.open("rb") as f:
            cap = limits.max_file_bytes
            data = f.read() if cap is None else f.read(cap + 1)
    except SkinError:
        raise
    except (ValueError, TypeError) as exc:  # e.g. an embedded NUL character
        raise SkinError("invalid_argument", f"invalid path {str(source)!r}: {exc}") from None
    except OSError as exc:
        raise SkinError(
            "invalid_argument", f"cannot read {str(source)!r}: {exc.strerror or exc}"
        ) from None
    if limits.max_file_bytes is not None and len(data) > limits.max_file_bytes:
        raise SkinError(  # the file grew after stat()
            "file_too_large",
            f"more than {limits.max_file_bytes} bytes",
            max_file_bytes=limits.max_file_bytes,
        )
    return data


def _read_stream(stream: Any, limits: Limits) -> bytes:
    """Read a binary file object (an upload's stream) from where it stands, within limits.

    At most ``max_file_bytes + 1`` bytes are read, so an endless stream costs no
    more memory than the largest file allowed.
    """
    cap = limits.max_file_bytes
    try:
        data = stream.read() if cap is None else stream.read(cap + 1)
    except OSError as exc:
        raise SkinError("invalid_argument", f"cannot read the stream: {exc}") from None
    except (TypeError, ValueError) as exc:  # closed, or not readable with a size
        raise SkinError("invalid_argument", f"cannot read the stream: {exc}") from None
    if isinstance(data, str):
        raise SkinError(
            "invalid_argument", "the stream is open in text mode; open the photo with 'rb'"
        )
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SkinError(
            "invalid_argument", f"the stream's read() returned {type(data).__name__}, not bytes"
        )
    data = bytes(data)
    if cap is not None and len(data) > cap:
        raise SkinError(
            "file_too_large", f"more than {cap} bytes in the stream", max_file_bytes=cap
        )
    return data


def load_image(source: Any, limits: Limits | None = None) -> LoadedImage:
    """Decode ``source`` into an upright RGB image within ``limits``.

    Parameters
    ----------
    source : str, os.PathLike, bytes-like, binary file object, PIL.Image.Image or numpy.ndarray
        A file path, the encoded file, an open binary file or stream (anything
        with ``read()``: ``open(path, "rb")``, an upload's stream; read from
        where it stands, at most ``max_file_bytes``), a PIL image, or an array:
        ``(H, W)``, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA, uint8, uint16 or
        float in [0, 1].
    limits : Limits, optional
        Size limits; :class:`skincore.Limits` defaults when omitted.

    Returns
    -------
    LoadedImage
        The decoded image and what was done to it.

    Raises
    ------
    SkinError
        ``invalid_argument`` (wrong type or array), ``unsupported_format``,
        ``corrupt_image`` (truncated or damaged data), ``file_too_large``,
        ``image_too_small``, ``image_too_large`` (including decompression bombs,
        refused from the header before decoding).
    """
    limits = check_limits(limits)
    if isinstance(source, np.ndarray):
        return _from_array(source, limits)
    if isinstance(source, Image.Image):
        return _from_pil(source, limits)
    if isinstance(source, bytes | bytearray | memoryview):
        return _decode(bytes(source), limits)
    if isinstance(source, str | os.PathLike):
        return _decode(_read_file(source, limits), limits)
    if callable(getattr(source, "read", None)):
        return _decode(_read_stream(source, limits), limits)
    raise SkinError(
        "invalid_argument",
        "image must be a path, bytes, a binary file object, PIL image or ndarray; "
        f"got {type(source).__name__}",
    )
