"""AILabTools *Skin analyze Pro* and *Advanced*: wire-compatible routes.

``POST /api/portrait/analysis/skin-analysis-pro`` and ``.../skin-analysis-advanced``,
``multipart/form-data``, header ``ailabapi-api-key``. Success and failure use the
documented envelope (``request_id``, ``log_id``, ``error_code``, ``error_code_str``,
``error_msg``, ``error_detail{status_code, code, code_message, message}``); the HTTP
status equals ``error_code`` on failure. Limits per document: Pro 8 MB, Advanced
5 MB, sides 200-4096 px (checked by the engine's vendor limits; the body limit is
enforced while streaming).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from skincore import SkinError
from skincore.dialects.ailab import PRO_MAPS_DOCUMENTED, PRO_MARKS_DOCUMENTED
from skincore.server import forms
from skincore.server.engine import Busy
from skincore.server.keys import check_key
from skincore.server.service import request_id, service

MiB = 1024 * 1024
router = APIRouter(tags=["AILabTools"])

#: Documented Pro request values (seed 004): the dialect's own lists. Values not
#: measured yet are accepted and reported under ``skincore_notice``.
PRO_RETURN_MAPS = PRO_MAPS_DOCUMENTED
PRO_RETURN_MARKS = PRO_MARKS_DOCUMENTED
ROI_COLOR_KEYS = (
    "pores_color",
    "blackhead_color",
    "wrinkle_color",
    "fine_line_color",
    "closed_comedones_color",
    "acne_pustule_color",
    "acne_nodule_color",
    "acne_color",
    "brown_spot_color",
)
SIDE_RESULTS = ("jawline_info",)
ADVANCED_RETURN_MAPS = ("red_area",)

#: Non-SkinError failures: (HTTP status, error_detail.code, code_message).
AUTH_FAILED = (401, "ERROR_APPLICATIONS_NOT_EXISTS", "The application does not exist.")
BUSY = (429, "ERROR_SERVER_BUSY", "Too many requests are being processed; retry later.")
_HEX6 = re.compile(r"^[0-9A-Fa-f]{6}$")


def envelope_error(
    rid: str, status: int, code: str, code_message: str, message: str
) -> dict[str, Any]:
    """AILab's public error fields for a failure that is not a :class:`SkinError`."""
    return {
        "request_id": rid,
        "log_id": rid[:16],
        "error_code": status,
        "error_code_str": code,
        "error_msg": f"{code_message} - {message}",
        "error_detail": {
            "status_code": status,
            "code": code,
            "code_message": code_message,
            "message": message,
        },
    }


def _fail(request: Request, dialect: str, err: SkinError) -> JSONResponse:
    svc = service(request)
    svc.metrics.error(dialect, err.spec.ailab_code)
    body = svc.engine.render_error(err, dialect, request_id(request))
    return JSONResponse(body, status_code=err.http_status)


