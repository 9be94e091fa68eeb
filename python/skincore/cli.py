"""Command line: ``skincore analyze IMAGE [--format DIALECT] [--max-faces N] [--out DIR]``.

JSON goes to stdout; pictures go into ``--out``. On failure (bad input, a bad
``--out`` checked before the analysis, a write error, an internal error): the
dialect's error JSON on stdout, one line ``skincore: error <code>: <detail>`` on
stderr, exit status 1 (2 for usage errors), never a traceback. Files in ``--out``
are written atomically and never through a link already there.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path

import numpy as np

from skincore import (
    CONCERNS,
    DIALECTS,
    Analysis,
    Analyzer,
    AnalyzerOptions,
    SkinError,
    limits_for,
    load_image,
    render_error,
    sample_path,
)
from skincore._files import prepare_out_dir, write_atomic
from skincore.errors import as_skin_error
from skincore.limits import QUALITY_CONTROL, Limits


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="skincore", description="Self-hosted facial skin analysis.")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse a photo and print the result as JSON")
    a.add_argument("image", nargs="?", help="photo to analyse (JPEG, PNG, BMP, WebP, HEIC)")
    a.add_argument("--sample", action="store_true", help="analyse the packaged sample photo")
    a.add_argument(
        "--format",
        "-f",
        default="skincore",
        choices=DIALECTS,
        help="result format (default: skincore)",
    )
    a.add_argument("--max-faces", type=int, default=1, help="faces to analyse, 1-10 (default 1)")
    a.add_argument("--out", type=Path, help="directory for pictures (region overlay, maps)")
    a.add_argument(
        "--debug-regions",
        action="store_true",
        help="write regions.png (needs --out; default there: on)",
    )
    _add_max_out_of_bound(a)
    _add_quality_control(a)
    a.add_argument("--threads", type=int, default=0, help="worker threads (0 = all cores)")
    a.add_argument("--provider", choices=("cpu", "cuda"), help="force an ONNX Runtime provider")
    a.add_argument("--compact", action="store_true", help="one-line JSON")
    a.add_argument(
        "--concerns",
        type=_csv,
        default=None,
        help=f"comma-separated concerns to run (default: all of {','.join(CONCERNS)})",
    )
    a.add_argument(
        "--masks",
        choices=("omit", "rle", "png"),
        default="omit",
        help="skincore format: how per-pixel masks are written in the JSON (default: omit)",
    )
    a.add_argument(
        "--mask-overlay",
        action="store_true",
        help="youcam-sd/hd with --out: one blended image instead of the masks"
        " (YouCam's enable_mask_overlay)",
    )
    a.add_argument(
        "--face-field",
        default=None,
        help="face-field: comma-separated face_field values (color,smooth,wrinkle,...)"
        " (default: every measured one)",
    )
    a.add_argument(
        "--return-maps",
        type=_csv,
        default=[],
        help="ailab-pro/advanced: comma-separated maps to embed base64 (texture_enhanced_pores,"
        " red_area, brown_area, water_area, roi_outline_map, texture_enhanced_bw, ...)",
    )
    a.add_argument(
        "--return-marks",
        type=_csv,
        default=[],
        help="ailab-pro: comma-separated marks (wrinkle_mark, sensitivity_mark, ...)",
    )
    a.add_argument("--left-side", type=Path, help="ailab-pro: photo of the subject's left side")
    a.add_argument("--right-side", type=Path, help="ailab-pro: photo of the subject's right side")
    a.add_argument(
        "--return-side-results",
        type=_csv,
        default=[],
        help="ailab-pro: jawline_info (needs --left-side and/or --right-side)",
    )
    _add_white_balance(a)
    _add_lesion_head(a)
    r = sub.add_parser("report", help="write a self-contained HTML report of a photo")
    r.add_argument("image", nargs="?", help="photo to analyse")
    r.add_argument("--sample", action="store_true", help="report on the packaged sample photo")
    r.add_argument("--out", type=Path, required=True, help="directory for report.html")
    r.add_argument("--threads", type=int, default=0, help="worker threads (0 = all cores)")
    r.add_argument("--concerns", type=_csv, default=None, help="concerns to run (default: all)")
    _add_max_out_of_bound(r)
    _add_quality_control(r)
    _add_white_balance(r)
    _add_lesion_head(r)
    from skincore.server.cli import register as _register_server  # skincore serve / keys

    _register_server(sub)
    return p


def _stderr(line: str) -> None:
    """Print one line on stderr; nothing if stderr is closed (never onto stdout)."""
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


def _stdout(text: str) -> None:
    """Print ``text`` on stdout and flush, so a write failure shows here.

    Raises
    ------
    SkinError
        ``internal_error`` when stdout cannot be written (a full disk, /dev/full).
    """
    if sys.stdout is None:  # started with stdout closed
        return
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _silence_stdout()
        raise SkinError(
            "internal_error", f"cannot write to stdout: {exc.strerror or exc}"
        ) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _guard_std_fds() -> None:
    """Open /dev/null on closed fds 0-2, so no file opened later becomes stdout/stderr."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            got = os.open(os.devnull, os.O_RDWR)
            if got != fd:  # pragma: no cover - lower fds were all open
                os.close(got)


