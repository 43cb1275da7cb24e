// Package forgetest checks, for tests only, that a forge client keeps the
// contract propose relies on, against a server the test provides.
package forgetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/propose/forge"
)

// Lifecycle opens pull request 1 from branch to main through f (title
// "Memorialize", body "drift"), updates it, comments "gone" on it and
// closes it, checking at each step what f reports: none open before, want
// once created (Title and Body as given), the new title and body once
// updated, none open for another branch or once closed. The caller then
// checks that its server recorded the comment.
func Lifecycle(t *testing.T, f forge.Forge, branch string, want forge.PullRequest) {
	t.Helper()
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
