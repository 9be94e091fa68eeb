"""A tiny HTTP server on 127.0.0.1 for fetch, webhook and callback tests."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Receiver:
    """Serves ``/face.jpg``, ``/redirect?to=URL``, ``/big``, ``/slow``; records POSTs."""

    def __init__(self, image: bytes, fail_first: int = 0) -> None:
        self.image = image
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if parts.path == "/face.jpg":
                    self._send(200, outer.image, "image/jpeg")
                elif parts.path == "/redirect":
                    to = parse_qs(parts.query)["to"][0]
                    self.send_response(302)
                    self.send_header("Location", to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif parts.path == "/big":
                    self._send(200, b"\xff\xd8" + b"\0" * (9 * 1024 * 1024), "image/jpeg")
                elif parts.path == "/slow":
                    time.sleep(3)
                    self._send(200, outer.image, "image/jpeg")
                else:
                    self._send(404, b"no", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    self._send(503, b"try later", "text/plain")
                    return
                outer.posts.append((self.path, dict(self.headers), body))
                self._send(200, b"ok", "text/plain")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
