package operate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/kubeapply"
	"github.com/clusterscribe/clusterscribe/operate"
	"github.com/clusterscribe/clusterscribe/policies"
)

var chartDir = filepath.Join("..", "deploy", "helm", "clusterscribe")

// TestHelmValuesSchema: values.schema.json turns a misspelt value into an
// error of helm lint --strict and helm template that names the key,
// instead of a pod that crash-loops; correct values pass.
func TestHelmValuesSchema(t *testing.T) {
	for name, values := range map[string]string{
		"top-level key":      "replicaCont: 3\n",
		"nested key":         "image:\n  tagg: v1\n",
		"securityContext":    "podSecurityContext:\n  runAsUsr: 1000\n",
		"wrong type":         "replicaCount: two\n",
		"bad pull policy":    "image:\n  pullPolicy: Sometimes\n",
		"persistence key":    "persistence:\n  enable: true\n",
		"prometheusRule key": "prometheusRule:\n  lastPushMaxAge: 1h\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "values.yaml")
			if err := os.WriteFile(file, []byte(values), 0o600); err != nil {
				t.Fatal(err)
			}
			key := strings.TrimSpace(strings.Split(strings.TrimSpace(values), ":")[0])
			if strings.Contains(values, "\n  ") {
				key = strings.TrimSpace(strings.Split(strings.Split(values, "\n")[1], ":")[0])
			}
			for _, args := range [][]string{
				{"lint", "--strict", chartDir, "-f", file},
				{"template", "rel", chartDir, "-f", file},
			} {
				_, err := helmRun(t, args...)
				if err == nil {
					t.Errorf("helm %s accepts %q", args[0], values)
					continue
				}
				if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") || !strings.Contains(err.Error(), key) {
					t.Errorf("helm %s: the error does not name the schema and %q:\n%v", args[0], key, err)
				}
			}
		})
	}
	good := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(good, []byte(everyOption), 0o600); err != nil {
		t.Fatal(err)
	}
	helm(t, "lint", "--strict", chartDir, "-f", good)
}

// everyOption sets every option of the chart.
const everyOption = `
replicaCount: 1
extraArgs: [--log-level=debug]
extraEnv: [{name: HTTPS_PROXY, value: "http://proxy:3128"}]
extraVolumes: [{name: ca, configMap: {name: corporate-ca}}]
extraVolumeMounts: [{name: ca, mountPath: /etc/ssl/corporate, readOnly: true}]
priorityClassName: system-cluster-critical
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
persistence: {enabled: true, size: 2Gi}
serviceMonitor: {enabled: true}
prometheusRule: {enabled: true, labels: {release: prom}, additionalAlertLabels: {team: platform}}
grafanaDashboard: {enabled: true}
networkPolicy: {enabled: true}
policyReports: {enabled: true}
config:
  policies: {write-policy-reports: true}
`

