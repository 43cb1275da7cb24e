package record_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/record"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// hostileRBACNames are names the API server accepts for RBAC objects,
// whose names are only "path segment names": anything but "/", "%", "."
// and "..", of any length.
func hostileRBACNames() []string {
	return []string{
		"..a", "a..", "-x", "a:b", ".git", ".hidden", "trailing.", "~",
		`back\slash`, `..\..\windows`, "with space", "tab\there", "new\nline", "\x01ctl",
		`*?<>|"`, "CON", "nul.yaml", "LPT1",
		"UPPER", "upper", "Upper", // differ only in case
		"caf\u00e9", "cafe\u0301", // differ only in Unicode normalization
		"ünïcødé-名前", "🙂",
		strings.Repeat("a", 253), strings.Repeat("b", 300),
		strings.Repeat("a", 249) + ".b", // a piece boundary right after a dot
		strings.Repeat("é", 253),        // 506 bytes, 1518 once encoded
		strings.Repeat("c", serializer.MaxNameBytes),
	}
}

// hostileCRNames are custom resource names: DNS subdomains, so only
// length and dots are left to try.
func hostileCRNames() []string {
	return []string{
		"a.b", "0", "x.yaml", "con", "nul.yaml", "com1", "a--b",
		strings.Repeat("a", 253),
		strings.Repeat("a", 249) + ".bcd",
		strings.Repeat("a", 250) + "con", // a reserved name as the last piece
	}
}

// objectID is an object as the cluster names it.
type objectID struct {
	Group, Resource, Namespace, Name string
}

// TestRecordHostileNames records objects whose names try path traversal,
// separators, reserved and case- or normalization-colliding names, control
// characters and every length up to the limit, and checks that every file
// lies inside its cluster and kind directory with safe segments of at most
// 255 bytes, maps back to its object (no two objects share a path), checks
// out with the real git into a real directory, and restores every object
// under its exact name. A name over serializer.MaxNameBytes is not
// recorded, and the run says so and goes on.
func TestRecordHostileNames(t *testing.T) {
	ns := cluster.Namespace(t, "hostile-names")
	run := map[string]string{"clusterscribe.test/run": ns}
	ctx := t.Context()
	cs := clientset(t)
	group := ns + ".clusterscribe.test"
	tooLong := strings.Repeat("z", serializer.MaxNameBytes+1)

	ext := apiextensionsclient.NewForConfigOrDie(cluster.Config)
	crd := testcluster.CRD(group, "Gadget")
	crd.Labels = run
	if _, err := ext.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ext.ApiextensionsV1().CustomResourceDefinitions().Delete(context.WithoutCancel(ctx), crd.Name, metav1.DeleteOptions{})
	})
	gadgets := dynamic.NewForConfigOrDie(cluster.Config).Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: "gadgets"}).Namespace(ns)

	want := map[objectID]bool{{Group: "apiextensions.k8s.io", Resource: "customresourcedefinitions", Name: crd.Name}: true}
	rules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}}}
	for _, name := range append(hostileRBACNames(), tooLong) {
		meta := metav1.ObjectMeta{Name: name, Labels: run}
		if _, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create Role %.40q: %v", name, err)
		}
		if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create ClusterRole %.40q: %v", name, err)
		}
		t.Cleanup(func() {
			_ = cs.RbacV1().ClusterRoles().Delete(context.WithoutCancel(ctx), name, metav1.DeleteOptions{})
		})
		if name != tooLong {
			want[objectID{Group: rbacv1.GroupName, Resource: "roles", Namespace: ns, Name: name}] = true
			want[objectID{Group: rbacv1.GroupName, Resource: "clusterroles", Name: name}] = true
		}
	}
	for _, name := range hostileCRNames() {
		g := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": group + "/v1", "kind": "Gadget",
			"metadata": map[string]any{"name": name, "labels": map[string]any{"clusterscribe.test/run": ns}},
			"spec":     map[string]any{"name": name},
		}}
		// The new resource is served a moment after the CRD is created.
		eventually(t, nil, "create Gadget "+name, func() (bool, string) {
			_, err := gadgets.Create(ctx, g, metav1.CreateOptions{})
			return err == nil, fmt.Sprint(err)
		})
		want[objectID{Group: group, Resource: "gadgets", Namespace: ns, Name: name}] = true
	}

	base := t.TempDir()
	repo := filepath.Join(base, "backup")
	cfg, logs := newConfig(ns, repo)
	cfg.Filters.Selector = "clusterscribe.test/run=" + ns
	cfg.Once = true
	if err := recordOnce(t, cfg); err != nil {
		t.Fatalf("record.Run: %v", err)
	}

	tip := files(t, repo)
	got := checkBackupTree(t, repo, tip)
	for id := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("%s/%s %s/%.60q not recorded", id.Group, id.Resource, id.Namespace, id.Name)
		}
	}
	for id, p := range got {
		if !want[id] {
			t.Errorf("%s records an object that was not created: %+v", p, id)
		}
	}
	if len(tip) != len(want) {
		t.Errorf("%d files for %d objects", len(tip), len(want))
	}

	// Case and Unicode normalization: distinct paths, and the case-only
	// ones are the documented collision on case-insensitive filesystems.
	paths := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, got[objectID{Group: rbacv1.GroupName, Resource: "roles", Namespace: ns, Name: n}])
		}
		return out
	}
	cased := paths("UPPER", "upper", "Upper")
	if len(slices.Compact(slices.Sorted(slices.Values(cased)))) != 3 || !strings.EqualFold(cased[0], cased[1]) || !strings.EqualFold(cased[0], cased[2]) {
		t.Errorf("names differing in case: paths %q, want three paths equal but for case", cased)
	}
	if nfc := paths("caf\u00e9", "cafe\u0301"); nfc[0] == nfc[1] || strings.EqualFold(nfc[0], nfc[1]) {
		t.Errorf("names differing in Unicode normalization share a path (up to case): %q", nfc)
	}

	// The over-long name: refused by name, the run went on.
	if n := strings.Count(logs.String(), serializer.ErrNameTooLong.Error()); n != 2 {
		t.Errorf("%d log lines say %q, want 2 (the Role and the ClusterRole of %d bytes)", n, serializer.ErrNameTooLong, len(tooLong))
	}

	// Nothing was written outside the repository.
	if entries, err := os.ReadDir(base); err != nil || len(entries) != 1 {
		t.Errorf("next to the repository: %v, %v; want only backup", entries, err)
	}
	checkWorktree(t, repo, repo, tip)
	// The real git accepts the tree (fsck checks entry names) and checks it
	// out into a real directory.
	gitOut(t, repo, "fsck", "--strict", "--no-dangling")
	checkout := filepath.Join(t.TempDir(), "checkout")
	gitOut(t, base, "clone", "--quiet", "--branch", branch, repo, checkout)
	checkWorktree(t, checkout, repo, tip)

	restoreHostile(t, ns, group, repo, want)
}

