#!/usr/bin/env bash
# Screen-photo stand-in benchmark: passgate decode vs zxing-cpp on 150
# synthetic photos of QR codes on phone / monitor screens (see gen.py).
# Usage: crates/scan/bench/screens/run.sh [--budget-ms N]
# Extra arguments go to compare.py. Uses ${CARGO_TARGET_DIR:-target}/screens-venv
# (pinned Python packages) and ${CARGO_TARGET_DIR:-target}/screens (the images,
# ~4 min to generate on 2 cores; delete the directory to regenerate).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-target}"
venv="$target/screens-venv"
imgs="$target/screens"
pins="numpy==2.4.6 pillow==13.0.0 segno==1.6.6 zxing-cpp==3.1.1 opencv-python-headless==5.0.0.93"

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/pins" 2>/dev/null)" != "$pins" ]; then
    python3 -m venv "$venv"
    # shellcheck disable=SC2086 # one word per pin
    "$venv/bin/pip" install --quiet $pins
    echo "$pins" >"$venv/pins"
fi

if [ ! -f "$imgs/manifest.csv" ]; then # written last by gen.py
    echo "generating the images into $imgs" >&2
    "$venv/bin/python" "$here/gen.py" "$imgs" --jobs 2
fi

cargo build --release -p passgate-cli
"$venv/bin/python" "$here/compare.py" "$target/release/passgate" "$imgs" "$@"
