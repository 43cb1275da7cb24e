# METADATA
# title: Namespaces without a NetworkPolicy
# description: >-
#   Without any NetworkPolicy every pod of a namespace accepts traffic from
#   every pod of the cluster. Judged from the NetworkPolicies among the
#   objects evaluated.
# custom:
#   id: namespace-network-policy
#   severity: medium
#   remediation: >-
#     Add a default-deny NetworkPolicy to the namespace and allow the traffic
#     its workloads need.
#   controls:
#   - {framework: CIS, id: "5.3.2", title: Ensure that all Namespaces have Network Policies defined}
#   - {framework: NSA-CISA, id: network-separation/network-policies, title: Network policies}
#   match:
#     kinds:
#     - apiGroups: [""]
#       kinds: [Namespace]
package clusterscribe.bundled.namespace_network_policy

import rego.v1

has_network_policy if {
	some name
	data.inventory.namespace[input.metadata.name]["networking.k8s.io/v1"].NetworkPolicy[name]
}

deny contains "namespace has no NetworkPolicy" if not has_network_policy
