#!/usr/bin/env bash
# Set up cyclemap on Debian/Ubuntu and run it.
#
#   bash install.sh demo   # install, then validate, analyse and draw an example map into out/
#   bash install.sh test   # install with the test tools, then run the whole test suite
#
# Installs what is missing from Debian's packages (Python venv, Graphviz, fonts,
# poppler-utils, git), then cyclemap itself into .venv/ in this folder.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-demo}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v git >/dev/null 2>&1 || need+=(git)   # cyclemap diff / render --highlight-changes-since
fc-list 2>/dev/null | grep -q "DejaVu Sans" || need+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || need+=(fonts-noto-color-emoji)
command -v python3 >/dev/null 2>&1 || need+=(python3)
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
extras=""
[ "$mode" = test ] && extras="[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"

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
*)
    echo "usage: bash install.sh [demo|test]" >&2; exit 2 ;;
esac
