"""YouCam flow over HTTP: file -> pre-signed PUT -> task -> poll -> masks and ZIP."""

from __future__ import annotations

import io
import json
import time
import zipfile
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from server.localhttp import Receiver
from skincore.server.app import create_app
from skincore.server.signing import SIGNATURE_HEADER, verify_body
from skincore.server.tasks import expire_once


def _auth(key):
    return {"Authorization": f"Bearer {key}"}


def _upload(client, key, data, version="v2.1"):
    r = client.post(
        f"/s2s/{version}/file/skin-analysis",
        headers=_auth(key),
        json={
            "files": [{"content_type": "image/jpeg", "file_name": "a.jpg", "file_size": len(data)}]
        },
    )
    assert r.status_code == 200, r.text
    f = r.json()["data"]["files"][0]
    req = f["requests"][0]
    assert req["method"] == "PUT" and req["headers"]["Content-Length"] == str(len(data))
    u = urlsplit(req["url"])
    r = client.put(f"{u.path}?{u.query}", content=data, headers=req["headers"])
    assert r.status_code == 200, r.text
    return f["file_id"], req["url"]


def _poll(client, key, task_id, version="v2.1", limit=600):
    for _ in range(limit):  # bounded: at most 600 x 0.1 s
        r = client.get(f"/s2s/{version}/task/skin-analysis/{task_id}", headers=_auth(key))
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        if data["task_status"] != "running":
            return r.json()
        assert data["polling_interval"] > 0
        time.sleep(0.1)
    raise AssertionError("task did not finish")


def _path(url):
    u = urlsplit(url)
    return u.path + (f"?{u.query}" if u.query else "")


@pytest.mark.parametrize(
    ("version", "actions", "hd"),
    [
        ("v2.1", ["hd_pore", "hd_wrinkle", "hd_texture", "hd_acne", "hd_firmness"], True),
        ("v2.0", ["pore", "wrinkle", "texture"], False),
    ],
)
def test_full_flow(client, api_key, sample_bytes, version, actions, hd):
    file_id, _ = _upload(client, api_key, sample_bytes, version)
    r = client.post(
        f"/s2s/{version}/task/skin-analysis",
        headers=_auth(api_key),
        json={
            "src_file_id": file_id,
            "dst_actions": actions,
            "miniserver_args": {"enable_mask_overlay": False},
            "format": "zip",
        },
    )
    assert r.status_code == 200, r.text
    task_id = r.json()["data"]["task_id"]
    doc = _poll(client, api_key, task_id, version)
    assert doc["status"] == 200 and doc["data"]["task_status"] == "success"
    out = doc["data"]["results"]["output"]
    types = {o["type"] for o in out}
    assert types <= set(actions)
    assert types == set(actions)  # every requested concern is measured and reported
    for o in out:
        assert 1 <= o["ui_score"] <= 100
        for url in o["mask_urls"]:
            m = client.get(_path(url))
            assert m.status_code == 200 and m.content[:8] == b"\x89PNG\r\n\x1a\n"
    z = client.get(_path(doc["data"]["results"]["url"]))
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        names = zf.namelist()
        info = json.loads(zf.read("skinanalysisResult/score_info.json"))
    assert all(n.startswith("skinanalysisResult/") for n in names)
    assert isinstance(info.pop("skin_age"), int)  # an integer, as the document shows
    assert 1 <= info.pop("all")["score"] <= 100
    for concern in info.values():
        # HD concerns with sub-categories nest them; the others are flat (as documented)
        entries = [concern] if "output_mask_name" in concern else concern.values()
        for e in entries:
            assert f"skinanalysisResult/{e['output_mask_name']}" in names
    # a tampered result URL is refused
    bad = _path(doc["data"]["results"]["url"]).replace(
        "/skinanalysisResult.zip", "x/skinanalysisResult.zip"
    )
    assert client.get(bad).status_code in (403, 404)


