package edit

import (
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/internal/jsonvalue"
	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestApplyMeaning checks, for awkward documents, that the edited file
// means the original with exactly the operation applied, and whether the
// edit stayed in place.
func TestApplyMeaning(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		op          Op
		want        string // the whole document afterwards, as YAML data
		reformatted bool
	}{
		{
			name: "crlf line endings",
			in:   "kind: ConfigMap\r\nmetadata:\r\n  name: a\r\ndata:\r\n  x: \"1\" # keep\r\n",
			op:   Op{Path: mustParse("data.x"), Value: "2"},
			want: "kind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"2\"}\n",
		},
		{
			name: "only label removed",
			in:   "kind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    team: web # owner\n",
			op:   Op{Path: mustParse("metadata.labels.team"), Delete: true},
			want: "kind: ConfigMap\nmetadata: {name: a, labels: {}}\n",
		},
		{
			name: "multi-line value replaced",
			in:   "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  script: |\n    echo one\n    echo two\n  other: keep # me\n",
			op:   Op{Path: mustParse("data.script"), Value: "echo three\n"},
			want: "kind: ConfigMap\nmetadata: {name: a}\ndata: {script: \"echo three\\n\", other: keep}\n",
		},
		{
			name: "scalar becomes a map",
			in:   "kind: X\nmetadata:\n  name: a\nspec:\n  limits: none\n  keep: 1\n",
			op:   Op{Path: mustParse("spec.limits"), Value: map[string]any{"cpu": "1"}},
			want: "kind: X\nmetadata: {name: a}\nspec: {limits: {cpu: \"1\"}, keep: 1}\n",
		},
		{
			name: "second document after comments",
			in:   "kind: A\nmetadata:\n  name: a\n---\n# about b\n\nkind: B\nmetadata:\n  name: b\nspec:\n  count: 1\n",
			op:   Op{Path: mustParse("spec.count"), Value: int64(2)},
			want: "kind: B\nmetadata: {name: b}\nspec: {count: 2}\n",
		},
		{
			name: "item removed by position",
			in:   "kind: Role\nmetadata:\n  name: a\nrules:\n  - verbs: [get]\n  - verbs: [list] # drop me\n  - verbs: [watch]\n",
			op:   Op{Path: mustParse("rules[1]"), Delete: true},
			want: "kind: Role\nmetadata: {name: a}\nrules: [{verbs: [get]}, {verbs: [watch]}]\n",
		},
		{
			name: "string that looks like a number",
			in:   "kind: ConfigMap\nmetadata:\n  name: a\ndata:\n  port: abc\n",
			op:   Op{Path: mustParse("data.port"), Value: "8080"},
			want: "kind: ConfigMap\nmetadata: {name: a}\ndata: {port: \"8080\"}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := 1
			if strings.Contains(tt.in, "---") {
				line = 7
			}
			res, err := Apply([]byte(tt.in), line, []Op{tt.op})
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if res.Reformatted != tt.reformatted {
				t.Errorf("Reformatted = %v, want %v\n%s", res.Reformatted, tt.reformatted, res.Content)
			}
			got, err := Decode(res.Content, line)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, res.Content)
			}
			var want map[string]any
			if err := sigsyaml.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jsonvalue.Canonical(want), jsonvalue.Canonical(any(got))); diff != "" {
				t.Errorf("meaning (-want +got):\n%s\nfile:\n%s", diff, res.Content)
			}
			for _, l := range strings.Split(tt.in, "\n") {
				if i := strings.Index(l, "#"); i >= 0 && !strings.Contains(l, "drop me") && !strings.Contains(l, "owner") &&
					!strings.Contains(string(res.Content), strings.TrimRight(l[i:], "\r")) {
					t.Errorf("comment %q is gone:\n%s", l[i:], res.Content)
				}
			}
		})
	}
}

func mustParse(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}
