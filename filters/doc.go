// Package filters decides which objects matter: kinds, namespaces, label
// selectors, controller-owned children and the built-in exclusions, each
// overridable.
//
// A [Filter] is built once from [Options] by [New] and is then safe for
// concurrent use. It answers at two levels:
//
//   - [Filter.WantResource] decides per kind whether it is watched at all
//     (--include-kinds, --exclude-kinds and the kind-level default
//     exclusions such as events or leases);
//   - [Filter.Allow] decides per object (the kind checks again, then
//     namespace globs, the label selector, controller-owned children and the
//     object-level default exclusions such as service-account token Secrets).
//
// Kind patterns are "kind", "kind.group" or "*.group". The kind part is
// matched case-insensitively against the kind and against the plural resource
// name ("Deployment", "deployment" and "deployments" are the same), and may
// hold "*" wildcards ("*Review.authorization.k8s.io"). A pattern without a
// group matches that kind in every group; "kind.core" names the core group
// only. Namespace patterns are [path.Match] globs.
//
// The default exclusions ([DefaultExclusions]) are a table of named rules; a
// name listed in [Options.Include] (--include-excluded) switches its rule off,
// and "all" switches every rule off.
package filters