def test_errors(client, api_key, sample_bytes):
    h = _auth(api_key)
    assert client.post("/s2s/v2.1/task/skin-analysis", json={}).status_code == 401
    assert (
        client.post("/s2s/v2.1/task/skin-analysis", headers=_auth("nope"), json={}).status_code
        == 401
    )
    r = client.post(
        "/s2s/v2.0/task/skin-analysis",
        headers=h,
        json={"src_file_id": "x", "dst_actions": ["hd_pore", "pore"]},
    )
    assert r.status_code == 400
    assert r.json() == {
        "status": 400,
        "error": "cannot mix HD and SD dst_actions",
        "error_code": "InvalidParameters",
    }
    r = client.post(
        "/s2s/v2.0/task/skin-analysis",
        headers=h,
        json={"src_file_id": "x", "dst_actions": ["abc123"]},
    )
    assert r.json() == {
        "status": 400,
        "error": "Not available dst_action abc123",
        "error_code": "InvalidParameters",
    }
    r = client.post(
        "/s2s/v2.0/task/skin-analysis",
        headers=h,
        json={"src_file_id": "x", "dst_actions": ["pore"]},
    )
    assert r.status_code == 404 and r.json()["error_code"] == "InvalidFileId"
    r = client.get("/s2s/v2.0/task/skin-analysis/unknown", headers=h)
    assert r.status_code == 404 and r.json()["error_code"] == "InvalidTaskId"
    r = client.post(
        "/s2s/v2.1/file/skin-analysis",
        headers=h,
        json={"files": [{"content_type": "image/gif", "file_name": "a.gif", "file_size": 10}]},
    )
    assert r.status_code == 400
    r = client.post(
        "/s2s/v2.1/file/skin-analysis",
        headers=h,
        json={
            "files": [
                {"content_type": "image/jpeg", "file_name": "a.jpg", "file_size": 10 * 1024 * 1024}
            ]
        },
    )
    assert r.status_code == 400
    # pre-signed PUT: wrong signature, expired, larger than announced
    file_id, url = _upload(client, api_key, sample_bytes)
    u = urlsplit(url)
    assert client.put(u.path + "?expires=9999999999&sig=00", content=b"x").status_code == 403
    assert client.put(u.path + "?expires=1&sig=00", content=b"x").status_code == 403
    r = client.put(f"{u.path}?{u.query}", content=sample_bytes + b"extra")
    assert r.status_code == 413
    # an image the engine refuses ends the task in error (not a crash)
    small_id, _ = _upload(client, api_key, b"\xff\xd8\xff\xe0 not a jpeg")
    r = client.post(
        "/s2s/v2.1/task/skin-analysis",
        headers=h,
        json={"src_file_id": small_id, "dst_actions": ["pore"]},
    )
    doc = _poll(client, api_key, r.json()["data"]["task_id"])
    assert doc["data"]["task_status"] == "error"
    assert doc["data"]["error"] in ("error_corrupt_image", "error_unsupported_format")


def test_retention_and_webhook(settings, api_key, sample_bytes):
    with Receiver(sample_bytes) as rx:
        s = replace(
            settings, webhook_url=rx.url + "/hook", allow_private_urls=True, callback_backoff_s=0.05
        )
        with TestClient(create_app(s)) as client:
            file_id, _ = _upload(client, api_key, sample_bytes)
            r = client.post(
                "/s2s/v2.1/task/skin-analysis",
                headers=_auth(api_key),
                json={"src_file_url": rx.url + "/face.jpg", "dst_actions": ["pore"]},
            )
            task_id = r.json()["data"]["task_id"]
            assert _poll(client, api_key, task_id)["data"]["task_status"] == "success"
            for _ in range(100):
                if rx.posts:
                    break
                time.sleep(0.05)
            path, headers, body = rx.posts[0]
            assert path == "/hook"
            assert json.loads(body) == {
                "task_id": task_id,
                "task_status": "success",
                "timestamp": json.loads(body)["timestamp"],
            }
            secret = s.secret()
            assert verify_body(secret, body, headers[SIGNATURE_HEADER])
            assert not verify_body(secret, body + b" ", headers[SIGNATURE_HEADER])
            svc = client.app.state.service
            assert (svc.results_dir / task_id).is_dir() and (svc.files_dir / file_id).is_file()
            assert expire_once(svc, now=time.time() + 25 * 3600) >= 2
            assert (
                not (svc.results_dir / task_id).exists() and not (svc.files_dir / file_id).exists()
            )
            r = client.get(f"/s2s/v2.1/task/skin-analysis/{task_id}", headers=_auth(api_key))
            assert r.status_code == 404
