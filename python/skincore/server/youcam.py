"""YouCam AI Skin Analysis v2.0 / v2.1: file -> pre-signed PUT -> task -> poll -> ZIP.

- ``POST /s2s/{v}/file/skin-analysis``: announce files, get ``file_id`` and a
  pre-signed ``PUT`` URL served here (HMAC-signed, expiring).
- ``PUT /s2s/upload/{file_id}?expires=..&sig=..``: the upload (size checked while
  streaming against the announced ``file_size``, at most 10 MB).
- ``POST /s2s/{v}/task/skin-analysis``: ``src_file_id`` or ``src_file_url``,
  ``dst_actions`` (all SD or all HD), ``miniserver_args``, ``format`` -> ``task_id``.
  The task is stored before its id is returned and survives a restart.
- ``GET /s2s/{v}/task/skin-analysis/{task_id}``: ``running`` (+ ``polling_interval``
  ms), ``success`` (the ``youcam-sd``/``youcam-hd`` dialect's output for the asked
  actions that are measured, ``mask_urls``, and ``results.url``: the ZIP with
  ``skinanalysisResult/score_info.json`` and the masks) or ``error``.
- Results, masks and the source image are deleted 24 h after creation.

Bearer auth. Errors: ``{"status", "error", "error_code"}`` (``InvalidParameters``
for a mix of HD and SD or an unknown ``dst_action``, as documented).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from skincore import SkinError
from skincore.server import fetch, forms, logs
from skincore.server.keys import bearer, check_key
from skincore.server.service import Service, new_id, service
from skincore.server.signing import check, sign

MiB = 1024 * 1024
MAX_FILE = 10 * MiB
VERSIONS = ("v2.0", "v2.1")
CONTENT_TYPES = ("image/jpeg", "image/jpg", "image/png")
SD_ACTIONS = (
    "wrinkle",
    "droopy_upper_eyelid",
    "droopy_lower_eyelid",
    "firmness",
    "acne",
    "moisture",
    "eye_bag",
    "dark_circle_v2",
    "age_spot",
    "radiance",
    "redness",
    "oiliness",
    "pore",
    "texture",
    "tear_trough",
    "skin_type",
)
HD_ACTIONS = tuple(
    "hd_" + a
    for a in (
        "redness",
        "oiliness",
        "age_spot",
        "radiance",
        "moisture",
        "dark_circle",
        "eye_bag",
        "droopy_upper_eyelid",
        "droopy_lower_eyelid",
        "firmness",
        "texture",
        "acne",
        "pore",
        "wrinkle",
        "tear_trough",
        "skin_type",
    )
)
FORMATS = ("json", "zip")
router = APIRouter(tags=["YouCam"])


def _err(status: int, error: str, code: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"status": status, "error": error, "error_code": code},
        status_code=status,
        headers=headers or None,
    )


def _auth(request: Request) -> str | None:
    return check_key(service(request).store, bearer(request.headers.get("authorization")))


def _unauthorized(request: Request) -> JSONResponse:
    service(request).metrics.error("youcam", "Unauthorized")
    return _err(401, "Unauthenticated.", "Unauthorized")


def _invalid(request: Request, message: str) -> JSONResponse:
    service(request).metrics.error("youcam", "InvalidParameters")
    return _err(400, message, "InvalidParameters")


def _limits(version: str) -> dict[str, Any]:
    # v2.1 "expands the maximum skincare input resolution from 1920 to 4096"
    return {"max_side": 1920, "max_pixels": 1920 * 1920} if version == "v2.0" else {}


def _results_base(svc: Service, task_id: str, created: float) -> str:
    expires = int(created + svc.settings.retention_s)
    sig = sign(svc.secret, "results", task_id, expires)
    return svc.url(f"/s2s/results/{task_id}/{expires}/{sig}")


_JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "parameters": [{"name": "Authorization", "in": "header", "schema": {"type": "string"}}],
}


async def _json_request(request: Request, version: str) -> tuple[str, Any] | JSONResponse:
    """Authenticate, check the API version and read the JSON body (or the error response)."""
    key_hash = _auth(request)
    if key_hash is None:
        return _unauthorized(request)
    if version not in VERSIONS:
        return _err(404, f"unknown API version {version}", "NotFound")
    try:
        doc = await forms.read_json(request, 64 * 1024)
    except (forms.BadBody, forms.BodyTooLarge) as exc:
        return _invalid(request, str(exc))
    return key_hash, doc


@router.post("/s2s/{version}/file/skin-analysis", openapi_extra=_JSON_BODY)
async def create_file(version: str, request: Request) -> JSONResponse:
    """File API: register files and hand out pre-signed upload URLs."""
    svc = service(request)
    started = await _json_request(request, version)
    if isinstance(started, JSONResponse):
        return started
    key_hash, doc = started
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list) or not 1 <= len(files) <= 10:
        return _invalid(request, "files must be a list of 1-10 file descriptions")
    out = []
    for f in files:
        if not isinstance(f, dict):
            return _invalid(request, "each file must be an object")
        ctype, name, size = f.get("content_type"), f.get("file_name"), f.get("file_size")
        if ctype not in CONTENT_TYPES:
            return _invalid(request, f"content_type must be one of {CONTENT_TYPES}")
        if not isinstance(name, str) or not 0 < len(name) <= 255:
            return _invalid(request, "file_name must be a string of 1-255 characters")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size < MAX_FILE:
            return _invalid(request, f"file_size must be an integer in 1..{MAX_FILE - 1}")
        file_id = new_id()
        await asyncio.to_thread(svc.store.add_file, file_id, key_hash, version, ctype, name, size)
        expires = int(time.time()) + svc.settings.upload_url_ttl_s
        sig = sign(svc.secret, "upload", file_id, expires)
        out.append(
            {
                "content_type": ctype,
                "file_name": name,
                "file_id": file_id,
                "requests": [
                    {
                        "method": "PUT",
                        "url": svc.url(f"/s2s/upload/{file_id}?expires={expires}&sig={sig}"),
                        "headers": {"Content-Length": str(size), "Content-Type": ctype},
                    }
                ],
            }
        )
    return JSONResponse({"status": 200, "data": {"files": out}})


@router.put(
    "/s2s/upload/{file_id}",
    openapi_extra={
        "requestBody": {
            "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}
        }
    },
)
async def upload(file_id: str, request: Request, expires: str = "", sig: str = "") -> Response:
    """Pre-signed upload target (no API key: the signature is the credential)."""
    svc = service(request)
    if not check(svc.secret, "upload", file_id, expires, sig):
        return _err(403, "signature invalid or expired", "AccessDenied")
    row = await asyncio.to_thread(svc.store.get_file, file_id)
    if row is None:
        return _err(404, "unknown file", "NotFound")
    limit = int(row["file_size"])
    path = svc.files_dir / file_id
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    size = 0
    try:
        with open(tmp, "wb") as out:
            async for chunk in forms.limited_stream(request, limit):
                out.write(chunk)
                size += len(chunk)
    except forms.BodyTooLarge:
        tmp.unlink(missing_ok=True)
        return _err(413, f"body larger than the announced file_size {limit}", "EntityTooLarge")
    if size == 0:
        tmp.unlink(missing_ok=True)
        return _invalid(request, "empty upload")
    os.replace(tmp, path)
    await asyncio.to_thread(svc.store.mark_uploaded, file_id, size)
    return Response(status_code=200)


def _check_actions(actions: Any) -> tuple[list[str], bool] | str:
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        return "dst_actions must be a non-empty list of strings"
    for a in actions:
        if a not in SD_ACTIONS and a not in HD_ACTIONS:
            return f"Not available dst_action {a}"
    hd = [a in HD_ACTIONS for a in actions]
    if any(hd) and not all(hd):
        return "cannot mix HD and SD dst_actions"
    return list(dict.fromkeys(actions)), all(hd)


@router.post("/s2s/{version}/task/skin-analysis", openapi_extra=_JSON_BODY)
async def create_task(version: str, request: Request) -> JSONResponse:
    """AI Task API: start a skin analysis of an uploaded file or a URL."""
    svc = service(request)
    started = await _json_request(request, version)
    if isinstance(started, JSONResponse):
        return started
    key_hash, doc = started
    if not isinstance(doc, dict):
        return _invalid(request, "body must be a JSON object")
    checked = _check_actions(doc.get("dst_actions"))
    if isinstance(checked, str):
        return _invalid(request, checked)
    actions, hd = checked
    fmt = doc.get("format", "json")
    if fmt not in FORMATS:
        return _invalid(request, f"format must be one of {FORMATS}")
    margs = doc.get("miniserver_args", {})
    if not isinstance(margs, dict):
        return _invalid(request, "miniserver_args must be an object")
    overlay = margs.get("enable_mask_overlay", False)
    if not isinstance(overlay, bool):
        return _invalid(request, "miniserver_args.enable_mask_overlay must be a boolean")
    if svc.engine.pending >= svc.engine.capacity:
        svc.metrics.error("youcam", "TooManyRequests")
        return _err(
            429,
            "too many tasks running",
            "TooManyRequests",
            **{"Retry-After": str(svc.settings.retry_after_s)},
        )
    file_id, url = doc.get("src_file_id"), doc.get("src_file_url")
    if isinstance(file_id, str) and file_id:
        row = await asyncio.to_thread(svc.store.get_file, file_id)
        if row is None or row["key_hash"] != key_hash or not (svc.files_dir / file_id).exists():
            return _err(404, "src_file_id not found or not uploaded", "InvalidFileId")
    elif isinstance(url, str) and url:
        try:
            data = await fetch.fetch_image(
                url,
                max_bytes=MAX_FILE,
                timeout_s=svc.settings.fetch_timeout_s,
                allow_private=svc.settings.allow_private_urls,
            )
        except fetch.FetchRefused as exc:
            return _invalid(request, f"src_file_url refused: {exc}")
        file_id = new_id()
        svc.files_dir.mkdir(parents=True, exist_ok=True)
        (svc.files_dir / file_id).write_bytes(data)
        await asyncio.to_thread(
            svc.store.add_file, file_id, key_hash, version, "image/jpeg", "src_file_url", len(data)
        )
        await asyncio.to_thread(svc.store.mark_uploaded, file_id, len(data))
    else:
        return _invalid(request, "give src_file_id or src_file_url")
    task_id = new_id()
    request_doc = {
        "file_id": file_id,
        "dst_actions": actions,
        "hd": hd,
        "format": fmt,
        "enable_mask_overlay": overlay,
    }
    await asyncio.to_thread(svc.store.add_task, task_id, key_hash, version, request_doc)
    request.app.state.tasks.start(task_id, force=True)
    logs.event("task_accepted", task_id=task_id, hd=hd, actions=len(actions))
    return JSONResponse(
        {
            "status": 200,
            "data": {"task_id": task_id, "polling_interval": svc.settings.polling_interval_ms},
        }
    )


def run_task(svc: Service, task_id: str) -> None:
    """Run one stored task to its outcome (called in the engine's pool)."""
    task = svc.store.get_task(task_id)
    if task is None or task["status"] != "running":
        return
    req = task["request"]
    dialect = "youcam-hd" if req["hd"] else "youcam-sd"
    try:
        image = (svc.files_dir / req["file_id"]).read_bytes()
    except OSError:
        err = SkinError("invalid_argument", "source file no longer available")
        svc.store.finish_task(task_id, error=svc.engine.render_error(err, dialect))
        return
    try:
        analysis, rgb = svc.engine.decode_analyze(image, dialect, **_limits(task["version"]))
        files = svc.engine.youcam_files(
            analysis, hd=req["hd"], image=rgb, overlay=bool(req.get("enable_mask_overlay"))
        )
        out_dir = svc.results_dir / task_id
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (out_dir / name).write_bytes(data)
        (out_dir / "skinanalysisResult.zip").write_bytes(svc.engine.youcam_zip(files))
        base = _results_base(svc, task_id, task["created"])
        doc = svc.engine.render(analysis, dialect, mask_base_url=base)
    except SkinError as err:
        svc.store.finish_task(task_id, error=svc.engine.render_error(err, dialect))
        return
    except Exception as exc:  # a bug: record it, never leave the task running forever
        logs.LOGGER.exception("task_failed", extra={"fields": {"task_id": task_id}})
        failure = SkinError("internal_error", type(exc).__name__)
        svc.store.finish_task(task_id, error=svc.engine.render_error(failure, dialect))
        return
    wanted = set(req["dst_actions"])
    results = doc["data"]["results"]
    results["output"] = [o for o in results["output"] if o["type"] in wanted]
    results["url"] = f"{base}/skinanalysisResult.zip"
    svc.store.finish_task(task_id, result=doc, error=None)


@router.get(
    "/s2s/{version}/task/skin-analysis/{task_id}",
    openapi_extra={
        "parameters": [{"name": "Authorization", "in": "header", "schema": {"type": "string"}}]
    },
)
async def get_task(version: str, task_id: str, request: Request) -> JSONResponse:
    """Poll a task: ``running``, ``success`` with results, or ``error``."""
    svc = service(request)
    key_hash = _auth(request)
    if key_hash is None:
        return _unauthorized(request)
    task = await asyncio.to_thread(svc.store.get_task, task_id)
    if task is None or task["key_hash"] != key_hash or task["version"] != version:
        return _err(404, "task not found or expired", "InvalidTaskId")
    if task["status"] == "running":
        return JSONResponse(
            {
                "status": 200,
                "data": {
                    "task_status": "running",
                    "polling_interval": svc.settings.polling_interval_ms,
                },
            }
        )
    if task["status"] == "success":
        return JSONResponse(task["result"])
    err = task["error"] or {}
    return JSONResponse(
        {
            "status": 200,
            "data": {
                "task_status": "error",
                "error": err.get("error_code", "error_internal"),
                "error_message": err.get("error", ""),
            },
        }
    )


@router.get("/s2s/results/{task_id}/{expires}/{sig}/{name}", include_in_schema=False)
async def result_file(
    task_id: str, expires: str, sig: str, name: str, request: Request
) -> Response:
    """Serve a result mask or the ZIP under a signed, expiring URL."""
    svc = service(request)
    if not check(svc.secret, "results", task_id, expires, sig):
        return _err(403, "signature invalid or expired", "AccessDenied")
    if "/" in name or name.startswith(".") or not name.endswith((".png", ".zip", ".json")):
        return _err(404, "not found", "NotFound")
    path = svc.results_dir / task_id / name
    if not path.is_file():
        return _err(404, "not found", "NotFound")
    media = {"png": "image/png", "zip": "application/zip", "json": "application/json"}
    return FileResponse(path, media_type=media[name.rsplit(".", 1)[1]])
