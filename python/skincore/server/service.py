"""The per-process service object the routes share: settings, store, engine, metrics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from skincore.server.engine import Engine
from skincore.server.metrics import Metrics
from skincore.server.settings import Settings
from skincore.server.storage import Store


@dataclass
class Service:
    """Everything a route needs, built once by :func:`skincore.server.app.create_app`."""

    settings: Settings
    store: Store
    engine: Engine
    metrics: Metrics = field(default_factory=Metrics)
    secret: bytes = b""

    @property
    def files_dir(self) -> Path:
        """Uploaded source images."""
        return self.settings.data_dir / "files"

    @property
    def results_dir(self) -> Path:
        """Task results (masks, ZIP) and widget photos."""
        return self.settings.data_dir / "results"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this service."""
        return self.settings.public_url.rstrip("/") + path


def service(request: Request) -> Service:
    """Return the :class:`Service` of the app handling ``request``."""
    return request.app.state.service


def request_id(request: Request) -> str:
    """Return the request's id (set by the logging middleware)."""
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = uuid.uuid4().hex
        request.state.request_id = rid
    return rid


def new_id() -> str:
    """Make a random opaque identifier (file, task, session)."""
    return uuid.uuid4().hex + uuid.uuid4().hex[:16]