// recordOnce runs record.Run with cfg.Once, bounded by patience.
func recordOnce(t *testing.T, cfg record.Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*patience)
	defer cancel()
	return record.Run(ctx, cluster.Config, cfg)
}

// checkBackupTree checks every file of the branch: a clean relative path
// below test/, made of safe segments of at most 255 bytes, that
// ParseObjectPath reads as the object the file holds, in the directory of
// its kind. It returns the object each file holds.
func checkBackupTree(t *testing.T, repo string, tip []string) map[objectID]string {
	t.Helper()
	out := map[objectID]string{}
	for _, p := range tip {
		if path.Clean(p) != p || path.IsAbs(p) || !strings.HasPrefix(p, "test/") {
			t.Errorf("%q is not a clean path inside the cluster directory", p)
			continue
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "." || seg == ".." || len(seg) > serializer.MaxSegmentBytes || strings.HasSuffix(seg, ".") ||
				strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@+=,%") != "" {
				t.Errorf("%q: unsafe segment %q", p, seg)
			}
		}
		ref, err := serializer.ParseObjectPath(p)
		if err != nil {
			t.Errorf("%q: %v", p, err)
			continue
		}
		obj := parseYAML(t, mustShow(t, repo, p))
		u := unstructured.Unstructured{Object: obj}
		gv, _ := schema.ParseGroupVersion(u.GetAPIVersion())
		id := objectID{Group: gv.Group, Resource: ref.Resource, Namespace: u.GetNamespace(), Name: u.GetName()}
		if ref.Cluster != "test" || ref.Group != id.Group || ref.Namespace != id.Namespace || ref.Name != id.Name {
			t.Errorf("%q reads as %+v but holds %s %s/%q", p, ref, u.GetAPIVersion(), u.GetNamespace(), u.GetName())
		}
		kindDir := "test/cluster/" + id.Group + "/" + ref.Resource + "/"
		if id.Namespace != "" {
			kindDir = "test/namespaces/" + id.Namespace + "/" + id.Group + "/" + ref.Resource + "/"
		}
		if resource := strings.ToLower(u.GetKind()) + "s"; resource != ref.Resource || !strings.HasPrefix(p, kindDir) {
			t.Errorf("%q (a %s) is not below %s", p, u.GetKind(), kindDir)
		}
		if prev, dup := out[id]; dup {
			t.Errorf("%q and %q hold the same object", prev, p)
		}
		out[id] = p
	}
	return out
}

