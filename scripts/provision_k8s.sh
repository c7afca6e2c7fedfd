#!/usr/bin/env bash
# Build the Kubernetes control plane (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl), etcd and kwok from the Go module proxy, once per
# version, into $GRIDEDGE_CACHE_DIR/k8s/<version>/bin. Called by
# scripts/bootstrap.sh and by the test fixtures; prints the bin dir on stdout.
#
# k8s.io/kubernetes replaces its staging modules with ./staging, so `go install`
# refuses it; the standard way round is a wrapper module that replaces every
# k8s.io/* module required at v0.0.0 with its published v0.X.Y tag.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
source "$here/versions.env"

K8S="$KUBERNETES_VERSION"
MINOR="${K8S#*.}"; MINOR="${MINOR%%.*}"
STAGING_TAG="v0.${K8S#*.}"
OUT="$GRIDEDGE_CACHE_DIR/k8s/v$K8S"
BIN="$OUT/bin"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

build_all() {
  mkdir -p "$BIN"
  need go "Install Go 1.24 or newer (Debian: golang-go, or the toolchain in /usr/local/go/bin)."
  local work="$OUT/src"
  rm -rf "$work"; mkdir -p "$work"; cd "$work"

  if [[ ! -x "$BIN/kube-apiserver" || ! -x "$BIN/kubectl" || ! -x "$BIN/kube-scheduler" || ! -x "$BIN/kube-controller-manager" ]]; then
    log "building Kubernetes v$K8S (cold: 15-25 min on 2 cores; cached afterwards in $BIN)"
    go mod init gridedge.local/k8sbuild >/dev/null 2>&1
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')" \
      || die "could not download k8s.io/kubernetes@v$K8S from the Go module proxy (check GOPROXY and the network)"
    # Every k8s.io staging module appears as 'k8s.io/x v0.0.0' in kubernetes' go.mod.
    local mods
    mods="$(awk '$1 ~ /^k8s.io\// && $2=="v0.0.0" {print $1} $2 ~ /^k8s.io\// && $3=="v0.0.0" {print $2}' "$gomod" | sort -u)"
    [[ -n "$mods" ]] || die "no staging modules found in $gomod: layout of k8s.io/kubernetes changed?"
    local m
    for m in $mods; do go mod edit "-replace=$m=$m@$STAGING_TAG"; done
    go mod edit "-require=k8s.io/kubernetes@v$K8S"
    cat > tools.go <<'GO'
//go:build tools

package tools
GO
    go get "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S" "k8s.io/kubernetes/cmd/kube-controller-manager@v$K8S" \
           "k8s.io/kubernetes/cmd/kube-scheduler@v$K8S" "k8s.io/kubernetes/cmd/kubectl@v$K8S" >"$OUT/go-get.log" 2>&1 \
      || { tail -20 "$OUT/go-get.log" >&2; die "go get of Kubernetes v$K8S failed (full log: $OUT/go-get.log)"; }
    local pkg="k8s.io/component-base/version"
    local ld="-s -w -X $pkg.gitVersion=v$K8S -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    local c
    for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      if [[ ! -x "$BIN/$c" ]]; then
        log "go build $c"
        go build -trimpath -ldflags "$ld" -o "$BIN/$c.tmp" "k8s.io/kubernetes/cmd/$c" >"$OUT/build-$c.log" 2>&1 \
          || { tail -20 "$OUT/build-$c.log" >&2; die "building $c failed (log: $OUT/build-$c.log)"; }
        mv "$BIN/$c.tmp" "$BIN/$c"
      fi
    done
  fi

  if [[ ! -x "$BIN/etcd" ]]; then
    local etcdv="$ETCD_VERSION"
    if [[ "$etcdv" == auto ]]; then
      etcdv="$(cd "$work" && go list -m -f '{{.Version}}' go.etcd.io/etcd/client/v3)"
    fi
    log "building etcd $etcdv"
    local ew="$OUT/src-etcd"; rm -rf "$ew"; mkdir -p "$ew"; cd "$ew"
    go mod init gridedge.local/etcdbuild >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$etcdv" >"$OUT/etcd-get.log" 2>&1 \
      || { tail -20 "$OUT/etcd-get.log" >&2; die "go get etcd $etcdv failed (log: $OUT/etcd-get.log)"; }
    go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3 >"$OUT/build-etcd.log" 2>&1 \
      || { tail -20 "$OUT/build-etcd.log" >&2; die "building etcd failed (log: $OUT/build-etcd.log)"; }
    mv "$BIN/etcd.tmp" "$BIN/etcd"
  fi

  if [[ ! -x "$BIN/kwok" ]]; then
    log "building kwok v$KWOK_VERSION"
    GOBIN="$BIN" go install "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" >"$OUT/build-kwok.log" 2>&1 \
      || { tail -20 "$OUT/build-kwok.log" >&2; die "building kwok failed (log: $OUT/build-kwok.log)"; }
  fi
  if [[ ! -f "$OUT/kwok-stages.yaml" ]]; then
    local kdir
    kdir="$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    local f first=1
    : > "$OUT/kwok-stages.yaml.tmp"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml pod/fast/pod-ready.yaml pod/fast/pod-delete.yaml; do
      [[ -f "$kdir/kustomize/stage/$f" ]] || die "kwok stage file $f missing in $kdir"
      [[ $first == 1 ]] || echo '---' >> "$OUT/kwok-stages.yaml.tmp"
      first=0
      cat "$kdir/kustomize/stage/$f" >> "$OUT/kwok-stages.yaml.tmp"
    done
    mv "$OUT/kwok-stages.yaml.tmp" "$OUT/kwok-stages.yaml"
  fi
  rm -rf "$OUT/src" "$OUT/src-etcd"
  touch "$OUT/.complete"
}

if [[ ! -f "$OUT/.complete" ]]; then
  with_lock "k8s-v$K8S" build_all
fi
echo "$BIN"
