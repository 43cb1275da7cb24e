package serializer

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ruleCase runs one rule alone on in and expects want.
type ruleCase struct {
	name string // test name; the rule is ruleCase.rule
	rule string
	in   string
	want string
}

var defaultRuleCases = []ruleCase{
	{
		rule: "metadata.uid",
		in:   "kind: ConfigMap\nmetadata: {name: a, uid: 0c5b7d2e}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.resourceVersion",
		in:   "kind: ConfigMap\nmetadata: {name: a, resourceVersion: '991'}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.generation",
		in:   "kind: ConfigMap\nmetadata: {name: a, generation: 4}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.creationTimestamp",
		in:   "kind: ConfigMap\nmetadata: {name: a, creationTimestamp: '2024-05-01T10:00:00Z'}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.selfLink",
		in:   "kind: ConfigMap\nmetadata: {name: a, selfLink: /api/v1/namespaces/d/configmaps/a}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.managedFields",
		in:   "kind: ConfigMap\nmetadata: {name: a, managedFields: [{manager: kubectl, operation: Apply}]}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.deletionTimestamp",
		in:   "kind: ConfigMap\nmetadata: {name: a, deletionTimestamp: '2024-05-01T10:00:00Z'}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "metadata.deletionGracePeriodSeconds",
		in:   "kind: ConfigMap\nmetadata: {name: a, deletionGracePeriodSeconds: 30}\n",
		want: "kind: ConfigMap\nmetadata: {name: a}\n",
	},
	{
		rule: "status",
		in:   "kind: Widget\nspec: {size: 1}\nstatus: {ready: true}\n",
		want: "kind: Widget\nspec: {size: 1}\n",
	},
	{
		name: "deployment",
		rule: "spec.template.metadata.creationTimestamp",
		in:   "kind: Deployment\nspec: {template: {metadata: {creationTimestamp: null, labels: {app: a}}}}\n",
		want: "kind: Deployment\nspec: {template: {metadata: {labels: {app: a}}}}\n",
	},
	{
		name: "cronjob",
		rule: "spec.template.metadata.creationTimestamp",
		in: "kind: CronJob\nspec: {jobTemplate: {metadata: {creationTimestamp: null}, " +
			"spec: {template: {metadata: {creationTimestamp: null}, spec: {}}}}}\n",
		want: "kind: CronJob\nspec: {jobTemplate: {metadata: {}, spec: {template: {metadata: {}, spec: {}}}}}\n",
	},
	{
		name: "statefulset volume claim templates",
		rule: "spec.template.metadata.creationTimestamp",
		in: "kind: StatefulSet\nspec: {volumeClaimTemplates: [{metadata: {name: d1, creationTimestamp: null}}, " +
			"{metadata: {name: d2, creationTimestamp: null}}]}\n",
		want: "kind: StatefulSet\nspec: {volumeClaimTemplates: [{metadata: {name: d1}}, {metadata: {name: d2}}]}\n",
	},
	{
		rule: "annotation.last-applied-configuration",
		in:   "kind: ConfigMap\nmetadata: {annotations: {kubectl.kubernetes.io/last-applied-configuration: '{}', keep: x}}\n",
		want: "kind: ConfigMap\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "annotation.deployment-revision",
		in:   "kind: Deployment\nmetadata: {annotations: {deployment.kubernetes.io/revision: '3', keep: x}}\n",
		want: "kind: Deployment\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "annotation.replicaset-replicas",
		in: "kind: ReplicaSet\nmetadata: {annotations: {deployment.kubernetes.io/desired-replicas: '3', " +
			"deployment.kubernetes.io/max-replicas: '4', keep: x}}\n",
		want: "kind: ReplicaSet\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "annotation.leader",
		in:   "kind: Endpoints\nmetadata: {annotations: {control-plane.alpha.kubernetes.io/leader: '{}', keep: x}}\n",
		want: "kind: Endpoints\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "annotation.service-account-uid",
		in:   "kind: Secret\nmetadata: {annotations: {kubernetes.io/service-account.uid: 9a1c, kubernetes.io/service-account.name: sa}}\n",
		want: "kind: Secret\nmetadata: {annotations: {kubernetes.io/service-account.name: sa}}\n",
	},
	{
		rule: "annotation.pv-binding",
		in: "kind: PersistentVolumeClaim\nmetadata: {annotations: {pv.kubernetes.io/bind-completed: 'yes', " +
			"pv.kubernetes.io/bound-by-controller: 'yes', keep: x}}\n",
		want: "kind: PersistentVolumeClaim\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "annotation.autoscaling-alpha",
		in: "kind: Deployment\nmetadata: {annotations: {autoscaling.alpha.kubernetes.io/conditions: '[]', " +
			"autoscaling.alpha.kubernetes.io/current-metrics: '[]', autoscaling.alpha.kubernetes.io.other/x: keep}}\n",
		want: "kind: Deployment\nmetadata: {annotations: {autoscaling.alpha.kubernetes.io.other/x: keep}}\n",
	},
	{
		rule: "annotation.cluster-autoscaler-last-updated",
		in:   "kind: ConfigMap\nmetadata: {annotations: {cluster-autoscaler.kubernetes.io/last-updated: '2024', keep: x}}\n",
		want: "kind: ConfigMap\nmetadata: {annotations: {keep: x}}\n",
	},
	{
		rule: "service.clusterIP",
		in:   "kind: Service\nspec: {clusterIP: 10.0.0.7, clusterIPs: [10.0.0.7], type: ClusterIP}\n",
		want: "kind: Service\nspec: {type: ClusterIP}\n",
	},
	{
		name: "headless keeps None",
		rule: "service.clusterIP",
		in:   "kind: Service\nspec: {clusterIP: None, clusterIPs: [None]}\n",
		want: "kind: Service\nspec: {clusterIP: None, clusterIPs: [None]}\n",
	},
	{
		rule: "service.ipFamilies",
		in:   "kind: Service\nspec: {ipFamilies: [IPv4], type: ClusterIP}\n",
		want: "kind: Service\nspec: {type: ClusterIP}\n",
	},
	{
		rule: "service.ipFamilyPolicy",
		in:   "kind: Service\nspec: {ipFamilyPolicy: SingleStack, type: ClusterIP}\n",
		want: "kind: Service\nspec: {type: ClusterIP}\n",
	},
	{
		rule: "service.healthCheckNodePort",
		in:   "kind: Service\nspec: {healthCheckNodePort: 31999, type: LoadBalancer}\n",
		want: "kind: Service\nspec: {type: LoadBalancer}\n",
	},
	{
		rule: "service.nodePort",
		in:   "kind: Service\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30080}, {port: 443, nodePort: 30443}]}\n",
		want: "kind: Service\nspec: {type: NodePort, ports: [{port: 80}, {port: 443}]}\n",
	},
	{
		rule: "pvc.volumeName",
		in:   "kind: PersistentVolumeClaim\nspec: {volumeName: pvc-1f3e, storageClassName: standard}\n",
		want: "kind: PersistentVolumeClaim\nspec: {storageClassName: standard}\n",
	},
	{
		rule: "secret.stringData",
		in:   "kind: Secret\ndata: {a: b2xk, c: Yw==}\nstringData: {a: new, d: ''}\n",
		want: "kind: Secret\ndata: {a: bmV3, c: Yw==, d: ''}\n",
	},
	{
		name: "no data yet",
		rule: "secret.stringData",
		in:   "kind: Secret\nstringData: {a: x}\n",
		want: "kind: Secret\ndata: {a: eA==}\n",
	},
	{
		rule: "webhook.caBundle",
		in: "kind: MutatingWebhookConfiguration\nwebhooks: [{name: a, clientConfig: {caBundle: LS0t, service: {name: s}}}, " +
			"{name: b, clientConfig: {url: 'https://x'}}]\n",
		want: "kind: MutatingWebhookConfiguration\nwebhooks: [{name: a, clientConfig: {service: {name: s}}}, " +
			"{name: b, clientConfig: {url: 'https://x'}}]\n",
	},
	{
		rule: "crd.caBundle",
		in: "kind: CustomResourceDefinition\nspec: {conversion: {strategy: Webhook, " +
			"webhook: {clientConfig: {caBundle: LS0t, url: 'https://x'}}}}\n",
		want: "kind: CustomResourceDefinition\nspec: {conversion: {strategy: Webhook, webhook: {clientConfig: {url: 'https://x'}}}}\n",
	},
	{
		rule: "apiservice.caBundle",
		in:   "kind: APIService\nspec: {caBundle: LS0t, group: metrics.k8s.io}\n",
		want: "kind: APIService\nspec: {group: metrics.k8s.io}\n",
	},
	{
		name: "aggregated cluster role",
		rule: "clusterrole.aggregatedRules",
		in:   "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\naggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}\nrules: [{verbs: [get]}]\n",
		want: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\naggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}\n",
	},
	{
		name: "plain cluster role keeps its rules",
		rule: "clusterrole.aggregatedRules",
		in:   "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [{verbs: [get]}]\n",
		want: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [{verbs: [get]}]\n",
	},
	{
		name: "deprecated serviceAccount in a pod template",
		rule: "podspec.serviceAccount",
		in:   "kind: Deployment\nspec: {template: {spec: {serviceAccount: web, serviceAccountName: web}}}\n",
		want: "kind: Deployment\nspec: {template: {spec: {serviceAccountName: web}}}\n",
	},
	{
		name: "serviceAccount differing from serviceAccountName stays",
		rule: "podspec.serviceAccount",
		in:   "kind: Pod\nspec: {serviceAccount: a, serviceAccountName: b}\n",
		want: "kind: Pod\nspec: {serviceAccount: a, serviceAccountName: b}\n",
	},
	{
		name: "generated selector and labels",
		rule: "job.generatedSelector",
		in: "apiVersion: batch/v1\nkind: Job\nspec: {selector: {matchLabels: {batch.kubernetes.io/controller-uid: u}}, " +
			"template: {metadata: {labels: {app: a, controller-uid: u, batch.kubernetes.io/controller-uid: u, " +
			"job-name: j, batch.kubernetes.io/job-name: j}}}}\n",
		want: "apiVersion: batch/v1\nkind: Job\nspec: {template: {metadata: {labels: {app: a}}}}\n",
	},
	{
		name: "manual selector stays",
		rule: "job.generatedSelector",
		in:   "apiVersion: batch/v1\nkind: Job\nspec: {manualSelector: true, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b, job-name: j}}}}\n",
		want: "apiVersion: batch/v1\nkind: Job\nspec: {manualSelector: true, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b, job-name: j}}}}\n",
	},
}

