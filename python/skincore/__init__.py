"""skincore: self-hosted facial skin analysis."""

from __future__ import annotations

__version__ = "0.1.0"
