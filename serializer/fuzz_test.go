package serializer

import (
	"bytes"
	"path"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// FuzzSegmentRoundTrip checks that EncodeSegment always yields a safe segment
// that DecodeSegment turns back into the input, and that DecodeSegment only
// accepts canonical encodings.
func FuzzSegmentRoundTrip(f *testing.F) {
	for _, s := range []string{"system:controller:foo", "..", ".", "a/b", "\x00", "CON", "nul.yaml", "100%", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := EncodeSegment(s)
		checkSafeSegment(t, enc)
		dec, err := DecodeSegment(enc)
		if err != nil {
			t.Fatalf("DecodeSegment(EncodeSegment(%q) = %q): %v", s, enc, err)
		}
		if dec != s {
			t.Fatalf("round trip of %q via %q gave %q", s, enc, dec)
		}
		if dec, err := DecodeSegment(s); err == nil {
			if EncodeSegment(dec) != s {
				t.Fatalf("DecodeSegment accepted non-canonical %q (decodes to %q)", s, dec)
			}
			checkSafeSegment(t, s)
		}
	})
}

// FuzzObjectPath checks the whole object -> path -> object mapping: every
// path is clean, made of safe segments of at most MaxSegmentBytes, lies in
// its cluster and kind directory, and ParseObjectPath gives the object back
// (so no two objects share a path); and ParseObjectPath accepts a path only
// if ObjectPath writes it.
func FuzzObjectPath(f *testing.F) {
	for _, seed := range [][5]string{
		{"prod", "", "configmaps", "shop", "settings"},
		{"prod", "rbac.authorization.k8s.io", "clusterroles", "", "system:controller:foo"},
		{"..", "a/b", ".", "../x", ".."},
		{"c", "x.example", "widgets", "nul", "CON"},
		{"c", "", "roles", "ns", "..a"},
		{"c", "", "roles", "ns", "a..\\..\\x"},
		{"c", "g.io", "things", "", strings.Repeat("a", 253)},
		{"c", "g.io", "things", "", strings.Repeat("a", 249) + ".b"},
		{"c", "g.io", "things", "", strings.Repeat("é", 200)},
		{"c", "g.io", "things", "", strings.Repeat("a", 250) + "CON.yaml"},
		{"c", "", "roles", "ns", "Upper"},
		{"c", "", "roles", "ns", "caf\u0065\u0301"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], seed[4])
	}
	f.Fuzz(func(t *testing.T, cluster, group, resource, namespace, name string) {
		if group == coreGroup {
			return // the core group is "", and no API group is named "core"
		}
		ref := ObjectRef{Cluster: cluster, Group: group, Resource: resource, Namespace: namespace, Name: name}
		p := ObjectPath(ref)
		if path.Clean(p) != p || path.IsAbs(p) || strings.Contains(p, "\\") {
			t.Fatalf("ObjectPath(%+v) = %q is not a clean relative path", ref, p)
		}
		kindDir := EncodeSegment(cluster) + "/" + clusterDir + "/"
		if namespace != "" {
			kindDir = EncodeSegment(cluster) + "/" + namespacesDir + "/" + EncodeSegment(namespace) + "/"
		}
		if group == "" {
			kindDir += coreGroup + "/"
		} else {
			kindDir += EncodeSegment(group) + "/"
		}
		kindDir += EncodeSegment(resource) + "/"
		if !strings.HasPrefix(p, kindDir) || !strings.HasSuffix(p, fileExt) {
			t.Fatalf("ObjectPath(%+v) = %q is not a .yaml file below %q", ref, p, kindDir)
		}
		segs := strings.Split(p, "/")
		for i, seg := range segs {
			// The other segments are at most 255 bytes for the values
			// Kubernetes accepts (DNS labels and subdomains).
			if len(seg) > MaxSegmentBytes && i >= len(strings.Split(kindDir, "/"))-1 {
				t.Fatalf("ObjectPath(%+v) = %q has a name segment of %d bytes", ref, p, len(seg))
			}
			if i == len(segs)-1 {
				seg = strings.TrimSuffix(seg, fileExt)
			}
			checkSafeSegment(t, seg)
		}
		back, err := ParseObjectPath(p)
		if err != nil {
			t.Fatalf("ParseObjectPath(ObjectPath(%+v) = %q): %v", ref, p, err)
		}
		if back != ref {
			t.Fatalf("round trip of %+v via %q gave %+v", ref, p, back)
		}
		// Any string taken as a path: accepted only when canonical.
		for _, q := range []string{name, strings.Join([]string{cluster, group, resource, namespace, name}, "/")} {
			if r, err := ParseObjectPath(q); err == nil && ObjectPath(r) != q {
				t.Fatalf("ParseObjectPath accepted non-canonical %q (as %+v, written %q)", q, r, ObjectPath(r))
			}
		}
	})
}

