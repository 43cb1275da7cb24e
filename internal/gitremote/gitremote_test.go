package gitremote

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsRemote(t *testing.T) {
	for s, want := range map[string]bool{
		"https://git.example.com/org/repo.git": true,
		"file:///srv/git/backup.git":           true,
		"git@github.com:org/repo.git":          true,
		"host:path/repo":                       true,
		"./backup":                             false,
		"/srv/backup":                          false,
		"backup":                               false,
		"backup/sub:dir":                       false,
		"C:dir":                                true, // as git reads it: scp form
	} {
		if got := IsRemote(s); got != want {
			t.Errorf("IsRemote(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestScrub(t *testing.T) {
	in := `clone https://alice:s3cret@git.example.com/r.git failed; ssh://git@host/r and http://tok@h/x`
	want := `clone https://git.example.com/r.git failed; ssh://host/r and http://h/x`
	if got := Scrub(in); got != want {
		t.Errorf("Scrub:\n got %s\nwant %s", got, want)
	}
	if Scheme("https://x/y") != "https://" || Scheme("x:y") != "" {
		t.Error("Scheme")
	}
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	full, empty := filepath.Join(dir, "token"), filepath.Join(dir, "empty")
	if err := os.WriteFile(full, []byte(" s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CS_TEST_TOKEN", "from-env")
	t.Setenv("CS_TEST_EMPTY", " ")
	tests := []struct {
		file, env, want string
		wantErr         error
	}{
		{file: full, want: "s3cret"},
		{file: full, env: "CS_TEST_TOKEN", want: "s3cret"}, // the file wins
		{env: "CS_TEST_TOKEN", want: "from-env"},
		{file: empty, wantErr: ErrEmptySecret},
		{env: "CS_TEST_EMPTY", wantErr: ErrEmptySecret},
		{env: "CS_TEST_UNSET_VARIABLE", wantErr: ErrEmptySecret},
		{want: ""},
	}
	for _, tt := range tests {
		got, err := ReadSecret(tt.file, tt.env)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("ReadSecret(%q, %q) = %q, %v; want %q, %v", tt.file, tt.env, got, err, tt.want, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows the value: %v", err)
		}
	}
	if _, err := ReadSecret(filepath.Join(dir, "none"), ""); err == nil || errors.Is(err, ErrEmptySecret) {
		t.Errorf("a missing file: %v, want a read error", err)
	}
}
