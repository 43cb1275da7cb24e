package gitrepo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/internal/gitremote"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

const prefix = "clusterscribe/propose"

var when = time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)

// remote makes a bare repository with one commit on main holding files,
// and returns its file:// URL.
func remote(t *testing.T, files map[string]string) string {
	t.Helper()
	work := t.TempDir()
	gittest.NewRepo(t, work, files)
	return gittest.BareClone(t, work)
}

func clone(t *testing.T, url string) *Repo {
	t.Helper()
	r, err := Clone(t.Context(), url, "", prefix, gitremote.Auth{}, t.TempDir())
	if err != nil {
		t.Fatalf("Clone: %v", err)
	}
	return r
}

// TestPushLease: a new branch is created; an existing one is replaced only
// when it is still where it was read; nothing outside the prefix is
// pushed.
func TestPushLease(t *testing.T) {
	url := remote(t, map[string]string{"apps/web.yaml": "replicas: 2\n", "README.md": "hi\n"})
	r := clone(t, url)
	if r.Base() != "main" {
		t.Fatalf("base = %q, want main", r.Base())
	}
	branch := prefix + "/prod/shop/deployment.apps/web"
	sig := object.Signature{When: when}
	first, err := r.Commit(map[string][]byte{"apps/web.yaml": []byte("replicas: 5\n")}, "scale", sig, sig)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(r.Root(), "apps", "web.yaml")); string(got) != "replicas: 2\n" {
		t.Errorf("Commit changed the work tree: %q", got)
	}
	if err := r.Push(t.Context(), branch, first, plumbing.ZeroHash); err != nil {
		t.Fatalf("create branch: %v", err)
	}

	// A second run sees the branch and replaces it with a lease.
	r2 := clone(t, url)
	branches, err := r2.Branches()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]plumbing.Hash{branch: first}, branches); diff != "" {
		t.Fatalf("Branches (-want +got):\n%s", diff)
	}
	second, err := r2.Commit(map[string][]byte{"apps/web.yaml": []byte("replicas: 7\n")}, "scale more", sig, sig)
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Push(t.Context(), branch, second, first); err != nil {
		t.Fatalf("replace with a lease: %v", err)
	}

	// The first clone's lease is stale now: refused, the branch kept.
	third, err := r.Commit(map[string][]byte{"apps/web.yaml": []byte("replicas: 9\n")}, "stale", sig, sig)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(t.Context(), branch, third, first); !errors.Is(err, ErrLeaseBroken) {
		t.Fatalf("push with a stale lease: %v, want ErrLeaseBroken", err)
	}
	if got, _ := clone(t, url).Branches(); got[branch] != second {
		t.Errorf("branch is at %s, want %s", got[branch], second)
	}

	// Branches outside the prefix are never pushed or deleted.
	if err := r.Push(t.Context(), "main", third, plumbing.ZeroHash); err == nil || !strings.Contains(err.Error(), "only branches under") {
		t.Errorf("push of main: %v, want a refusal", err)
	}
	if err := r.DeleteRemote(t.Context(), "main"); err == nil {
		t.Errorf("delete of main: no error")
	}
	if err := r2.DeleteRemote(t.Context(), branch); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got, _ := clone(t, url).Branches(); len(got) != 0 {
		t.Errorf("branches after delete: %v", got)
	}
}

func TestCommitAndPatch(t *testing.T) {
	r := clone(t, remote(t, map[string]string{"apps/web.yaml": "replicas: 2\n", "apps/z.yaml": "z\n"}))
	sig := object.Signature{When: when}
	h, err := r.Commit(map[string][]byte{
		"apps/web.yaml":               []byte("replicas: 5\n"),
		"adopted/shop/cm-hotfix.yaml": []byte("kind: ConfigMap\n"),
	}, "Memorialize: scale\n\nbody line\n", sig, sig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.ReadCommit(h)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]plumbing.Hash{r.BaseCommit()}, c.Parents); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := r.Patch(h, &b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Subject: [PATCH] Memorialize: scale\n", "body line\n", "-replicas: 2\n", "+replicas: 5\n",
		"+++ b/adopted/shop/cm-hotfix.yaml\n", "From: clusterscribe <clusterscribe@localhost>\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("patch lacks %q:\n%s", want, b.String())
		}
	}
	for _, bad := range []string{"../x", "/etc/passwd", ".git/config", "a/../b"} {
		if _, err := r.Commit(map[string][]byte{bad: nil}, "x", sig, sig); err == nil {
			t.Errorf("Commit(%q): no error", bad)
		}
	}
}
