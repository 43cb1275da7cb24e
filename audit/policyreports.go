package audit

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/audit/report"
	"github.com/clusterscribe/clusterscribe/internal/kube"
)

// PolicyReport resources (wgpolicyk8s.io/v1alpha2).
var (
	policyReportGVR        = schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "policyreports"}
	clusterPolicyReportGVR = schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "clusterpolicyreports"}
)

// ErrNoPolicyReportCRD means the cluster does not serve PolicyReports.
var ErrNoPolicyReportCRD = errors.New("the cluster does not serve wgpolicyk8s.io/v1alpha2 PolicyReports: install the PolicyReport CRDs first")

// PolicyReportFieldManager is the field manager of the PolicyReports
// clusterscribe writes.
const PolicyReportFieldManager = "clusterscribe"

// WritePolicyReports applies the report's policy results to the cluster as
// one ClusterPolicyReport and one PolicyReport per namespace, with
// server-side apply. PolicyReports it wrote before for namespaces that
// have no finding any more are emptied, not left stale. It is the only
// write audit ever makes, and only when asked. It returns how many
// reports it applied.
func WritePolicyReports(ctx context.Context, restCfg *rest.Config, rep *findings.Report, qps float32, burst int) (int, error) {
	clients, err := kube.New(restCfg, kube.Limits{QPS: qps, Burst: burst})
	if err != nil {
		return 0, fmt.Errorf("write policy reports: %w", err)
	}
	dyn := clients.Dynamic
	objs := report.PolicyReports(rep)
	seen := map[string]bool{}
	for _, o := range objs {
		seen[o.GetNamespace()] = true
	}
	previous, err := dyn.Resource(policyReportGVR).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=clusterscribe"})
	if err != nil {
		return 0, fmt.Errorf("write policy reports: list earlier reports: %w", noCRD(err))
	}
	for _, p := range previous.Items {
		if !seen[p.GetNamespace()] {
			empty := report.PolicyReports(&findings.Report{})[0]
			empty.SetKind("PolicyReport")
			empty.SetNamespace(p.GetNamespace())
			objs = append(objs, empty)
		}
	}
	for i, o := range objs {
		ri := dynamic.ResourceInterface(dyn.Resource(clusterPolicyReportGVR))
		if o.GetKind() == "PolicyReport" {
			ri = dyn.Resource(policyReportGVR).Namespace(o.GetNamespace())
		}
		if _, err := ri.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: PolicyReportFieldManager, Force: true}); err != nil {
			return i, fmt.Errorf("write %s %s: %w", o.GetKind(), describeNS(o), err)
		}
	}
	return len(objs), nil
}

func describeNS(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns + "/" + o.GetName()
	}
	return o.GetName()
}

// noCRD turns the NotFound of an unserved resource into
// ErrNoPolicyReportCRD.
func noCRD(err error) error {
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%w (%w)", ErrNoPolicyReportCRD, err)
	}
	return err
}
