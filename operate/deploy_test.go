package operate_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/clusterscribe/clusterscribe/internal/helmbin"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
)

func helm(t *testing.T, args ...string) string {
	t.Helper()
	out, err := helmRun(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// helmRun runs helm and returns its standard output; an error carries
// both outputs.
func helmRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if len(args) > 0 && (args[0] == "template" || args[0] == "lint") {
		// Without a cluster Helm assumes Kubernetes v1.20, older than the
		// chart's kubeVersion: render for the version the tests run.
		args = append(slices.Clone(args), "--kube-version", testcluster.KubernetesVersion)
	}
	out, err := helmbin.Run(t.Context(), args...)
	if errors.Is(err, helmbin.ErrMissing) {
		t.Fatal(err)
	}
	return string(out), err
}

var crdsOnce sync.Once

// installCRDs installs the CRDs under testdata/crds once per test run.
func installCRDs(t *testing.T) {
	t.Helper()
	var err error
	crdsOnce.Do(func() {
		var objs []*unstructured.Unstructured
		for _, name := range []string{"servicemonitors.yaml", "prometheusrules.yaml", "policyreports.yaml"} {
			data, rerr := os.ReadFile(filepath.Join("testdata", "crds", name))
			if rerr != nil {
				err = rerr
				return
			}
			more, derr := kubeapply.Decode(data)
			if derr != nil {
				err = derr
				return
			}
			objs = append(objs, more...)
		}
		a, aerr := kubeapply.New(cluster.Config, "operate-test")
		if aerr != nil {
			err = aerr
			return
		}
		err = a.ApplyAll(t.Context(), objs)
	})
	if err != nil {
		t.Fatalf("install CRDs: %v", err)
	}
}

// dryRunApply server-side applies every object with dryRun=All: the
// control plane validates them (schemas, RBAC rules, references to kinds)
// and persists nothing.
func dryRunApply(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Errorf("%s %s: %v", gvk.Kind, o.GetName(), err)
			continue
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == "namespace" {
			ri = dyn.Resource(m.Resource).Namespace(o.GetNamespace())
		}
		_, err = ri.Apply(t.Context(), o.GetName(), o, metav1.ApplyOptions{FieldManager: "operate-test", Force: true, DryRun: []string{metav1.DryRunAll}})
		if err != nil {
			t.Errorf("server-side dry-run of %s %s/%s: %v", gvk.Kind, o.GetNamespace(), o.GetName(), err)
		}
	}
}

// kustomize renders deploy/kustomize through an overlay that moves it to
// namespace ns, adds suffix to the names and adds the components.
func kustomize(t *testing.T, ns, suffix string, components ...string) []*unstructured.Unstructured {
	t.Helper()
	base, err := filepath.Abs(filepath.Join("..", "deploy", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	overlay := t.TempDir()
	// kustomize takes relative paths only.
	if base, err = filepath.Rel(overlay, base); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	// The namespace as the base's comment tells overlays to set it, so
	// that the ClusterRoleBinding follows the ServiceAccount.
	fmt.Fprintf(&b, `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[3]s
nameSuffix: %[1]q
resources:
  - %[2]s
transformers:
  - |-
    apiVersion: builtin
    kind: NamespaceTransformer
    metadata:
      name: namespace
      namespace: %[3]s
    setRoleBindingSubjects: allServiceAccounts
`, suffix, base, ns)
	if len(components) > 0 {
		b.WriteString("components:\n")
		for _, c := range components {
			fmt.Fprintf(&b, "  - %s\n", filepath.Join(base, "components", c))
		}
	}
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), overlay)
	if err != nil {
		t.Fatalf("kustomize: %v", err)
	}
	var objs []*unstructured.Unstructured
	for _, r := range m.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(data); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, u)
	}
	return objs
}

