// Package testdata holds fixtures shared across packages: sample workloads,
// a declared GitOps repo and golden files.
package testdata
