package gitremote

import (
	"errors"
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

func TestResolveKeepsSecretsOut(t *testing.T) {
	a, err := Resolve("https://user:s3cr3t-token@git.example/backup.git", Auth{})
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://git.example/backup.git" {
		t.Errorf("URL %q still holds the credentials", a.URL)
	}
	if b, ok := a.Method.(*githttp.BasicAuth); !ok || b.Password != "s3cr3t-token" {
		t.Errorf("method %#v, want basic auth with the URL's password", a.Method)
	}
	err = a.Scrub(errors.New("clone https://user:s3cr3t-token@git.example/backup.git: denied for s3cr3t-token"))
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("Scrub left the secret in %q", err)
	}
}

func TestResolveLocalAndRefused(t *testing.T) {
	a, err := Resolve("/srv/git/backup.git", Auth{})
	if err != nil || a.URL != "/srv/git/backup.git" || a.Method != nil {
		t.Errorf("Resolve(local path) = %+v, %v; want the path, no credentials", a, err)
	}
	t.Setenv("CLUSTERSCRIBE_TEST_TOKEN", "t0ken")
	_, err = Resolve("/srv/git/backup.git", Auth{TokenEnv: "CLUSTERSCRIBE_TEST_TOKEN"})
	if !errors.Is(err, ErrInvalidAuth) || !strings.Contains(err.Error(), "a token needs an http(s) remote") {
		t.Errorf("a token for a local path: %v, want ErrInvalidAuth saying what fits", err)
	}
	if _, err := Resolve("ftp://host/repo", Auth{}); !errors.Is(err, ErrInvalidURL) {
		t.Errorf("ftp: %v, want ErrInvalidURL", err)
	}
}
