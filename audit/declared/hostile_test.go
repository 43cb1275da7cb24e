//go:build unix

package declared_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// giveUp bounds every load of a hostile tree: a load that hangs fails the
// test instead of the whole package timing out.
const giveUp = 2 * time.Minute

// configMap is a one-object manifest.
func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: shop\ndata:\n  k: v\n"
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// loadBounded runs Load, failing the test if it does not return within
// giveUp.
func loadBounded(t *testing.T, opts declared.Options) *declared.Set {
	t.Helper()
	type result struct {
		set *declared.Set
		err error
	}
	done := make(chan result, 1)
	go func() {
		set, err := declared.Load(t.Context(), opts)
		done <- result{set, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Load: %v", r.err)
		}
		return r.set
	case <-time.After(giveUp):
		t.Fatalf("Load did not return within %s", giveUp)
		return nil
	}
}

// billionLaughs is a YAML alias bomb: nine levels of nine aliases, about
// 387 million strings once expanded, in a 700-byte file.
func billionLaughs(name string) string {
	var b strings.Builder
	b.WriteString(configMap(name))
	b.WriteString("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		fmt.Fprintf(&b, "  %s: &%s [%s]\n", n, n, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
		prev = n
	}
	return b.String()
}

// TestLoadHostileTree reads a declared tree full of traps: links out of
// the tree (to files, directories and devices), link loops, broken links,
// a named pipe, a file over the size limit, binary content, YAML bombs,
// cyclic anchors, deep nesting, malformed documents and a mapping of
// 200,000 keys with a duplicate. Every trap is one problem naming its file
// (and line, where it has one), nothing outside the tree is read, and every
// good object is still declared.
func TestLoadHostileTree(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	testkit.WriteFiles(t, outside, map[string]string{
		"secret.yaml":             configMap("outside-file") + "# OUTSIDE-CONTENT\n",
		"dir/manifest.yaml":       configMap("outside-dir"),
		"kust/kustomization.yaml": "resources:\n- cm.yaml\n",
		"kust/cm.yaml":            configMap("outside-kustomization"),
	})
	var many strings.Builder
	many.WriteString(configMap("many-keys"))
	for i := range 200_000 {
		fmt.Fprintf(&many, "  k%d: v\n", i)
	}
	many.WriteString("  k17: again\n")
	manyLines := strings.Count(many.String(), "\n")
	testkit.WriteFiles(t, root, map[string]string{
		"good.yaml": configMap("good"),
		"malformed.yaml": configMap("before-malformed") + "---\n" +
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  x: \"1\"\n    y: 2\n---\n" +
			configMap("after-malformed"),
		"binary.yaml":                  "\x00\x01\x02\xff\xfe\x89PNG\r\n\x1a\n",
		"bomb.yaml":                    billionLaughs("bomb"),
		"anchor-cycle.yaml":            configMap("cycle") + "  list: &a [1, *a]\n",
		"deep.yaml":                    configMap("deep") + "  x: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n",
		"many-keys.yaml":               many.String(),
		"targets/data.txt":             configMap("via-inside-link"),
		"kust-ok/kustomization.yaml":   "resources:\n- cm.yaml\n",
		"kust-ok/cm.yaml":              configMap("from-kustomization"),
		"kust-link/kustomization.yaml": "resources:\n- cm.yaml\n",
		"kust-bomb/kustomization.yaml": "resources:\n- bomb.yaml\n",
		"kust-bomb/bomb.yaml":          billionLaughs("kustomize-bomb"),
	})
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(root, "outside-abs.yaml"))
	symlink(t, "../"+filepath.Base(outside)+"/secret.yaml", filepath.Join(root, "outside-rel.yaml"))
	symlink(t, "/dev/zero", filepath.Join(root, "zero.yaml"))
	symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "outside-dir"))
	symlink(t, "loop-b.yaml", filepath.Join(root, "loop-a.yaml"))
	symlink(t, "loop-a.yaml", filepath.Join(root, "loop-b.yaml"))
	symlink(t, "self", filepath.Join(root, "self"))
	symlink(t, "missing.yaml", filepath.Join(root, "broken.yaml"))
	symlink(t, ".", filepath.Join(root, "dir-loop"))
	symlink(t, "targets/data.txt", filepath.Join(root, "inside-link.yaml"))
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(root, "kust-link", "cm.yaml"))
	symlink(t, filepath.Join(outside, "kust"), filepath.Join(root, "kust-outside-base"))
	testkit.WriteFiles(t, root, map[string]string{"kust-uses-outside/kustomization.yaml": "resources:\n- ../kust-outside-base\n"})
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	huge, err := os.Create(filepath.Join(root, "huge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(declared.DefaultMaxFileBytes + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	_ = huge.Close()

	set := loadBounded(t, declared.Options{Source: root})

	var names []string
	for _, o := range set.Objects {
		names = append(names, o.Object.GetName())
	}
	slices.Sort(names)
	want := []string{"after-malformed", "before-malformed", "from-kustomization", "good", "via-inside-link"}
	if !slices.Equal(names, want) {
		t.Errorf("declared objects = %v, want %v", names, want)
	}

	problems := map[string]findings.Problem{}
	for _, p := range set.Problems {
		if _, dup := problems[p.Source.File]; dup {
			t.Errorf("two problems on %s: %+v", p.Source.File, set.Problems)
		}
		problems[p.Source.File] = p
		for _, leak := range []string{"OUTSIDE-CONTENT", outside, root} {
			if strings.Contains(p.Message, leak) || strings.Contains(p.Source.File, leak) {
				t.Errorf("problem %s: %q shows %q", p.Source, p.Message, leak)
			}
		}
	}
	tests := []struct {
		file string
		line int
		want string // part of the message
	}{
		{"malformed.yaml", 15, "malformed YAML: did not find expected key"},
		{"binary.yaml", 1, "malformed YAML"},
		{"bomb.yaml", 16, "excessive aliasing"}, // the top alias: i: [*h, ...]
		{"anchor-cycle.yaml", 8, `anchor "a" value contains itself`},
		{"deep.yaml", 8, "exceeded max depth"},
		{"many-keys.yaml", manyLines, fmt.Sprintf(`mapping key "k17" already defined at line %d`, 8+17)},
		{"outside-abs.yaml", 0, "leads outside the declared repository"},
		{"outside-rel.yaml", 0, "leads outside the declared repository"},
		{"zero.yaml", 0, "leads outside the declared repository"},
		{"outside-dir", 0, "leads outside the declared repository"},
		{"kust-outside-base", 0, "leads outside the declared repository"},
		{"loop-a.yaml", 0, "symbolic link loop"},
		{"loop-b.yaml", 0, "symbolic link loop"},
		{"self", 0, "symbolic link loop"},
		{"broken.yaml", 0, "broken symbolic link"},
		{"fifo.yaml", 0, "not a regular file"},
		{"huge.yaml", 0, fmt.Sprintf("file of %d bytes is larger than the limit of %d bytes", declared.DefaultMaxFileBytes+1, declared.DefaultMaxFileBytes)},
		{"kust-link/kustomization.yaml", 0, "kust-link/cm.yaml: leads outside the declared repository"},
		{"kust-uses-outside/kustomization.yaml", 0, "kust-outside-base: leads outside the declared repository"},
		{"kust-bomb/kustomization.yaml", 0, "kust-bomb/bomb.yaml: line 16: document contains excessive aliasing"},
	}
	for _, tt := range tests {
		p, ok := problems[tt.file]
		if !ok {
			t.Errorf("no problem on %s", tt.file)
			continue
		}
		delete(problems, tt.file)
		if p.Source.Line != tt.line || !strings.Contains(p.Message, tt.want) {
			t.Errorf("problem on %s = line %d %q, want line %d and %q", tt.file, p.Source.Line, p.Message, tt.line, tt.want)
		}
	}
	for f, p := range problems {
		t.Errorf("unexpected problem on %s: %q", f, p.Message)
	}
}

// TestLoadMaxFileBytes checks the size limit is a setting, and that a
// file at the limit is read.
func TestLoadMaxFileBytes(t *testing.T) {
	root := t.TempDir()
	small := configMap("small")
	big := configMap("big") + "  pad: " + strings.Repeat("x", 100) + "\n"
	testkit.WriteFiles(t, root, map[string]string{"a.yaml": small, "b.yaml": big})
	set := loadBounded(t, declared.Options{Source: root, MaxFileBytes: int64(len(small))})
	if len(set.Objects) != 1 || set.Objects[0].Object.GetName() != "small" {
		t.Errorf("objects = %+v, want only small", set.Objects)
	}
	if len(set.Problems) != 1 || set.Problems[0].Source.File != "b.yaml" || !strings.Contains(set.Problems[0].Message, "larger than the limit") {
		t.Errorf("problems = %+v, want b.yaml over the limit", set.Problems)
	}
}
