"""Face Age widget: set-parameters, page, analyze, Done -> signed callback; headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

import skincore
from server.conftest import LiveServer, make_key
from server.localhttp import Receiver
from skincore.server.app import create_app
from skincore.server.signing import SIGNATURE_HEADER, verify_body

P = "/api/widget/parameters"


def _multipart_field(body: bytes, name: str) -> bytes:
    marker = f'name="{name}"'.encode()
    start = body.index(marker)
    start = body.index(b"\r\n\r\n", start) + 4
    end = body.index(b"\r\n--", start)
    return body[start:end]


def test_set_parameters(client, api_key):
    form = {
        "callbackUrl": "https://example.com/cb",
        "faceAgeId": api_key,
        "type": "skincare-analyzer",
        "showCamera": "false",
        "showUpload": "true",
        "showFacePoint": "false",
        "access[0]": "pores",
        "access[1]": "wrinkles",
    }
    r = client.post(P, data=form, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] is True and body["data"]["url"].startswith("http://testserver/widget/")
    assert api_key not in body["data"]["url"]
    page = client.get(urlsplit(body["data"]["url"]).path)
    assert page.status_code == 200 and "getUserMedia" in page.text
    assert '"access": ["pores", "wrinkles"]' in page.text and '"showCamera": false' in page.text
    # multipart works the same
    r = client.post(P, files={k: (None, v) for k, v in form.items()})
    assert r.status_code == 200, r.text


def test_set_parameters_errors(client, api_key):
    r = client.post(P, data={"callbackUrl": "https://example.com/cb", "faceAgeId": "wrong"})
    assert r.status_code == 401 and r.json() == {"message": "Unauthenticated."}
    r = client.post(P, data={"callbackUrl": "https://example.com/cb"})
    assert r.status_code == 401
    r = client.post(P, data={"faceAgeId": api_key, "callbackUrl": "http://169.254.169.254/x"})
    assert r.status_code == 422 and "callbackUrl" in r.json()["errors"]
    r = client.post(P, data={"faceAgeId": api_key})
    assert r.status_code == 422 and "callbackUrl" in r.json()["errors"]
    r = client.post(
        P, data={"faceAgeId": api_key, "callbackUrl": "https://example.com/", "access[0]": "nose"}
    )
    assert r.status_code == 422 and "access" in r.json()["errors"]
    r = client.post(
        P, data={"faceAgeId": api_key, "callbackUrl": "https://example.com/", "showCamera": "maybe"}
    )
    assert r.status_code == 422 and "showCamera" in r.json()["errors"]
    assert client.get("/widget/0123abc").status_code == 404
    assert client.post("/widget/0123abc/done").status_code == 404


def test_analyze_and_done_callback(settings, api_key, sample_bytes):
    with Receiver(sample_bytes, fail_first=2) as rx:
        s = replace(settings, allow_private_urls=True, callback_backoff_s=0.05)
        with TestClient(create_app(s)) as c:
            r = c.post(
                P,
                data={
                    "callbackUrl": rx.url + "/cb",
                    "faceAgeId": api_key,
                    "access[0]": "pores",
                    "access[1]": "dark_circle",
                    "showFacePoint": "true",
                },
            )
            path = urlsplit(r.json()["data"]["url"]).path
            assert c.post(path + "/done").status_code == 409
            r = c.post(path + "/analyze", files={"image": ("a.jpg", sample_bytes, "image/jpeg")})
            assert r.status_code == 200, r.text
            data = r.json()["data"]
            assert set(data["results"]) == {"pores"}  # dark circles are not measured: absent
            assert len(data["face_points"]) == 478
            r = c.post(path + "/analyze", files={"image": ("a.jpg", b"garbage", "image/jpeg")})
            assert r.status_code in (415, 422) and r.json()["code"]
            assert c.post(path + "/done").status_code == 200
            for _ in range(200):  # the receiver fails twice (503), then accepts
                if rx.posts:
                    break
                time.sleep(0.05)
    assert len(rx.posts) == 1
    p, headers, body = rx.posts[0]
    assert p == "/cb"
    assert verify_body(s.secret(), body, headers[SIGNATURE_HEADER])
    assert _multipart_field(body, "photo") == sample_bytes
    assert set(json.loads(_multipart_field(body, "result"))["results"]) == {"pores"}


CHROMIUM = os.environ.get("SKINCORE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed")
def test_widget_in_headless_chromium(tmp_path, sample_bytes):
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    data = tmp_path / "data"
    key = make_key(data)
    server = LiveServer(data, "--allow-private-urls")
    server.start()
    try:
        with Receiver(sample_bytes) as rx:
            r = httpx.post(
                server.url + P,
                data={
                    "callbackUrl": rx.url + "/cb",
                    "faceAgeId": key,
                    "type": "skincare-analyze",
                    "showCamera": "true",
                    "showUpload": "true",
                    "showFacePoint": "true",
                    "access[0]": "pores",
                    "access[1]": "wrinkles",
                },
            )
            url = r.json()["data"]["url"]
            with sync_api.sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--use-fake-device-for-media-stream",
                        "--use-fake-ui-for-media-stream",
                    ],
                )
                try:
                    page = browser.new_page()
                    page.goto(url)
                    page.set_input_files("#upload", skincore.sample_path())
                    page.wait_for_selector("#results li", timeout=60_000)
                    shown = page.eval_on_selector_all(
                        "#results li", "els => els.map(e => e.dataset.concern)"
                    )
                    assert sorted(shown) == ["pores", "wrinkles"]
                    assert page.is_visible("#canvas")
                    page.click("#done")
                    expect(page.locator("#status")).to_have_text("Sent.")
                    # the camera path: Chromium's fake camera (no face in it) -> a shown error
                    page.goto(url)
                    page.click("#camera-open")
                    page.wait_for_selector("#camera-shoot:not(.hidden)")
                    for _ in range(100):  # bounded wait for the fake camera's first frame
                        if page.evaluate("() => document.getElementById('video').videoWidth") > 0:
                            break
                        page.wait_for_timeout(100)
                    page.click("#camera-shoot")
                    expect(page.locator("#error")).to_have_text(
                        re.compile("face", re.I), timeout=60_000
                    )
                finally:
                    browser.close()
            for _ in range(200):
                if rx.posts:
                    break
                time.sleep(0.05)
            _p, headers, body = rx.posts[0]
            assert verify_body(
                server.data_dir.joinpath("secret").read_text()
                and bytes.fromhex(server.data_dir.joinpath("secret").read_text().strip()),
                body,
                headers[SIGNATURE_HEADER],
            )
            assert _multipart_field(body, "photo") == sample_bytes
    finally:
        server.stop()
