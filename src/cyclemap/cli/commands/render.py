"""`cyclemap render`: draw maps as diagrams."""

from __future__ import annotations

from typing import Annotated

import typer

from cyclemap.cli.options import (
    Engine,
    Layout,
    RenderFormat,
    check_output,
    choice_of,
    stdin_once,
    threshold_option,
    timeout_option,
    whole_number,
)


def render(  # noqa: PLR0913, PLR0917 - typer maps one parameter to each documented option
    maps: Annotated[
        list[str],
        typer.Argument(help="Map files to draw ('-' reads standard input).", callback=stdin_once,
                       show_default=False),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", show_default=False, callback=check_output,
                     help="Output file ('-' for standard output), or a folder for several maps. "
                     "Default: next to each map, with the format's suffix."),
    ] = None,
    output_format: Annotated[
        RenderFormat | None,
        typer.Option("--format", "-f", parser=choice_of(RenderFormat), show_default=False,
                     help="svg, png, pdf, dot or mermaid (a flowchart of the phases, for cycle and flow alike). "
                     "Default: from the -o suffix, else svg."),
    ] = None,
    layout: Annotated[
        Layout,
        typer.Option("--layout", "-l", parser=choice_of(Layout),
                     help="cycle: the outcome at the centre, phases around it; "
                     "flow: one swimlane per phase, best for large maps and long paper; "
                     "landscape: importance against satisfaction, the gap regions shaded. "
                     "Graphviz formats only: -f mermaid draws Mermaid's own flowchart either way "
                     "(it has no landscape)."),
    ] = Layout.cycle,
    depth: Annotated[
        int | None,
        typer.Option("--depth", "-d", min=0, parser=whole_number, show_default=False,
                     help="Collapse subcycles deeper than N levels (0: top-level activities only)."),
    ] = None,
    threshold: Annotated[
        float | None,
        threshold_option(),
    ] = None,
    timeout: Annotated[
        float, timeout_option("Seconds the layout, then Graphviz, may each take before being stopped (1 to 86,400).")
    ] = 30.0,
    engine: Annotated[
        Engine | None,
        typer.Option("--engine", parser=choice_of(Engine), show_default=False,
                     help="The Graphviz program that draws cyclemap's layout: neato, the only choice, draws "
                     "the computed positions as they are (Graphviz's own layouts broke the cycle's order "
                     "and cards, and are no longer offered)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not say which files were written.")] = False,
    update: Annotated[
        bool,
        typer.Option("--update", "-u",
                     help="Refresh only the diagrams each map already has (MAP.svg, .png, .pdf, .dot, .gv, .mmd "
                     "next to it, or in the -o folder), each in its own format, rewriting just those that "
                     "changed. Give the --layout and --depth they were drawn with. For pre-commit hooks."),
    ] = False,
    highlight_since: Annotated[
        str | None,
        typer.Option("--highlight-changes-since", metavar="REV", show_default=False,
                     help="Outline the activities added or changed since this git revision (e.g. main or "
                     "HEAD~1) in magenta, with a NEW or CHANGED badge: each map is compared with its own "
                     "version at REV, as `cyclemap diff --rev REV` does."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="REV", show_default=False,
                     help="With --layout landscape: an arrow from where each activity was at this git revision "
                     "(moves of 0.5 or more) and NEW on those added since. Otherwise the same as "
                     "--highlight-changes-since."),
    ] = None,
    segment: Annotated[
        str, typer.Option("--segment", "-s", metavar="ID",
                          help="Colour by this customer segment's gaps (as `gaps --segment`); the key names it. "
                          "With --layout landscape, 'each' draws one plot per segment, and one for all.")
    ] = "all",
) -> None:
    """Draw maps as diagrams: SVG, PNG, PDF, DOT or Mermaid.

    Colours show the gaps that `cyclemap gaps` finds; dashed borders mark
    activities where the customer is left alone. --layout landscape plots
    importance against satisfaction, with the underserved, extreme and
    overserved regions shaded.

    [bold]Examples[/bold]

      cyclemap render map.yaml                    [dim]# map.svg next to the map[/dim]

      cyclemap render map.yaml -o poster.pdf      [dim]# format from the suffix[/dim]

      cyclemap render map.yaml --layout flow -f png

      cyclemap render maps/*.yaml -o diagrams/ -f svg

      cyclemap render map.yaml -f mermaid -o -    [dim]# paste into a README[/dim]

      cyclemap render --update maps/*.yaml        [dim]# refresh the diagrams they have[/dim]

      cyclemap render map.yaml --highlight-changes-since main -f png  [dim]# to review[/dim]

      cyclemap render map.yaml --segment upgraders -o upgraders.svg

      cyclemap render map.yaml -l landscape --segment each --since v1.0 -f png

    With --update, PDFs count as unchanged when only their embedded date
    differs; SVG, PNG and PDF bytes also depend on the Graphviz version and
    fonts installed.
    """
    from cyclemap.cli.render_jobs import render_all, render_targets, update_targets
    from cyclemap.render import RenderOptions

    if since is not None and highlight_since not in (None, since):
        raise typer.BadParameter("give one revision: --since and --highlight-changes-since name the same thing",
                                 param_hint="'--since'")
    highlight_since = highlight_since or since
    if highlight_since is not None and "-" in maps:
        raise typer.BadParameter("a map read from standard input has no history; name the map file",
                                 param_hint="'--highlight-changes-since'")
    fmt = output_format.value if output_format else None
    jobs = update_targets(maps, output, fmt, quiet) if update else render_targets(maps, output, fmt)
    _check_landscape(layout, {job_format for _, _, job_format in jobs}, segment)
    base = RenderOptions(layout=layout.value, depth=depth, threshold=threshold, timeout=timeout,
                         engine=engine.value if engine else None, view=segment)
    code = render_all(jobs, base, maps, quiet, only_changed=update, since=highlight_since)
    if code:
        raise typer.Exit(code)


def _check_landscape(layout: Layout, formats: set[str], segment: str) -> None:
    """Usage errors for what only the landscape draws (--segment each), or what it cannot (Mermaid)."""
    from cyclemap.render.landscape import EACH

    if segment == EACH and layout is not Layout.landscape:
        raise typer.BadParameter("'each' draws one plot per segment: add --layout landscape, or name one segment",
                                 param_hint="'--segment'")
    if layout is Layout.landscape and "mermaid" in formats:
        raise typer.BadParameter("the landscape is drawn by Graphviz: choose svg, png, pdf or dot",
                                 param_hint="'--format'")
