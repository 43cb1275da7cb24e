package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// PullRequest is an open pull (or merge) request as propose sees it.
type PullRequest struct {
	// Number is the forge's number for it in the repository (GitLab's iid).
	Number int64
	URL    string
	Title  string
	Body   string
	// Head and Base are branch names.
	Head, Base string
	HeadSHA    string
}

// NewPullRequest is what CreatePR opens.
type NewPullRequest struct {
	Head, Base  string
	Title, Body string
}

// Forge is a repository's pull requests on one forge.
type Forge interface {
	// Name is the forge's kind: "gitea", "github" or "gitlab".
	Name() string
	// FindOpenPR returns the open pull request whose head is branch (of
	// this repository, not a fork), or nil when there is none.
	FindOpenPR(ctx context.Context, branch string) (*PullRequest, error)
	// CreatePR opens a pull request.
	CreatePR(ctx context.Context, pr NewPullRequest) (*PullRequest, error)
	// UpdatePR replaces the title and body of a pull request.
	UpdatePR(ctx context.Context, number int64, title, body string) error
	// Comment adds a comment to a pull request.
	Comment(ctx context.Context, number int64, body string) error
	// ClosePR closes a pull request without merging it.
	ClosePR(ctx context.Context, number int64) error
}

// Options configure a forge client.
type Options struct {
	// URL is the forge's API root: Gitea's and GitLab's web root
	// (https://gitea.example.com, https://gitlab.example.com), GitHub's API
	// (https://api.github.com/, https://ghe.example.com/api/v3/).
	URL string
	// Repo is the repository's path on the forge: owner/name, or
	// group/subgroup/name on GitLab.
	Repo string
	// Token is the access token.
	Token Token
	// HTTPClient is used for every request; default http.DefaultClient.
	HTTPClient *http.Client
}

// Token is an access token kept in a file or an environment variable.
type Token struct {
	File string
	Env  string
}

// ErrNoToken means no token is configured, or its file or variable is
// empty.
var ErrNoToken = errors.New("no forge token")

// Read returns the token, read now.
func (t Token) Read() (string, error) {
	s, err := gitremote.ReadSecret(t.File, t.Env)
	switch {
	case errors.Is(err, gitremote.ErrEmptySecret):
		return "", fmt.Errorf("%w: %w", ErrNoToken, err)
	case err != nil:
		return "", err
	case s == "":
		return "", ErrNoToken
	}
	return s, nil
}

// Validate checks what every forge needs.
func (o Options) Validate() error {
	if o.URL == "" {
		return errors.New("forge: no URL")
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("forge: URL %q is not an http(s) URL", gitremote.Scrub(o.URL))
	}
	if parts := strings.Split(strings.Trim(o.Repo, "/"), "/"); len(parts) < 2 || slicesHasEmpty(parts) {
		return fmt.Errorf("forge: repository %q is not owner/name", o.Repo)
	}
	if _, err := o.Token.Read(); err != nil {
		return fmt.Errorf("forge: %w", err)
	}
	return nil
}

func slicesHasEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" {
			return true
		}
	}
	return false
}

// OwnerRepo splits Repo into its owner (everything before the last slash)
// and name.
func (o Options) OwnerRepo() (owner, name string) {
	r := strings.Trim(o.Repo, "/")
	i := strings.LastIndexByte(r, '/')
	return r[:i], r[i+1:]
}

// Client returns the HTTP client to use.
func (o Options) Client() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return http.DefaultClient
}

// RepoFromURL derives the forge's web root and the repository path from a
// Git remote URL: https://host/owner/name.git gives https://host and
// owner/name; git@host:owner/name.git gives https://host and owner/name.
func RepoFromURL(gitURL string) (webRoot, repo string, err error) {
	s := strings.TrimSpace(gitURL)
	if !strings.Contains(s, "://") {
		// scp-like user@host:path
		at := strings.IndexByte(s, '@')
		colon := strings.IndexByte(s, ':')
		if colon < 0 || colon < at {
			return "", "", fmt.Errorf("forge: cannot tell the repository from %q", gitremote.Scrub(gitURL))
		}
		s = "ssh://" + s[:colon] + "/" + s[colon+1:]
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("forge: cannot tell the repository from %q", gitremote.Scrub(gitURL))
	}
	path := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	if strings.Count(path, "/") < 1 {
		return "", "", fmt.Errorf("forge: %q does not name owner/repository", gitremote.Scrub(gitURL))
	}
	scheme := u.Scheme
	if scheme != "http" {
		scheme = "https"
	}
	host := u.Host
	if scheme == "https" && (u.Scheme == "ssh" || u.Scheme == "git") {
		host = u.Hostname() // an ssh port says nothing of the web port
	}
	return scheme + "://" + host, path, nil
}

// Error is a failed forge call, with the token removed from its text.
type Error struct {
	Op     string // "find", "create", "update", "comment", "close"
	Status int    // HTTP status, 0 when there was no answer
	msg    string
	err    error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// ErrAuth is wrapped by errors of calls the forge refused for the
// credentials (401, 403).
var ErrAuth = errors.New("forge refused the credentials")

// Call makes one request of forgeName's API for op: it reads the token
// now (a rotated token file takes effect without a restart), builds a
// client with newClient and runs do with it. do returns the HTTP status of
// the answer (0 when there was none); its error comes back through Wrap,
// the token removed.
func Call[C any](o Options, forgeName, op string, newClient func(token string) (C, error), do func(C) (status int, err error)) error {
	token, err := o.Token.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", forgeName, err)
	}
	c, err := newClient(token)
	if err != nil {
		return Wrap(forgeName, "connect", 0, err, token)
	}
	status, err := do(c)
	return Wrap(forgeName, op, status, err, token)
}

// Wrap makes a forge error: token and URL userinfo removed from the
// message, ErrAuth wrapped for 401 and 403.
func Wrap(forgeName, op string, status int, err error, token string) error {
	if err == nil {
		return nil
	}
	msg := gitremote.Scrub(err.Error())
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "[redacted]")
	}
	wrapped := err
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		wrapped = errors.Join(ErrAuth, err)
	}
	return &Error{Op: op, Status: status, msg: fmt.Sprintf("%s: %s pull request: %s", forgeName, op, msg), err: wrapped}
}
