# METADATA
# title: Writable root filesystem
# description: >-
#   A container whose root filesystem is writable lets an attacker drop tools
#   and modify binaries; an immutable root filesystem, with writable volumes
#   only where needed, contains that.
# custom:
#   id: read-only-root-filesystem
#   severity: low
#   remediation: >-
#     Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir
#     where the application writes (/tmp, caches).
#   controls:
#   - {framework: CIS, id: "5.7.3", title: Apply Security Context to Your Pods and Containers}
#   - {framework: NSA-CISA, id: pod-security/immutable-filesystems, title: Immutable container file systems}
#   match:
#     kinds: workloads
package clusterscribe.bundled.read_only_root_filesystem

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some x in k8s.runtime_containers
	not x.c.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("%s does not set readOnlyRootFilesystem: true", [k8s.describe(x)])
}
