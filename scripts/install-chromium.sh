#!/usr/bin/env bash
# Installs Debian's `chromium` for the Web UI browser test (test/web-ui.test.ts): Playwright's own browser
# download needs general internet access, the distribution package only the apt mirror.
exec bash "$(dirname "$0")/install-debian-package.sh" chromium /usr/bin/chromium "$@"
