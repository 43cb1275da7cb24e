// Package auditwebhook receives the kube-apiserver's audit webhook
// (audit.k8s.io/v1 EventList POSTs at /audit) and keeps a bounded index of
// recent successful writes, so that a change the watcher saw can be
// attributed to the person who made it: user, groups, impersonation, user
// agent, verb and time.
//
// The endpoint is authenticated (a bearer token from a file, a client
// certificate signed by a CA, or both) and serves plain HTTP on loopback
// only. Requests are bounded in size; unauthenticated, oversized and
// malformed ones are refused and counted. A request is decoded and
// answered at once, and its events are indexed by a goroutine of their
// own: a slow index never holds the API server up, and when the queue is
// full the events are dropped and counted. The index holds at most
// Config.MaxEvents events, none older than Config.MaxAge; the oldest go
// first, and each one that goes before its age is counted as a drop.
//
// Request and response bodies are never kept, whatever the audit policy
// sends: the decoder reads only the metadata fields it needs (and, from a
// response object, only its resourceVersion), so a Secret's data never
// outlives the parse of its request.
package auditwebhook
