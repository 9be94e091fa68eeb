"""Loopback load test of ``skincore serve`` (127.0.0.1 only, bounded request counts).

Starts a server with ``--workers W --queue Q`` (and ``--processes P``) in a
temporary data directory,
then for 1, 4 and 16 concurrent clients sends ``--requests`` AILab Advanced
requests each (the packaged sample photo) and prints p50/p99 latency,
throughput and the status counts (only 200 and the documented 429 are
expected). Then, for the kill -9 check, it accepts YouCam tasks, kills the
server with SIGKILL, restarts it and counts the tasks that still finish.

    python benchmarks/bench_server.py --requests 8 --workers 1 --queue 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

import skincore


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(
    data: Path, port: int, workers: int, queue: int, processes: int = 0
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = (
        str(Path(skincore.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skincore",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data),
            "--workers",
            str(workers),
            "--queue",
            str(queue),
            "--processes",
            str(processes),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _key(data: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "skincore", "keys", "create", "--data-dir", str(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


async def _load(url: str, key: str, image: bytes, clients: int, per_client: int):
    lat: list[float] = []
    codes: Counter[int] = Counter()

    async def one(c: httpx.AsyncClient) -> None:
        for _ in range(per_client):
            t = time.perf_counter()
            r = await c.post(
                url + "/api/portrait/analysis/skin-analysis-advanced",
                headers={"ailabapi-api-key": key},
                files={"image": ("a.jpg", image, "image/jpeg")},
            )
            codes[r.status_code] += 1
            if r.status_code == 200:
                lat.append(time.perf_counter() - t)
            elif r.status_code == 429:
                await asyncio.sleep(float(r.headers.get("Retry-After", "1")))

    t0 = time.perf_counter()
    async with httpx.AsyncClient(timeout=300) as c:
        await asyncio.gather(*(one(c) for _ in range(clients)))
    return lat, codes, time.perf_counter() - t0


def _kill9(url_of, data: Path, port: int, key: str, image: bytes, args) -> tuple[int, int]:
    h = {"Authorization": f"Bearer {key}"}
    ids = []
    with httpx.Client(base_url=url_of, timeout=60) as c:
        for _ in range(args.tasks):
            r = c.post(
                "/s2s/v2.1/file/skin-analysis",
                headers=h,
                json={
                    "files": [
                        {
                            "content_type": "image/jpeg",
                            "file_name": "a.jpg",
                            "file_size": len(image),
                        }
                    ]
                },
            )
            f = r.json()["data"]["files"][0]
            c.put(f["requests"][0]["url"], content=image, headers=f["requests"][0]["headers"])
            r = c.post(
                "/s2s/v2.1/task/skin-analysis",
                headers=h,
                json={"src_file_id": f["file_id"], "dst_actions": ["hd_pore"]},
            )
            if r.status_code == 200:
                ids.append(r.json()["data"]["task_id"])
    return len(ids), ids  # type: ignore[return-value]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=8, help="requests per client")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--processes", type=int, default=0, help="serve --processes")
    ap.add_argument("--queue", type=int, default=8)
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--tasks", type=int, default=6, help="YouCam tasks for the kill -9 check")
    args = ap.parse_args()
    image = Path(skincore.sample_path()).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        key = _key(data)
        port = _port()
        url = f"http://127.0.0.1:{port}"
        proc = _start(data, port, args.workers, args.queue, args.processes)
        try:
            asyncio.run(_load(url, key, image, 1, 2))  # warm-up (model sessions)
            print(
                f"workers={args.workers} processes={args.processes} queue={args.queue} "
                f"cores={os.cpu_count()} "
                f"image={len(image)} B (sample, 1152x1536) endpoint=AILab Advanced"
            )
            print("clients  ok  429  other  p50_ms  p99_ms  req/s")
            for n in (int(x) for x in args.clients.split(",")):
                lat, codes, wall = asyncio.run(_load(url, key, image, n, args.requests))
                lat.sort()
                p50 = statistics.median(lat) * 1000 if lat else float("nan")
                p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000 if lat else float("nan")
                other = sum(v for k, v in codes.items() if k not in (200, 429))
                print(
                    f"{n:7d} {codes[200]:3d} {codes[429]:4d} {other:6d} {p50:7.0f} {p99:7.0f} "
                    f"{codes[200] / wall:6.2f}"
                )
            accepted, ids = _kill9(url, data, port, key, image, args)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc = _start(data, port, args.workers, args.queue, args.processes)
            done = 0
            with httpx.Client(base_url=url, timeout=60) as c:
                for tid in ids:
                    for _ in range(1200):
                        r = c.get(
                            f"/s2s/v2.1/task/skin-analysis/{tid}",
                            headers={"Authorization": f"Bearer {key}"},
                        )
                        st = r.json()["data"]["task_status"]
                        if st != "running":
                            done += st == "success"
                            break
                        time.sleep(0.1)
            print(f"kill -9: {accepted} tasks accepted, {done} succeeded after the restart")
        finally:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
