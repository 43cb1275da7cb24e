package restore

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/committer"
)

// resolveCase is a ref and the commit it must name, or the error.
type resolveCase struct {
	ref     string
	want    plumbing.Hash
	wantErr error
}

func checkResolve(t *testing.T, repo *git.Repository, tests []resolveCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			c, err := resolve(repo, tt.ref)
			if tt.wantErr != nil {
				mustFail(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Hash != tt.want {
				t.Errorf("%s resolved to %s, want %s", tt.ref, c.Hash, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	dir, commits := historyRepo(t)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag("before-removal", commits[1], nil); err != nil {
		t.Fatal(err)
	}
	tagger := &object.Signature{Name: "ops", Email: "ops@example.com", When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := repo.CreateTag("v1-backup", commits[0], &git.CreateTagOptions{Message: "first", Tagger: tagger}); err != nil {
		t.Fatal(err)
	}
	tests := []resolveCase{
		{ref: DefaultRef, want: commits[4]},
		{ref: "refs/heads/" + DefaultRef, want: commits[4]},
		{ref: DefaultRef + "~2", want: commits[2]},
		{ref: "before-removal", want: commits[1]},
		{ref: "v1-backup", want: commits[0]},
		{ref: commits[3].String(), want: commits[3]},
		{ref: commits[3].String()[:8], want: commits[3]},
		{ref: "no-such-branch", wantErr: ErrRefNotFound},
		{ref: "0000000000000000000000000000000000000000", wantErr: ErrRefNotFound},
	}
	checkResolve(t, repo, tests)
}

// TestResolvePrefersRefs: as in git, a branch or tag wins over a commit
// whose hash starts with the same digits, and fewer than four digits are
// never taken for a hash.
func TestResolvePrefersRefs(t *testing.T) {
	dir, commits := historyRepo(t)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	four := commits[1].String()[:4]
	one := commits[0].String()[:1]
	for name, target := range map[string]plumbing.Hash{four: commits[3], one: commits[2]} {
		if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), target)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []resolveCase{
		{ref: four, want: commits[3]},
		{ref: one, want: commits[2]},
		{ref: four + "~1", want: commits[2]},
		{ref: strings.ToUpper(commits[4].String()[:7]), want: commits[4]},
		{ref: commits[2].String()[:3], wantErr: ErrRefNotFound},
		{ref: "~1", wantErr: ErrRefNotFound},
		{ref: "heads", wantErr: ErrRefNotFound},
		{ref: "../../config", wantErr: ErrRefNotFound},
		{ref: "HEAD", want: commits[4]},
	}
	checkResolve(t, repo, tests)
}

func TestChooseCluster(t *testing.T) {
	dir := t.TempDir()
	open := func(prefix string) *committer.Committer {
		c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: DefaultRef, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	commit := func(c *committer.Committer, p string) plumbing.Hash {
		h, err := c.Commit(t.Context(), []committer.Change{{Path: p, Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")}})
		if err != nil {
			t.Fatal(err)
		}
		return plumbing.Hash(h)
	}
	one := commit(open("prod"), "prod/cluster/core/namespaces/a.yaml")
	two := commit(open("staging"), "staging/cluster/core/namespaces/a.yaml")
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		commit  plumbing.Hash
		want    string
		choose  string
		wantErr bool
	}{
		{name: "the only one", commit: one, want: "prod"},
		{name: "named", commit: two, choose: "staging", want: "staging"},
		{name: "several, none named", commit: two, wantErr: true},
		{name: "named but absent", commit: one, choose: "staging", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := repo.CommitObject(tt.commit)
			if err != nil {
				t.Fatal(err)
			}
			snap, err := readSnapshot(t.Context(), c, tt.choose)
			if tt.wantErr {
				mustFail(t, err, ErrClusterNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []backupFile{{Path: tt.want + "/cluster/core/namespaces/a.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")}}
			if diff := cmp.Diff(want, snap.Files); diff != "" || snap.Cluster != tt.want {
				t.Errorf("cluster %q, files (-want +got):\n%s", snap.Cluster, diff)
			}
		})
	}
}

// TestRemote reads a backup through a URL: cloned on first use, fetched
// afterwards so new commits are seen.
func TestRemote(t *testing.T) {
	dir, commits := historyRepo(t)
	src := Source{Repo: "file://" + dir, Ref: DefaultRef, Workdir: t.TempDir() + "/clone"}
	for i, want := range []plumbing.Hash{commits[4], {}} {
		if i == 1 {
			c, err := committer.Open(t.Context(), committer.Options{Repo: dir, Branch: DefaultRef, Prefix: "prod"})
			if err != nil {
				t.Fatal(err)
			}
			h, err := c.Commit(t.Context(), []committer.Change{{Path: "prod/cluster/core/namespaces/new.yaml", Data: []byte("kind: Namespace\n")}})
			if err != nil {
				t.Fatal(err)
			}
			want = plumbing.Hash(h)
		}
		repo, err := openRepository(t.Context(), src)
		if err != nil {
			t.Fatal(err)
		}
		c, err := resolve(repo, src.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if c.Hash != want {
			t.Errorf("read %d: tip %s, want %s", i, c.Hash, want)
		}
	}
}

// TestResolveAmbiguousPrefix: an abbreviated hash that starts two commits
// is refused with ErrAmbiguousRef; one more digit names each.
func TestResolveAmbiguousPrefix(t *testing.T) {
	repo, err := git.Init(memory.NewStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	empty := repo.Storer.NewEncodedObject()
	if err := (&object.Tree{}).Encode(empty); err != nil {
		t.Fatal(err)
	}
	tree, err := repo.Storer.SetEncodedObject(empty)
	if err != nil {
		t.Fatal(err)
	}
	// Two of a few hundred commits share their first four digits (the
	// birthday bound of 16^4); 20,000 make missing it impossible in practice.
	seen := map[string]plumbing.Hash{}
	var a, b plumbing.Hash
	for i := 0; a.IsZero() && i < 20000; i++ {
		obj := repo.Storer.NewEncodedObject()
		sig := object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0).UTC()}
		c := &object.Commit{Author: sig, Committer: sig, Message: fmt.Sprintf("commit %d\n", i), TreeHash: tree}
		if err := c.Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := repo.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := seen[h.String()[:4]]; ok {
			a, b = other, h
		}
		seen[h.String()[:4]] = h
	}
	if a.IsZero() {
		t.Fatal("no two commits share their first four digits")
	}
	n := 4
	for a.String()[n] == b.String()[n] {
		n++
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(plumbing.NewTagReferenceName("a-tree"), tree)); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve(repo, "a-tree"); err == nil || !strings.Contains(err.Error(), "names a tree") {
		t.Errorf("a tag of a tree: got %v, want an error saying it names a tree", err)
	}
	checkResolve(t, repo, []resolveCase{
		{ref: a.String()[:n], wantErr: ErrAmbiguousRef},
		{ref: a.String()[:n+1], want: a},
		{ref: b.String()[:n+1], want: b},
	})
}
