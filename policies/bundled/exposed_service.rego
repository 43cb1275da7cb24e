# METADATA
# title: Services exposed outside the cluster
# description: >-
#   A LoadBalancer or NodePort Service opens the workload to networks beyond
#   the cluster (every node's address, or a cloud load balancer), outside the
#   reach of NetworkPolicies on the way in. Exposure should go through a
#   reviewed ingress path.
# custom:
#   id: exposed-service
#   severity: low
#   remediation: >-
#     Use a ClusterIP Service behind an Ingress or Gateway; where a load
#     balancer is required, restrict loadBalancerSourceRanges and document
#     the exception.
#   controls:
#   - {framework: NSA-CISA, id: network-separation, title: Network separation and hardening}
#   match:
#     kinds:
#     - apiGroups: [""]
#       kinds: [Service]
package clusterscribe.bundled.exposed_service

import rego.v1

deny contains msg if {
	input.spec.type in {"LoadBalancer", "NodePort"}
	msg := sprintf("Service of type %s is reachable from outside the cluster", [input.spec.type])
}
