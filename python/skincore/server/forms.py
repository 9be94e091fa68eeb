"""Request bodies read with their size limit enforced while streaming.

The routes parse their own bodies (not FastAPI's form injection) so that an
oversized upload is refused as soon as the limit is crossed, before it is held in
memory or spooled to disk whole; ``Content-Length`` above the limit is refused
before reading anything.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request


class BodyTooLarge(Exception):
    """The request body crossed its limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


class BadBody(Exception):
    """The body is not a well-formed form/JSON document of an accepted type."""


async def limited_stream(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """Yield the body's chunks; raise :class:`BodyTooLarge` past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge(limit)
        yield chunk


async def read_bytes(request: Request, limit: int) -> bytes:
    """Read the whole body, at most ``limit`` bytes."""
    parts = [c async for c in limited_stream(request, limit)]
    return b"".join(parts)


def content_type(request: Request) -> str:
    """Return the request's media type, lower case, without parameters."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_form(request: Request, limit: int, *, max_files: int = 4) -> FormData:
    """Parse a multipart or urlencoded body of at most ``limit`` bytes."""
    ctype = content_type(request)
    stream = limited_stream(request, limit)
    try:
        if ctype == "multipart/form-data":
            parser: Any = MultiPartParser(
                request.headers, stream, max_files=max_files, max_fields=64, max_part_size=limit
            )
        elif ctype == "application/x-www-form-urlencoded":
            parser = FormParser(request.headers, stream, max_fields=64, max_part_size=limit)
        else:
            raise BadBody("expected multipart/form-data or application/x-www-form-urlencoded")
        return await parser.parse()
    except MultiPartException as exc:
        raise BadBody(exc.message) from None
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        raise BadBody(f"malformed form body: {exc}") from None


async def read_json(request: Request, limit: int) -> Any:
    """Parse a JSON body of at most ``limit`` bytes."""
    raw = await read_bytes(request, limit)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadBody(f"malformed JSON body: {exc}") from None


async def file_bytes(form: FormData, name: str, limit: int) -> bytes | None:
    """Read file field ``name`` (None when absent); raise past ``limit`` bytes."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, UploadFile):
        raise BadBody(f"{name} must be a file")
    data = await value.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    return data


def text(form: FormData | dict[str, Any], name: str) -> str | None:
    """Text field ``name`` (None when absent); a file in its place is refused."""
    value = form.get(name)
    if value is None:
        return None
    if isinstance(value, UploadFile):
        raise BadBody(f"{name} must be a text field")
    return str(value)
