package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Push sends h as branch name, which must be under the prefix. With a zero
// lease the branch must not exist on the remote yet; otherwise the remote
// branch must still be at lease, and is replaced (force with lease).
func (r *Repo) Push(ctx context.Context, name string, h, lease plumbing.Hash) error {
	if r.IsLocal() {
		return ErrLocal
	}
	if !strings.HasPrefix(name, r.prefix+"/") {
		return fmt.Errorf("push %s: only branches under %s/ are pushed", name, r.prefix)
	}
	if err := r.SetBranch(name, h); err != nil {
		return err
	}
	ref := plumbing.NewBranchReferenceName(name)
	opts := &git.PushOptions{RemoteName: remoteName, RefSpecs: []config.RefSpec{config.RefSpec(ref + ":" + ref)}}
	if !lease.IsZero() {
		// go-git checks the lease against the remote-tracking ref.
		tracking := plumbing.NewRemoteReferenceName(remoteName, name)
		if err := r.repo.Storer.SetReference(plumbing.NewHashReference(tracking, lease)); err != nil {
			return fmt.Errorf("push %s: %w", name, err)
		}
		opts.ForceWithLease = &git.ForceWithLease{RefName: ref, Hash: lease}
	}
	return r.push(ctx, name, opts)
}

// DeleteRemote deletes branch name, which must be under the prefix, from
// the remote.
func (r *Repo) DeleteRemote(ctx context.Context, name string) error {
	if r.IsLocal() {
		return ErrLocal
	}
	if !strings.HasPrefix(name, r.prefix+"/") {
		return fmt.Errorf("delete %s: only branches under %s/ are deleted", name, r.prefix)
	}
	ref := plumbing.NewBranchReferenceName(name)
	return r.push(ctx, name, &git.PushOptions{RemoteName: remoteName, RefSpecs: []config.RefSpec{config.RefSpec(":" + ref)}})
}

func (r *Repo) push(ctx context.Context, name string, opts *git.PushOptions) error {
	method, ca, secrets, err := authFor(r.rawURL, r.auth)
	if err != nil {
		return err
	}
	opts.Auth, opts.CABundle = method, ca
	err = r.repo.PushContext(ctx, opts)
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case strings.Contains(err.Error(), "non-fast-forward"):
		return fmt.Errorf("push %s: %w", name, ErrLeaseBroken)
	}
	return redact(fmt.Errorf("push %s to %s: %w", name, r.url, err), secrets)
}

// authFor builds go-git credentials for url: an https token, or an ssh
// key with known_hosts. It returns the values no message may hold.
func authFor(url string, a committer.Auth) (transport.AuthMethod, []byte, []string, error) {
	if url == "" {
		return nil, nil, nil, nil
	}
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("git URL %s: %w", gitremote.Scrub(url), err)
	}
	var ca []byte
	if a.CAFile != "" {
		if ca, err = os.ReadFile(a.CAFile); err != nil {
			return nil, nil, nil, fmt.Errorf("read CA file: %w", err)
		}
	}
	switch ep.Protocol {
	case "http", "https":
		token, err := readToken(a)
		if err != nil {
			return nil, nil, nil, err
		}
		if token == "" {
			if ep.Password != "" {
				return &githttp.BasicAuth{Username: ep.User, Password: ep.Password}, ca, []string{ep.Password}, nil
			}
			return nil, ca, nil, nil
		}
		user := a.Username
		if user == "" {
			user = "x-access-token"
		}
		return &githttp.BasicAuth{Username: user, Password: token}, ca, []string{token, ep.Password}, nil
	case "ssh":
		user := ep.User
		if user == "" {
			user = "git"
		}
		if a.SSHKeyFile == "" {
			return nil, nil, nil, nil
		}
		keys, err := gitssh.NewPublicKeysFromFile(user, a.SSHKeyFile, "")
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read ssh key %s: %w", a.SSHKeyFile, err)
		}
		if a.SSHKnownHosts != "" {
			cb, err := gitssh.NewKnownHostsCallback(a.SSHKnownHosts)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("read ssh known_hosts: %w", err)
			}
			keys.HostKeyCallback = cb
		}
		return keys, nil, nil, nil
	}
	return nil, nil, nil, nil
}

func readToken(a committer.Auth) (string, error) {
	return gitremote.ReadSecret(a.TokenFile, a.TokenEnv)
}

// redactedError hides credentials from an error's text and keeps its chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, secrets []string) error {
	msg := gitremote.Scrub(err.Error())
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return &redactedError{msg: msg, err: err}
}