// TestHelmChartOptions renders the chart with every option on, checks
// what each one does and applies the result with a server-side dry run.
func TestHelmChartOptions(t *testing.T) {
	installCRDs(t)
	ns := cluster.Namespace(t, "helm-options")
	file := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(file, []byte(everyOption), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := kubeapply.Decode([]byte(helm(t, "template", "rel", chartDir, "--namespace", ns, "-f", file)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PersistentVolumeClaim/rel-clusterscribe-data", "PrometheusRule/rel-clusterscribe", "ConfigMap/rel-clusterscribe-dashboard", "NetworkPolicy/rel-clusterscribe"} {
		if !slices.Contains(kinds(objs), want) {
			t.Errorf("no %s in %v", want, kinds(objs))
		}
	}
	checkHardened(t, objs, ns, true)
	dep := find(t, objs, "Deployment")
	pod := func(path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(dep.Object, append([]string{"spec", "template", "spec"}, path...)...)
		return v
	}
	container := pod("containers").([]any)[0].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"extraArgs", slices.Contains(container["args"].([]any), "--log-level=debug"), true},
		{"extraEnv", strings.Contains(toYAML(t, container["env"]), "HTTPS_PROXY"), true},
		{"extraVolumeMounts", strings.Contains(toYAML(t, container["volumeMounts"]), "/etc/ssl/corporate"), true},
		{"extraVolumes", strings.Contains(toYAML(t, pod("volumes")), "corporate-ca"), true},
		{"priorityClassName", pod("priorityClassName"), "system-cluster-critical"},
		{"topologySpreadConstraints labelSelector", strings.Contains(toYAML(t, pod("topologySpreadConstraints")), "app.kubernetes.io/instance: rel"), true},
		{"persistence claim", strings.Contains(toYAML(t, pod("volumes")), "claimName: rel-clusterscribe-data"), true},
		{"persistence strategy", dep.Object["spec"].(map[string]any)["strategy"], map[string]any{"type": "Recreate"}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	dryRunApply(t, objs)

	// OpenShift's restricted SCC picks the UID and fsGroup: null unsets them.
	objs = helmTemplate(t, ns, "podSecurityContext.runAsUser=null", "podSecurityContext.runAsGroup=null", "podSecurityContext.fsGroup=null")
	sc, _, _ := unstructured.NestedMap(find(t, objs, "Deployment").Object, "spec", "template", "spec", "securityContext")
	for _, k := range []string{"runAsUser", "runAsGroup", "fsGroup"} {
		if _, ok := sc[k]; ok {
			t.Errorf("securityContext.%s still set: %v", k, sc)
		}
	}
	if sc["runAsNonRoot"] != true {
		t.Errorf("securityContext lost runAsNonRoot: %v", sc)
	}

	// One ReadWriteOnce claim cannot serve two replicas.
	_, err = helmRun(t, "template", "rel", chartDir, "--set", "persistence.enabled=true")
	if err == nil || !strings.Contains(err.Error(), "ReadWriteMany") {
		t.Errorf("persistence with 2 replicas and ReadWriteOnce: %v, want an error saying ReadWriteMany", err)
	}
}

// metricName finds the metric names in PromQL.
var metricName = regexp.MustCompile(`\bclusterscribe_[a-z_]+`)

// TestMonitoringUsesExportedMetrics: the alerts and the dashboard of the
// chart and of the kustomize components read only metrics the process
// exports, the rules cover the four alerts, and the kustomize copies equal
// the chart's.
func TestMonitoringUsesExportedMetrics(t *testing.T) {
	exported := []string{
		operate.MetricWatchedObjects, operate.MetricEvents, operate.MetricCommits, operate.MetricCommittedFiles,
		operate.MetricPushes, operate.MetricPushFailures, operate.MetricLastPush, operate.MetricDriftFindings,
		operate.MetricPolicyViolations, operate.MetricAuditDuration, operate.MetricAudits, operate.MetricLastAudit,
		operate.MetricAPIRequests, operate.MetricAPIThrottled, operate.MetricAPIThrottleSeconds, operate.MetricAlerts,
		operate.MetricLeader, operate.MetricReady,
	}
	objs, err := kubeapply.Decode([]byte(helm(t, "template", "clusterscribe", chartDir, "--set", "prometheusRule.enabled=true,grafanaDashboard.enabled=true")))
	if err != nil {
		t.Fatal(err)
	}
	rule := find(t, objs, "PrometheusRule")
	dashboard, _, _ := unstructured.NestedString(find(t, objs, "ConfigMap", "clusterscribe-dashboard").Object, "data", "clusterscribe.json")
	exprs := toYAML(t, rule.Object["spec"]) + dashboard
	used := map[string]bool{}
	for _, m := range metricName.FindAllString(exprs, -1) {
		base := strings.TrimSuffix(m, "_bucket")
		if !slices.Contains(exported, base) {
			t.Errorf("%s is not a metric operate exports", m)
		}
		used[base] = true
	}
	for _, m := range []string{operate.MetricLastPush, operate.MetricPushFailures, operate.MetricReady, operate.MetricDriftFindings} {
		if !strings.Contains(toYAML(t, rule.Object["spec"]), m) {
			t.Errorf("no alert reads %s", m)
		}
	}
	var alerts []string
	for _, m := range regexp.MustCompile(`alert: (\w+)`).FindAllStringSubmatch(toYAML(t, rule.Object["spec"]), -1) {
		alerts = append(alerts, m[1])
	}
	if want := []string{"ClusterscribeBackupStale", "ClusterscribePushFailing", "ClusterscribeRecorderNotReady", "ClusterscribeDriftPresent"}; !slices.Equal(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}

	k := kustomize(t, "monitoring", "", "servicemonitor", "prometheusrule", "grafana-dashboard")
	if diff := cmp.Diff(rule.Object["spec"], find(t, k, "PrometheusRule").Object["spec"]); diff != "" {
		t.Errorf("deploy/kustomize/components/prometheusrule differs from the chart's rule (-chart +kustomize):\n%s", diff)
	}
	kd, _, _ := unstructured.NestedString(find(t, k, "ConfigMap", "clusterscribe-dashboard").Object, "data", "clusterscribe.json")
	if kd != dashboard {
		t.Error("deploy/kustomize/components/grafana-dashboard/clusterscribe.json differs from the chart's dashboards/clusterscribe.json")
	}
}

// TestChartPassesPolicies: the chart's rendering passes the bundled
// policies; the read-everything ClusterRole is the one exception, listed
// with its reason. The kustomize base's image tag is the chart's
// appVersion.
func TestChartPassesPolicies(t *testing.T) {
	out := helm(t, "template", "rel", chartDir, "--set", "networkPolicy.enabled=true,policyReports.enabled=true")
	e, err := policies.Load(t.Context(), policies.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, problems, err := policies.ReadManifests([]string{"-"}, strings.NewReader(out))
	if err != nil || len(problems) > 0 {
		t.Fatalf("read: %v %v", err, problems)
	}
	fs, _, evalProblems, err := e.EvaluateManifests(t.Context(), ms)
	if err != nil || len(evalProblems) > 0 {
		t.Fatalf("evaluate: %v %v", err, evalProblems)
	}
	var exceptions []string
	for _, f := range fs {
		if f.Policy.Outcome != findings.Exception {
			t.Errorf("%s on %s: %s (%s)", f.Policy.ID, f.Object, f.Message, f.Policy.Outcome)
			continue
		}
		exceptions = append(exceptions, f.Policy.ID+" "+f.Object.Name+": "+f.Reason)
	}
	if len(exceptions) != 1 || !strings.HasPrefix(exceptions[0], "rbac-wildcard rel-clusterscribe-read: clusterscribe reads every kind") {
		t.Errorf("exceptions %q, want the read ClusterRole's rbac-wildcard", exceptions)
	}

	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	var kust struct {
		Images []struct {
			NewTag string `json:"newTag"`
		} `json:"images"`
	}
	readYAML(t, filepath.Join(chartDir, "Chart.yaml"), &chart)
	readYAML(t, filepath.Join("..", "deploy", "kustomize", "kustomization.yaml"), &kust)
	if len(kust.Images) != 1 || kust.Images[0].NewTag != chart.AppVersion {
		t.Errorf("deploy/kustomize image tag %+v, want the chart's appVersion %q", kust.Images, chart.AppVersion)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// find returns the object of kind (and name prefix) in objs.
func find(t *testing.T, objs []*unstructured.Unstructured, kind string, name ...string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && (len(name) == 0 || strings.HasPrefix(o.GetName(), name[0])) {
			return o
		}
	}
	t.Fatalf("no %s %v in %v", kind, name, kinds(objs))
	return nil
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSpace(b))
}
