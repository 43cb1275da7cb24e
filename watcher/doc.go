// Package watcher discovers the API resources a cluster serves (built-ins and
// CRDs, including CRDs created or deleted while it runs), runs one dynamic
// shared informer per kind under client-side rate limits, and turns what the
// informers see into a stream of upserts and deletes with an "initial sync
// done" barrier.
package watcher
