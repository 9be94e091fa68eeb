"""skincore: self-hosted facial skin analysis.

>>> import skincore
>>> result = skincore.analyze("photo.jpg")          # doctest: +SKIP
>>> result.to_dict("ailab-pro")                      # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from skincore.analysis import Analysis  # noqa: E402
from skincore.dialects import DIALECTS, render_error  # noqa: E402
from skincore.errors import ERROR_CODES, SkinError  # noqa: E402
from skincore.limits import Limits, limits_for  # noqa: E402
from skincore.pipeline import analyze  # noqa: E402


def sample_path() -> str:
    """Path of the packaged sample photo (CC0, see ``skincore/data/SOURCES.md``)."""
    from importlib.resources import files

    return str(files("skincore") / "data" / "sample.jpg")


__all__ = [
    "DIALECTS",
    "ERROR_CODES",
    "Analysis",
    "Limits",
    "SkinError",
    "__version__",
    "analyze",
    "limits_for",
    "render_error",
    "sample_path",
]
