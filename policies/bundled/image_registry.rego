# METADATA
# title: Images from registries outside the allow-list
# description: >-
#   Images should come only from registries the organization trusts (mirrors
#   that scan and sign what they serve). The allow-list is configured with
#   --allowed-registries; without one this policy is off.
# custom:
#   id: image-registry
#   severity: high
#   requires: allowedRegistries
#   remediation: >-
#     Pull the image through an allowed registry (mirror it there), or add the
#     registry to the allow-list if it is trusted.
#   controls:
#   - {framework: CIS, id: "5.5.1", title: Configure Image Provenance using ImagePolicyWebhook admission controller}
#   - {framework: NSA-CISA, id: pod-security/secure-images, title: Building secure container images}
#   match:
#     kinds: workloads
package clusterscribe.bundled.image_registry

import data.clusterscribe.lib.kubernetes as k8s
import rego.v1

allowed_entries := [trim_suffix(e, "/") | some e in data.clusterscribe.params.allowedRegistries]

# An entry matches an image when it is the image's registry, or a path
# prefix of it ending at a component boundary.
matches(ref, entry) if ref == entry

matches(ref, entry) if {
	some sep in ["/", ":", "@"]
	startswith(ref, concat("", [entry, sep]))
}

allowed(image) if {
	some entry in allowed_entries
	matches(k8s.image_ref(image), entry)
}

allowed(image) if {
	some entry in allowed_entries
	matches(image, entry)
}

deny contains msg if {
	count(allowed_entries) > 0
	some x in k8s.containers
	not allowed(x.c.image)
	msg := sprintf("%s uses image %q from a registry outside the allow-list", [k8s.describe(x), x.c.image])
}
