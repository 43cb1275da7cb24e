// Package corpus holds the real-world test of audit, record and restore:
// the stock install manifests of widely used projects, fetched at pinned
// versions from their Go module zips (a Helm chart among them rendered with
// helm template), installed server-side, with kubectl apply and with
// kubectl create on a control plane with controllers and kwok Nodes, and
// audited once the controllers have settled. It has no code of its own.
package corpus
