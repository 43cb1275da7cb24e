package committer

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// remoteURL is a parsed remote location. Credentials found in an http(s)
// URL's userinfo are moved out of it, so neither the repository config nor
// any message ever holds them.
type remoteURL struct {
	config   string // URL as stored in the clone's config: no userinfo for http(s)
	protocol string // http, https, ssh, git or file
	user     string // from userinfo (http(s)) or the ssh user
	password string // from http(s) userinfo
}

func parseRemoteURL(raw string) (remoteURL, error) {
	shown := gitremote.Scrub(raw)
	if !gitremote.HasScheme(raw) {
		// scp-style user@host:path.
		ep, err := transport.NewEndpoint(raw)
		if err != nil || ep.Protocol != "ssh" {
			return remoteURL{}, fmt.Errorf("%w: %s: neither a URL nor user@host:path", ErrInvalidURL, shown)
		}
		if ep.Host == "" || ep.Path == "" || strings.Contains(ep.Host, "@") {
			return remoteURL{}, fmt.Errorf("%w: %s: missing host or path", ErrInvalidURL, shown)
		}
		return remoteURL{config: raw, protocol: ep.Protocol, user: ep.User}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		reason := "cannot parse"
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = gitremote.Scrub(ue.Err.Error())
		}
		return remoteURL{}, fmt.Errorf("%w: %s: %s", ErrInvalidURL, shown, reason)
	}
	r := remoteURL{protocol: strings.ToLower(u.Scheme)}
	switch r.protocol {
	case "file":
		if u.Path == "" {
			return remoteURL{}, fmt.Errorf("%w: %s: missing path", ErrInvalidURL, shown)
		}
		r.config = raw
		return r, nil
	case "http", "https", "ssh", "git":
	default:
		return remoteURL{}, fmt.Errorf("%w: %s: unsupported protocol %q", ErrInvalidURL, shown, u.Scheme)
	}
	if u.Hostname() == "" {
		return remoteURL{}, fmt.Errorf("%w: %s: missing host", ErrInvalidURL, shown)
	}
	if strings.Trim(u.Path, "/") == "" {
		return remoteURL{}, fmt.Errorf("%w: %s: missing repository path", ErrInvalidURL, shown)
	}
	if u.User != nil {
		r.user = u.User.Username()
		if r.protocol == "http" || r.protocol == "https" {
			r.password, _ = u.User.Password()
			u.User = nil
		}
	}
	r.config = u.String()
	return r, nil
}

func (r remoteURL) isHTTP() bool { return r.protocol == "http" || r.protocol == "https" }

// redactedError hides secrets and URL userinfo from an error's text while
// keeping the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every secret and every URL userinfo removed from
// its message.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := gitremote.Scrub(err.Error())
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
