"""``skincore serve`` and ``skincore keys create``: registered on the main CLI's subparsers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skincore.errors import SkinError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` and ``keys`` subcommands to the main parser's subparsers."""
    s = sub.add_parser("serve", help="run the HTTP service (vendor APIs and the widget)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--data-dir", type=Path, required=True, help="database, files and results")
    s.add_argument("--workers", type=int, default=1, help="analyses run at once (default 1)")
    s.add_argument("--queue", type=int, default=8, help="analyses allowed to wait (default 8)")
    s.add_argument(
        "--processes",
        type=int,
        default=0,
        help="worker processes the analyses run in, past the GIL (default 0: none)",
    )
    s.add_argument(
        "--lesion-head",
        type=Path,
        default=None,
        metavar="JSON",
        help="your own ONNX lesion detector for the acne, mole and spot fields"
        " (skincore.heads.OnnxLesionHead's parameters as JSON, as for skincore analyze)",
    )
    s.add_argument("--database-url", help="postgresql://... instead of SQLite in --data-dir")
    s.add_argument("--public-url", help="URL clients reach the service at (default from host/port)")
    s.add_argument("--webhook-url", help="YouCam task webhook (signed POST when a task ends)")
    s.add_argument(
        "--allow-private-urls",
        action="store_true",
        help="let url inputs and callbacks reach private/loopback addresses (testing only)",
    )
    k = sub.add_parser("keys", help="manage API keys")
    ksub = k.add_subparsers(dest="keys_command", required=True)
    kc = ksub.add_parser("create", help="create an API key and print it alone on stdout")
    kc.add_argument("--data-dir", type=Path, required=True)
    kc.add_argument("--database-url", help="postgresql://... instead of SQLite in --data-dir")


def dispatch(args: argparse.Namespace) -> int | None:
    """Run ``serve``/``keys`` when ``args`` names one; None for other commands."""
    if args.command == "keys":
        from skincore.server.keys import create_key
        from skincore.server.storage import open_store

        store = open_store(args.data_dir, args.database_url)
        try:
            print(create_key(store))
        finally:
            store.close()
        return 0
    if args.command == "serve":
        return _serve(args)
    return None


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from skincore.server.app import create_app
        from skincore.server.settings import Settings
    except ImportError as exc:
        print(
            f'skincore: error runtime_unavailable: {exc}; pip install "skincore[server]"',
            file=sys.stderr,
        )
        return 1
    from skincore.cli import lesion_head  # the same JSON as skincore analyze

    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    try:
        settings = Settings(
            data_dir=args.data_dir,
            database_url=args.database_url,
            public_url=args.public_url or f"http://{host_for_url}:{args.port}",
            workers=args.workers,
            queue_size=args.queue,
            analysis_processes=args.processes,
            lesion_head=lesion_head(args),
            webhook_url=args.webhook_url,
            allow_private_urls=args.allow_private_urls,
        )
    except ValueError as exc:  # a bad option value, not a failure of the service
        raise SkinError("invalid_argument", str(exc)) from None
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    return 0
