#!/usr/bin/env bash
# Installs the pages' third-party assets from the npm registry, pinned, with npm itself.
#   fonts  Vazirmatn (OFL) woff2, Arabic-script subset, into intake/web/static/fonts/
#   axe    axe-core, for the browser tests' accessibility scan, into .cache/npm/axe/
# Nothing here is fetched at run time: intake serves the font itself.
set -euo pipefail
cd "$(dirname "$0")/.."
VAZIRMATN="@fontsource/vazirmatn@5.3.0"
AXE="axe-core@4.11.0"
CACHE="${INTAKE_NPM_CACHE:-.cache/npm}"
npm_install() {  # prefix package
  mkdir -p "$1"
  npm install --prefix "$1" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error "$2"
}
for what in "$@"; do
  case "$what" in
    fonts)
      npm_install "$CACHE/fonts" "$VAZIRMATN"
      files="$CACHE/fonts/node_modules/@fontsource/vazirmatn"
      mkdir -p intake/web/static/fonts
      cp "$files/files/vazirmatn-arabic-400-normal.woff2" \
         "$files/files/vazirmatn-arabic-700-normal.woff2" intake/web/static/fonts/
      cp "$files/LICENSE" intake/web/static/fonts/OFL.txt
      ;;
    axe)
      npm_install "$CACHE/axe" "$AXE"
      ;;
    *) echo "usage: $0 fonts|axe ..." >&2; exit 2 ;;
  esac
done
