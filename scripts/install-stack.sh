#!/usr/bin/env bash
# Installs what the native production stack (npm run stack, test/production-stack.test.ts) needs:
#   - PostgreSQL (the Debian package) when initdb is nowhere to be found;
#   - the Temporal server and its SQL tool at the version pinned in deploy/versions.env, built with `go install`
#     into .temporal/stack-bin/<version>/ (git-ignored), with the PostgreSQL schema files of the same module beside
#     them. Idempotent: a second run with the same pin returns at once.
set -euo pipefail

quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "install-stack: $*"; }

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^TEMPORAL_VERSION=//p' "$root/deploy/versions.env" | tr -d '"'"'"'[:space:]')
[ -n "$version" ] || { echo "install-stack: TEMPORAL_VERSION missing in deploy/versions.env" >&2; exit 1; }
dir="$root/.temporal/stack-bin/$version"
started=$(date +%s)

# 1. PostgreSQL: on PATH, or where Debian's package puts it.
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "initdb not found: installing PostgreSQL"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi

# 2. The Temporal server, the SQL tool and the schema files, from the pinned module.
if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ] && [ -d "$dir/schema/temporal" ]; then
  say "Temporal $version already built in $dir"
  exit 0
fi
command -v go >/dev/null || {
  echo "install-stack: 'go' is required to build the Temporal server $version (install Go ≥ 1.24)" >&2
  exit 1
}
mkdir -p "$dir"
staging=$(mktemp -d "$dir/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT
say "building go.temporal.io/server@v$version (server, sql tool); a cold build takes minutes"
GOBIN="$staging" go install "go.temporal.io/server/cmd/server@v$version"
GOBIN="$staging" go install "go.temporal.io/server/cmd/tools/sql@v$version"
module="$(go env GOMODCACHE)/go.temporal.io/server@v$version"
mkdir -p "$staging/schema"
cp -R "$module/schema/postgresql/v12/temporal" "$module/schema/postgresql/v12/visibility" "$staging/schema/"
chmod -R u+w "$staging/schema"
mv "$staging/schema" "$dir/schema.new" && rm -rf "$dir/schema" && mv "$dir/schema.new" "$dir/schema"
mv "$staging/sql" "$dir/temporal-sql-tool"
mv "$staging/server" "$dir/temporal-server"
say "built Temporal $version into $dir in $(($(date +%s) - started))s"
