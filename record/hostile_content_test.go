package record_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/restore"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// awkwardText is text that exercises YAML quoting: lines starting with
// tabs and spaces, trailing blanks, YAML 1.1 booleans, comments,
// separators, CRLF and non-ASCII.
func awkwardText(r *rand.Rand, size int) string {
	pieces := []string{
		"yes", "no", "on", "1:20", "0777", "~", "null", "- item", "key: value", "# not a comment", "---", "...",
		"\ttab first", "  two spaces", "trailing ", "crlf\r", "é名🙂", "\"quoted\"", "'single'", "{flow}", "[seq]", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick`",
	}
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(pieces[r.IntN(len(pieces))])
		if r.IntN(3) == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	s := b.String()[:size-1]
	for !utf8.ValidString(s) { // do not cut a character in two
		s = s[:len(s)-1]
	}
	return s + "x" // no trailing newline for a block scalar to trim
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	copy(b, "\x00\xff\xfe\xc3(") // NUL and invalid UTF-8 up front
	return b
}

// TestRecordHostileContent records objects at the limits of what the API
// server stores: a ConfigMap of nearly 1 MiB of awkward text, binaryData,
// a Secret of random bytes (encrypted), annotations and data sent with
// bytes that are not UTF-8, and 10,000 keys. Each is recorded, renders to
// the same bytes again (a second run commits nothing), reads back as the
// normalized object, and is restored byte for byte.
func TestRecordHostileContent(t *testing.T) {
	ns := cluster.Namespace(t, "hostile-content")
	run := map[string]string{"clusterscribe.test/run": ns}
	ctx := t.Context()
	cs := clientset(t)
	r := rand.New(rand.NewPCG(1, 2))

	big := map[string]string{}
	for i := range 15 {
		big[fmt.Sprintf("part-%02d", i)] = awkwardText(r, 68_000)
	}
	binary := randomBytes(r, 256<<10)
	secretBytes := randomBytes(r, 64<<10)
	manyData := map[string]string{}
	manyAnnotations := map[string]string{}
	for i := range 10_000 {
		manyData[fmt.Sprintf("key-%05d", i)] = fmt.Sprintf("value %d", i)
		manyAnnotations[fmt.Sprintf("k.example/a-%05d", i)] = "v"
	}
	manyAnnotations["c.example/last"] = "last"

	create := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("create %s: %v", what, err)
		}
	}
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Labels: run} }
	_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: meta("near-1mib"), Data: big}, metav1.CreateOptions{})
	create("near-1mib", err)
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: meta("binary"), BinaryData: map[string][]byte{"blob": binary, "empty": {}}, Data: map[string]string{"text": "plain"},
	}, metav1.CreateOptions{})
	create("binary", err)
	_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: meta("binary"), Data: map[string][]byte{"bin": secretBytes, "empty": {}},
	}, metav1.CreateOptions{})
	create("secret binary", err)
	m := meta("many-keys")
	m.Annotations = manyAnnotations
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: m, Data: manyData}, metav1.CreateOptions{})
	create("many-keys", err)
	// Protobuf carries bytes that are not UTF-8 into etcd as they are.
	protoCfg := rest.CopyConfig(cluster.Config)
	protoCfg.ContentType = "application/vnd.kubernetes.protobuf"
	m = meta("not-utf8")
	m.Annotations = map[string]string{"bad": "a\xff\xfeb", "good": "ok"}
	_, err = kubernetes.NewForConfigOrDie(protoCfg).CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: m, Data: map[string]string{"bad": "v\xc3"},
	}, metav1.CreateOptions{})
	create("not-utf8", err)

	id := testkit.AgeIdentity(t)
	repo := filepath.Join(t.TempDir(), "backup")
	cfg, _ := newConfig(ns, repo)
	cfg.Filters.Selector = "clusterscribe.test/run=" + ns
	cfg.Serializer = encryptOptions(id.Recipient().String())
	cfg.Once = true
	if err := recordOnce(t, cfg); err != nil {
		t.Fatalf("record.Run: %v", err)
	}
	commits := commitCount(t, repo)

	// What the watcher sees is what the API serves as JSON.
	dyn := dynamic.NewForConfigOrDie(cluster.Config)
	live := func(resource, name string) *unstructured.Unstructured {
		t.Helper()
		u, err := dyn.Resource(corev1.SchemeGroupVersion.WithResource(resource)).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ser, err := serializer.New(cfg.Serializer)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"near-1mib", "binary", "many-keys", "not-utf8"} {
		p := nsPath(ns, "", "configmaps", name)
		file := mustShow(t, repo, p)
		obj := live("configmaps", name)
		again, err := ser.Render(obj)
		if err != nil || string(again) != file {
			t.Errorf("%s: rendering the live object again gives other bytes (%v)", p, err)
		}
		if !utf8.ValidString(file) {
			t.Errorf("%s is not valid UTF-8", p)
		}
		norm, err := ser.Normalize(obj)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(jsonOf(t, norm.Object), yamlAsJSON(t, file)); diff != "" {
			t.Errorf("%s does not read back as the normalized object (-want +got):\n%s", p, diff)
		}
	}
	n := 0
	for _, v := range fileData(t, mustShow(t, repo, nsPath(ns, "", "configmaps", "near-1mib"))) {
		n += len(v.(string))
	}
	if n < 1_000_000 {
		t.Errorf("near-1mib recorded with %d bytes of data, want about 1 MiB", n)
	}
	bad := parseYAML(t, mustShow(t, repo, nsPath(ns, "", "configmaps", "not-utf8")))
	wantBad := map[string]any{"bad": "a\uFFFD\uFFFDb", "good": "ok"}
	if diff := cmp.Diff(wantBad, bad["metadata"].(map[string]any)["annotations"]); diff != "" {
		t.Errorf("annotations with bytes that are not UTF-8 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"bad": "v\uFFFD"}, bad["data"]); diff != "" {
		t.Errorf("data with bytes that are not UTF-8 (-want +got):\n%s", diff)
	}

	secretFile := []byte(mustShow(t, repo, nsPath(ns, "", "secrets", "binary")))
	if bytes.Contains(secretFile, secretBytes[8:40]) {
		t.Fatal("the Secret's bytes are in the backup in plaintext")
	}
	fp, err := ser.SecretFingerprint(live("secrets", "binary"))
	if err != nil || fp != serializer.FileFingerprint(secretFile) {
		t.Errorf("the Secret's fingerprint does not match its file (%v): it would be encrypted again at every run", err)
	}
	plain, err := serializer.Decrypt(secretFile, []age.Identity{id})
	if err != nil {
		t.Fatalf("decrypt the Secret: %v", err)
	}
	if got := fileData(t, string(plain))["bin"]; got != base64.StdEncoding.EncodeToString(secretBytes) {
		t.Errorf("decrypted Secret data.bin differs from the original bytes")
	}

	// Byte-stable: a second run finds nothing to commit.
	if err := recordOnce(t, cfg); err != nil {
		t.Fatalf("second record.Run: %v", err)
	}
	if n := commitCount(t, repo); n != commits {
		last, _ := gitTry(repo, "log", "-1", "--stat", "--format=%B", branchRef)
		t.Errorf("a second run over unchanged objects made %d commit(s); the last:\n%s", n-commits, last)
	}

	// Restorable: delete them all, restore, compare the bytes.
	for _, name := range []string{"near-1mib", "binary", "many-keys", "not-utf8"} {
		if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.CoreV1().Secrets(ns).Delete(ctx, "binary", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	sum, err := restore.Run(ctx, cluster.Config, restore.Config{
		Source:     restore.Source{Repo: repo, Ref: branch, Cluster: "test"},
		Filters:    filters.Options{Namespaces: []string{ns}},
		Identities: []age.Identity{id},
	})
	if err != nil || sum.Count(restore.Created) != 5 {
		var others []string
		for _, r := range sum.Results {
			if r.Action != restore.Created {
				others = append(others, fmt.Sprintf("%s: %s %s %v", r.Path, r.Action, r.Reason, r.Err))
			}
		}
		t.Fatalf("restore: %v; created %d, want 5; the others: %q", err, sum.Count(restore.Created), others)
	}
	get := func(name string) *corev1.ConfigMap {
		cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	if diff := cmp.Diff(big, get("near-1mib").Data); diff != "" {
		t.Errorf("restored near-1mib (-want +got):\n%.2000s", diff)
	}
	if cm := get("binary"); !bytes.Equal(cm.BinaryData["blob"], binary) || len(cm.BinaryData["empty"]) != 0 || cm.Data["text"] != "plain" {
		t.Errorf("restored binaryData differs")
	}
	if cm := get("many-keys"); !cmp.Equal(cm.Data, manyData) || !cmp.Equal(cm.Annotations, manyAnnotations) {
		t.Errorf("restored many-keys differs: %d keys, %d annotations", len(cm.Data), len(cm.Annotations))
	}
	if cm := get("not-utf8"); cm.Annotations["bad"] != "a\uFFFD\uFFFDb" || cm.Data["bad"] != "v\uFFFD" {
		t.Errorf("restored not-utf8: %q %q", cm.Annotations, cm.Data)
	}
	s, err := cs.CoreV1().Secrets(ns).Get(ctx, "binary", metav1.GetOptions{})
	if err != nil || !bytes.Equal(s.Data["bin"], secretBytes) || len(s.Data["empty"]) != 0 {
		t.Errorf("restored Secret differs (%v)", err)
	}
}

// jsonOf is v as canonical JSON (sorted keys, numbers as JSON has them).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back any
	if err := utiljson.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// yamlAsJSON reads a recorded file as kubectl does, as canonical JSON.
func yamlAsJSON(t *testing.T, file string) string {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON([]byte(file))
	if err != nil {
		t.Fatalf("recorded file does not parse: %v", err)
	}
	var v any
	if err := utiljson.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, v)
}

// fileData returns the data map of a recorded file.
func fileData(t *testing.T, file string) map[string]any {
	t.Helper()
	d, _ := parseYAML(t, file)["data"].(map[string]any)
	return d
}
