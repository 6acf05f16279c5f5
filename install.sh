#!/usr/bin/env bash
# Set up cyclemap on Debian/Ubuntu and run it.
#
#   bash install.sh demo   # install, then validate, analyse and draw an example map into out/
#   bash install.sh test   # install with the test tools, then run the whole test suite
#   bash install.sh lock   # refresh the locked versions in requirements/ (maintainers)
#
# Installs what is missing from Debian's packages (Python venv, Graphviz, fonts,
# poppler-utils, git), then cyclemap and the exact versions locked in requirements/
# into .venv/ in this folder.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-demo}"

case "$mode" in demo|test|lock) ;; *) echo "usage: bash install.sh [demo|test|lock]" >&2; exit 2 ;; esac

if [ "$mode" = lock ]; then
    # Refresh the locks in requirements/ from pyproject.toml's ranges (newest releases that fit),
    # with pip-tools in a throw-away environment. Review the diff, run the tests, commit.
    tools=$(mktemp -d)
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "pip-tools>=7.4"
    compile=("$tools/bin/pip-compile" --quiet --strip-extras --allow-unsafe --generate-hashes
             --no-emit-index-url --no-emit-find-links --upgrade)
    export CUSTOM_COMPILE_COMMAND="bash install.sh lock"
    "${compile[@]}" -o requirements/run.txt pyproject.toml requirements/build.in
    "${compile[@]}" --extra test -o requirements/test.txt pyproject.toml requirements/build.in
    rm -rf "$tools"
    echo "Locks refreshed: requirements/run.txt, requirements/test.txt. Run 'bash install.sh test' before committing."
    exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v git >/dev/null 2>&1 || need+=(git)   # cyclemap diff / render --highlight-changes-since
# Read the font list once: `fc-list | grep -q` would fail under pipefail when grep stops early.
fonts=$(fc-list 2>/dev/null || true)
grep -q "DejaVu Sans" <<<"$fonts" || need+=(fonts-dejavu-core)
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi "Noto Color Emoji" <<<"$fonts" || need+=(fonts-noto-color-emoji)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The browser tests of `cyclemap serve` drive Debian's chromium (Playwright is pointed at it: no browser download).
if [ "$mode" = test ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if command -v python3 >/dev/null 2>&1 && ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing from Debian's packages: ${need[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "cyclemap needs Python 3.11 or newer; found $(python3 --version)" >&2; exit 3; }
[ -x .venv/bin/python ] || python3 -m venv .venv
# Every package at the exact version and hash of the lock, then cyclemap itself on top, so that a
# new release of a dependency never changes what a fresh clone installs.
lock=requirements/run.txt
[ "$mode" = test ] && lock=requirements/test.txt
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --require-hashes --no-deps -r "$lock"
"${pip[@]}" --no-deps --no-build-isolation -e .

case "$mode" in
demo)
    mkdir -p out
    .venv/bin/cyclemap validate examples/home-solar.yaml
    .venv/bin/cyclemap gaps examples/home-solar.yaml --top 10
    .venv/bin/cyclemap render examples/home-solar.yaml -o out/home-solar.svg
    .venv/bin/cyclemap render examples/home-solar.yaml -o out/home-solar.pdf
    .venv/bin/cyclemap workshop examples/home-solar.yaml -o out/home-solar-workshop.pdf
    echo "Done. Open out/home-solar.svg, out/home-solar.pdf or the workshop pack"
    echo "out/home-solar-workshop.pdf; run .venv/bin/cyclemap --help for more."
    ;;
test)
    # Mermaid's own parser (node), pinned by tests/mermaid/package-lock.json, checks the Mermaid output.
    if command -v npm >/dev/null 2>&1; then
        (cd tests/mermaid && npm ci --no-audit --no-fund --loglevel=error)
    fi
    .venv/bin/python -m pytest -q
    ;;
esac
