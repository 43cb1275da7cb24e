package operate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/clusterscribe/clusterscribe/internal/secretscan"
	"github.com/clusterscribe/clusterscribe/internal/testkit"
	"github.com/clusterscribe/clusterscribe/operate"
)

// running is one operate.Run in the background.
type running struct {
	*testkit.Background
	logs *syncBuffer
	addr chan string
}

func startRun(t *testing.T, cfg operate.Config) *running {
	t.Helper()
	return startRunAs(t, cluster.Config, cfg)
}

// startRunAs runs with the access restCfg gives.
func startRunAs(t *testing.T, restCfg *rest.Config, cfg operate.Config) *running {
	t.Helper()
	r := &running{logs: &syncBuffer{}, addr: make(chan string, 1)}
	// Once the run stopped, what it wrote and logged is searched for
	// secret values.
	secretscan.Guard(t).Log("run log", r.logs.String)
	opts := operate.Options{
		Logger:   slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnListen: func(a string) { r.addr <- a },
	}
	r.Background = testkit.Go(t, "Run", func(ctx context.Context) error { return operate.Run(ctx, restCfg, cfg, opts) })
	return r
}

func (r *running) address(t *testing.T) string {
	t.Helper()
	select {
	case a := <-r.addr:
		r.addr <- a
		return a
	case <-r.Done():
		t.Fatalf("%v\n%s", r.Alive(), r.logs)
	case <-time.After(patience):
		t.Fatal("the endpoints never listened")
	}
	return ""
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if err := r.Stop(t); err != nil {
		t.Fatalf("Run: %v\n%s", err, r.logs)
	}
}

func get(addr, path string) (int, string, error) { return testkit.Get("http://" + addr + path) }

// scrape reads /metrics and parses the Prometheus text format.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body, err := get(addr, "/metrics")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", code, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// sample returns the value of the series of family name with these labels
// (a histogram's sample count).
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	fam, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// webhookSink is a local JSON webhook receiver.
type webhookSink struct {
	mu     sync.Mutex
	alerts []operate.WebhookAlert
}

func newWebhookSink(t *testing.T) (*webhookSink, string) {
	t.Helper()
	s := &webhookSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a operate.WebhookAlert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.alerts = append(s.alerts, a)
		s.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *webhookSink) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.alerts {
		name := string(a.Type)
		if a.Policy != "" {
			name = a.Policy
		}
		out = append(out, name+" "+a.Object.Kind+" "+a.Object.Name)
	}
	slices.Sort(out)
	return out
}

// seed creates the ConfigMap "settings" (mode=live), a Deployment with a
// privileged container and a Secret with a canary value in ns.
func seed(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db-credentials"}, StringData: map[string]string{"password": secretscan.Canary()}}
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"mode": "live"}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(t.Context(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	privileged := true
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: "registry.example.com/web:1.0",
					SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// declaredDir is a declared repo with the ConfigMap "settings" at mode=declared.
func declaredDir(t *testing.T, ns string) string {
	t.Helper()
	dir := t.TempDir()
	doc := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: %s\ndata:\n  mode: declared\n", ns)
	if err := os.WriteFile(filepath.Join(dir, "settings.yaml"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pushingConfig is testConfig recording through a clone into a new bare
// remote, whose directory it returns too.
func pushingConfig(t *testing.T, ns string) (operate.Config, string) {
	t.Helper()
	remote := newBareRemote(t)
	cfg := testConfig(ns, "file://"+remote)
	cfg.Record.Workdir = filepath.Join(t.TempDir(), "clone")
	return cfg, remote
}

// testConfig records namespace ns (ConfigMaps and Deployments) as cluster
// "test" into repo, with a short batch window and lease.
func testConfig(ns, repo string) operate.Config {
	c := operate.Default()
	c.ClusterName = "test"
	c.Filters.Namespaces = []string{ns}
	c.Filters.IncludeKinds = []string{"ConfigMap", "Deployment"}
	c.Record.Repo = repo
	c.Record.BatchWindow = 200 * time.Millisecond
	c.Record.ShutdownGrace = patience
	c.LeaderElection.LeaseNamespace = ns
	c.LeaderElection.LeaseDuration.Duration = 4 * time.Second
	c.LeaderElection.RenewDeadline.Duration = 3 * time.Second
	c.LeaderElection.RetryPeriod.Duration = 500 * time.Millisecond
	c.Server.Address = "127.0.0.1:0"
	return c
}
