package committer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"golang.org/x/crypto/ssh"
)

func TestPushOverSSH(t *testing.T) {
	root := t.TempDir()
	bare := newBareRemote(t, root, "remote.git")
	keyFile, pub := gittest.SSHKey(t)
	otherKey, _ := gittest.SSHKey(t)
	srv := gittest.StartSSHServer(t, root, pub)

	o := options(t, srv.URL("remote.git"), "prod")
	o.Auth.SSHKeyFile = keyFile
	o.Auth.SSHKnownHosts = srv.KnownHosts
	c := mustOpen(t, o)
	mustCommit(t, c, file("prod/a.yaml", "a"))
	mustCommit(t, c, file("prod/b.yaml", "b"))
	if err := c.Push(t.Context()); err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got, want := runGit(t, bare, "rev-parse", "backup"), head(t, c); got != want {
		t.Errorf("remote branch at %s, want %s", got, want)
	}
	fsck(t, bare)

	t.Run("rejected key", func(t *testing.T) {
		o := options(t, srv.URL("remote.git"), "prod")
		o.Auth.SSHKeyFile = otherKey
		o.Auth.SSHKnownHosts = srv.KnownHosts
		if _, err := Open(t.Context(), o); !errors.Is(err, ErrAuthRejected) {
			t.Errorf("Open = %v, want ErrAuthRejected", err)
		}
	})
	t.Run("unknown host key", func(t *testing.T) {
		_, strangerKey := gittest.SSHKey(t)
		_, port, _ := net.SplitHostPort(srv.Addr())
		kh := filepath.Join(t.TempDir(), "known_hosts")
		line := fmt.Sprintf("[127.0.0.1]:%s %s", port, ssh.MarshalAuthorizedKey(strangerKey))
		if err := os.WriteFile(kh, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		o := options(t, srv.URL("remote.git"), "prod")
		o.Auth.SSHKeyFile = keyFile
		o.Auth.SSHKnownHosts = kh
		_, err := Open(t.Context(), o)
		if !errors.Is(err, ErrRemoteUnreachable) || !strings.Contains(err.Error(), "key mismatch") {
			t.Errorf("Open = %v, want ErrRemoteUnreachable for a host key mismatch", err)
		}
	})
}
