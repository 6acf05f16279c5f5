"""The HTTP side of `cyclemap serve`: the standard library's threading server, a fixed table of routes.

Every answer comes from `LiveSite` or from the package's own static files,
looked up by the exact request path in a table: nothing from a request is
ever joined to a path on disk, so ``/../../etc/passwd``, percent-encoded
variants and absolute paths are simply not in the table (404). Requests whose
Host header is not the address served are refused (403): a web page on another
site cannot reach the server through a DNS name rebound to 127.0.0.1. Every
answer carries a Content-Security-Policy that allows scripts, styles and
requests to this server only, and no inline script.
"""

from __future__ import annotations

import ipaddress
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from cyclemap.site.pages import asset

if TYPE_CHECKING:
    from cyclemap.serve.live import LiveSite

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
ASSET_TYPES = {"site.css": "text/css; charset=utf-8", "site.js": "text/javascript; charset=utf-8",
               "live.js": "text/javascript; charset=utf-8"}
HTML = "text/html; charset=utf-8"
IDLE_SECONDS = 20
"""A kept-alive connection with no request for this long is closed (its thread ends)."""


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers the server answers: the address it listens on, and localhost when that is a loopback."""
    names = {host}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        names |= {"localhost", "127.0.0.1", "[::1]"}
    if address is not None and address.version == 6:
        names.add(f"[{host}]")
    return frozenset(f"{name}:{port}" for name in names)


def host_allowed(header: str | None, allowed: frozenset[str], wildcard_port: int | None) -> bool:
    """Whether a request's Host header names this server.

    Listening on every address (``--host 0.0.0.0``), any IP address with the
    right port is accepted too: a DNS name cannot be, so rebinding still fails.
    """
    if header is None:
        return False
    host = header.strip().lower()
    if host in allowed:
        return True
    if wildcard_port is None:
        return False
    name, _, port = host.rpartition(":")
    if port != str(wildcard_port):
        return False
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class LiveServer(ThreadingHTTPServer):
    """The server: one thread per connection, daemon threads so that Ctrl-C never waits for a browser."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    """Connections the system queues while every thread is busy (the standard library's 5 made bursts wait)."""

    def __init__(self, address: tuple[str, int], site: LiveSite, *, home: str, quiet: bool = True) -> None:
        super().__init__(address, Handler)
        self.site = site
        self.home = home
        """Where ``/`` leads: ``index.html``, or the page of the one map served."""
        self.quiet = quiet
        host, port = self.server_address[:2]
        wildcard = ipaddress.ip_address(address[0]).is_unspecified if _is_ip(address[0]) else False
        self.allowed = allowed_hosts(address[0], int(port))
        self.wildcard_port = int(port) if wildcard else None
        self.url = f"http://{_url_host(str(host) if not wildcard else '127.0.0.1')}:{port}/"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the table of routes; anything else is 405."""

    server: LiveServer
    protocol_version = "HTTP/1.1"
    server_version = "cyclemap"
    sys_version = ""
    timeout = IDLE_SECONDS

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_POST(self) -> None:
        """Nothing can be sent to the server: every other method is 405."""
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Only GET and HEAD.\n", "text/plain; charset=utf-8",
                   extra={"Allow": "GET, HEAD"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST  # noqa: N815 - the standard library's method names

    def _answer(self, *, body: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.allowed, self.server.wildcard_port):
            self._send(HTTPStatus.FORBIDDEN, b"This server answers only requests addressed to it.\n",
                       "text/plain; charset=utf-8", body=body)
            return
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        try:
            found = self._route(parts.path, query)
        except Exception as err:
            print(f"cyclemap serve: {self.path!r}: {err!r}", file=sys.stderr)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"Internal error; see the terminal.\n",
                       "text/plain; charset=utf-8", body=body)
            return
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found.\n", "text/plain; charset=utf-8", body=body)
        elif isinstance(found, str):
            self._send(HTTPStatus.FOUND, b"", "text/plain; charset=utf-8", body=body, extra={"Location": found})
        else:
            self._send(HTTPStatus.OK, found[0], found[1], body=body)

    def _route(self, path: str, query: dict[str, str]) -> tuple[bytes, str] | str | None:
        """(content, type) for a path of the table, a redirect target, or None (404)."""
        site = self.server.site
        if path == "/":
            return self.server.home
        if path == "/favicon.ico":
            return b"", "image/x-icon"  # nothing, but no 404 in the browser's console
        if path == "/index.html":
            return site.index_html().encode(), HTML
        if path == "/gaps.html":
            return site.gaps_html().encode(), HTML
        if path.startswith("/assets/") and path[len("/assets/"):] in ASSET_TYPES:
            name = path[len("/assets/"):]
            return asset(name), ASSET_TYPES[name]
        if path == "/live/version":
            version = site.version(query.get("page", ""))
            return None if version is None else (str(version).encode(), "text/plain; charset=utf-8")
        if path == "/live/panel":
            live = site.by_page.get(query.get("page", ""))
            panel = None if live is None else live.panel_html(site.options, query.get("layout", ""),
                                                             query.get("node", ""))
            return None if panel is None else (panel.encode(), HTML)
        if path.startswith("/maps/") and path.endswith(".html"):
            live = site.by_page.get(path[len("/maps/"):-len(".html")])
            return None if live is None else (live.page_html(site.options, query.get("segment", "all")).encode(), HTML)
        return None

    def _send(self, status: HTTPStatus, content: bytes, kind: str, *, body: bool = True,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {**HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own error pages (a malformed request, a line or header too long, an unknown
        method) with the same protective headers as every other answer, and a plain text body."""
        status = HTTPStatus(code)
        if status is HTTPStatus.NOT_IMPLEMENTED:  # a method we do not answer, whatever it is
            status = HTTPStatus.METHOD_NOT_ALLOWED
        self.close_connection = True
        content = f"{status.value} {status.phrase}\n".encode()
        body = self.command != "HEAD" and status.value >= 200 and status not in (
            HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED)
        self._send(status, content, "text/plain; charset=utf-8", body=body, extra={"Connection": "close"})

    def log_message(self, format: str, *args: object) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)
