#!/usr/bin/env bash
# Opens a results folder's index.html (from `hartlab compare` or `ctxsw`) in headless Chromium,
# saves a screenshot, and checks that it is not blank (NonBlank.java).
#   docs/screenshot/screenshot.sh RESULTS_DIR [OUT.png]
# Needs Debian's chromium (apt-get install -y chromium) and a JDK.
set -euo pipefail
dir="${1:?usage: docs/screenshot/screenshot.sh RESULTS_DIR [OUT.png]}"
out="${2:-$dir/screenshot.png}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "screenshot.sh: no chromium on the PATH (apt-get install -y chromium)" >&2
  exit 2
fi
page="file://$(realpath "$dir")/index.html"
# --no-sandbox: Chromium refuses to run its sandbox as root, which CI and this machine are.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1200 \
  --screenshot="$(realpath -m "$out")" "$page" 2>/dev/null
java "$(dirname "$0")/NonBlank.java" "$out"