def _fail(err: BaseException, dialect: str) -> int:
    err = as_skin_error(err)
    with contextlib.suppress(SkinError):
        _stdout(json.dumps(render_error(err, dialect), ensure_ascii=False))
    _stderr(f"skincore: error {err.code}: {err.detail}")
    return 1


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _write_pictures(result: Analysis, image: np.ndarray, args: argparse.Namespace) -> None:
    """Write the region overlay, the detection overlay, the Pro maps and the YouCam masks."""
    from skincore.dialects.ailab import PRO_MAPS
    from skincore.visuals import maps
    from skincore.visuals.overlay import render_overlay
    from skincore.visuals.regions import render_regions

    out: Path = args.out
    write_atomic(out, "regions.png", _png(render_regions(result, image)))
    write_atomic(out, "overlay.png", _png(render_overlay(result, image)))
    for name in PRO_MAPS:
        if name == "texture_enhanced_bw":
            got = maps.texture_enhanced_bw(result, image, threads=args.threads)
            if got is not None:
                write_atomic(out, "texture_enhanced_bw.jpg", got[0])
            continue
        data = maps.render_pro_map(result, name)
        if data is not None:
            write_atomic(out, maps.map_file_name(name), data)
    if args.format in ("youcam-sd", "youcam-hd"):
        from skincore.visuals.youcam import result_files, result_zip

        hd = args.format == "youcam-hd"
        files = result_files(result, hd=hd, image=image, overlay=args.mask_overlay)
        for name, data in files.items():
            write_atomic(out, name, data)
        write_atomic(out, "skinanalysisResult.zip", result_zip(files))


def _options(args: argparse.Namespace) -> dict[str, object]:
    """Dialect options from the flags; flags another format does not take are errors."""
    pro_only = {
        "--return-maps": args.return_maps,
        "--return-marks": args.return_marks,
        "--left-side": args.left_side,
        "--right-side": args.right_side,
        "--return-side-results": args.return_side_results,
    }
    if args.format not in ("ailab-pro", "ailab-advanced"):
        given = [k for k, v in pro_only.items() if v]
        if given:
            raise SkinError("invalid_argument", f"{', '.join(given)}: only for ailab-pro/advanced")
    if args.format == "ailab-advanced":
        for flag, v in list(pro_only.items())[1:]:
            if v:
                raise SkinError("invalid_argument", f"{flag}: only for ailab-pro")
    if args.face_field is not None and args.format != "face-field":
        raise SkinError("invalid_argument", "--face-field: only for the face-field format")
    if args.masks != "omit" and args.format != "skincore":
        raise SkinError("invalid_argument", "--masks: only for the skincore format")
    if args.format == "ailab-pro":
        return {
            "return_maps": args.return_maps,
            "return_marks": args.return_marks,
            "return_side_results": args.return_side_results,
        }
    if args.format == "ailab-advanced":
        return {"return_maps": args.return_maps}
    if args.format == "face-field":
        from skincore.dialects.face_field import FACE_FIELDS

        return {"face_field": args.face_field or ",".join(FACE_FIELDS)}
    if args.format == "skincore":
        return {"masks": args.masks}
    return {}


def _analyze(args: argparse.Namespace) -> int:
    if args.sample == (args.image is not None):
        _stderr("skincore: error invalid_argument: give IMAGE or --sample (one of them)")
        return 2
    if args.debug_regions and args.out is None:
        _stderr("skincore: error invalid_argument: --debug-regions needs --out DIR")
        return 2
    source = sample_path() if args.sample else args.image
    try:
        if args.out is not None:
            args.out = prepare_out_dir(args.out)  # before the analysis: fail fast
        options = _options(args)
        analyzer = Analyzer(
            AnalyzerOptions(
                threads=args.threads,
                provider=args.provider,
                max_faces=args.max_faces,
                limits=_limits(args),
                concerns=None if args.concerns is None else tuple(args.concerns),
                params=_params(args),
                lesion_head=lesion_head(args),
            )
        )
        loaded = load_image(source, analyzer.options.limits)
        result = analyzer.analyze(
            loaded, left_side_image=args.left_side, right_side_image=args.right_side
        )
        if args.format in ("ailab-pro", "face-field"):
            options["image"] = loaded.rgb
        doc = result.to_dict(args.format, **options)
        if args.out is not None:
            _write_pictures(result, loaded.rgb, args)
            write_atomic(args.out, f"result.{args.format}.json", json.dumps(doc, indent=2))
        _stdout(json.dumps(doc, indent=None if args.compact else 2, ensure_ascii=False))
    except SkinError as err:
        return _fail(err, args.format)
    return 0


