package corpus_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/utils/ptr"

	"github.com/clusterscribe/clusterscribe/audit/declared"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/internal/testcluster"
	"github.com/clusterscribe/clusterscribe/serializer"
)

// install is one project's declared objects and the ways to put them into
// the cluster and take them out again.
type install struct {
	objs   []*unstructured.Unstructured // in apply order
	dyn    dynamic.Interface
	mapper meta.ResettableRESTMapper
}

// systemNamespaces are never deleted, even when a project declares them.
var systemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// newInstall reads the declared repo as audit reads it (kustomizations
// built), in apply order.
func newInstall(t *testing.T, src declared.Options) *install {
	t.Helper()
	set, err := declared.Load(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range set.Problems {
		t.Fatalf("declared repo: %s: %s", pr.Source, pr.Message)
	}
	in := &install{}
	for _, o := range set.Objects {
		in.objs = append(in.objs, o.Object)
	}
	kubeapply.Sort(in.objs)
	if in.dyn, err = dynamic.NewForConfig(cluster.Config); err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cluster.Config)
	if err != nil {
		t.Fatal(err)
	}
	in.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return in
}

// namespaces returns the namespaces the project's objects live in and
// declares, sorted.
func (in *install) namespaces() []string {
	var out []string
	for _, o := range in.objs {
		ns := o.GetNamespace()
		if o.GetKind() == "Namespace" && o.GroupVersionKind().Group == "" {
			ns = o.GetName()
		}
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// serverSideApply applies the objects with server-side apply, as a GitOps
// tool does.
func (in *install) serverSideApply(t *testing.T) {
	t.Helper()
	cluster.Apply(t, "gitops", in.objs...)
}

// kubectl applies the objects with `kubectl <verb> -f`, CRDs first (and
// waited for), the rest in one file in apply order. Objects whose
// last-applied-configuration annotation would pass the API server's
// 256 KiB limit on annotations are created with `kubectl create` even
// for verb apply, as those projects tell their users to.
func (in *install) kubectl(t *testing.T, verb string) {
	t.Helper()
	var crds, tooBig, rest []*unstructured.Unstructured
	for _, o := range in.objs {
		switch {
		case verb == "apply" && lastAppliedTooBig(t, o):
			tooBig = append(tooBig, o)
		case o.GetKind() == "CustomResourceDefinition":
			crds = append(crds, o)
		default:
			rest = append(rest, o)
		}
	}
	if len(tooBig) > 0 {
		runKubectl(t, "create", writeManifests(t, tooBig))
	}
	if len(crds) > 0 {
		runKubectl(t, verb, writeManifests(t, crds))
	}
	if len(crds)+len(tooBig) > 0 {
		file := writeManifests(t, append(slices.Clone(crds), tooBig...))
		runKubectl(t, "wait", file, "--for=condition=Established", "--timeout=2m")
	}
	runKubectl(t, verb, writeManifests(t, rest))
}

// maxAnnotationsSize is the API server's limit on the size of an object's
// annotations.
const maxAnnotationsSize = 256 * 1024

func lastAppliedTooBig(t *testing.T, o *unstructured.Unstructured) bool {
	t.Helper()
	data, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return len(data) > maxAnnotationsSize
}

func writeManifests(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		// JSON is YAML, and much faster to write for large CRDs.
		data, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(data)
		b.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "manifests.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runKubectl runs kubectl verb -f file args... against the cluster.
func runKubectl(t *testing.T, verb, file string, args ...string) {
	t.Helper()
	bin, err := testcluster.Kubectl()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, append([]string{"--kubeconfig", kubeconfig, verb, "-f", file}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kubectl %s: %v\n%s", verb, err, out)
	}
}

// goneAsMeant counts the Jobs with a TTL: settle waits until they are
// gone.
func (in *install) goneAsMeant() int {
	n := 0
	for _, o := range in.objs {
		if _, ttl, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "ttlSecondsAfterFinished"); ttl && o.GetKind() == "Job" {
			n++
		}
	}
	return n
}

// settle waits for the controllers to act on what was applied:
// Deployments, StatefulSets and DaemonSets rolled out with every replica
// available on the kwok Nodes, Jobs complete, and those with a TTL removed
// by the TTL controller.
func (in *install) settle(t *testing.T) {
	t.Helper()
	for _, o := range in.objs {
		gvk := o.GroupVersionKind()
		if gvk.Group != "apps" && gvk.Group != "batch" {
			continue
		}
		what := fmt.Sprintf("%s %s/%s settled", gvk.Kind, o.GetNamespace(), o.GetName())
		_, ttl, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "ttlSecondsAfterFinished")
		if gvk.Kind == "Job" && ttl {
			what = fmt.Sprintf("Job %s/%s finished and removed by its TTL", o.GetNamespace(), o.GetName())
		}
		testcluster.Eventually(t, what, func(ctx context.Context) (bool, error) {
			live, err := in.get(ctx, o)
			if gvk.Kind == "Job" && ttl {
				return apierrors.IsNotFound(err), nil
			}
			if err != nil {
				return false, err
			}
			return settled(live), nil
		})
	}
}

// settled reports whether a workload's controller has caught up with it.
func settled(o *unstructured.Unstructured) bool {
	num := func(path ...string) int64 {
		v, _, _ := unstructured.NestedInt64(o.Object, path...)
		return v
	}
	if o.GetKind() == "Job" {
		conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Complete" && m["status"] == "True" {
				return true
			}
		}
		return false
	}
	if num("status", "observedGeneration") != o.GetGeneration() {
		return false
	}
	switch o.GetKind() {
	case "Deployment":
		want, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
		if !found {
			want = 1
		}
		return num("status", "updatedReplicas") == want && num("status", "availableReplicas") == want
	case "StatefulSet":
		return num("status", "readyReplicas") == num("spec", "replicas") && num("status", "updatedReplicas") == num("spec", "replicas")
	case "DaemonSet":
		return num("status", "numberAvailable") == num("status", "desiredNumberScheduled")
	}
	return true
}

