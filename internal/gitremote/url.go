package gitremote

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// ErrInvalidURL reports a remote URL that cannot be parsed or uses a
// protocol go-git does not speak.
var ErrInvalidURL = errors.New("invalid repository URL")

// Remote is a parsed remote location. Credentials found in an http(s)
// URL's userinfo are moved out of it, so neither a clone's config nor any
// message ever holds them.
type Remote struct {
	// URL is the location as a clone's config stores it: without userinfo
	// for http(s).
	URL string
	// Protocol is http, https, ssh, git or file; "" for no remote.
	Protocol string
	// User is the http(s) userinfo's user or the ssh login.
	User     string
	password string // from http(s) userinfo
}

// Local is the remote of a repository on this machine's file system.
func Local(path string) Remote { return Remote{URL: path, Protocol: "file"} }

// IsHTTP reports whether r is reached over http or https.
func (r Remote) IsHTTP() bool { return r.Protocol == "http" || r.Protocol == "https" }

// Parse reads a remote URL or the scp form user@host:path. Errors wrap
// ErrInvalidURL and never show the URL's userinfo.
func Parse(raw string) (Remote, error) {
	shown := Scrub(raw)
	if !HasScheme(raw) {
		// scp-style user@host:path.
		ep, err := transport.NewEndpoint(raw)
		if err != nil || ep.Protocol != "ssh" {
			return Remote{}, fmt.Errorf("%w: %s: neither a URL nor user@host:path", ErrInvalidURL, shown)
		}
		if ep.Host == "" || ep.Path == "" || strings.Contains(ep.Host, "@") {
			return Remote{}, fmt.Errorf("%w: %s: missing host or path", ErrInvalidURL, shown)
		}
		return Remote{URL: raw, Protocol: ep.Protocol, User: ep.User}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		reason := "cannot parse"
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = Scrub(ue.Err.Error())
		}
		return Remote{}, fmt.Errorf("%w: %s: %s", ErrInvalidURL, shown, reason)
	}
	r := Remote{Protocol: strings.ToLower(u.Scheme)}
	switch r.Protocol {
	case "file":
		if u.Path == "" {
			return Remote{}, fmt.Errorf("%w: %s: missing path", ErrInvalidURL, shown)
		}
		r.URL = raw
		return r, nil
	case "http", "https", "ssh", "git":
	default:
		return Remote{}, fmt.Errorf("%w: %s: unsupported protocol %q", ErrInvalidURL, shown, u.Scheme)
	}
	if u.Hostname() == "" {
		return Remote{}, fmt.Errorf("%w: %s: missing host", ErrInvalidURL, shown)
	}
	if strings.Trim(u.Path, "/") == "" {
		return Remote{}, fmt.Errorf("%w: %s: missing repository path", ErrInvalidURL, shown)
	}
	if u.User != nil {
		r.User = u.User.Username()
		if r.IsHTTP() {
			r.password, _ = u.User.Password()
			u.User = nil
		}
	}
	r.URL = u.String()
	return r, nil
}

// describe names the remote's protocol for a message.
func (r Remote) describe() string {
	if r.Protocol == "" {
		return "a repository without a remote"
	}
	return "the " + r.Protocol + " remote"
}
