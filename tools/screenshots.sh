#!/usr/bin/env bash
# Screenshots of the built documentation site, as a reader sees it (headless Chromium,
# Debian's package `chromium`). Build the site first:
#   python -m sphinx -W --keep-going -b html docs docs/_build/html
#   bash tools/screenshots.sh [OUT_DIR]      # default /tmp/robustloss-screenshots
set -euo pipefail
cd "$(dirname "$0")/.."
site="$PWD/docs/_build/html"
out="${1:-/tmp/robustloss-screenshots}"
mkdir -p "$out"
shoot() {  # page, file name, height in pixels
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size="1280,$3" --screenshot="$out/$2" "file://$site/$1" > /dev/null 2>&1
    echo "$out/$2"
}
shoot index.html landing.png 1500
shoot api/generated/robustloss.tukey_loss.html loss-page.png 2600
shoot guides/porting.html porting.png 2200
shoot guides/choosing.html choosing.png 2400
shoot reference/testing.html testing.png 1600
