package gitremote

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Access is how to reach one remote for a single operation: the URL
// without credentials, the go-git auth method, the CA bundle to trust and
// the secrets that must never appear in a message. Every part of the tool
// that fetches or pushes (record, audit's declared repo, restore's backup,
// propose) gets it here.
type Access struct {
	URL      string
	Method   transport.AuthMethod
	CABundle []byte
	Secrets  []string
	protocol string // http, https, ssh, git or file; "" when unknown
}

// Resolve checks a against the remote rawURL (see NewCredentials; a local
// path is a file remote) and returns how to reach it now. Call it before each operation: token files
// are read again. Errors match ErrInvalidURL or ErrInvalidAuth and hold no
// secret.
func Resolve(rawURL string, a Auth) (*Access, error) {
	r := Local(rawURL)
	if IsRemote(rawURL) {
		var err error
		if r, err = Parse(rawURL); err != nil {
			return nil, err
		}
	}
	creds, err := NewCredentials(a, r)
	if err != nil {
		return nil, Redact(fmt.Errorf("%w: %w", ErrInvalidAuth, err), creds.Secrets(nil)...)
	}
	return creds.Access()
}

// Access returns how to reach the remote now, reading token and key files
// again (see Method). Errors hold no secret.
func (c *Credentials) Access() (*Access, error) {
	m, err := c.Method()
	if err != nil {
		return nil, Redact(err, c.Secrets(nil)...)
	}
	return &Access{URL: c.remote.URL, Method: m, CABundle: c.CABundle(), Secrets: c.Secrets(m), protocol: c.remote.Protocol}, nil
}

// Scrub removes the remote's secrets and any URL userinfo from err.
func (a *Access) Scrub(err error) error {
	if err == nil {
		return nil
	}
	return Redact(err, a.Secrets...)
}
