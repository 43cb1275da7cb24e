# METADATA
# title: Missing resource requests or limits
# description: >-
#   Without CPU and memory requests the scheduler cannot place a pod sensibly,
#   and without a memory limit one pod can exhaust its node's memory. CPU
#   limits are not required: they throttle more than they protect.
# custom:
#   id: resources
#   severity: low
#   remediation: >-
#     Set resources.requests.cpu, resources.requests.memory and
#     resources.limits.memory on every container (or a LimitRange default in
#     the namespace).
#   controls:
#   - {framework: NSA-CISA, id: network-separation/resource-policies, title: Resource policies}
#   match:
#     kinds: workloads
package clusterscribe.bundled.resources

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

required := [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]

deny contains msg if {
	some x in k8s.runtime_containers
	missing := [sprintf("%s.%s", r) | some r in required; not x.c.resources[r[0]][r[1]]]
	count(missing) > 0
	msg := sprintf("%s has no resources %s", [k8s.describe(x), concat(", ", missing)])
}