// helmTemplate renders the chart as release "rel" in ns.
func helmTemplate(t *testing.T, ns string, set ...string) []*unstructured.Unstructured {
	t.Helper()
	args := []string{"template", "rel", filepath.Join("..", "deploy", "helm", "clusterscribe"), "--namespace", ns}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	objs, err := kubeapply.Decode([]byte(helm(t, args...)))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func kinds(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	slices.Sort(out)
	return out
}

// checkHardened checks what the issue asks of every rendering: a
// non-root Deployment with a read-only root filesystem, no capabilities,
// requests and limits; read-only cluster access, Lease write in its own
// namespace only, PolicyReport write only when asked; the credentials
// from Secrets.
func checkHardened(t *testing.T, objs []*unstructured.Unstructured, ns string, policyReports bool) {
	t.Helper()
	var dep *unstructured.Unstructured
	var writes []string
	for _, o := range objs {
		switch o.GetKind() {
		case "Deployment":
			dep = o
		case "ClusterRole", "Role":
			rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
			for _, r := range rules {
				rule, _ := r.(map[string]any)
				verbs, _, _ := unstructured.NestedStringSlice(rule, "verbs")
				groups, _, _ := unstructured.NestedStringSlice(rule, "apiGroups")
				resources, _, _ := unstructured.NestedStringSlice(rule, "resources")
				for _, v := range verbs {
					if v != "get" && v != "list" && v != "watch" {
						writes = append(writes, fmt.Sprintf("%s %s/%s: %s %v %v", o.GetKind(), o.GetNamespace(), o.GetName(), v, groups, resources))
					}
				}
			}
		}
	}
	var leaseWrites, reportWrites int
	for _, w := range writes {
		switch {
		case strings.HasPrefix(w, "Role "+ns+"/") && strings.Contains(w, "[coordination.k8s.io] [leases]"):
			leaseWrites++
		case strings.HasPrefix(w, "ClusterRole ") && strings.Contains(w, "[wgpolicyk8s.io] [policyreports clusterpolicyreports]"):
			reportWrites++
		default:
			t.Errorf("write access beyond the Lease and PolicyReports: %s", w)
		}
	}
	if leaseWrites == 0 {
		t.Errorf("no Role grants Lease writes in %s", ns)
	}
	if (reportWrites > 0) != policyReports {
		t.Errorf("PolicyReport write rules: %d, want them only when enabled (%v)", reportWrites, policyReports)
	}
	if dep == nil {
		t.Fatal("no Deployment")
	}
	spec := func(path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(dep.Object, append([]string{"spec", "template", "spec"}, path...)...)
		return v
	}
	if spec("securityContext", "runAsNonRoot") != true {
		t.Error("pod: runAsNonRoot is not true")
	}
	containers, _ := spec("containers").([]any)
	for _, c := range containers {
		c, _ := c.(map[string]any)
		get := func(path ...string) any { v, _, _ := unstructured.NestedFieldNoCopy(c, path...); return v }
		if get("securityContext", "readOnlyRootFilesystem") != true {
			t.Errorf("container %v: readOnlyRootFilesystem is not true", c["name"])
		}
		if get("securityContext", "allowPrivilegeEscalation") != false {
			t.Errorf("container %v: allowPrivilegeEscalation is not false", c["name"])
		}
		if drop, _ := get("securityContext", "capabilities", "drop").([]any); !slices.Contains(drop, any("ALL")) {
			t.Errorf("container %v: capabilities drop %v, want ALL", c["name"], drop)
		}
		for _, r := range []string{"requests", "limits"} {
			for _, res := range []string{"cpu", "memory"} {
				if get("resources", r, res) == nil {
					t.Errorf("container %v: no %s.%s", c["name"], r, res)
				}
			}
		}
	}
	var secrets []string
	volumes, _ := spec("volumes").([]any)
	for _, v := range volumes {
		if name, ok, _ := unstructured.NestedString(v.(map[string]any), "secret", "secretName"); ok {
			secrets = append(secrets, name)
		}
	}
	slices.Sort(secrets)
	if want := []string{"clusterscribe-alerts", "clusterscribe-forge", "clusterscribe-git"}; !slices.Equal(secrets, want) {
		t.Errorf("Secrets mounted: %v, want %v", secrets, want)
	}
}

// TestKustomizeBase renders the kustomize base with and without its
// components and applies it with a server-side dry run.
func TestKustomizeBase(t *testing.T) {
	installCRDs(t)
	ns := cluster.Namespace(t, "kustomize")
	objs := kustomize(t, ns, "")
	want := []string{
		"ClusterRole/clusterscribe-read", "ClusterRoleBinding/clusterscribe-read", "ConfigMap/clusterscribe-config-" + configMapHash(objs),
		"Deployment/clusterscribe", "Namespace/" + ns, "NetworkPolicy/clusterscribe", "PodDisruptionBudget/clusterscribe", "Role/clusterscribe-leader-election",
		"RoleBinding/clusterscribe-leader-election", "Service/clusterscribe", "ServiceAccount/clusterscribe",
	}
	checkDefaults(t, objs, ns, want)

	full := kustomize(t, ns, "", "servicemonitor", "policyreports")
	checkEverythingOn(t, full, ns, "ServiceMonitor/clusterscribe")
}

// checkDefaults checks what a packaging renders with its defaults: the
// objects want, hardened, bound in ns, with a configuration `run`
// accepts, and accepted by the API server.
func checkDefaults(t *testing.T, objs []*unstructured.Unstructured, ns string, want []string) {
	t.Helper()
	if got := kinds(objs); !slices.Equal(got, want) {
		t.Errorf("objects:\n got %v\nwant %v", got, want)
	}
	checkHardened(t, objs, ns, false)
	checkBinding(t, objs, ns)
	checkChartConfig(t, objs)
	dryRunApply(t, objs)
}

// checkEverythingOn checks what a packaging renders with every option on:
// hardened, with the ServiceMonitor monitor, and accepted by the API
// server.
func checkEverythingOn(t *testing.T, full []*unstructured.Unstructured, ns, monitor string) {
	t.Helper()
	checkHardened(t, full, ns, true)
	if !slices.Contains(kinds(full), monitor) {
		t.Errorf("with every option on, no %s: %v", monitor, kinds(full))
	}
	dryRunApply(t, full)
}

func configMapHash(objs []*unstructured.Unstructured) string {
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" {
			return strings.TrimPrefix(o.GetName(), "clusterscribe-config-")
		}
	}
	return ""
}

