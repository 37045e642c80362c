#!/usr/bin/env bash
# Loads GET /api/me over loopback with wrk: a bare net/http handler
# answering the same JSON (bench/bare; it gets the same Authorization header,
# which it ignores, so both servers parse the same bytes), the fnguard server
# with its development issuer and a valid token, and fnguard's public route.
# Prints requests per second and p50/p99 latency for each, in one run.
#
# The machine may be busy with other work, so the targets take turns: ROUNDS
# rounds of DURATION each, every round loading each target once, and the
# report is the median over rounds. Every target sees the same weather.
# Beside wrk's figures it reports the server's own CPU time per request
# (from /proc), which other processes on the machine cannot inflate.
#
#   scripts/load.sh                  # 5 rounds of 2s: 10s per target
#   ROUNDS=10 DURATION=3s CONNECTIONS=64 scripts/load.sh
#   LOG_LEVEL=warn scripts/load.sh   # without the per-request log line
#   FNGUARD_BIN=/tmp/fnguard scripts/load.sh   # a binary built beforehand
#
# Everything listens on 127.0.0.1 and is stopped on exit. The server logs
# every request (at info, to a file), as it would in production.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5}
duration=${DURATION:-2s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${FNGUARD_BIN:-}" ]; then cp "$FNGUARD_BIN" "$tmp/fnguard"; else go build -o "$tmp/fnguard" .; fi
go build -o "$tmp/bare" ./bench/bare

# start NAME CMD...: runs CMD with stdout to $tmp/NAME.out and waits for
# its "listening on http://ADDR" line; sets $url to that address.
start() {
  local name=$1; shift
  : >"$tmp/$name.out"
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/$name.out" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "$name did not start:"; cat "$tmp/$name.out" "$tmp/$name.log"; exit 1
}

# cputicks PID: CPU time the process has used, in clock ticks.
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load ID PID URL [TOKEN]: one wrk run of $duration against the server PID;
# appends "rps p50_us p99_us server_cpu_us_per_request" to $tmp/ID.runs.
load() {
  local id=$1 pid=$2 target=$3 token=${4:-}
  local args=(-t"$threads" -c"$connections" -d"$duration" --latency)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local before after
  before=$(cputicks "$pid")
  wrk "${args[@]}" "$target" >"$tmp/$id.wrk"
  after=$(cputicks "$pid")
  if grep -q 'Non-2xx' "$tmp/$id.wrk"; then
    echo "$id: some responses were not 200:"; cat "$tmp/$id.wrk"; exit 1
  fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    function us(v) {
      if (v ~ /us$/) return v + 0
      if (v ~ /ms$/) return v * 1000
      if (v ~ /s$/) return v * 1000000
      return v
    }
    /requests in/ { n = $1 }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    END { print rps, p50, p99, ticks / hz * 1e6 / n }
  ' "$tmp/$id.wrk" >>"$tmp/$id.runs"
}

# check URL [TOKEN]: the target must answer 200 before it is loaded.
check() {
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} "$1")
  [ "$status" = 200 ] || { echo "GET $1 answered $status, want 200"; exit 1; }
}

# report ID NAME: medians over the rounds.
report() {
  sort -n -k1 "$tmp/$1.runs" | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }' >"$tmp/$1.rps"
  local p50 p99
  p50=$(sort -n -k2 "$tmp/$1.runs" | awk '{ r[NR] = $2 } END { print r[int((NR + 1) / 2)] }')
  p99=$(sort -n -k3 "$tmp/$1.runs" | awk '{ r[NR] = $3 } END { print r[int((NR + 1) / 2)] }')
  sort -n -k4 "$tmp/$1.runs" | awk '{ r[NR] = $4 } END { print r[int((NR + 1) / 2)] }' >"$tmp/$1.cpu"
  printf '%-26s %8.0f req/s   p50 %7.0f us   p99 %7.0f us   server CPU %5.1f us/req\n' \
    "$2" "$(cat "$tmp/$1.rps")" "$p50" "$p99" "$(cat "$tmp/$1.cpu")"
}

echo "wrk -t$threads -c$connections, $rounds rounds of $duration, on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"

start bare "$tmp/bare" -addr 127.0.0.1:0
bare=$url
bare_pid=${pids[-1]}
start fnguard env -u AUTH0_DOMAIN -u AUTH_ISSUER_URL -u AWS_LAMBDA_RUNTIME_API \
  PORT=0 DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" ${LOG_LEVEL:+LOG_LEVEL=$LOG_LEVEL} "$tmp/fnguard"
fnguard=$url
fnguard_pid=${pids[-1]}
token=$(PORT=${fnguard##*:} DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" "$tmp/fnguard" token --role free)
check "$bare/api/me"
check "$fnguard/api/me" "$token"
check "$fnguard/api/public"

for _ in $(seq "$rounds"); do
  load bare "$bare_pid" "$bare/api/me" "$token"
  load me "$fnguard_pid" "$fnguard/api/me" "$token"
  load public "$fnguard_pid" "$fnguard/api/public"
done

report bare "bare net/http /api/me"
report me "fnguard /api/me (token)"
report public "fnguard /api/public"
awk -v a="$(cat "$tmp/me.rps")" -v b="$(cat "$tmp/bare.rps")" -v ca="$(cat "$tmp/me.cpu")" -v cb="$(cat "$tmp/bare.cpu")" 'BEGIN {
  printf "authorized /api/me reaches %.0f%% of the bare handler'"'"'s throughput", 100 * a / b
  printf " (%.0f%% by server CPU per request)\n", 100 * cb / ca
}'
