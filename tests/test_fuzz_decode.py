"""Property-based fuzz of the decoder: damaged files give a picture or a SkinError, nothing else.

Real JPEG (baseline and progressive), PNG and WebP (lossy and lossless) encodings of
the packaged sample are mutated (truncations, byte flips, random insertions,
deletions, duplicated and zeroed runs, header size edits with and without a fixed
CRC) and fed to :func:`skincore.io.load_image` and :func:`skincore.analyze`. The
property: the call returns a valid result or raises :class:`skincore.SkinError` with
an input code (never ``internal_error``, never another exception).

CI runs a fixed, derandomised budget (well under a minute). A longer random run:

    SKINCORE_FUZZ_EXAMPLES=10000 SKINCORE_FUZZ_REPORT=fuzz.json \\
        python -m pytest -q tests/test_fuzz_decode.py

runs that many inputs through ``load_image`` (a fiftieth of them, at least
20, through ``analyze``) and writes the counts of inputs and outcomes to the report.
"""

from __future__ import annotations

import io
import json
import os
import struct
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import skincore
from skincore import Analysis, SkinError, analyze
from skincore.io import LoadedImage, load_image
from skincore.limits import Limits

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")
from hypothesis import HealthCheck, given, settings  # noqa: E402

LONG = int(os.environ.get("SKINCORE_FUZZ_EXAMPLES", "0"))
DECODE_EXAMPLES = LONG or 1500
ANALYZE_EXAMPLES = max(20, LONG // 50) if LONG else 60
REPORT = os.environ.get("SKINCORE_FUZZ_REPORT")

#: Codes a damaged input may end in (``internal_error`` and ``runtime_unavailable``
#: are findings).
INPUT_CODES = {
    "corrupt_image",
    "unsupported_format",
    "invalid_argument",
    "file_too_large",
    "image_too_small",
    "image_too_large",
    "no_face",
    "too_many_faces",
    "face_too_small",
    "face_out_of_bound",
    "lighting_dark",
}

FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": not LONG,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

# Header edits claim up to 65535x65535 pixels: Pillow warns before skincore's limits
# refuse them; the warning is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")

_stats: dict[str, Counter] = {}
_slowest: dict[str, float] = {}


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _seeds(scale: float) -> dict[str, bytes]:
    with Image.open(skincore.sample_path()) as im:
        img = im.convert("RGB")
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.BILINEAR)
    return {
        "jpeg": _encode(img, "JPEG", quality=85),
        "jpeg_progressive": _encode(img, "JPEG", quality=85, progressive=True),
        "png": _encode(img, "PNG"),
        "webp": _encode(img, "WEBP", quality=80),
        "webp_lossless": _encode(img, "WEBP", lossless=True),
    }


SMALL = _seeds(0.3)  # 346x461: fast to decode, so many mutations per second
FULL = {k: v for k, v in _seeds(1.0).items() if k in ("jpeg", "png", "webp")}

SIZES = st.sampled_from([0, 1, 199, 200, 461, 4096, 4097, 16383, 65535]) | st.integers(0, 65535)


def _set_size(data: bytearray, kind: str, w: int, h: int, fix_crc: bool) -> None:
    """Rewrite the width and height the header declares."""
    if kind.startswith("jpeg"):
        i = 2
        while i + 9 <= len(data) and data[i] == 0xFF:
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xC2:
                data[i + 5 : i + 9] = struct.pack(">HH", h, w)
                return
            i += 2 + length
    elif kind == "png" and len(data) >= 33:
        data[16:24] = struct.pack(">II", w, h)
        if fix_crc:
            data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    elif kind.startswith("webp") and len(data) >= 30:
        if data[12:16] == b"VP8 ":
            data[26:30] = struct.pack("<HH", w & 0x3FFF, h & 0x3FFF)
        elif data[12:16] == b"VP8L" and len(data) >= 25:
            bits = ((w - 1) & 0x3FFF) | (((h - 1) & 0x3FFF) << 14) | (data[24] >> 4 << 28)
            data[21:25] = struct.pack("<I", bits)


