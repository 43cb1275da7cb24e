package committer

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"golang.org/x/crypto/ssh"
)

// sshServer is a minimal Git ssh server on 127.0.0.1: it accepts one
// public key and runs the real git-upload-pack / git-receive-pack for
// repositories under root.
type sshServer struct {
	addr       string
	knownHosts string // a known_hosts file trusting this server
}

func startSSHServer(t *testing.T, root string, authorized ssh.PublicKey) *sshServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), authorized.Marshal()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gitPath := gitBinary(t)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveSSH(conn, cfg, gitPath, root) })
		}
	})
	s := &sshServer{addr: ln.Addr().String()}
	_, port, _ := net.SplitHostPort(s.addr)
	s.knownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%s %s", port, ssh.MarshalAuthorizedKey(hostSigner.PublicKey()))
	if err := os.WriteFile(s.knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *sshServer) URL(repo string) string { return "ssh://git@" + s.addr + "/" + repo }

func serveSSH(conn net.Conn, cfg *ssh.ServerConfig, gitPath, root string) {
	defer func() { _ = conn.Close() }()
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return // rejected key or aborted handshake
	}
	defer func() { _ = sc.Close() }()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		for req := range chReqs {
			if req.Type != "exec" {
				_ = req.Reply(req.Type == "env", nil)
				continue
			}
			var payload struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			status := runGitService(gitPath, payload.Command, root, ch)
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
			_ = ch.Close()
			break
		}
	}
}

// runGitService runs "git-upload-pack '/repo.git'" (or receive-pack) with
// the repository resolved under root, wired to the channel.
func runGitService(gitPath, command, root string, ch ssh.Channel) uint32 {
	service, arg, _ := strings.Cut(command, " ")
	if service != "git-upload-pack" && service != "git-receive-pack" {
		return 127
	}
	repo := filepath.Join(root, filepath.Clean("/"+strings.Trim(arg, "'")))
	cmd := exec.Command(gitPath, strings.TrimPrefix(service, "git-"), repo)
	cmd.Env = append(os.Environ(), gitEnv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, io.Discard
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return uint32(exitErr.ExitCode())
		}
		return 1
	}
	return 0
}

func TestPushOverSSH(t *testing.T) {
	root := t.TempDir()
	bare := newBareRemote(t, root, "remote.git")
	keyFile, pub := gittest.SSHKey(t)
	otherKey, _ := gittest.SSHKey(t)
	srv := startSSHServer(t, root, pub)

	o := options(t, srv.URL("remote.git"), "prod")
	o.Auth.SSHKeyFile = keyFile
	o.Auth.SSHKnownHosts = srv.knownHosts
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
		o.Auth.SSHKnownHosts = srv.knownHosts
		if _, err := Open(t.Context(), o); !errors.Is(err, ErrAuthRejected) {
			t.Errorf("Open = %v, want ErrAuthRejected", err)
		}
	})
	t.Run("unknown host key", func(t *testing.T) {
		_, strangerKey := gittest.SSHKey(t)
		_, port, _ := net.SplitHostPort(srv.addr)
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
