#!/usr/bin/env bash
# Builds Helm, used by the tests of the chart under deploy/helm (helm lint,
# helm template), from the Go module proxy into a cache outside the work
# tree, once. Prints the path of the binary.
#
#   hack/helm.sh          build when missing, print the path
#   hack/helm.sh --path   print the path only
set -euo pipefail

HELM_VERSION=v3.22.0
cache=${XDG_CACHE_HOME:-$HOME/.cache}
dir="$cache/clusterscribe/tools"
bin="$dir/helm-${HELM_VERSION}"

if [[ "${1:-}" == "--path" ]]; then
	echo "$bin"
	exit 0
fi

if [[ ! -x "$bin" ]]; then
	echo "helm: building helm ${HELM_VERSION} (about 1.5 min once; cached in $dir)..." >&2
	start=$SECONDS
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.helm-build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# go install outside any module, into a temporary directory, then rename:
	# an interrupted build never leaves a half-written binary that looks complete.
	(cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS= go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}")
	mv "$tmp/bin/helm" "$bin"
	echo "helm: built in $((SECONDS - start))s" >&2
fi

echo "$bin"
