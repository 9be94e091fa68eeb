"""``skincore keys create`` prints the key alone; ``skincore serve --help`` lists its options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import skincore
from skincore.server.keys import check_key
from skincore.server.storage import open_store


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(skincore.__file__).resolve().parents[1])
    return subprocess.run(
        [sys.executable, "-m", "skincore", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_keys_create(tmp_path):
    out = _run("keys", "create", "--data-dir", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    key = out.stdout
    assert key.endswith("\n") and key.count("\n") == 1 and key.startswith("skc_")
    store = open_store(tmp_path / "d")
    try:
        assert check_key(store, key.strip()) is not None
        assert check_key(store, key.strip() + "x") is None
    finally:
        store.close()


def test_serve_help():
    out = _run("serve", "--help")
    assert out.returncode == 0
    for opt in ("--host", "--port", "--data-dir", "--workers", "--processes", "--lesion-head"):
        assert opt in out.stdout


def test_bad_serve_options_are_invalid_arguments(tmp_path):
    for opt in (
        ("--workers", "0"),
        ("--queue", "-1"),
        ("--processes", "-1"),
        ("--lesion-head", str(tmp_path / "missing.json")),
    ):
        out = _run("serve", "--data-dir", str(tmp_path / "d"), *opt)
        assert out.returncode == 1
        assert out.stderr.startswith("skincore: error invalid_argument: "), out.stderr


def test_analyzer_thread_budget_is_the_cores_unless_set(tmp_path, monkeypatch):
    from skincore.server.settings import Settings

    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    # Two workers share the six cores through the analyser's ThreadShare: a request
    # alone uses all six, two at once three each.
    assert Settings(data_dir=tmp_path, workers=2).analyzer_threads == 6
    assert Settings(data_dir=tmp_path, workers=2, analysis_threads=2).analyzer_threads == 2
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert Settings(data_dir=tmp_path).analyzer_threads == 1
