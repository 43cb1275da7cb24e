package ignore_test

import (
	"strings"
	"testing"

	"github.com/clusterscribe/clusterscribe/audit/ignore"
)

// TestParseArgoCD checks that --ignore-rules reads Argo CD's objects as
// they are: an Application, an ApplicationSet and argocd-cm, together in
// one multi-document file, and refuses what holds no rules, naming the
// document.
func TestParseArgoCD(t *testing.T) {
	const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://git.example.com/org/fleet.git, path: shop}
  destination: {server: https://kubernetes.default.svc, namespace: shop}
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers: [/spec/replicas]
    - kind: ConfigMap
      name: web
      managedFieldsManagers: [ops-bot]
`
	const appSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet}
spec:
  generators: [{list: {elements: []}}]
  template:
    metadata: {name: '{{name}}'}
    spec:
      ignoreDifferences:
        - group: autoscaling
          kind: HorizontalPodAutoscaler
          jsonPointers: [/spec/metrics]
`
	const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd}
data:
  url: https://argocd.example.com
  resource.customizations.ignoreDifferences.admissionregistration.k8s.io_MutatingWebhookConfiguration: |
    jsonPointers:
    - /webhooks/0/clientConfig/caBundle
  resource.customizations.ignoreDifferences.all: |
    managedFieldsManagers:
    - kube-controller-manager
  resource.customizations.ignoreDifferences.Service: |
    jsonPointers: [/spec/externalIPs]
  resource.customizations: |
    apps/StatefulSet:
      ignoreDifferences: |
        jsonPointers:
        - /spec/volumeClaimTemplates
      health.lua: |
        return {}
`
	tests := []struct {
		name    string
		in      string
		want    []ignore.Rule
		wantErr string
	}{
		{name: "application", in: app, want: []ignore.Rule{
			{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/replicas"}},
			{Kind: "ConfigMap", Name: "web", ManagedFieldsManagers: []string{"ops-bot"}},
		}},
		{name: "applicationset", in: appSet, want: []ignore.Rule{
			{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", JSONPointers: []string{"/spec/metrics"}},
		}},
		{name: "argocd-cm", in: cm, want: []ignore.Rule{
			{Group: "apps", Kind: "StatefulSet", JSONPointers: []string{"/spec/volumeClaimTemplates"}},
			{Kind: "Service", JSONPointers: []string{"/spec/externalIPs"}},
			{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration", JSONPointers: []string{"/webhooks/0/clientConfig/caBundle"}},
			{Group: "*", Kind: "*", ManagedFieldsManagers: []string{"kube-controller-manager"}},
		}},
		{name: "several documents", in: appSet + "---\n" + app, want: []ignore.Rule{
			{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", JSONPointers: []string{"/spec/metrics"}},
			{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/replicas"}},
			{Kind: "ConfigMap", Name: "web", ManagedFieldsManagers: []string{"ops-bot"}},
		}},
		{
			name:    "appproject",
			in:      "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: default}\n",
			wantErr: "document 1 (AppProject default): an AppProject holds no ignoreDifferences",
		},
		{
			name:    "other kind",
			in:      app + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
			wantErr: "document 2 (Deployment web): apps/v1 Deployment holds no ignore rules",
		},
		{
			name:    "jq path in an application",
			in:      strings.Replace(app, "jsonPointers: [/spec/replicas]", "jqPathExpressions: ['.spec.replicas']", 1),
			wantErr: "jqPathExpressions are not supported",
		},
		{
			name:    "unknown field in argocd-cm",
			in:      strings.Replace(cm, "jsonPointers: [/spec/externalIPs]", "jsonPointer: [/spec/externalIPs]", 1),
			wantErr: `data[resource.customizations.ignoreDifferences.Service]: error unmarshaling JSON: while decoding JSON: json: unknown field "jsonPointer"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkParse(t, "argocd.yaml", tt.in, tt.want, tt.wantErr)
			if err != nil && !strings.HasPrefix(err.Error(), "argocd.yaml: ") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}
