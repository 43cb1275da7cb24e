package record_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/committer"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/record"
)

// requestLog records the API requests a run makes.
type requestLog struct {
	mu      sync.Mutex
	watches []string
	total   int
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.total++
		if req.URL.Query().Get("watch") == "true" || strings.Contains(req.URL.Path, "/watch/") {
			l.watches = append(l.watches, req.URL.String())
		}
		l.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// badInputToken is the credential in a malformed repository URL.
var badInputToken = secretscan.Canary()

// TestBadInputFailsBeforeWatching checks that configuration mistakes end
// the run with one clear error before any watch starts.

func TestBadInputFailsBeforeWatching(t *testing.T) {
	dir := t.TempDir()
	plainFile := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(plainFile, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(cfg *record.Config)
		is    error
		// want are parts of the message, in order.
		want []string
		// never must not appear in the message.
		never string
		// discovers: the mistake can only be found by asking the cluster.
		discovers bool
	}{
		{
			name:  "repository below a regular file",
			setup: func(cfg *record.Config) { cfg.Committer.Repo = filepath.Join(plainFile, "repo") },
			is:    committer.ErrRepoNotWritable,
			want:  []string{filepath.Join(plainFile, "repo"), "repository path not writable", "not a directory"},
		},
		{
			name: "malformed remote URL",
			setup: func(cfg *record.Config) {
				cfg.Committer.Repo = "https://backup:" + badInputToken + "@git.example.com:notaport/backup.git"
			},
			is:    committer.ErrInvalidURL,
			want:  []string{"invalid repository URL", "https://git.example.com:notaport/backup.git", "invalid port"},
			never: badInputToken,
		},
		{
			name:      "unknown kind",
			setup:     func(cfg *record.Config) { cfg.Filters.IncludeKinds = []string{"ConfigMap", "Deploymnet"} },
			is:        filters.ErrUnknownKind,
			want:      []string{`--include-kinds: unknown kind "Deploymnet"`},
			discovers: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := filepath.Join(t.TempDir(), "backup")
			cfg, logs := newConfig("default", repo)
			secretscan.Guard(t).Log("record log", logs.String)
			tc.setup(&cfg)
			requests := &requestLog{}
			restCfg := rest.CopyConfig(cluster.Config)
			restCfg.Wrap(requests.wrap)

			err := record.Run(t.Context(), restCfg, cfg)
			if err == nil {
				t.Fatal("record.Run succeeded, want an error")
			}
			msg := err.Error()
			t.Logf("error: %s", msg)
			if !errors.Is(err, tc.is) {
				t.Errorf("error does not match %v", tc.is)
			}
			remaining := msg
			for _, w := range tc.want {
				i := strings.Index(remaining, w)
				if i < 0 {
					t.Errorf("error %q lacks %q (or not in this order)", msg, w)
					break
				}
				remaining = remaining[i+len(w):]
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			if tc.never != "" && (strings.Contains(msg, tc.never) || strings.Contains(logs.String(), tc.never)) {
				t.Errorf("the error or the log output shows the credential")
			}
			requests.mu.Lock()
			defer requests.mu.Unlock()
			if len(requests.watches) > 0 {
				t.Errorf("watches started before the error: %v", requests.watches)
			}
			if tc.discovers && requests.total == 0 {
				t.Errorf("no API request went through the recorded transport: the watch check proves nothing")
			}
		})
	}
}
