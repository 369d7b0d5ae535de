#!/usr/bin/env bash
# Measures the real kiosk app under Xvfb (numbers for docs/BENCHMARKS.md):
#   idle  - CPU of the app while it scans 1280x720 frames at 30 fps with no code in view
#   soak  - frame-to-verdict latency (from the app's own log) and RSS over a replay
#           of four deny passes at 1280x720, 30 fps, cooldown 0 (every frame is a verdict
#           and an entry written to SQLite)
# Usage: tests/e2e/bench/run.sh idle SECONDS | soak SECONDS
# Needs: a built app (PASSGATE_APP or $CARGO_TARGET_DIR/debug/passgate-app), xvfb-run,
# ImageMagick, and the passgate CLI built (for the demo passes it uses the app's demo mode).
set -euo pipefail
mode="${1:?idle or soak}"
secs="${2:-60}"
app="${PASSGATE_APP:-${CARGO_TARGET_DIR:-target}/debug/passgate-app}"
work="$(mktemp -d)"
trap 'kill -- -$pgid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/frames"
cat > "$work/kiosk.toml" <<TOML
[venue]
id = "bench"
device = "k1"
time_zone = "Asia/Shanghai"
[trust]
root_public_key = ".demo/root.pub"
initial_trust_list = ".demo/trust.json"
demo = true
[policy]
cooldown_seconds = 0
[camera]
source = "images:frames"
width = 1280
height = 720
fps = 30
[storage]
database = "bench.sqlite"
[ui]
fullscreen = false
TOML
# First start creates the demo passes (and their 640x480 scenes); stop it.
setsid xvfb-run -a -s "-screen 0 1280x800x24" "$app" --config "$work/kiosk.toml" --source camera:99 >/dev/null 2>&1 &
pgid=$!
for _ in $(seq 100); do [ -f "$work/.demo/passes/red.png" ] && break; sleep 0.1; done
kill -- -$pgid 2>/dev/null || true; wait $pgid 2>/dev/null || true
if [ "$mode" = idle ]; then
  convert -size 1280x720 xc:'#5a5a5a' -fill '#808080' -draw 'rectangle 300,150 980,570' "$work/frames/blank.png"
else
  for p in forged yellow expired red; do
    convert "$work/.demo/passes/$p.png" -background '#5a5a5a' -gravity center -extent 1280x720 "$work/frames/$p.png"
  done
fi
RUST_LOG=info setsid xvfb-run -a -s "-screen 0 1280x800x24" "$app" --config "$work/kiosk.toml" > "$work/app.log" 2>&1 &
pgid=$!
pid=""
for _ in $(seq 100); do pid=$(pgrep -n -f "^$app --config $work/kiosk.toml" || true); [ -n "$pid" ] && break; sleep 0.1; done
sleep 5
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks() { ticks_of "$pid"; }
web_ticks() { local t=0; for c in $(pgrep -P "$pid"); do t=$((t + $(ticks_of "$c"))); done; echo $t; }
hz=$(getconf CLK_TCK)
echo "pid $pid, mode $mode, $secs s"
start_t=$(ticks); start_w=$(web_ticks); start_s=$(date +%s.%N)
for ((i = 0; i < secs; i += 10)); do
  sleep 10
  echo "t=$((i + 10))s rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
done
end_t=$(ticks); end_w=$(web_ticks); end_s=$(date +%s.%N)
echo "app_process_cpu_percent_of_one_core=$(echo "($end_t - $start_t) / $hz / ($end_s - $start_s) * 100" | bc -l | cut -c1-5)"
echo "webkit_children_cpu_percent_of_one_core=$(echo "($end_w - $start_w) / $hz / ($end_s - $start_s) * 100" | bc -l | cut -c1-5)"
grep -o "frame-to-verdict latency.*" "$work/app.log" | tail -1 || echo "no verdicts logged"
echo "entries=$(sqlite3 "$work/bench.sqlite" 'select count(*) from entries' 2>/dev/null || echo '?')"
