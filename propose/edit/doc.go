// Package edit changes fields of a declared manifest in place, touching
// nothing else: comments, key order, quoting, blank lines and indentation
// outside the changed fields stay byte for byte.
//
// Every edit is made twice. sigs.k8s.io/kustomize/kyaml applies it to the
// parsed document (set a field, add a list item found by its key, clear a
// field): that is what the document must mean afterwards. The text is then
// spliced at the positions the parser recorded — a scalar replaced in its
// token, an entry inserted after the last one of its mapping, an entry or
// list item cut out with its lines — or, when no such splice fits, only
// the smallest enclosing entry is rendered again from kyaml's result. The
// spliced text is parsed back and must mean exactly what kyaml produced;
// when it does not, the whole document is rendered by kyaml (comments kept,
// layout normalized) and the result says so.
//
// Paths are written as the audit reports them:
// spec.template.spec.containers[name=web].image,
// metadata.labels["app.kubernetes.io/name"], rules[0].verbs.
package edit
