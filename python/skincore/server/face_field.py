"""face_field skin analysis: ``POST /face/v1/skin-analysis`` (the seed names no path).

Form (multipart or urlencoded) or JSON. ``image`` (a file, or base64 text) or
``url`` (fetched under the SSRF rules of :mod:`skincore.server.fetch`);
``image`` wins when both are given, as the document says. ``max_face_num`` 1-10
(default 1); ``face_field`` selects the fields per face (``face_token`` and
``location`` always; ``color``, ``smooth``, ``acnespotmole``, ``wrinkle``,
``eyesattr``, ``blackheadpore``, ``skinface``, ``skinquality``), and fields that
are not measured yet are absent. Auth: ``Authorization: Bearer KEY`` or the
``access_token`` query parameter. Limits: 8 MB, 1920 px (the seed's "below
1920x1080"), url at most 1024 bytes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from skincore import SkinError
from skincore.server import fetch, forms
from skincore.server.engine import Busy
from skincore.server.keys import bearer, check_key
from skincore.server.service import request_id, service

MiB = 1024 * 1024
MAX_FILE = 8 * MiB
DIALECT = "face-field"
FIELDS = (
    "color",
    "smooth",
    "acnespotmole",
    "wrinkle",
    "eyesattr",
    "blackheadpore",
    "skinface",
    "skinquality",
)
router = APIRouter(tags=["face_field"])


def _error(request: Request, err: SkinError, headers: dict[str, str] | None = None) -> JSONResponse:
    svc = service(request)
    svc.metrics.error(DIALECT, err.code)
    body = svc.engine.render_error(err, DIALECT, request_id(request))
    return JSONResponse(body, status_code=err.http_status, headers=headers)


def _plain_error(request: Request, status: int, message: str, **headers: str) -> JSONResponse:
    svc = service(request)
    svc.metrics.error(DIALECT, str(status))
    rid = request_id(request)
    body = svc.engine.render_error(SkinError("invalid_argument", message), DIALECT, rid)
    body["error_code"] = status
    body["error_msg"] = message
    return JSONResponse(body, status_code=status, headers=headers or None)


def select_fields(doc: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """Keep ``face_token``, ``location`` and the requested fields of each face."""
    result = doc.get("result") or {}
    for face in result.get("face_list", []):
        for key in list(face):
            if key in ("face_token", "location"):
                continue
            if key == "skin":
                kept = {k: v for k, v in face["skin"].items() if k in wanted}
                if kept:
                    face["skin"] = kept
                else:
                    del face["skin"]
            elif key not in wanted:
                del face[key]
    return doc


async def _inputs(request: Request) -> dict[str, Any]:
    ctype = forms.content_type(request)
    limit = MAX_FILE * 4 // 3 + 64 * 1024
    if ctype == "application/json":
        doc = await forms.read_json(request, limit)
        if not isinstance(doc, dict):
            raise forms.BadBody("JSON body must be an object")
        return doc
    form = await forms.read_form(request, limit, max_files=1)
    out: dict[str, Any] = {}
    for k in ("url", "max_face_num", "face_field"):
        v = forms.text(form, k)
        if v is not None:
            out[k] = v
    img = form.get("image")
    if isinstance(img, UploadFile):
        out["image_bytes"] = await forms.file_bytes(form, "image", MAX_FILE)
    elif img is not None:
        out["image"] = str(img)
    return out


def _decode_b64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise SkinError("invalid_argument", "image must be base64 text or a file")
    if value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SkinError("invalid_argument", "image is not valid base64") from None


def _max_faces(value: Any) -> int:
    if value is None or value == "":
        return 1
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise SkinError("invalid_argument", "max_face_num must be an integer 1-10") from None
    if isinstance(value, bool) or not 1 <= n <= 10:
        raise SkinError("invalid_argument", "max_face_num must be an integer 1-10")
    return n


def _fields(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise SkinError("invalid_argument", "face_field must be a comma-separated string")
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in FIELDS]
    if bad:
        raise SkinError("invalid_argument", f"face_field: unknown {bad}; allowed {FIELDS}")
    return items


@router.post(
    "/face/v1/skin-analysis",
    summary="face_field skin analysis",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                ct: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "image": (
                                {"type": "string", "format": "binary"}
                                if ct == "multipart/form-data"
                                else {"type": "string"}
                            ),
                            "url": {"type": "string", "maxLength": 1024},
                            "max_face_num": {"type": "integer", "minimum": 1, "maximum": 10},
                            "face_field": {"type": "string"},
                        },
                    }
                }
                for ct in (
                    "multipart/form-data",
                    "application/x-www-form-urlencoded",
                    "application/json",
                )
            },
        },
        "parameters": [
            {"name": "Authorization", "in": "header", "schema": {"type": "string"}},
            {"name": "access_token", "in": "query", "schema": {"type": "string"}},
        ],
    },
)
async def skin_analysis(request: Request) -> JSONResponse:
    """Analyse an image given as a file, base64 text or URL."""
    svc = service(request)
    key = bearer(request.headers.get("authorization")) or request.query_params.get("access_token")
    if check_key(svc.store, key) is None:
        return _plain_error(request, 401, "Unauthenticated.")
    try:
        doc = await _inputs(request)
        max_faces = _max_faces(doc.get("max_face_num"))
        wanted = _fields(doc.get("face_field"))
        if doc.get("image_bytes") is not None:
            image = doc["image_bytes"]
        elif doc.get("image"):
            image = _decode_b64(doc["image"])
        elif doc.get("url"):
            if not isinstance(doc["url"], str):
                raise SkinError("invalid_argument", "url must be a string")
            image = await fetch.fetch_image(
                doc["url"],
                max_bytes=min(svc.settings.fetch_max_bytes, MAX_FILE),
                timeout_s=svc.settings.fetch_timeout_s,
                allow_private=svc.settings.allow_private_urls,
            )
        else:
            raise SkinError("invalid_argument", "give image or url")
        out = await svc.engine.run(svc.engine.analyze_render, image, DIALECT, max_faces=max_faces)
    except forms.BodyTooLarge as exc:
        return _error(request, SkinError("file_too_large", f"limit {exc.limit} bytes"))
    except forms.BadBody as exc:
        return _error(request, SkinError("invalid_argument", str(exc)))
    except fetch.FetchRefused as exc:
        return _error(request, SkinError("invalid_argument", f"url refused: {exc}"))
    except SkinError as err:
        return _error(request, err)
    except Busy as exc:
        return _plain_error(
            request, 429, "Too many requests.", **{"Retry-After": str(exc.retry_after_s)}
        )
    return JSONResponse(select_fields(out, wanted))
