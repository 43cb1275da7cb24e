# METADATA
# title: hostPID
# description: >-
#   A pod with hostPID shares the node's process ID namespace: it sees every process of the node and, with enough privilege, can inspect or signal them.
# custom:
#   id: host-pid
#   severity: high
#   remediation: >-
#     Remove spec.hostPID from the pod template (or set it to false).
#   controls:
#   - {framework: CIS, id: "5.2.3", title: Minimize the admission of containers wishing to share the host process ID namespace}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: baseline, title: Host Namespaces}
#   match:
#     kinds: workloads
package clusterscribe.bundled.host_pid

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains "pod sets hostPID: true" if k8s.pod_spec.hostPID == true
