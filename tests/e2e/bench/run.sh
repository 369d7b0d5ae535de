#!/usr/bin/env bash
# Measures the real kiosk app under Xvfb (numbers for docs/BENCHMARKS.md):
#   idle  - CPU of the app while it scans 1280x720 frames at 30 fps with no code in view:
#           a one-second y4m clip of a grey counter with camera-like sensor noise
#           (Gaussian, sigma about 4.5 levels, a new pattern every frame), looped
#   soak  - frame-to-verdict latency (from the app's own log) and RSS over a replay
#           of four deny passes at 1280x720, 30 fps, cooldown 0 (every frame is a verdict
#           and an entry written to SQLite)
# Both feed raw luma (y4m, like a YUYV camera) so no PNG decoding is counted.
# Usage: tests/e2e/bench/run.sh idle SECONDS | soak SECONDS
# Needs: a built app (PASSGATE_APP or $CARGO_TARGET_DIR/debug/passgate-app), xvfb-run,
# ImageMagick and sqlite3 (the demo passes come from the app's demo mode).
set -euo pipefail
mode="${1:?idle or soak}"
secs="${2:-60}"
app="${PASSGATE_APP:-${CARGO_TARGET_DIR:-target}/debug/passgate-app}"
work="$(mktemp -d)"
trap 'kill -- -$pgid 2>/dev/null || true; rm -rf "$work"' EXIT
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
source = "video:frames.y4m"
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
# y4m: a header, then "FRAME" and the raw luma of each frame (Cmono: no chroma).
printf 'YUV4MPEG2 W1280 H720 F30:1 Ip A1:1 Cmono\n' > "$work/frames.y4m"
if [ "$mode" = idle ]; then
  for i in $(seq 30); do
    printf 'FRAME\n' >> "$work/frames.y4m"
    convert -size 1280x720 xc:'#5a5a5a' -fill '#808080' -draw 'rectangle 300,150 980,570' \
      -seed "$i" -attenuate 0.3 +noise Gaussian -colorspace Gray -depth 8 gray:- >> "$work/frames.y4m"
  done
else
  for p in forged yellow expired red; do
    printf 'FRAME\n' >> "$work/frames.y4m"
    convert "$work/.demo/passes/$p.png" -background '#5a5a5a' -gravity center -extent 1280x720 \
      -colorspace Gray -depth 8 gray:- >> "$work/frames.y4m"
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
grep -o "frames read.*" "$work/app.log" | tail -1 || true
echo "entries=$(sqlite3 "$work/bench.sqlite" 'select count(*) from entries' 2>/dev/null || echo '?')"
