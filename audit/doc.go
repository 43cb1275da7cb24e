// Package audit compares the live cluster with the declared GitOps repo and
// reports drift findings (package audit/findings; formats in audit/report).
//
// [Run] reads the declared repo (package audit/declared), lists the kinds in
// scope once under the client-side rate limits (package watcher) — while
// the repo is read when what to list does not depend on it (policies or
// --include-kinds) — and calls [Compare], the pure core, on as many objects
// at once as there are CPUs: both sides are normalized by the serializer,
// ignore rules applied (package audit/ignore), and each difference judged
// by the live object's managedFields:
//
//   - a declared field with another value live is drift, unless only
//     controllers own the live value (the HPA's replicas, the VPA's
//     requests);
//   - a declared field missing live is drift, unless its value is one the
//     server does not store (false, 0, "", empty);
//   - a live field the declaration leaves out is drift when someone set it:
//     it is owned by a server-side apply entry, by an update from a manager
//     that is not an applier (kubectl edit, label, patch, set ...), or by an
//     applier whose last applied configuration names it, and its value is
//     not the one the server defaults it to (package audit/defaults: the
//     upstream defaulting functions for built-in kinds, the CRD's
//     structural schema for custom resources). Fields no one owns are the
//     server's defaults too. --strict reports them all.
//
// Modified findings carry a unified diff (the declaration against the
// declaration with the drift applied, Secret values redacted), the changed
// paths and who changed them; MissingLive findings the file and line of the
// declaration; Unmanaged findings who created the object.
package audit
