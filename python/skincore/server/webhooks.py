"""Signed outgoing notifications: YouCam task webhooks and widget callbacks.

Every POST goes through :mod:`skincore.server.fetch` (the SSRF rules apply to
callback URLs too), carries ``X-Skincore-Signature`` (see
:mod:`skincore.server.signing`) and is retried with exponential back-off on
connection errors and 5xx/429 answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

from skincore.server import fetch, logs
from skincore.server.signing import SIGNATURE_HEADER, sign_body

if TYPE_CHECKING:
    from skincore.server.service import Service


async def deliver(svc: Service, url: str, body: bytes, content_type: str, *, kind: str) -> bool:
    """POST ``body`` to ``url`` signed, with retries; True once a 2xx answer came."""
    s = svc.settings
    delay = s.callback_backoff_s
    for attempt in range(1, s.callback_retries + 1):
        headers = {
            "Content-Type": content_type,
            SIGNATURE_HEADER: sign_body(svc.secret, body),
        }
        try:
            status, _h, _b = await fetch.request(
                "POST",
                url,
                content=body,
                headers=headers,
                max_bytes=64 * 1024,
                timeout_s=s.fetch_timeout_s,
                allow_private=s.allow_private_urls,
                follow_redirects=False,
            )
        except fetch.FetchRefused as exc:
            status, reason = 0, str(exc)
        else:
            reason = f"HTTP {status}"
            if 200 <= status < 300:
                logs.event(f"{kind}_delivered", attempt=attempt)
                return True
            if 400 <= status < 500 and status != 429:
                logs.warn(f"{kind}_rejected", status=status)
                return False
        logs.warn(f"{kind}_retry", attempt=attempt, reason=reason[:200])
        if attempt < s.callback_retries:
            await asyncio.sleep(delay)
            delay *= 2
    return False


async def notify_task(svc: Service, task_id: str) -> bool:
    """Tell the configured webhook that a YouCam task ended."""
    task = await asyncio.to_thread(svc.store.get_task, task_id)
    if task is None or not svc.settings.webhook_url:
        return False
    doc: dict[str, Any] = {
        "task_id": task_id,
        "task_status": task["status"],
        "timestamp": int(time.time()),
    }
    body = json.dumps(doc).encode()
    return await deliver(svc, svc.settings.webhook_url, body, "application/json", kind="webhook")
