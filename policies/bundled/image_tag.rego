# METADATA
# title: Mutable image tags
# description: >-
#   An image without a tag, or tagged latest, can change under the same name:
#   what runs is not what was reviewed, and a rollback may not roll back.
# custom:
#   id: image-tag
#   severity: medium
#   remediation: >-
#     Pin every image to a version tag, or better to a digest
#     (image@sha256:...).
#   controls:
#   - {framework: NSA-CISA, id: pod-security/secure-images, title: Building secure container images}
#   match:
#     kinds: workloads
package clusterscribe.bundled.image_tag

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

deny contains msg if {
	some x in k8s.containers
	not k8s.has_digest(x.c.image)
	k8s.image_tag(x.c.image) == ""
	msg := sprintf("%s uses image %q without a tag", [k8s.describe(x), x.c.image])
}

deny contains msg if {
	some x in k8s.containers
	not k8s.has_digest(x.c.image)
	k8s.image_tag(x.c.image) == "latest"
	msg := sprintf("%s uses image %q with the mutable tag latest", [k8s.describe(x), x.c.image])
}
