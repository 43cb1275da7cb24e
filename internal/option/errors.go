package option

import (
	"errors"
	"fmt"
)

// Named is an error about the value of one option, which it names by its
// declared name. The front end the value came from renders the name as
// the user wrote it: a command renders it as a flag (the error's own
// message), a configuration file as a key (see Keyed).
type Named interface {
	error
	// Option is the option's declared name: "drop".
	Option() string
	// Problem is the message without the option's name.
	Problem() string
}

// Error is a bad value of one option.
type Error struct {
	// Name is the option's declared name.
	Name string
	// Index is the position of the bad value in a list option; Value is
	// that value.
	Index int
	Value string
	// List says the option is a list, so Index and Value name the bad one.
	List bool
	Err  error
}

// Error renders the option as a flag: `--drop "x": the problem`.
func (e *Error) Error() string {
	if e.List {
		return fmt.Sprintf("--%s %q: %v", e.Name, e.Value, e.Err)
	}
	return fmt.Sprintf("--%s: %v", e.Name, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Option is the option's declared name.
func (e *Error) Option() string { return e.Name }

// Problem is the message without the option's name.
func (e *Error) Problem() string { return e.Err.Error() }

// key is the option's key under prefix: "drop[1]" for a list.
func key(n Named, prefix string) string {
	k := Join(prefix, n.Option())
	var e *Error
	if errors.As(n, &e) && e.List {
		k = fmt.Sprintf("%s[%d]", k, e.Index)
	}
	return k
}

// Keyed unpacks err (joined errors one by one) and renders every Named
// error as a configuration key under prefix: "drop[1]: the problem".
// Other errors are kept as they are.
func Keyed(err error, prefix string) []error {
	if err == nil {
		return nil
	}
	if n, ok := err.(Named); ok { //nolint:errorlint // the error itself, not its chain
		return []error{&keyError{key: key(n, prefix), err: n}}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok { //nolint:errorlint // unpacking errors.Join
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Keyed(e, prefix)...)
		}
		return out
	}
	return []error{err}
}

// keyError is a Named error rendered as a configuration key.
type keyError struct {
	key string
	err Named
}

func (e *keyError) Error() string { return e.key + ": " + e.err.Problem() }
func (e *keyError) Unwrap() error { return e.err }
