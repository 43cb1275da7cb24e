#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the Go module proxy into a cache outside
# the work tree, once. Prints the directory holding the binaries.
#
#   hack/testbin.sh          build what is missing, print the directory
#   hack/testbin.sh --dir    print the directory only
set -euo pipefail

K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}
dir="$cache/clusterscribe/testbin/${K8S_VERSION}-${ETCD_VERSION}"

if [[ "${1:-}" == "--dir" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"

build() { # name module-dir package ldflags
	local name=$1 moddir=$2 pkg=$3 ldflags=$4
	if [[ -x "$dir/$name" ]]; then
		return 0
	fi
	echo "testbin: building $name (cached in $dir)..." >&2
	local start=$SECONDS
	# Build into a temporary name and rename, so an interrupted build never
	# leaves a half-written binary that looks complete.
	(cd "$root/$moddir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
		-ldflags "$ldflags" -o "$dir/.$name.tmp" "$pkg")
	mv "$dir/.$name.tmp" "$dir/$name"
	echo "testbin: built $name in $((SECONDS - start))s" >&2
}

build etcd deploy/local/etcd . "-s -w"
build kube-apiserver deploy/local/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver \
	"-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"

echo "$dir"
