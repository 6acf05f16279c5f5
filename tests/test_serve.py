"""`cyclemap serve`: the live preview (issue 13, part B), over real HTTP and in a real browser.

One server per module (``--port 0``: a free port, read from what it prints)
serves a folder of maps: the examples, the hostile labels and copies that the
tests edit. HTTP tests use http.client so that the request path and the Host
header go out exactly as written. Browser tests drive Debian's chromium with
Playwright and are skipped when either is missing.
"""

from __future__ import annotations

import _thread
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tests.test_site import HOSTILE, Page, needs_graphviz

from cyclemap import mapfolder
from cyclemap.loader import load_map
from cyclemap.mapfolder import FolderScan, folder_maps
from cyclemap.serve import live as live_module
from cyclemap.serve.live import POLL_SECONDS, LiveSite
from cyclemap.serve.server import HEADERS, LiveServer
from cyclemap.site.pages import SiteOptions

ROOT = Path(__file__).resolve().parent.parent
SOLAR = ROOT / "examples" / "home-solar.yaml"
CHROMIUM = os.environ.get("CYCLEMAP_TEST_CHROMIUM", "/usr/bin/chromium")
BROKEN_LINE = 48
"""home-solar.yaml's line ``importance: 9`` of its first activity, which the broken edits spoil."""

pytestmark = needs_graphviz


class Server:
    """A `cyclemap serve` process and how to ask it things."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cyclemap", "serve", *args, "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        found = re.search(r"http://(\[[0-9a-f:]+\]|[\w.-]+):(\d+)/", line)
        assert found, (line, self.proc.stderr.read() if self.proc.stderr else "")
        self.host, self.port = found.group(1).strip("[]"), int(found.group(2))
        self.authority = f"{found.group(1)}:{self.port}"
        """The address printed, as a Host header names it."""
        self.first_line = line

    def get(self, path: str, *, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], str]:
        """Status, headers and body of one request, sent with `path` exactly as given."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            if host != "":
                connection.putheader("Host", host or self.authority)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def raw(self, line: str, hosts: list[str]) -> tuple[int, str]:
        """Status and body of a request written byte for byte: `line`, one Host header per entry of `hosts`."""
        request = "".join(f"{header}\r\n" for header in (line, *(f"Host: {h}" for h in hosts),
                                                          "Connection: close"))
        with socket.create_connection((self.host, self.port), timeout=30) as connection:
            connection.sendall(f"{request}\r\n".encode())
            answer = _read_all(connection)
        head, _, body = answer.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode()

    def version(self, page: str) -> int:
        status, _, body = self.get(f"/live/version?page={page}")
        assert status == 200, body
        return int(body)

    def stop(self, how: signal.Signals = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C (or another signal): the exit code and what it printed on stderr."""
        self.proc.send_signal(how)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    answer = b""
    while chunk := connection.recv(1 << 16):
        answer += chunk
    return answer


def wait_for(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """`check()` once it is true (the server picks up saves on its own schedule); fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds} s: {check}")
        time.sleep(0.05)


def save(path: Path, text: str) -> None:
    """Save as an editor does: write a new file and rename it over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def spoil(text: str) -> str:
    """The map with the first activity's importance made a word: invalid at line `BROKEN_LINE`."""
    lines = text.split("\n")
    assert lines[BROKEN_LINE - 1].strip() == "importance: 9"
    lines[BROKEN_LINE - 1] = lines[BROKEN_LINE - 1].replace("9", "lots")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOT / "examples", found / "examples")
    shutil.copy(HOSTILE, found / "hostile.yaml")
    for name in ("edit-http", "edit-browser", "edit-load"):
        shutil.copy(SOLAR, found / f"{name}.yaml")
    return found


def serving(folder: Path) -> Iterator[Server]:
    """`cyclemap serve FOLDER` for a module's tests; at the end it must stop cleanly (exit 0, no traceback)."""
    served = Server(folder, str(folder))
    yield served
    code, err = served.stop()
    assert code == 0, err
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    yield from serving(folder)


# -- over HTTP -------------------------------------------------------------------------------------