def _add_white_balance(parser: argparse.ArgumentParser) -> None:
    """Add the ``--white-balance`` flag (``tone.Params.white_balance``)."""
    parser.add_argument(
        "--white-balance",
        choices=("report", "apply", "none"),
        default="report",
        help="camera cast read from the whites of the eyes: report it (default), "
        "apply it to the skin tone, or skip it",
    )


def _add_lesion_head(parser: argparse.ArgumentParser) -> None:
    """Add the ``--lesion-head`` flag (``AnalyzerOptions.lesion_head``)."""
    parser.add_argument(
        "--lesion-head",
        type=Path,
        default=None,
        metavar="JSON",
        help="your own ONNX lesion detector in place of skincore's (acne, moles, spots):"
        " a JSON file of skincore.heads.OnnxLesionHead's parameters, e.g."
        ' {"model": "acne.onnx", "classes": ["papule", "pustule"], "output": "yolov8"}',
    )


def lesion_head(args: argparse.Namespace) -> object:
    """Return the ``--lesion-head`` JSON file's head, or None."""
    if args.lesion_head is None:
        return None
    from skincore.heads import OnnxLesionHead

    return OnnxLesionHead.from_json(args.lesion_head)


def _add_max_out_of_bound(parser: argparse.ArgumentParser) -> None:
    """Add the ``--max-out-of-bound`` flag (``Limits.max_out_of_bound``)."""
    parser.add_argument(
        "--max-out-of-bound",
        type=float,
        default=None,
        metavar="FRACTION",
        help="largest share of the face outline allowed outside the photo, 0-1 (default 0.1:"
        " face_out_of_bound beyond it); close-ups with the chin or brow cut off need more",
    )


def _add_quality_control(parser: argparse.ArgumentParser) -> None:
    """Add the ``--face-quality-control`` flag (:data:`skincore.limits.QUALITY_CONTROL`)."""
    parser.add_argument(
        "--face-quality-control",
        action="store_true",
        help="AILab Advanced's face_quality_control=1 (any format): refuse a head turned more"
        " than 30 or tilted more than 40 degrees (improper_headpose), a face with more"
        " than a quarter of its skin blown out by the light (lighting_bright) and a blurred"
        " one (iris edge over 0.8 mm wide: blurred_image)",
    )


def _limits(args: argparse.Namespace, dialect: str | None = None) -> Limits:
    """Return the dialect's input limits with the command line's overrides.

    ``dialect`` defaults to ``args.format`` (``skincore report`` has none: its own).
    """
    name = dialect or args.format
    overrides: dict[str, float] = {}
    if args.max_out_of_bound is not None:
        overrides["max_out_of_bound"] = args.max_out_of_bound
    if args.face_quality_control:
        overrides.update(QUALITY_CONTROL)
    return limits_for(name, **overrides)


def _params(args: argparse.Namespace) -> dict[str, object]:
    """Concern parameters set by command-line flags."""
    from skincore.concerns import tone

    return {"tone": tone.Params(white_balance=args.white_balance)}


def _report(args: argparse.Namespace) -> int:
    """``skincore report``: analyse, then write ``report.html`` into ``--out``."""
    if args.sample == (args.image is not None):
        _stderr("skincore: error invalid_argument: give IMAGE or --sample (one of them)")
        return 2
    from skincore.visuals.report import render_report

    try:
        out = prepare_out_dir(args.out)
        analyzer = Analyzer(
            AnalyzerOptions(
                threads=args.threads,
                limits=_limits(args, "skincore"),
                concerns=None if args.concerns is None else tuple(args.concerns),
                params=_params(args),
                lesion_head=lesion_head(args),
            )
        )
        loaded = load_image(sample_path() if args.sample else args.image, analyzer.options.limits)
        result = analyzer.analyze(loaded)
        page = render_report(result, loaded.rgb)
        write_atomic(out, "report.html", page.encode("utf-8"))
    except SkinError as err:
        return _fail(err, "skincore")
    _stdout(str(out / "report.html"))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _guard_std_fds()
    args = _parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _analyze(args)
        if args.command == "report":
            return _report(args)
        from skincore.server.cli import dispatch as _server_dispatch

        status = _server_dispatch(args)
        if status is not None:
            return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `skincore analyze ... | head`
        _silence_stdout()
        return 0
    except Exception as exc:  # last resort: never a traceback, always the error JSON
        return _fail(exc, getattr(args, "format", "skincore"))
    return 2


if __name__ == "__main__":
    sys.exit(main())
