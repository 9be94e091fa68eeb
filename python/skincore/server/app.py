"""The FastAPI application: routers, lifespan (store, engine, task runner), logs, metrics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse

import skincore
from skincore.server import logs
from skincore.server.engine import Engine
from skincore.server.service import Service
from skincore.server.settings import Settings
from skincore.server.storage import open_store


def _route_name(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


def create_app(settings: Settings) -> FastAPI:
    """Build the service for ``settings`` (state opens in the lifespan)."""
    logs.setup()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.data_dir, settings.database_url)
        engine = Engine(
            settings.workers,
            settings.queue_size,
            settings.analyzer_threads,
            settings.retry_after_s,
            settings.analysis_processes,
            lesion_head=settings.lesion_head,
        )
        svc = Service(settings=settings, store=store, engine=engine, secret=settings.secret())
        svc.metrics.gauges["skincore_analysis_queue_depth"] = lambda: engine.queued
        svc.metrics.gauges["skincore_analysis_running"] = lambda: min(
            engine.pending, engine.workers
        )
        app.state.service = svc
        from skincore.server import tasks

        runner = tasks.TaskRunner(svc)
        app.state.tasks = runner
        resumed = runner.resume()
        retention = asyncio.create_task(tasks.retention_loop(svc))
        logs.event(
            "startup",
            backend=store.backend,
            workers=settings.workers,
            queue=settings.queue_size,
            resumed_tasks=resumed,
        )
        try:
            yield
        finally:
            retention.cancel()
            await runner.close()
            engine.shutdown()
            store.close()

    app = FastAPI(
        title="skincore serve",
        version=skincore.__version__,
        description="Self-hosted skin analysis with the AILabTools, face_field, YouCam and "
        "Face Age widget HTTP APIs.",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def log_and_measure(request: Request, call_next) -> Response:  # noqa: ANN001
        request.state.request_id = uuid.uuid4().hex
        start = logs.now()
        try:
            response = await call_next(request)
        except Exception:
            logs.LOGGER.exception("unhandled", extra={"fields": {"path": request.url.path}})
            response = JSONResponse(
                {"error": "internal error", "error_code": "internal_error"}, status_code=500
            )
        took = logs.now() - start
        route = _route_name(request)
        svc = getattr(request.app.state, "service", None)
        if svc is not None and route != "/metrics":
            svc.metrics.observe(route, request.method, response.status_code, took)
        logs.event(
            "request",
            request_id=request.state.request_id,
            method=request.method,
            route=route,
            status=response.status_code,
            ms=round(took * 1000, 1),
            bytes_in=request.headers.get("content-length"),
        )
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request", "detail": str(exc)}, status_code=400)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> PlainTextResponse:
        svc: Service = request.app.state.service
        return PlainTextResponse(svc.metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/healthz", tags=["service"])
    async def healthz(request: Request) -> dict[str, object]:
        """Liveness: the process answers and the store is open."""
        svc: Service = request.app.state.service
        return {"status": "ok", "backend": svc.store.backend, "pending": svc.engine.pending}

    from skincore.server import ailab, face_field, widget, youcam

    app.include_router(ailab.router)
    app.include_router(face_field.router)
    app.include_router(youcam.router)
    app.include_router(widget.router)
    return app
