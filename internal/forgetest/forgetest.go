// Package forgetest checks, for tests only, that a forge client keeps the
// contract propose relies on, against a server the test provides.
package forgetest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// Fake is a forge's API served by the test.
type Fake interface {
	http.Handler
	// Comments returns the comments recorded on pull request number.
	Comments(number int) []string
}

// Client is a forge client of type F under test and the fake server it
// talks to.
type Client[F forge.Forge] struct {
	// Fake serves the forge's API and accepts only Token.
	Fake  Fake
	Token string
	// New is the client's constructor, and Repo the repository it is
	// given.
	New  func(forge.Options) (F, error)
	Repo string
	// Want is what the client reports for the pull request Check opens
	// from Want.Head (Title and Body aside).
	Want forge.PullRequest
}

// Check serves c.Fake and checks, through clients built with c.New, that
// a wrong token fails every call with forge.ErrAuth and an error that does
// not show it (server URL without a trailing slash), and then the whole
// life of a pull request (URL with a trailing slash), down to the comment
// the server recorded.
func Check[F forge.Forge](t *testing.T, c Client[F]) {
	t.Helper()
	srv := httptest.NewServer(c.Fake)
	t.Cleanup(srv.Close)
	t.Run("errors hide the token", func(t *testing.T) {
		f := c.mustNew(t, srv.URL, secretscan.Canary())
		_, err := f.FindOpenPR(t.Context(), "b")
		wantAuthError(t, "FindOpenPR", err)
		_, err = f.CreatePR(t.Context(), forge.NewPullRequest{Head: "b", Base: "main", Title: "t"})
		wantAuthError(t, "CreatePR", err)
		wantAuthError(t, "UpdatePR", f.UpdatePR(t.Context(), 1, "t", "b"))
		wantAuthError(t, "Comment", f.Comment(t.Context(), 1, "c"))
		wantAuthError(t, "ClosePR", f.ClosePR(t.Context(), 1))
	})
	t.Run("lifecycle", func(t *testing.T) {
		lifecycle(t, c.mustNew(t, srv.URL+"/", c.Token), c.Want)
		if diff := cmp.Diff([]string{"gone"}, c.Fake.Comments(int(c.Want.Number))); diff != "" {
			t.Errorf("comments the server recorded (-want +got):\n%s", diff)
		}
	})
}

func (c Client[F]) mustNew(t *testing.T, url, token string) F {
	t.Helper()
	f, err := c.New(forge.Options{URL: url, Repo: c.Repo, Token: forge.Token{File: TokenFile(t, token)}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func wantAuthError(t *testing.T, call string, err error) {
	t.Helper()
	if !errors.Is(err, forge.ErrAuth) {
		t.Fatalf("%s with a wrong token: %v, want ErrAuth", call, err)
	}
	secretscan.Check(t, "the error", err.Error())
}

// lifecycle opens pull request 1 from want.Head to main through f (title
// "Memorialize", body "drift"), updates it, comments "gone" on it and
// closes it, checking at each step what f reports: none open before, want
// once created (Title and Body as given), the new title and body once
// updated, none open for another branch or once closed.
func lifecycle(t *testing.T, f forge.Forge, want forge.PullRequest) {
	t.Helper()
	branch := want.Head
	ctx := t.Context()
	if pr, err := f.FindOpenPR(ctx, branch); err != nil || pr != nil {
		t.Fatalf("FindOpenPR before creation = %v, %v; want none", pr, err)
	}
	created, err := f.CreatePR(ctx, forge.NewPullRequest{Head: branch, Base: "main", Title: "Memorialize", Body: "drift"})
	if err != nil {
		t.Fatal(err)
	}
	want.Title, want.Body = "Memorialize", "drift"
	if diff := cmp.Diff(&want, created); diff != "" {
		t.Errorf("CreatePR (-want +got):\n%s", diff)
	}
	if err := f.UpdatePR(ctx, want.Number, "Memorialize again", "more drift"); err != nil {
		t.Fatal(err)
	}
	found, err := f.FindOpenPR(ctx, branch)
	if err != nil {
		t.Fatal(err)
	}
	want.Title, want.Body = "Memorialize again", "more drift"
	if diff := cmp.Diff(&want, found); diff != "" {
		t.Errorf("FindOpenPR after update (-want +got):\n%s", diff)
	}
	if pr, err := f.FindOpenPR(ctx, branch+"-other"); err != nil || pr != nil {
		t.Errorf("FindOpenPR of another branch = %v, %v; want none", pr, err)
	}
	if err := f.Comment(ctx, want.Number, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := f.ClosePR(ctx, want.Number); err != nil {
		t.Fatal(err)
	}
	if pr, err := f.FindOpenPR(ctx, branch); err != nil || pr != nil {
		t.Errorf("FindOpenPR after close = %v, %v; want none", pr, err)
	}
}

// TokenFile writes token to a file of the test's own (mode 0600) and
// returns its path, for forge.Token{File: …}.
func TokenFile(t testing.TB, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
