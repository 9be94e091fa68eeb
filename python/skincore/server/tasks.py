"""Asynchronous tasks (YouCam): persisted before they are accepted, resumed after a restart.

A task row is written (status ``running``) before its id is returned, so a crash
(even ``kill -9``) loses no accepted task: at start-up every unfinished task is
submitted again. Results live in the store (JSON) and in ``results/<task_id>/``
(masks, ZIP). The retention loop deletes files, results and sessions older than
``Settings.retention_s`` (24 h by default).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from typing import TYPE_CHECKING, Any

from skincore.server import logs

if TYPE_CHECKING:
    from skincore.server.service import Service


class TaskRunner:
    """Runs persisted tasks in the engine's pool and records their outcome."""

    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self._loop = asyncio.get_running_loop()
        self._pending: set[asyncio.Future[Any]] = set()

    def start(self, task_id: str, *, force: bool = False) -> None:
        """Submit a stored task (raises :class:`~skincore.server.engine.Busy` unless ``force``)."""
        from skincore.server import youcam

        fut = self.svc.engine.submit(youcam.run_task, self.svc, task_id, force=force)
        wrapped = asyncio.wrap_future(fut, loop=self._loop)
        self._pending.add(wrapped)
        wrapped.add_done_callback(self._done(task_id))

    def _done(self, task_id: str):  # noqa: ANN202
        def callback(f: asyncio.Future[Any]) -> None:
            self._pending.discard(f)
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                logs.warn("task_crashed", task_id=task_id, error=type(exc).__name__)
                return
            from skincore.server import webhooks

            if self.svc.settings.webhook_url:
                self._pending.add(asyncio.ensure_future(webhooks.notify_task(self.svc, task_id)))

        return callback

    def track(self, fut: asyncio.Future[Any]) -> None:
        """Keep a background coroutine (a delivery) referenced until it ends."""
        self._pending.add(fut)
        fut.add_done_callback(self._pending.discard)

    def resume(self) -> int:
        """Submit every task left unfinished by a previous process; returns how many."""
        ids = self.svc.store.unfinished_tasks()
        for task_id in ids:
            self.start(task_id, force=True)
        return len(ids)

    async def close(self) -> None:
        """Cancel webhook deliveries in flight (analyses stop with the pool)."""
        for f in list(self._pending):
            f.cancel()


def expire_once(svc: Service, now: float | None = None) -> int:
    """Delete everything older than the retention period; returns items deleted."""
    before = (time.time() if now is None else now) - svc.settings.retention_s
    files, tasks, sessions = svc.store.expire(before)
    for fid in files:
        (svc.files_dir / fid).unlink(missing_ok=True)
    for tid in tasks + sessions:
        shutil.rmtree(svc.results_dir / tid, ignore_errors=True)
    n = len(files) + len(tasks) + len(sessions)
    if n:
        logs.event("retention", files=len(files), tasks=len(tasks), sessions=len(sessions))
    return n


async def retention_loop(svc: Service, period_s: float = 600.0) -> None:
    """Run :func:`expire_once` now and every ``period_s`` seconds."""
    while True:
        try:
            await asyncio.to_thread(expire_once, svc)
        except Exception:  # never let the loop die
            logs.LOGGER.exception("retention_failed")
        await asyncio.sleep(period_s)
