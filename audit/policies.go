package audit

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// PolicyEvaluator evaluates compliance policies over objects (package
// policies implements it). live says whether the objects are live state.
//
// The live objects it is given carry managedFields without their field
// sets (manager, operation, time), as record and the operator's watcher
// keep them.
type PolicyEvaluator interface {
	Evaluate(ctx context.Context, objs []*unstructured.Unstructured, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error)
}

// KindJudge is implemented by a PolicyEvaluator whose policies judge (or
// read) only some kinds: objects of the others are not given to it.
type KindJudge interface {
	// Judges reports whether objects of apiVersion and kind can make a
	// difference to an evaluation.
	Judges(apiVersion, kind string) bool
}

// PolicySetDescriber is implemented by a PolicyEvaluator that can name
// its policy set and version for the report.
type PolicySetDescriber interface {
	PolicySet(scope string) *findings.PolicySet
}

// judges reports whether p judges the resource's objects.
func judges(p PolicyEvaluator, r watcher.Resource) bool {
	j, ok := p.(KindJudge)
	return !ok || j.Judges(r.GVR.GroupVersion().String(), r.Kind)
}

// policyKinds adds to watch every kind the filters keep: policies judge
// everything in scope, not only the kinds the declared repo names. (Kinds
// a KindJudge leaves out are listed all the same: a declared repo that
// claims its namespaces needs most of them, and listing them while it is
// read costs less than a second listing after it.)
func policyKinds(watch map[schema.GroupVersionResource]bool, served []watcher.Resource, scope, exclusions *filters.Filter) {
	for _, r := range served {
		if scope.WantResource(r) && exclusions.WantResource(r) {
			watch[r.GVR] = true
		}
	}
}

// policyResult is what the policies found, or why they could not run.
type policyResult struct {
	report *findings.Report
	err    error
}

// startPolicies evaluates the policies (if any) in the background and
// returns what waits for their result (a nil report when there are none);
// it may be called more than once.
func startPolicies(ctx context.Context, p PolicyEvaluator, live map[objectKey]liveObject, keys []objectKey, scope, exclusions *filters.Filter, cluster string) func() policyResult {
	if p == nil {
		return func() policyResult { return policyResult{} }
	}
	done := make(chan policyResult, 1)
	go func() {
		report := &findings.Report{Cluster: cluster}
		err := evaluatePolicies(ctx, p, live, keys, scope, exclusions, report)
		done <- policyResult{report: report, err: err}
	}()
	return sync.OnceValue(func() policyResult { return <-done })
}

// addTo adds the policies' findings, statistics and problems to report.
func (j policyResult) addTo(report *findings.Report) error {
	if j.err != nil || j.report == nil {
		return j.err
	}
	report.Findings = append(report.Findings, j.report.Findings...)
	report.Policies = append(report.Policies, j.report.Policies...)
	report.Problems = append(report.Problems, j.report.Problems...)
	report.PolicySet = j.report.PolicySet
	return nil
}

// evaluatePolicies runs the policies over the live objects the filters
// keep (controller-owned children are judged through their parents) and
// adds the results to the report.
func evaluatePolicies(ctx context.Context, p PolicyEvaluator, live map[objectKey]liveObject, keys []objectKey, scope, exclusions *filters.Filter, report *findings.Report) error {
	objs := make([]*unstructured.Unstructured, 0, len(live))
	judged := map[schema.GroupVersionResource]bool{}
	for _, k := range keys {
		lo := live[k]
		j, ok := judged[lo.resource.GVR]
		if !ok {
			j = judges(p, lo.resource)
			judged[lo.resource.GVR] = j
		}
		if !j {
			continue
		}
		if ok, _ := scope.Allow(lo.resource, lo.obj); !ok {
			continue
		}
		if ok, _ := exclusions.Allow(lo.resource, lo.obj); !ok {
			continue
		}
		objs = append(objs, withoutFieldSets(lo.obj))
	}
	found, stats, problems, err := p.Evaluate(ctx, objs, true)
	if err != nil {
		return fmt.Errorf("evaluate policies: %w", err)
	}
	report.Findings = append(report.Findings, found...)
	report.Policies = append(report.Policies, stats...)
	report.Problems = append(report.Problems, problems...)
	if d, ok := p.(PolicySetDescriber); ok {
		report.PolicySet = d.PolicySet(fmt.Sprintf("cluster %s: %d live objects in scope", report.Cluster, len(objs)))
	}
	return nil
}

// withoutFieldSets returns obj with the field sets (fieldsV1) of its
// managedFields left out, sharing the rest with obj.
func withoutFieldSets(obj *unstructured.Unstructured) *unstructured.Unstructured {
	meta, _ := obj.Object["metadata"].(map[string]any)
	entries, _ := meta["managedFields"].([]any)
	if len(entries) == 0 {
		return obj
	}
	trimmed := make([]any, len(entries))
	for i, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			return obj
		}
		m = maps.Clone(m)
		delete(m, "fieldsV1")
		delete(m, "fieldsType")
		trimmed[i] = m
	}
	meta = maps.Clone(meta)
	meta["managedFields"] = trimmed
	out := maps.Clone(obj.Object)
	out["metadata"] = meta
	return &unstructured.Unstructured{Object: out}
}
