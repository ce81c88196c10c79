#!/usr/bin/env bash
# Builds the Kubernetes test control plane for pipewatch's integration tests, outside the repo:
#   $OUT/etcd            (symlink to etcd-v3.6.16 built from go.etcd.io/etcd/server/v3; or Debian's, ETCD_SOURCE=debian)
#   $OUT/kube-apiserver, $OUT/kube-controller-manager, $OUT/kube-scheduler
#                        (built from k8s.io/kubernetes/cmd/<name> via the Go module proxy)
#   $OUT/kwok            (symlink to kwok-v0.7.0, `go install sigs.k8s.io/kwok/cmd/kwok`: simulated nodes)
# Idempotent: skips a binary that already exists unless FORCE=1; one run at a time per $OUT (flock).
# Needs: Go >= 1.26 at /usr/local/go/bin (or on PATH), apt (root), ~3 GB in the module cache.
# Build times on 2 cores: docs/KUBERNETES-CLUSTER.md; seconds when every binary exists.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"          # k8s.io/kubernetes version (v1.36.x/v1.37.x need go >= 1.26)
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"     # go.etcd.io/etcd/server/v3 version
ETCD_SOURCE="${ETCD_SOURCE:-go}"             # go | debian
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"      # sigs.k8s.io/kwok version (v0.7.0 builds with Go 1.26)
OUT="${OUT:-${PIPEWATCH_K8S_BIN_DIR:-${PIPEWATCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pipewatch}/k8s}}"
FORCE="${FORCE:-0}"

export PATH="/usr/local/go/bin:$PATH"
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"

mkdir -p "$OUT"
# One build at a time per cache directory: CI, a test run's global setup and a developer may start this together.
exec 9>"$OUT/.build.lock"
flock 9

# ---------------------------------------------------------------- etcd
# Default: build etcd v3.6.x from the Go module proxy (~30 s). Debian bookworm's etcd-server is 3.4.23,
# which lacks RequestWatchProgress: kube-apiserver then answers a watch without resourceVersion with
# "Timeout: Too large resource version" after 3 s unless etcd runs with
# --experimental-watch-progress-notify-interval=100ms. ETCD_SOURCE=debian uses that package anyway.
if [[ "$FORCE" == 1 || ! -x "$OUT/etcd" ]]; then
  if [[ "$ETCD_SOURCE" == debian ]]; then
    [[ -x /usr/bin/etcd ]] || { apt-get install -y etcd-server || { apt-get update && apt-get install -y etcd-server; }; } >/dev/null
    ln -sfn /usr/bin/etcd "$OUT/etcd"
  else
    EB="$OUT/build-etcd"; rm -rf "$EB"; mkdir -p "$EB"; cd "$EB"
    go mod init pipewatch-etcd >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    cat > main.go <<'EOF2'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF2
    go mod tidy
    go build -trimpath -ldflags "-s -w" -o "$OUT/etcd-$ETCD_VERSION" .
    ln -sfn "etcd-$ETCD_VERSION" "$OUT/etcd"
  fi
fi
# sed, not head: head exits after one line, etcd then dies of SIGPIPE, and pipefail fails CI with 141.
"$OUT/etcd" --version | sed -n 1p

# ---------------------------------------------------------------- kube-apiserver, kube-controller-manager, kube-scheduler
# Each is its own main module requiring k8s.io/kubernetes at K8S_VERSION, with every k8s.io/* staging module
# (required as v0.0.0 inside kubernetes' go.mod) replaced by its published v0.<minor>.<patch>; main.go is the
# command's own cmd/<name>/<file>.go. The three share the Go build cache, so the second and third compile mostly
# their own packages.
build_k8s_command() {
  local name=$1 file=$2
  if [[ "$FORCE" != 1 && -x "$OUT/$name" ]]; then "$OUT/$name" --version; return; fi
  local started=$SECONDS
  local MINOR_PATCH="${K8S_VERSION#v1.}"         # e.g. 36.3
  local STAGING="v0.${MINOR_PATCH}"              # staging modules: k8s.io/api v0.36.3 etc.
  local MAJOR=1 MINOR="${MINOR_PATCH%%.*}"
  local BUILD="$OUT/build-$name"
  [[ "$name" == kube-apiserver ]] && BUILD="$OUT/build"   # where earlier versions of this script built it
  rm -rf "$BUILD"; mkdir -p "$BUILD"; cd "$BUILD"

  local GOMOD_FILE MODDIR
  GOMOD_FILE="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": *"\(.*\)".*/\1/p')"
  MODDIR="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"Dir": *"\(.*\)".*/\1/p')"

  go mod init "pipewatch-$name" >/dev/null 2>&1
  go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
  # every k8s.io/* staging module that kubernetes requires as v0.0.0 -> published v0.<minor>.<patch>
  for m in $(awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$GOMOD_FILE" | sort -u); do
    go mod edit -replace="$m=$m@$STAGING"
  done
  cp "$MODDIR/cmd/$name/$file" main.go
  chmod u+w main.go
  go mod tidy

  local BUILD_DATE LDFLAGS="-s -w" pkg
  BUILD_DATE="$(date -u +'%Y-%m-%dT%H:%M:%SZ')"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LDFLAGS+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$MAJOR -X $pkg.gitMinor=$MINOR"
    LDFLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$BUILD_DATE"
  done
  go build -trimpath -ldflags "$LDFLAGS" -o "$OUT/$name.tmp" .
  mv "$OUT/$name.tmp" "$OUT/$name"
  echo "build-k8s: $name $K8S_VERSION built in $((SECONDS - started)) s" >&2
  "$OUT/$name" --version
}

build_k8s_command kube-apiserver apiserver.go
build_k8s_command kube-controller-manager controller-manager.go
build_k8s_command kube-scheduler scheduler.go

# ---------------------------------------------------------------- kwok
# Simulated nodes and pod lifecycles (no containers): sigs.k8s.io/kwok's own command, installed with `go install`
# at KWOK_VERSION. v0.7.0 builds with Go 1.26 and CGO_ENABLED=0; newer releases may need GOTOOLCHAIN (e.g.
# KWOK_GOTOOLCHAIN=go1.27.3 makes the go command fetch that toolchain from the module proxy).
if [[ "$FORCE" == 1 || ! -x "$OUT/kwok" ]]; then
  started=$SECONDS
  GOFLAGS=-buildvcs=false GOBIN="$OUT/build-kwok-bin" GOTOOLCHAIN="${KWOK_GOTOOLCHAIN:-${GOTOOLCHAIN:-auto}}" \
    go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$OUT/build-kwok-bin/kwok" "$OUT/kwok-$KWOK_VERSION"
  ln -sfn "kwok-$KWOK_VERSION" "$OUT/kwok"
  echo "build-k8s: kwok $KWOK_VERSION built in $((SECONDS - started)) s" >&2
fi
"$OUT/kwok" --version
