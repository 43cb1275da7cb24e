package report

import (
	"encoding/base64"
	"time"

	"github.com/clusterscribe/clusterscribe/audit/findings"
	"github.com/clusterscribe/clusterscribe/internal/secretscan"
)

// Values of the Secret in the fixture's diff, base64 there as in a
// manifest: no output may contain them in any spelling.
const (
	fixtureDeclaredPassword = "csx-canary-report-fixture-declared"
	fixtureLivePassword     = "csx-canary-report-fixture-live"
)

func init() { secretscan.Register(fixtureDeclaredPassword, fixtureLivePassword) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	cis511   = findings.Control{Framework: "CIS", ID: "5.1.1", Title: "Ensure that the cluster-admin role is only used where required"}
	cis513   = findings.Control{Framework: "CIS", ID: "5.1.3", Title: "Minimize wildcard use in Roles and ClusterRoles"}
	cis522   = findings.Control{Framework: "CIS", ID: "5.2.2", Title: "Minimize the admission of privileged containers"}
	cis523   = findings.Control{Framework: "CIS", ID: "5.2.3", Title: "Minimize the admission of containers wishing to share the host process ID namespace"}
	cis527   = findings.Control{Framework: "CIS", ID: "5.2.7", Title: "Minimize the admission of root containers"}
	cis5210  = findings.Control{Framework: "CIS", ID: "5.2.10", Title: "Minimize the admission of containers with capabilities assigned"}
	cis532   = findings.Control{Framework: "CIS", ID: "5.3.2", Title: "Ensure that all Namespaces have Network Policies defined"}
	cis541   = findings.Control{Framework: "CIS", ID: "5.4.1", Title: "Prefer using Secrets as files over Secrets as environment variables"}
	nsaPod   = findings.Control{Framework: "NSA-CISA", ID: "pod-security", Title: "Kubernetes Pod security"}
	nsaNet   = findings.Control{Framework: "NSA-CISA", ID: "network-separation", Title: "Network separation and hardening"}
	nsaRBAC  = findings.Control{Framework: "NSA-CISA", ID: "authentication-authorization", Title: "Authentication and authorization"}
	pssBase  = findings.Control{Framework: "PSS", ID: "baseline", Title: "Baseline"}
	pssRestr = findings.Control{Framework: "PSS", ID: "restricted", Title: "Restricted"}
	// Controls of a policy that evaluated nothing; a Pod Security
	// Standards level titled, as policies title it, with the check.
	cis5510      = findings.Control{Framework: "CIS", ID: "5.5.10", Title: "Control evaluated on no object"}
	nsaEnc       = findings.Control{Framework: "NSA-CISA", ID: "network-separation/encryption", Title: "Encryption"}
	pssHostPorts = findings.Control{Framework: "PSS", ID: "privileged", Title: "Host Ports"}
)

var (
	deployWeb            = findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}
	deployDebug          = findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "debug-shell"}
	deployLedger         = findings.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "payments", Name: "ledger"}
	svcCanary            = findings.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "web-canary"}
	crbOncall            = findings.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding", Name: "oncall-admin"}
	crDeployer           = findings.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "ci-deployer"}
	nsPayments           = findings.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: "payments"}
	webSource            = &findings.Source{File: "clusters/prod/shop/web.yaml", Line: 1}
	canarySource         = &findings.Source{File: "clusters/prod/shop/canary.yaml", Line: 14}
	privileged           = findings.PolicyResult{ID: "privileged-container", Title: "Privileged containers", Severity: findings.Critical, Outcome: findings.Fail, Description: "Privileged containers have every capability of the host and can escape to it.", Remediation: "Remove securityContext.privileged or set it to false.", Controls: []findings.Control{cis522, nsaPod, pssBase}, File: "bundled:privileged-container"}
	runAsRoot            = findings.PolicyResult{ID: "run-as-root", Title: "Containers running as root", Severity: findings.Medium, Outcome: findings.Fail, Remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser.", Controls: []findings.Control{cis527, nsaPod, pssRestr}, File: "bundled:run-as-root"}
	latestTag            = findings.PolicyResult{ID: "latest-tag", Title: "Mutable image tags", Severity: findings.Medium, Outcome: findings.Warn, Remediation: "Pin images by version tag and digest.", File: "bundled:latest-tag"}
	rbacWildcard         = findings.PolicyResult{ID: "rbac-wildcard", Title: "Wildcards in RBAC rules", Severity: findings.High, Outcome: findings.Fail, Controls: []findings.Control{cis513, nsaRBAC}, File: "bundled:rbac-wildcard"}
	rbacWildcardExcepted = findings.PolicyResult{ID: "rbac-wildcard", Title: "Wildcards in RBAC rules", Severity: findings.High, Outcome: findings.Exception, Controls: []findings.Control{cis513, nsaRBAC}, File: "bundled:rbac-wildcard"}
	clusterAdmin         = findings.PolicyResult{ID: "cluster-admin-binding", Title: "cluster-admin bound to non-system subjects", Severity: findings.Critical, Outcome: findings.Fail, Controls: []findings.Control{cis511, nsaRBAC}, File: "bundled:cluster-admin-binding"}
	requiredLabel        = findings.PolicyResult{ID: "required-labels", Rule: "deny", Title: "Required labels", Severity: findings.Low, Outcome: findings.Fail, File: "policies/custom/labels.rego"}
	secretEnv            = findings.PolicyResult{ID: "secret-env-vars", Title: "Secrets exposed as environment variables", Severity: findings.High, Outcome: findings.Error, Controls: []findings.Control{cis541}, File: "bundled:secret-env-vars"}
	netpol               = findings.PolicyResult{ID: "network-policy", Title: "Namespaces without a NetworkPolicy", Severity: findings.Medium, Outcome: findings.Fail, Controls: []findings.Control{cis532, nsaNet}, File: "bundled:network-policy"}
)

