#!/usr/bin/env bash
# Builds the local control plane from the Go module proxy into a cache outside
# the work tree, once: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kubectl (all from k8s.io/kubernetes), kwok and its
# stages (simulated nodes that run pods). Prints the directory holding them.
#
#   hack/testbin.sh          build what is missing, print the directory
#   hack/testbin.sh --dir    print the directory only
set -euo pipefail

K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
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

k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"
build etcd deploy/local/etcd . "-s -w"
for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
	build "$name" deploy/local/kube-apiserver "k8s.io/kubernetes/cmd/$name" "$k8s_ldflags"
done

# kwok is its own module: installed at a pinned version, and its stages (node
# initialization, heartbeats with leases, pods that run) taken from the same
# module's kustomize/stage into one --config file.
if [[ ! -x "$dir/kwok" ]]; then
	echo "testbin: building kwok ${KWOK_VERSION} (cached in $dir)..." >&2
	start=$SECONDS
	tmp=$(mktemp -d)
	(cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}")
	mv "$tmp/kwok" "$dir/.kwok.tmp" && rm -rf "$tmp"
	mv "$dir/.kwok.tmp" "$dir/kwok"
	echo "testbin: built kwok in $((SECONDS - start))s" >&2
fi
if [[ ! -s "$dir/kwok-stages.yaml" ]]; then
	src=$(cd "$root" && go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	out="$dir/.kwok-stages.yaml.tmp"
	: >"$out"
	for stage in node/fast node/heartbeat-with-lease pod/fast; do
		for f in "$src/kustomize/stage/$stage"/*.yaml; do
			[[ "$(basename "$f")" == kustomization.yaml ]] && continue
			printf -- '---\n' >>"$out"
			cat "$f" >>"$out"
		done
	done
	mv "$out" "$dir/kwok-stages.yaml"
fi

echo "$dir"
