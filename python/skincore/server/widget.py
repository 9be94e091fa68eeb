"""Face Age skin-analysis widget (seed 000).

- ``POST /api/widget/parameters`` (multipart, urlencoded or JSON): ``callbackUrl``
  (required), ``faceAgeId`` (= API key, required), ``type``, ``showCamera``,
  ``showUpload``, ``showFacePoint``, ``access[]`` -> ``{"status": true, "data":
  {"url"}}``; a bad key -> 401 ``{"message": "Unauthenticated."}``; invalid
  fields -> 422 ``{"message", "errors"}``. The URL names a session (a random id);
  the API key never appears in it.
- ``GET /widget/{session}``: the page (camera via getUserMedia, and/or upload).
- ``POST /widget/{session}/analyze``: the photo -> the ``access`` concerns that are
  measured (and face points when ``showFacePoint``).
- ``POST /widget/{session}/done``: sends the last result and the photo to
  ``callbackUrl`` (multipart ``result`` JSON + ``photo``), signed, with retries,
  under the SSRF rules.
"""

from __future__ import annotations

import asyncio
import json
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import UploadFile

from skincore import SkinError
from skincore.server import fetch, forms, logs, webhooks
from skincore.server.engine import Busy
from skincore.server.keys import check_key
from skincore.server.service import Service, new_id, service

MiB = 1024 * 1024
MAX_PHOTO = 10 * MiB
ACCESS = (
    "dark_circle",
    "eye_bag",
    "eye_wrinkles",
    "deep_wrinkles",
    "wrinkles",
    "acnes",
    "pores",
    "pigment",
)
TYPES = ("skincare", "skincare-analyze", "skincare-analyzer")
router = APIRouter(tags=["widget"])


def _bool(value: Any, name: str, errors: dict[str, list[str]]) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1"):
        return True
    if str(value).lower() in ("false", "0"):
        return False
    errors.setdefault(name, []).append(f"The {name} field must be true or false.")
    return True


def _access(doc: dict[str, Any], keys: list[str]) -> list[Any]:
    items: list[Any] = []
    if isinstance(doc.get("access"), list):
        items += doc["access"]
    indexed = sorted(
        (k for k in keys if k.startswith("access[") and k.endswith("]")),
        key=lambda k: (len(k), k),
    )
    items += [doc[k] for k in indexed]
    return items


async def _params(request: Request) -> tuple[dict[str, Any], list[str]]:
    if forms.content_type(request) == "application/json":
        body = await forms.read_json(request, 64 * 1024)
        if not isinstance(body, dict):
            raise forms.BadBody("JSON body must be an object")
        return body, list(body)
    form = await forms.read_form(request, 64 * 1024, max_files=0)
    doc: dict[str, Any] = {}
    keys: list[str] = []
    for k, v in form.multi_items():
        if isinstance(v, UploadFile):
            raise forms.BadBody(f"{k} must be a text field")
        if k in ("access[]", "access"):
            doc.setdefault("access", []).append(v)
        else:
            doc[k] = v
            keys.append(k)
    return doc, keys


@router.post(
    "/api/widget/parameters",
    summary="Face Age widget: set parameters",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                ct: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "callbackUrl": {"type": "string"},
                            "faceAgeId": {"type": "string"},
                            "type": {"type": "string", "enum": list(TYPES)},
                            "showCamera": {"type": "string"},
                            "showUpload": {"type": "string"},
                            "showFacePoint": {"type": "string"},
                        },
                        "required": ["callbackUrl", "faceAgeId"],
                    }
                }
                for ct in ("multipart/form-data", "application/x-www-form-urlencoded")
            },
        }
    },
)
async def set_parameters(request: Request) -> JSONResponse:
    """Create a widget session and return its URL."""
    svc = service(request)
    try:
        doc, keys = await _params(request)
    except (forms.BadBody, forms.BodyTooLarge) as exc:
        return JSONResponse({"message": str(exc), "errors": {}}, status_code=422)
    key_hash = check_key(
        svc.store, doc.get("faceAgeId") if isinstance(doc.get("faceAgeId"), str) else None
    )
    if key_hash is None:
        svc.metrics.error("widget", "Unauthenticated")
        return JSONResponse({"message": "Unauthenticated."}, status_code=401)
    errors: dict[str, list[str]] = {}
    callback = doc.get("callbackUrl", doc.get("callBackUrl"))
    if not isinstance(callback, str) or not callback:
        errors["callbackUrl"] = ["The callback url field is required."]
    else:
        try:
            await fetch.check_url(
                callback, allow_private=svc.settings.allow_private_urls, resolve=False
            )
        except fetch.FetchRefused as exc:
            errors["callbackUrl"] = [f"The callback url is not allowed: {exc}"]
    wtype = doc.get("type") or "skincare-analyze"
    if wtype not in TYPES:
        errors["type"] = [f"The type must be one of {', '.join(TYPES)}."]
    flags = {k: _bool(doc.get(k), k, errors) for k in ("showCamera", "showUpload", "showFacePoint")}
    access = _access(doc, keys)
    bad = [a for a in access if a not in ACCESS]
    if bad:
        errors["access"] = [f"Unknown access value(s) {bad}; allowed {list(ACCESS)}."]
    if errors:
        svc.metrics.error("widget", "ValidationError")
        return JSONResponse(
            {"message": "The given data was invalid.", "errors": errors}, status_code=422
        )
    params = {
        "callbackUrl": callback,
        "type": wtype,
        **flags,
        "access": list(dict.fromkeys(access)) or list(ACCESS),
    }
    sid = new_id()
    await asyncio.to_thread(svc.store.add_widget_session, sid, key_hash, params)
    return JSONResponse({"status": True, "data": {"url": svc.url(f"/widget/{sid}")}})


