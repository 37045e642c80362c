#!/usr/bin/env bash
# Loads GET /api/me over loopback with wrk: first a bare net/http handler
# answering the same JSON (bench/bare), then the fnguard server with its
# development issuer and a valid token, then fnguard's public route. Prints
# requests per second and p50/p99 latency for each, in one run.
#
#   scripts/load.sh                  # 10s per target
#   DURATION=30s CONNECTIONS=64 scripts/load.sh
#
# Everything listens on 127.0.0.1 and is stopped on exit. The server logs
# every request (at info, to a file), as it would in production.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
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

go build -o "$tmp/fnguard" .
go build -o "$tmp/bare" ./bench/bare

# start NAME CMD...: runs CMD with stdout to $tmp/NAME.out and waits for
# its "listening on http://ADDR" line; sets $url to that address.
start() {
  local name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/$name.out" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "$name did not start:"; cat "$tmp/$name.out" "$tmp/$name.log"; exit 1
}

# load ID NAME URL [TOKEN]: wrk for $duration, one summary line.
load() {
  local id=$1 name=$2 target=$3 token=${4:-}
  local args=(-t"$threads" -c"$connections" -d"$duration" --latency)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' ${token:+-H "Authorization: Bearer $token"} "$target")
  [ "$status" = 200 ] || { echo "$name: GET $target answered $status, want 200"; exit 1; }
  wrk "${args[@]}" "$target" >"$tmp/$id.wrk"
  if grep -q 'Non-2xx' "$tmp/$id.wrk"; then
    echo "$name: some responses were not 200:"; cat "$tmp/$id.wrk"; exit 1
  fi
  awk -v name="$name" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    END { printf "%-26s %12s req/s   p50 %9s   p99 %9s\n", name, rps, p50, p99 }
  ' "$tmp/$id.wrk"
  awk '/Requests\/sec/ { print $2 }' "$tmp/$id.wrk" >"$tmp/$id.rps"
}

echo "wrk -t$threads -c$connections -d$duration on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"

start bare "$tmp/bare" -addr 127.0.0.1:0
load bare "bare net/http /api/me" "$url/api/me"
kill "${pids[0]}"

start fnguard env -u AUTH0_DOMAIN -u AUTH_ISSUER_URL -u AWS_LAMBDA_RUNTIME_API \
  PORT=0 DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" ${LOG_LEVEL:+LOG_LEVEL=$LOG_LEVEL} "$tmp/fnguard"
port=${url##*:}
token=$(PORT=$port DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" "$tmp/fnguard" token --role free)
load me "fnguard /api/me (token)" "$url/api/me" "$token"
load public "fnguard /api/public" "$url/api/public"

awk -v a="$(cat "$tmp/me.rps")" -v b="$(cat "$tmp/bare.rps")" \
  'BEGIN { printf "authorized /api/me reaches %.0f%% of the bare handler'"'"'s throughput\n", 100 * a / b }'
