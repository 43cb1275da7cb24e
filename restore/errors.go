package restore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

var (
	// ErrIncomplete is wrapped by Run's error when at least one object failed
	// to restore; the Summary says which.
	ErrIncomplete = errors.New("restore incomplete")
	// ErrInvalidConfig is wrapped by errors about the configuration itself.
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrRefNotFound means the ref names no commit of the repository: the
	// one "ref not found" of every Git operation (gitremote.ErrRefNotFound).
	ErrRefNotFound = gitremote.ErrRefNotFound
	// ErrAmbiguousRef means an abbreviated commit hash names several commits.
	ErrAmbiguousRef = errors.New("ref is ambiguous")
	// ErrClusterNotFound means the commit holds no subtree for the cluster,
	// or holds several and none was chosen.
	ErrClusterNotFound = errors.New("cluster not found in the backup")
	// ErrObjectNotFound means History found no file for the object in the
	// history of the ref.
	ErrObjectNotFound = errors.New("object not found in the backup history")
	// ErrAmbiguousObject means History's object matches files of several
	// kinds; kind.group tells them apart.
	ErrAmbiguousObject = errors.New("object is ambiguous")
)

// ObjectError is the failure of one object (or one file) of the backup.
type ObjectError struct {
	// Path is the file in the backup branch.
	Path string
	// Object names the object ("Deployment.apps shop/web") when the file
	// could be read that far.
	Object string
	Err    error
}

func (e *ObjectError) Error() string {
	if e.Object == "" {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s (%s): %v", e.Object, e.Path, e.Err)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// clusterChoiceError is returned when the cluster subtree cannot be chosen.
func clusterChoiceError(want string, have []string) error {
	switch {
	case want != "" && len(have) == 0:
		return fmt.Errorf("%w: %q (the commit holds no cluster subtree)", ErrClusterNotFound, want)
	case want != "":
		return fmt.Errorf("%w: %q (the commit holds %s)", ErrClusterNotFound, want, strings.Join(have, ", "))
	case len(have) == 0:
		return fmt.Errorf("%w: the commit holds no cluster subtree", ErrClusterNotFound)
	default:
		return fmt.Errorf("%w: the commit holds several clusters (%s); choose one with --cluster-name",
			ErrClusterNotFound, strings.Join(have, ", "))
	}
}
