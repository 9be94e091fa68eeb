"""skincore: self-hosted facial skin analysis.

>>> import skincore
>>> result = skincore.analyze("photo.jpg")          # doctest: +SKIP
>>> result.to_dict("ailab-pro")                      # doctest: +SKIP
>>> analyzer = skincore.Analyzer(threads=2)          # doctest: +SKIP
"""

from __future__ import annotations

from skincore._version import __version__
from skincore.analysis import Analysis
from skincore.analyzer import CONCERNS, Analyzer, AnalyzerOptions, analyze
from skincore.dialects import DIALECTS, render_error
from skincore.errors import ERROR_CODES, SkinError
from skincore.io import load_image
from skincore.limits import Limits, limits_for
from skincore.render import render
from skincore.threads import get_num_threads, set_num_threads


def sample_path() -> str:
    """Path of the packaged sample photo (CC0, see ``skincore/data/SOURCES.md``)."""
    from importlib.resources import files

    return str(files("skincore") / "data" / "sample.jpg")


__all__ = [
    "CONCERNS",
    "DIALECTS",
    "Limits",
    "ERROR_CODES",
    "Analysis",
    "Analyzer",
    "AnalyzerOptions",
    "SkinError",
    "__version__",
    "analyze",
    "get_num_threads",
    "limits_for",
    "load_image",
    "render",
    "render_error",
    "sample_path",
    "set_num_threads",
]
