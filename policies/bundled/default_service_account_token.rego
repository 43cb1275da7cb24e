# METADATA
# title: Default ServiceAccount token mounted
# description: >-
#   Every namespace has a ServiceAccount named default, used by every pod that
#   names none, and its API token is mounted into those pods unless
#   automounting is switched off. A compromised pod then holds a credential
#   it never needed. Reported on default ServiceAccounts that automount, and
#   on workloads that mount the default ServiceAccount's token (judged from
#   the ServiceAccounts among the objects evaluated).
# custom:
#   id: default-service-account-token
#   severity: medium
#   remediation: >-
#     Set automountServiceAccountToken: false on each namespace's default
#     ServiceAccount; give workloads that call the API their own
#     ServiceAccount.
#   controls:
#   - {framework: CIS, id: "5.1.5", title: Ensure that default service accounts are not actively used}
#   - {framework: CIS, id: "5.1.6", title: Ensure that Service Account Tokens are only mounted where necessary}
#   - {framework: NSA-CISA, id: pod-security/service-account-tokens, title: Protecting Pod service account tokens}
#   match:
#     kinds:
#     - apiGroups: [""]
#       kinds: [ServiceAccount, Pod, PodTemplate, ReplicationController]
#     - apiGroups: [apps]
#       kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet]
#     - apiGroups: [batch]
#       kinds: [Job, CronJob]
package clusterscribe.bundled.default_service_account_token

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains "the default ServiceAccount automounts its token: set automountServiceAccountToken: false" if {
	input.kind == "ServiceAccount"
	input.metadata.name == "default"
	not input.automountServiceAccountToken == false
}

deny contains "pods use the default ServiceAccount and mount its token" if {
	spec := k8s.pod_spec
	not spec.automountServiceAccountToken == false
	service_account(spec) in {"", "default"}
	not default_disables_automount
}

service_account(spec) := spec.serviceAccountName

service_account(spec) := object.get(spec, "serviceAccount", "") if not spec.serviceAccountName

default_disables_automount if {
	sa := data.inventory.namespace[input.metadata.namespace].v1.ServiceAccount["default"]
	sa.automountServiceAccountToken == false
}