def test_prints_its_address_and_lists_the_maps(server: Server) -> None:
    assert server.host == "127.0.0.1"
    assert "Ctrl-C" in server.first_line
    status, headers, _ = server.get("/")
    assert status == 302 and headers["location"] == "/index.html"
    status, _, body = server.get("/index.html")
    assert status == 200
    links = [link for link in Page(body).links() if link.startswith("maps/")]
    assert "maps/edit-http.html" in links and "maps/examples-split-bike-share.html" in links
    for link in links:
        assert server.get("/" + link.partition("#")[0])[0] == 200, link


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/../../../etc/passwd",
    "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/assets/..%5c..%5cetc%5cpasswd", "//etc/passwd", "/etc/passwd",
    "/maps/../../etc/passwd", "/maps/%2e%2e%2fhostile.html", "/maps/hostile.yaml", "/hostile.yaml",
    "/examples/home-solar.yaml", "/assets/site.css/../../hostile.yaml", "/assets//etc/passwd",
    "/assets/site.css%00.html", "/%2Fetc%2Fpasswd", "/maps/hostile.html/../../hostile.yaml", "/site/static/site.js",
    "/templates/map.html", "/C:/Windows/win.ini", "http://127.0.0.1:{port}/etc/passwd",
])
def test_no_request_path_reaches_the_file_system(server: Server, folder: Path, path: str) -> None:
    status, headers, body = server.get(path.format(port=server.port))
    assert status == 404, (path, status)
    assert "root:" not in body and "cyclemap:" not in body
    assert "script-src 'self'" in headers["content-security-policy"]


def test_an_absolute_path_to_a_served_map_is_not_served(server: Server, folder: Path) -> None:
    assert server.get(str(folder / "hostile.yaml"))[0] == 404
    assert server.get("/maps/" + str(folder / "hostile.yaml"))[0] == 404


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "127.0.0.1:1", "localhost:1", "localhost.:{port}", "127.0.0.1", "[::1]:{port}",
                                  "[::ffff:127.0.0.1]:{port}"])
def test_requests_for_another_host_are_refused(server: Server, host: str) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends Host: evil.example. Another spelling
    of the server's name (a trailing dot) or another address of the machine is not the address served."""
    for path in ("/index.html", "/maps/edit-http.html", "/live/version?page=edit-http", "/assets/site.js"):
        status, _, body = server.get(path, host=host.format(port=server.port))
        assert status == 403, (host, path)
        assert "<" not in body


HOST_CASES = [
    # (request line, Host headers, status): two Hosts, or none in HTTP/1.1, are 400 (RFC 9112 section 3.2)
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port}", "127.0.0.1:{port}"], 400),
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port}", "evil.example"], 400),
    ("GET /index.html HTTP/1.1", [], 400),
    ("GET /index.html HTTP/1.0", [], 403),  # HTTP/1.0 needs no Host, but then it is for nobody in particular
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port}@evil.example"], 400),
    ("GET /index.html HTTP/1.1", ["user@127.0.0.1:{port}"], 400),
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port} evil.example"], 400),
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port}/evil"], 400),
    # absolute-form: the URL's authority and the Host must both name this server
    ("GET http://evil.example/index.html HTTP/1.1", ["127.0.0.1:{port}"], 403),
    ("GET http://evil.example:{port}/maps/edit-http.html HTTP/1.1", ["127.0.0.1:{port}"], 403),
    ("GET http://127.0.0.1:{port}/index.html HTTP/1.1", ["evil.example"], 403),
    ("GET http://127.0.0.1:{port}@evil.example/index.html HTTP/1.1", ["127.0.0.1:{port}"], 400),
    ("GET https://127.0.0.1:{port}/index.html HTTP/1.1", ["127.0.0.1:{port}"], 400),
    ("GET * HTTP/1.1", ["127.0.0.1:{port}"], 400),
    ("GET 127.0.0.1:{port} HTTP/1.1", ["127.0.0.1:{port}"], 400),
    ("GET http://127.0.0.1:{port}/index.html HTTP/1.1", ["127.0.0.1:{port}"], 200),
    ("GET /index.html HTTP/1.1", ["127.0.0.1:{port}"], 200),
    ("GET /index.html HTTP/1.0", ["LocalHost:{port}"], 200),
]


@pytest.mark.parametrize(("line", "hosts", "expected"), HOST_CASES)
def test_whom_a_request_is_for_decides_whether_it_is_answered(server: Server, line: str, hosts: list[str],
                                                              expected: int) -> None:
    """Odd Host headers and request targets are refused with 400 or 403, and never get a page."""
    status, body = server.raw(line.format(port=server.port), [host.format(port=server.port) for host in hosts])
    assert status == expected, (line, hosts, body[:200])
    assert ("<h1>" in body) == (expected == 200)


