"""Fixtures for the HTTP service: an in-process client and a live ``skincore serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import skincore  # noqa: E402
from skincore.server.app import create_app  # noqa: E402
from skincore.server.keys import create_key  # noqa: E402
from skincore.server.settings import Settings  # noqa: E402
from skincore.server.storage import open_store  # noqa: E402

FACES = Path(__file__).resolve().parents[1] / "data" / "faces"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_key(data_dir: Path, database_url: str | None = None) -> str:
    """Create an API key in a data directory's store."""
    store = open_store(data_dir, database_url)
    try:
        return create_key(store)
    finally:
        store.close()


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return Path(skincore.sample_path()).read_bytes()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="http://testserver", queue_size=4)


@pytest.fixture
def api_key(settings: Settings) -> str:
    return make_key(settings.data_dir)


@pytest.fixture
def client(settings: Settings, api_key: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


class LiveServer:
    """A ``skincore serve`` subprocess on 127.0.0.1."""

    def __init__(self, data_dir: Path, *extra: str, database_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            sys.executable,
            "-m",
            "skincore",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            *extra,
        ]
        if database_url:
            self.args += ["--database-url", database_url]
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"serve-{self.port}.log"

    def start(self, timeout_s: float = 60.0) -> None:
        env = dict(os.environ)
        src = str(Path(skincore.__file__).resolve().parents[1])
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """One live server for the session, with an API key."""
    data = tmp_path_factory.mktemp("live") / "data"
    key = make_key(data)
    server = LiveServer(data, "--allow-private-urls")
    server.start()
    try:
        yield server, key
    finally:
        server.stop()
