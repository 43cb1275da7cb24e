package clusterscribe.bundled.image_tag_test

import data.clusterscribe.bundled.image_tag.deny
import data.clusterscribe.lib.fixtures
import rego.v1

image(i) := fixtures.deployment(fixtures.with_container({"name": "app", "image": i}))

test_allowed_version_tag if {
	count(deny) == 0 with input as image("nginx:1.27")
}

test_allowed_registry_with_port if {
	count(deny) == 0 with input as image("registry.local:5000/team/app:2.0")
}

test_allowed_digest if {
	count(deny) == 0 with input as image("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
}

test_allowed_latest_pinned_by_digest if {
	count(deny) == 0 with input as image("nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
}

test_denied_untagged if {
	deny == {`container "app" uses image "nginx" without a tag`} with input as image("nginx")
}

test_denied_untagged_registry_with_port if {
	deny == {`container "app" uses image "registry.local:5000/app" without a tag`} with input as image("registry.local:5000/app")
}

test_denied_latest if {
	deny == {`container "app" uses image "ghcr.io/acme/app:latest" with the mutable tag latest`} with input as image("ghcr.io/acme/app:latest")
}
