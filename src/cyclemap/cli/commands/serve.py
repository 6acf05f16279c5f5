"""`cyclemap serve`: a live preview of maps in the browser, following every save."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from cyclemap.cli.options import threshold_option, timeout_option
from cyclemap.problems import EnvironmentProblem

DEFAULT_PORT = 8765


def serve(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    maps: Annotated[
        list[str],
        typer.Argument(help="Map files, or a folder of maps (every .yaml/.yml file with a 'cyclemap:' line, "
                       "subfolders too).", show_default=False),
    ],
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535,
                                      help="The port to listen on (0: any free port).")] = DEFAULT_PORT,
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on. Anything but 127.0.0.1 lets other machines "
                          "see the maps (a warning is printed).")
    ] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the web browser.")] = False,
    threshold: Annotated[
        float | None,
        threshold_option(),
    ] = None,
    timeout: Annotated[
        float, timeout_option("Seconds each diagram's layout, then Graphviz, may take (1 to 86,400).")
    ] = 30.0,
) -> None:
    """Show maps in the web browser and follow every save: a live preview while you edit.

    Saving the map, a file it includes or its survey updates the open pages
    within a second, keeping zoom, pan and the chosen diagram. A save that
    does not validate shows its problems (file:line:col) over the last good
    diagram. Click an activity for everything the map says about it. Ctrl-C
    stops the server.

    Listens on 127.0.0.1 only (this machine) unless --host says otherwise,
    and answers only requests addressed to it.

    [bold]Examples[/bold]

      cyclemap serve examples/home-solar.yaml --open

      cyclemap serve maps/ --port 8000
    """
    from pathlib import Path

    from cyclemap.mapfolder import expand_maps
    from cyclemap.serve.live import LiveSite
    from cyclemap.serve.server import LiveServer
    from cyclemap.site.pages import SiteOptions

    if "-" in maps:
        raise typer.BadParameter("serve follows map files, not standard input", param_hint="'MAPS...'")
    names = expand_maps(maps)  # a folder with no map is refused, as `site` and `gaps` do
    for name in maps:
        require_map_path(name)
    site = LiveSite(maps, SiteOptions(threshold=threshold, title="Customer activity cycles"), timeout=timeout)
    folder = len(names) > 1 or any(Path(name).is_dir() for name in maps)
    home = "/index.html" if folder else f"/maps/{site.maps[0].page}.html"
    try:
        server = LiveServer((host, port), site, home=home)
    except OSError as err:
        raise EnvironmentProblem(listen_failure(host, port, err)) from None
    if not loopback(host):
        print(f"Warning: listening on {host}: other machines that can reach this one can see the maps.",
              file=sys.stderr)
    print(f"Serving {len(names)} map{'s' * (len(names) != 1)} at {server.url} (Ctrl-C to stop)", flush=True)
    site.start()
    if open_browser:
        threading.Thread(target=open_page, args=(server.url,), name="cyclemap-open", daemon=True).start()
    _stop_on_terminate()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
    finally:
        site.stop()
        server.server_close()


def listen_failure(host: str, port: int, err: OSError) -> str:
    """Why the server could not listen, blaming the port only when another server holds it.

    An IPv6 address is shown without ``::`` (``0:0:0:0:0:0:0:1`` for ``::1``):
    every message goes through `visible`, which escapes each ``::`` so that no
    text can print a CI workflow command, and would show ``:\\x3a1``.
    """
    import errno
    import ipaddress

    try:
        shown = ":".join(f"{int(group, 16):x}" for group in ipaddress.IPv6Address(host).exploded.split(":"))
        where = f"[{shown}]:{port}"
    except ValueError:
        where = f"{host}:{port}"
    reason = err.strerror or str(err)
    if err.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: {reason}; is another server using that port? Try --port"
    return f"cannot listen on {where}: {reason}; check --host (an address or name of this machine)"


def loopback(host: str) -> bool:
    """Whether `host` is this machine only (``localhost``, 127.0.0.0/8, ``::1``): no warning then."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_map_path(name: str) -> None:
    """Refuse (usage error, exit 2, before listening) a map path that is not a file or a folder: a misspelt name
    would otherwise be served as a page of problems, as if the map existed. A map that exists but does not
    validate is served (its page shows the problems)."""
    import stat
    from pathlib import Path

    from cyclemap.problems import InputError
    from cyclemap.safe_text import subject

    try:
        mode = Path(name).stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{subject(name)}: no such file") from None
    except OSError as err:
        raise InputError(f"{subject(name)}: cannot open: {err.strerror}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(f"{subject(name)}: not a regular file or a folder")


def _stop_on_terminate() -> None:
    """Stop on SIGTERM (`kill`, a service manager, `docker stop`) as on Ctrl-C: cleanly, with exit 0."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def open_page(url: str) -> None:
    """Open `url` in the web browser, beside the server rather than before it: a browser that runs in the
    terminal (lynx, w3m, when there is no display) returns only when it is closed, and must find the server
    answering meanwhile."""
    import webbrowser

    if not webbrowser.open(url):
        print(f"Could not open a web browser: open {url} yourself.", file=sys.stderr, flush=True)
