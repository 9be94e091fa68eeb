"""Prometheus metrics in the text exposition format (no extra dependency).

``skincore_http_request_duration_seconds`` (histogram by route and status),
``skincore_analysis_queue_depth`` / ``skincore_analysis_running`` (gauges) and
``skincore_errors_total`` (counter by API and error code).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    def esc(v: str) -> str:
        return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return ",".join(f'{k}="{esc(v)}"' for k, v in pairs)


class Metrics:
    """Counters and histograms kept in memory, one set per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hist: dict[tuple[tuple[str, str], ...], list[float]] = {}
        self._sum: dict[tuple[tuple[str, str], ...], float] = defaultdict(float)
        self._count: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self._errors: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self.gauges: dict[str, Callable[[], float]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record one request's latency."""
        key = (("route", route), ("method", method), ("status", str(status)))
        with self._lock:
            counts = self._hist.setdefault(key, [0] * len(BUCKETS))
            for i, b in enumerate(BUCKETS):
                if seconds <= b:
                    counts[i] += 1
            self._sum[key] += seconds
            self._count[key] += 1

    def error(self, api: str, code: str) -> None:
        """Count one error answered by ``api`` with ``code``."""
        with self._lock:
            self._errors[(("api", api), ("code", code))] += 1

    def render(self) -> str:
        """Render the metrics page."""
        lines = [
            "# HELP skincore_http_request_duration_seconds Request latency.",
            "# TYPE skincore_http_request_duration_seconds histogram",
        ]
        with self._lock:
            for key, counts in sorted(self._hist.items()):
                lab = _labels(key)
                for b, c in zip(BUCKETS, counts, strict=True):
                    lines.append(
                        f'skincore_http_request_duration_seconds_bucket{{{lab},le="{b}"}} {c}'
                    )
                n = self._count[key]
                lines.append(
                    f'skincore_http_request_duration_seconds_bucket{{{lab},le="+Inf"}} {n}'
                )
                lines.append(
                    f"skincore_http_request_duration_seconds_sum{{{lab}}} {self._sum[key]}"
                )
                lines.append(f"skincore_http_request_duration_seconds_count{{{lab}}} {n}")
            lines += [
                "# HELP skincore_errors_total Error responses by API and code.",
                "# TYPE skincore_errors_total counter",
            ]
            for key, n in sorted(self._errors.items()):
                lines.append(f"skincore_errors_total{{{_labels(key)}}} {n}")
        for name, fn in sorted(self.gauges.items()):
            lines += [f"# TYPE {name} gauge", f"{name} {fn()}"]
        return "\n".join(lines) + "\n"
