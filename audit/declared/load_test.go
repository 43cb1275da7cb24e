package declared_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/gittest"
)

// entry is what the tests assert of a declared object.
type entry struct {
	Object string
	Source string
}

func entries(set *declared.Set) []entry {
	out := make([]entry, 0, len(set.Objects))
	for _, o := range set.Objects {
		id := o.Object.GetName()
		if ns := o.Object.GetNamespace(); ns != "" {
			id = ns + "/" + id
		}
		out = append(out, entry{Object: o.Object.GetKind() + " " + id, Source: o.Source.String()})
	}
	return out
}

// repoEntries is what testdata/repo declares, read from its root.
var repoEntries = []entry{
	// Kustomizations first: the overlay, with the base it uses (built
	// once, through the overlay).
	{"Namespace monitoring", "platform/base/monitoring.yaml:1"},
	{"Deployment monitoring/prod-exporter", "platform/base/monitoring.yaml:6"},
	{"ConfigMap monitoring/prod-exporter-settings-68ff2kftd7", "platform/overlays/prod/kustomization.yaml:11"},
	// Then plain files, in lexical order.
	{"ClusterRole shop-reader", "apps/rbac.json:1"},
	{"ConfigMap shop/shop-config", "apps/shop.yaml:2"},
	{"Deployment shop/shop", "apps/shop.yaml:10"},
	{"ServiceAccount shop/shop", "apps/shop.yaml:23"},
	{"Service shop/shop", "apps/shop.yaml:28"},
}

var repoProblems = []findings.Problem{
	{Source: findings.Source{File: "apps/unnamed.yaml", Line: 1}, Message: "batch/v1 Job has no metadata.name; only named objects can be audited"},
}

func TestLoadDirectory(t *testing.T) {
	set, err := declared.Load(t.Context(), declared.Options{Source: filepath.Join("testdata", "repo")})
	if err != nil {
		t.Fatal(err)
	}
	got := entries(set)
	want := repoEntries
	// The broken kustomization is a problem on its file, and everything
	// else is read.
	if len(set.Problems) != 2 || set.Problems[0].Source.File != "broken-kustomization/kustomization.yaml" ||
		!strings.Contains(set.Problems[0].Message, "missing.yaml") {
		t.Errorf("problems = %+v, want the broken kustomization first", set.Problems)
	} else if diff := cmp.Diff(repoProblems, set.Problems[1:]); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	for _, o := range set.Objects {
		if _, ok := o.Object.GetAnnotations()["config.kubernetes.io/origin"]; ok {
			t.Errorf("%s kept kustomize's origin annotation", o.Object.GetName())
		}
	}
}

func TestLoadSubPath(t *testing.T) {
	set, err := declared.Load(t.Context(), declared.Options{Source: filepath.Join("testdata", "repo"), Path: "platform/overlays/prod"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(repoEntries[:3], entries(set)); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if len(set.Problems) != 0 {
		t.Errorf("problems: %+v", set.Problems)
	}
	if set.Location != filepath.Join("testdata", "repo")+" (path platform/overlays/prod)" {
		t.Errorf("location = %q", set.Location)
	}
}

func TestLoadErrors(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "README.md"), []byte("nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(empty, "README.md")
	tests := []struct {
		name string
		opts declared.Options
		want string
	}{
		{"no source", declared.Options{}, "--declared: a directory or Git URL is required"},
		{"missing directory", declared.Options{Source: filepath.Join(empty, "nope")}, "no such file or directory"},
		{"a file", declared.Options{Source: file}, "is not a directory"},
		{"no manifests", declared.Options{Source: empty}, "no Kubernetes manifests found"},
		{"path outside", declared.Options{Source: empty, Path: "../x"}, "must stay inside"},
		{"path missing", declared.Options{Source: empty, Path: "sub"}, "--path sub is not a directory"},
		{"unreachable git", declared.Options{Source: "file://" + filepath.Join(empty, "nope.git")}, "clone file://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := declared.Load(t.Context(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	_, err := declared.Load(t.Context(), declared.Options{Source: empty})
	if !errors.Is(err, declared.ErrNoManifests) {
		t.Errorf("error %v is not ErrNoManifests", err)
	}
}

// gitRepo commits testdata/repo to a repository with two commits on main
// (the second removes apps/), tags the first v1, and returns a bare
// clone's file:// URL and both commits.
func gitRepo(t *testing.T) (url, first, second string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "repo"))); err != nil {
		t.Fatal(err)
	}
	repo := gittest.Init(t, dir)
	h := gittest.CommitAll(t, repo, "first")
	if _, err := repo.CreateTag("v1", h, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "apps")); err != nil {
		t.Fatal(err)
	}
	second = gittest.CommitAll(t, repo, "second").String()
	return gittest.BareClone(t, dir), h.String(), second
}

