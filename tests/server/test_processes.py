"""``skincore serve --processes``: the service's analyses in worker processes.

The same AILab Pro answer as in-process (a request's analysis crosses to a worker
and back), the same error envelope for a photo without a face, the option's
bounds, and the workers stopped with the service.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from skincore import SkinError
from skincore.processes import unavailable
from skincore.server.app import create_app
from skincore.server.settings import Settings

PRO = "/api/portrait/analysis/skin-analysis-pro"


def _pro(client: TestClient, key: str, image: bytes) -> dict:
    files = {"image": ("face.jpg", image, "image/jpeg")}
    r = client.post(PRO, headers={"ailabapi-api-key": key}, files=files)
    body = r.json()
    for k in ("request_id", "log_id"):
        body.pop(k, None)
    return {"status": r.status_code, **body}


@pytest.mark.skipif(unavailable() is not None, reason="no process pools here")
def test_the_same_answers_from_worker_processes(settings, api_key, sample_bytes, tmp_path):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((480, 640, 3), 128, np.uint8)).save(blank)
    answers = []
    for processes in (0, 1):
        s = dataclasses.replace(settings, analysis_processes=processes, analysis_threads=1)
        with TestClient(create_app(s)) as c:
            engine = c.app.state.service.engine
            assert (engine.analyzer.options.processes, engine.analyzer.options.threads) == (
                processes,
                1,
            )
            answers.append((_pro(c, api_key, sample_bytes), _pro(c, api_key, blank.read_bytes())))
        if processes:  # the service's shutdown stopped the workers
            with pytest.raises(SkinError) as e:
                engine.analyzer.analyze(sample_bytes)
            assert e.value.code == "invalid_argument"
    (face0, none0), (face1, none1) = answers
    assert face0["status"] == 200 and face0["error_code"] == 0 and face0 == face1
    assert none0["status"] != 200 and none0 == none1


@pytest.mark.parametrize("bad", [-1, 65])
def test_process_count_bounds(tmp_path, bad):
    with pytest.raises(ValueError, match="analysis_processes"):
        Settings(data_dir=tmp_path, analysis_processes=bad)
