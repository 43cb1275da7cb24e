package committer

import (
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
)

// Auth holds the credentials for the remote. Tokens and keys are read from
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

// credentials builds go-git auth methods for one remote.
type credentials struct {
	auth     Auth
	remote   remoteURL
	caBundle []byte
}

// newCredentials checks that the credentials fit the remote's protocol and
// that every file and variable they name can be read.
func newCredentials(a Auth, r remoteURL) (*credentials, error) {
	hasToken := a.TokenFile != "" || a.TokenEnv != ""
	hasSSH := a.SSHKeyFile != "" || a.SSHKnownHosts != "" || a.SSHInsecureIgnoreHostKey
	switch {
	case a.TokenFile != "" && a.TokenEnv != "":
		return nil, fmt.Errorf("%w: set a token file or a token variable, not both", ErrInvalidOptions)
	case hasToken && !r.isHTTP():
		return nil, fmt.Errorf("%w: a token needs an http(s) remote, not %s", ErrInvalidOptions, describeProtocol(r))
	case hasSSH && r.protocol != "ssh":
		return nil, fmt.Errorf("%w: ssh settings need an ssh remote, not %s", ErrInvalidOptions, describeProtocol(r))
	case a.SSHKnownHosts != "" && a.SSHInsecureIgnoreHostKey:
		return nil, fmt.Errorf("%w: a known_hosts file and ignoring host keys exclude each other", ErrInvalidOptions)
	case a.CAFile != "" && !r.isHTTP():
		return nil, fmt.Errorf("%w: a CA file needs an https remote, not %s", ErrInvalidOptions, describeProtocol(r))
	}
	if r.protocol == "ssh" && a.SSHKeyFile == "" && os.Getenv("SSH_AUTH_SOCK") == "" {
		return nil, fmt.Errorf("%w: an ssh remote needs a key file or a running ssh agent (SSH_AUTH_SOCK)", ErrInvalidOptions)
	}
	c := &credentials{auth: a, remote: r}
	if a.CAFile != "" {
		b, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: read CA file: %w", ErrInvalidOptions, err)
		}
		c.caBundle = b
	}
	if _, err := c.method(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return c, nil
}

func describeProtocol(r remoteURL) string {
	if r.protocol == "" {
		return "a repository without a remote"
	}
	return "the " + r.protocol + " remote"
}

// method returns the auth method for the next remote operation, nil for
// protocols without credentials or when go-git's defaults apply.
func (c *credentials) method() (transport.AuthMethod, error) {
	if c == nil {
		return nil, nil
	}
	switch {
	case c.remote.isHTTP():
		return c.httpMethod()
	case c.remote.protocol == "ssh":
		return c.sshMethod()
	}
	return nil, nil
}

func (c *credentials) httpMethod() (transport.AuthMethod, error) {
	token, err := c.token()
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
	if c.remote.user != "" || c.remote.password != "" {
		return &githttp.BasicAuth{Username: c.remote.user, Password: c.remote.password}, nil
	}
	return nil, nil
}

// token reads the configured token; "" when none is configured.
func (c *credentials) token() (string, error) {
	return gitremote.ReadSecret(c.auth.TokenFile, c.auth.TokenEnv)
}

func (c *credentials) sshMethod() (transport.AuthMethod, error) {
	user := c.remote.user
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

// secrets lists the values that must never appear in a message.
func (c *credentials) secrets(m transport.AuthMethod) []string {
	if c == nil {
		return nil
	}
	out := []string{c.remote.password}
	if c.remote.password == "" && c.remote.isHTTP() && len(c.remote.user) >= 8 {
		out = append(out, c.remote.user) // https://TOKEN@host
	}
	if b, ok := m.(*githttp.BasicAuth); ok {
		out = append(out, b.Password)
	}
	return out
}
