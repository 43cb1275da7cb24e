package clusterscribe.bundled.privileged_container_test

import data.clusterscribe.bundled.privileged_container.deny
import data.clusterscribe.lib.fixtures
import rego.v1

test_allowed_hardened_container if {
	count(deny) == 0 with input as fixtures.deployment(fixtures.with_container(fixtures.hardened))
}

test_allowed_privileged_false if {
	c := object.union(fixtures.hardened, {"securityContext": {"privileged": false}})
	count(deny) == 0 with input as fixtures.pod(fixtures.with_container(c))
}

test_denied_privileged_container if {
	c := object.union(fixtures.hardened, {"securityContext": {"privileged": true}})
	deny == {`container "app" runs privileged`} with input as fixtures.deployment(fixtures.with_container(c))
}

test_denied_privileged_init_container_of_cronjob if {
	spec := {
		"containers": [fixtures.hardened],
		"initContainers": [{"name": "setup", "image": "busybox:1", "securityContext": {"privileged": true}}],
	}
	deny == {`init container "setup" runs privileged`} with input as fixtures.cronjob(spec)
}