async def _session(svc: Service, sid: str) -> dict[str, Any] | None:
    if not sid.isalnum() or len(sid) > 64:
        return None
    return await asyncio.to_thread(svc.store.get_widget_session, sid)


def _not_found() -> JSONResponse:
    return JSONResponse({"message": "Not found."}, status_code=404)


@router.get("/widget/{sid}", response_class=HTMLResponse, include_in_schema=False)
async def page(sid: str, request: Request) -> HTMLResponse:
    """Serve the widget page of a session."""
    svc = service(request)
    sess = await _session(svc, sid)
    if sess is None:
        return HTMLResponse("<h1>Not found</h1>", status_code=404)
    p = sess["params"]
    config = {
        "session": sid,
        "type": p["type"],
        "showCamera": p["showCamera"],
        "showUpload": p["showUpload"],
        "showFacePoint": p["showFacePoint"],
        "access": p["access"],
    }
    html = (files("skincore.server") / "static" / "widget.html").read_text(encoding="utf-8")
    blob = json.dumps(config).replace("<", "\\u003c")
    return HTMLResponse(
        html.replace("__CONFIG__", blob),
        headers={
            "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src 'self' blob:",
            "Cache-Control": "no-store",
        },
    )


def widget_result(native: dict[str, Any], access: list[str], points: bool) -> dict[str, Any]:
    """Select the ``access`` concerns that are measured from the native result (largest face).

    ``wrinkles``: every wrinkle score; ``eye_wrinkles``: the periocular and
    crow's-feet wrinkle scores; ``pores``: pore scores and pore/blackhead counts.
    The other ``access`` values (dark circles, eye bags, deep wrinkles as a
    separate class, acne, pigment) are not measured yet and are absent.
    """
    face = native["faces"][0]
    scores = face.get("scores") or {}
    out: dict[str, Any] = {}
    concerns = face.get("concerns") or {}
    if "wrinkles" in access and "wrinkles" in scores:
        out["wrinkles"] = scores["wrinkles"]
    if "eye_wrinkles" in access and "wrinkles" in scores:
        sub = {k: v for k, v in scores["wrinkles"].items() if k in ("periocular", "crowfeet")}
        if sub:
            out["eye_wrinkles"] = sub
    if "pores" in access and "pores" in scores:
        item: dict[str, Any] = {"scores": scores["pores"]}
        if concerns.get("pores"):
            item["pore_count"] = len(concerns["pores"]["blobs"])
        if concerns.get("blackheads"):
            item["blackhead_count"] = concerns["blackheads"]["count"]
        out["pores"] = item
    doc: dict[str, Any] = {
        "image": {"width": native["width"], "height": native["height"]},
        "face_rectangle": face["geometry"]["box"],
        "results": out,
    }
    if points:
        doc["face_points"] = face["geometry"]["landmarks"]
    return doc


@router.post("/widget/{sid}/analyze", include_in_schema=False)
async def analyze(sid: str, request: Request) -> JSONResponse:
    """Analyse the photo taken or uploaded in the page."""
    svc = service(request)
    sess = await _session(svc, sid)
    if sess is None:
        return _not_found()
    p = sess["params"]
    try:
        form = await forms.read_form(request, MAX_PHOTO + 64 * 1024, max_files=1)
        photo = await forms.file_bytes(form, "image", MAX_PHOTO)
        if photo is None:
            raise SkinError("invalid_argument", "image is required")
        native = await svc.engine.run(svc.engine.analyze_render, photo, "skincore")
    except forms.BodyTooLarge:
        return JSONResponse({"message": "The photo is too large.", "code": "file_too_large"}, 413)
    except forms.BadBody as exc:
        return JSONResponse({"message": str(exc), "code": "invalid_argument"}, 400)
    except SkinError as err:
        svc.metrics.error("widget", err.code)
        return JSONResponse({"message": err.detail, "code": err.code}, status_code=err.http_status)
    except Busy as exc:
        return JSONResponse(
            {"message": "Busy, retry.", "code": "busy"},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after_s)},
        )
    doc = widget_result(native, p["access"], p["showFacePoint"])
    out_dir = svc.results_dir / sid
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "photo").write_bytes(photo)
    (out_dir / "result.json").write_text(json.dumps(doc))
    show = p["type"] != "skincare"
    return JSONResponse({"status": True, "data": doc if show else {}})


@router.post("/widget/{sid}/done", include_in_schema=False)
async def done(sid: str, request: Request) -> JSONResponse:
    """Send the last result and photo to the session's callback URL."""
    svc = service(request)
    sess = await _session(svc, sid)
    if sess is None:
        return _not_found()
    out_dir = svc.results_dir / sid
    if not (out_dir / "result.json").is_file():
        return JSONResponse({"message": "Analyse a photo first."}, status_code=409)
    result = (out_dir / "result.json").read_bytes()
    photo = (out_dir / "photo").read_bytes()
    boundary = new_id()
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="result"\r\n',
            b"Content-Type: application/json\r\n\r\n",
            result,
            f"\r\n--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="photo"; filename="photo.jpg"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            photo,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    url = sess["params"]["callbackUrl"]
    task = asyncio.ensure_future(
        webhooks.deliver(
            svc, url, body, f"multipart/form-data; boundary={boundary}", kind="callback"
        )
    )
    request.app.state.tasks.track(task)
    logs.event("widget_done", session=sid[:8])
    return JSONResponse({"status": True})
