"""`python -m cyclemap` runs the command line."""

from cyclemap.cli import main

main()
