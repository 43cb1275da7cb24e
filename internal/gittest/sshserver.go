package gittest

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

	"golang.org/x/crypto/ssh"
)

// SSHServer is a minimal Git ssh server on 127.0.0.1: it accepts one
// public key and runs the real git-upload-pack / git-receive-pack for
// repositories under root.
type SSHServer struct {
	addr string
	// KnownHosts is a known_hosts file that trusts this server.
	KnownHosts string
}

// StartSSHServer serves the repositories under root until the test ends,
// to the holder of the authorized key.
func StartSSHServer(t testing.TB, root string, authorized ssh.PublicKey) *SSHServer {
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
	gitPath := Binary(t)
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
	s := &SSHServer{addr: ln.Addr().String()}
	_, port, _ := net.SplitHostPort(s.addr)
	s.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%s %s", port, ssh.MarshalAuthorizedKey(hostSigner.PublicKey()))
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// Addr is the server's host:port.
func (s *SSHServer) Addr() string { return s.addr }

// URL is the address of the repository root/repo, for the user git.
func (s *SSHServer) URL(repo string) string { return "ssh://git@" + s.addr + "/" + repo }

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
	cmd.Env = append(os.Environ(), Env...)
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
