// Package ignore holds the rules that tell audit which differences between
// the live cluster and the declared repo are not drift: Argo CD-style
// ignoreDifferences read from a config file (group, kind, name, namespace,
// jsonPointers, managedFieldsManagers) — a plain list, or Argo CD's
// Application, ApplicationSet or argocd-cm ConfigMap as they are — and the
// built-in rules (webhook and
// API caBundles, the tracking metadata GitOps tools stamp on what they
// apply, `kubectl rollout restart` timestamps).
//
// A rule matches objects by group, kind, name and namespace. Its JSON
// pointers are removed from both the live and the declared object before
// they are compared; its managers' fields are not drift wherever they
// differ.
package ignore