func policy(p findings.PolicyResult) *findings.PolicyResult { return &p }

// fixtureReport is a realistic audit with policies: every finding type, a
// Secret whose diff carries values, problems (one trying to inject HTML) and
// policy stats with passing and failing policies. Findings are deliberately
// out of order.
func fixtureReport() *findings.Report {
	return &findings.Report{
		GeneratedAt:      at("2026-03-14T09:30:00Z"),
		Cluster:          "prod-eu-west-1",
		Declared:         "https://github.com/acme/platform-gitops.git",
		DeclaredRevision: "3f9c2a7d41e8b6c05a9d2e7f1b4c8a6d0e3f5b21",
		PolicySet: &findings.PolicySet{
			Name: "clusterscribe-bundled+policies/custom", Version: "sha256:5be1d2a09c7f3e41",
			Sources: []string{"bundled", "policies/custom"}, Scope: "cluster prod-eu-west-1: 214 live objects in scope",
		},
		Findings: []findings.Finding{
			{Type: findings.Policy, Object: deployDebug, Message: `container "shell" runs privileged`, Policy: policy(privileged), Live: true},
			{
				Type: findings.Unmanaged, Object: crbOncall, Message: "in the cluster, declared nowhere",
				Attribution: []findings.Attribution{{Manager: "kubectl-create", Operation: "Update", Time: at("2026-03-13T22:04:31Z")}},
			},
			{
				Type: findings.Modified, Object: deployWeb, Source: webSource, Message: "2 fields differ from the declaration",
				Paths: []string{
					"spec.template.spec.containers[name=web].image",
					"spec.template.spec.containers[name=web].resources.limits.memory",
				},
				Attribution: []findings.Attribution{{Manager: "kubectl-edit", Operation: "Update", Time: at("2026-03-14T03:12:45Z")}},
				ChangedBy: &findings.ChangedBy{
					User: "alice@example.com", Groups: []string{"sre", "system:authenticated"},
					UserAgent: "kubectl/v1.36.3 (linux/amd64) kubernetes/0000000", Verb: "patch", Time: at("2026-03-14T03:12:45Z"),
				},
				Diff: `--- declared clusters/prod/shop/web.yaml:1
+++ live Deployment.apps shop/web
@@ -18,10 +18,10 @@
     spec:
       containers:
       - name: web
-        image: registry.acme.io/shop/web:1.42.0
+        image: registry.acme.io/shop/web:1.42.1-hotfix
         resources:
           limits:
-            memory: 512Mi
+            memory: 1Gi
           requests:
             cpu: 250m
`,
			},
			{Type: findings.Policy, Object: deployWeb, Source: webSource, Message: `container "web" may run as root: runAsNonRoot is not set`, Policy: policy(runAsRoot)},
			{Type: findings.Policy, Object: crbOncall, Message: `ClusterRoleBinding grants cluster-admin to User "jane@acme.io"`, Policy: policy(clusterAdmin), Live: true},
			{Type: findings.MissingLive, Object: svcCanary, Source: canarySource, Message: "declared, not found in the cluster"},
			{Type: findings.Policy, Object: deployDebug, Message: `image "busybox:latest" uses the mutable tag <latest> & no digest`, Policy: policy(latestTag), Live: true},
			{
				Type: findings.Modified, Object: findings.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "payments", Name: "db-credentials"},
				Source: &findings.Source{File: "clusters/prod/payments/db.yaml", Line: 1}, Message: "1 field differs from the declaration",
				Paths:       []string{"data.password"},
				Attribution: []findings.Attribution{{Manager: "vault-agent", Operation: "Apply", Time: at("2026-03-14T01:00:02Z")}},
				Diff: `--- declared clusters/prod/payments/db.yaml:1
+++ live Secret payments/db-credentials
@@ -1,9 +1,9 @@
 apiVersion: v1
 data:
-  password: ` + b64(fixtureDeclaredPassword) + `
+  password: ` + b64(fixtureLivePassword) + `
   username: <redacted:4f1d0c9a7b2e>
 kind: Secret
 metadata:
   name: db-credentials
   namespace: payments
 type: Opaque
`,
			},
			{Type: findings.Policy, Object: crDeployer, Message: `rule 2 allows verbs ["*"] on resources ["*"]`, Policy: policy(rbacWildcard), Live: true},
			{Type: findings.Policy, Object: deployDebug, Message: `container "shell" may run as root: runAsUser is 0`, Policy: policy(runAsRoot), Live: true},
			{
				Type: findings.Policy, Object: findings.ObjectRef{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "clusterscribe-read"},
				Message: `rule 1 grants all resources ("*")`, Policy: policy(rbacWildcardExcepted), Live: true,
				Reason: "reads every kind (get, list and watch only) to back it up",
			},
			{Type: findings.Policy, Object: svcCanary, Source: canarySource, Message: `missing required label "team"`, Policy: policy(requiredLabel)},
			{Type: findings.Policy, Object: deployLedger, Message: "evaluation exceeded its 2s time limit", Policy: policy(secretEnv), Live: true},
			{Type: findings.Policy, Object: nsPayments, Message: `namespace "payments" has no NetworkPolicy`, Policy: policy(netpol), Live: true},
			{
				Type: findings.Unmanaged, Object: deployDebug, Message: "in the cluster, declared nowhere",
				Attribution: []findings.Attribution{{Manager: "kubectl-create", Operation: "Update", Time: at("2026-03-14T02:58:10Z")}},
			},
			{
				Type: findings.Modified, Object: findings.ObjectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "web-config"},
				Source: &findings.Source{File: "clusters/prod/shop/web.yaml", Line: 48}, Message: "a label was added in the cluster",
				Paths:       []string{"metadata.labels.debug"},
				Attribution: []findings.Attribution{{Manager: "kubectl-label", Operation: "Update", Time: at("2026-03-14T03:14:02Z")}},
				Diff: `--- declared clusters/prod/shop/web.yaml:48
+++ live ConfigMap shop/web-config
@@ -1,5 +1,7 @@
 apiVersion: v1
 kind: ConfigMap
 metadata:
+  labels:
+    debug: "true"
   name: web-config
   namespace: shop
`,
			},
		},
		Problems: []findings.Problem{
			{Source: findings.Source{File: "clusters/prod/shop/notes.yaml", Line: 1}, Message: `unknown kind "<script>alert(1)</script>" for apiVersion "v1"`},
			{Source: findings.Source{File: "clusters/prod/shop/broken.yaml", Line: 12}, Message: "yaml: line 12: mapping values are not allowed in this context"},
		},
		Policies: []findings.PolicyStat{
			{ID: "run-as-root", Title: runAsRoot.Title, Severity: findings.Medium, Controls: runAsRoot.Controls, Evaluated: 38, Failed: 2},
			{ID: "privileged-container", Title: privileged.Title, Severity: findings.Critical, Controls: privileged.Controls, Evaluated: 38, Failed: 1},
			{ID: "host-namespaces", Title: "Host PID, IPC and network namespaces", Severity: findings.High, Controls: []findings.Control{cis523, nsaPod, pssBase}, Evaluated: 38},
			{ID: "added-capabilities", Title: "Added Linux capabilities", Severity: findings.Medium, Controls: []findings.Control{cis5210, pssRestr}, Evaluated: 38},
			{ID: "latest-tag", Title: latestTag.Title, Severity: findings.Medium, Evaluated: 38},
			{ID: "cluster-admin-binding", Title: clusterAdmin.Title, Severity: findings.Critical, Controls: clusterAdmin.Controls, Evaluated: 14, Failed: 1},
			{ID: "rbac-wildcard", Title: rbacWildcard.Title, Severity: findings.High, Controls: rbacWildcard.Controls, Evaluated: 22, Failed: 1, Excepted: 1},
			{ID: "required-labels", Title: requiredLabel.Title, Severity: findings.Low, Evaluated: 52, Failed: 1},
			{ID: "secret-env-vars", Title: secretEnv.Title, Severity: findings.High, Controls: secretEnv.Controls, Evaluated: 38, Failed: 1},
			{ID: "network-policy", Title: netpol.Title, Severity: findings.Medium, Controls: netpol.Controls, Evaluated: 6, Failed: 1},
			// No object in scope: its controls were not evaluated, and
			// must not read as passed.
			{ID: "ingress-tls", Title: "Ingresses without TLS", Severity: findings.Medium, Controls: []findings.Control{cis5510, nsaEnc, pssHostPorts}, Evaluated: 0},
		},
	}
}

// cleanReport is an audit that found nothing, with every policy passing.
func cleanReport() *findings.Report {
	return &findings.Report{
		GeneratedAt:      at("2026-03-14T09:30:00Z"),
		Cluster:          "staging",
		Declared:         "/srv/gitops",
		DeclaredRevision: "v2.3.0",
		Findings:         []findings.Finding{},
		Policies: []findings.PolicyStat{
			{
				ID: "privileged-container", Title: privileged.Title, Severity: findings.Critical, Controls: privileged.Controls, Evaluated: 2,
				Passed: []findings.ObjectRef{deployWeb, deployLedger},
			},
		},
	}
}
