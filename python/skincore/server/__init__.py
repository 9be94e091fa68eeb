"""``skincore serve``: the vendor HTTP APIs (AILabTools, face_field, YouCam, Face Age widget).

The service computes nothing itself: every analysis goes through
:mod:`skincore.server.engine`, which calls the engine and renders with the dialects.
Install with ``pip install "skincore[server]"``.
"""

from __future__ import annotations

from skincore.server.settings import Settings

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings):  # noqa: ANN201 - FastAPI is an optional dependency
    """Build the ASGI application (see :func:`skincore.server.app.create_app`)."""
    from skincore.server.app import create_app as _create

    return _create(settings)
