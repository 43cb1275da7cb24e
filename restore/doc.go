// Package restore rebuilds a cluster from the backup branch that record
// writes, and answers "who changed this object, and when" from its history.
//
// Run reads one commit of the branch (any branch, tag or commit: a restore
// is a point-in-time restore), takes one cluster's subtree, and applies its
// objects with server-side apply (field manager "clusterscribe") in
// dependency order: CustomResourceDefinitions first, waited for until they
// are Established, then Namespaces, cluster-wide RBAC and classes,
// ServiceAccounts and namespaced RBAC, Secrets and ConfigMaps, volumes,
// workloads, Services, everything else (custom resources included), and
// admission webhooks and APIServices last, so they cannot block the restore
// itself. Objects with ownerReferences come after all others, and their
// references are pointed at the owners' new uids (or dropped when the owner
// is not there, lest the garbage collector delete them). The order
// (internal/applyorder) is a list of levels: the objects of one level are
// applied at once (Config.Parallel), a level after the one before, and the
// Summary lists them in order whatever order they finished in. Requests go
// through an adaptive client-side limit (kube.Adaptive): Config.QPS is a
// cap the rate starts at, halves from when the API server answers 429 and
// climbs back to.
//
// A restore never deletes. Objects that already exist are skipped or
// updated (Existing). Redacted Secrets are skipped and listed; encrypted
// ones are decrypted with age identities and their fingerprint annotation
// removed. A file that cannot be read or applied is reported by its path
// and the rest continues; the Summary tells what was created, updated,
// skipped or failed, and Run's error wraps ErrIncomplete when anything
// failed. With DryRunServer every write is a server-side dry run; with
// DryRunClient the cluster is not contacted and every object is Planned.
//
// History lists the commits that changed one object's file, with the
// attribution lines of their commit messages.
package restore
