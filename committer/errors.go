package committer

import (
	"errors"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Sentinel errors. Open wraps exactly one of the Err*Invalid*/Err*Rejected
// group so a caller can tell the user what to fix; the cause follows it.
var (
	// ErrNothingToCommit is returned by Commit when no change differs from
	// the branch tip.
	ErrNothingToCommit = errors.New("nothing to commit")
	// ErrPushFailed wraps a push that did not reach the remote (network,
	// server or credential trouble, or too many concurrent updates). The
	// commits stay queued locally; pushing again later sends them.
	ErrPushFailed = errors.New("push failed")

	// ErrInvalidOptions reports Options that cannot work (empty or unsafe
	// Prefix, conflicting credentials, bad backoff).
	ErrInvalidOptions = errors.New("invalid committer options")
	// ErrInvalidBranch reports a branch name Git does not accept.
	ErrInvalidBranch = errors.New("invalid branch name")
	// ErrInvalidURL reports a remote URL that cannot be parsed or uses a
	// protocol go-git does not speak.
	ErrInvalidURL = gitremote.ErrInvalidURL
	// ErrRepoNotWritable reports a local directory (the repository or the
	// clone's work directory) that cannot be created or written.
	ErrRepoNotWritable = errors.New("repository path not writable")
	// ErrRemoteUnreachable reports a remote that could not be contacted or
	// does not hold a repository.
	ErrRemoteUnreachable = gitremote.ErrUnreachable
	// ErrAuthRejected reports credentials the remote refused, or missing
	// credentials it requires.
	ErrAuthRejected = gitremote.ErrAuthRejected
	// ErrDirtyWorktree reports a local working repository whose tracked
	// files have uncommitted changes when Open has to switch branches.
	ErrDirtyWorktree = errors.New("working tree has uncommitted changes")
	// ErrPathOutsidePrefix reports a Change whose path is not a clean path
	// under Options.Prefix.
	ErrPathOutsidePrefix = errors.New("path outside prefix")
	// ErrWorktree reports a commit that was recorded on the branch while the
	// local working tree or index could not be brought up to date with it.
	ErrWorktree = errors.New("update working tree")
)
