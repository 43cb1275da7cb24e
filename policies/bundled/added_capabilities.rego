# METADATA
# title: Added capabilities
# description: >-
#   Linux capabilities added to a container (NET_ADMIN, SYS_ADMIN, ...) give
#   it parts of root's power over the node. The restricted Pod Security
#   Standard allows adding only NET_BIND_SERVICE; the list is configurable
#   (--allowed-capabilities).
# custom:
#   id: added-capabilities
#   severity: medium
#   remediation: >-
#     Remove the capability from securityContext.capabilities.add, drop ALL,
#     and add back only what the container needs.
#   controls:
#   - {framework: CIS, id: "5.2.9", title: Minimize the admission of containers with added capabilities}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: restricted, title: Capabilities}
#   match:
#     kinds: workloads
package clusterscribe.bundled.added_capabilities

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

default allowed_params := ["NET_BIND_SERVICE"]

allowed_params := data.clusterscribe.params.allowedCapabilities

allowed := {normalize(c) | some c in allowed_params}

normalize(cap) := trim_prefix(upper(cap), "CAP_")

deny contains msg if {
	some x in k8s.containers
	some cap in x.c.securityContext.capabilities.add
	not normalize(cap) in allowed
	msg := sprintf("%s adds capability %s", [k8s.describe(x), cap])
}
