"""The store on a real PostgreSQL server that this test starts (initdb + pg_ctl) and stops."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import httpx
import pytest

from server.conftest import LiveServer, free_port, make_key
from skincore.server.storage import open_store


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    hits = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return hits[-1] if hits else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries not installed")
    pytest.importorskip("psycopg")
    prefix: list[str] = []
    root = tempfile.mkdtemp(prefix="skincore-pg-")
    if os.geteuid() == 0:  # initdb refuses to run as root: run it as the postgres user
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no postgres user")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(root, "data")
    port = free_port()
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    subprocess.run([*prefix, initdb, "-D", data, "-U", "skincore", "--auth=trust"], **run)
    opts = f"-h 127.0.0.1 -p {port} -k {root} -F"
    subprocess.run(
        [*prefix, pg_ctl, "-D", data, "-o", opts, "-l", os.path.join(root, "log"), "-w", "start"],
        **run,
    )
    try:
        yield f"postgresql://skincore@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "fast", "-w", "stop"], **run)
        shutil.rmtree(root, ignore_errors=True)


def test_store_roundtrip(tmp_path, postgres_url):
    store = open_store(tmp_path, postgres_url)
    try:
        assert store.backend == "postgresql"
        store.add_key("h1")
        assert store.has_key("h1") and not store.has_key("h2")
        store.add_file("f1", "h1", "v2.1", "image/jpeg", "a.jpg", 10)
        store.mark_uploaded("f1", 12)
        assert store.get_file("f1")["uploaded"] is True and store.get_file("f1")["file_size"] == 12
        store.add_task("t1", "h1", "v2.1", {"hd": True})
        assert store.unfinished_tasks() == ["t1"]
        store.finish_task("t1", result={"ok": 1}, error=None)
        t = store.get_task("t1")
        assert (
            t["status"] == "success" and t["result"] == {"ok": 1} and t["request"] == {"hd": True}
        )
        assert store.expire(time.time() + 1) == (["f1"], ["t1"], [])
        assert store.get_task("t1") is None
    finally:
        store.close()


def test_serve_on_postgres(tmp_path, postgres_url, sample_bytes):
    data = tmp_path / "data"
    key = make_key(data, postgres_url)
    server = LiveServer(data, database_url=postgres_url)
    server.start()
    try:
        r = httpx.post(
            server.url + "/api/portrait/analysis/skin-analysis-advanced",
            headers={"ailabapi-api-key": key},
            files={"image": ("a.jpg", sample_bytes, "image/jpeg")},
            timeout=60,
        )
        assert r.status_code == 200 and r.json()["error_code"] == 0
        assert httpx.get(server.url + "/healthz").json()["backend"] == "postgresql"
    finally:
        server.stop()
