"""kill -9 while tasks run: no accepted task is lost; they finish after a restart."""

from __future__ import annotations

import time

import httpx

from server.conftest import LiveServer, make_key


def test_kill9_loses_no_accepted_task(tmp_path, sample_bytes):
    data = tmp_path / "data"
    key = make_key(data)
    server = LiveServer(data, "--workers", "1")
    server.start()
    h = {"Authorization": f"Bearer {key}"}
    task_ids = []
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for _ in range(3):
                r = c.post(
                    "/s2s/v2.1/file/skin-analysis",
                    headers=h,
                    json={
                        "files": [
                            {
                                "content_type": "image/jpeg",
                                "file_name": "a.jpg",
                                "file_size": len(sample_bytes),
                            }
                        ]
                    },
                )
                f = r.json()["data"]["files"][0]
                req = f["requests"][0]
                assert (
                    c.put(req["url"], content=sample_bytes, headers=req["headers"]).status_code
                    == 200
                )
                r = c.post(
                    "/s2s/v2.1/task/skin-analysis",
                    headers=h,
                    json={"src_file_id": f["file_id"], "dst_actions": ["hd_pore", "hd_wrinkle"]},
                )
                assert r.status_code == 200, r.text
                task_ids.append(r.json()["data"]["task_id"])
        # one worker, three tasks of ~0.5 s each: killed with tasks accepted but not finished
        server.kill()
        server.start()
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for task_id in task_ids:
                for _ in range(600):  # bounded: at most 600 x 0.1 s per task
                    r = c.get(f"/s2s/v2.1/task/skin-analysis/{task_id}", headers=h)
                    assert r.status_code == 200, r.text
                    if r.json()["data"]["task_status"] != "running":
                        break
                    time.sleep(0.1)
                assert r.json()["data"]["task_status"] == "success", r.text
    finally:
        server.stop()
