#!/usr/bin/env bash
# Loads fnguard over loopback with wrk beside a bare net/http floor
# (bench/bare), in one run, and prints for each target requests per second,
# p50/p99 latency and the server's CPU time per request; then the ratios the
# performance targets are stated in (issue 13):
#
#   bare, constant body   GET /api/const  net/http writing precomputed bytes
#   bare, JSON encode     GET /api/me     net/http encoding the same JSON
#   fnguard /api/me       with a cached token, the request log on (info, to a
#                         pipe), every production middleware
#   fnguard /api/public   the same stack, no token
#
# Every target gets the same Authorization header (the bare server ignores
# it), so every server parses the same bytes. The machine may be busy with
# other work, so the targets take turns: ROUNDS rounds of DURATION, every
# round loading each target once; the report is the median over rounds. CPU
# per request comes from /proc (user+system of the server process), which
# neither wrk nor other processes can inflate.
#
#   scripts/load.sh                  # 3 rounds of 4s: about 80 s in all
#   ROUNDS=5 DURATION=2s scripts/load.sh
#   LOG_LEVEL=warn scripts/load.sh   # without the per-request log line
#   FNGUARD_BIN=/tmp/fnguard scripts/load.sh   # a binary built beforehand
#   EXPRESS=1 scripts/load.sh        # also the seed's Node app (bench/express:
#                                    # npm ci on first use), same issuer and token
#   PARTS=1 scripts/load.sh          # also where fnguard's extra CPU goes: the
#                                    # floor with fnguard's response headers, the
#                                    # floor with its server limits, and fnguard
#                                    # without the request line (LOG_LEVEL=warn)
#
# At the end fnguard gets SIGTERM, and the script checks that its log holds
# a request line for every request wrk saw answered (the log is written
# from a queue that shutdown flushes). Everything listens on 127.0.0.1 and
# is stopped on exit. wrk comes from Debian's package (installed if
# missing, with apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${DURATION:-4s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}

if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing Debian's package" >&2
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

# start NAME CMD...: runs CMD with stdout to $tmp/NAME.out and stderr (the
# log) through a pipe into $tmp/NAME.log, and waits for its "listening on
# http://ADDR" line; sets $url to that address and $pid to the server's.
start() {
  local name=$1; shift
  : >"$tmp/$name.out"
  "$@" >"$tmp/$name.out" 2> >(cat >"$tmp/$name.log") &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 200); do
    url=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/$name.out" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "$name did not start:"; cat "$tmp/$name.out" "$tmp/$name.log"; exit 1
}

# cputicks PID: CPU time the process has used, in clock ticks.
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load ID PID URL [TOKEN]: one wrk run of $duration against the server PID
# (with $token unless TOKEN is given); appends "rps p50_us p99_us
# server_cpu_us_per_request requests" to $tmp/ID.runs.
load() {
  local id=$1 pid=$2 target=$3 bearer=${4:-$token}
  local before after
  before=$(cputicks "$pid")
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $bearer" "$target" >"$tmp/$id.wrk"
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
    END { print rps, p50, p99, ticks / hz * 1e6 / n, n }
  ' "$tmp/$id.wrk" >>"$tmp/$id.runs"
}

# check URL [TOKEN]: the target must answer 200 before it is loaded.
check() {
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} "$1")
  [ "$status" = 200 ] || { echo "GET $1 answered $status, want 200"; exit 1; }
}

# median ID COLUMN: the median of a column of $tmp/ID.runs.
median() { sort -n -k"$2" "$tmp/$1.runs" | awk -v c="$2" '{ r[NR] = $c } END { print r[int((NR + 1) / 2)] }'; }

report() {
  printf '%-30s %8.0f req/s   p50 %6.0f us   p99 %7.0f us   server CPU %5.1f us/req\n' \
    "$2" "$(median "$1" 1)" "$(median "$1" 2)" "$(median "$1" 3)" "$(median "$1" 4)"
}

echo "wrk -t$threads -c$connections, $rounds rounds of $duration, on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load average $(cut -d' ' -f1-3 /proc/loadavg)"

start bare "$tmp/bare" -addr 127.0.0.1:0
bare=$url
bare_pid=$pid
start fnguard env -u AUTH0_DOMAIN -u AUTH_ISSUER_URL -u AWS_LAMBDA_RUNTIME_API \
  PORT=0 DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" ${LOG_LEVEL:+LOG_LEVEL=$LOG_LEVEL} ${LOG_FORMAT:+LOG_FORMAT=$LOG_FORMAT} "$tmp/fnguard"