// checkBinding: the ClusterRoleBinding names the ServiceAccount in its
// real namespace.
func checkBinding(t *testing.T, objs []*unstructured.Unstructured, ns string) {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "ClusterRoleBinding" {
			continue
		}
		subjects, _, _ := unstructured.NestedSlice(o.Object, "subjects")
		for _, s := range subjects {
			if got := s.(map[string]any)["namespace"]; got != ns {
				t.Errorf("%s binds a ServiceAccount in %v, want %s", o.GetName(), got, ns)
			}
		}
	}
}

// TestHelmChart lints the chart and renders it with the default values and
// with every option on, applying both with a server-side dry run.
func TestHelmChart(t *testing.T) {
	installCRDs(t)
	helm(t, "lint", "--strict", filepath.Join("..", "deploy", "helm", "clusterscribe"))
	ns := cluster.Namespace(t, "helm")
	objs := helmTemplate(t, ns)
	want := []string{
		"ClusterRole/rel-clusterscribe-read", "ClusterRoleBinding/rel-clusterscribe-read", "ConfigMap/rel-clusterscribe-config",
		"Deployment/rel-clusterscribe", "PodDisruptionBudget/rel-clusterscribe", "Role/rel-clusterscribe-leader-election",
		"RoleBinding/rel-clusterscribe-leader-election", "Service/rel-clusterscribe", "ServiceAccount/rel-clusterscribe",
	}
	checkDefaults(t, objs, ns, want)

	full := helmTemplate(t, ns, "serviceMonitor.enabled=true", "policyReports.enabled=true", "config.policies.write-policy-reports=true")
	checkEverythingOn(t, full, ns, "ServiceMonitor/rel-clusterscribe")
	checkChartConfig(t, full)
}

// checkChartConfig: the rendered config.yaml is valid for `run`.
func checkChartConfig(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "ConfigMap" {
			continue
		}
		data, _, _ := unstructured.NestedString(o.Object, "data", "config.yaml")
		if err := validateFile(data); err != nil {
			t.Errorf("the chart's config.yaml: %v\n%s", err, data)
		}
	}
}
