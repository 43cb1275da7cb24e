package committer

import (
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// RemoteAuth is how to reach one remote, for the other parts of the tool
// that read Git (audit's declared repo, restore's backup): the URL without
// credentials, the go-git auth method, the CA bundle to trust and the
// secrets that must never appear in a message.
type RemoteAuth struct {
	URL      string
	Method   transport.AuthMethod
	CABundle []byte
	Secrets  []string
}

// ResolveAuth checks a against the remote rawURL with the same rules Open
// applies (a token needs https, ssh settings need ssh, files must be
// readable) and returns how to reach it.
func ResolveAuth(rawURL string, a Auth) (*RemoteAuth, error) {
	r, err := parseRemoteURL(rawURL)
	if err != nil {
		return nil, err
	}
	creds, err := newCredentials(a, r)
	if err != nil {
		return nil, err
	}
	m, err := creds.method()
	if err != nil {
		return nil, redact(err, creds.secrets(nil)...)
	}
	return &RemoteAuth{URL: r.config, Method: m, CABundle: creds.caBundle, Secrets: creds.secrets(m)}, nil
}

// Scrub removes the remote's secrets and any URL userinfo from err.
func (ra *RemoteAuth) Scrub(err error) error {
	if err == nil {
		return nil
	}
	return redact(err, ra.Secrets...)
}
