# METADATA
# title: hostIPC
# description: >-
#   A pod with hostIPC shares the node's IPC namespace: it can read and write the shared memory of every process on the node.
# custom:
#   id: host-ipc
#   severity: high
#   remediation: >-
#     Remove spec.hostIPC from the pod template (or set it to false).
#   controls:
#   - {framework: CIS, id: "5.2.4", title: Minimize the admission of containers wishing to share the host IPC namespace}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: baseline, title: Host Namespaces}
#   match:
#     kinds: workloads
package clusterscribe.bundled.host_ipc

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains "pod sets hostIPC: true" if k8s.pod_spec.hostIPC == true
