#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers on 127.0.0.1:5432 with trust auth.
set -euo pipefail
answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
answers && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba=/etc/postgresql/$version/main/pg_hba.conf
if ! $SUDO grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
  echo "allowing trust auth on loopback in $hba"
  $SUDO sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
fi
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do answers && exit 0; sleep 0.5; done
echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2
exit 1
