# METADATA
# title: Secrets exposed as environment variables
# description: >-
#   Environment variables end up in crash dumps, debug endpoints, child
#   processes and logs; Secrets mounted as files do not, and they are updated
#   in place when the Secret changes.
# custom:
#   id: secret-env
#   severity: low
#   remediation: >-
#     Mount the Secret as a volume and read the file, instead of
#     env[].valueFrom.secretKeyRef or envFrom[].secretRef.
#   controls:
#   - {framework: CIS, id: "5.4.1", title: Prefer using Secrets as files over Secrets as environment variables}
#   - {framework: NSA-CISA, id: network-separation/secrets, title: Secrets}
#   match:
#     kinds: workloads
package clusterscribe.bundled.secret_env

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some x in k8s.containers
	some e in x.c.env
	ref := e.valueFrom.secretKeyRef
	msg := sprintf("%s reads key %q of Secret %q into env var %s", [k8s.describe(x), ref.key, ref.name, e.name])
}

deny contains msg if {
	some x in k8s.containers
	some e in x.c.envFrom
	ref := e.secretRef
	msg := sprintf("%s loads every key of Secret %q into its environment", [k8s.describe(x), ref.name])
}