def test_an_http_0_9_request_gets_no_page(server: Server) -> None:
    """A request line without a version (HTTP/0.9) carries no Host: refused, its answer has no page."""
    with socket.create_connection((server.host, server.port), timeout=30) as connection:
        connection.sendall(b"GET /index.html\r\n\r\n")
        answer = _read_all(connection)
    assert b"<h1>" not in answer and b"answers only requests addressed to it" in answer


def test_localhost_is_the_same_server(server: Server) -> None:
    assert server.get("/index.html", host=f"localhost:{server.port}")[0] == 200
    assert server.get("/index.html", host=f"LOCALHOST:{server.port}")[0] == 200


def test_only_get_and_head(server: Server) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = server.get("/index.html", method=method)
        assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = server.get("/maps/hostile.html", method="HEAD")
    assert status == 200 and body == "" and int(headers["content-length"]) > 1000


def test_every_page_has_a_strict_policy_and_no_inline_or_outside_script(server: Server) -> None:
    pages = ["/index.html", "/gaps.html", "/maps/hostile.html", "/maps/examples-rooftop-solar-segments.html",
             "/maps/examples-split-bike-share.html", "/maps/edit-http.html"]
    for path in pages:
        status, headers, body = server.get(path)
        assert status == 200, path
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-type"] == "text/html; charset=utf-8"
        elements = Page(body).elements
        scripts = [attrs.get("src") for tag, attrs in elements if tag == "script"]
        assert scripts in (["assets/site.js", "assets/live.js"], ["../assets/site.js", "../assets/live.js"]), path
        for link in Page(body).links():
            assert not re.match(r"\A(?:[a-z][a-z0-9+.-]*:|//)", link, re.IGNORECASE), (path, link)
        for tag, attrs in elements:
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
    for name, kind in (("site.js", "text/javascript"), ("live.js", "text/javascript"), ("site.css", "text/css")):
        status, headers, body = server.get(f"/assets/{name}")
        assert status == 200 and headers["content-type"].startswith(kind)
        assert "http://" not in body and "https://" not in body  # nothing from another site


def test_hostile_labels_show_literally(server: Server) -> None:
    _, _, raw = server.get("/maps/hostile.html")
    page = Page(raw)
    assert "Plan \"B\" <i>x</i> & @octocat #1" in page.all_text
    assert "[links](https://evil.example) and <b>tags</b>" in page.all_text
    assert "\u202e" not in raw and "\x1b" not in raw
    assert "i" not in {tag for tag, _ in page.elements}
    activity = next(visit.activity.id for visit in _walk(HOSTILE))
    status, _, panel = server.get(f"/live/panel?page=hostile&layout=&node={activity}")
    assert status == 200
    assert "<i>" not in panel and "<script" not in panel.lower()


def _walk(path: Path) -> Iterator[Any]:
    return load_map(str(path)).walk()


