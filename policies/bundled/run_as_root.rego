# METADATA
# title: Containers running as root
# description: >-
#   A container that may run as UID 0 is root inside the container and, after
#   any escape, root on the node. Containers should declare that they run as a
#   non-root user (runAsNonRoot: true, or a non-zero runAsUser).
# custom:
#   id: run-as-root
#   severity: medium
#   remediation: >-
#     Set securityContext.runAsNonRoot: true (on the pod or on each container)
#     and build the image with a non-root USER, or set a non-zero runAsUser.
#   controls:
#   - {framework: CIS, id: "5.2.7", title: Minimize the admission of root containers}
#   - {framework: NSA-CISA, id: pod-security/non-root, title: Non-root containers and rootless container engines}
#   - {framework: PSS, id: restricted, title: Running as Non-root}
#   match:
#     kinds: workloads
package clusterscribe.bundled.run_as_root

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

# The container's setting wins over the pod's.
run_as_user(c) := c.securityContext.runAsUser

run_as_user(c) := k8s.pod_spec.securityContext.runAsUser if {
	not has_setting(c, "runAsUser")
}

run_as_non_root(c) := c.securityContext.runAsNonRoot

run_as_non_root(c) := k8s.pod_spec.securityContext.runAsNonRoot if {
	not has_setting(c, "runAsNonRoot")
}

has_setting(c, key) if {
	_ := c.securityContext[key]
}

declares_non_root(c) if run_as_non_root(c) == true

declares_non_root(c) if run_as_user(c) > 0

root_user(c) if run_as_user(c) == 0

deny contains msg if {
	some x in k8s.containers
	root_user(x.c)
	msg := sprintf("%s runs as root (runAsUser: 0)", [k8s.describe(x)])
}

deny contains msg if {
	some x in k8s.containers
	not root_user(x.c)
	not declares_non_root(x.c)
	msg := sprintf("%s may run as root: set runAsNonRoot: true or a non-zero runAsUser", [k8s.describe(x)])
}