fnguard=$url
fnguard_pid=$pid
token=$(PORT=${fnguard##*:} DEV_ISSUER_KEY_FILE="$tmp/dev-key.pem" "$tmp/fnguard" token --role free)
if [ -n "${EXPRESS:-}" ]; then
  [ -d bench/express/node_modules ] || (cd bench/express && npm ci --no-audit --no-fund >/dev/null)
  start express env ISSUER="${fnguard}/dev-issuer/" node bench/express/app.js
  express=$url
  express_pid=$pid
  check "$express/api/me" "$token"
fi
if [ -n "${PARTS:-}" ]; then
  start limits "$tmp/bare" -addr 127.0.0.1:0 -limits
  limits=$url
  limits_pid=$pid
  start quiet env -u AUTH0_DOMAIN -u AUTH_ISSUER_URL -u AWS_LAMBDA_RUNTIME_API \
    PORT=0 DEV_ISSUER_KEY_FILE="$tmp/quiet-key.pem" LOG_LEVEL=warn ${LOG_FORMAT:+LOG_FORMAT=$LOG_FORMAT} "$tmp/fnguard"
  quiet=$url
  quiet_pid=$pid
  quiet_token=$(PORT=${quiet##*:} DEV_ISSUER_KEY_FILE="$tmp/quiet-key.pem" "$tmp/fnguard" token --role free)
  check "$bare/api/const-headers"
  check "$limits/api/const"
  check "$quiet/api/me" "$quiet_token"
fi
check "$bare/api/const"
check "$bare/api/me"
check "$fnguard/api/me" "$token"
check "$fnguard/api/public"

for _ in $(seq "$rounds"); do
  load const "$bare_pid" "$bare/api/const"
  load json "$bare_pid" "$bare/api/me"
  load me "$fnguard_pid" "$fnguard/api/me"
  load public "$fnguard_pid" "$fnguard/api/public"
  if [ -n "${EXPRESS:-}" ]; then
    load xme "$express_pid" "$express/api/me"
    load xpublic "$express_pid" "$express/api/public"
  fi
  if [ -n "${PARTS:-}" ]; then
    load headers "$bare_pid" "$bare/api/const-headers"
    load limits "$limits_pid" "$limits/api/const"
    load quietme "$quiet_pid" "$quiet/api/me" "$quiet_token"
    load quietpublic "$quiet_pid" "$quiet/api/public" "$quiet_token"
  fi
done

report const "bare net/http, constant body"
report json "bare net/http, JSON encode"
report me "fnguard /api/me (token)"
report public "fnguard /api/public"
if [ -n "${EXPRESS:-}" ]; then
  report xme "express /api/me (token)"
  report xpublic "express /api/public"
fi

# ratio TARGET FLOOR: throughput and CPU ratios of TARGET against FLOOR.
ratio() {
  awk -v a="$(median "$1" 1)" -v b="$(median "$2" 1)" -v ca="$(median "$1" 4)" -v cb="$(median "$2" 4)" \
    'BEGIN { printf "%.2fx throughput, %.2fx CPU per request", a / b, ca / cb }'
}
echo
echo "against the constant-body floor (targets: /api/me >= 0.80x throughput and <= 1.30x CPU, /api/public >= 0.90x):"
echo "  /api/me      $(ratio me const)"
echo "  /api/public  $(ratio public const)"
echo "against the JSON-encoding floor:"
echo "  /api/me      $(ratio me json)"
echo "  /api/public  $(ratio public json)"
if [ -n "${EXPRESS:-}" ]; then
  echo "against the seed's express app:"
  echo "  /api/me      $(ratio me xme)"
  echo "  /api/public  $(ratio public xpublic)"
fi
if [ -n "${PARTS:-}" ]; then
  report headers "bare + fnguard's headers"
  report limits "bare + fnguard's server limits"
  report quietme "fnguard /api/me, no request line"
  report quietpublic "fnguard /api/public, no request line"
  # part NAME A B [C D]: median CPU per request of A minus B (minus C plus D).
  part() {
    awk -v n="$1" -v a="$(median "$2" 4)" -v b="$(median "$3" 4)" -v c="${4:+$(median "$4" 4)}" -v d="${5:+$(median "$5" 4)}" \
      'BEGIN { printf "  %-58s %+5.1f us\n", n, a - b - c + d }'
  }
  echo
  echo "where fnguard's extra CPU per request goes (medians; each part is a difference of two noisy medians):"
  part "response headers (security headers, Vary, request id)" headers const
  part "server limits (read, write and idle deadlines)" limits const
  part "the request line (/api/public)" public quietpublic
  part "router, middleware, request entry, GC (/api/public, no line)" quietpublic headers limits const
  part "the request line (/api/me)" me quietme
  part "authentication and /me's answer (no line)" quietme quietpublic
fi

# Nothing given up: after a graceful shutdown, one log line per request.
kill -TERM "$fnguard_pid"
wait "$fnguard_pid" 2>/dev/null || true
sleep 0.2
served=$(awk '{ n += $5 } END { print n }' "$tmp/me.runs" "$tmp/public.runs")
if [ "${LOG_LEVEL:-info}" = info ]; then
  logged=$(grep -c 'msg=request\|"msg":"request"' "$tmp/fnguard.log" || true)
  echo
  echo "request lines after SIGTERM: $logged for $served requests wrk saw answered (plus 2 checks and requests in flight when wrk stopped)"
  if [ "$logged" -lt "$served" ]; then echo "FAIL: request lines were lost"; exit 1; fi
  if grep -q "$token" "$tmp/fnguard.log"; then echo "FAIL: the token reached the log"; exit 1; fi
fi
