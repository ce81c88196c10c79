#!/usr/bin/env bash
# Builds a production-shaped Temporal server for pipewatch's cluster tests and benchmarks, outside the repo:
#   $OUT/temporal-server   go.temporal.io/server/cmd/server       (frontend, history, matching, worker services)
#   $OUT/temporal-sql-tool go.temporal.io/server/cmd/tools/sql    (creates and migrates the PostgreSQL schemas)
#   $OUT/schema/postgresql the module's schema/postgresql tree   (the SQL tool's versioned migrations)
#   $OUT/VERSIONS          what was built, with which Go, and how long it took
# Idempotent: skips the build when all three exist unless FORCE=1. One build at a time (a lock directory), so
# the test's global setup and .ci/run can both call it.
# Needs: Go >= 1.25 at /usr/local/go/bin (or on PATH); the module proxy. Takes about 3 minutes on 2 cores with an
# empty build cache (the modules are mostly those the Temporal CLI build already fetched), seconds when cached.
set -euo pipefail

TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.29.1}"   # the server the Temporal CLI v1.5.1 embeds
OUT="${OUT:-${PIPEWATCH_TEMPORAL_SERVER_DIR:-${PIPEWATCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pipewatch}/temporal-server/$TEMPORAL_SERVER_VERSION}}"
FORCE="${FORCE:-0}"

export PATH="/usr/local/go/bin:$PATH"
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

log() { echo "build-temporal-server: $*" >&2; }

built() { [[ -x "$OUT/temporal-server" && -x "$OUT/temporal-sql-tool" && -d "$OUT/schema/postgresql/v12/temporal/versioned" ]]; }

mkdir -p "$OUT"
if [[ "$FORCE" != 1 ]] && built; then
  log "cached in $OUT"
  exit 0
fi

LOCK="$OUT/.building"
for i in $(seq 1 600); do
  mkdir "$LOCK" 2>/dev/null && break
  if [[ "$FORCE" != 1 ]] && built; then log "built by another process in $OUT"; exit 0; fi
  (( i % 15 == 0 )) && log "waiting for another build (lock $LOCK)…"
  sleep 2
done
[[ -d "$LOCK" ]] || { log "gave up waiting for $LOCK; remove it if no build is running"; exit 1; }
trap 'rmdir "$LOCK" 2>/dev/null || true' EXIT

started=$(date +%s)
ticker() { while sleep 30; do log "  still building… $(( $(date +%s) - started ))s"; done; }
ticker & TICKER=$!
trap 'kill $TICKER 2>/dev/null || true; rmdir "$LOCK" 2>/dev/null || true' EXIT

log "building go.temporal.io/server@$TEMPORAL_SERVER_VERSION (cmd/server, cmd/tools/sql) with $(go version | awk '{print $3}') into $OUT"
BUILD="$OUT/build"
rm -rf "$BUILD"; mkdir -p "$BUILD"; cd "$BUILD"
go mod init pipewatch-temporal-server >/dev/null 2>&1
go get "go.temporal.io/server@$TEMPORAL_SERVER_VERSION" 2>&1 | grep -v '^go: downloading' >&2 || true
MODDIR="$(go list -m -f '{{.Dir}}' "go.temporal.io/server")"
# The tool's and the server's own imports, resolved against the server module's go.mod (no tidy needed).
LDFLAGS="-s -w"
go build -trimpath -ldflags "$LDFLAGS" -o "$OUT/temporal-server.tmp" go.temporal.io/server/cmd/server
go build -trimpath -ldflags "$LDFLAGS" -o "$OUT/temporal-sql-tool.tmp" go.temporal.io/server/cmd/tools/sql
rm -rf "$OUT/schema"; mkdir -p "$OUT/schema"
cp -r "$MODDIR/schema/postgresql" "$OUT/schema/"
chmod -R u+w "$OUT/schema"
mv "$OUT/temporal-server.tmp" "$OUT/temporal-server"
mv "$OUT/temporal-sql-tool.tmp" "$OUT/temporal-sql-tool"
elapsed=$(( $(date +%s) - started ))
{
  echo "go.temporal.io/server $TEMPORAL_SERVER_VERSION"
  echo "go $(go version | awk '{print $3}') CGO_ENABLED=$CGO_ENABLED GOFLAGS=$GOFLAGS"
  echo "temporal-server: $("$OUT/temporal-server" --version 2>&1 | sed -n 1p)"
  echo "temporal-sql-tool: $("$OUT/temporal-sql-tool" --version 2>&1 | sed -n 1p)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in ${elapsed}s"
} > "$OUT/VERSIONS"
rm -rf "$BUILD"
log "built in ${elapsed}s"
cat "$OUT/VERSIONS" >&2