// checkWorktree checks that the files below dir (but .git) are exactly
// the branch's files, regular files that really lie inside dir.
func checkWorktree(t *testing.T, dir, repo string, tip []string) {
	t.Helper()
	var onDisk []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || strings.HasPrefix(rel, "..") || !d.Type().IsRegular() {
			t.Errorf("%s: not a regular file inside %s", p, dir)
		}
		onDisk = append(onDisk, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(onDisk)
	want := slices.Sorted(slices.Values(tip))
	if !slices.Equal(onDisk, want) {
		t.Errorf("%s holds %d files, the branch %d:\nonly on disk: %q\nonly in git: %q", dir, len(onDisk), len(want),
			difference(onDisk, want), difference(want, onDisk))
	}
	for _, p := range want {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || string(data) != mustShow(t, repo, p) {
			t.Errorf("%s: checked-out content differs from the branch (%v)", p, err)
		}
	}
}

func difference(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// restoreHostile deletes the recorded Roles, ClusterRoles and Gadgets,
// restores the backup and checks every one is back under its exact name.
func restoreHostile(t *testing.T, ns, group, repo string, want map[objectID]bool) {
	t.Helper()
	ctx := t.Context()
	dyn := dynamic.NewForConfigOrDie(cluster.Config)
	resourceOf := func(id objectID) dynamic.ResourceInterface {
		version := "v1"
		r := dyn.Resource(schema.GroupVersionResource{Group: id.Group, Version: version, Resource: id.Resource})
		if id.Namespace != "" {
			return r.Namespace(id.Namespace)
		}
		return r
	}
	for id := range want {
		if id.Resource == "customresourcedefinitions" {
			continue
		}
		if err := resourceOf(id).Delete(ctx, id.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete %s %.40q: %v", id.Resource, id.Name, err)
		}
	}
	sum, err := restore.Run(ctx, cluster.Config, restore.Config{
		Source:  restore.Source{Repo: repo, Ref: branch, Cluster: "test"},
		Filters: filters.Options{Selector: "clusterscribe.test/run=" + ns},
	})
	if err != nil {
		t.Fatalf("restore: %v (failed: %d)", err, sum.Count(restore.Failed))
	}
	if n := sum.Count(restore.Created); n != len(want)-1 {
		t.Errorf("restore created %d objects, want %d", n, len(want)-1)
	}
	for id := range want {
		var got *unstructured.Unstructured
		eventually(t, nil, "restored "+id.Resource+" "+id.Name, func() (bool, string) {
			var err error
			got, err = resourceOf(id).Get(ctx, id.Name, metav1.GetOptions{})
			return err == nil, fmt.Sprint(err)
		})
		if got.GetName() != id.Name || got.GetNamespace() != id.Namespace {
			t.Errorf("restored %s/%q, want %s/%q", got.GetNamespace(), got.GetName(), id.Namespace, id.Name)
		}
		if id.Group == group {
			if name, _, _ := unstructured.NestedString(got.Object, "spec", "name"); name != id.Name {
				t.Errorf("restored Gadget %q has spec.name %q", id.Name, name)
			}
		}
	}
}

// TestRecordNamesNotUTF8 pins down the documented limit for names that
// are not UTF-8, which only protobuf clients can create (RBAC names): the
// API server's JSON, which the recorder reads, shows every invalid byte as
// U+FFFD, so such a name is recorded in that form, and two names that
// differ only in their invalid bytes share one file.
func TestRecordNamesNotUTF8(t *testing.T) {
	ns := cluster.Namespace(t, "not-utf8-names")
	ctx := t.Context()
	protoCfg := rest.CopyConfig(cluster.Config)
	protoCfg.ContentType = "application/vnd.kubernetes.protobuf"
	cs := kubernetes.NewForConfigOrDie(protoCfg)
	for _, name := range []string{"x\xff", "x\xfe", "plain"} {
		if _, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create Role %q: %v", name, err)
		}
	}
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, _ := newConfig(ns, repo, "Role")
	cfg.Once = true
	if err := recordOnce(t, cfg); err != nil {
		t.Fatalf("record.Run: %v", err)
	}
	got := checkBackupTree(t, repo, files(t, repo))
	want := map[objectID]string{
		{Group: rbacv1.GroupName, Resource: "roles", Namespace: ns, Name: "x\uFFFD"}: nsPath(ns, rbacv1.GroupName, "roles", "x%EF%BF%BD"),
		{Group: rbacv1.GroupName, Resource: "roles", Namespace: ns, Name: "plain"}:   nsPath(ns, rbacv1.GroupName, "roles", "plain"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}
