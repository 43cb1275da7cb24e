# METADATA
# title: Wildcards in RBAC rules
# description: >-
#   A "*" in verbs or resources grants everything that exists today and
#   everything added later (new resources, custom resources, subresources),
#   far more than any workload needs. Roles Kubernetes creates itself
#   (labelled kubernetes.io/bootstrapping=rbac-defaults) are not reported.
# custom:
#   id: rbac-wildcard
#   severity: high
#   remediation: >-
#     List the verbs and resources the subject needs explicitly.
#   controls:
#   - {framework: CIS, id: "5.1.3", title: Minimize wildcard use in Roles and ClusterRoles}
#   - {framework: NSA-CISA, id: authorization/rbac, title: Role-based access control}
#   match:
#     kinds:
#     - apiGroups: [rbac.authorization.k8s.io]
#       kinds: [Role, ClusterRole]
package clusterscribe.bundled.rbac_wildcard

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	not k8s.bootstrap
	some i, rule in input.rules
	some field in ["verbs", "resources"]
	"*" in rule[field]
	msg := sprintf("rule %d grants all %s (\"*\")", [i + 1, field])
}
