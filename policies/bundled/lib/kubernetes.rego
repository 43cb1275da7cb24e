# Helpers shared by the bundled policies: the pod spec of every workload
# kind, its containers, and image references.
package clusterscribe.lib.kubernetes

import rego.v1

# pod_spec is the pod spec of a workload; undefined for other kinds.
pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.template.spec if input.kind == "PodTemplate"

pod_spec := input.spec.template.spec if {
	input.kind in {"ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
}

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

container_types := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# containers lists every container of the pod spec as {"type", "c"} (an
# array: a set would hash each container).
containers := [{"type": type, "c": c} |
	some field, type in container_types
	some c in pod_spec[field]
]

# runtime_containers leaves ephemeral (debug) containers out: they have no
# resources and are not part of the declared workload.
runtime_containers := [x |
	some x in containers
	x.type != "ephemeral container"
]

# describe names a container in messages: `container "web"`.
describe(x) := sprintf("%s %q", [x.type, x.c.name])

# image_ref returns the image as registry/path[:tag][@digest], with Docker
# Hub's implicit registry and library/ made explicit.
image_ref(image) := image if {
	first := split(image, "/")[0]
	count(split(image, "/")) > 1
	is_registry(first)
}

image_ref(image) := concat("/", ["docker.io", image]) if {
	first := split(image, "/")[0]
	count(split(image, "/")) > 1
	not is_registry(first)
}

image_ref(image) := concat("/", ["docker.io/library", image]) if {
	not contains(image, "/")
}

is_registry(host) if contains(host, ".")

is_registry(host) if contains(host, ":")

is_registry("localhost")

# image_tag is the tag of an image ("" when it has none); digests are left
# out.
image_tag(image) := tag if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}

image_tag(image) := "" if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	not contains(parts[count(parts) - 1], ":")
}

has_digest(image) if contains(image, "@")

# bootstrap marks the RBAC objects Kubernetes creates itself.
bootstrap if input.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
