#!/usr/bin/env bash
# The Debian packages Canlian needs, installed when missing (as root), or one command to run.
#   gettext                 compiles the translations
#   nodejs npm              build the front-end assets
#   chromium fonts-noto-cjk the browser tests (Playwright drives Debian's Chromium, never its own)
#   fonts-hanazono          PDFs: the rest of CJK Extension B (rare characters in names)
#   libharfbuzz-subset0     PDFs: fast font subsetting (docs/decisions/0005-pdf-printing.md)
#   postgresql-client       pg_isready for the PostgreSQL pass of .ci/run
set -euo pipefail
need=()
for pkg in gettext postgresql-client chromium fonts-noto-cjk fonts-hanazono libharfbuzz-subset0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null || need+=(nodejs npm)
((${#need[@]})) || exit 0
if [[ $(id -u) -eq 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
else
  echo "缺少 Debian 软件包。请先运行 / Missing Debian packages. Run first:" >&2
  echo "  sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
