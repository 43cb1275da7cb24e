package testgitea

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options tune Start.
type Options struct {
	// Binary is the gitea binary; empty means Binary().
	Binary string
	// WorkDir holds app.ini, the sqlite database, the repositories and
	// gitea.log; empty means a fresh temporary directory that Stop removes.
	WorkDir string
	// Output receives a copy of the server's own log; it is always also
	// written to gitea.log in WorkDir.
	Output io.Writer
	// StartTimeout bounds migration, user creation and the wait for the
	// first healthy answer; zero means two minutes.
	StartTimeout time.Duration
}

// Server is a running Gitea.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string
	// AdminUser is a site administrator; the repositories CreateRepo makes
	// belong to it.
	AdminUser string
	// Token is an access token of AdminUser with every scope. It is a
	// credential: keep it out of logs and messages.
	Token string
	// WorkDir is the server's work directory.
	WorkDir string

	binary  string
	cfg     settings
	ownsDir bool
	proc    *process

	stopOnce sync.Once
	stopErr  error
}

const (
	adminUser    = "clusterscribe"
	tokenName    = "clusterscribe-tests"
	portAttempts = 3
)

// errPortTaken means another process bound the chosen port first.
var errPortTaken = errors.New("port taken")

// Start prepares a work directory, migrates the database, creates the admin
// user and its token, starts `gitea web` on 127.0.0.1 and returns once
// /api/healthz answers. The caller must call Stop.
func Start(opts Options) (*Server, error) {
	bin := opts.Binary
	if bin == "" {
		bin = Binary()
	}
	if err := CheckBinary(bin); err != nil {
		return nil, err
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, fmt.Errorf("start gitea: %w", err)
	}
	s := &Server{AdminUser: adminUser, binary: bin, WorkDir: opts.WorkDir}
	if s.WorkDir == "" {
		if s.WorkDir, err = os.MkdirTemp("", "testgitea-"); err != nil {
			return nil, fmt.Errorf("start gitea: %w", err)
		}
		s.ownsDir = true
	}
	if s.WorkDir, err = filepath.Abs(s.WorkDir); err != nil {
		return nil, errors.Join(fmt.Errorf("start gitea: %w", err), s.Stop())
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.start(ctx, opts.Output); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, out io.Writer) error {
	cfg, err := newSettings(s.WorkDir, filepath.Dir(s.binary))
	if err != nil {
		return err
	}
	if cfg.Port, err = freePort(); err != nil {
		return err
	}
	if err := cfg.write(); err != nil {
		return err
	}
	s.cfg = cfg
	if _, err := s.run(ctx, "migrate"); err != nil {
		return err
	}
	password := make([]byte, 24)
	if _, err := rand.Read(password); err != nil {
		return fmt.Errorf("generate password: %w", err)
	}
	if _, err := s.run(ctx, "admin", "user", "create", "--username", s.AdminUser,
		"--password", hex.EncodeToString(password), "--email", s.AdminUser+"@example.invalid",
		"--admin", "--must-change-password=false"); err != nil {
		return err
	}
	token, err := s.run(ctx, "admin", "user", "generate-access-token", "--username", s.AdminUser,
		"--token-name", tokenName, "--scopes", "all", "--raw")
	if err != nil {
		return err
	}
	if s.Token = lastLine(token); len(s.Token) < 20 {
		return errors.New("gitea admin user generate-access-token: no token in its output")
	}
	for attempt := 1; ; attempt++ {
		err := s.serve(ctx, out)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == portAttempts {
			return err
		}
		if s.cfg.Port, err = freePort(); err != nil {
			return err
		}
		if err := s.cfg.write(); err != nil {
			return err
		}
	}
}

// run runs one gitea command against the work directory and returns its
// standard output. Arguments stay out of errors: one of them is a password.
func (s *Server) run(ctx context.Context, args ...string) ([]byte, error) {
	name := "gitea " + strings.Join(subcommand(args), " ")
	cmd := exec.CommandContext(ctx, s.binary, append(s.globalArgs(), args...)...)
	cmd.Dir = s.WorkDir
	cmd.Env = environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", name, err, tail(stderr.String(), 20))
	}
	return stdout.Bytes(), nil
}

// serve starts `gitea web` and waits until it is healthy.
func (s *Server) serve(ctx context.Context, out io.Writer) error {
	s.URL = "http://127.0.0.1:" + strconv.Itoa(s.cfg.Port)
	proc, err := startProcess(s.binary, s.WorkDir, s.logPath(), out, append(s.globalArgs(), "web")...)
	if err != nil {
		return err
	}
	s.proc = proc
	client := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-proc.Done():
			_, exit := proc.Exited()
			s.proc = nil
			log := s.LogTail(30)
			if strings.Contains(log, "address already in use") {
				return fmt.Errorf("gitea web on port %d: %w", s.cfg.Port, errPortTaken)
			}
			return fmt.Errorf("gitea web exited before it answered: %w\n%s", exit, log)
		case <-ctx.Done():
			return fmt.Errorf("gitea web: no healthy answer from %s/api/healthz: %w\n%s",
				s.URL, ctx.Err(), s.LogTail(30))
		case <-tick.C:
			if healthy(ctx, client, s.URL+"/api/healthz") {
				return nil
			}
		}
	}
}

func healthy(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stop stops the server and everything it started, and removes the work
// directory when Start created it. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		var errs []error
		if s.proc != nil {
			errs = append(errs, s.proc.stop(15*time.Second))
		}
		if s.ownsDir {
			if err := os.RemoveAll(s.WorkDir); err != nil {
				errs = append(errs, fmt.Errorf("stop gitea: %w", err))
			}
		}
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}

// LogTail returns the last n lines the server logged.
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return ""
	}
	return tail(string(b), n)
}

func (s *Server) logPath() string { return filepath.Join(s.WorkDir, "gitea.log") }

func (s *Server) globalArgs() []string {
	return []string{"--work-path", s.WorkDir, "--config", s.cfg.path()}
}

// environ is this process's environment without what would reconfigure
// Gitea or the git it runs.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GITEA_") || strings.HasPrefix(kv, "GIT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}

// subcommand is args up to the first flag.
func subcommand(args []string) []string {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			return args[:i]
		}
	}
	return args
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
