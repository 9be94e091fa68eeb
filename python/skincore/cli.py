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

from skincore import DIALECTS, Analysis, SkinError, analyze, limits_for, render_error, sample_path
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


def _write_pictures(result: Analysis, args: argparse.Namespace) -> None:
    """Write the region overlay, the detection overlay, the Pro maps and the YouCam masks."""
    from skincore.dialects.ailab import PRO_MAPS
    from skincore.visuals import maps
    from skincore.visuals.overlay import render_overlay
    from skincore.visuals.regions import render_regions

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    render_regions(result, threads=args.threads).save(out / "regions.png")
    render_overlay(result).save(out / "overlay.png")
    for name in PRO_MAPS:
        if name == "texture_enhanced_bw":
            got = maps.texture_enhanced_bw(result, threads=args.threads)
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


def _analyze(args: argparse.Namespace) -> int:
    if args.sample == (args.image is not None):
        print(
            "skincore: error invalid_argument: give IMAGE or --sample (one of them)",
            file=sys.stderr,
        )
        return 2
    source = sample_path() if args.sample else args.image
    try:
        result = analyze(
            source,
            max_faces=args.max_faces,
            limits=limits_for(args.format),
            threads=args.threads,
            provider=args.provider,
        )
        options = {}
        if args.format == "ailab-pro":
            options = {"return_maps": args.return_maps, "return_marks": args.return_marks}
        doc = result.to_dict(args.format, **options)
    except SkinError as err:
        return _fail(err, args.format)
    if args.out is not None:
        _write_pictures(result, args)
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
