// Package operate runs clusterscribe as a long-lived, observable, highly
// available service: `clusterscribe run --config config.yaml`.
//
// One process records the cluster continuously (package record), audits it
// against the declared repo and evaluates compliance policies on an
// interval and whenever what it records changes (packages audit and
// policies), alerts on new findings (Slack, generic JSON webhooks), writes
// PolicyReports when asked to, and hands drift to a proposer (pull
// requests) when one is built in.
//
// Several replicas may run: they elect a leader on a coordination.k8s.io
// Lease, and only the leader writes to Git, sends alerts or opens pull
// requests. Every replica serves /healthz, /readyz and /metrics.
//
// The configuration is a versioned file (apiVersion clusterscribe.io/v1alpha1,
// kind Config) whose keys are named like the flags of record and audit;
// see Config, Decode and BindFlags.
package operate
