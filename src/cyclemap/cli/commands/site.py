"""`cyclemap site`: a static web site of maps (index, a page per map, every gap ranked)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cyclemap.cli.options import check_output, threshold_option, timeout_option
from cyclemap.exit_codes import EXIT_FOUND
from cyclemap.problems import InputError
from cyclemap.safe_text import subject


def site(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    maps: Annotated[
        list[str],
        typer.Argument(help="Map files, or folders of maps (every .yaml/.yml file with a 'cyclemap:' line, "
                       "subfolders too).", show_default=False),
    ],
    output: Annotated[
        str,
        typer.Option("--output", "-o", callback=check_output, show_default=False,
                     help="The folder to write the site into (made if missing); it may not hold any of the maps."),
    ],
    threshold: Annotated[
        float | None,
        threshold_option(),
    ] = None,
    timeout: Annotated[
        float, timeout_option("Seconds each diagram's layout, then Graphviz, may take (1 to 86,400).")
    ] = 30.0,
    title: Annotated[str, typer.Option("--title", help="The heading of the index page.")] = "Customer activity cycles",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not say what was written.")] = False,
) -> None:
    """Publish maps as a static web site: an index, a page per map and one ranking of every gap.

    The pages use relative links only, so the folder works from disk
    (file://) and from any path of a web server (GitHub Pages, an intranet).
    Rebuilding unchanged maps gives the same bytes. A map that does not
    validate gets a page listing its problems; the build goes on and exits
    with 1 at the end.

    [bold]Examples[/bold]

      cyclemap site maps/ -o public/

      cyclemap site solar.yaml wellbeing.yaml -o public/ --title "Customers"
    """
    from cyclemap.mapfolder import expand_maps
    from cyclemap.report.progress import with_progress
    from cyclemap.site.collect import collect_map
    from cyclemap.site.pages import SiteOptions, build_site

    if "-" in maps:
        raise typer.BadParameter("a site is built from map files, not standard input", param_hint="'MAPS...'")
    names = expand_maps(maps, named_must_exist=True)
    _refuse_output_over_maps(output, names)
    collected = [collect_map(name, threshold=threshold, timeout=timeout)
                 for name in with_progress(names, "Reading and drawing")]
    built = build_site(collected, SiteOptions(threshold=threshold, title=title))
    written = write_site(output, built, names)
    invalid = [entry for entry in collected if not entry.valid]
    if invalid:
        from cyclemap.report.problems import Checked, report_text

        report_text([Checked(entry.source, list(entry.problems), {}) for entry in invalid], to_stderr=True)
    if not quiet:
        from cyclemap.report.terminal import visible

        counts = f"{len(collected)} map{'s' * (len(collected) != 1)}{f', {len(invalid)} invalid' if invalid else ''}"
        if written:
            print(f"Wrote {visible(str(Path(output) / 'index.html'))}: {counts}; {written} of {len(built)} files "
                  "changed", file=sys.stderr)
        else:
            print(f"The site in {visible(output)} is up to date: {counts}; none of its {len(built)} files changed",
                  file=sys.stderr)
    if invalid:
        raise typer.Exit(EXIT_FOUND)


def _refuse_output_over_maps(output: str, names: list[str]) -> None:
    """A usage error when the output folder is, or holds, one of the maps: the site needs a folder of its own."""
    top = os.path.realpath(output)
    if Path(output).exists() and not Path(output).is_dir():
        raise InputError(f"{subject(output)}: not a folder; -o names the folder the site is written into")
    for name in names:
        real = os.path.realpath(name)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            raise InputError(f"{subject(output)}: the output folder holds the map {name}; write the site into a "
                             "folder of its own (for example -o public/)")


def write_site(output: str, built: dict[str, bytes], inputs: list[str]) -> int:
    """Write every file of the site under `output`, each atomically; files already the same are left alone.

    Every target is checked against the inputs first (no file a map reads is
    ever replaced), so a refusal writes nothing. Returns how many files changed.
    """
    from cyclemap.output import refuse_inputs, write_atomic

    root = Path(output)
    targets = {rel: root.joinpath(*rel.split("/")) for rel in built}
    for target in targets.values():
        refuse_inputs(str(target), inputs)
    _make_folder(root)  # first, so that an error names the folder given rather than one inside it
    changed = 0
    for rel, data in built.items():
        target = targets[rel]
        _make_folder(target.parent)
        if _holds(target, data):
            continue
        write_atomic(target, data)
        changed += 1
    return changed


def _make_folder(folder: Path) -> None:
    """Make `folder` and those above it that are missing; EnvironmentProblem naming the one that could not be made."""
    from cyclemap.problems import EnvironmentProblem

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:
        raise EnvironmentProblem(f"cannot create the folder {err.filename or folder}: a file of that name is "
                                 "in the way") from None
    except OSError as err:
        raise EnvironmentProblem(f"cannot create the folder {err.filename or folder}: {err.strerror}") from None


def _holds(target: Path, data: bytes) -> bool:
    """Whether `target` is a regular file (not a link) holding `data` already; False when it cannot be read."""
    try:
        return target.is_file() and not target.is_symlink() and target.read_bytes() == data
    except OSError:
        return False