func (in *install) get(ctx context.Context, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := in.resource(o)
	if err != nil {
		return nil, err
	}
	return ri.Get(ctx, o.GetName(), metav1.GetOptions{})
}

func (in *install) resource(o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	m, err := in.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		in.mapper.Reset()
		return nil, fmt.Errorf("map %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameRoot {
		return in.dyn.Resource(m.Resource), nil
	}
	ns := o.GetNamespace()
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	return in.dyn.Resource(m.Resource).Namespace(ns), nil
}

// files returns the paths of the objects' files in a backup of cluster,
// but for the Jobs removed by their TTL.
func (in *install) files(t *testing.T, cluster string) []string {
	t.Helper()
	var out []string
	for _, o := range in.objs {
		if _, ttl, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "ttlSecondsAfterFinished"); ttl && o.GetKind() == "Job" {
			continue
		}
		gvk := o.GroupVersionKind()
		m, err := in.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatalf("map %s: %v", gvk, err)
		}
		ns := o.GetNamespace()
		if ns == "" && m.Scope.Name() != meta.RESTScopeNameRoot {
			ns = metav1.NamespaceDefault
		}
		out = append(out, serializer.ObjectPath(serializer.ObjectRef{
			Cluster: cluster, Group: gvk.Group, Resource: m.Resource.Resource, Namespace: ns, Name: o.GetName(),
		}))
	}
	return out
}

// remove deletes every object of the project, admission webhooks and
// APIServices first (their backends are going away), and waits until all
// are gone, so that the next install starts from a clean state.
func (in *install) remove(t *testing.T) {
	t.Helper()
	objs := slices.Clone(in.objs)
	slices.Reverse(objs)
	for _, o := range objs {
		if o.GetKind() == "Namespace" && slices.Contains(systemNamespaces, o.GetName()) {
			continue
		}
		ri, err := in.resource(o)
		if err != nil {
			continue // its CRD is gone already: so is the object
		}
		err = ri.Delete(t.Context(), o.GetName(), metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatalf("delete %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
	for _, o := range objs {
		if o.GetKind() == "Namespace" && slices.Contains(systemNamespaces, o.GetName()) {
			continue
		}
		var last error
		err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, removeTimeout, true, func(ctx context.Context) (bool, error) {
			_, last = in.get(ctx, o)
			return apierrors.IsNotFound(last) || meta.IsNoMatchError(last), nil
		})
		if err != nil {
			t.Fatalf("waiting for %s %s/%s to be gone: %v (last error: %v)", o.GetKind(), o.GetNamespace(), o.GetName(), err, last)
		}
	}
	in.mapper.Reset()
}

// removeTimeout bounds the wait for a deleted object to be gone: a
// CustomResourceDefinition goes once kube-apiserver's finalizer has
// removed its custom resources, which a loaded 2-core machine has been
// seen to take more than testcluster.EventuallyTimeout for.
const removeTimeout = 5 * time.Minute
