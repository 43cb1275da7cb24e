package report

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

type policyReportRead struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Summary map[string]int `yaml:"summary"`
	Results []struct {
		Policy    string `yaml:"policy"`
		Rule      string `yaml:"rule"`
		Result    string `yaml:"result"`
		Severity  string `yaml:"severity"`
		Message   string `yaml:"message"`
		Scored    bool   `yaml:"scored"`
		Source    string `yaml:"source"`
		Timestamp struct {
			Seconds int64 `yaml:"seconds"`
		} `yaml:"timestamp"`
		Resources []struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Namespace  string `yaml:"namespace"`
			Name       string `yaml:"name"`
		} `yaml:"resources"`
	} `yaml:"results"`
}

// TestPolicyReportDocuments decodes the multi-document YAML: one
// ClusterPolicyReport for cluster-scoped objects, one PolicyReport per
// namespace, results only from policy findings, each valid for the
// v1alpha2 CRD's enums, and summaries that count them.
func TestPolicyReportDocuments(t *testing.T) {
	r := fixtureReport()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(renderFormat(t, "policyreport", r))))
	var docs []policyReportRead
	for {
		var d policyReportRead
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		docs = append(docs, d)
	}

	type reportID struct{ Kind, Namespace string }
	var ids []reportID
	resultsByNS := map[string]int{}
	for _, d := range docs {
		ids = append(ids, reportID{d.Kind, d.Metadata.Namespace})
		if d.APIVersion != "wgpolicyk8s.io/v1alpha2" || d.Metadata.Name != "clusterscribe" ||
			d.Metadata.Labels["app.kubernetes.io/managed-by"] != "clusterscribe" {
			t.Errorf("%s %s: apiVersion %q, name %q, labels %v", d.Kind, d.Metadata.Namespace, d.APIVersion, d.Metadata.Name, d.Metadata.Labels)
		}
		counts := map[string]int{}
		for _, res := range d.Results {
			counts[res.Result]++
			if res.Policy == "" || res.Rule == "" || res.Message == "" || res.Source != "clusterscribe" {
				t.Errorf("%s %s: incomplete result %+v", d.Kind, d.Metadata.Namespace, res)
			}
			if !slices.Contains([]string{"pass", "fail", "warn", "error", "skip"}, res.Result) {
				t.Errorf("result %q is not in the CRD's enum", res.Result)
			}
			if !slices.Contains([]string{"critical", "high", "medium", "low", "info"}, res.Severity) {
				t.Errorf("severity %q is not in the CRD's enum", res.Severity)
			}
			if res.Scored != (res.Result == "fail" || res.Result == "error") {
				t.Errorf("%s: scored %v for result %s", res.Policy, res.Scored, res.Result)
			}
			if res.Timestamp.Seconds != r.GeneratedAt.Unix() {
				t.Errorf("%s: timestamp %d, want %d", res.Policy, res.Timestamp.Seconds, r.GeneratedAt.Unix())
			}
			if len(res.Resources) != 1 || res.Resources[0].Namespace != d.Metadata.Namespace {
				t.Errorf("%s: resources %+v outside report namespace %q", res.Policy, res.Resources, d.Metadata.Namespace)
			}
			resultsByNS[d.Metadata.Namespace]++
		}
		for _, k := range []string{"fail", "warn", "error", "skip"} {
			if d.Summary[k] != counts[k] {
				t.Errorf("%s %s: summary.%s = %d, results say %d", d.Kind, d.Metadata.Namespace, k, d.Summary[k], counts[k])
			}
		}
	}
	wantIDs := []reportID{{"ClusterPolicyReport", ""}, {"PolicyReport", "payments"}, {"PolicyReport", "shop"}}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"": 4, "payments": 1, "shop": 5}, resultsByNS); diff != "" {
		t.Errorf("results per namespace (-want +got):\n%s", diff)
	}

	objs := PolicyReports(r)
	if len(objs) != 3 || objs[1].GetKind() != "PolicyReport" || objs[1].GetNamespace() != "payments" {
		t.Errorf("PolicyReports: %d objects, second %s %s", len(objs), objs[1].GetKind(), objs[1].GetNamespace())
	}
}

// TestPolicyReportPasses: a report without findings carries the objects
// each policy passed as pass results, counted in summary.pass, in the
// namespace of each object; the cluster report stays, empty.
func TestPolicyReportPasses(t *testing.T) {
	objs := PolicyReports(cleanReport())
	if len(objs) != 3 || objs[0].GetKind() != "ClusterPolicyReport" {
		t.Fatalf("got %d reports, want the ClusterPolicyReport and one per namespace", len(objs))
	}
	if results, _ := objs[0].Object["results"].([]any); len(results) != 0 {
		t.Errorf("cluster results = %v, want none", results)
	}
	for i, ns := range []string{"payments", "shop"} {
		o := objs[i+1]
		results, _ := o.Object["results"].([]any)
		summary, _ := o.Object["summary"].(map[string]any)
		if o.GetNamespace() != ns || len(results) != 1 || summary["pass"] != int64(1) || summary["fail"] != int64(0) {
			t.Errorf("report %d: namespace %q, %d results, summary %v; want %s, 1 pass", i+1, o.GetNamespace(), len(results), summary, ns)
			continue
		}
		if r := results[0].(map[string]any); r["result"] != "pass" || r["policy"] != "privileged-container" {
			t.Errorf("%s: result %v", ns, r)
		}
	}
	r := cleanReport()
	r.Policies[0].Passed = nil
	if objs := PolicyReports(r); len(objs) != 1 {
		t.Errorf("without recorded passes: %d reports, want the ClusterPolicyReport only", len(objs))
	}
}