func TestLoadGit(t *testing.T) {
	url, first, second := gitRepo(t)
	tests := []struct {
		name     string
		source   string
		revision string
		shop     bool // apps/ is there
	}{
		{"default branch", url, second, false},
		{"branch", url + "@main", second, false},
		{"tag", url + "@v1", first, true},
		{"commit", url + "@" + first, first, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workdir := t.TempDir()
			set, err := declared.Load(t.Context(), declared.Options{Source: tt.source, Workdir: workdir})
			if err != nil {
				t.Fatal(err)
			}
			if set.Revision != tt.revision {
				t.Errorf("revision = %s, want %s", set.Revision, tt.revision)
			}
			hasShop := false
			for _, e := range entries(set) {
				hasShop = hasShop || e.Object == "ConfigMap shop/shop-config"
			}
			if hasShop != tt.shop {
				t.Errorf("apps/ read = %v, want %v", hasShop, tt.shop)
			}
			if left, _ := os.ReadDir(workdir); len(left) != 0 {
				t.Errorf("clone left behind in the workdir: %v", left)
			}
		})
	}
	set, err := declared.Load(t.Context(), declared.Options{Source: url + "@v1", Path: "platform/overlays/prod"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(repoEntries[:3], entries(set)); diff != "" {
		t.Errorf("objects at a path (-want +got):\n%s", diff)
	}
	if _, err := declared.Load(t.Context(), declared.Options{Source: url + "@no-such-ref"}); err == nil ||
		!strings.Contains(err.Error(), `ref "no-such-ref"`) {
		t.Errorf("unknown ref: error = %v", err)
	}
}

func TestLoadLocalRevision(t *testing.T) {
	url, _, second := gitRepo(t)
	dir := filepath.Join(t.TempDir(), "checkout")
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{URL: url}); err != nil {
		t.Fatal(err)
	}
	set, err := declared.Load(t.Context(), declared.Options{Source: dir, Path: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	if set.Revision != second {
		t.Errorf("revision = %q, want the checkout's HEAD %s", set.Revision, second)
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		in    string
		want  declared.Source
		shown string
	}{
		{"clusters/prod", declared.Source{Dir: "clusters/prod"}, "clusters/prod"},
		{"./repo@v1", declared.Source{Dir: "./repo@v1"}, "./repo@v1"},
		{"/srv/repo", declared.Source{Dir: "/srv/repo"}, "/srv/repo"},
		{"https://github.com/org/repo.git", declared.Source{URL: "https://github.com/org/repo.git"}, "https://github.com/org/repo.git"},
		{"https://github.com/org/repo.git@main", declared.Source{URL: "https://github.com/org/repo.git", Ref: "main"}, "https://github.com/org/repo.git@main"},
		{"https://x:tok3n@github.com/org/repo@release/1.2", declared.Source{URL: "https://x:tok3n@github.com/org/repo", Ref: "release/1.2"}, "https://github.com/org/repo@release/1.2"},
		{"file:///srv/repo.git@v1.0.0", declared.Source{URL: "file:///srv/repo.git", Ref: "v1.0.0"}, "file:///srv/repo.git@v1.0.0"},
		{"git@github.com:org/repo.git", declared.Source{URL: "git@github.com:org/repo.git"}, "git@github.com:org/repo.git"},
		{"git@github.com:org/repo.git@v2", declared.Source{URL: "git@github.com:org/repo.git", Ref: "v2"}, "git@github.com:org/repo.git@v2"},
		{"ssh://git@host:2222/org/repo@main", declared.Source{URL: "ssh://git@host:2222/org/repo", Ref: "main"}, "ssh://host:2222/org/repo@main"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := declared.ParseSource(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.String() != tt.shown {
				t.Errorf("String() = %q, want %q", got.String(), tt.shown)
			}
		})
	}
	for _, bad := range []string{"", "https://github.com/org/repo@", "ftp://host/repo"} {
		if _, err := declared.ParseSource(bad); err == nil {
			t.Errorf("ParseSource(%q): no error", bad)
		}
	}
}
