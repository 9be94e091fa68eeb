"""Structured logs: one JSON object per line on stderr, never any image content.

Only metadata is logged (method, route, status, duration, request id, error
code, byte counts); bodies, form values, URLs' query strings and keys are not.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER = logging.getLogger("skincore.server")


class JsonFormatter(logging.Formatter):
    """Format a record and its ``fields`` extra as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        doc: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        doc.update(getattr(record, "fields", {}))
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


def setup(level: int = logging.INFO) -> None:
    """Send the service's logs to stderr as JSON lines (idempotent)."""
    if any(isinstance(h.formatter, JsonFormatter) for h in LOGGER.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    LOGGER.propagate = False


def event(name: str, **fields: Any) -> None:
    """Log one event with metadata fields."""
    LOGGER.info(name, extra={"fields": fields})


def warn(name: str, **fields: Any) -> None:
    """Log one warning with metadata fields."""
    LOGGER.warning(name, extra={"fields": fields})


def now() -> float:
    """Monotonic seconds (for durations)."""
    return time.perf_counter()
