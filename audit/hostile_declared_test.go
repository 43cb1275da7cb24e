//go:build unix

package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit"
	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
)

// TestRunHostileDeclaredRepo audits the live cluster against a Git
// repository full of traps — links to a manifest and to a device outside
// the repository, a link loop, an alias bomb, a file over the size limit, binary
// bytes, a malformed document — next to ordinary manifests. The drift of
// the ordinary objects is reported exactly, nothing outside the repository
// is read (the manifest a link points to would be a MissingLive finding),
// and each trap is one problem naming its file.
func TestRunHostileDeclaredRepo(t *testing.T) {
	ns := cluster.Namespace(t, "hostile-declared")
	cm := func(name, value string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\ndata:\n  k: %s\n", name, ns, value)
	}
	outside := filepath.Join(t.TempDir(), "outside.yaml")
	if err := os.WriteFile(outside, []byte(cm("from-outside", "leaked")), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bomb := cm("bomb", "v") + "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		prev := string(rune('a' + i))
		bomb += fmt.Sprintf("  %s: &%s [%s]\n", n, n, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
	}
	files := map[string]string{
		"app/good.yaml":      cm("drifted", "declared") + "---\n" + cm("missing", "declared"),
		"app/malformed.yaml": cm("before", "ok") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bad: [\n",
		"app/bomb.yaml":      bomb,
		"app/binary.yaml":    "\x00\x01\x02\xff\xfe",
	}
	testkit.WriteFiles(t, dir, files)
	for link, target := range map[string]string{
		"app/leak.yaml": outside, "app/zero.yaml": "/dev/zero", "app/loop.yaml": "loop.yaml",
	} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	huge, err := os.Create(filepath.Join(dir, "app", "huge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(declared.DefaultMaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	_ = huge.Close()
	url, _ := bareRepo(t, dir)

	applyObjects(t, objectsOf(t, cm("drifted", "declared"), cm("before", "ok")))
	live, err := cluster.Clientset(t).CoreV1().ConfigMaps(ns).Get(t.Context(), "drifted", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	live.Data["k"] = "changed by hand"
	if _, err := cluster.Clientset(t).CoreV1().ConfigMaps(ns).Update(t.Context(), live, metav1.UpdateOptions{FieldManager: "kubectl-edit"}); err != nil {
		t.Fatal(err)
	}

	rep, err := audit.Run(t.Context(), cluster.Config, audit.Config{Declared: declared.Options{Source: url}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range summarize(rep.Findings) {
		got = append(got, string(f.Type)+" "+f.Object+" "+f.Source)
	}
	slices.Sort(got)
	want := []string{
		"MissingLive ConfigMap " + ns + "/missing app/good.yaml:9",
		"Modified ConfigMap " + ns + "/drifted app/good.yaml:1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	problems := map[string]string{}
	for _, p := range rep.Problems {
		problems[p.Source.String()] = p.Message
	}
	for source, part := range map[string]string{
		"app/malformed.yaml:13": "malformed YAML",
		"app/bomb.yaml:16":      "excessive aliasing",
		"app/binary.yaml:1":     "malformed YAML",
		// go-git checks absolute links out as links into the clone, where
		// nothing is: broken links, skipped all the same.
		"app/leak.yaml": "skipped",
		"app/zero.yaml": "skipped",
		"app/loop.yaml": "symbolic link loop",
		"app/huge.yaml": "larger than the limit",
	} {
		if msg, ok := problems[source]; !ok || !strings.Contains(msg, part) {
			t.Errorf("problem at %s = %q, want it to say %q", source, msg, part)
		}
		delete(problems, source)
	}
	for source, msg := range problems {
		t.Errorf("unexpected problem at %s: %s", source, msg)
	}
}

// objectsOf decodes manifests.
func objectsOf(t *testing.T, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range docs {
		set, err := declaredObjects(t, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, set...)
	}
	return out
}

func declaredObjects(t *testing.T, doc string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(doc), 0o644); err != nil {
		return nil, err
	}
	set, err := declared.Load(t.Context(), declared.Options{Source: dir})
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, o := range set.Objects {
		out = append(out, o.Object)
	}
	return out, nil
}
