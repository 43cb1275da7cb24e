package edit

import "github.com/clusterscribe/clusterscribe/internal/fieldpath"

// Path addresses a field of an object, in the audit's notation
// (internal/fieldpath).
type Path = fieldpath.Path

// Step is one level of a Path.
type Step = fieldpath.Step

// ErrBadPath is returned for a path that cannot be parsed.
var ErrBadPath = fieldpath.ErrBadPath

// ParsePath parses a path in the audit's notation.
func ParsePath(s string) (Path, error) {
	return fieldpath.Parse(s)
}
