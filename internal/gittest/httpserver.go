package gittest

import (
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Env keeps the real git binary run by tests and test servers away from
// the host's configuration, with a fixed author and committer.
var Env = []string{
	"GIT_CONFIG_NOSYSTEM=1",
	"GIT_CONFIG_GLOBAL=/dev/null",
	"GIT_AUTHOR_NAME=Test Author",
	"GIT_AUTHOR_EMAIL=author@example.com",
	"GIT_COMMITTER_NAME=Test Author",
	"GIT_COMMITTER_EMAIL=author@example.com",
	"GIT_TERMINAL_PROMPT=0",
}

// Binary returns the path of the git binary, failing the test with how to
// get it when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("these tests need the git binary on PATH (Debian: apt-get install git): %v", err)
	}
	return p
}

// HTTPServer serves every repository under a root over HTTP on 127.0.0.1
// with the real `git http-backend`, behind basic auth when it has a token.
type HTTPServer struct {
	t     testing.TB
	root  string
	token string
	addr  string

	mu  sync.Mutex
	srv *http.Server
}

// StartHTTPServer serves the repositories under root until the test ends;
// with a token, only basic auth with that password gets in.
func StartHTTPServer(t testing.TB, root, token string) *HTTPServer {
	t.Helper()
	s := &HTTPServer{t: t, root: root, token: token}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// URL is the address of the repository root/repo.
func (s *HTTPServer) URL(repo string) string { return "http://" + s.addr + "/" + repo }

func (s *HTTPServer) handler() http.Handler {
	execPath := strings.TrimSpace(Out(s.t, s.root, "--exec-path"))
	backend := &cgi.Handler{
		Path:   filepath.Join(execPath, "git-http-backend"),
		Root:   "/",
		Stderr: io.Discard,
		Env: append([]string{
			"GIT_PROJECT_ROOT=" + s.root,
			"GIT_HTTP_EXPORT_ALL=1",
		}, Env...),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token != "" {
			if _, pass, ok := r.BasicAuth(); !ok || pass != s.token {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	})
}

func (s *HTTPServer) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop shuts the server down: connections are refused until Start.
func (s *HTTPServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		_ = s.srv.Close()
		s.srv = nil
	}
}

// Start serves again on the same address.
func (s *HTTPServer) Start() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatalf("listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}
