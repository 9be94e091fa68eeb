"""face_field route: inputs (file, base64, url), field selection, SSRF rules."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from server.localhttp import Receiver
from skincore.server import fetch
from skincore.server.app import create_app

PATH = "/face/v1/skin-analysis"


def _auth(key):
    return {"Authorization": f"Bearer {key}"}


def test_default_fields_and_selection(client, api_key, sample_bytes):
    r = client.post(PATH, headers=_auth(api_key), files={"image": ("a.jpg", sample_bytes)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0 and body["error_msg"] == "SUCCESS"
    face = body["result"]["face_list"][0]
    assert set(face) == {"face_token", "location"}
    b64 = base64.b64encode(sample_bytes).decode()
    r = client.post(
        PATH,
        headers=_auth(api_key),
        json={"image": b64, "face_field": "color,wrinkle", "max_face_num": 2},
    )
    assert r.status_code == 200, r.text
    face = r.json()["result"]["face_list"][0]
    assert set(face) <= {"face_token", "location", "skin", "wrinkle"}
    assert set(face.get("skin", {})) <= {"color"}
    assert "skin" in face and 1 <= face["skin"]["color"] <= 6
    # urlencoded base64 and the access_token query parameter
    r = client.post(f"{PATH}?access_token={api_key}", data={"image": b64, "face_field": "smooth"})
    assert r.status_code == 200, r.text


def test_errors(client, api_key):
    r = client.post(PATH, json={"image": "x"})
    assert r.status_code == 401 and r.json()["result"] is None
    for doc in (
        {},
        {"image": "not base64!!"},
        {"image": "aGVsbG8=", "max_face_num": 11},
        {"image": "aGVsbG8=", "face_field": "age"},
        {"url": "file:///etc/passwd"},
    ):
        r = client.post(PATH, headers=_auth(api_key), json=doc)
        assert r.status_code == 400, (doc, r.text)
        body = r.json()
        assert body["error_code"] == 400 and body["result"] is None and body["log_id"]
    r = client.post(PATH, headers=_auth(api_key), json={"image": "aGVsbG8="})
    assert r.status_code in (415, 422)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.jpg",
        "http://localhost:8080/x.jpg",
        "http://10.1.2.3/x.jpg",
        "http://192.168.0.1/x.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.jpg",
        "http://[::ffff:127.0.0.1]/x.jpg",
        "http://2130706433/x.jpg",
        "http://0.0.0.0/x.jpg",
        "http://100.64.0.1/x.jpg",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "ftp://example.com/x.jpg",
        "http://user:pw@example.com/x.jpg",
        "http://example.com/" + "a" * 1100,
    ],
)
def test_ssrf_refused(client, api_key, url):
    r = client.post(PATH, headers=_auth(api_key), json={"url": url})
    assert r.status_code == 400, r.text
    assert "url refused" in r.json()["error_msg"]


def test_url_fetch_allowed_when_configured(settings, api_key, sample_bytes):
    with Receiver(sample_bytes) as rx:
        s = replace(settings, allow_private_urls=True, fetch_timeout_s=1.5)
        with TestClient(create_app(s)) as c:
            r = c.post(PATH, headers=_auth(api_key), json={"url": rx.url + "/face.jpg"})
            assert r.status_code == 200, r.text
            assert r.json()["result"]["face_num"] == 1
            r = c.post(PATH, headers=_auth(api_key), json={"url": rx.url + "/big"})
            assert r.status_code == 400 and "larger than" in r.json()["error_msg"]
            r = c.post(PATH, headers=_auth(api_key), json={"url": rx.url + "/slow"})
            assert r.status_code == 400 and "within" in r.json()["error_msg"]
            r = c.post(PATH, headers=_auth(api_key), json={"url": rx.url + "/missing"})
            assert r.status_code == 400 and "HTTP 404" in r.json()["error_msg"]


def test_redirect_to_forbidden_address_refused(monkeypatch, sample_bytes):
    # 127.0.0.1 counts as public for this test; 127.0.0.2 (also loopback) does not.
    real = fetch._public
    monkeypatch.setattr(
        fetch, "_public", lambda ip: ip == ipaddress.ip_address("127.0.0.1") or real(ip)
    )
    with Receiver(sample_bytes) as rx:

        def get(url):
            return asyncio.run(fetch.fetch_image(url, max_bytes=10**7, timeout_s=5))

        assert get(rx.url + "/face.jpg") == sample_bytes
        hop = f"http://127.0.0.2:{rx.port}/face.jpg"
        with pytest.raises(fetch.FetchRefused, match="non-public"):
            get(rx.url + "/redirect?to=" + hop)
        with pytest.raises(fetch.FetchRefused, match="scheme"):
            get(rx.url + "/redirect?to=file:///etc/passwd")
        with pytest.raises(fetch.FetchRefused, match="non-public"):
            get(rx.url + "/redirect?to=http://169.254.169.254/")
        loop = rx.url + "/redirect?to=" + rx.url + "/redirect%3Fto%3D" + rx.url + "/face.jpg"
        assert get(loop) == sample_bytes  # two hops are fine
        chain = rx.url + "/face.jpg"
        for _ in range(4):
            chain = (
                rx.url
                + "/redirect?to="
                + chain.replace("%", "%25").replace("?", "%3F").replace("=", "%3D")
            )
        with pytest.raises(fetch.FetchRefused, match="redirects"):
            get(chain)
