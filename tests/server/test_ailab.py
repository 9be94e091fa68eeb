"""AILabTools Pro/Advanced routes: envelope, parameters, limits, auth; the official SDK."""

from __future__ import annotations

import asyncio
import base64
import io

import pytest
from PIL import Image

PRO = "/api/portrait/analysis/skin-analysis-pro"
ADV = "/api/portrait/analysis/skin-analysis-advanced"
ENVELOPE = ("request_id", "log_id", "error_code", "error_code_str", "error_msg", "error_detail")


def _post(client, path, key, files, data=None):
    headers = {} if key is None else {"ailabapi-api-key": key}
    return client.post(path, headers=headers, files=files, data=data or {})


def _assert_error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    for k in ENVELOPE:
        assert k in body
    assert body["error_code"] == status
    assert body["error_detail"]["status_code"] == status
    assert body["error_detail"]["code"] == code
    assert body["error_code_str"] == code
    return body


def test_pro_success_envelope_and_options(client, api_key, sample_bytes):
    r = _post(
        client,
        PRO,
        api_key,
        {"image": ("a.jpg", sample_bytes, "image/jpeg")},
        {
            "return_maps": "texture_enhanced_lines,red_area,water_area",
            "return_marks": "wrinkle_mark",
            "roi_outline_color": '{"wrinkle_color":"ff0000"}',
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0
    assert body["error_detail"] == {
        "status_code": 200,
        "code": "",
        "code_message": "",
        "message": "",
    }
    assert body["face_rectangle"]["width"] > 100
    assert "skin_tone" in body["result"]
    assert {"texture_enhanced_lines", "red_area", "water_area"} <= set(body["result"]["face_maps"])
    assert "skincore_notice" not in body
    red = base64.b64decode(body["result"]["face_maps"]["red_area"])
    assert red[:3] == b"\xff\xd8\xff"  # a JPEG, as the document says


def test_advanced_success(client, api_key, sample_bytes):
    r = _post(
        client,
        ADV,
        api_key,
        {"image": ("a.jpg", sample_bytes, "image/jpeg")},
        {"face_quality_control": "1", "return_rect_confidence": "0", "return_maps": "red_area"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["error_code"] == 0 and "error_detail" not in body
    assert set(body["result"]["skintone_ita"]) == {"ITA", "skintone"}
    assert "red_area" in body["result"]["face_maps"]
    assert set(body["result"]["sensitivity"]) == {"sensitivity_area", "sensitivity_intensity"}
    # return_rect_confidence=0: boxes without their confidences
    assert "rectangle" in body["result"]["acne"] and "confidence" not in body["result"]["acne"]
    assert isinstance(body["warning"], list)


def test_advanced_face_quality_control_refuses_a_turned_head(
    client, api_key, faces_dir, monkeypatch
):
    """face_quality_control=1 adds the quality-control head-pose limits; 0 does not.

    The make-up photo turns about 22 degrees, within AILab's 30: accepted with the
    documented angles, refused (ERROR_IMPROPER_HEADPOSE) when the limits are 10."""
    from skincore.server import engine

    data = {
        "image": ("a.jpg", (faces_dir / "cc0_darkskin_makeup_3q.jpg").read_bytes(), "image/jpeg")
    }
    ok = _post(client, ADV, api_key, data, {"face_quality_control": "1"})
    assert ok.status_code == 200, ok.text
    monkeypatch.setattr(engine, "QUALITY_CONTROL", {"max_yaw_deg": 10.0, "max_pitch_deg": 40.0})
    body = _assert_error(
        _post(client, ADV, api_key, data, {"face_quality_control": "1"}),
        422,
        "ERROR_IMPROPER_HEADPOSE",
    )
    assert "yaw" in body["error_detail"]["message"]
    wide = _post(client, ADV, api_key, data, {"face_quality_control": "0"})
    assert wide.status_code == 200, wide.text


@pytest.mark.parametrize("key", [None, "", "skc_wrong"])
def test_missing_or_wrong_key(client, sample_bytes, key):
    r = _post(client, PRO, key, {"image": ("a.jpg", sample_bytes, "image/jpeg")})
    _assert_error(r, 401, "ERROR_APPLICATIONS_NOT_EXISTS")


def test_missing_image_and_bad_params(client, api_key, sample_bytes):
    _assert_error(_post(client, ADV, api_key, None, {"x": "1"}), 400, "ERROR_INVALID_PARAMETER")
    img = {"image": ("a.jpg", sample_bytes, "image/jpeg")}
    for path, data in [
        (ADV, {"face_quality_control": "2"}),
        (ADV, {"return_maps": "brown_area"}),
        (PRO, {"return_maps": "nonsense"}),
        (PRO, {"roi_outline_color": "{not json"}),
        (PRO, {"roi_outline_color": '{"wrinkle_color":"12345"}'}),
        (PRO, {"return_side_results": "ears"}),
    ]:
        body = _assert_error(
            _post(client, path, api_key, img, data), 400, "ERROR_INVALID_PARAMETER"
        )
        assert body["error_detail"]["message"]


def test_not_multipart(client, api_key):
    r = client.post(ADV, headers={"ailabapi-api-key": api_key}, content=b"{}")
    _assert_error(r, 400, "ERROR_INVALID_PARAMETER")


def test_size_limits(client, api_key):
    # Advanced: 5 MB. A 5 MB + 1 upload is refused while streaming, whatever its content.
    big = b"\xff\xd8" + b"\0" * (5 * 1024 * 1024)
    r = _post(client, ADV, api_key, {"image": ("a.jpg", big, "image/jpeg")})
    _assert_error(r, 413, "FILE_SIZE_EXCEEDS_LIMIT")
    # A declared Content-Length above the limit is refused before reading.
    r = client.post(
        ADV,
        headers={"ailabapi-api-key": api_key, "content-type": "multipart/form-data; boundary=x"},
        content=b"--x--\r\n" + b"\0" * (6 * 1024 * 1024),
    )
    _assert_error(r, 413, "FILE_SIZE_EXCEEDS_LIMIT")


def test_image_resolution_and_garbage(client, api_key):
    buf = io.BytesIO()
    Image.new("RGB", (150, 150), (200, 160, 140)).save(buf, "JPEG")
    r = _post(client, ADV, api_key, {"image": ("s.jpg", buf.getvalue(), "image/jpeg")})
    _assert_error(r, 422, "FILE_RESOLUTION_EXCEEDS_LIMITS")
    r = _post(client, PRO, api_key, {"image": ("x.jpg", b"\xff\xd8\xff\xe0garbage", "image/jpeg")})
    assert r.status_code in (415, 422)
    assert r.json()["error_detail"]["code"] in ("FILE_DECODING_FAILURE", "UNSUPPORTED_FILE_TYPES")
    buf = io.BytesIO()
    Image.new("RGB", (640, 640), (20, 120, 20)).save(buf, "JPEG")
    r = _post(client, ADV, api_key, {"image": ("g.jpg", buf.getvalue(), "image/jpeg")})
    _assert_error(r, 422, "ERROR_NO_FACE_IN_FILE")


def test_official_sdk_against_live_server(live, sample_bytes):
    ailabtools = pytest.importorskip("ailabtools")
    from ailabtools.errors import AILabApiError

    server, key = live

    async def run():
        client = ailabtools.AILabClient(api_key=key, base_url=server.url, timeout=120.0)
        try:
            pro = await client.portrait.portraitSkinAnalysisProfessional(
                {"image": sample_bytes, "returnMarks": "wrinkle_mark"}
            )
            adv = await client.portrait.portraitSkinAnalysisAdvanced(
                {"image": sample_bytes, "faceQualityControl": 0}
            )
            with pytest.raises(AILabApiError) as err:
                await client.portrait.portraitSkinAnalysisAdvanced({"image": b"not an image"})
        finally:
            await client.aclose()
        bad = ailabtools.AILabClient(api_key="skc_wrong", base_url=server.url)
        try:
            with pytest.raises(AILabApiError) as auth:
                await bad.portrait.portraitSkinAnalysisAdvanced({"image": sample_bytes})
        finally:
            await bad.aclose()
        return pro, adv, err.value, auth.value

    pro, adv, err, auth = asyncio.run(run())
    assert pro["error_code"] == 0 and "skin_tone" in pro["result"]
    assert adv["error_code"] == 0 and "skintone_ita" in adv["result"]
    assert err.detail.status_code in (415, 422)
    assert err.detail.code in ("UNSUPPORTED_FILE_TYPES", "FILE_DECODING_FAILURE")
    assert err.request_id and err.log_id
    assert auth.detail.status_code == 401
    assert auth.detail.code == "ERROR_APPLICATIONS_NOT_EXISTS"


def test_pro_side_images(client, api_key, sample_bytes, faces_dir):
    side = (faces_dir / "cc0_darkskin_makeup_3q.jpg").read_bytes()
    r = _post(
        client,
        PRO,
        api_key,
        {
            "image": ("a.jpg", sample_bytes, "image/jpeg"),
            "left_side_image": ("l.jpg", side, "image/jpeg"),
            "right_side_image": ("r.jpg", side, "image/jpeg"),
        },
        {"return_side_results": "jawline_info"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["left_side_result"]["left_jawline_quality"] == 1
    assert 90 < body["left_side_result"]["left_jawline_angle"] < 170
    # the same photo shows the left side, not the right: invalid face (5)
    assert body["right_side_result"] == {"right_jawline_quality": 5}
