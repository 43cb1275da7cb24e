package gitremote

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
)

func TestParseRemoteURL(t *testing.T) {
	tests := []struct {
		in      string
		want    Remote
		wantErr bool
	}{
		{in: "https://github.com/org/repo.git", want: Remote{URL: "https://github.com/org/repo.git", Protocol: "https"}},
		{in: "HTTPS://github.com/org/repo.git", want: Remote{URL: "https://github.com/org/repo.git", Protocol: "https"}},
		{in: "https://x-access-token:tok@github.com/org/repo.git", want: Remote{URL: "https://github.com/org/repo.git", Protocol: "https", User: "x-access-token", password: "tok"}},
		{in: "http://tokenonly@127.0.0.1:8080/repo", want: Remote{URL: "http://127.0.0.1:8080/repo", Protocol: "http", User: "tokenonly"}},
		{in: "ssh://git@example.com:2222/org/repo.git", want: Remote{URL: "ssh://git@example.com:2222/org/repo.git", Protocol: "ssh", User: "git"}},
		{in: "git@github.com:org/repo.git", want: Remote{URL: "git@github.com:org/repo.git", Protocol: "ssh", User: "git"}},
		{in: "example.com:repo.git", want: Remote{URL: "example.com:repo.git", Protocol: "ssh"}},
		{in: "git://example.com/repo.git", want: Remote{URL: "git://example.com/repo.git", Protocol: "git"}},
		{in: "file:///srv/git/repo.git", want: Remote{URL: "file:///srv/git/repo.git", Protocol: "file"}},
		{in: "file://", wantErr: true},
		{in: "https://", wantErr: true},
		{in: "https://host", wantErr: true},
		{in: "ftp://host/repo", wantErr: true},
		{in: "http://ho st/repo", wantErr: true},
		{in: "not a url", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidURL) {
					t.Fatalf("Parse = %+v, %v; want ErrInvalidURL", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(Remote{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsRemoteSpec(t *testing.T) {
	tests := map[string]bool{
		"/var/lib/backup":          false,
		"backup":                   false,
		"./dir:with-colon":         false,
		"sub/dir:with-colon":       false,
		"C":                        false,
		"git@github.com:org/r.git": true,
		"host:repo.git":            true,
		"https://h/r":              true,
		"file:///srv/r.git":        true,
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := IsRemote(in); got != want {
				t.Errorf("IsRemote(%q) = %v, want %v", in, got, want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	base := errors.New("dial https://user:hunter2hunter2@example.com/repo.git failed, token hunter2hunter2")
	err := Redact(base, "hunter2hunter2")
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("secret left in %q", err)
	}
	if diff := cmp.Diff("dial https://example.com/repo.git failed, token [redacted]", err.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !errors.Is(err, base) {
		t.Error("redact broke the error chain")
	}
	plain := errors.New("nothing secret")
	if got := Redact(plain, "hunter2"); !reflect.DeepEqual(got, plain) {
		t.Errorf("redact rewrapped an error without secrets: %v", got)
	}
}

func TestHTTPCredentials(t *testing.T) {
	r, err := Parse("https://urluser:urlpass@example.com/org/repo.git")
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("  file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLUSTERSCRIBE_TEST_TOKEN", "env-token")
	tests := []struct {
		name string
		auth Auth
		want *githttp.BasicAuth
	}{
		{name: "token file, default user", auth: Auth{TokenFile: tokenFile}, want: &githttp.BasicAuth{Username: "x-access-token", Password: "file-token"}},
		{name: "token variable, own user", auth: Auth{TokenEnv: "CLUSTERSCRIBE_TEST_TOKEN", Username: "oauth2"}, want: &githttp.BasicAuth{Username: "oauth2", Password: "env-token"}},
		{name: "from the URL", auth: Auth{}, want: &githttp.BasicAuth{Username: "urluser", Password: "urlpass"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := method(t, tt.auth, r)
			if diff := cmp.Diff(tt.want, m); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// method returns the transport method of the credentials a gives for r,
// failing the test on an error.
func method(t *testing.T, a Auth, r Remote) transport.AuthMethod {
	t.Helper()
	c, err := NewCredentials(a, r)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Method()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSSHCredentials(t *testing.T) {
	keyFile, _ := gittest.SSHKey(t)
	_, hostKey := gittest.SSHKey(t)
	_, otherKey := gittest.SSHKey(t)
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	line := "example.com " + string(ssh.MarshalAuthorizedKey(hostKey))
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Parse("deploy@example.com:org/repo.git")
	if err != nil {
		t.Fatal(err)
	}
	addr := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 22}

	t.Run("known hosts", func(t *testing.T) {
		m := method(t, Auth{SSHKeyFile: keyFile, SSHKnownHosts: knownHosts}, r)
		keys, ok := m.(*gitssh.PublicKeys)
		if !ok {
			t.Fatalf("method = %T, want *ssh.PublicKeys", m)
		}
		if keys.User != "deploy" {
			t.Errorf("user = %q, want the URL's user", keys.User)
		}
		if err := keys.HostKeyCallback("example.com:22", addr, hostKey); err != nil {
			t.Errorf("known host key rejected: %v", err)
		}
		if err := keys.HostKeyCallback("example.com:22", addr, otherKey); err == nil {
			t.Error("unknown host key accepted")
		}
	})
	t.Run("insecure opt-in", func(t *testing.T) {
		m := method(t, Auth{SSHKeyFile: keyFile, SSHInsecureIgnoreHostKey: true}, r)
		if err := m.(*gitssh.PublicKeys).HostKeyCallback("example.com:22", addr, otherKey); err != nil {
			t.Errorf("insecure mode rejected a host key: %v", err)
		}
	})
	for name, a := range map[string]Auth{
		"missing key file":            {SSHKeyFile: filepath.Join(t.TempDir(), "nope")},
		"not a key":                   {SSHKeyFile: knownHosts},
		"missing known_hosts":         {SSHKeyFile: keyFile, SSHKnownHosts: filepath.Join(t.TempDir(), "nope")},
		"known_hosts and insecure":    {SSHKeyFile: keyFile, SSHKnownHosts: knownHosts, SSHInsecureIgnoreHostKey: true},
		"ssh settings for https only": {SSHKeyFile: keyFile},
	} {
		t.Run(name, func(t *testing.T) {
			remote := r
			if name == "ssh settings for https only" {
				remote = Remote{URL: "https://example.com/r.git", Protocol: "https"}
			}
			if _, err := NewCredentials(a, remote); !errors.Is(err, ErrInvalidAuth) {
				t.Errorf("NewCredentials = %v, want ErrInvalidAuth", err)
			}
		})
	}
}