// TestDefaultRulesAlone runs each default rule on its own.
func TestDefaultRulesAlone(t *testing.T) {
	rules := map[string]Rule{}
	for _, r := range DefaultRules() {
		rules[r.Name] = r
	}
	covered := map[string]bool{}
	for _, tt := range defaultRuleCases {
		name := tt.rule
		if tt.name != "" {
			name += "/" + tt.name
		}
		t.Run(name, func(t *testing.T) {
			r, ok := rules[tt.rule]
			if !ok {
				t.Fatalf("no default rule %q", tt.rule)
			}
			covered[tt.rule] = true
			c, err := compileRule(r)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got := objectMap(t, tt.in)
			if err := c.apply(got); err != nil {
				t.Fatalf("apply: %v", err)
			}
			if diff := cmp.Diff(objectMap(t, tt.want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for name := range rules {
		if !covered[name] {
			t.Errorf("default rule %q has no test case", name)
		}
	}
}

func TestDefaultRulesAreValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range DefaultRules() {
		if seen[r.Name] {
			t.Errorf("duplicate rule name %q", r.Name)
		}
		seen[r.Name] = true
		if _, err := compileRule(r); err != nil {
			t.Errorf("rule %q: %v", r.Name, err)
		}
	}
	if seen[RuleAutoscaledReplicas] {
		t.Errorf("%s must not be in DefaultRules: it needs Options.Autoscaled", RuleAutoscaledReplicas)
	}
}

func TestFoldStringDataErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "stringData not a map", in: "kind: Secret\nstringData: [a]\n"},
		{name: "value not a string", in: "kind: Secret\nstringData: {a: 1}\n"},
		{name: "data not a map", in: "kind: Secret\ndata: x\nstringData: {a: b}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := foldStringData(objectMap(t, tt.in)); err == nil {
				t.Error("foldStringData succeeded")
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr bool
	}{
		{
			in:   "Deployment.apps:/spec/template/metadata/annotations/foo",
			want: Rule{Name: "Deployment.apps:/spec/template/metadata/annotations/foo", Kinds: []string{"Deployment.apps"}, Pointers: []string{"/spec/template/metadata/annotations/foo"}},
		},
		{
			in:   ":/metadata/labels/x",
			want: Rule{Name: ":/metadata/labels/x", Pointers: []string{"/metadata/labels/x"}},
		},
		{
			in:   " Deployment.apps, StatefulSet.apps :/spec/replicas ",
			want: Rule{Name: "Deployment.apps, StatefulSet.apps :/spec/replicas", Kinds: []string{"Deployment.apps", "StatefulSet.apps"}, Pointers: []string{"/spec/replicas"}},
		},
		{
			in:   "Service:/metadata/annotations/example.com~1ts",
			want: Rule{Name: "Service:/metadata/annotations/example.com~1ts", Kinds: []string{"Service"}, Pointers: []string{"/metadata/annotations/example.com~1ts"}},
		},
		{in: "", wantErr: true},
		{in: "/spec/replicas", wantErr: true},
		{in: "Deployment.apps:spec/replicas", wantErr: true},
		{in: "Deployment.apps:", wantErr: true},
		{in: "Deployment.apps:/a/~2", wantErr: true},
		{in: "Deployment.apps,:/spec", wantErr: true},
		{in: ".apps:/spec", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRule(tt.in)
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrInvalidRule) {
					t.Fatalf("ParseRule = %+v, %v; want an ErrInvalidRule", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b func(map[string]any) error) bool { return a == nil && b == nil })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
