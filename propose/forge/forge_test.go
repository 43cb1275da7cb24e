package forge

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

func TestRepoFromURL(t *testing.T) {
	tests := []struct {
		in, web, repo string
	}{
		{in: "https://gitea.example.com/shop/declared.git", web: "https://gitea.example.com", repo: "shop/declared"},
		{in: "http://127.0.0.1:3000/clusterscribe/declared.git", web: "http://127.0.0.1:3000", repo: "clusterscribe/declared"},
		{in: "https://user:secret@gitlab.example.com/platform/gitops/declared.git", web: "https://gitlab.example.com", repo: "platform/gitops/declared"},
		{in: "git@github.com:shop/declared.git", web: "https://github.com", repo: "shop/declared"},
		{in: "ssh://git@gitea.example.com:2222/shop/declared", web: "https://gitea.example.com", repo: "shop/declared"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			web, repo, err := RepoFromURL(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.web, tt.repo}, []string{web, repo}); diff != "" {
				t.Errorf("RepoFromURL (-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := RepoFromURL("https://user:secret@example.com/onlyone"); err == nil || contains(err.Error(), "secret") {
		t.Errorf("RepoFromURL of a one-part path: %v, want an error without the password", err)
	}
}

func TestToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("  tok-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PROPOSE_TEST_TOKEN", "tok-2")
	tests := []struct {
		name    string
		tok     Token
		want    string
		wantErr error
	}{
		{name: "file", tok: Token{File: file}, want: "tok-1"},
		{name: "env", tok: Token{Env: "PROPOSE_TEST_TOKEN"}, want: "tok-2"},
		{name: "empty file", tok: Token{File: empty}, wantErr: ErrNoToken},
		{name: "unset env", tok: Token{Env: "PROPOSE_TEST_UNSET"}, wantErr: ErrNoToken},
		{name: "none", wantErr: ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.tok.Read()
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("Read() = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestWrapRedacts(t *testing.T) {
	tok := secretscan.Canary()
	err := Wrap("gitea", "create", 401, errors.New("401 for https://admin:"+tok+"@host/x: token "+tok+" rejected"), tok)
	secretscan.Check(t, "the error", err.Error())
	if !errors.Is(err, ErrAuth) {
		t.Errorf("Wrap = %q (ErrAuth %v)", err, errors.Is(err, ErrAuth))
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestValidate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("tok"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := Options{URL: "https://gitea.example.com", Repo: "shop/declared", Token: Token{File: file}}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{name: "valid", change: func(*Options) {}},
		{name: "no URL", change: func(o *Options) { o.URL = "" }, want: "no URL"},
		{name: "not http", change: func(o *Options) { o.URL = "ftp://x" }, want: "not an http(s) URL"},
		{name: "credentials in the URL stay out", change: func(o *Options) { o.URL = "ftp://u:s3cret@x" }, want: "ftp://x"},
		{name: "one-part repository", change: func(o *Options) { o.Repo = "declared" }, want: "not owner/name"},
		{name: "no token", change: func(o *Options) { o.Token = Token{} }, want: "no forge token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.change(&o)
			err := o.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret")):
				t.Fatalf("Validate: %v, want it to say %q", err, tt.want)
			}
		})
	}
}
