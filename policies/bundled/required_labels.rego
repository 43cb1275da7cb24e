# METADATA
# title: Required labels missing
# description: >-
#   Labels name who owns an object and what it belongs to; reports,
#   cost allocation and incident response rely on them. The labels are
#   configured with --required-labels (key, or key=regex for the allowed
#   values); without any this policy is off.
# custom:
#   id: required-labels
#   severity: low
#   requires: requiredLabels
#   remediation: >-
#     Add the missing labels (on workloads, to metadata.labels of the
#     object itself).
#   match:
#     kinds:
#     - apiGroups: [""]
#       kinds: [Namespace, Service, Pod, PodTemplate, ReplicationController]
#     - apiGroups: [apps]
#       kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet]
#     - apiGroups: [batch]
#       kinds: [Job, CronJob]
#     - apiGroups: [networking.k8s.io]
#       kinds: [Ingress]
package clusterscribe.bundled.required_labels

import rego.v1

labels := object.get(input.metadata, "labels", {})

deny contains msg if {
	some req in data.clusterscribe.params.requiredLabels
	not labels[req.key]
	msg := sprintf("label %q is missing", [req.key])
}

deny contains msg if {
	some req in data.clusterscribe.params.requiredLabels
	req.allowedRegex != ""
	value := labels[req.key]
	not regex.match(req.allowedRegex, value)
	msg := sprintf("label %q has value %q, which does not match %q", [req.key, value, req.allowedRegex])
}
