// Package serializer normalizes live objects (drops volatile fields by a
// table of rules), renders them as canonical, byte-stable YAML, maps objects
// to file paths and back, and handles Secrets (redact, encrypt, omit).
//
// Normalization is data: DefaultRules is a table of Rule values (JSON
// pointers and annotation keys per kind, and a few functions), each testable
// alone; users add rules with ParseRule ("Kind.group:/json/pointer") and
// switch defaults off by name. A Serializer built by New applies them:
// Normalize returns the normalized copy, Render adds the Secret mode and
// canonical YAML (Marshal), and the same object always gives the same bytes.
//
// Secrets never leave in plaintext. Redact mode replaces values with keyed
// markers; encrypt mode writes SOPS files (age recipients, AES-256-GCM values
// under data, the sops metadata block) that the sops CLI and Flux's
// kustomize-controller decrypt, and that Decrypt reads back for restore;
// omit mode leaves Secrets out.
//
// ObjectPath and ParseObjectPath implement the backup branch layout
// (<cluster>/cluster/<group>/<resource>/<name>.yaml and
// <cluster>/namespaces/<ns>/<group>/<resource>/<name>.yaml), with every
// segment made safe for every filesystem by EncodeSegment and at most
// MaxSegmentBytes long: a longer name is cut into directories, reversibly.
// Render refuses names over MaxNameBytes (ErrNameTooLong).
package serializer
