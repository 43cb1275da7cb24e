#!/usr/bin/env bash
# Builds the Gitea server the propose tests open pull requests against, from
# the Go module proxy into a cache outside the work tree, once. Prints the
# directory holding the binary.
#
#   hack/gitea.sh          build what is missing, print the directory
#   hack/gitea.sh --dir    print the directory only
#
# The directory holds gitea and, next to it, the options/, templates/ and
# public/ trees of the same Gitea release: the binary is built without the
# bindata tag and reads them from its STATIC_ROOT_PATH. They are copied out of
# the module cache so the directory keeps working after `go clean -modcache`.
set -euo pipefail

GITEA_VERSION=v1.26.1
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}
dir="$cache/clusterscribe/gitea/${GITEA_VERSION}"
moddir="$root/deploy/local/gitea"

if [[ "${1:-}" == "--dir" ]]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"

if [[ ! -x "$dir/gitea" ]]; then
	echo "gitea: building gitea ${GITEA_VERSION} (cached in $dir)..." >&2
	start=$SECONDS
	# Build into a temporary name and rename, so an interrupted build never
	# leaves a half-written binary that looks complete.
	(cd "$moddir" && CGO_ENABLED=1 GOFLAGS=-mod=mod go build -trimpath \
		-tags "sqlite sqlite_unlock_notify" \
		-ldflags "-s -w -X main.Version=${GITEA_VERSION#v} -X main.Tags=sqlite,sqlite_unlock_notify" \
		-o "$dir/.gitea.tmp" code.gitea.io/gitea)
	mv "$dir/.gitea.tmp" "$dir/gitea"
	echo "gitea: built gitea in $((SECONDS - start))s" >&2
fi

for tree in options templates public; do
	if [[ -d "$dir/$tree" ]]; then
		continue
	fi
	src=$(cd "$moddir" && GOFLAGS=-mod=mod go mod download code.gitea.io/gitea &&
		GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' code.gitea.io/gitea)
	rm -rf "$dir/.$tree.tmp"
	cp -R "$src/$tree" "$dir/.$tree.tmp"
	chmod -R u+w "$dir/.$tree.tmp" # the module cache is read-only
	mv "$dir/.$tree.tmp" "$dir/$tree"
done

echo "$dir"
