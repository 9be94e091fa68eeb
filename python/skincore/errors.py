"""The one exception type of skincore, with stable machine-readable codes.

Every failure a caller can cause (bad input, no face, a photo the analysis cannot
trust) raises :class:`SkinError` with a ``code`` from :data:`ERROR_CODES`. Codes
are part of the public API: they never change meaning. Dialects render a
``SkinError`` into their vendor's error envelope (see ``skincore.dialects``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorSpec:
    """What a code means and how the vendor formats name it."""

    http_status: int
    message: str
    ailab_code: str
    youcam_code: str


#: Stable error codes. ``ailab_code`` values are AILabTools ``error_detail.code``
#: names; ``youcam_code`` values are YouCam error codes where the YouCam document
#: defines one, otherwise skincore's own ``error_<code>`` (listed in the README).
ERROR_CODES: dict[str, ErrorSpec] = {
    "invalid_argument": ErrorSpec(
        400, "Invalid argument.", "ERROR_INVALID_PARAMETER", "error_invalid_argument"
    ),
    "unsupported_format": ErrorSpec(
        415, "Unsupported image format.", "UNSUPPORTED_FILE_TYPES", "error_unsupported_format"
    ),
    "corrupt_image": ErrorSpec(
        422,
        "The image file is corrupt or truncated.",
        "FILE_DECODING_FAILURE",
        "error_corrupt_image",
    ),
    "file_too_large": ErrorSpec(
        413, "The image file is too large.", "FILE_SIZE_EXCEEDS_LIMIT", "error_file_too_large"
    ),
    "image_too_small": ErrorSpec(
        422,
        "Input image resolution is too small.",
        "FILE_RESOLUTION_EXCEEDS_LIMITS",
        "error_below_min_image_size",
    ),
    "image_too_large": ErrorSpec(
        413,
        "Input image resolution is too large.",
        "FILE_RESOLUTION_EXCEEDS_LIMITS",
        "error_exceed_max_image_size",
    ),
    "no_face": ErrorSpec(
        422, "No face detected in the image.", "ERROR_NO_FACE_IN_FILE", "error_no_face"
    ),
    "too_many_faces": ErrorSpec(
        422,
        "More faces than allowed were detected.",
        "ERROR_NO_FACE_IN_FILE",
        "error_too_many_faces",
    ),
    "face_too_small": ErrorSpec(
        422,
        "The face area in the image is too small.",
        "ERROR_FACE_SIZE_RATIO_NOT_MET",
        "error_src_face_too_small",
    ),
    "face_out_of_bound": ErrorSpec(
        422,
        "The face area in the image is out of bound.",
        "ERROR_INCOMPLETE_FACE",
        "error_src_face_out_of_bound",
    ),
    "lighting_dark": ErrorSpec(
        422,
        "The lighting in the image is too dark.",
        "ERROR_POOR_FACE_LIGHTING",
        "error_lighting_dark",
    ),
    "lighting_bright": ErrorSpec(
        422,
        "The lighting in the image is too bright.",
        "ERROR_POOR_FACE_LIGHTING",
        "error_lighting_bright",
    ),
    "blurred_image": ErrorSpec(
        422,
        "The image is too blurred on the face.",
        "ERROR_BLURRED_IMAGE",
        "error_blurred_image",
    ),
    "improper_headpose": ErrorSpec(
        422,
        "The head is turned too far for a reliable analysis.",
        "ERROR_IMPROPER_HEADPOSE",
        "error_improper_headpose",
    ),
    "greyscale_image": ErrorSpec(
        422,
        "The photo is greyscale: the skin's colour cannot be measured.",
        "ERROR_INVALID_PARAMETER",
        "error_greyscale_image",
    ),
    "runtime_unavailable": ErrorSpec(
        500, "No ONNX Runtime is installed.", "PROCESSING_FAILURE", "error_runtime_unavailable"
    ),
    "internal_error": ErrorSpec(500, "Processing failed.", "PROCESSING_FAILURE", "error_internal"),
}


class SkinError(Exception):
    """An analysis failure with a stable ``code``.

    Parameters
    ----------
    code : str
        One of :data:`ERROR_CODES`.
    detail : str, optional
        A human-readable explanation of this occurrence (what was measured, which
        limit was hit).
    **context
        Measured values behind the failure (e.g. ``width=120, min_side=200``),
        kept in :attr:`context` for callers and logs.

    Attributes
    ----------
    code : str
        The stable error code.
    detail : str
        Explanation of this occurrence.
    context : dict
        Measured values behind the failure.
    """

    def __init__(self, code: str, detail: str = "", **context: Any) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown SkinError code {code!r}")
        self.code = code
        self.detail = detail or ERROR_CODES[code].message
        self.context = context
        super().__init__(f"{code}: {self.detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by code, detail and context.

        A batch runner's worker process (``multiprocessing``,
        ``concurrent.futures.ProcessPoolExecutor``) sends a failed analysis back
        pickled; rebuilt from ``args`` alone the error read its message as a code.
        """
        return (_rebuild_skin_error, (self.code, self.detail, dict(self.context)))

    @property
    def spec(self) -> ErrorSpec:
        """The :class:`ErrorSpec` of this error's code."""
        return ERROR_CODES[self.code]

    @property
    def http_status(self) -> int:
        """The HTTP status a service would answer with."""
        return self.spec.http_status


def _rebuild_skin_error(code: str, detail: str, context: dict[str, Any]) -> SkinError:
    """Unpickle a :class:`SkinError` (see :meth:`SkinError.__reduce__`)."""
    return SkinError(code, detail, **context)


def as_skin_error(exc: BaseException) -> SkinError:
    """Return ``exc`` as a :class:`SkinError`: itself, or ``internal_error`` naming it.

    Parameters
    ----------
    exc : BaseException
        Any exception (a failure that escaped an analysis, a write error ...).

    Returns
    -------
    SkinError
        ``exc`` when it already is one; otherwise ``internal_error`` whose detail
        names the exception type and message, with the original as ``__cause__``.
    """
    if isinstance(exc, SkinError):
        return exc
    text = str(exc)
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    err = SkinError("internal_error", detail, exception=type(exc).__name__)
    err.__cause__ = exc
    return err
