package declared

import "errors"

var (
	// ErrNoSource is returned when --declared is empty.
	ErrNoSource = errors.New("a directory or Git URL is required")
	// ErrNoManifests is returned when the declared source holds no
	// Kubernetes object and no problem explains why: auditing against it
	// would report every live object as unmanaged.
	ErrNoManifests = errors.New("no Kubernetes manifests found")
)

// OptionName is the declared name of the option that gives the source:
// audit.Options' "declared" (the flag --declared, the key audit.declared).
const OptionName = "declared"

// SourceError is a bad declared source, named by its option (see
// option.Named): a command renders it as the flag (its own message,
// `--declared ftp://host/repo: unsupported protocol "ftp"`), a
// configuration file as a key.
type SourceError struct {
	// Value is the source without credentials; empty when none was given.
	Value string
	Err   error
}

// Error renders the option as a flag, followed by the source.
func (e *SourceError) Error() string {
	if e.Value == "" {
		return "--" + OptionName + ": " + e.Problem()
	}
	return "--" + OptionName + " " + e.Problem()
}

// Option is the option's declared name.
func (e *SourceError) Option() string { return OptionName }

// Problem is the message without the option's name: the source, then what
// is wrong with it.
func (e *SourceError) Problem() string {
	if e.Value == "" {
		return e.Err.Error()
	}
	return e.Value + ": " + e.Err.Error()
}

func (e *SourceError) Unwrap() error { return e.Err }
