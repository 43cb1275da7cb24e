package gitremote

import (
	"context"
	"errors"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// The kinds of fault a remote operation reports (see Error). Every command
// tells the user the same thing for the same fault.
var (
	// ErrUnreachable reports a remote that could not be contacted, did not
	// answer in time or does not hold a repository.
	ErrUnreachable = errors.New("remote unreachable")
	// ErrAuthRejected reports credentials the remote refused, or missing
	// credentials it requires.
	ErrAuthRejected = errors.New("remote rejected credentials")
	// ErrRefNotFound reports a branch, tag or ref pattern the remote does
	// not have (an empty remote has none).
	ErrRefNotFound = errors.New("ref not found")
	// ErrRefMoved reports a push refused because the remote ref is not
	// where the update expected it: not a fast-forward, or a lease that no
	// longer holds.
	ErrRefMoved = errors.New("remote ref moved")
	// ErrRefused reports an update the remote itself refused (a hook, a
	// protected branch).
	ErrRefused = errors.New("remote refused the update")
)

// Error is a failed remote operation: what was done, to which remote
// (without userinfo), the kind of fault and its cause. Its message holds no
// secret; errors.Is and errors.As see both the kind and the cause.
type Error struct {
	// Op is clone, fetch, push or list refs.
	Op string
	// URL is the remote, without userinfo.
	URL string
	// Kind is ErrUnreachable, ErrAuthRejected, ErrRefNotFound, ErrRefMoved
	// or ErrRefused; nil for an operation cut short by its context or a
	// failure on this side.
	Kind error
	// Err is the cause, free of secrets.
	Err error
}

func (e *Error) Error() string {
	if e.Kind == nil {
		return e.Op + " " + e.URL + ": " + e.Err.Error()
	}
	return e.Op + " " + e.URL + ": " + e.Kind.Error() + ": " + e.Err.Error()
}

// Unwrap returns the kind (when there is one) and the cause.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// fail wraps the cause of a failed operation on a's remote.
func (a *Access) fail(op string, err error) error {
	return a.failAs(op, classify(err), err)
}

func (a *Access) failAs(op string, kind, err error) error {
	return &Error{Op: op, URL: Scrub(a.URL), Kind: kind, Err: a.Scrub(err)}
}

// classify tells the kind of fault behind err, an error of go-git's
// transport: one of the Err kinds of this package, or nil for an
// operation cut short by its context or a failure on this side.
func classify(err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, git.ErrRepositoryAlreadyExists),
		errors.Is(err, git.ErrRemoteNotFound):
		return nil
	case errors.Is(err, ErrUnreachable), errors.Is(err, ErrAuthRejected), errors.Is(err, ErrRefNotFound),
		errors.Is(err, ErrRefMoved), errors.Is(err, ErrRefused):
		return nil // already classified
	case errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod),
		strings.Contains(err.Error(), "unable to authenticate"): // ssh
		return ErrAuthRejected
	case errors.Is(err, plumbing.ErrReferenceNotFound),
		errors.Is(err, git.NoMatchingRefSpecError{}),
		errors.Is(err, transport.ErrEmptyRemoteRepository),
		strings.Contains(err.Error(), "couldn't find remote ref"):
		return ErrRefNotFound
	case errors.Is(err, git.ErrForceNeeded),
		strings.Contains(err.Error(), "non-fast-forward"),
		strings.Contains(err.Error(), "required to be"): // RequireRemoteRefs
		return ErrRefMoved
	case strings.Contains(err.Error(), "command error on"): // the remote's report status
		return ErrRefused
	}
	return ErrUnreachable
}
