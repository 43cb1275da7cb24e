package audit

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/filters"
	"github.com/clusterscribe/clusterscribe/watcher"
)

// PolicyEvaluator evaluates compliance policies over objects (package
// policies implements it). live says whether the objects are live state.
type PolicyEvaluator interface {
	Evaluate(ctx context.Context, objs []*unstructured.Unstructured, live bool) ([]findings.Finding, []findings.PolicyStat, []findings.Problem, error)
}

// policyKinds adds to watch every kind the filters keep: policies judge
// everything in scope, not only the kinds the declared repo names.
func policyKinds(watch map[schema.GroupVersionResource]bool, served []watcher.Resource, scope, exclusions *filters.Filter) {
	for _, r := range served {
		if scope.WantResource(r) && exclusions.WantResource(r) {
			watch[r.GVR] = true
		}
	}
}

// evaluatePolicies runs the policies over the live objects the filters
// keep (controller-owned children are judged through their parents) and
// adds the results to the report.
func evaluatePolicies(ctx context.Context, p PolicyEvaluator, live map[objectKey]liveObject, scope, exclusions *filters.Filter, report *findings.Report) error {
	objs := make([]*unstructured.Unstructured, 0, len(live))
	for _, k := range sortedKeys(live) {
		lo := live[k]
		if ok, _ := scope.Allow(lo.resource, lo.obj); !ok {
			continue
		}
		if ok, _ := exclusions.Allow(lo.resource, lo.obj); !ok {
			continue
		}
		objs = append(objs, lo.obj)
	}
	found, stats, problems, err := p.Evaluate(ctx, objs, true)
	if err != nil {
		return fmt.Errorf("evaluate policies: %w", err)
	}
	report.Findings = append(report.Findings, found...)
	report.Policies = append(report.Policies, stats...)
	report.Problems = append(report.Problems, problems...)
	return nil
}
