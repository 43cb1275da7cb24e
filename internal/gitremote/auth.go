package gitremote

import (
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// Auth holds the credentials for a remote. Tokens and keys are read from
// files or the environment, never from flags, and are read again before
// each remote operation so a rotated token file takes effect without a
// restart. The tagged fields are options a user gives (see package
// internal/option).
type Auth struct {
	// Username for https; default "x-access-token" (GitHub's convention;
	// GitLab and Gitea accept any user name with a token). For ssh it is the
	// login when the URL names none; default "git".
	Username string `json:"git-username" help:"user name for https remotes (default: x-access-token) or ssh remotes (default: git)"`
	// TokenFile holds an https token (surrounding whitespace is ignored).
	TokenFile string `json:"git-token-file" help:"file holding the https token"`
	// TokenEnv names an environment variable holding an https token.
	TokenEnv string `json:"git-token-env" help:"environment variable holding the https token"`
	// SSHKeyFile is an unencrypted ssh private key. Without it, ssh uses the
	// ssh agent.
	SSHKeyFile string `json:"git-ssh-key" help:"private key file for ssh remotes"`
	// SSHKnownHosts is a known_hosts file; default the user's
	// ~/.ssh/known_hosts (or $SSH_KNOWN_HOSTS).
	SSHKnownHosts string `json:"git-known-hosts" help:"known_hosts file for ssh remotes"`
	// SSHInsecureIgnoreHostKey accepts any ssh host key. Only for tests and
	// throwaway setups; it cannot be combined with SSHKnownHosts.
	SSHInsecureIgnoreHostKey bool
	// CAFile is an extra PEM bundle of certificate authorities for https.
	CAFile string
}

const (
	defaultHTTPUser = "x-access-token"
	defaultSSHUser  = "git"
)

// ErrInvalidAuth marks credentials that do not fit their remote or name a
// file or variable that cannot be read. Errors that carry it do not repeat
// its text, so a caller can put its own sentinel in front.
var ErrInvalidAuth = errors.New("invalid Git credentials")

type authError struct{ error }

func (e authError) Is(target error) bool { return target == ErrInvalidAuth }
func (e authError) Unwrap() error        { return e.error }

func invalid(format string, args ...any) error { return authError{fmt.Errorf(format, args...)} }

// Credentials build go-git auth methods for one remote.
type Credentials struct {
	auth     Auth
	remote   Remote
	caBundle []byte
}

// NewCredentials checks that a fits the remote's protocol (a token needs
// http(s), ssh settings need ssh, a CA file needs https, ssh needs a key or
// an agent) and that every file and variable it names can be read. Errors
// match ErrInvalidAuth.
func NewCredentials(a Auth, r Remote) (*Credentials, error) {
	hasToken := a.TokenFile != "" || a.TokenEnv != ""
	hasSSH := a.SSHKeyFile != "" || a.SSHKnownHosts != "" || a.SSHInsecureIgnoreHostKey
	switch {
	case a.TokenFile != "" && a.TokenEnv != "":
		return nil, invalid("set a token file or a token variable, not both")
	case hasToken && !r.IsHTTP():
		return nil, invalid("a token needs an http(s) remote, not %s", r.describe())
	case hasSSH && r.Protocol != "ssh":
		return nil, invalid("ssh settings need an ssh remote, not %s", r.describe())
	case a.SSHKnownHosts != "" && a.SSHInsecureIgnoreHostKey:
		return nil, invalid("a known_hosts file and ignoring host keys exclude each other")
	case a.CAFile != "" && !r.IsHTTP():
		return nil, invalid("a CA file needs an https remote, not %s", r.describe())
	}
	if r.Protocol == "ssh" && a.SSHKeyFile == "" && os.Getenv("SSH_AUTH_SOCK") == "" {
		return nil, invalid("an ssh remote needs a key file or a running ssh agent (SSH_AUTH_SOCK)")
	}
	c := &Credentials{auth: a, remote: r}
	if a.CAFile != "" {
		b, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, invalid("read CA file: %w", err)
		}
		c.caBundle = b
	}
	if _, err := c.Method(); err != nil {
		return nil, authError{err}
	}
	return c, nil
}

// CABundle is the extra certificate authorities to trust for https; nil
// for none.
func (c *Credentials) CABundle() []byte {
	if c == nil {
		return nil
	}
	return c.caBundle
}

// Method returns the auth method for the next remote operation, reading
// token and key files again; nil for protocols without credentials or when
// go-git's defaults apply.
func (c *Credentials) Method() (transport.AuthMethod, error) {
	if c == nil {
		return nil, nil
	}
	switch {
	case c.remote.IsHTTP():
		return c.httpMethod()
	case c.remote.Protocol == "ssh":
		return c.sshMethod()
	}
	return nil, nil
}

func (c *Credentials) httpMethod() (transport.AuthMethod, error) {
	token, err := ReadSecret(c.auth.TokenFile, c.auth.TokenEnv)
	if err != nil {
		return nil, err
	}
	if token != "" {
		user := c.auth.Username
		if user == "" {
			user = defaultHTTPUser
		}
		return &githttp.BasicAuth{Username: user, Password: token}, nil
	}
	if c.remote.User != "" || c.remote.password != "" {
		return &githttp.BasicAuth{Username: c.remote.User, Password: c.remote.password}, nil
	}
	return nil, nil
}

func (c *Credentials) sshMethod() (transport.AuthMethod, error) {
	user := c.remote.User
	if user == "" {
		user = c.auth.Username
	}
	if user == "" {
		user = defaultSSHUser
	}
	var hostKeys ssh.HostKeyCallback
	switch {
	case c.auth.SSHInsecureIgnoreHostKey:
		hostKeys = ssh.InsecureIgnoreHostKey()
	case c.auth.SSHKnownHosts != "":
		cb, err := gitssh.NewKnownHostsCallback(c.auth.SSHKnownHosts)
		if err != nil {
			return nil, fmt.Errorf("read ssh known_hosts: %w", err)
		}
		hostKeys = cb
	}
	if c.auth.SSHKeyFile != "" {
		keys, err := gitssh.NewPublicKeysFromFile(user, c.auth.SSHKeyFile, "")
		if err != nil {
			return nil, fmt.Errorf("read ssh key %s: %w", c.auth.SSHKeyFile, err)
		}
		keys.HostKeyCallback = hostKeys
		return keys, nil
	}
	if hostKeys == nil {
		return nil, nil // go-git's default: ssh agent and the user's known_hosts
	}
	agent, err := gitssh.NewSSHAgentAuth(user)
	if err != nil {
		return nil, fmt.Errorf("ssh agent: %w", err)
	}
	agent.HostKeyCallback = hostKeys
	return agent, nil
}

// Secrets lists the values that must never appear in a message: the URL's
// password (or a bare token in its user) and the password of m.
func (c *Credentials) Secrets(m transport.AuthMethod) []string {
	if c == nil {
		return nil
	}
	out := []string{c.remote.password}
	if c.remote.password == "" && c.remote.IsHTTP() && len(c.remote.User) >= 8 {
		out = append(out, c.remote.User) // https://TOKEN@host
	}
	if b, ok := m.(*githttp.BasicAuth); ok {
		out = append(out, b.Password)
	}
	return out
}
