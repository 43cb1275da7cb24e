package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/audit/findings"
)

func TestCompliance(t *testing.T) {
	fws := Compliance(fixtureReport())
	type row struct {
		ID             string
		Status         string
		Passed, Failed int
		Policies       []string
		Objects        []string
	}
	got := map[string][]row{}
	var order []string
	for _, fw := range fws {
		order = append(order, fw.ID)
		for _, c := range fw.Controls {
			var objs []string
			for _, o := range c.Objects {
				objs = append(objs, o.Object.String()+" "+string(o.Outcome)+" "+o.Policy)
			}
			got[fw.ID] = append(got[fw.ID], row{c.ID, c.Status(), c.Passed, c.Failed, c.Policies, objs})
		}
	}
	if diff := cmp.Diff([]string{"CIS", "NSA-CISA", "PSS"}, order); diff != "" {
		t.Errorf("frameworks (-want +got):\n%s", diff)
	}
	want := map[string][]row{
		"CIS": {
			{"5.1.1", "fail", 13, 1, []string{"cluster-admin-binding"}, []string{"ClusterRoleBinding.rbac.authorization.k8s.io oncall-admin fail cluster-admin-binding"}},
			{"5.1.3", "fail", 21, 1, []string{"rbac-wildcard"}, []string{"ClusterRole.rbac.authorization.k8s.io ci-deployer fail rbac-wildcard", "ClusterRole.rbac.authorization.k8s.io clusterscribe-read exception rbac-wildcard"}},
			{"5.2.2", "fail", 37, 1, []string{"privileged-container"}, []string{"Deployment.apps shop/debug-shell fail privileged-container"}},
			{"5.2.3", "pass", 38, 0, []string{"host-namespaces"}, nil},
			{"5.2.7", "fail", 36, 2, []string{"run-as-root"}, []string{"Deployment.apps shop/debug-shell fail run-as-root", "Deployment.apps shop/web fail run-as-root"}},
			{"5.2.10", "pass", 38, 0, []string{"added-capabilities"}, nil},
			{"5.3.2", "fail", 5, 1, []string{"network-policy"}, []string{"Namespace payments fail network-policy"}},
			{"5.4.1", "fail", 37, 1, []string{"secret-env-vars"}, []string{"Deployment.apps payments/ledger error secret-env-vars"}},
			// Evaluated on no object: not evaluated, never pass.
			{"5.5.10", "not-evaluated", 0, 0, []string{"ingress-tls"}, nil},
		},
		"NSA-CISA": {
			{"authentication-authorization", "fail", 34, 2, []string{"cluster-admin-binding", "rbac-wildcard"}, []string{
				"ClusterRole.rbac.authorization.k8s.io ci-deployer fail rbac-wildcard",
				"ClusterRole.rbac.authorization.k8s.io clusterscribe-read exception rbac-wildcard",
				"ClusterRoleBinding.rbac.authorization.k8s.io oncall-admin fail cluster-admin-binding",
			}},
			{"network-separation", "fail", 5, 1, []string{"network-policy"}, []string{"Namespace payments fail network-policy"}},
			{"network-separation/encryption", "not-evaluated", 0, 0, []string{"ingress-tls"}, nil},
			{"pod-security", "fail", 111, 3, []string{"host-namespaces", "privileged-container", "run-as-root"}, []string{
				"Deployment.apps shop/debug-shell fail privileged-container",
				"Deployment.apps shop/debug-shell fail run-as-root",
				"Deployment.apps shop/web fail run-as-root",
			}},
		},
		"PSS": {
			{"baseline", "fail", 75, 1, []string{"host-namespaces", "privileged-container"}, []string{"Deployment.apps shop/debug-shell fail privileged-container"}},
			{"privileged", "not-evaluated", 0, 0, []string{"ingress-tls"}, nil},
			{"restricted", "fail", 74, 2, []string{"added-capabilities", "run-as-root"}, []string{"Deployment.apps shop/debug-shell fail run-as-root", "Deployment.apps shop/web fail run-as-root"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("controls (-want +got):\n%s", diff)
	}
}

func TestComplianceEdgeCases(t *testing.T) {
	warnOnly := findings.PolicyResult{ID: "p", Severity: findings.Low, Outcome: findings.Warn, Controls: []findings.Control{{Framework: "SOC2", ID: "CC6.1"}}}
	failNoStat := findings.PolicyResult{ID: "q", Severity: findings.High, Outcome: findings.Fail, Controls: []findings.Control{{Framework: "SOC2", ID: "CC6.1"}}}
	tests := []struct {
		name       string
		report     *findings.Report
		wantFW     []string
		wantStatus string
		wantPassed int
		wantFailed int
	}{
		{
			name:   "no policies: no compliance section",
			report: &findings.Report{Findings: []findings.Finding{{Type: findings.Unmanaged, Object: deployDebug}}},
		},
		{
			name: "only warnings",
			report: &findings.Report{
				Findings: []findings.Finding{{Type: findings.Policy, Object: deployDebug, Policy: &warnOnly}},
				Policies: []findings.PolicyStat{{ID: "p", Controls: warnOnly.Controls, Evaluated: 4}},
			},
			wantFW: []string{"CIS", "NSA-CISA", "PSS", "SOC2"}, wantStatus: "warn", wantPassed: 4,
		},
		{
			name:   "findings without stats count as failures, passes unknown",
			report: &findings.Report{Findings: []findings.Finding{{Type: findings.Policy, Object: deployDebug, Policy: &failNoStat}}},
			wantFW: []string{"CIS", "NSA-CISA", "PSS", "SOC2"}, wantStatus: "fail", wantFailed: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fws := Compliance(tt.report)
			var ids []string
			for _, fw := range fws {
				ids = append(ids, fw.ID)
			}
			if diff := cmp.Diff(tt.wantFW, ids); diff != "" {
				t.Fatalf("frameworks (-want +got):\n%s", diff)
			}
			if len(fws) == 0 {
				return
			}
			c := fws[3].Controls[0]
			if c.Status() != tt.wantStatus || c.Passed != tt.wantPassed || c.Failed != tt.wantFailed {
				t.Errorf("control: status %s, %d passed, %d failed; want %s, %d, %d", c.Status(), c.Passed, c.Failed, tt.wantStatus, tt.wantPassed, tt.wantFailed)
			}
		})
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"5.1.2", "5.1.10", -1},
		{"5.1.10", "5.2", -1},
		{"5.2", "5.2", 0},
		{"5.2", "5.2.1", -1},
		{"baseline", "restricted", -1},
		{"1.10a", "1.10b", -1},
		{"10", "9", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			if got := naturalCompare(tt.a, tt.b); got != tt.want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := naturalCompare(tt.b, tt.a); got != -tt.want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

// TestControlTitles: a Pod Security Standards level has its own title, not
// the check title of the first policy mapped to it; other controls keep the
// title their policies give them.
func TestControlTitles(t *testing.T) {
	r := &findings.Report{Policies: []findings.PolicyStat{
		{ID: "a-host-ipc", Evaluated: 3, Controls: []findings.Control{{Framework: "PSS", ID: "baseline", Title: "Host Namespaces"}, cis523}},
		{ID: "b-privileged", Evaluated: 3, Controls: []findings.Control{{Framework: "PSS", ID: "baseline", Title: "Privileged Containers"}}},
	}}
	titles := map[string]string{}
	for _, fw := range Compliance(r) {
		for _, c := range fw.Controls {
			titles[fw.ID+" "+c.ID] = c.Title
		}
	}
	want := map[string]string{
		"PSS baseline": "Baseline: prevents known privilege escalations",
		"CIS 5.2.3":    cis523.Title,
	}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("titles (-want +got):\n%s", diff)
	}
}
