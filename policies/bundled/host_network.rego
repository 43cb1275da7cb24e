# METADATA
# title: hostNetwork
# description: >-
#   A pod with hostNetwork shares the node's network namespace: it sees every interface of the node, can bind its ports and bypasses NetworkPolicies.
# custom:
#   id: host-network
#   severity: high
#   remediation: >-
#     Remove spec.hostNetwork from the pod template (or set it to false).
#   controls:
#   - {framework: CIS, id: "5.2.5", title: Minimize the admission of containers wishing to share the host network namespace}
#   - {framework: NSA-CISA, id: pod-security/enforcement, title: Pod security enforcement}
#   - {framework: PSS, id: baseline, title: Host Namespaces}
#   match:
#     kinds: workloads
package clusterscribe.bundled.host_network

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains "pod sets hostNetwork: true" if k8s.pod_spec.hostNetwork == true
