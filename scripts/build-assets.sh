#!/usr/bin/env bash
# Build Canlian's front-end assets from GOV.UK Frontend (npm) and our Sass.
#
# Usage (from the repository root):
#   bash scripts/build-assets.sh [--with-axe]
#
# Outputs (git-ignored, see canlian/static/.gitignore):
#   canlian/static/build/canlian.css            compiled, compressed, no map
#   canlian/static/build/govuk-frontend.min.js  ES module (load as type="module")
#   canlian/static/build/echarts.common.min.js  Apache ECharts, common build (UMD; charts.js
#                                               imports it, which sets globalThis.echarts)
#   canlian/static/build/axe.min.js             only with --with-axe (for tests)
#   canlian/static/govuk/assets/                GOV.UK assets we may use
#
# Copied from govuk-frontend/dist/govuk/assets/: nothing but manifest.json
# is left after filtering out UK government marks, and that file names the
# GOV.UK crest icons, so it is skipped too. Not copied, on purpose:
#   fonts/*            GDS Transport (licensed for GOV.UK only)
#   images/*           favicon.*, govuk-crest.svg, govuk-icon-*.png,
#                      govuk-icon-mask.svg, govuk-opengraph-image.png: all
#                      crown / crest / GOV.UK marks
#   rebrand/*          the same marks, 2025 version
#   manifest.json      web manifest pointing at the GOV.UK icons
# The directory is still created so that $govuk-assets-path resolves; any
# file later judged free to use goes in ALLOWED_ASSETS below.
#
# Quiet on success; any failure stops the script with a message.

set -euo pipefail

with_axe=0
for arg in "$@"; do
  case "$arg" in
    --with-axe) with_axe=1 ;;
    -h|--help)
      sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build-assets: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

fail() {
  echo "build-assets: $*" >&2
  exit 1
}
trap 'echo "build-assets: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

[[ -f package.json && -f package-lock.json && -d canlian ]] \
  || fail "run from the repository root (package.json, package-lock.json, canlian/ expected)"
command -v node >/dev/null || fail "node is not installed"
command -v npm >/dev/null || fail "npm is not installed"

# Install exactly what the lock file says when node_modules is missing or
# older than the lock file. npm ci only talks to the npm registry; none of
# our dependencies downloads a browser.
stamp=node_modules/.package-lock.json
if [[ ! -d node_modules || ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  npm_log=$(mktemp)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$npm_log" 2>&1; then
    cat "$npm_log" >&2
    rm -f "$npm_log"
    fail "npm ci failed"
  fi
  rm -f "$npm_log"
  touch "$stamp"
fi

gf=node_modules/govuk-frontend/dist/govuk
[[ -d "$gf" ]] || fail "$gf not found (is govuk-frontend installed?)"
[[ -x node_modules/.bin/sass ]] || fail "node_modules/.bin/sass not found"

build=canlian/static/build
assets=canlian/static/govuk/assets
mkdir -p "$build" "$assets"

# Sass. Write to a temporary file first so a failed build never leaves a
# half-written stylesheet behind. --quiet-deps hides deprecation notes that
# come from inside govuk-frontend; warnings from our own file still show.
tmp_css=$(mktemp "$build/.canlian.css.XXXXXX")
if ! node_modules/.bin/sass \
    --load-path=node_modules \
    --style=compressed \
    --no-source-map \
    --quiet-deps \
    canlian/static_src/canlian.scss "$tmp_css"; then
  rm -f "$tmp_css"
  fail "sass failed"
fi
chmod 0644 "$tmp_css"
mv -f "$tmp_css" "$build/canlian.css"

install -m 0644 "$gf/govuk-frontend.min.js" "$build/govuk-frontend.min.js"

# Apache ECharts for the charts (decision 0019): the common build holds the bar and line
# charts, the SVG renderer and the aria decals; its licence header is kept in the file.
ec=node_modules/echarts/dist/echarts.common.min.js
[[ -f "$ec" ]] || fail "$ec not found (is echarts installed?)"
install -m 0644 "$ec" "$build/echarts.common.min.js"

# GOV.UK assets we are allowed to use (paths relative to $gf/assets).
# Currently none: see the header of this script.
ALLOWED_ASSETS=()
# Start from an empty copy so files removed from the list disappear.
find "$assets" -mindepth 1 -delete
for rel in "${ALLOWED_ASSETS[@]+"${ALLOWED_ASSETS[@]}"}"; do
  [[ -f "$gf/assets/$rel" ]] || fail "asset not found: $gf/assets/$rel"
  mkdir -p "$assets/$(dirname "$rel")"
  install -m 0644 "$gf/assets/$rel" "$assets/$rel"
done

if [[ $with_axe -eq 1 ]]; then
  [[ -f node_modules/axe-core/axe.min.js ]] || fail "node_modules/axe-core/axe.min.js not found"
  install -m 0644 node_modules/axe-core/axe.min.js "$build/axe.min.js"
fi
# Without --with-axe an axe.min.js left by an earlier test build is kept, so
# a plain rebuild does not break browser tests that are about to run.
