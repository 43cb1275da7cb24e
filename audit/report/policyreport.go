package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

// PolicyReport API (wgpolicyk8s.io/v1alpha2) as written by PolicyReports.
const (
	PolicyReportAPIVersion = "wgpolicyk8s.io/v1alpha2"
	PolicyReportName       = "clusterscribe"
	policyReportSource     = "clusterscribe"
	managedByLabel         = "app.kubernetes.io/managed-by"
)

// PolicyReports turns the policy findings of r into a ClusterPolicyReport
// (the results on cluster-scoped objects; always present, so applying it
// clears earlier results) followed by one PolicyReport per namespace that has
// results, in namespace order. Every report is named PolicyReportName and
// labelled app.kubernetes.io/managed-by=clusterscribe.
//
// Results carry policy, rule (the policy's rule, else its id), result
// (fail, warn, error), severity, message, the object as the one resource,
// scored (false for warnings), the run's time, and properties: title,
// controls, the evaluated state (live or declared) and the declaring file.
// Summaries count the results; passes are not split by namespace in
// Report.Policies, so summary.pass stays 0.
func PolicyReports(r *findings.Report) []*unstructured.Unstructured {
	var ps *findings.PolicySet
	if r != nil {
		ps = r.PolicySet
	}
	cluster := newPolicyReport("ClusterPolicyReport", "", ps)
	out := []*unstructured.Unstructured{cluster}
	if r == nil {
		return out
	}
	r = prepare(r)
	byNS := map[string]*unstructured.Unstructured{}
	reportFor := func(ns string) *unstructured.Unstructured {
		if ns == "" {
			return cluster
		}
		report := byNS[ns]
		if report == nil {
			report = newPolicyReport("PolicyReport", ns, ps)
			byNS[ns] = report
			out = append(out, report)
		}
		return report
	}
	for _, f := range r.Findings {
		if f.Type != findings.Policy || f.Policy == nil {
			continue
		}
		addPolicyResult(reportFor(f.Object.Namespace), r, f)
	}
	for _, st := range r.Policies {
		passed := slices.Clone(st.Passed)
		slices.SortFunc(passed, findings.ObjectRef.Compare)
		pr := &findings.PolicyResult{ID: st.ID, Title: st.Title, Severity: st.Severity, Outcome: outcomePass, Controls: st.Controls}
		for _, o := range passed {
			addPolicyResult(reportFor(o.Namespace), r, findings.Finding{Type: findings.Policy, Object: o, Policy: pr, Live: r.Cluster != ""})
		}
	}
	slices.SortStableFunc(out[1:], func(a, b *unstructured.Unstructured) int {
		return strings.Compare(a.GetNamespace(), b.GetNamespace())
	})
	return out
}

// outcomePass is the PolicyReport result of an object a policy passed.
const outcomePass findings.Outcome = "pass"

// Annotations of a PolicyReport naming the policies and scope it reports on.
const (
	AnnotationPolicySet        = "policy.clusterscribe.io/policy-set"
	AnnotationPolicySetVersion = "policy.clusterscribe.io/policy-set-version"
	AnnotationScope            = "policy.clusterscribe.io/scope"
)

func newPolicyReport(kind, namespace string, ps *findings.PolicySet) *unstructured.Unstructured {
	meta := map[string]any{
		"name":   PolicyReportName,
		"labels": map[string]any{managedByLabel: "clusterscribe"},
	}
	if ps != nil {
		ann := map[string]any{AnnotationPolicySet: ps.Name, AnnotationPolicySetVersion: ps.Version}
		if ps.Scope != "" {
			ann[AnnotationScope] = ps.Scope
		}
		meta["annotations"] = ann
	}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": PolicyReportAPIVersion,
		"kind":       kind,
		"metadata":   meta,
		"summary":    map[string]any{"pass": int64(0), "fail": int64(0), "warn": int64(0), "error": int64(0), "skip": int64(0)},
		"results":    []any{},
	}}
}

func addPolicyResult(report *unstructured.Unstructured, r *findings.Report, f findings.Finding) {
	p := f.Policy
	resource := map[string]any{"apiVersion": f.Object.APIVersion, "kind": f.Object.Kind, "name": f.Object.Name}
	if f.Object.Namespace != "" {
		resource["namespace"] = f.Object.Namespace
	}
	props := map[string]any{"state": stateLabel(f)}
	if p.Title != "" {
		props["title"] = p.Title
	}
	if len(p.Controls) > 0 {
		ctl := make([]string, len(p.Controls))
		for i, c := range p.Controls {
			ctl[i] = c.Framework + " " + c.ID
		}
		props["controls"] = strings.Join(ctl, ", ")
	}
	if f.Source != nil {
		props["file"] = f.Source.String()
	}
	result := map[string]any{
		"source":     policyReportSource,
		"policy":     p.ID,
		"rule":       cmp.Or(p.Rule, p.ID),
		"result":     policyReportResult(p.Outcome),
		"scored":     p.Outcome != findings.Warn && p.Outcome != findings.Exception,
		"message":    cmp.Or(f.Message, passMessage(p)),
		"resources":  []any{resource},
		"properties": props,
	}
	if p.Severity != "" {
		result["severity"] = string(p.Severity)
	}
	if !r.GeneratedAt.IsZero() {
		result["timestamp"] = map[string]any{
			"seconds": r.GeneratedAt.Unix(),
			"nanos":   int64(r.GeneratedAt.Nanosecond()),
		}
	}
	report.Object["results"] = append(report.Object["results"].([]any), result)
	summary := report.Object["summary"].(map[string]any)
	if f.Reason != "" {
		props["exception"] = f.Reason
	}
	if k := policyReportResult(p.Outcome); k == "pass" || k == "fail" || k == "warn" || k == "error" || k == "skip" {
		summary[k] = summary[k].(int64) + 1
	}
}

// renderPolicyReport writes PolicyReports as multi-document YAML, ready for
// kubectl apply.
func renderPolicyReport(w io.Writer, r *findings.Report) error {
	if err := checkReport(r); err != nil {
		return fmt.Errorf("render policyreport: %w", err)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	for _, doc := range PolicyReports(r) {
		if err := enc.Encode(doc.Object); err != nil {
			return fmt.Errorf("render policyreport: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("render policyreport: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("render policyreport: %w", err)
	}
	return nil
}

// passMessage is the message of a pass result, or of a finding without one.
func passMessage(p *findings.PolicyResult) string {
	if p.Outcome == outcomePass {
		return cmp.Or(p.Title, p.ID) + ": passed"
	}
	return p.Title
}

// policyReportResult is the wgpolicyk8s.io result of an outcome: an
// exception is a "skip" (the policy does not apply to the object on
// purpose), the others keep their names.
func policyReportResult(o findings.Outcome) string {
	if o == findings.Exception {
		return "skip"
	}
	return string(o)
}
