// Package serializer normalizes live objects (drops volatile fields by a
// table of rules), renders them as canonical, byte-stable YAML, maps objects
// to file paths and back, and handles Secrets (redact, encrypt, omit).
package serializer
