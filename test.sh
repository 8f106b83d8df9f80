#!/usr/bin/env bash
# The project's test command: installs the reference implementations, then builds and runs every test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
source .ci/java-env.sh
command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -qq maven; }
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
[ -x /usr/bin/chromium ] || { apt-get update -qq && apt-get install -y -qq chromium; }   # the report test opens the page in a headless browser
reference/install.sh
mvn -B -ntp verify "$@"
