// Package record wires watcher, filters, serializer and committer into the
// record job: it keeps a backup branch in step with the live cluster.
package record
