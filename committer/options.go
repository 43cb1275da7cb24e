package committer

import (
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Options configure a Committer. Open validates them before touching any
// repository.
type Options struct {
	// Repo is either a local directory holding a working repository
	// (created when missing) or a remote: an http(s)://, ssh://, git:// or
	// file:// URL, an scp-style user@host:path, or the path of an existing
	// bare repository.
	Repo string
	// Branch is the backup branch. It is created when missing, as an orphan
	// branch when the repository already has other branches.
	Branch string
	// Workdir is where a remote is cloned (bare). The default is
	// os.UserCacheDir()/clusterscribe/repos/<hash of Repo, Branch and Prefix>,
	// so recorders sharing a host never share a clone.
	Workdir string
	// Prefix is this recorder's subtree, usually the cluster name. Only paths
	// under it are ever written, and a rejected push rebases by replacing
	// exactly this subtree on top of the remote.
	Prefix string
	// AuthorName and AuthorEmail sign the commits; defaults "clusterscribe"
	// and "clusterscribe@localhost". A commit whose changes one person made
	// (Attribution.ChangedBy) has that person as its author and these as
	// its committer.
	AuthorName, AuthorEmail string
	// Auth holds the credentials for the remote.
	Auth Auth
	// PushBackoff paces RunPusher's retries after a failed push.
	PushBackoff Backoff
	// RemoteTimeout bounds each network operation (advertisement, fetch,
	// push); default 2m. Commit waits for a push in progress, so this is also
	// the longest a slow remote can hold up a commit.
	RemoteTimeout time.Duration
	// StartUnreachable lets Open succeed when the remote cannot be
	// contacted (ErrRemoteUnreachable; rejected credentials still fail):
	// commits go into the clone in Workdir, or a fresh repository when
	// there is none, and the first Push that reaches the remote rebases
	// them onto its branch.
	StartUnreachable bool
	// Logger receives push progress and failures, and the outages of the
	// remote (MsgRemoteUnreachable, MsgRemoteReachable); default discards.
	Logger *slog.Logger
}

// Backoff is an exponential backoff with jitter.
type Backoff struct {
	Initial time.Duration // first delay; default 1s
	Max     time.Duration // cap; default 2m
	Factor  float64       // growth per attempt; default 2
	// Jitter is the fraction of each delay that is randomized, in (0, 1]:
	// a delay d becomes a uniform value in [d(1-Jitter), d(1+Jitter)],
	// still capped at Max. Default 0.2.
	Jitter float64
}

const (
	defaultAuthorName    = "clusterscribe"
	defaultAuthorEmail   = "clusterscribe@localhost"
	defaultRemoteTimeout = 2 * time.Minute
	remoteName           = gitremote.RemoteName
)

func (b Backoff) withDefaults() Backoff {
	if b.Initial == 0 {
		b.Initial = time.Second
	}
	if b.Max == 0 {
		b.Max = 2 * time.Minute
	}
	if b.Factor == 0 {
		b.Factor = 2
	}
	if b.Jitter == 0 {
		b.Jitter = 0.2
	}
	return b
}

func (b Backoff) validate() error {
	switch {
	case b.Initial < 0 || b.Max < 0:
		return fmt.Errorf("%w: backoff durations must not be negative", ErrInvalidOptions)
	case b.Max < b.Initial:
		return fmt.Errorf("%w: backoff max %s is below initial %s", ErrInvalidOptions, b.Max, b.Initial)
	case b.Factor < 1:
		return fmt.Errorf("%w: backoff factor %v is below 1", ErrInvalidOptions, b.Factor)
	case b.Jitter < 0 || b.Jitter > 1:
		return fmt.Errorf("%w: backoff jitter %v is outside [0, 1]", ErrInvalidOptions, b.Jitter)
	}
	return nil
}

// withDefaults fills defaults and checks everything that needs no I/O.
func (o Options) withDefaults() (Options, error) {
	if o.AuthorName == "" {
		o.AuthorName = defaultAuthorName
	}
	if o.AuthorEmail == "" {
		o.AuthorEmail = defaultAuthorEmail
	}
	if o.RemoteTimeout == 0 {
		o.RemoteTimeout = defaultRemoteTimeout
	}
	if o.RemoteTimeout < 0 {
		return o, fmt.Errorf("%w: remote timeout must not be negative", ErrInvalidOptions)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.PushBackoff = o.PushBackoff.withDefaults()
	if err := o.PushBackoff.validate(); err != nil {
		return o, err
	}
	if strings.TrimSpace(o.Repo) == "" {
		return o, fmt.Errorf("%w: repository is empty", ErrInvalidOptions)
	}
	prefix, err := cleanPrefix(o.Prefix)
	if err != nil {
		return o, err
	}
	o.Prefix = prefix
	if err := validateBranch(o.Branch); err != nil {
		return o, err
	}
	return o, nil
}

// cleanPrefix accepts a relative slash-separated path without "..", ".git"
// or control characters, and returns it without surrounding slashes.
func cleanPrefix(p string) (string, error) {
	trimmed := strings.Trim(p, "/")
	if trimmed == "" {
		return "", fmt.Errorf("%w: prefix is empty", ErrInvalidOptions)
	}
	if err := checkRelPath(trimmed); err != nil {
		return "", fmt.Errorf("%w: prefix %q: %w", ErrInvalidOptions, p, err)
	}
	return trimmed, nil
}

// checkRelPath rejects anything but a clean, relative, slash-separated path
// whose components are safe to create in a Git tree and on disk.
func checkRelPath(p string) error {
	if p == "" || path.Clean(p) != p || strings.HasPrefix(p, "/") {
		return fmt.Errorf("not a clean relative path")
	}
	for _, part := range strings.Split(p, "/") {
		switch {
		case part == "." || part == "..":
			return fmt.Errorf("contains %q", part)
		case strings.EqualFold(part, ".git"):
			return fmt.Errorf("contains .git")
		case strings.ContainsRune(part, '\\'):
			return fmt.Errorf("contains a backslash")
		case strings.IndexFunc(part, unicode.IsControl) >= 0:
			return fmt.Errorf("contains a control character")
		}
	}
	return nil
}

func validateBranch(b string) error {
	if b == "" {
		return fmt.Errorf("%w: empty", ErrInvalidBranch)
	}
	if err := branchRef(b).Validate(); err != nil {
		return fmt.Errorf("%w: %q", ErrInvalidBranch, b)
	}
	return nil
}
