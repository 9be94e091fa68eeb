"""Command line: ``skincore analyze IMAGE [--format DIALECT] [--max-faces N] [--out DIR]``.

JSON goes to stdout; pictures go into ``--out``. On failure: the dialect's error
JSON on stdout, one line ``skincore: error <code>: <detail>`` on stderr, exit
status 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import json
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
from skincore.dialects import youcam


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
    a.add_argument("--threads", type=int, default=0, help="worker threads (0 = all cores)")
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
        "--face-field",
        default=None,
        help="face-field: comma-separated face_field values (color,smooth,wrinkle,...)"
        " (default: every measured one)",
    )
    a.add_argument("--provider", choices=("cpu", "cuda"), help="force an ONNX Runtime provider")
    a.add_argument("--compact", action="store_true", help="one-line JSON")
    a.add_argument(
        "--return-maps",
        type=_csv,
        default=[],
        help="ailab-pro: comma-separated maps to embed base64 (texture_enhanced_pores,"
        " texture_enhanced_blackheads, texture_enhanced_lines, rough_area,"
        " texture_enhanced_bw)",
    )
    a.add_argument(
        "--return-marks",
        type=_csv,
        default=[],
        help="ailab-pro: comma-separated marks (wrinkle_mark, forehead_wrinkle_list, ...)",
    )
    from skincore.server.cli import register as _register_server  # skincore serve / keys

    _register_server(sub)
    return p


def _fail(err: SkinError, dialect: str) -> int:
    print(json.dumps(render_error(err, dialect), ensure_ascii=False))
    print(f"skincore: error {err.code}: {err.detail}", file=sys.stderr)
    return 1


def _write_pictures(result: Analysis, image: np.ndarray, args: argparse.Namespace) -> None:
    """Write the region overlay, the detection overlay, the Pro maps and the YouCam masks."""
    from skincore.dialects.ailab import PRO_MAPS
    from skincore.visuals import maps
    from skincore.visuals.overlay import render_overlay
    from skincore.visuals.regions import render_regions

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    render_regions(result, image).save(out / "regions.png")
    render_overlay(result, image).save(out / "overlay.png")
    for name in PRO_MAPS:
        if name == "texture_enhanced_bw":
            got = maps.texture_enhanced_bw(result, image, threads=args.threads)
            if got is not None:
                (out / "texture_enhanced_bw.jpg").write_bytes(got[0])
            continue
        data = maps.render_pro_map(result, name)
        if data is not None:
            (out / f"{name}.png").write_bytes(data)
    if args.format in ("youcam-sd", "youcam-hd"):
        hd = args.format == "youcam-hd"
        for name, data in maps.youcam_masks(result, hd=hd).items():
            (out / name).write_bytes(data)
        info = youcam.score_info(result, hd=hd)
        (out / "score_info.json").write_text(json.dumps(info, indent=2))


def _options(args: argparse.Namespace) -> dict[str, object]:
    """Dialect options from the flags; flags another format does not take are errors."""
    pro_only = {"--return-maps": args.return_maps, "--return-marks": args.return_marks}
    if args.format not in ("ailab-pro", "ailab-advanced"):
        given = [k for k, v in pro_only.items() if v]
        if given:
            raise SkinError("invalid_argument", f"{', '.join(given)}: only for ailab-pro/advanced")
    if args.format == "ailab-advanced" and args.return_marks:
        raise SkinError("invalid_argument", "--return-marks: only for ailab-pro")
    if args.face_field is not None and args.format != "face-field":
        raise SkinError("invalid_argument", "--face-field: only for the face-field format")
    if args.masks != "omit" and args.format != "skincore":
        raise SkinError("invalid_argument", "--masks: only for the skincore format")
    if args.format == "ailab-pro":
        return {"return_maps": args.return_maps, "return_marks": args.return_marks}
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
        print(
            "skincore: error invalid_argument: give IMAGE or --sample (one of them)",
            file=sys.stderr,
        )
        return 2
    source = sample_path() if args.sample else args.image
    try:
        options = _options(args)
        analyzer = Analyzer(
            AnalyzerOptions(
                threads=args.threads,
                provider=args.provider,
                max_faces=args.max_faces,
                limits=limits_for(args.format),
                concerns=None if args.concerns is None else tuple(args.concerns),
            )
        )
        loaded = load_image(source, analyzer.options.limits)
        result = analyzer.analyze(loaded)
        if args.format == "ailab-pro":
            options["image"] = loaded.rgb
        doc = result.to_dict(args.format, **options)
    except SkinError as err:
        return _fail(err, args.format)
    if args.out is not None:
        _write_pictures(result, loaded.rgb, args)
        (args.out / f"result.{args.format}.json").write_text(json.dumps(doc, indent=2))
    elif args.debug_regions:
        print("skincore: error invalid_argument: --debug-regions needs --out DIR", file=sys.stderr)
        return 2
    print(json.dumps(doc, indent=None if args.compact else 2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _analyze(args)
        from skincore.server.cli import dispatch as _server_dispatch

        status = _server_dispatch(args)
        if status is not None:
            return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `skincore analyze ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # last resort: never a traceback for users
        print(f"skincore: error internal_error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
