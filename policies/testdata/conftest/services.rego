# METADATA
# title: Services name their ports
# description: Unnamed ports cannot be referenced by name from probes and policies.
# custom:
#   id: service-port-names
#   severity: low
#   remediation: Give every port a name.
#   controls:
#   - "NSA-CISA:network-separation"
#   match:
#     kinds:
#     - apiGroups: [""]
#       kinds: [Service]
package services

import rego.v1

violation contains {"msg": msg, "details": {"port": p.port}} if {
	some p in input.spec.ports
	not p.name
	msg := sprintf("port %d has no name", [p.port])
}
