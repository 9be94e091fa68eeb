"""The service with a lesion head: its acne fields are the head's detections."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

import skincore
from skincore.heads import HeadDetection
from skincore.server.app import create_app
from skincore.server.settings import Settings

from .conftest import make_key

PRO = "/api/portrait/analysis/skin-analysis-pro"


class _CheekHead:
    """One papule on the subject's right cheek (landmark 50), whatever the photo."""

    name = "cheek-head"

    def detect(self, work) -> list[HeadDetection]:  # noqa: ANN001
        x, y = (float(v) for v in np.asarray(work.landmarks)[50, :2])
        return [HeadDetection("papule", (x - 5, y - 5, x + 5, y + 5), 0.77)]


def test_the_service_reports_the_heads_detections(tmp_path, sample_bytes):
    settings = Settings(
        data_dir=tmp_path / "data", public_url="http://testserver", lesion_head=_CheekHead()
    )
    key = make_key(settings.data_dir)
    with TestClient(create_app(settings)) as client:
        r = client.post(
            PRO,
            headers={"ailabapi-api-key": key},
            files={"image": ("a.jpg", sample_bytes, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    acne = r.json()["result"]["acne"]
    assert acne["confidence"] == [0.77]
    (rect,) = acne["rectangle"]
    lm = skincore.analyze(sample_bytes, concerns=["tone"]).faces[0].geometry.landmarks
    assert abs(rect["left"] + rect["width"] / 2 - float(lm[50, 0])) < 1.0
    assert abs(rect["top"] + rect["height"] / 2 - float(lm[50, 1])) < 1.0
