package testgitea

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckBinary(t *testing.T) {
	tests := []struct {
		name    string
		files   []string // created under the directory; "gitea" is made executable
		dirs    []string
		wantErr string // substring; empty means no error
	}{
		{name: "complete", files: []string{"gitea"}, dirs: []string{"options", "templates"}},
		{name: "no binary", dirs: []string{"options", "templates"}, wantErr: "is not an executable"},
		{name: "no templates", files: []string{"gitea"}, dirs: []string{"options"}, wantErr: "no templates/ directory"},
		{name: "options is a file", files: []string{"gitea", "options"}, dirs: []string{"templates"}, wantErr: "no options/ directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range tt.dirs {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			err := CheckBinary(filepath.Join(dir, "gitea"))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckBinary: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBinaryMissing) || !strings.Contains(err.Error(), tt.wantErr) ||
				!strings.Contains(err.Error(), "make gitea") {
				t.Fatalf("CheckBinary: got %v, want ErrBinaryMissing saying %q and how to build it", err, tt.wantErr)
			}
		})
	}
}

func TestBinary(t *testing.T) {
	tests := []struct {
		name, env, cache, want string
	}{
		{name: "from the environment", env: "/opt/gitea/bin/gitea", cache: "/var/cache/ci", want: "/opt/gitea/bin/gitea"},
		{name: "from the cache", cache: "/var/cache/ci", want: "/var/cache/ci/clusterscribe/gitea/" + Version + "/gitea"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvBinary, tt.env)
			t.Setenv("XDG_CACHE_HOME", tt.cache)
			if diff := cmp.Diff(tt.want, Binary()); diff != "" {
				t.Errorf("Binary() (-want +got):\n%s", diff)
			}
		})
	}
}
