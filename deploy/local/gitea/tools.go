//go:build tools

// Package tools pins the Gitea server the propose tests open pull requests
// against. It is built with
//
//	CGO_ENABLED=1 go build -tags "sqlite sqlite_unlock_notify" code.gitea.io/gitea
//
// from this module (hack/gitea.sh does it once and caches the binary); the
// blank import keeps `go mod tidy` from dropping the requirement.
package tools

import _ "code.gitea.io/gitea"
