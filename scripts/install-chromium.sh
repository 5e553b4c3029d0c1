#!/usr/bin/env bash
# Installs Debian's `chromium` for the Web UI browser test (test/web-ui.test.ts). Playwright's own browser
# download needs general internet access; the distribution package only needs the apt mirror.
# Idempotent: returns at once when /usr/bin/chromium is already there.
set -euo pipefail

quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "install-chromium: $*"; }

if [ -x /usr/bin/chromium ]; then
  say "already installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-chromium: /usr/bin/chromium is missing and this user cannot install packages." >&2
  echo "install-chromium: as root run: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "install-chromium: apt-get finished but /usr/bin/chromium is missing" >&2; exit 1; }
say "installed $(/usr/bin/chromium --version 2>/dev/null) in $(($(date +%s) - started))s"