def _other(
    request: Request,
    spec: tuple[int, str, str],
    message: str,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    status, code, code_message = spec
    service(request).metrics.error("ailab", code)
    body = envelope_error(request_id(request), status, code, code_message, message)
    return JSONResponse(body, status_code=status, headers=headers)


def _csv(value: str | None, allowed: tuple[str, ...], name: str) -> list[str]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise SkinError("invalid_argument", f"{name}: unknown value(s) {bad}; allowed {allowed}")
    return items


def _flag(value: str | None, name: str) -> int:
    if value is None or value == "":
        return 0
    if value not in ("0", "1"):
        raise SkinError("invalid_argument", f"{name} must be 0 or 1; got {value!r}")
    return int(value)


def _roi_colors(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    try:
        doc = json.loads(value)
    except ValueError:
        raise SkinError("invalid_argument", "roi_outline_color must be a JSON object") from None
    if not isinstance(doc, dict):
        raise SkinError("invalid_argument", "roi_outline_color must be a JSON object")
    for k, v in doc.items():
        if k not in ROI_COLOR_KEYS:
            raise SkinError("invalid_argument", f"roi_outline_color: unknown key {k!r}")
        if not isinstance(v, str) or not _HEX6.match(v):
            raise SkinError("invalid_argument", f"roi_outline_color.{k} must be 6 hex digits")
    return {k: v.upper() for k, v in doc.items()}


async def _handle(request: Request, dialect: str, max_file: int, n_files: int) -> JSONResponse:
    svc = service(request)
    if check_key(svc.store, request.headers.get("ailabapi-api-key")) is None:
        return _other(request, AUTH_FAILED, "missing or unknown ailabapi-api-key")
    try:
        form = await forms.read_form(request, n_files * max_file + 64 * 1024, max_files=n_files)
        image = await forms.file_bytes(form, "image", max_file)
        if image is None:
            raise SkinError("invalid_argument", "image is required (a file field)")
        options: dict[str, Any] = {}
        if dialect == "ailab-pro":
            for side in ("left_side_image", "right_side_image"):
                data = await forms.file_bytes(form, side, max_file)
                if data is not None:
                    options[side] = data  # judged and its jawline measured
            options["return_side_results"] = _csv(
                forms.text(form, "return_side_results"), SIDE_RESULTS, "return_side_results"
            )
            options["return_maps"] = _csv(
                forms.text(form, "return_maps"), PRO_RETURN_MAPS, "return_maps"
            )
            options["return_marks"] = _csv(
                forms.text(form, "return_marks"), PRO_RETURN_MARKS, "return_marks"
            )
            colors = _roi_colors(forms.text(form, "roi_outline_color"))
            if colors is not None:
                options["roi_outline_color"] = colors
        else:
            options["face_quality_control"] = _flag(
                forms.text(form, "face_quality_control"), "face_quality_control"
            )
            options["return_rect_confidence"] = _flag(
                forms.text(form, "return_rect_confidence"), "return_rect_confidence"
            )
            options["return_maps"] = _csv(
                forms.text(form, "return_maps"), ADVANCED_RETURN_MAPS, "return_maps"
            )
        doc = await svc.engine.run(svc.engine.analyze_render, image, dialect, **options)
    except forms.BodyTooLarge as exc:
        return _fail(request, dialect, SkinError("file_too_large", f"limit {exc.limit} bytes"))
    except forms.BadBody as exc:
        return _fail(request, dialect, SkinError("invalid_argument", str(exc)))
    except SkinError as err:
        return _fail(request, dialect, err)
    except Busy as exc:
        return _other(request, BUSY, "analysis queue full", {"Retry-After": str(exc.retry_after_s)})
    return JSONResponse(doc)


def _form_schema(fields: dict[str, dict[str, Any]], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": fields, "required": required}
                }
            },
        },
        "parameters": [
            {
                "name": "ailabapi-api-key",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    }


_FILE = {"type": "string", "format": "binary"}
_STR = {"type": "string"}
_FLAG = {"type": "integer", "enum": [0, 1]}


@router.post(
    "/api/portrait/analysis/skin-analysis-pro",
    summary="AILabTools Skin analyze Pro",
    openapi_extra=_form_schema(
        {
            "image": _FILE,
            "left_side_image": _FILE,
            "right_side_image": _FILE,
            "return_maps": _STR,
            "return_marks": _STR,
            "roi_outline_color": _STR,
            "return_side_results": _STR,
        },
        ["image"],
    ),
)
async def skin_analysis_pro(request: Request) -> JSONResponse:
    """AILab Pro: main image (+ optional side images), up to 8 MB each."""
    return await _handle(request, "ailab-pro", 8 * MiB, 3)


@router.post(
    "/api/portrait/analysis/skin-analysis-advanced",
    summary="AILabTools Skin analyze Advanced",
    openapi_extra=_form_schema(
        {
            "image": _FILE,
            "face_quality_control": _FLAG,
            "return_rect_confidence": _FLAG,
            "return_maps": _STR,
        },
        ["image"],
    ),
)
async def skin_analysis_advanced(request: Request) -> JSONResponse:
    """AILab Advanced: one image up to 5 MB."""
    return await _handle(request, "ailab-advanced", 5 * MiB, 1)
