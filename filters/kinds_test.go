package filters

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clusterscribe/clusterscribe/watcher"
)

func TestParseKindPattern(t *testing.T) {
	tests := []struct {
		in      string
		want    kindPattern
		wantErr string
	}{
		{in: "ConfigMap", want: kindPattern{raw: "ConfigMap", name: "ConfigMap", anyGroup: true}},
		{in: " deployment.apps ", want: kindPattern{raw: " deployment.apps ", name: "deployment", group: "apps"}},
		{in: "Certificate.Cert-Manager.IO", want: kindPattern{raw: "Certificate.Cert-Manager.IO", name: "Certificate", group: "cert-manager.io"}},
		{in: "*.apps", want: kindPattern{raw: "*.apps", name: "*", group: "apps"}},
		{in: "secret.core", want: kindPattern{raw: "secret.core", name: "secret"}},
		{in: "*", want: kindPattern{raw: "*", name: "*", anyGroup: true}},
		{in: "", wantErr: "empty pattern"},
		{in: "  ", wantErr: "empty pattern"},
		{in: ".apps", wantErr: "no kind before the dot (use *.group for every kind of a group)"},
		{in: "configmap.", wantErr: "no group after the dot (use kind.core for the core group)"},
		{in: "config?ap", wantErr: "only * is a wildcard in a kind"},
		{in: "[cC]onfigMap", wantErr: "only * is a wildcard in a kind"},
		{in: "apps/v1", wantErr: "only * is a wildcard in a kind"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseKindPattern(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("parseKindPattern(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseKindPattern(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(kindPattern{})); diff != "" {
				t.Errorf("parseKindPattern(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestKindPatternMatches(t *testing.T) {
	tests := []struct {
		pattern string
		r       watcher.Resource
		want    bool
	}{
		{"ConfigMap", rConfigMap, true},
		{"configmap", rConfigMap, true},
		{"CONFIGMAP", rConfigMap, true},
		{"configmaps", rConfigMap, true}, // plural resource name
		{"ConfigMap.core", rConfigMap, true},
		{"ConfigMap.apps", rConfigMap, false},
		{"Secret", rConfigMap, false},
		{"Deployment", rDeployment, true}, // no group: any group
		{"deployment.apps", rDeployment, true},
		{"deployments.apps", rDeployment, true},
		{"Deployment.APPS", rDeployment, true},
		{"Deployment.core", rDeployment, false},
		{"Deployment.extensions", rDeployment, false},
		{"*.apps", rDeployment, true},
		{"*.apps", rControllerRevision, true},
		{"*.apps", rPod, false},
		{"*.core", rPod, true},
		{"*.core", rDeployment, false},
		{"*", rWidget, true},
		{"*", rNamespace, true},
		{"Event", rEvent, true},
		{"Event", rEventsV1, true},
		{"Event", rWidgetEvent, true},
		{"Event.core", rEventsV1, false},
		{"Event.events.k8s.io", rEventsV1, true},
		{"Event.events.k8s.io", rEvent, false},
		{"*Review.authorization.k8s.io", rSelfSubjectRules, true},
		{"*Review.authorization.k8s.io", rTokenReview, false},
		{"*Review", rWidgetReview, true},
		{"Self*Review", rSelfSubjectAccess, true},
		{"Self*Review", rSubjectAccess, false},
		{"certificate.cert-manager.io", rCertificate, true},
		{"certificate", rCSR, false},
		{"Deploymnet", rDeployment, false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.r.String(), func(t *testing.T) {
			p, err := parseKindPattern(tt.pattern)
			if err != nil {
				t.Fatalf("parseKindPattern(%q): %v", tt.pattern, err)
			}
			if got := p.matches(tt.r); got != tt.want {
				t.Errorf("%q matches %s = %v, want %v", tt.pattern, tt.r, got, tt.want)
			}
		})
	}
}

func TestGlobFold(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"*", "", true},
		{"*", "anything", true},
		{"abc", "ABC", true},
		{"abc", "abd", false},
		{"abc", "abcd", false},
		{"abcd", "abc", false},
		{"*review", "TokenReview", true},
		{"*review", "TokenReviews", false},
		{"self*review", "SelfSubjectRulesReview", true},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxb", true},
		{"*a*b", "xxbxxa", false},
		{"a**b", "ab", true},
		{"*ab", "aab", true},     // the star must give back
		{"*aab", "aaab", true},   // and retry after a partial match
		{"*abc", "ababc", true},  // overlapping prefix
		{"*abc", "ababd", false}, // and no false positive
		{"tokenreview", "TokenReview", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.s, func(t *testing.T) {
			if got := globFold(tt.pattern, tt.s); got != tt.want {
				t.Errorf("globFold(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}
