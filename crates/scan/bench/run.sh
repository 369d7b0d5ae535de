#!/usr/bin/env bash
# QR reader benchmark: passgate-scan vs plain rqrr vs zxing-cpp on the same
# greyscale pixels. Usage: crates/scan/bench/run.sh [PHOTOS_DIR]
# (default ../shared/data/qr-photos relative to the workspace root).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
photos="${1:-$root/../shared/data/qr-photos}"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/zxing-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import zxingcpp, numpy" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet zxing-cpp numpy
fi
cd "$root"
cargo run --release -p passgate-scan --example qrbench -- \
    --photos "$photos" --synthetic 200 --empty --python "$venv/bin/python"