def test_saves_and_broken_saves_follow_on_the_page(server: Server, folder: Path) -> None:
    """A save raises the version; a broken save lists its problems (file:line:col) over the last good page,
    marked out of date; the next good save clears them. The server keeps answering throughout."""
    path = folder / "edit-http.yaml"
    good = path.read_text(encoding="utf-8")
    before = server.version("edit-http")
    save(path, good.replace("title: Rooftop solar for homeowners", "title: Solar, saved once"))
    wait_for(lambda: server.version("edit-http") > before)
    _, _, body = server.get("/maps/edit-http.html")
    assert "<h1>Solar, saved once</h1>" in body and "live-problems" not in body

    save(path, spoil(good))
    wait_for(lambda: "live-problems" in server.get("/maps/edit-http.html")[2])
    _, _, body = server.get("/maps/edit-http.html")
    text = Page(body).all_text
    assert re.search(rf"edit-http\.yaml:{BROKEN_LINE}:\d+", text), text[:2000]
    assert "out of date" in text and "<h1>Solar, saved once</h1>" in body  # the last good version, marked
    assert 'class="diagrams stale"' in body and "<svg" in body
    index = server.get("/index.html")[2]  # the index marks the map too, with the newest save's first problem
    card = index[index.index("Solar, saved once"):]
    card = card[: card.index("card-foot")]
    assert "The latest save does not validate" in card and re.search(rf"edit-http\.yaml:{BROKEN_LINE}:\d+", card)

    path.write_text(good[: len(good) // 2], encoding="utf-8")  # half-written, mid-save
    wait_for(lambda: "Solar, saved once" in server.get("/maps/edit-http.html")[2])
    assert server.get("/index.html")[0] == 200

    save(path, good)
    wait_for(lambda: "live-problems" not in server.get("/maps/edit-http.html")[2])
    assert "<h1>Rooftop solar for homeowners</h1>" in server.get("/maps/edit-http.html")[2]
    assert "The latest save does not validate" not in server.get("/index.html")[2]


def test_saving_an_included_file_updates_its_map(server: Server, folder: Path) -> None:
    part = folder / "examples" / "split" / "parts" / "riding.yaml"
    text = part.read_text(encoding="utf-8")
    before = server.version("examples-split-bike-share")
    save(part, text.replace("name: Find a bike with enough charge", "name: Find a charged bike nearby"))
    wait_for(lambda: server.version("examples-split-bike-share") > before)
    assert "Find a charged bike nearby" in server.get("/maps/examples-split-bike-share.html")[2]


def test_the_panel_says_everything_about_an_activity(server: Server, folder: Path) -> None:
    status, _, body = server.get("/live/panel?page=examples-rooftop-solar-segments&layout=cycle&node=a1")
    assert status == 200
    text = Page(body).all_text
    assert re.search(r"rooftop-solar-segments\.yaml:\d+:\d+", text)
    for heading in ("Scores", "Gaps", "Pains", "Our offerings", "Competitors", "Owner", "Tags", "Evidence"):
        assert heading in text
    assert re.search(r"\d+ / \d+", text)  # n of the survey's answers
    assert "First-time" in text or "first-time" in text  # scores per segment
    assert server.get("/live/panel?page=examples-rooftop-solar-segments&layout=cycle&node=a9999")[0] == 404
    assert server.get("/live/panel?page=nothing&layout=cycle&node=a1")[0] == 404


def test_the_segment_switch_recolours_the_diagrams(server: Server) -> None:
    _, _, body = server.get("/maps/examples-rooftop-solar-segments.html")
    switch = [attrs["href"] for tag, attrs in Page(body).elements if tag == "a" and attrs.get("data-view")]
    assert len(switch) == 4 and switch[0] == "examples-rooftop-solar-segments.html"
    _, _, landlords = server.get("/maps/examples-rooftop-solar-segments.html?segment=landlords")
    assert 'data-view="landlords" aria-current="true"' in landlords
    assert landlords != body
    _, _, unknown = server.get("/maps/examples-rooftop-solar-segments.html?segment=%3Cscript%3E")
    assert "<script>" not in unknown and 'data-view="all" aria-current="true"' in unknown


def test_ctrl_c_stops_cleanly_and_other_hosts_get_a_warning(folder: Path) -> None:
    served = Server(folder, str(folder / "hostile.yaml"), "--host", "0.0.0.0")  # noqa: S104 - the warning's case
    try:
        assert served.get("/")[2] == "" and served.get("/")[1]["location"] == "/maps/hostile.html"
        assert served.get("/maps/hostile.html", host="evil.example")[0] == 403
        assert served.get("/maps/hostile.html", host=f"127.0.0.2:{served.port}")[0] == 200
        assert served.get("/maps/hostile.html", host=f"localhost:{served.port}")[0] == 200
        assert served.get("/maps/hostile.html", host=f"localhost.evil.example:{served.port}")[0] == 403
    finally:
        code, err = served.stop()
    assert code == 0
    assert "Warning: listening on 0.0.0.0" in err and "Traceback" not in err


def test_one_map_under_several_spellings_is_served_once(folder: Path) -> None:
    served = Server(folder, "hostile.yaml", "./hostile.yaml", str(folder / "hostile.yaml"), ".//hostile.yaml")
    try:
        assert "Serving 1 map " in served.first_line
        status, _, body = served.get("/index.html")
    finally:
        served.stop()
    assert status == 200
    cards = {link.partition("#")[0] for link in Page(body).links() if link.startswith("maps/")}
    assert cards == {"maps/hostile.html"} and body.count('<li class="card"') == 1


def test_a_terminate_signal_stops_it_cleanly_too(folder: Path) -> None:
    served = Server(folder, str(folder / "hostile.yaml"))
    try:
        assert served.get("/")[0] in (200, 302)
    finally:
        code, err = served.stop(signal.SIGTERM)
    assert code == 0 and "Stopped." in err and "Traceback" not in err


def test_standard_input_and_a_busy_port_are_refused(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "cyclemap", "serve", "-"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2 and "standard input" in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = subprocess.run([sys.executable, "-m", "cyclemap", "serve", str(HOSTILE), "--port",
                               str(taken.getsockname()[1])], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3 and "--port" in done.stderr and "Traceback" not in done.stderr


def test_the_standard_library_s_own_error_pages_carry_the_policy_too(server: Server) -> None:
    """A method the server does not know, or a request line too long, is answered by http.server's send_error:
    405 for any method, 414 for the line, each with the same protective headers and a plain body."""
    status, headers, body = server.get("/index.html", method="TRACE")
    assert status == 405 and headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert headers["x-frame-options"] == "DENY" and "<" not in body
    status, headers, _ = server.get("/" + "a" * 70_000)
    assert status == 414 and headers["content-security-policy"] == HEADERS["Content-Security-Policy"]


def test_a_map_served_through_a_link_follows_the_link_when_it_is_pointed_elsewhere(tmp_path: Path) -> None:
    """The watcher looked only where the link led when the server started: pointing the link at another file,
    or putting a plain file in its place, left the page on the old map until a restart."""
    text = (ROOT / "examples" / "home-solar.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text.replace("title: Rooftop solar for homeowners", "title: Version B"),
                                     encoding="utf-8")
    link = tmp_path / "m.yaml"
    link.symlink_to("a.yaml")
    served = Server(tmp_path, "m.yaml")
    try:
        assert "<h1>Rooftop solar for homeowners</h1>" in served.get("/maps/m.html")[2]
        swap = tmp_path / "m.new"
        swap.symlink_to("b.yaml")
        swap.replace(link)  # `ln -sfn b.yaml m.yaml`
        wait_for(lambda: "<h1>Version B</h1>" in served.get("/maps/m.html")[2])
        link.unlink()
        link.write_text(text.replace("title: Rooftop solar for homeowners", "title: Version C"), encoding="utf-8")
        wait_for(lambda: "<h1>Version C</h1>" in served.get("/maps/m.html")[2])
    finally:
        served.stop()


# -- a folder's maps come and go -------------------------------------------------------------------


def _index_links(server: Server) -> list[str]:
    return [link for link in Page(server.get("/index.html")[2]).links() if link.startswith("maps/")]


def test_maps_saved_renamed_and_deleted_in_the_folder_follow_on_the_index(server: Server, folder: Path) -> None:
    """A map saved into the folder (or a new subfolder) gets a card and a live page; renamed, its old page says
    where it went (410, so a tab left on it stays on a page that explains); deleted, the page says it is gone
    until the file comes back, under the same name."""
    text = SOLAR.read_text(encoding="utf-8").replace("title: Rooftop solar for homeowners", "title: Came later")
    save(folder / "came-later.yaml", text)
    wait_for(lambda: "maps/came-later.html" in _index_links(server))
    status, _, body = server.get("/maps/came-later.html")
    assert status == 200 and "<h1>Came later</h1>" in body
    first = server.version("came-later")

    (folder / "came-later.yaml").rename(folder / "renamed.yaml")
    wait_for(lambda: "maps/renamed.html" in _index_links(server))
    assert "maps/came-later.html" not in _index_links(server)
    status, headers, body = server.get("/maps/came-later.html")
    assert status == 410 and headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert "no longer in the folder" in Page(body).all_text and 'href="../maps/renamed.html"' in body
    assert server.version("came-later") > first  # the open tab's poll sees the change, and keeps working

    (folder / "renamed.yaml").unlink()
    wait_for(lambda: "maps/renamed.html" not in _index_links(server))
    status, _, body = server.get("/maps/renamed.html")
    assert status == 410 and "no longer in the folder" in Page(body).all_text and "It is now" not in body

    (folder / "sub").mkdir()
    save(folder / "sub" / "renamed.yaml", text)  # another file, whose name would clash: its own page
    save(folder / "renamed.yaml", text.replace("Came later", "Came back"))
    wait_for(lambda: "<h1>Came back</h1>" in server.get("/maps/renamed.html")[2])
    assert server.get("/maps/renamed.html")[0] == 200
    wait_for(lambda: "maps/sub-renamed.html" in _index_links(server))

    part = folder / "sub" / "written-in-place.yaml"
    part.write_text("title: not a map yet\n", encoding="utf-8")
    time.sleep(2 * POLL_SECONDS)
    part.write_text(text.replace("Came later", "Written in place"), encoding="utf-8")  # no rename: no folder change
    wait_for(lambda: "maps/sub-written-in-place.html" in _index_links(server))
    shutil.rmtree(folder / "sub")
    (folder / "renamed.yaml").unlink()
    wait_for(lambda: not {"maps/renamed.html", "maps/sub-renamed.html"} & set(_index_links(server)))


def test_the_folder_scan_looks_at_a_bounded_number_of_entries_per_poll(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With many folders, each poll stats at most its budget of them, and a change anywhere is still found within
    one round; a known map that loses its 'cyclemap:' line mid-save stays; hidden folders stay out."""
    for number in range(60):
        (tmp_path / f"d{number:02}").mkdir()
        (tmp_path / f"d{number:02}" / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("cyclemap: 1\n", encoding="utf-8")
    scan = FolderScan(str(tmp_path))
    assert scan.maps() == [str(tmp_path / "m.yaml")] and scan.looked_at() == 61
    looks: list[str] = []
    real = mapfolder._stamp
    monkeypatch.setattr(mapfolder, "_stamp", lambda path: looks.append(path) or real(path))
    monkeypatch.setattr(mapfolder, "_RECENT_NS", 0)  # what was just written counts as settled
    scan.refresh(budget=10)
    assert len(looks) == 10
    (tmp_path / "d59" / "late.yaml").write_text("cyclemap: 1\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.yaml").write_text("cyclemap: 1\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("", encoding="utf-8")  # half-written
    found = [scan.refresh(budget=10) for _ in range(7)]  # 61 entries, 10 a poll: one round
    assert any(found)
    assert scan.maps() == [str(tmp_path / "d59" / "late.yaml"), str(tmp_path / "m.yaml")]
    assert scan.maps() == sorted([*folder_maps(str(tmp_path)), str(tmp_path / "m.yaml")])
    assert not any(scan.refresh(budget=10) for _ in range(7))


# -- pages built once per version ------------------------------------------------------------------


def test_twenty_tabs_asking_at_once_wait_for_one_build_per_version(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The index, the ranking and a map's page are built once per version however many requests ask, at once or
    one after another, and built again after a save; pages built while the map changes stay consistent."""
    shutil.copy(SOLAR, tmp_path / "a.yaml")
    shutil.copy(ROOT / "examples" / "rooftop-solar-segments.yaml", tmp_path / "b.yaml")
    shutil.copytree(ROOT / "examples" / "surveys", tmp_path / "surveys")
    builds: Counter[str] = Counter()
    for name in ("index_page", "gaps_page", "map_page"):
        monkeypatch.setattr(live_module, name, _counting(builds, name, getattr(live_module, name)))
    site = LiveSite([str(tmp_path)], SiteOptions())
    site.refresh()  # the first build found b.yaml's survey: it is read once more, to watch it from then on
    server = LiveServer(("127.0.0.1", 0), site, home="/index.html")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    paths = ["/index.html", "/gaps.html", "/maps/a.html", "/maps/b.html?segment=landlords"]

    def ask(path: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    try:
        for _ in range(2):
            with ThreadPoolExecutor(20) as pool:
                assert set(pool.map(ask, paths * 20)) == {200}
        assert builds == {"index_page": 1, "gaps_page": 1, "map_page": 2}
        save(tmp_path / "a.yaml", SOLAR.read_text(encoding="utf-8").replace("importance: 9", "importance: 8", 1))
        assert site.refresh()
        with ThreadPoolExecutor(20) as pool:
            assert set(pool.map(ask, paths * 20)) == {200}
        assert builds == {"index_page": 2, "gaps_page": 2, "map_page": 3}  # b.yaml did not change
    finally:
        server.shutdown()
        server.server_close()


def _counting(builds: Counter[str], name: str, build: Callable[..., str]) -> Callable[..., str]:
    def counted(*args: Any, **kwargs: Any) -> str:
        builds[name] += 1
        time.sleep(0.05)  # slow enough that the requests overlap
        return build(*args, **kwargs)
    return counted


# -- --open -----------------------------------------------------------------------------------------


def test_open_shows_the_page_in_the_browser_once_the_server_answers(tmp_path: Path, cli: Callable[..., Any],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """--open hands the address to the web browser, which must find the server answering even when it waits
    (a browser in the terminal returns only once closed): before, it was opened before the server answered."""
    shutil.copy(SOLAR, tmp_path / "m.yaml")
    seen: list[tuple[str, int, str]] = []

    def browser(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own http:// address
                seen.append((url, response.status, response.read().decode()))
        finally:
            _thread.interrupt_main()  # then Ctrl-C
        return True

    monkeypatch.setattr(webbrowser, "open", browser)
    result = cli("serve", str(tmp_path / "m.yaml"), "--port", "0", "--open")
    assert result.code == 0, result.err
    assert len(seen) == 1
    url, status, body = seen[0]
    assert url in result.out and status == 200 and "<h1>Rooftop solar for homeowners</h1>" in body


# -- outside review (issue 13) ----------------------------------------------------------------------


def test_a_client_that_hangs_up_mid_answer_leaves_no_traceback(folder: Path) -> None:
    """A browser tab closed while a page is sent (a reset, not a clean close) printed a traceback from the
    request thread (ConnectionResetError, BrokenPipeError): the terminal stays quiet instead."""
    served = Server(folder, str(folder / "examples" / "rooftop-solar-segments.yaml"))
    try:
        for _ in range(5):
            with socket.create_connection((served.host, served.port), timeout=30) as connection:
                connection.sendall(f"GET /maps/rooftop-solar-segments.html HTTP/1.1\r\n"
                                   f"Host: {served.host}:{served.port}\r\n\r\n".encode())
                connection.recv(100)
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert served.get("/maps/rooftop-solar-segments.html")[0] == 200
    finally:
        code, err = served.stop()
    assert code == 0
    assert "Traceback" not in err and "Exception occurred" not in err and "Error" not in err, err


def test_a_map_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    """`serve nonexist.yaml` started serving a page of problems; like every other command it exits 2 before
    listening. A FIFO is no map file either (reading it would hang)."""
    os.mkfifo(tmp_path / "fifo.yaml")
    for name in ("nonexist.yaml", "fifo.yaml"):
        done = subprocess.run([sys.executable, "-m", "cyclemap", "serve", name, "--port", "0"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2, (name, done.stdout, done.stderr)
        assert name in done.stderr and "Serving" not in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize(("host", "printed", "answered", "refused"), [
    ("localhost", "localhost", ["localhost", "127.0.0.1", "LocalHost"], ["[::1]", "evil.example"]),
    ("::1", "[::1]", ["[::1]", "localhost"], ["127.0.0.1", "evil.example", "[::2]"]),
    ("::", "[::1]", ["[::1]", "localhost", "127.0.0.1"], ["evil.example", "localhost.evil.example"]),
])
def test_the_address_printed_is_the_one_asked_for_and_is_answered(folder: Path, host: str, printed: str,
                                                                  answered: list[str], refused: list[str]) -> None:
    """`--host localhost` printed 127.0.0.1 and then refused Host: 127.0.0.1; `--host ::1` and `--host ::` could
    not listen at all (an IPv4 socket). Each prints the address asked for and answers its loopback names."""
    served = Server(folder, str(folder / "hostile.yaml"), "--host", host)
    try:
        assert f"http://{printed}:{served.port}/" in served.first_line
        for name in answered:
            assert served.get("/maps/hostile.html", host=f"{name}:{served.port}")[0] == 200, name
        for name in refused:
            assert served.get("/maps/hostile.html", host=f"{name}:{served.port}")[0] == 403, name
    finally:
        code, err = served.stop()
    assert code == 0 and "Traceback" not in err


def test_an_address_it_cannot_listen_on_is_named_without_blaming_the_port(tmp_path: Path) -> None:
    """The message blamed the port whatever went wrong, and showed ``::1`` as ``:\\x3a1``."""
    done = subprocess.run([sys.executable, "-m", "cyclemap", "serve", str(HOSTILE), "--host", "::2", "--port", "0"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "\\x3a" not in done.stderr and "another server" not in done.stderr and "--host" in done.stderr
    assert "[0:0:0:0:0:0:0:2]" in done.stderr


def _settled(site: LiveSite) -> LiveSite:
    """`site` once its watcher has nothing more to read (a first build that found new files reads them again)."""
    for _ in range(5):
        if not site.refresh():
            return site
    pytest.fail("the maps keep changing")


def _problems(site: LiveSite) -> str:
    snapshot = site.maps[0].snapshot
    return " ".join(problem.message for problem in snapshot.problems or snapshot.shown.problems)


def test_an_include_that_appears_later_in_a_subfolder_is_noticed(tmp_path: Path) -> None:
    """A missing include in a subfolder (``parts/new-part.yaml``) was never watched, only the map's folder: creating
    it, or moving an included file away and back, left the problem until the map itself was saved again."""
    shutil.copytree(ROOT / "examples" / "split", tmp_path / "split")
    path = tmp_path / "split" / "bike-share.yaml"
    text = path.read_text(encoding="utf-8")
    save(path, text.replace("      - include: parts/riding.yaml\n",
                            "      - include: parts/riding.yaml\n      - include: parts/new-part.yaml\n"))
    site = _settled(LiveSite([str(path)], SiteOptions()))
    assert "no such file" in _problems(site)
    save(tmp_path / "split" / "parts" / "new-part.yaml", "- name: Lock the bike at a dock\n  importance: 5\n")
    assert site.refresh()
    _settled(site)
    assert site.maps[0].shown.valid and _problems(site) == ""
    assert "Lock the bike at a dock" in site.page_html("bike-share")[0]  # type: ignore[index]

    riding = tmp_path / "split" / "parts" / "riding.yaml"
    riding.rename(tmp_path / "riding.yaml")
    _settled(site)
    assert "no such file" in _problems(site)
    (tmp_path / "riding.yaml").rename(riding)
    assert site.refresh()
    _settled(site)
    assert _problems(site) == ""


def test_a_slow_map_does_not_hold_up_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One watcher thread built every map in turn: a map of thousands of activities, rebuilding, kept every other
    map's saves waiting (for minutes with 20,000). Now each build runs in a builder thread of its own."""
    shutil.copy(SOLAR, tmp_path / "big.yaml")
    shutil.copy(SOLAR, tmp_path / "small.yaml")
    site = _settled(LiveSite([str(tmp_path)], SiteOptions()))
    release, started = threading.Event(), threading.Event()
    real = live_module.collect_map

    def collect(source: str, **options: Any) -> Any:
        if source.endswith("big.yaml"):
            started.set()
            release.wait(60)  # a build that takes as long as the test wants
        return real(source, **options)

    monkeypatch.setattr(live_module, "collect_map", collect)
    text = SOLAR.read_text(encoding="utf-8")
    site.start()
    try:
        save(tmp_path / "big.yaml", text.replace("title: Rooftop solar for homeowners", "title: Big, saved"))
        assert started.wait(10)
        before = site.version("small")
        assert before is not None
        save(tmp_path / "small.yaml", text.replace("title: Rooftop solar for homeowners", "title: Small, saved"))
        wait_for(lambda: site.version("small") > before)  # type: ignore[operator]
        assert "<h1>Small, saved</h1>" in site.page_html("small")[0]  # type: ignore[index]
        assert "<h1>Big, saved</h1>" not in site.page_html("big")[0]  # type: ignore[index]
        save(tmp_path / "big.yaml", text.replace("title: Rooftop solar for homeowners", "title: Big, saved again"))
        release.set()  # the build under way ends, and the save made meanwhile is built after it
        wait_for(lambda: "<h1>Big, saved again</h1>" in site.page_html("big")[0])  # type: ignore[index]
    finally:
        release.set()
        site.stop()


def test_a_map_too_big_to_draw_live_shows_a_problem_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A map over the render bound made a page of tens of megabytes on every save; it shows a problem now."""
    monkeypatch.setattr(live_module, "MAX_LIVE_ACTIVITIES", 10)
    shutil.copy(SOLAR, tmp_path / "m.yaml")
    site = _settled(LiveSite([str(tmp_path / "m.yaml")], SiteOptions()))
    assert "too big to draw live" in _problems(site) and "cyclemap render" in _problems(site)
    page = site.page_html("m")[0]  # type: ignore[index]
    assert "too big to draw live" in page and "<svg" not in page


def _gap_anchors(page: str) -> list[str]:
    """The activities of a page's main gap table (``<section id="gaps">``), in rank order."""
    section = page.partition('<section id="gaps">')[2].partition("</section>")[0]
    return re.findall(r'<td class="activity"><a href="#a-([^"]+)"', section)


def test_the_segment_switch_shows_that_segment_s_gaps(server: Server) -> None:
    """The switch recoloured only the diagrams: the heading still said "Gaps for: all respondents" and the table
    listed the pooled gaps. With a segment picked, both are that segment's, ranked as `cyclemap gaps --segment`."""
    source = ROOT / "examples" / "rooftop-solar-segments.yaml"
    for segment in ("upgraders", "all"):
        done = subprocess.run([sys.executable, "-m", "cyclemap", "gaps", str(source), "--segment", segment, "-f",
                               "json"], capture_output=True, text=True, timeout=60, check=False)
        ranked = [gap["id"] for gap in json.loads(done.stdout)["gaps"]]
        query = "" if segment == "all" else f"?segment={segment}"
        _, _, page = server.get(f"/maps/examples-rooftop-solar-segments.html{query}")
        assert _gap_anchors(page) == ranked, segment
        header = Page(page.partition("<section id=\"diagrams\"")[0]).all_text
        assert ("all respondents" in header) == (segment == "all"), header
        assert ("(upgraders)" in header) == (segment == "upgraders"), header
