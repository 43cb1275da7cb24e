package clusterscribe.bundled.image_registry_test

import data.clusterscribe.bundled.image_registry.deny
import data.clusterscribe.lib.fixtures
import rego.v1

image(i) := fixtures.deployment(fixtures.with_container({"name": "app", "image": i}))

allowed := ["ghcr.io/acme/", "registry.example.com", "docker.io/library"]

test_allowed_registry_path if {
	count(deny) == 0 with input as image("ghcr.io/acme/app:1")
		with data.clusterscribe.params.allowedRegistries as allowed
}

test_allowed_registry if {
	count(deny) == 0 with input as image("registry.example.com/team/app:1")
		with data.clusterscribe.params.allowedRegistries as allowed
}

test_allowed_docker_hub_official_image if {
	count(deny) == 0 with input as image("nginx:1.27")
		with data.clusterscribe.params.allowedRegistries as allowed
}

test_allowed_no_allow_list if {
	count(deny) == 0 with input as image("evil.example.net/app:1")
		with data.clusterscribe.params.allowedRegistries as []
}

test_denied_other_registry if {
	deny == {`container "app" uses image "quay.io/acme/app:1" from a registry outside the allow-list`} with input as image("quay.io/acme/app:1")
		with data.clusterscribe.params.allowedRegistries as allowed
}

test_denied_prefix_not_at_boundary if {
	deny == {`container "app" uses image "ghcr.io/acme-evil/app:1" from a registry outside the allow-list`} with input as image("ghcr.io/acme-evil/app:1")
		with data.clusterscribe.params.allowedRegistries as allowed
}

test_denied_docker_hub_user_image if {
	deny == {`container "app" uses image "someone/app:1" from a registry outside the allow-list`} with input as image("someone/app:1")
		with data.clusterscribe.params.allowedRegistries as allowed
}
