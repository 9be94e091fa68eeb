"""SSRF-safe outgoing HTTP: ``url`` inputs, webhooks and widget callbacks.

Rules (all enforced for every hop; redirects are followed by hand, at most 3):

- scheme ``http`` or ``https`` only, URL at most 1024 bytes, no user:password;
- the host is resolved once and **every** resolved address must be public: no
  private, loopback, link-local (169.254.0.0/16: cloud metadata), multicast,
  reserved, unspecified, shared (100.64/10) or IPv4-mapped forms of those,
  unless ``allow_private`` is set (tests, closed networks);
- the connection goes to the address that was checked (no second DNS lookup
  that a rebinding attacker could answer differently); HTTPS keeps the host
  name for SNI and certificate checks;
- whole-request time limit and a body size limit counted while streaming.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

MAX_URL_BYTES = 1024
MAX_REDIRECTS = 3


class FetchRefused(Exception):
    """The URL, an address it resolves to, or the answer broke a rule."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in ipaddress.ip_network("100.64.0.0/10"):
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


async def check_url(url: str, *, allow_private: bool = False, resolve: bool = True) -> Target:
    """Validate ``url`` and resolve it to one allowed address.

    With ``resolve=False`` (checking a callback URL when it is registered) only
    the syntax and literal addresses are checked; the delivery checks again.

    Raises
    ------
    FetchRefused
        Scheme, length, credentials or any resolved address not allowed.
    """
    if len(url.encode("utf-8", "surrogatepass")) > MAX_URL_BYTES:
        raise FetchRefused(f"url longer than {MAX_URL_BYTES} bytes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"malformed url: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"scheme {scheme or '(none)'!r} not allowed (http/https only)")
    if parts.username or parts.password:
        raise FetchRefused("credentials in url not allowed")
    host = parts.hostname
    if not host:
        raise FetchRefused("url has no host")
    port = port or (443 if scheme == "https" else 80)
    if not resolve:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        local = host.lower() == "localhost" or host.lower().endswith(".localhost")
        if not allow_private and (local or (literal is not None and not _public(literal))):
            raise FetchRefused(f"{host!r} is not a public address")
        return Target(url=url, scheme=scheme, host=host, port=port, address="")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"cannot resolve {host!r}: {exc}") from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise FetchRefused(f"cannot resolve {host!r}")
    for a in addresses:
        ip = ipaddress.ip_address(str(a).split("%")[0])
        if not allow_private and not _public(ip):
            raise FetchRefused(f"{host!r} resolves to a non-public address ({ip})")
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))


def _pinned(target: Target) -> tuple[str, dict[str, str], dict[str, str]]:
    """URL that connects to the checked address, its Host header and extensions."""
    parts = urlsplit(target.url)
    ip = ipaddress.ip_address(target.address.split("%")[0])
    netloc = f"[{ip}]" if ip.version == 6 else str(ip)
    netloc += f":{target.port}"
    url = parts._replace(netloc=netloc).geturl()
    default = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return url, {"Host": host_header}, extensions


async def request(
    method: str,
    url: str,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int,
    timeout_s: float,
    allow_private: bool = False,
    follow_redirects: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    """Send one request under the SSRF rules; returns status, headers and body.

    Raises
    ------
    FetchRefused
        A rule was broken, the body exceeded ``max_bytes``, the time ran out,
        too many redirects, or the connection failed.
    """

    async def run() -> tuple[int, dict[str, str], bytes]:
        current = url
        async with httpx.AsyncClient(follow_redirects=False, timeout=timeout_s) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                target = await check_url(current, allow_private=allow_private)
                pinned, host_header, ext = _pinned(target)
                req = client.build_request(
                    method,
                    pinned,
                    content=content,
                    headers={**(headers or {}), **host_header},
                    extensions=ext,
                )
                resp = await client.send(req, stream=True)
                try:
                    if follow_redirects and resp.status_code in (301, 302, 303, 307, 308):
                        location = resp.headers.get("location")
                        if not location:
                            raise FetchRefused("redirect without Location")
                        current = urljoin(current, location)
                        continue
                    body = bytearray()
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise FetchRefused(f"body larger than {max_bytes} bytes")
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise FetchRefused(f"body larger than {max_bytes} bytes")
                    return resp.status_code, dict(resp.headers), bytes(body)
                finally:
                    await resp.aclose()
            raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")

    try:
        return await asyncio.wait_for(run(), timeout_s)
    except TimeoutError:
        raise FetchRefused(f"no complete answer within {timeout_s} s") from None
    except httpx.HTTPError as exc:
        raise FetchRefused(f"{type(exc).__name__}: {exc}") from None


async def fetch_image(
    url: str, *, max_bytes: int, timeout_s: float, allow_private: bool = False
) -> bytes:
    """GET an image from ``url`` under the SSRF rules (status must be 200)."""
    status, _headers, body = await request(
        "GET", url, max_bytes=max_bytes, timeout_s=timeout_s, allow_private=allow_private
    )
    if status != 200:
        raise FetchRefused(f"url answered HTTP {status}")
    return body
