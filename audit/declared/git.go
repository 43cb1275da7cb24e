package declared

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/clusterscribe/clusterscribe/committer"
)

var commitHashRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// clone checks src out into dir (which must be empty) and returns the
// commit it holds. A branch or tag is fetched alone and shallow; a commit
// hash needs the full history.
func clone(ctx context.Context, src Source, auth committer.Auth, dir string) (string, error) {
	method, caBundle, err := authMethod(src.URL, auth)
	if err != nil {
		return "", err
	}
	opts := &git.CloneOptions{URL: src.URL, Auth: method, CABundle: caBundle, Tags: git.NoTags}
	var repo *git.Repository
	switch {
	case src.Ref == "":
		opts.Depth, opts.SingleBranch = 1, true
		repo, err = git.PlainCloneContext(ctx, dir, false, opts)
	case commitHashRE.MatchString(src.Ref):
		repo, err = git.PlainCloneContext(ctx, dir, false, opts)
		if err == nil {
			err = checkoutHash(repo, plumbing.NewHash(src.Ref))
		}
	default:
		repo, err = cloneRef(ctx, dir, src.Ref, opts)
	}
	if err != nil {
		return "", redact(fmt.Errorf("clone %s: %w", src, err), auth)
	}
	head, err := repo.Head()
	if err != nil {
		return "", fmt.Errorf("clone %s: read HEAD: %w", src, err)
	}
	return head.Hash().String(), nil
}

// cloneRef clones a branch, else a tag, of that name (or a full ref name).
func cloneRef(ctx context.Context, dir, ref string, opts *git.CloneOptions) (*git.Repository, error) {
	candidates := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	if strings.HasPrefix(ref, "refs/") {
		candidates = []plumbing.ReferenceName{plumbing.ReferenceName(ref)}
	}
	var errs []error
	for _, name := range candidates {
		o := *opts
		o.ReferenceName, o.SingleBranch, o.Depth = name, true, 1
		repo, err := git.PlainCloneContext(ctx, dir, false, &o)
		if err == nil {
			return repo, nil
		}
		errs = append(errs, err)
		if !isRefNotFound(err) {
			break
		}
		if err := emptyDir(dir); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("ref %q: %w", ref, errors.Join(errs...))
}

func isRefNotFound(err error) bool {
	var noMatch git.NoMatchingRefSpecError
	return errors.Is(err, plumbing.ErrReferenceNotFound) || errors.As(err, &noMatch) ||
		strings.Contains(err.Error(), "couldn't find remote ref")
}

func checkoutHash(repo *git.Repository, h plumbing.Hash) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: h, Force: true}); err != nil {
		return fmt.Errorf("check out %s: %w", h, err)
	}
	return nil
}

// emptyDir removes everything inside dir, keeping dir.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(dir + string(os.PathSeparator) + e.Name()); err != nil {
			return err
		}
	}
	return nil
}

// localRevision returns the commit checked out in the Git work tree that
// holds dir, or "" when dir is not in one.
func localRevision(dir string) string {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	return head.Hash().String()
}

// authMethod builds the credentials for url from the same settings record
// uses: an https token (file or variable), or an ssh key, agent and
// known_hosts file.
func authMethod(url string, a committer.Auth) (transport.AuthMethod, []byte, error) {
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		return nil, nil, fmt.Errorf("--declared %s: %w", scrubURL(url), err)
	}
	var caBundle []byte
	if a.CAFile != "" {
		if caBundle, err = os.ReadFile(a.CAFile); err != nil {
			return nil, nil, fmt.Errorf("read CA file: %w", err)
		}
	}
	switch ep.Protocol {
	case "http", "https":
		token, err := readToken(a)
		if err != nil || token == "" {
			return nil, caBundle, err
		}
		user := a.Username
		if user == "" {
			user = "x-access-token"
		}
		return &githttp.BasicAuth{Username: user, Password: token}, caBundle, nil
	case "ssh":
		m, err := sshMethod(ep.User, a)
		return m, nil, err
	default:
		return nil, nil, nil
	}
}

func readToken(a committer.Auth) (string, error) {
	switch {
	case a.TokenFile != "":
		b, err := os.ReadFile(a.TokenFile)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", fmt.Errorf("token file %s is empty", a.TokenFile)
		}
		return t, nil
	case a.TokenEnv != "":
		t := strings.TrimSpace(os.Getenv(a.TokenEnv))
		if t == "" {
			return "", fmt.Errorf("token variable %s is unset or empty", a.TokenEnv)
		}
		return t, nil
	}
	return "", nil
}

func sshMethod(user string, a committer.Auth) (transport.AuthMethod, error) {
	if user == "" {
		user = a.Username
	}
	if user == "" {
		user = "git"
	}
	var hostKeys ssh.HostKeyCallback
	switch {
	case a.SSHInsecureIgnoreHostKey:
		hostKeys = ssh.InsecureIgnoreHostKey()
	case a.SSHKnownHosts != "":
		cb, err := gitssh.NewKnownHostsCallback(a.SSHKnownHosts)
		if err != nil {
			return nil, fmt.Errorf("read ssh known_hosts: %w", err)
		}
		hostKeys = cb
	}
	if a.SSHKeyFile != "" {
		keys, err := gitssh.NewPublicKeysFromFile(user, a.SSHKeyFile, "")
		if err != nil {
			return nil, fmt.Errorf("read ssh key %s: %w", a.SSHKeyFile, err)
		}
		keys.HostKeyCallback = hostKeys
		return keys, nil
	}
	if hostKeys == nil {
		return nil, nil // go-git's default: the ssh agent and ~/.ssh/known_hosts
	}
	agent, err := gitssh.NewSSHAgentAuth(user)
	if err != nil {
		return nil, fmt.Errorf("ssh agent: %w", err)
	}
	agent.HostKeyCallback = hostKeys
	return agent, nil
}

// redactedError hides URL userinfo and the token from an error's text,
// keeping the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, a committer.Auth) error {
	msg := scrubURL(err.Error())
	if t, _ := readToken(a); t != "" {
		msg = strings.ReplaceAll(msg, t, "[redacted]")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
