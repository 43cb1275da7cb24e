package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
)

// coverageReport is an audit of four declared objects: two in sync, one
// drifted, one Helm hook that is gone as meant.
func coverageReport() *findings.Report {
	web := findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}
	cfg := findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "cfg"}
	ns := findings.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "shop"}
	hook := findings.ObjectRef{APIVersion: "batch/v1", Kind: "Job", Namespace: "shop", Name: "migrate"}
	r := &findings.Report{
		Declared: "/repo",
		Findings: []findings.Finding{{Type: findings.Modified, Object: web, Message: "live differs from the declaration: 1 changed"}},
		Summary:  &findings.Summary{},
	}
	r.Summary.Add(web, nil, findings.Drifted, true, "")
	r.Summary.Add(ns, nil, findings.InSync, true, "")
	r.Summary.Add(cfg, nil, findings.InSync, true, "")
	r.Summary.Add(hook, &findings.Source{File: "hooks.yaml", Line: 1}, findings.Skipped, false, "not in the cluster, as meant: a Helm hook")
	return r
}

func render(t *testing.T, format string, r *findings.Report) []byte {
	t.Helper()
	rd, err := report.For(format)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rd.Render(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestJSONSummary(t *testing.T) {
	var got struct {
		Summary findings.Summary `json:"summary"`
	}
	if err := json.Unmarshal(render(t, "json", coverageReport()), &got); err != nil {
		t.Fatal(err)
	}
	s := got.Summary
	if s.Declared != 4 || s.Compared != 3 || s.InSync != 2 || s.Drifted != 1 || s.Skipped != 1 {
		t.Errorf("counts: %+v", s)
	}
	wantKinds := []findings.Tally{
		{Name: "ConfigMap", VerdictCounts: findings.VerdictCounts{Declared: 1, Compared: 1, InSync: 1}},
		{Name: "Deployment.apps", VerdictCounts: findings.VerdictCounts{Declared: 1, Compared: 1, Drifted: 1}},
		{Name: "Job.batch", VerdictCounts: findings.VerdictCounts{Declared: 1, Skipped: 1}},
		{Name: "Namespace", VerdictCounts: findings.VerdictCounts{Declared: 1, Compared: 1, InSync: 1}},
	}
	if diff := cmp.Diff(wantKinds, s.Kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	wantNS := []findings.Tally{
		{Name: "", VerdictCounts: findings.VerdictCounts{Declared: 1, Compared: 1, InSync: 1}},
		{Name: "shop", VerdictCounts: findings.VerdictCounts{Declared: 3, Compared: 2, InSync: 1, Drifted: 1, Skipped: 1}},
	}
	if diff := cmp.Diff(wantNS, s.Namespaces); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	if len(s.SkippedObjects) != 1 || s.SkippedObjects[0].Reason != "not in the cluster, as meant: a Helm hook" {
		t.Errorf("skipped objects: %+v", s.SkippedObjects)
	}
}

func TestJUnitPassingCasePerInSyncObject(t *testing.T) {
	var got struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(render(t, "junit", coverageReport()), &got); err != nil {
		t.Fatal(err)
	}
	var passing []string
	for _, s := range got.Suites {
		if s.Name != "drift/InSync" {
			continue
		}
		for _, c := range s.Cases {
			if c.Failure != nil {
				t.Errorf("in-sync case %s fails", c.Name)
			}
			passing = append(passing, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"Namespace shop", "ConfigMap shop/cfg"}, passing); diff != "" {
		t.Errorf("in-sync cases (-want +got):\n%s", diff)
	}
}

func TestHTMLAndTextShowCoverage(t *testing.T) {
	r := coverageReport()
	html := string(render(t, "html", r))
	for _, want := range []string{`<b data-coverage="declared">4</b>`, `<b data-coverage="inSync">2</b>`, `<td>Deployment.apps</td>`, "(cluster-scoped)", "as meant: a Helm hook"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	text := string(render(t, "text", r))
	if want := "4 declared objects: 3 compared, 2 in sync, 1 drifted, 1 skipped"; !strings.Contains(text, want) {
		t.Errorf("text report lacks %q:\n%s", want, text)
	}
	if r.Summary.Kinds[0].Name != "Deployment.apps" {
		t.Errorf("rendering reordered the caller's summary: %+v", r.Summary.Kinds)
	}
}
