"""The exit codes every command uses, one place for the CLI, the docs and the tests.

Scripts can tell "the check found something" (1) from "the input is invalid" (4),
the way git, ruff and grep separate them; 2 and 3 say the command could not run at all.
"""

EXIT_OK = 0
"""Success: the command did its job and found nothing to report as failing."""
EXIT_FOUND = 1
"""The check found something: gaps remain (`gaps --fail-on-gaps`), the maps differ (`diff --exit-code`)."""
EXIT_INVALID = 4
"""The input is invalid: a map, an included file or a survey has problems (reported as file:line:col)."""
EXIT_USAGE = 2
"""Usage error: unknown option, bad value, an input file that is missing or not a file, a map too large
for a workshop pack."""
EXIT_ENVIRONMENT = 3
"""Environment error: Graphviz or git missing, Graphviz failed or ran out of time (`--timeout`),
output not writable, device full."""
EXIT_INTERNAL = 70
"""A bug in cyclemap (EX_SOFTWARE); `--debug` shows the traceback."""
