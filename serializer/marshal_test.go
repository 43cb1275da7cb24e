package serializer

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
)

func TestMarshalScalars(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string // the YAML of {v: <v>}
	}{
		{name: "int", v: int64(1000000), want: "v: 1000000\n"},
		{name: "negative int", v: int64(-42), want: "v: -42\n"},
		{name: "max int64", v: int64(math.MaxInt64), want: "v: 9223372036854775807\n"},
		{name: "go int", v: 7, want: "v: 7\n"},
		{name: "integral float", v: 1e6, want: "v: 1000000\n"},
		{name: "fraction", v: 0.5, want: "v: 0.5\n"},
		{name: "float without exponent", v: 123456789.25, want: "v: 123456789.25\n"},
		{name: "tiny float", v: 1e-7, want: "v: 1e-07\n"},
		{name: "huge float", v: 1e21, want: "v: 1e+21\n"},
		{name: "integral float above 2^53", v: 1e19, want: "v: 1e+19\n"},
		{name: "bool", v: true, want: "v: true\n"},
		{name: "null", v: nil, want: "v: null\n"},
		{name: "plain string", v: "nginx:1.27", want: "v: nginx:1.27\n"},
		{name: "empty string", v: "", want: "v: \"\"\n"},
		{name: "string true", v: "true", want: "v: \"true\"\n"},
		{name: "string null", v: "null", want: "v: \"null\"\n"},
		{name: "string tilde", v: "~", want: "v: \"~\"\n"},
		{name: "string number", v: "8080", want: "v: \"8080\"\n"},
		{name: "string float", v: "1.5", want: "v: \"1.5\"\n"},
		{name: "string hex", v: "0x1F", want: "v: \"0x1F\"\n"},
		{name: "string octal", v: "0777", want: "v: \"0777\"\n"},
		{name: "string with underscores", v: "1_000", want: "v: \"1_000\"\n"},
		{name: "yaml 1.1 bool yes", v: "yes", want: "v: \"yes\"\n"},
		{name: "yaml 1.1 bool Off", v: "Off", want: "v: \"Off\"\n"},
		{name: "yaml 1.1 bool y", v: "y", want: "v: \"y\"\n"},
		{name: "yaml 1.1 sexagesimal", v: "1:20", want: "v: \"1:20\"\n"},
		{name: "date", v: "2024-01-01", want: "v: \"2024-01-01\"\n"},
		{name: "timestamp", v: "2024-05-01T10:00:00Z", want: "v: \"2024-05-01T10:00:00Z\"\n"},
		{name: "leading space", v: " a", want: "v: ' a'\n"},
		{name: "colon space", v: "a: b", want: "v: 'a: b'\n"},
		{name: "comment marker", v: "a #b", want: "v: 'a #b'\n"},
		{name: "multi-line", v: "line1\nline2\n", want: "v: |\n  line1\n  line2\n"},
		{name: "control character", v: "a\x01b", want: "v: \"a\\x01b\"\n"},
		{name: "long line is not wrapped", v: strings.Repeat("word ", 40), want: "v: '" + strings.Repeat("word ", 40) + "'\n"},
		{name: "empty map", v: map[string]any{}, want: "v: {}\n"},
		{name: "empty list", v: []any{}, want: "v: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(map[string]any{"v": tt.v})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalLayout(t *testing.T) {
	obj := objectMap(t, `
kind: ConfigMap
apiVersion: v1
metadata: {name: a, labels: {z: "1", a: "2", yes: x}}
data: {b: x, a: "y", B: z}
list: [{name: c, value: "3"}, [1, 2]]
`)
	want := `apiVersion: v1
data:
  B: z
  a: "y"
  b: x
kind: ConfigMap
list:
  - name: c
    value: "3"
  - - 1
    - 2
metadata:
  labels:
    a: "2"
    "true": x
    z: "1"
  name: a
`
	got, err := Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMarshalRejects(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name string
		obj  map[string]any
		want string
	}{
		{name: "NaN", obj: map[string]any{"a": math.NaN()}, want: "non-finite number at /a"},
		{name: "infinity", obj: map[string]any{"a": []any{math.Inf(1)}}, want: "non-finite number at /a/0"},
		{name: "invalid utf-8", obj: map[string]any{"a": secret + "\xff"}, want: "not valid UTF-8 at /a"},
		{name: "invalid utf-8 key", obj: map[string]any{"a": map[string]any{"\xff": secret}}, want: "not valid UTF-8 at /a/<key>"},
		{name: "unsupported type", obj: map[string]any{"a": map[string]string{"k": secret}}, want: "unsupported value of type map[string]string at /a"},
		{name: "huge unsigned", obj: map[string]any{"a": uint64(math.MaxUint64)}, want: "out of int64 range at /a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.obj)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Marshal error = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

// TestMarshalReadBackByKubectlParser reads Marshal's output with
// sigs.k8s.io/yaml (YAML 1.1, as kubectl does) and expects the same object.
func TestMarshalReadBackByKubectlParser(t *testing.T) {
	strs := []string{
		"yes", "No", "on", "OFF", "y", "n", "~", "null", "Null", "true", "False", "", " ", "1:20", "-1:20:30.5",
		"0x1F", "0o17", "0777", "0b101", "1_000", "1e3", ".5", "+1", ".inf", "-.Inf", ".NaN", "2024-01-01",
		"2024-05-01T10:00:00Z", "<<", "=", "- a", "? a", "a: b", "#x", "@x", "`x", "!x", "&x", "*x", "|", ">",
		"%x", "'q'", "\"q\"", "{a}", "[a]", "a,b", "tab\there", "line\nbreak", "trailing\n\n", "\n", " lead",
		"trail ", "\u00e9t\u00e9", "\u2028", "\ufeff", "\x7f", "a\x00b", "\\", "C:\\path",
	}
	obj := map[string]any{}
	for i, s := range strs {
		obj[s] = s
		obj["k"+string(rune('a'+i%26))+strings.Repeat("x", i/26)] = []any{s, int64(i), float64(i) + 0.5}
	}
	obj["nums"] = []any{int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), 0.1, -2.5e-9, 6.02e23, 1e6}
	out, err := Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	j, err := sigsyaml.YAMLToJSON(out)
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, out)
	}
	if diff := cmp.Diff(canonicalJSON(t, obj), canonicalJSON(t, j)); diff != "" {
		t.Errorf("read back differs (-want +got):\n%s", diff)
	}
}

// canonicalJSON renders a value (or JSON bytes) as JSON with sorted keys, so
// that 1e6 and 1000000 compare equal.
func canonicalJSON(t testing.TB, v any) string {
	t.Helper()
	if b, ok := v.([]byte); ok {
		var m any
		if err := utiljson.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderIsByteStable(t *testing.T) {
	s := newTestSerializer(t, Options{})
	first := mustRender(t, s, object(t, liveDeployment))
	// Same object, many times.
	for range 50 {
		got := mustRender(t, s, object(t, liveDeployment))
		if !bytes.Equal(first, got) {
			t.Fatalf("render differs between runs:\n%s\nvs\n%s", first, got)
		}
	}
	// Same object, keys and map insertion in shuffled orders.
	j, err := sigsyaml.YAMLToJSON([]byte(liveDeployment))
	if err != nil {
		t.Fatal(err)
	}
	var base any
	if err := utiljson.Unmarshal(j, &base); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := shuffledJSON(base, rng)
		var m map[string]any
		if err := utiljson.Unmarshal([]byte(shuffled), &m); err != nil {
			t.Fatal(err)
		}
		got := mustRender(t, s, object(t, shuffled))
		if !bytes.Equal(first, got) {
			t.Fatalf("shuffle %d renders differently:\n%s\nvs\n%s", i, first, got)
		}
	}
}

// shuffledJSON writes v as JSON with object keys in random order.
func shuffledJSON(v any, rng *rand.Rand) string {
	switch t := v.(type) {
	case map[string]any:
		keys := jsonvalue.SortedKeys(t)
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			kb, _ := json.Marshal(k)
			parts = append(parts, string(kb)+":"+shuffledJSON(t[k], rng))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			parts = append(parts, shuffledJSON(e, rng))
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

// TestMarshalRandomStringsReadBack writes short strings over YAML's special
// characters as keys and values, and reads them back with kubectl's parser
// (YAML 1.1) and with go-yaml v3 (YAML 1.2, as sops and kustomize read).
func TestMarshalRandomStringsReadBack(t *testing.T) {
	const alphabet = " \t\n:#-?[]{},&*!|>'\"%@`~yYnN0123.eE+_<=xT\\"
	rng := rand.New(rand.NewPCG(3, 4))
	for batch := range 20 {
		obj := map[string]any{}
		for range 200 {
			b := make([]byte, 1+rng.IntN(6))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			obj[string(b)] = []any{string(b)}
		}
		out, err := Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		j, err := sigsyaml.YAMLToJSON(out)
		if err != nil {
			t.Fatalf("batch %d does not parse: %v\n%s", batch, err, out)
		}
		if diff := cmp.Diff(canonicalJSON(t, obj), canonicalJSON(t, j)); diff != "" {
			t.Fatalf("batch %d reads back differently (-want +got):\n%s", batch, diff)
		}
		var v3 map[string]any
		if err := yaml.Unmarshal(out, &v3); err != nil {
			t.Fatalf("batch %d does not parse as YAML 1.2: %v", batch, err)
		}
		if diff := cmp.Diff(obj, v3); diff != "" {
			t.Fatalf("batch %d reads back differently as YAML 1.2 (-want +got):\n%s", batch, diff)
		}
	}
}
