# METADATA
# title: Privilege escalation allowed
# description: >-
#   Unless allowPrivilegeEscalation is false, a process in the container can
#   gain more privileges than its parent (setuid binaries, file
#   capabilities). The restricted Pod Security Standard requires it to be set
#   to false explicitly.
# custom:
#   id: privilege-escalation
#   severity: medium
#   remediation: >-
#     Set securityContext.allowPrivilegeEscalation: false on every container.
#   controls:
#   - {framework: CIS, id: "5.2.6", title: Minimize the admission of containers with allowPrivilegeEscalation}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: restricted, title: Privilege Escalation}
#   match:
#     kinds: workloads
package clusterscribe.bundled.privilege_escalation

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some x in k8s.containers
	x.c.securityContext.allowPrivilegeEscalation == true
	msg := sprintf("%s sets allowPrivilegeEscalation: true", [k8s.describe(x)])
}

deny contains msg if {
	some x in k8s.containers
	not has_setting(x.c)
	msg := sprintf("%s does not set allowPrivilegeEscalation: false", [k8s.describe(x)])
}

has_setting(c) if is_boolean(c.securityContext.allowPrivilegeEscalation)
