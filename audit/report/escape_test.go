package report

import (
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "web-7d9f", "web-7d9f"},
		{"newline kept", "a\nb", "a\nb"},
		{"escape sequence", "\x1b[2J\x1b]0;pwned\a", `\x1b[2J\x1b]0;pwned\x07`},
		{"carriage return", "ok\rfake", `ok\x0dfake`},
		{"C1 control", "a\u009bb", `a\x9bb`},
		{"bidi override", "admin\u202egnp.exe", `admin\u202egnp.exe`},
		{"invalid utf-8", "a\xffb", `a\ufffdb`},
		{"unicode text kept", "café ✓", "café ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTextNeutersTerminalEscapes renders a finding whose message carries an
// escape sequence: the text output must not contain the raw ESC byte.
func TestTextNeutersTerminalEscapes(t *testing.T) {
	r := &findings.Report{Findings: []findings.Finding{{
		Type: findings.Unmanaged, Object: deployDebug, Message: "created \x1b[31mby\x1b[0m someone",
	}}}
	for _, color := range []bool{false, true} {
		out := render(t, Text{Color: color}, r)
		if strings.Contains(out, "\x1b[31mby") {
			t.Errorf("color=%v: raw escape sequence from the message reached the output:\n%q", color, out)
		}
	}
	if out := render(t, Text{}, r); strings.Contains(out, "\x1b") {
		t.Errorf("uncoloured output contains ESC:\n%q", out)
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"text html", mdText, `<img src=x onerror=alert(1)>`, `&lt;img src=x onerror=alert(1)&gt;`},
		{"text table pipe", mdText, "a | b", `a \| b`},
		{"text emphasis and links", mdText, "*x* [l](u) `c`", "\\*x\\* \\[l\\](u) \\`c\\`"},
		{"text newline", mdText, "a\nb", "a<br>b"},
		{"code plain", mdCode, "spec.replicas", "`spec.replicas`"},
		{"code with backtick", mdCode, "a`b", "``a`b``"},
		{"code edge backtick", mdCode, "`a", "`` `a ``"},
		{"code pipe", mdCode, "a|b", "`a\\|b`"},
		{"fence", codeFence, "x\n```\ny", "````"},
		{"fence default", codeFence, "x", "```"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMarkdownCapsDiffs(t *testing.T) {
	var diff strings.Builder
	diff.WriteString("--- declared a.yaml:1\n+++ live ConfigMap shop/big\n@@ -1,300 +1,300 @@\n")
	for range 300 {
		diff.WriteString("+  k: v\n")
	}
	r := &findings.Report{Findings: []findings.Finding{{
		Type: findings.Modified, Object: findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "big"}, Diff: diff.String(),
	}}}
	out := renderFormat(t, "markdown", r)
	if n := strings.Count(out, "+  k: v\n"); n != markdownDiffLines-3 {
		t.Errorf("%d diff lines in Markdown, want %d", n, markdownDiffLines-3)
	}
	if !strings.Contains(out, "… 103 more lines") {
		t.Errorf("Markdown does not say how many lines it left out")
	}
}

func TestRenderRejectsMalformedReports(t *testing.T) {
	bad := &findings.Report{Findings: []findings.Finding{{Type: findings.Policy, Object: deployDebug}}}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			rd, err := For(format)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := rd.Render(&b, bad); err == nil || !strings.Contains(err.Error(), "without a policy result") {
				t.Errorf("Render(policy finding without policy) error = %v", err)
			}
			if err := rd.Render(&b, nil); err == nil {
				t.Error("Render(nil) did not fail")
			}
		})
	}
	if got := Compliance(bad); got != nil {
		t.Errorf("Compliance = %v, want nothing for a report without policy results", got)
	}
}
