"""Service settings: one frozen dataclass, filled by the command line or by tests."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MiB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything ``skincore serve`` can be told.

    Attributes
    ----------
    data_dir : Path
        Holds the SQLite database, the uploaded files, the task results and the
        signing secret.
    database_url : str or None
        ``postgresql://...`` to keep state in PostgreSQL instead of SQLite.
    public_url : str
        Base URL clients reach this service at; used in pre-signed upload URLs,
        mask URLs and widget URLs.
    workers : int
        Analyses run at the same time (threads of the worker pool).
    queue_size : int
        Analyses allowed to wait for a worker; beyond it requests get 429.
    retry_after_s : int
        ``Retry-After`` seconds sent with a 429.
    analysis_threads : int
        Kernel/ONNX thread budget of the service's analyser (0: the machine's
        cores). The analyses in flight divide it: a request alone uses all of it,
        ``workers`` requests at once about ``budget // workers`` each.
    analysis_processes : int
        Worker processes the analyses run in (``skincore.AnalyzerOptions.processes``;
        0: in the service's process). Concurrent requests then run past the GIL,
        each process on ``budget // processes`` threads with its own models.
    lesion_head : object or None
        The analyser's lesion head (``skincore.AnalyzerOptions.lesion_head``,
        e.g. a :class:`skincore.heads.OnnxLesionHead`): the service's acne,
        mole and spot fields come from it.
    retention_s : float
        Uploaded images and task results are deleted this long after creation
        (YouCam: 24 h).
    upload_url_ttl_s : int
        Lifetime of a pre-signed upload URL.
    polling_interval_ms : int
        ``polling_interval`` suggested to YouCam clients.
    allow_private_urls : bool
        Let url fetches and callbacks reach private/loopback/link-local addresses
        (off by default: SSRF protection; tests turn it on for a local receiver).
    fetch_timeout_s : float
        Whole-fetch time limit for ``url`` inputs and callbacks.
    fetch_max_bytes : int
        Largest body fetched from a ``url``.
    webhook_url : str or None
        YouCam task webhook: notified (signed) when a task ends.
    callback_retries : int
        Delivery attempts for webhooks and widget callbacks.
    callback_backoff_s : float
        First retry delay; doubles after each failure.
    """

    data_dir: Path
    database_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    workers: int = 1
    queue_size: int = 8
    retry_after_s: int = 1
    analysis_threads: int = 0
    analysis_processes: int = 0
    lesion_head: Any = None
    retention_s: float = 24 * 3600.0
    upload_url_ttl_s: int = 3600
    polling_interval_ms: int = 1000
    allow_private_urls: bool = False
    fetch_timeout_s: float = 10.0
    fetch_max_bytes: int = 8 * MiB
    webhook_url: str | None = None
    callback_retries: int = 4
    callback_backoff_s: float = 0.5
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1; got {self.workers}")
        if self.queue_size < 0:
            raise ValueError(f"queue_size must be >= 0; got {self.queue_size}")
        if not 0 <= self.analysis_processes <= 64:
            raise ValueError(f"analysis_processes must be in 0..64; got {self.analysis_processes}")

    @property
    def analyzer_threads(self) -> int:
        """Thread budget of the analyser, shared by the analyses in flight."""
        if self.analysis_threads > 0:
            return self.analysis_threads
        return max(1, os.cpu_count() or 1)

    def secret(self) -> bytes:
        """Return the service's HMAC key (``DATA_DIR/secret``, created on first use, mode 0600)."""
        path = self.data_dir / "secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32))
        return bytes.fromhex(path.read_text().strip())
