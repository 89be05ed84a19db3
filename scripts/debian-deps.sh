#!/usr/bin/env bash
# Installs the Debian packages intake needs, only when they are missing.
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
# npm installs the pages' font (scripts/install-assets.sh)
command -v npm >/dev/null || missing+=(npm)
if [ "${1:-}" = "--test" ]; then
  command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
  # clamd for the malware-scan tests (they start it on a signature file of their own)
  [ -x /usr/sbin/clamd ] || command -v clamd >/dev/null || missing+=(clamav-daemon)
  # the browser tests drive Debian's Chromium through Playwright (never `playwright install`)
  command -v chromium >/dev/null || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
