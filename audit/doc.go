// Package audit compares the live cluster with the declared GitOps repo and
// reports drift findings.
package audit
