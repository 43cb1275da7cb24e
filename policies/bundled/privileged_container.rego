# METADATA
# title: Privileged containers
# description: >-
#   A privileged container runs with every Linux capability and with access to
#   all of the host's devices: it is root on the node in all but name.
# custom:
#   id: privileged-container
#   severity: critical
#   remediation: >-
#     Remove securityContext.privileged from the container (or set it to
#     false) and grant only the specific capabilities it needs.
#   controls:
#   - {framework: CIS, id: "5.2.2", title: Minimize the admission of privileged containers}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: baseline, title: Privileged Containers}
#   match:
#     kinds: workloads
package clusterscribe.bundled.privileged_container

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some x in k8s.containers
	x.c.securityContext.privileged == true
	msg := sprintf("%s runs privileged", [k8s.describe(x)])
}
