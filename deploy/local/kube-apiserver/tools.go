//go:build tools

// Package tools pins the kube-apiserver used by the local control plane.
// It is built with `go build k8s.io/kubernetes/cmd/kube-apiserver` from this
// module; the blank import keeps `go mod tidy` from dropping the requirement.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
