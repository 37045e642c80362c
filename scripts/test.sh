#!/usr/bin/env bash
# Runs every check and test of fnguard, installing first what the tests
# need (Redis, Chromium, staticcheck, the Netlify CLI). This is the README's test command;
# .ci/run calls it. Safe to run again: installs are skipped when present.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

# --- what the tests need ---------------------------------------------------
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$(go env GOPATH)/bin:$PATH"
staticcheck_version=0.8.2
if ! staticcheck -version 2>/dev/null | grep -qE "\(v?$staticcheck_version\)"; then
  log "installing staticcheck $staticcheck_version"
  go install "honnef.co/go/tools/cmd/staticcheck@v$staticcheck_version"
fi

# The Netlify CLI that e2e/netlifycli runs (`netlify dev`), at the version
# netlify/cli/package.json pins. It needs Node.js 20.12 or later, which
# Debian's packages do not have: the test must run, not skip, so stop here.
if ! command -v node >/dev/null || ! command -v npm >/dev/null ||
  ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=12)?0:1)'; then
  echo "Node.js >= 20.12 with npm is required (e2e/netlifycli runs netlify-cli); found: $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi
cli_pinned=$(node -p 'require("./netlify/cli/package.json").devDependencies["netlify-cli"]')
cli_installed=$(node -p 'require("./netlify/cli/node_modules/netlify-cli/package.json").version' 2>/dev/null || true)
if [ "$cli_installed" != "$cli_pinned" ]; then
  log "installing netlify-cli $cli_pinned (netlify/cli, npm ci)"
  # No install scripts: the CLI needs none, and some try to download.
  (cd netlify/cli && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# --- static checks ---------------------------------------------------------
# go.mod and go.sum must be what `go mod tidy` makes of the imports, so a
# dependency added, dropped or upgraded by hand fails here, not in review.
log "go mod tidy -diff"
go mod tidy -diff
(cd examples && go mod tidy -diff)
log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi
log "go vet"
go vet ./...
log "staticcheck"
staticcheck ./...

# --- tests -----------------------------------------------------------------
log "go test (race detector on)"
go test -race -count=1 -timeout 20m ./...

# --- the examples module: a service built on the public API alone (its own
# go.mod, with a replace to this checkout), so a consumer needs nothing else
log "examples module"
(cd examples && go vet ./... && staticcheck ./... && go test -race -count=1 ./...)

# --- benchmarks, one iteration each: they check their status codes, so this
# keeps them compiling and honest (docs/PERFORMANCE.md has the real runs) --
log "benchmarks (smoke)"
go test -run='^$' -bench=. -benchtime=1x ./bench

# --- fuzzing, briefly (FUZZTIME=5m scripts/test.sh fuzzes longer) -----------
# FUZZTIME is per target (a duration like 5m, or a count like 100000x). One
# target alone, for as long as you like:
#   go test -run='^$' -fuzz='^FuzzPolicy$' -fuzztime=30m ./auth
# New failing inputs land in that package's testdata/fuzz/<target>/; commit
# them with the fix, and they run on every `go test` from then on.
fuzztime=${FUZZTIME:-10s}
fuzz_targets=(
  "./auth FuzzBearerToken"
  "./auth FuzzVerify"
  "./auth FuzzPolicy"
  "./auth FuzzParseNetlifyContext"
  "./netlifydev FuzzClientContext"
  "./lambdahttp FuzzInvoke"
  "./lambdahttp FuzzDecodeFast"
  "./internal/jsonenc FuzzString"
  "./logger FuzzHandler"
  "./strategies/authorizer FuzzInvoke"
  "./strategies/guard FuzzLambda"
  "./onetime FuzzVerify"
  "./onetime FuzzTokenRequest"
  "./netlifydev FuzzParse"
  "./auth/devissuer FuzzAuthorize"
  "./auth/devissuer FuzzToken"
)
# fuzz PKG TARGET: one target for $fuzztime. Go 1.26's fuzz coordinator can
# fail a target at the very end of a -fuzztime with "context deadline
# exceeded" and no failing input (go.dev/issue/75804, fixed in Go 1.27).
# That exact failure, with no new file in the target's corpus, is run once
# more; anything else, or the same twice, fails.
corpus_size() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
fuzz() {
  local out corpus="$1/testdata/fuzz/$2" before after
  out=$(mktemp)
  before=$(corpus_size "$corpus")
  if go test -run='^$' -fuzz="^$2\$" -fuzztime="$fuzztime" "$1" 2>&1 | tee "$out"; then
    rm -f "$out"
    return 0
  fi
  after=$(corpus_size "$corpus")
  if [ "$after" = "$before" ] && grep -qx '    context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
    rm -f "$out"
    echo "(no failing input: the Go 1.26 fuzz coordinator's deadline race, go.dev/issue/75804; once more)"
    go test -run='^$' -fuzz="^$2\$" -fuzztime="$fuzztime" "$1"
    return
  fi
  rm -f "$out"
  return 1
}
for t in "${fuzz_targets[@]}"; do
  set -- $t
  log "fuzz $2 ($1, $fuzztime)"
  fuzz "$1" "$2"
done

log "all checks passed"
