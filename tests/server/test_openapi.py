"""OpenAPI document, Prometheus metrics, structured logs; schemathesis finds no 500."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from skincore.server.app import create_app

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

PATHS = (
    "/api/portrait/analysis/skin-analysis-pro",
    "/api/portrait/analysis/skin-analysis-advanced",
    "/face/v1/skin-analysis",
    "/s2s/{version}/file/skin-analysis",
    "/s2s/{version}/task/skin-analysis",
    "/s2s/{version}/task/skin-analysis/{task_id}",
    "/api/widget/parameters",
)


def test_openapi_lists_every_api(client):
    doc = client.get("/openapi.json").json()
    for p in PATHS:
        assert p in doc["paths"], p
    pro = doc["paths"][PATHS[0]]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert pro["schema"]["required"] == ["image"]
    assert "roi_outline_color" in pro["schema"]["properties"]


def test_metrics_and_logs(client, api_key, sample_bytes, caplog):
    with caplog.at_level(logging.INFO, logger="skincore.server"):
        client.post(
            PATHS[1],
            headers={"ailabapi-api-key": api_key},
            files={"image": ("a.jpg", sample_bytes, "image/jpeg")},
        )
        client.post(PATHS[1], headers={"ailabapi-api-key": "wrong"}, files={"image": ("a", b"x")})
    text = client.get("/metrics").text
    assert "skincore_http_request_duration_seconds_bucket{" in text
    assert f'route="{PATHS[1]}",method="POST",status="200",le="+Inf"}} 1' in text
    assert 'skincore_errors_total{api="ailab",code="ERROR_APPLICATIONS_NOT_EXISTS"} 1' in text
    assert "skincore_analysis_queue_depth 0" in text
    lines = [r for r in caplog.records if r.getMessage() == "request"]
    assert len(lines) >= 2
    for r in caplog.records:
        blob = json.dumps(getattr(r, "fields", {}), default=str)
        assert api_key not in blob and "JFIF" not in blob and len(blob) < 2000


def test_schemathesis_finds_no_server_error(settings, api_key):
    app = create_app(settings)
    headers = {"ailabapi-api-key": api_key, "Authorization": f"Bearer {api_key}"}
    with TestClient(app):  # runs the lifespan: the store and engine stay open
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        ops = [r.ok() for r in schema.get_all_operations()]
        assert len(ops) >= len(PATHS)
        for op in ops:

            @given(case=op.as_strategy())
            @hsettings(
                max_examples=25,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def run(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            run()
