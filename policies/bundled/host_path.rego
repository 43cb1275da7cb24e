# METADATA
# title: hostPath volumes
# description: >-
#   A hostPath volume mounts a file or directory of the node into the pod; it
#   can expose the node's credentials, the container runtime socket or system
#   files to the workload.
# custom:
#   id: host-path
#   severity: high
#   remediation: >-
#     Replace hostPath volumes with emptyDir, configMap, secret or a
#     PersistentVolumeClaim; node agents that truly need the host belong in a
#     namespace excluded from this policy.
#   controls:
#   - {framework: CIS, id: "5.2.12", title: Minimize the admission of HostPath volumes}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: baseline, title: HostPath Volumes}
#   match:
#     kinds: workloads
package clusterscribe.bundled.host_path

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some v in k8s.pod_spec.volumes
	v.hostPath
	msg := sprintf("volume %q mounts host path %q", [v.name, object.get(v.hostPath, "path", "")])
}