ALL_OPS = ("truncate", "flip", "flip_run", "insert", "delete", "dup", "zero", "size")
#: Mutations a decoder often survives (damage inside the compressed data of a format
#: without checksums): the analysis then runs on damaged pixels.
LIGHT_OPS = ("flip", "flip_run", "zero")


@st.composite
def mutated(
    draw, seeds: dict[str, bytes], ops_from: tuple[str, ...] = ALL_OPS, max_ops: int = 4
) -> tuple[str, bytes, list[str]]:
    """A seed file with 1-``max_ops`` mutations; returns (seed name, bytes, mutation names)."""
    kind = draw(st.sampled_from(sorted(seeds)))
    data = bytearray(seeds[kind])
    ops = []
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(ops_from))
        n = len(data)
        near_head = draw(st.booleans())
        pos = draw(st.integers(0, max(0, min(n, 2048) if near_head else n)))
        if op == "truncate":
            del data[pos:]
        elif op == "flip" and pos < n:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "flip_run":
            run = draw(st.binary(min_size=1, max_size=64))
            for j, b in enumerate(run[: max(0, n - pos)]):
                data[pos + j] ^= b | 1
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=2048))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 4096))]
        elif op == "dup":
            length = draw(st.integers(1, 4096))
            at = draw(st.integers(0, max(0, n)))
            data[at:at] = data[pos : pos + length]
        elif op == "zero":
            length = draw(st.integers(1, 4096))
            data[pos : pos + length] = bytes(len(data[pos : pos + length]))
        elif op == "size":
            _set_size(data, kind, draw(SIZES), draw(SIZES), draw(st.booleans()))
        ops.append(op)
    return kind, bytes(data), ops


def _record(test: str, kind: str, outcome: str, seconds: float) -> None:
    _stats.setdefault(test, Counter())[f"{kind}:{outcome}"] += 1
    _stats[test]["inputs"] += 1
    _slowest[test] = max(_slowest.get(test, 0.0), seconds)


def _check(test: str, kind: str, fn, data: bytes):
    t0 = time.perf_counter()
    try:
        out = fn(data)
    except SkinError as err:
        _record(test, kind, err.code, time.perf_counter() - t0)
        assert err.code in INPUT_CODES, f"{err.code}: {err.detail}"
        return None
    except Exception as exc:  # a finding: report it with the input's summary
        _record(test, kind, f"escaped {type(exc).__name__}", time.perf_counter() - t0)
        raise AssertionError(f"{type(exc).__name__} escaped: {exc}") from exc
    _record(test, kind, "ok", time.perf_counter() - t0)
    return out


@settings(max_examples=DECODE_EXAMPLES, **FUZZ_SETTINGS)
@given(mutated(SMALL))
def test_fuzz_load_image(case):
    kind, data, _ = case
    got = _check("load_image", kind, lambda d: load_image(d, Limits()), data)
    if got is not None:
        assert isinstance(got, LoadedImage)
        assert got.rgb.dtype == np.uint8 and got.rgb.ndim == 3 and got.rgb.shape[2] == 3
        assert got.rgb.flags.c_contiguous
        assert 200 <= got.width <= 4096 and 200 <= got.height <= 4096


@settings(max_examples=ANALYZE_EXAMPLES, **FUZZ_SETTINGS)
@given(mutated(FULL) | mutated(FULL, LIGHT_OPS, 1))
def test_fuzz_analyze(case):
    kind, data, _ = case
    got = _check("analyze", kind, analyze, data)
    if got is not None:
        assert isinstance(got, Analysis) and got.faces
        for face in got.faces:
            assert np.all(np.isfinite(face.geometry.landmarks))


def test_seeds_are_valid():
    for kind, data in {**SMALL, **FULL}.items():
        assert load_image(data).width > 0, kind


def teardown_module(module) -> None:
    if REPORT:
        doc = {
            "examples_per_test": {"load_image": DECODE_EXAMPLES, "analyze": ANALYZE_EXAMPLES},
            "outcomes": {k: dict(sorted(v.items())) for k, v in _stats.items()},
            "slowest_s": {k: round(v, 3) for k, v in _slowest.items()},
        }
        Path(REPORT).write_text(json.dumps(doc, indent=2))
