package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"
)

// The seeded workload: object k lives in namespace k % namespaces and is,
// by k % 5, a ConfigMap (0, 1), a Secret (2), a Deployment (3) or a
// Service (4) — 40/20/20/20 percent.
const (
	namespaces = 100
	hpas       = 10 // Deployments 3, 8, 13, … get an HPA (scale churn is theirs)
)

func nsName(k int) string { return fmt.Sprintf("bench-%02d", k%namespaces) }

type seeder struct {
	cs       kubernetes.Interface
	dyn      dynamic.Interface
	declared string // where the declared manifests of every object are written
	mu       sync.Mutex
	docs     map[string][][]byte // namespace -> manifests
}

func (s *seeder) namespaces(ctx context.Context) error {
	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsName(i), Labels: map[string]string{"team": "bench"}}}
		if err := s.apply(ctx, ns.Name, ns); err != nil {
			return err
		}
	}
	return nil
}

// seed creates objects [from, to) with workers in parallel, and stops at
// the first error.
func (s *seeder) seed(ctx context.Context, from, to, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for k := from; k < to && gctx.Err() == nil; k++ {
		g.Go(func() error { return s.create(gctx, k) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (s *seeder) create(ctx context.Context, k int) error {
	ns := nsName(k)
	var objs []runtime.Object
	switch k % 5 {
	case 0, 1:
		objs = append(objs, configMap(k))
	case 2:
		objs = append(objs, secret(k))
	case 3:
		objs = append(objs, deployment(k))
		if k/5 < hpas {
			objs = append(objs, hpa(k))
		}
	case 4:
		objs = append(objs, service(k))
	}
	for _, o := range objs {
		if err := s.apply(ctx, ns, o); err != nil {
			return fmt.Errorf("seed object %d: %w", k, err)
		}
	}
	return nil
}

// apply creates or updates obj with server-side apply, as a GitOps tool
// would, so that audit tells defaults from drift.
func (s *seeder) apply(ctx context.Context, ns string, obj runtime.Object) error {
	gvk, err := apiutil.GVKForObject(obj, scheme.Scheme)
	if err != nil {
		return fmt.Errorf("kind of %T: %w", obj, err)
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	u["apiVersion"], u["kind"] = gvk.GroupVersion().String(), gvk.Kind
	delete(u, "status")
	prune(u)
	body, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	m, err := s.mapper(gvk)
	if err != nil {
		return err
	}
	name, _, _ := unstructured.NestedString(u, "metadata", "name")
	force := true
	client := s.dyn.Resource(m).Namespace(ns)
	if gvk.Kind == "Namespace" {
		client = s.dyn.Resource(m)
	}
	// An API server busy with 100,000 objects on a shared machine may time
	// out; an apply can be sent again.
	err = retry.OnError(seedBackoff, isBusy, func() error {
		_, err := client.Patch(ctx, name, types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "bench", Force: &force})
		return err
	})
	if err != nil {
		return fmt.Errorf("apply %s %s/%s: %w", gvk.Kind, ns, name, err)
	}
	s.rememberMap(ns, u)
	return nil
}

var seedBackoff = wait.Backoff{Steps: 6, Duration: time.Second, Factor: 2, Jitter: 0.1}

func isBusy(err error) bool {
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err)
}

func (s *seeder) mapper(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	resources := map[string]string{"Namespace": "namespaces", "ConfigMap": "configmaps", "Secret": "secrets", "Deployment": "deployments", "Service": "services", "HorizontalPodAutoscaler": "horizontalpodautoscalers"}
	r, ok := resources[gvk.Kind]
	if !ok {
		return schema.GroupVersionResource{}, fmt.Errorf("no resource for %s", gvk)
	}
	return gvk.GroupVersion().WithResource(r), nil
}

func labels(k int) map[string]string {
	return map[string]string{"app": fmt.Sprintf("app-%d", k/5), "team": "bench"}
}

func configMap(k int) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%06d", k), Namespace: nsName(k), Labels: labels(k)},
		Data: map[string]string{
			"app.properties": fmt.Sprintf("server.port=8080\nfeature.flags=a,b,c\nobject=%d\n", k),
			"LOG_LEVEL":      "info",
			"rev":            "0",
		},
	}
}

func secret(k int) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("secret-%06d", k), Namespace: nsName(k), Labels: labels(k)},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"username": []byte("app"), "password": []byte(randomHex(16))},
	}
}

func deployment(k int) *appsv1.Deployment {
	replicas := int32(2)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("deploy-%06d", k), Namespace: nsName(k), Labels: labels(k)},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%d", k/5)}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(k)},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "app",
					Image: "registry.example.com/shop/app:1.4.2",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Env:   []corev1.EnvVar{{Name: "LOG_LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: fmt.Sprintf("cm-%06d", k-3)}, Key: "LOG_LEVEL"}}}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
						Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
					},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
				}}},
			},
		},
	}
}

func hpa(k int) *autoscalingv2.HorizontalPodAutoscaler {
	minR := int32(2)
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("deploy-%06d", k), Namespace: nsName(k), Labels: labels(k)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: fmt.Sprintf("deploy-%06d", k)},
			MinReplicas:    &minR,
			MaxReplicas:    10,
		},
	}
}

func service(k int) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%06d", k), Namespace: nsName(k), Labels: labels(k)},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": fmt.Sprintf("app-%d", k/5)},
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// prune drops what a hand-written manifest would not hold: nulls and
// empty maps (a Go struct's zero values), and so creationTimestamp.
func prune(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			prune(x)
			if len(x) == 0 {
				delete(m, k)
			}
		case []any:
			for _, item := range x {
				if im, ok := item.(map[string]any); ok {
					prune(im)
				}
			}
		}
	}
}

func (s *seeder) rememberMap(ns string, u map[string]any) {
	b, err := yaml.Marshal(u)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs == nil {
		s.docs = map[string][][]byte{}
	}
	s.docs[ns] = append(s.docs[ns], b)
}

// writeDeclared writes one multi-document file per namespace.
func (s *seeder) writeDeclared() error {
	if err := os.MkdirAll(s.declared, 0o755); err != nil {
		return fmt.Errorf("create declared dir: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ns, docs := range s.docs {
		var out []byte
		for _, d := range docs {
			out = append(out, "---\n"...)
			out = append(out, d...)
		}
		if err := os.WriteFile(filepath.Join(s.declared, ns+".yaml"), out, 0o644); err != nil {
			return fmt.Errorf("write declared manifests: %w", err)
		}
	}
	return nil
}
