//go:build tools

// Package tools pins the Kubernetes control plane used by the tests and the
// local demo: kube-apiserver, kube-controller-manager, kube-scheduler and
// kubectl, each built with `go build k8s.io/kubernetes/cmd/<name>` from this
// module (hack/testbin.sh). The blank imports keep `go mod tidy` from
// dropping the requirements.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
