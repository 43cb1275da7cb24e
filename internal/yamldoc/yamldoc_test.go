package yamldoc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	type doc struct {
		Text              string
		Line, ContentLine int
	}
	for _, tt := range []struct {
		name, in string
		want     []doc
	}{
		{name: "one", in: "a: 1\n", want: []doc{{"a: 1\n", 1, 1}}},
		{name: "bom", in: "\xef\xbb\xbfa: 1\n---\nb: 2", want: []doc{{"a: 1\n", 1, 1}, {"b: 2", 3, 3}}},
		{name: "leading separator and comment", in: "---\n# c\n\nkind: A\n--- # next\nkind: B\n", want: []doc{{"", 1, 0}, {"# c\n\nkind: A\n", 2, 4}, {"kind: B\n", 6, 6}}},
		{name: "crlf", in: "a: 1\r\n---\r\nb: 2\r\n", want: []doc{{"a: 1\r\n", 1, 1}, {"b: 2\r\n", 3, 3}}},
		{name: "not separators", in: "a: |\n  ---x\n----\n", want: []doc{{"a: |\n  ---x\n----\n", 1, 1}}},
		{name: "mixed", in: "\xef\xbb\xbfa: 1\n---\nb: 2\r\n--- # comment\r\nc: 3\n---x\nd: 4\n", want: []doc{{"a: 1\n", 1, 1}, {"b: 2\r\n", 3, 3}, {"c: 3\n---x\nd: 4\n", 5, 5}}},
		{name: "empty", in: "", want: []doc{{"", 1, 0}}},
		{name: "trailing separator", in: "a: 1\n---\n", want: []doc{{"a: 1\n", 1, 1}, {"", 3, 0}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []doc
			for _, d := range Split([]byte(tt.in)) {
				if string(d.Data) != tt.in[d.Start:d.End] {
					t.Errorf("Data %q is not the stream's bytes %d..%d", d.Data, d.Start, d.End)
				}
				got = append(got, doc{string(d.Data), d.Line, d.ContentLine})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
