#!/usr/bin/env bash
# Installs one Debian package that a test needs, by name, from the distribution's own mirror (a download of a
# tool's own build needs general internet access; the package only needs the apt mirror).
# Usage: install-debian-package.sh PACKAGE BINARY [--quiet]. Idempotent: returns at once when BINARY is there.
set -euo pipefail

package=$1
binary=$2
quiet=false
[ "${3:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "install-$package: $*"; }

if [ -x "$binary" ]; then
  say "already installed ($binary)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-$package: $binary is missing and this user cannot install packages." >&2
  echo "install-$package: as root run: apt-get update && apt-get install -y $package" >&2
  exit 1
fi

started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "$package" >/dev/null
[ -x "$binary" ] || { echo "install-$package: apt-get finished but $binary is missing" >&2; exit 1; }
say "installed $binary in $(($(date +%s) - started))s"
