// Package declared reads the declared side of an audit: a local directory
// or a Git repository (cloned with go-git) holding plain YAML or JSON
// manifests, multi-document files and kustomizations (built with
// sigs.k8s.io/kustomize/api). Every object remembers the file and line it
// was declared at. Files that are not Kubernetes manifests are ignored; a
// malformed document becomes a findings.Problem with its file and line and
// everything else is still read.
package declared
