"""The HTTP side of `cyclemap serve`: the standard library's threading server, a fixed table of routes.

Every answer comes from `LiveSite` or from the package's own static files,
looked up by the exact request path in a table: nothing from a request is
ever joined to a path on disk, so ``/../../etc/passwd``, percent-encoded
variants and absolute paths are simply not in the table (404). Requests whose
Host header is not the address served are refused (403; 400 for two Host
headers or a malformed one, see `host_status`): a web page on another site
cannot reach the server through a DNS name rebound to 127.0.0.1. Every
answer carries a Content-Security-Policy that allows scripts, styles and
requests to this server only, and no inline script.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import sys
from dataclasses import dataclass
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
REFUSED = {
    HTTPStatus.BAD_REQUEST: b"Bad request: one Host header naming this server, and a path, are needed.\n",
    HTTPStatus.FORBIDDEN: b"This server answers only requests addressed to it.\n",
}
Content = tuple[bytes, str] | tuple[bytes, str, HTTPStatus]
"""What a route answers: the body and its type, and the status when it is not 200."""
IDLE_SECONDS = 20
"""A kept-alive connection with no request for this long is closed (its thread ends)."""


def allowed_hosts(asked: str, bound: str, port: int) -> frozenset[str]:
    """The Host headers the server answers: the name or address it was asked to listen on, the address it
    listens on, and on a loopback address ``localhost`` too (letter case ignored).

    Only names a browser uses to reach this very socket: ``[::1]`` does not
    reach a server on 127.0.0.1, nor ``127.0.0.1`` one on ``::1``; but
    ``--host localhost`` listens on 127.0.0.1, so both names are answered.
    """
    names = {url_host(asked), url_host(bound)}
    if _is_ip(bound) and ipaddress.ip_address(bound).is_loopback:
        names.add("localhost")
    return frozenset(f"{name.lower()}:{port}" for name in names)


_HOST = re.compile(r"\A(?:\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::[0-9]{1,5})?\Z")
"""A Host value as a browser sends it: a name or IPv4 address, or an IPv6 address in brackets; a port."""


def host_status(request: RequestLine, allowed: frozenset[str], wildcard_port: int | None) -> HTTPStatus | None:
    """Why a request is refused for whom it is addressed to, or None when it is addressed to this server.

    - 400 Bad Request: two Host headers, none in an HTTP/1.1 request (RFC 9112
      section 3.2 asks for 400 in both cases), a Host that is no host and port
      (``127.0.0.1:8765@evil``, spaces, user info), or a request target that
      is neither a path nor an ``http://`` URL (``*``, ``host:port``).
    - 403 Forbidden: a well-formed Host that is not the address served: another
      name (DNS rebinding), the name with a trailing dot, another address of
      this machine (``[::1]`` for 127.0.0.1), another port or none; an
      absolute-form target (``GET http://evil/ HTTP/1.1``) whose authority is
      not the address served, whatever the Host says (both must name this
      server); an HTTP/1.0 request without a Host, which does not say whom it
      is for.

    Letter case does not matter (names are case-insensitive). Listening on every
    address (``--host 0.0.0.0`` or ``::``), any IP address with the right port is
    accepted too, and ``localhost``: a browser resolves that name to this machine
    itself, so no other site can rebind it; any other DNS name is refused, so
    rebinding still fails.
    """
    if len(request.hosts) > 1:
        return HTTPStatus.BAD_REQUEST
    if not request.hosts:
        return HTTPStatus.BAD_REQUEST if request.version >= "HTTP/1.1" else HTTPStatus.FORBIDDEN
    names = [request.hosts[0]]
    if not request.target.startswith("/"):
        absolute = urlsplit(request.target)
        if absolute.scheme.lower() != "http" or not absolute.netloc:
            return HTTPStatus.BAD_REQUEST
        names.append(absolute.netloc)
    names = [name.strip().lower() for name in names]
    if not all(_HOST.match(name) for name in names):
        return HTTPStatus.BAD_REQUEST
    if all(_names_this_server(name, allowed, wildcard_port) for name in names):
        return None
    return HTTPStatus.FORBIDDEN


def _names_this_server(host: str, allowed: frozenset[str], wildcard_port: int | None) -> bool:
    """Whether a well-formed, lower-case ``host:port`` is the address served (any IP address on a wildcard)."""
    if host in allowed:
        return True
    name, _, port = host.rpartition(":")
    return wildcard_port is not None and port == str(wildcard_port) and (
        name == "localhost" or _is_ip(name.strip("[]")))


@dataclass(frozen=True)
class RequestLine:
    """Whom a request is for: its request target, HTTP version and Host headers (every one sent)."""

    target: str
    version: str
    hosts: tuple[str, ...]

    def path_and_query(self) -> tuple[str, str]:
        """The path and query of the target, origin-form (``/maps/x.html?segment=y``) or absolute-form; the path
        exactly as sent (no decoding: it is only ever looked up whole in the table of routes)."""
        if self.target.startswith("/"):
            path, _, query = self.target.partition("?")
            return path, query
        parts = urlsplit(self.target)
        return parts.path or "/", parts.query


class LiveServer(ThreadingHTTPServer):
    """The server: one thread per connection, daemon threads so that Ctrl-C never waits for a browser."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    """Connections the system queues while every thread is busy (the standard library's 5 made bursts wait)."""

    def __init__(self, address: tuple[str, int], site: LiveSite, *, home: str, quiet: bool = True) -> None:
        """Listen on `address`: an IPv4 address or a name (``localhost``), or an IPv6 address (``::1``, ``::``)."""
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.site = site
        self.home = home
        """Where ``/`` leads: ``index.html``, or the page of the one map served."""
        self.quiet = quiet
        bound, port = str(self.server_address[0]), int(self.server_address[1])
        wildcard = _is_ip(bound) and ipaddress.ip_address(bound).is_unspecified
        self.allowed = allowed_hosts(address[0], bound, port)
        self.wildcard_port = port if wildcard else None
        shown = ("::1" if ":" in bound else "127.0.0.1") if wildcard else address[0]
        self.url = f"http://{url_host(shown)}:{port}/"
        """The address printed: the one asked for (``localhost`` stays ``localhost``); this machine's loopback
        address when listening on every address."""

    def handle_error(self, request: object, client_address: object) -> None:
        """A request that failed outside the routes: silence when the browser hung up (a tab closed mid-answer),
        else one line on the terminal; never the standard library's traceback."""
        error = sys.exception()
        if error is None or isinstance(error, (ConnectionError, TimeoutError)):  # BrokenPipeError is one
            return
        print(f"cyclemap serve: a request from {client_address!r} failed: {error!r}", file=sys.stderr)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def url_host(host: str) -> str:
    """A host as written in a URL or a Host header: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


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
        request = RequestLine(self.path, self.request_version, tuple(self.headers.get_all("Host") or ()))
        refused = host_status(request, self.server.allowed, self.server.wildcard_port)
        if refused is not None:
            self.close_connection = True
            self._send(refused, REFUSED[refused], "text/plain; charset=utf-8", body=body,
                       extra={"Connection": "close"})
            return
        path, raw_query = request.path_and_query()
        query = {key: values[0] for key, values in parse_qs(raw_query).items()}
        try:
            found = self._route(path, query)
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
            self._send(HTTPStatus.OK if len(found) == 2 else found[2], found[0], found[1], body=body)

    def _route(self, path: str, query: dict[str, str]) -> Content | str | None:
        """(content, type) for a path of the table (and a status when not 200: the page of a map gone from its
        folder is 410), a redirect target, or None (404)."""
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
            page = site.page_html(path[len("/maps/"):-len(".html")], query.get("segment", "all"))
            if page is None:
                return None
            text, gone = page
            return text.encode(), HTML, HTTPStatus.GONE if gone else HTTPStatus.OK
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
