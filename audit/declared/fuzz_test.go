package declared

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/yamldoc"
)

// FuzzParseManifests feeds arbitrary bytes to the manifest parser, as a
// file of a declared repository: it must never panic, every problem must
// name the file and a line inside it, and every object must be a named
// Kubernetes object with its line.
func FuzzParseManifests(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: \"1\"\n    y: 2\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
		"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
		"a: &a [1, *a]\n",
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"j\"}}",
		"\xef\xbb\xbf---\n--- # c\n---x\n",
		"\x00\x01\xff\xfe",
		"[[[[[[[[[[[[[[[[[[[[",
		"<<: {a: 1}\nb: 2\n",
		"apiVersion: v1\nkind: X\nmetadata: {name: !!int x}\n",
		"# comment\n\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data: {yes: a, \"yes\": b}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {0o17: a, \"0o17\": b, 0x1: c}\n",
		"--- {apiVersion: v1, kind: ConfigMap, metadata: {name: e}}\n",
		"%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\ndata:\n  a: |\n    x\n    y\n  b: 1.0\n  c: 1e3\n  d: ~\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "dir/fuzz.yaml"
		// YAML breaks lines at \n, \r, NEL, LS and PS.
		lines := 1
		for _, sep := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += bytes.Count(data, []byte(sep))
		}
		samePaths(t, file, data)
		objs, problems := parseManifests(file, data)
		for _, p := range problems {
			if p.Source.File != file || p.Source.Line < 1 || p.Source.Line > lines || p.Message == "" {
				t.Fatalf("problem %+v: want %s, a line in 1..%d and a message", p, file, lines)
			}
		}
		for _, o := range objs {
			if o.Source.File != file || o.Source.Line < 1 || o.Source.Line > lines {
				t.Fatalf("object %s at %+v: want %s and a line in 1..%d", o.Object.GetName(), o.Source, file, lines)
			}
			if o.Object.GetAPIVersion() == "" || o.Object.GetKind() == "" || o.Object.GetName() == "" {
				t.Fatalf("object at %s is not a named Kubernetes object: %v", o.Source, o.Object.Object)
			}
		}
	})
}

// samePaths checks that every document the one-parse path reads
// (parsePlain) is read the same by the full path (parseChecked): same
// objects, same lines, no problem.
func samePaths(t *testing.T, file string, data []byte) {
	t.Helper()
	budget := failingLineBudget
	for _, doc := range yamldoc.Split(data) {
		plain, ok := parsePlain(file, doc)
		if !ok {
			continue
		}
		checked, problems := parseChecked(file, doc, &budget)
		if len(problems) > 0 {
			t.Fatalf("document at line %d: read in one parse, but the full path has problems %+v", doc.Line, problems)
		}
		if !reflect.DeepEqual(checked, plain) {
			t.Fatalf("document at line %d: one parse differs from the full path:\nfull %+v\none  %+v", doc.Line, checked, plain)
		}
	}
}
