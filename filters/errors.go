package filters

import (
	"errors"
	"fmt"
)

// Sentinel errors carried by [FlagError]; test for them with [errors.Is].
var (
	// ErrBadKindPattern: a kind pattern is not "kind", "kind.group" or "*.group".
	ErrBadKindPattern = errors.New("bad kind pattern")
	// ErrBadGlob: a namespace pattern is not a valid path.Match glob.
	ErrBadGlob = errors.New("bad glob")
	// ErrBadSelector: the label selector does not parse.
	ErrBadSelector = errors.New("bad label selector")
	// ErrUnknownExclusion: a name in Include is not a default exclusion.
	ErrUnknownExclusion = errors.New("unknown exclusion")
	// ErrUnknownKind: a kind pattern matches no resource the cluster serves.
	ErrUnknownKind = errors.New("unknown kind")
	// ErrExcludedKind: every kind an include pattern matches is excluded
	// anyway, so the pattern would select nothing.
	ErrExcludedKind = errors.New("excluded kind")
)

// FlagError reports one bad value of one option, named by its declared
// name (see option.Named): rendered as a flag by Error, as a key by a
// configuration file.
type FlagError struct {
	// Flag is the option's name, e.g. "include-kinds".
	Flag string
	// Value is the offending value as the user gave it.
	Value string
	// Err is one of the sentinel errors of this package.
	Err error
	// Detail explains further; it may be nil.
	Detail error
}

// Error renders e.g. `--include-kinds: unknown kind "Deploymnet"`.
func (e *FlagError) Error() string { return "--" + e.Flag + ": " + e.Problem() }

// Option is the option's declared name.
func (e *FlagError) Option() string { return e.Flag }

// Problem is the message without the option's name: `unknown kind "Deploymnet"`.
func (e *FlagError) Problem() string {
	s := fmt.Sprintf("%v %q", e.Err, e.Value)
	if e.Detail != nil {
		s += ": " + e.Detail.Error()
	}
	return s
}

// Unwrap returns the sentinel and the detail, so both match [errors.Is].
func (e *FlagError) Unwrap() []error {
	if e.Detail == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Detail}
}