// FuzzRender feeds arbitrary JSON objects through normalization and
// serialization: it must never panic, must be deterministic, and what it
// writes must read back (with kubectl's YAML 1.1 parser) as the normalized
// object. Input that is not a JSON object becomes a ConfigMap key and value,
// to exercise string quoting.
func FuzzRender(f *testing.F) {
	for _, seed := range []string{
		`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","uid":"u","annotations":{"deployment.kubernetes.io/revision":"1"}},"spec":{"replicas":1},"status":{}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"None","ports":[{"port":80,"nodePort":30080}]}}`,
		`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","uid":"u"},"data":{"a":"eA=="},"stringData":{"b":"y"}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","data":{"yes":"no","1:20":"0x1F","":"~","<<":"2024-01-01","x":"a\nb\n "}}`,
		`{"kind":"X","n":[1e6,1.5,-0,1e-7,1e21,9223372036854775807,-9223372036854775808,12345678901234567890]}`,
		"yes", "1:20", "0o17", "- a\n  b", "\tx\n", "line\n\n", "#", "'", "\u2028",
	} {
		f.Add([]byte(seed))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if err := utiljson.Unmarshal(data, &m); err != nil || m == nil {
			m = map[string]any{
				"apiVersion": "v1", "kind": "ConfigMap",
				"data": map[string]any{string(data): string(data), "k": []any{string(data)}},
			}
		}
		obj := &unstructured.Unstructured{Object: m}
		a, errA := s.Render(obj)
		b, errB := s.Render(obj)
		if (errA == nil) != (errB == nil) || !bytes.Equal(a, b) {
			t.Fatalf("Render is not deterministic: %q, %v vs %q, %v", a, errA, b, errB)
		}
		norm, err := s.Normalize(obj)
		if err != nil {
			return
		}
		out, err := Marshal(norm.Object)
		if err != nil {
			return
		}
		j, err := sigsyaml.YAMLToJSON(out)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out)
		}
		if want, got := canonicalJSON(t, norm.Object), canonicalJSON(t, j); want != got {
			t.Fatalf("output reads back differently:\nwant %s\ngot  %s\nyaml:\n%s", want, got, out)
		}
	})
}

// FuzzDecrypt feeds arbitrary bytes to Decrypt, which reads files from a
// backup branch that anyone with push access could have altered: it must
// return an error, never panic, and only succeed on a file whose MAC holds.
func FuzzDecrypt(f *testing.F) {
	for _, name := range []string{"sops/age-secret.yaml", "sops/age-pod.yaml", "sops/age-global-secret.yaml"} {
		f.Add([]byte(readFile(f, name)))
	}
	f.Add([]byte("sops:\n  mac: ENC[AES256_GCM,data:,iv:,tag:,type:str]\n  lastmodified: x\n"))
	ids := identities(f, "sops/age-identities.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Decrypt(data, ids)
		if err == nil && IsEncrypted(out) {
			t.Fatalf("Decrypt returned a still-encrypted file:\n%s", out)
		}
	})
}
