// Package corpus holds the real-world test of audit: stock install
// manifests of widely used projects, fetched at pinned versions from their
// Go module zips, applied to a control plane of its own and audited. It
// has no code of its own.
package corpus
